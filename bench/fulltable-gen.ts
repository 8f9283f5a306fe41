/**
 * The full-table prefix set of `npm run bench -- fulltable` and the sender inputs made from it
 * (deterministic: the same N always gives the same bytes).
 *
 * Prefix i of N (non-overlapping; the layout of the shared daemon-to-daemon method, so the
 * figures compare): i < 8192 is the i-th /24 of 100.96.0.0/11, the rest are /32s counted up from
 * 100.64.0.0 (inside 100.64.0.0/11). At most 8192 + 2^21 prefixes. These prefixes never leave
 * the lab: they are only announced between the bench's own network namespaces, which have no
 * default route and no link to the root namespace.
 *
 * Inputs: BIRD `route P blackhole;` lines (a static protocol includes them), an ExaBGP config (a
 * neighbor head + a static block), and an MRT TABLE_DUMP_V2 file (RFC 6396: PEER_INDEX_TABLE +
 * one RIB_IPV4_UNICAST record per prefix) for `gobgp mrt inject global`. gobgp 3.10's inject
 * exits without draining its send queue and loses the last ~1000 records of a file, so the MRT
 * file ends with MRT_PAD duplicate records of the first prefixes (re-announcing the same path is a
 * no-op): only duplicates can be lost.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const N24 = 8192;
const BASE24 = 0x64600000; // 100.96.0.0
const BASE32 = 0x64400000; // 100.64.0.0
export const MAX_PREFIXES = N24 + (1 << 21);
export const MRT_PAD = 8192;
/** Fixed MRT timestamps (2025-11-21T00:00:00Z) keep the file deterministic. */
export const MRT_TIME = 1763683200;
/** Bump when an output format changes: cached files carry it in their names. */
export const GEN_VERSION = 1;

export interface Prefix {
  /** Network address as a uint32. */
  readonly addr: number;
  readonly len: 24 | 32;
}

export function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PREFIXES) throw new Error(`prefix count must be an integer in 1..${MAX_PREFIXES} (got ${n})`);
}

/** Prefix i of the set (the set's first n24 are /24s only when n >= i; the layout does not depend on n). */
export function prefixAt(i: number): Prefix {
  return i < N24 ? { addr: (BASE24 + i * 256) >>> 0, len: 24 } : { addr: (BASE32 + (i - N24)) >>> 0, len: 32 };
}

export function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** "100.96.0.0/24", "100.64.0.0/32", ... */
export function prefixText(i: number): string {
  const p = prefixAt(i);
  return `${ipv4Text(p.addr)}/${p.len}`;
}

/** Writes text produced line by line, in ~1 MB chunks. */
function writeLines(path: string, head: string, count: number, line: (i: number) => string, tail: string): void {
  const fd = openSync(path, 'w');
  try {
    let buf = head;
    for (let i = 0; i < count; i++) {
      buf += line(i);
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    }
    writeSync(fd, buf + tail);
  } finally {
    closeSync(fd);
  }
}

/** BIRD static body: `route 100.96.0.0/24 blackhole;` per prefix. */
export function writeBirdInclude(path: string, n: number): void {
  checkCount(n);
  writeLines(path, '', n, (i) => `route ${prefixText(i)} blackhole;\n`, '');
}

/** ExaBGP config: `head` (the neighbor block, left open) + a static block of N routes + the closing brace. */
export function writeExabgpConfig(path: string, n: number, head: string): void {
  checkCount(n);
  writeLines(path, `${head.trimEnd()}\n    static {\n`, n, (i) => `        route ${prefixText(i)} next-hop self;\n`, '    }\n}\n');
}

export interface MrtPeer {
  /** Collector and peer BGP Identifier. */
  readonly routerId: string;
  /** Peer address (the NEXT_HOP of every route). */
  readonly address: string;
  readonly asn: number;
}

function ipv4Bytes(text: string): number[] {
  const p = text.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`not an IPv4 address: ${text}`);
  return p;
}

/**
 * MRT TABLE_DUMP_V2 (type 13): PEER_INDEX_TABLE (subtype 1) with one IPv4 peer (AS4), then one
 * RIB_IPV4_UNICAST record (subtype 2) per prefix with one entry: peer 0, attributes ORIGIN IGP,
 * empty AS_PATH (the sender prepends its own AS on eBGP), NEXT_HOP = peer address; then MRT_PAD
 * duplicates of the first prefixes.
 */
export function writeMrt(path: string, n: number, peer: MrtPeer): void {
  checkCount(n);
  const rid = ipv4Bytes(peer.routerId);
  const nh = ipv4Bytes(peer.address);
  const attrs = [0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4, ...nh];
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(1 << 20);
  let off = 0;
  const flush = (): void => {
    writeSync(fd, chunk, 0, off);
    off = 0;
  };
  const header = (subtype: number, length: number): void => {
    off = chunk.writeUInt32BE(MRT_TIME, off);
    off = chunk.writeUInt16BE(13, off);
    off = chunk.writeUInt16BE(subtype, off);
    off = chunk.writeUInt32BE(length, off);
  };
  try {
    // PEER_INDEX_TABLE: collector id, view name length 0, peer count 1, peer (type 2 = AS4 + IPv4)
    header(1, 4 + 2 + 2 + 1 + 4 + 4 + 4);
    for (const b of rid) chunk[off++] = b;
    off = chunk.writeUInt16BE(0, off);
    off = chunk.writeUInt16BE(1, off);
    chunk[off++] = 0x02;
    for (const b of rid) chunk[off++] = b;
    for (const b of nh) chunk[off++] = b;
    off = chunk.writeUInt32BE(peer.asn, off);
    const total = n + Math.min(n, MRT_PAD);
    for (let seq = 0; seq < total; seq++) {
      if (off > chunk.length - 256) flush();
      const p = prefixAt(seq < n ? seq : seq - n);
      const pbytes = (p.len + 7) >> 3;
      header(2, 4 + 1 + pbytes + 2 + 2 + 4 + 2 + attrs.length);
      off = chunk.writeUInt32BE(seq, off);
      chunk[off++] = p.len;
      for (let k = 0; k < pbytes; k++) chunk[off++] = (p.addr >>> (24 - 8 * k)) & 255;
      off = chunk.writeUInt16BE(1, off); // entry count
      off = chunk.writeUInt16BE(0, off); // peer index
      off = chunk.writeUInt32BE(MRT_TIME, off);
      off = chunk.writeUInt16BE(attrs.length, off);
      for (const b of attrs) chunk[off++] = b;
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

export interface GeneratedInputs {
  readonly birdInclude: string;
  readonly exabgpConfig: string;
  readonly mrt: string;
  /** Seconds spent generating (0 when every file came from the cache). */
  readonly seconds: number;
}

/** Writes `path` through a temporary name unless it exists already (same N and GEN_VERSION: same bytes). */
function cached(path: string, make: (tmp: string) => void): boolean {
  if (existsSync(path) && statSync(path).size > 0) return false;
  const tmp = `${path}.tmp-${process.pid}`;
  make(tmp);
  renameSync(tmp, path);
  return true;
}

/**
 * The three sender inputs for N prefixes in `dir` (created if needed), generated once and reused.
 * `exabgpHead` is the path of the ExaBGP neighbor head; its content goes into the cache key.
 */
export function ensureInputs(dir: string, n: number, exabgpHead: string, mrtPeer: MrtPeer): GeneratedInputs {
  checkCount(n);
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const head = readFileSync(exabgpHead, 'utf8');
  let h = 0;
  for (let i = 0; i < head.length; i++) h = (Math.imul(h, 31) + head.charCodeAt(i)) >>> 0;
  const out = {
    birdInclude: join(dir, `bird-v${GEN_VERSION}-${n}.inc`),
    exabgpConfig: join(dir, `exabgp-v${GEN_VERSION}-${n}-${h.toString(16)}.conf`),
    mrt: join(dir, `table-v${GEN_VERSION}-${n}-${mrtPeer.address}-${mrtPeer.asn}.mrt`),
  };
  let made = cached(out.birdInclude, (p) => writeBirdInclude(p, n));
  made = cached(out.exabgpConfig, (p) => writeExabgpConfig(p, n, head)) || made;
  made = cached(out.mrt, (p) => writeMrt(p, n, mrtPeer)) || made;
  return { ...out, seconds: made ? (performance.now() - t0) / 1000 : 0 };
}
