/**
 * Deterministic UPDATE streams for the benchmarks: realistic eBGP attribute sets (ORIGIN,
 * AS_PATH of 2-7 ASNs, NEXT_HOP, MED, 1-4 COMMUNITIES) and 1-50 IPv4 prefixes of lengths
 * 8-32 per message. Built with the library's own encoder.
 */
import { encodeUpdate, type UpdateMessage } from '../src/bgp/codec/update.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';

/** Small seeded PRNG (mulberry32) so every run uses the same stream. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function attributeSet(rand: () => number, med: number): PathAttribute[] {
  const pathLen = 2 + Math.floor(rand() * 6);
  const asns = Array.from({ length: pathLen }, () => 1 + Math.floor(rand() * 4_200_000_000));
  const communities = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => ((64512 + Math.floor(rand() * 1000)) * 65536 + Math.floor(rand() * 65536)) >>> 0);
  return [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ type: 2, asns }] },
    { type: 'NEXT_HOP', nextHop: `198.18.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}` },
    { type: 'MULTI_EXIT_DISC', med },
    { type: 'COMMUNITIES', communities },
  ];
}

export interface StreamOptions {
  messages: number;
  /** Distinct attribute sets drawn at random per message; 0 = every message has its own. */
  attributeSets: number;
  seed?: number;
}

export interface Stream {
  bytes: Uint8Array;
  messages: number;
  prefixes: number;
}

export function buildStream(o: StreamOptions): Stream {
  const rand = prng(o.seed ?? 1);
  const pool = Array.from({ length: o.attributeSets }, (_, i) => attributeSet(rand, i));
  const chunks: Uint8Array[] = [];
  let prefixes = 0;
  let total = 0;
  for (let m = 0; m < o.messages; m++) {
    const n = 1 + Math.floor(rand() * 50);
    const words: number[] = new Array<number>(n * 2);
    for (let i = 0; i < n; i++) {
      const len = 8 + Math.floor(rand() * 25);
      const addr = (Math.floor(rand() * 0x100000000) >>> 0) & (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
      words[2 * i] = addr >>> 0;
      words[2 * i + 1] = len;
    }
    const attributes = o.attributeSets > 0 ? pool[Math.floor(rand() * pool.length)]! : attributeSet(rand, m);
    const msg: UpdateMessage = { type: 'UPDATE', withdrawn: PrefixList.empty(1), attributes, nlri: new PrefixList(1, false, words) };
    const bytes = encodeUpdate(msg);
    chunks.push(bytes);
    total += bytes.length;
    prefixes += n;
  }
  const bytes = new Uint8Array(total);
  let o2 = 0;
  for (const c of chunks) {
    bytes.set(c, o2);
    o2 += c.length;
  }
  return { bytes, messages: o.messages, prefixes };
}
