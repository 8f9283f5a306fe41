/**
 * Deterministic UPDATE streams for the benchmarks, built with the library's own encoder from the
 * generators in tsbgp/testing: realistic eBGP attribute sets and 1-50 IPv4 prefixes of lengths
 * 8-32 per message.
 */
import { encodeUpdate } from '../src/bgp/codec/update.js';
import { mulberry32, randomAttributeSet, randomUpdate } from '../src/testing/random-updates.js';

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
  const rand = mulberry32(o.seed ?? 1);
  const pool = Array.from({ length: o.attributeSets }, (_, i) => randomAttributeSet(rand, i));
  const chunks: Uint8Array[] = [];
  let prefixes = 0;
  let total = 0;
  for (let m = 0; m < o.messages; m++) {
    const attributes = o.attributeSets > 0 ? pool[Math.floor(rand() * pool.length)]! : randomAttributeSet(rand, m);
    const u = randomUpdate(rand, attributes, 50);
    const bytes = encodeUpdate(u);
    chunks.push(bytes);
    total += bytes.length;
    prefixes += u.nlri.length;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return { bytes, messages: o.messages, prefixes };
}
