/**
 * The prefixes of one (AFI, SAFI) of the Loc-RIB, keyed by number: an open-addressing hash
 * (linear probing, load <= 1/2, backward-shift deletion) over the masked address words and the
 * prefix length, pointing at stable slots. The hash is split into 64 shards by its top bits, each
 * growing on its own, so no insert rehashes more than 1/64 of the table (a million prefixes: about
 * 0.5 ms, not 30). A slot holds the prefix key in typed arrays and one
 * reference (`cells`): whatever the Loc-RIB keeps for the prefix. No strings, no per-prefix
 * objects: about 25 octets per prefix at a million prefixes.
 *
 * Owns: the key -> slot map, slot reuse, per-length counts for longest-prefix match, the text
 * form of a slot's prefix. Must not know what a cell means (loc-rib.ts does).
 */
import { formatIpv4, formatIpv6Words } from '../bgp/prefix/address.js';

const EMPTY_LEN = 255;
const SHARDS = 64;
const SHARD_SHIFT = 26;
const MIN_SHARD = 8;

/** `length` leading one bits of word `i` of an address (0 past the length). */
export function wordMask(length: number, i: number): number {
  const keep = length - 32 * i;
  return keep <= 0 ? 0 : keep >= 32 ? 0xffffffff : (~0 << (32 - keep)) >>> 0;
}

export class PrefixTable<C> {
  readonly afi: 1 | 2;
  readonly safi: number;
  /** Address words per key: 1 (IPv4) or 4 (IPv6). */
  readonly stride: number;
  /** How many prefixes of each length (index 0..32 or 0..128). */
  readonly lengthCounts: Int32Array;
  /** Prefixes in the table. */
  size = 0;
  /** Slots ever used: the walk bound (slots below it may be free). */
  high = 0;
  cells: (C | undefined)[] = [];
  #keys: Uint32Array;
  #lens: Uint8Array;
  /** Per shard: hash bucket -> slot + 1 (0: empty). */
  readonly #index: Int32Array[] = [];
  readonly #masks = new Int32Array(SHARDS);
  readonly #counts = new Int32Array(SHARDS);
  #free: number[] = [];

  constructor(afi: 1 | 2, safi: number, capacity = 16) {
    this.afi = afi;
    this.safi = safi;
    this.stride = afi === 1 ? 1 : 4;
    this.lengthCounts = new Int32Array(afi === 1 ? 33 : 129);
    this.#keys = new Uint32Array(capacity * this.stride);
    this.#lens = new Uint8Array(capacity).fill(EMPTY_LEN);
    for (let i = 0; i < SHARDS; i++) {
      this.#index.push(new Int32Array(MIN_SHARD));
      this.#masks[i] = MIN_SHARD - 1;
    }
  }

  /** The slot of an IPv4 prefix (address already masked), or -1. */
  find4(addr: number, len: number): number {
    const keys = this.#keys;
    const lens = this.#lens;
    const h = hash4(addr, len);
    const index = this.#index[h >>> SHARD_SHIFT]!;
    const mask = this.#masks[h >>> SHARD_SHIFT]!;
    let b = h & mask;
    for (let s = index[b]! - 1; s >= 0; s = index[b]! - 1) {
      if (keys[s] === addr && lens[s] === len) return s;
      b = (b + 1) & mask;
    }
    return -1;
  }

  /** The slot of a prefix given as masked words (`stride` of them), or -1. */
  find(w: ArrayLike<number>, len: number): number {
    if (this.stride === 1) return this.find4(w[0]!, len);
    const keys = this.#keys;
    const lens = this.#lens;
    const h = hash6(w, len);
    const index = this.#index[h >>> SHARD_SHIFT]!;
    const mask = this.#masks[h >>> SHARD_SHIFT]!;
    let b = h & mask;
    for (let s = index[b]! - 1; s >= 0; s = index[b]! - 1) {
      const o = s * 4;
      if (lens[s] === len && keys[o] === w[0] && keys[o + 1] === w[1] && keys[o + 2] === w[2] && keys[o + 3] === w[3]) return s;
      b = (b + 1) & mask;
    }
    return -1;
  }

  /** Adds a prefix that is not in the table (masked words); returns its slot, whose cell is undefined. */
  insert(w: ArrayLike<number>, len: number): number {
    let s = this.#free.pop();
    if (s === undefined) {
      if (this.high === this.#lens.length) this.#growSlots();
      s = this.high++;
    }
    const o = s * this.stride;
    for (let k = 0; k < this.stride; k++) this.#keys[o + k] = w[k]!;
    this.#lens[s] = len;
    const h = this.#hash(s);
    const sh = h >>> SHARD_SHIFT;
    if (++this.#counts[sh]! * 2 > this.#index[sh]!.length) this.#growShard(sh);
    this.#place(s, h);
    this.size++;
    this.lengthCounts[len]!++;
    return s;
  }

  /** Removes the prefix in slot `s` (its cell is cleared). */
  remove(s: number): void {
    const sh = this.#hash(s) >>> SHARD_SHIFT;
    const index = this.#index[sh]!;
    const mask = this.#masks[sh]!;
    let b = this.#hash(s) & mask;
    while (index[b] !== s + 1) b = (b + 1) & mask;
    // backward-shift deletion: pull later members of the probe run into the hole
    for (let n = (b + 1) & mask; ; n = (n + 1) & mask) {
      const t = index[n]! - 1;
      if (t < 0) break;
      const home = this.#hash(t) & mask;
      // t may move to b when its home is not in (b, n] (cyclically)
      if (b <= n ? home <= b || home > n : home <= b && home > n) {
        index[b] = t + 1;
        b = n;
      }
    }
    index[b] = 0;
    this.#counts[sh]!--;
    this.lengthCounts[this.#lens[s]!]!--;
    this.#lens[s] = EMPTY_LEN;
    this.cells[s] = undefined;
    this.size--;
    this.#free.push(s);
  }

  /** "203.0.113.0/24", "2001:db8::/32". */
  text(s: number): string {
    const k = this.#keys;
    if (this.stride === 1) return `${formatIpv4(k[s]!)}/${this.#lens[s]!}`;
    const o = s * 4;
    return `${formatIpv6Words(k[o]!, k[o + 1]!, k[o + 2]!, k[o + 3]!)}/${this.#lens[s]!}`;
  }

  #hash(s: number): number {
    const len = this.#lens[s]!;
    if (this.stride === 1) return hash4(this.#keys[s]!, len);
    return hash6(this.#keys.subarray(s * 4, s * 4 + 4), len);
  }

  #place(s: number, h: number): void {
    const sh = h >>> SHARD_SHIFT;
    const index = this.#index[sh]!;
    const mask = this.#masks[sh]!;
    let b = h & mask;
    while (index[b] !== 0) b = (b + 1) & mask;
    index[b] = s + 1;
  }

  /** Doubles one shard's buckets and places its slots again. */
  #growShard(sh: number): void {
    const old = this.#index[sh]!;
    this.#index[sh] = new Int32Array(old.length * 2);
    this.#masks[sh] = old.length * 2 - 1;
    for (const v of old) if (v !== 0) this.#place(v - 1, this.#hash(v - 1));
  }

  #growSlots(): void {
    const cap = this.#lens.length * 2;
    const keys = new Uint32Array(cap * this.stride);
    keys.set(this.#keys);
    this.#keys = keys;
    const lens = new Uint8Array(cap).fill(EMPTY_LEN);
    lens.set(this.#lens);
    this.#lens = lens;
  }
}

function hash4(addr: number, len: number): number {
  let h = Math.imul(addr ^ (len << 24) ^ len, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

function hash6(w: ArrayLike<number>, len: number): number {
  let h = len;
  for (let i = 0; i < 4; i++) h = Math.imul(h ^ w[i]!, 0x9e3779b1) ^ (h >>> 15);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
