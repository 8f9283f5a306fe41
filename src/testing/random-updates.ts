/**
 * Deterministic generators of realistic UPDATE messages for benchmarks and conformance suites:
 * a seeded PRNG (mulberry32), eBGP attribute sets (ORIGIN, AS_PATH of 2-7 ASNs, NEXT_HOP, MED,
 * 1-4 COMMUNITIES) and IPv4 prefix lists. Pure: no clock, no I/O.
 */
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import type { UpdateMessage } from '../bgp/codec/update.js';
import { PrefixList } from '../bgp/prefix/prefix-list.js';

/** A seeded PRNG returning floats in [0, 1): the same seed gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An eBGP attribute set: ORIGIN IGP, an AS_SEQUENCE of 2-7 ASNs, NEXT_HOP in 198.18/15, MED, 1-4 communities. */
export function randomAttributeSet(rand: () => number, med: number): PathAttribute[] {
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

/** `count` IPv4 prefixes of length 8..32 with the host bits cleared. */
export function randomIpv4Prefixes(rand: () => number, count: number): PrefixList {
  const words: number[] = new Array<number>(count * 2);
  for (let i = 0; i < count; i++) {
    const len = 8 + Math.floor(rand() * 25);
    words[2 * i] = ((Math.floor(rand() * 0x100000000) & ((0xffffffff << (32 - len)) >>> 0)) >>> 0);
    words[2 * i + 1] = len;
  }
  return new PrefixList(1, false, words);
}

/** An UPDATE announcing 1..maxPrefixes random prefixes with the given attributes. */
export function randomUpdate(rand: () => number, attributes: readonly PathAttribute[], maxPrefixes = 50): UpdateMessage {
  return { type: 'UPDATE', withdrawn: PrefixList.empty(1), attributes, nlri: randomIpv4Prefixes(rand, 1 + Math.floor(rand() * maxPrefixes)) };
}
