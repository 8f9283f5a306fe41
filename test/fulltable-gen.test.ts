/**
 * bench/fulltable-gen.ts (the inputs of `npm run bench -- fulltable`): the prefix layout,
 * deterministic files, the right number of routes, no prefix overlapping another, and valid MRT
 * TABLE_DUMP_V2 framing (records walked end to end, some decoded). No root, no daemons.
 */
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_PREFIXES, MRT_PAD, MRT_TIME, N24, checkCount, ensureInputs, prefixAt, prefixText, writeBirdInclude, writeExabgpConfig, writeMrt } from '../bench/fulltable-gen.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbgp-fulltable-gen-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const PEER = { routerId: '198.18.0.11', address: '198.18.1.11', asn: 65100 };
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

t.test('prefix layout: /24s of 100.96.0.0/11 first, then /32s from 100.64.0.0', async (t) => {
  t.equal(prefixText(0), '100.96.0.0/24');
  t.equal(prefixText(1), '100.96.1.0/24');
  t.equal(prefixText(N24 - 1), '100.127.255.0/24');
  t.equal(prefixText(N24), '100.64.0.0/32');
  t.equal(prefixText(N24 + 256), '100.64.1.0/32');
  t.equal(prefixText(MAX_PREFIXES - 1), '100.95.255.255/32');
  t.throws(() => checkCount(0));
  t.throws(() => checkCount(MAX_PREFIXES + 1));
  t.throws(() => checkCount(1.5));
  t.throws(() => writeMrt(join(dir, 'bad.mrt'), 10, { ...PEER, address: '198.18.1' }), /not an IPv4 address/);
});

t.test('non-overlapping: distinct, and no /32 inside a /24 of the set (2M: the whole range)', async (t) => {
  const seen = new Set<string>();
  let overlaps = 0;
  for (let i = 0; i < MAX_PREFIXES; i++) {
    const p = prefixAt(i);
    if (p.len === 32 && p.addr >>> 21 === 0x64600000 >>> 21) overlaps++; // inside 100.96.0.0/11
    if (p.len === 24 && p.addr >>> 21 !== 0x64600000 >>> 21) overlaps++;
    if (p.len === 32 && p.addr >>> 21 !== 0x64400000 >>> 21) overlaps++; // outside 100.64.0.0/11
    if (i < 300_000) seen.add(prefixText(i));
  }
  t.equal(overlaps, 0);
  t.equal(seen.size, 300_000);
});

t.test('BIRD include and ExaBGP config: one route per prefix, deterministic', async (t) => {
  const n = 40_000; // > 1 MB: more than one write chunk
  const a = join(dir, 'a.inc');
  const b = join(dir, 'b.inc');
  writeBirdInclude(a, n);
  writeBirdInclude(b, n);
  t.equal(sha(a), sha(b));
  const lines = readFileSync(a, 'utf8').trimEnd().split('\n');
  t.equal(lines.length, n);
  t.equal(lines[0], 'route 100.96.0.0/24 blackhole;');
  t.equal(lines[n - 1], `route ${prefixText(n - 1)} blackhole;`);
  t.equal(new Set(lines).size, n);

  const e = join(dir, 'e.conf');
  writeExabgpConfig(e, 3, 'neighbor 198.18.1.1 {\n    local-as 65100;\n\n');
  t.equal(
    readFileSync(e, 'utf8'),
    'neighbor 198.18.1.1 {\n    local-as 65100;\n    static {\n        route 100.96.0.0/24 next-hop self;\n        route 100.96.1.0/24 next-hop self;\n        route 100.96.2.0/24 next-hop self;\n    }\n}\n',
  );
});

/** Walks an MRT file: every record's header, and the decoded RIB_IPV4_UNICAST prefixes. */
function walkMrt(buf: Buffer): { records: number; peerIndex: Buffer; prefixes: string[]; seqs: number[]; attrs: Buffer[] } {
  let off = 0;
  let records = 0;
  let peerIndex: Buffer = Buffer.alloc(0);
  const prefixes: string[] = [];
  const seqs: number[] = [];
  const attrs: Buffer[] = [];
  while (off < buf.length) {
    if (off + 12 > buf.length) throw new Error(`truncated header at ${off}`);
    const ts = buf.readUInt32BE(off);
    const type = buf.readUInt16BE(off + 4);
    const sub = buf.readUInt16BE(off + 6);
    const len = buf.readUInt32BE(off + 8);
    const body = buf.subarray(off + 12, off + 12 + len);
    if (body.length !== len) throw new Error(`truncated record at ${off}`);
    if (ts !== MRT_TIME || type !== 13) throw new Error(`record ${records}: timestamp ${ts}, type ${type}`);
    if (records === 0) {
      if (sub !== 1) throw new Error('first record is not PEER_INDEX_TABLE');
      peerIndex = body;
    } else {
      if (sub !== 2) throw new Error(`record ${records}: subtype ${sub}`);
      seqs.push(body.readUInt32BE(0));
      const plen = body[4]!;
      const nb = (plen + 7) >> 3;
      const a = [0, 0, 0, 0];
      for (let k = 0; k < nb; k++) a[k] = body[5 + k]!;
      prefixes.push(`${a.join('.')}/${plen}`);
      let p = 5 + nb;
      const entries = body.readUInt16BE(p);
      if (entries !== 1) throw new Error(`record ${records}: ${entries} entries`);
      p += 2;
      if (body.readUInt16BE(p) !== 0 || body.readUInt32BE(p + 2) !== MRT_TIME) throw new Error(`record ${records}: bad entry`);
      const alen = body.readUInt16BE(p + 6);
      if (p + 8 + alen !== body.length) throw new Error(`record ${records}: attribute length ${alen} does not fill the record`);
      attrs.push(body.subarray(p + 8));
    }
    off += 12 + len;
    records++;
  }
  return { records, peerIndex, prefixes, seqs, attrs };
}

t.test('MRT: framing, peer index, one record per prefix + the padding duplicates', async (t) => {
  for (const n of [5, MRT_PAD + 1234]) {
    const a = join(dir, `a-${n}.mrt`);
    const b = join(dir, `b-${n}.mrt`);
    writeMrt(a, n, PEER);
    writeMrt(b, n, PEER);
    t.equal(sha(a), sha(b), `${n}: deterministic`);
    const m = walkMrt(readFileSync(a));
    const pad = Math.min(n, MRT_PAD);
    t.equal(m.records, 1 + n + pad, `${n}: record count`);
    t.same([...m.peerIndex], [198, 18, 0, 11, 0, 0, 0, 1, 0x02, 198, 18, 0, 11, 198, 18, 1, 11, 0, 0, 0xfe, 0x4c]);
    t.same(m.seqs, Array.from({ length: n + pad }, (_, i) => i), `${n}: sequence numbers`);
    t.same(m.prefixes.slice(0, n), Array.from({ length: n }, (_, i) => prefixText(i)), `${n}: the prefixes in order`);
    t.same(m.prefixes.slice(n), Array.from({ length: pad }, (_, i) => prefixText(i)), `${n}: the padding repeats the first prefixes`);
    t.same([...m.attrs[0]!], [0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, 198, 18, 1, 11], 'ORIGIN IGP, empty AS_PATH, NEXT_HOP');
  }
});

t.test('ensureInputs: generates once, then reuses the same files', async (t) => {
  const head = join(dir, 'head');
  writeFileSync(head, 'neighbor 198.18.1.1 {\n');
  const gdir = join(dir, 'gen');
  const first = ensureInputs(gdir, 1000, head, PEER);
  t.ok(first.seconds > 0);
  const sizes = [first.birdInclude, first.exabgpConfig, first.mrt].map((p) => statSync(p).size);
  const again = ensureInputs(gdir, 1000, head, PEER);
  t.equal(again.seconds, 0);
  t.same([again.birdInclude, again.exabgpConfig, again.mrt], [first.birdInclude, first.exabgpConfig, first.mrt]);
  t.same([again.birdInclude, again.exabgpConfig, again.mrt].map((p) => statSync(p).size), sizes);
  t.equal(walkMrt(readFileSync(first.mrt)).records, 1 + 1000 + 1000);
});
