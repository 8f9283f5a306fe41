/**
 * `npm run bench -- codec`: decode and encode an UPDATE stream of >= 100k messages, beside the
 * ceiling of only framing it (hopping over the length fields). Prints prefixes/s, messages/s,
 * MB/s, then one JSON line {"bench":"codec",...}. Two streams: attribute sets drawn from a pool
 * of 2000 (a table's attribute sets repeat; the decoder interns them), and every message with
 * its own set (the interning cannot help). The headline figures are from the pooled stream.
 */
import { decodeUpdate, encodeUpdate, type UpdateMessage } from '../src/bgp/codec/update.js';
import { Framer } from '../src/bgp/codec/framer.js';
import { DEFAULT_CONTEXT } from '../src/bgp/codec/context.js';
import { ByteWriter } from '../src/bgp/codec/bytes.js';
import { encodeUpdateInto } from '../src/bgp/codec/update.js';
import { buildStream, type Stream } from './stream.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

function time(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Median of ROUNDS runs after one warm-up. */
function measure(fn: () => void): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < ROUNDS; i++) ts.push(time(fn));
  ts.sort((a, b) => a - b);
  return ts[ts.length >> 1]!;
}

function frameOnly(s: Stream): number {
  const b = s.bytes;
  let p = 0;
  let n = 0;
  while (p < b.length) {
    p += (b[p + 16]! << 8) | b[p + 17]!;
    n++;
  }
  return n;
}

/** Decodes every message and consumes it (counts prefixes, reads the attribute list), as a receiver does. */
function decodeConsume(s: Stream): number {
  const f = new Framer();
  f.push(s.bytes);
  let prefixes = 0;
  let attrs = 0;
  for (let m = f.next(); m !== undefined; m = f.next()) {
    const u = decodeUpdate(m, DEFAULT_CONTEXT);
    if (u.diagnostics) throw new Error('unexpected diagnostics');
    prefixes += u.nlri.length;
    attrs += u.attributes.length;
  }
  return attrs > 0 ? prefixes : -1;
}

function decodeAll(s: Stream): UpdateMessage[] {
  const f = new Framer();
  f.push(s.bytes);
  const out: UpdateMessage[] = [];
  for (let m = f.next(); m !== undefined; m = f.next()) out.push(decodeUpdate(m, DEFAULT_CONTEXT));
  return out;
}

function run(label: string, s: Stream): { decode: number; encode: number; encodePerMessage: number; framing: number } {
  const mb = s.bytes.length / 1e6;
  let count = 0;
  const tFrame = measure(() => {
    count = frameOnly(s);
  });
  if (count !== s.messages) throw new Error('framing miscounted');
  let prefixes = 0;
  const tDecode = measure(() => {
    prefixes = decodeConsume(s);
  });
  if (prefixes !== s.prefixes) throw new Error('decode lost prefixes');
  // encode input: the decoded messages, held as an Adj-RIB-Out would hold them
  const decoded = decodeAll(s);
  let bytesOut = 0;
  const tEncode = measure(() => {
    bytesOut = 0;
    for (const u of decoded) bytesOut += encodeUpdate(u, DEFAULT_CONTEXT).length;
  });
  if (bytesOut !== s.bytes.length) throw new Error(`encode produced ${bytesOut} octets, expected ${s.bytes.length}`);
  // stream encoding: UPDATEs packed back to back into 64 KiB socket-sized chunks
  const w = new ByteWriter(1 << 17);
  let chunks = 0;
  const tStream = measure(() => {
    bytesOut = 0;
    w.reset();
    for (const u of decoded) {
      encodeUpdateInto(u, w, DEFAULT_CONTEXT);
      if (w.pos >= 65536) {
        bytesOut += w.finish().length;
        w.reset();
        chunks++;
      }
    }
    bytesOut += w.finish().length;
  });
  if (bytesOut !== s.bytes.length || chunks === 0) throw new Error('stream encode size mismatch');
  const row = (what: string, t: number): string =>
    `${label.padEnd(22)} ${what.padEnd(8)} ${(s.prefixes / t / 1e6).toFixed(2).padStart(7)} M prefixes/s ${(s.messages / t / 1e6).toFixed(3).padStart(7)} M msgs/s ${(mb / t).toFixed(0).padStart(6)} MB/s`;
  console.log(row('framing', tFrame));
  console.log(row('decode', tDecode));
  console.log(row('encode', tEncode) + '  (one Uint8Array per message)');
  console.log(row('encode', tStream) + '  (packed into 64 KiB chunks, as written to a socket)');
  return { decode: s.prefixes / tDecode, encode: s.prefixes / tStream, encodePerMessage: s.prefixes / tEncode, framing: s.prefixes / tFrame };
}

export async function main(): Promise<void> {
  const messages = Number(process.env.BENCH_MESSAGES ?? 100_000);
  console.log(`codec bench: ${messages} UPDATEs, 1-50 IPv4 prefixes each, median of ${ROUNDS} rounds, node ${process.version}`);
  const pooled = buildStream({ messages, attributeSets: 2000, seed: 1 });
  console.log(`stream: ${pooled.prefixes} prefixes, ${(pooled.bytes.length / 1e6).toFixed(1)} MB`);
  const a = run('pooled attribute sets', pooled);
  const unique = buildStream({ messages, attributeSets: 0, seed: 2 });
  const u = run('unique attribute sets', unique);
  console.log(
    JSON.stringify({
      bench: 'codec',
      decodePrefixesPerSec: Math.round(a.decode),
      encodePrefixesPerSec: Math.round(a.encode),
      framingPrefixesPerSec: Math.round(a.framing),
      encodePerMessagePrefixesPerSec: Math.round(a.encodePerMessage),
      uniqueAttributes: { decodePrefixesPerSec: Math.round(u.decode), encodePrefixesPerSec: Math.round(u.encode), encodePerMessagePrefixesPerSec: Math.round(u.encodePerMessage) },
      messages,
      prefixes: pooled.prefixes,
    }),
  );
}
