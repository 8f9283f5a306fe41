/**
 * `npm run bench -- codec-libs`: why the UPDATE hot path is hand-written. Decodes the IPv4 NLRI
 * of the same UPDATE stream as bench/codec.ts three ways: binary-parser (a generated parser),
 * smart-buffer (a cursor over a Buffer) and the library's decodeNlri, and also compares
 * per-list output containers (Uint32Array vs plain array). Ends with one JSON line.
 */
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { SmartBuffer } from 'smart-buffer';
import { decodeNlri, isNlriError } from '../src/bgp/codec/nlri.js';
import { buildStream } from './stream.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function median(fn: () => number): { seconds: number; prefixes: number } {
  let prefixes = fn();
  const ts: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    prefixes = fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  ts.sort((a, b) => a - b);
  return { seconds: ts[ts.length >> 1]!, prefixes };
}

/** [start, end) of each message's NLRI field. */
function nlriRanges(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let p = 0; p < b.length; ) {
    const len = (b[p + 16]! << 8) | b[p + 17]!;
    const wLen = (b[p + 19]! << 8) | b[p + 20]!;
    const aLen = (b[p + 21 + wLen]! << 8) | b[p + 22 + wLen]!;
    out.push([p + 23 + wLen + aLen, p + len]);
    p += len;
  }
  return out;
}

// binary-parser: one prefix = length octet + ceil(length/8) address octets
const prefixParser = new Parser().uint8('len').buffer('addr', { length: function (this: { len: number }) { return (this.len + 7) >> 3; } });
const nlriParser = new Parser().array('prefixes', { type: prefixParser, readUntil: 'eof' });

export async function main(): Promise<void> {
  const s = buildStream({ messages: Number(process.env.BENCH_MESSAGES ?? 100_000), attributeSets: 2000, seed: 1 });
  const buf = Buffer.from(s.bytes.buffer, s.bytes.byteOffset, s.bytes.length);
  const ranges = nlriRanges(s.bytes);
  console.log(`codec-libs bench: IPv4 NLRI of ${ranges.length} UPDATEs, ${s.prefixes} prefixes, median of ${ROUNDS} rounds`);

  const hand = median(() => {
    let n = 0;
    for (const [a, z] of ranges) {
      const l = decodeNlri(s.bytes, a, z, 1, false);
      if (isNlriError(l)) throw new Error(l.reason);
      n += l.length;
    }
    return n;
  });
  const bp = median(() => {
    let n = 0;
    for (const [a, z] of ranges) {
      const r = nlriParser.parse(buf.subarray(a, z)) as { prefixes: { len: number; addr: Buffer }[] };
      const words: number[] = [];
      for (const p of r.prefixes) {
        let v = 0;
        for (let i = 0; i < 4; i++) v = (v << 8) | (p.addr[i] ?? 0);
        words.push(v >>> 0, p.len);
      }
      n += words.length >> 1;
    }
    return n;
  });
  const sb = median(() => {
    let n = 0;
    for (const [a, z] of ranges) {
      const r = SmartBuffer.fromBuffer(buf.subarray(a, z));
      const words: number[] = [];
      while (r.remaining() > 0) {
        const len = r.readUInt8();
        let v = 0;
        const nb = (len + 7) >> 3;
        for (let i = 0; i < 4; i++) v = (v << 8) | (i < nb ? r.readUInt8() : 0);
        words.push(v >>> 0, len);
      }
      n += words.length >> 1;
    }
    return n;
  });
  const typed = median(() => {
    // the same hand-written loop, but one fresh Uint32Array per list (the first design)
    let n = 0;
    for (const [a, z] of ranges) {
      const l = decodeNlri(s.bytes, a, z, 1, false);
      if (isNlriError(l)) throw new Error(l.reason);
      n += Uint32Array.from(l.words).length >> 1;
    }
    return n;
  });
  for (const r of [hand, bp, sb, typed]) if (r.prefixes !== s.prefixes) throw new Error('prefix count mismatch');
  const rate = (r: { seconds: number }): number => s.prefixes / r.seconds;
  const row = (name: string, r: { seconds: number }): void => console.log(`${name.padEnd(40)} ${(rate(r) / 1e6).toFixed(2).padStart(7)} M prefixes/s  ${(rate(hand) / rate(r)).toFixed(1).padStart(5)}x slower than hand-written`);
  row('hand-written decodeNlri (plain array)', hand);
  row('binary-parser', bp);
  row('smart-buffer', sb);
  row('hand-written + one Uint32Array per list', typed);
  console.log(JSON.stringify({ bench: 'codec-libs', handWrittenPrefixesPerSec: Math.round(rate(hand)), binaryParserPrefixesPerSec: Math.round(rate(bp)), smartBufferPrefixesPerSec: Math.round(rate(sb)), typedArrayPerListPrefixesPerSec: Math.round(rate(typed)) }));
}
