/**
 * The paths of one address family in an Adj-RIB-Out, in typed arrays: a million IPv4 routes cost
 * about 40 bytes each instead of the ~300 of a Map of objects (bench/rib.ts measures it).
 *
 * A path lives in a slot (a stable integer): prefix words and length, path id, the attribute set
 * it wants sent (0: none) and the one the peer has (0: none), flags, the mark of the last
 * `set` / `announce` that touched it, and the next path of the same prefix. An open-addressing
 * index maps each prefix to its first path; the paths of a prefix form a short chain. A ring of
 * dirty slots (each at most once, so never longer than the table) is what the packer drains.
 *
 * Owns: slots, the prefix index, the dirty ring. Must not touch: attribute sets (only their ids),
 * the wire.
 */

/** In the dirty ring. */
export const SLOT_DIRTY = 1;
/** The path id was chosen by the table (the path is identified by prefix and next hop). */
export const SLOT_AUTO_ID = 2;
/** Allocated. */
export const SLOT_LIVE = 4;
/** The first path of its prefix (the one the index points at). */
export const SLOT_HEAD = 8;

const INITIAL_SLOTS = 64;

export class RouteTable {
  readonly afi: 1 | 2;
  /** 32-bit words per address: 1 (IPv4) or 4 (IPv6). */
  readonly words: number;
  capacity = INITIAL_SLOTS;
  addr: Uint32Array;
  plen: Uint8Array;
  pathId: Uint32Array;
  wanted: Uint32Array;
  sent: Uint32Array;
  /** Next path of the same prefix, or -1. */
  next: Int32Array;
  flags: Uint8Array;
  mark: Uint32Array;

  /** Prefix -> first path: slot + 1; 0 empty, -1 deleted. Size a power of two. */
  #index = new Int32Array(128);
  #indexUsed = 0; // entries plus tombstones
  #free: Int32Array;
  #freeCount = 0;
  #top = 0;
  #ring: Int32Array;
  #ringHead = 0;
  #ringCount = 0;
  #live = 0;

  /** The prefix being looked up: set `key` words and `keyLength`, then call findHead/insert. */
  readonly key = new Uint32Array(4);
  keyLength = 0;

  constructor(afi: 1 | 2) {
    this.afi = afi;
    this.words = afi === 1 ? 1 : 4;
    const n = INITIAL_SLOTS;
    this.addr = new Uint32Array(n * this.words);
    this.plen = new Uint8Array(n);
    this.pathId = new Uint32Array(n);
    this.wanted = new Uint32Array(n);
    this.sent = new Uint32Array(n);
    this.next = new Int32Array(n);
    this.flags = new Uint8Array(n);
    this.mark = new Uint32Array(n);
    this.#free = new Int32Array(n);
    this.#ring = new Int32Array(n);
  }

  /** Live paths (wanted, or still on the peer, or waiting to be withdrawn). */
  get size(): number {
    return this.#live;
  }

  /** Slots in the dirty ring. */
  get dirtyCount(): number {
    return this.#ringCount;
  }

  /** Highest slot number ever used + 1 (for walks: check SLOT_LIVE). */
  get top(): number {
    return this.#top;
  }

  /** Bytes held by the typed arrays (for the memory benchmark and snapshots). */
  get bytes(): number {
    return (
      this.addr.byteLength +
      this.plen.byteLength +
      this.pathId.byteLength +
      this.wanted.byteLength +
      this.sent.byteLength +
      this.next.byteLength +
      this.flags.byteLength +
      this.mark.byteLength +
      this.#index.byteLength +
      this.#free.byteLength +
      this.#ring.byteLength
    );
  }

  #hashKey(): number {
    const k = this.key;
    let h = Math.imul(this.keyLength + 1, 0x85ebca77) ^ Math.imul(k[0]!, 0x9e3779b1);
    if (this.words === 4) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ k[1]!;
      h = Math.imul(h ^ (h >>> 13), 0x297a2d39) ^ k[2]!;
      h = Math.imul(h ^ (h >>> 16), 0x9e3779b1) ^ k[3]!;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    return (h ^ (h >>> 15)) >>> 0;
  }

  #hashSlot(slot: number): number {
    this.loadKey(slot);
    return this.#hashKey();
  }

  /** Copies a slot's prefix into `key` / `keyLength`. */
  loadKey(slot: number): void {
    const w = this.words;
    for (let i = 0; i < w; i++) this.key[i] = this.addr[slot * w + i]!;
    this.keyLength = this.plen[slot]!;
  }

  #matches(slot: number): boolean {
    if (this.plen[slot] !== this.keyLength) return false;
    const w = this.words;
    const base = slot * w;
    for (let i = 0; i < w; i++) if (this.addr[base + i] !== this.key[i]) return false;
    return true;
  }

  /** First path of the prefix in `key`, or -1. */
  findHead(): number {
    const index = this.#index;
    const mask = index.length - 1;
    for (let i = this.#hashKey() & mask; ; i = (i + 1) & mask) {
      const e = index[i]!;
      if (e === 0) return -1;
      if (e > 0 && this.#matches(e - 1)) return e - 1;
    }
  }

  /** The path of the prefix in `key` with this path id, or -1. */
  findPath(pathId: number): number {
    for (let s = this.findHead(); s >= 0; s = this.next[s]!) if (this.pathId[s] === pathId) return s;
    return -1;
  }

  /**
   * A new path for the prefix in `key` with `pathId` and `flags` (SLOT_AUTO_ID or 0); nothing
   * wanted or sent yet. Appended to the prefix's chain. `head`: the prefix's first path (-1:
   * none), when the caller has just looked it up.
   */
  addPath(pathId: number, flags: number, head = this.findHead()): number {
    const slot = this.#allocate();
    const w = this.words;
    for (let i = 0; i < w; i++) this.addr[slot * w + i] = this.key[i]!;
    this.plen[slot] = this.keyLength;
    this.pathId[slot] = pathId;
    this.wanted[slot] = 0;
    this.sent[slot] = 0;
    this.next[slot] = -1;
    this.flags[slot] = SLOT_LIVE | flags | (head < 0 ? SLOT_HEAD : 0);
    this.mark[slot] = 0;
    if (head < 0) this.#indexInsert(slot);
    else {
      let s = head;
      while (this.next[s]! >= 0) s = this.next[s]!;
      this.next[s] = slot;
    }
    this.#live++;
    return slot;
  }

  /** Removes a path that is neither dirty, wanted nor sent. */
  free(slot: number): void {
    this.loadKey(slot);
    const head = this.findHead();
    if (head === slot) {
      const nxt = this.next[slot]!;
      this.#indexReplace(slot, nxt);
      if (nxt >= 0) this.flags[nxt]! |= SLOT_HEAD;
    } else {
      let s = head;
      while (this.next[s] !== slot) s = this.next[s]!;
      this.next[s] = this.next[slot]!;
    }
    this.flags[slot] = 0;
    this.#free[this.#freeCount++] = slot;
    this.#live--;
  }

  /** Frees the slot when nothing refers to it any more (not dirty, not wanted, not sent). */
  freeIfUnused(slot: number): boolean {
    if ((this.flags[slot]! & SLOT_DIRTY) !== 0 || this.wanted[slot] !== 0 || this.sent[slot] !== 0) return false;
    this.free(slot);
    return true;
  }

  /** Queues a slot for the packer (once). */
  markDirty(slot: number): void {
    if ((this.flags[slot]! & SLOT_DIRTY) !== 0) return;
    this.flags[slot]! |= SLOT_DIRTY;
    const ring = this.#ring;
    ring[(this.#ringHead + this.#ringCount) & (ring.length - 1)] = slot;
    this.#ringCount++;
  }

  /** The next dirty slot (its DIRTY flag cleared), or -1. */
  takeDirty(): number {
    if (this.#ringCount === 0) return -1;
    const ring = this.#ring;
    const slot = ring[this.#ringHead]!;
    this.#ringHead = (this.#ringHead + 1) & (ring.length - 1);
    this.#ringCount--;
    this.flags[slot]! &= ~SLOT_DIRTY;
    return slot;
  }

  /** Empties the dirty ring (flags cleared). */
  clearDirty(): void {
    while (this.takeDirty() >= 0);
  }

  #allocate(): number {
    if (this.#freeCount > 0) return this.#free[--this.#freeCount]!;
    if (this.#top === this.capacity) this.#grow();
    return this.#top++;
  }

  #grow(): void {
    const n = this.capacity * 2;
    const w = this.words;
    const grow32 = (a: Uint32Array, size: number): Uint32Array => {
      const b = new Uint32Array(size);
      b.set(a);
      return b;
    };
    this.addr = grow32(this.addr, n * w);
    this.pathId = grow32(this.pathId, n);
    this.wanted = grow32(this.wanted, n);
    this.sent = grow32(this.sent, n);
    this.mark = grow32(this.mark, n);
    const plen = new Uint8Array(n);
    plen.set(this.plen);
    this.plen = plen;
    const flags = new Uint8Array(n);
    flags.set(this.flags);
    this.flags = flags;
    const next = new Int32Array(n);
    next.set(this.next);
    this.next = next;
    const free = new Int32Array(n);
    free.set(this.#free.subarray(0, this.#freeCount));
    this.#free = free;
    // the ring, unwrapped into the larger one
    const ring = new Int32Array(n);
    const old = this.#ring;
    for (let i = 0; i < this.#ringCount; i++) ring[i] = old[(this.#ringHead + i) & (old.length - 1)]!;
    this.#ring = ring;
    this.#ringHead = 0;
    this.capacity = n;
  }

  #indexInsert(slot: number): void {
    if ((this.#indexUsed + 1) * 10 > this.#index.length * 7) {
      this.#rehash();
      this.loadKey(slot); // the rehash used `key`
    }
    const index = this.#index;
    const mask = index.length - 1;
    let i = this.#hashKey() & mask;
    while (index[i]! > 0) i = (i + 1) & mask;
    if (index[i] === 0) this.#indexUsed++;
    index[i] = slot + 1;
  }

  /** Points the index entry of `slot`'s prefix at `replacement` (-1: removes it). `key` holds the prefix. */
  #indexReplace(slot: number, replacement: number): void {
    const index = this.#index;
    const mask = index.length - 1;
    let i = this.#hashKey() & mask;
    while (index[i] !== slot + 1) i = (i + 1) & mask;
    index[i] = replacement < 0 ? -1 : replacement + 1;
  }

  #rehash(): void {
    let heads = 0;
    const old = this.#index;
    for (let i = 0; i < old.length; i++) if (old[i]! > 0) heads++;
    // at most 70% full (entries and tombstones) before the next rehash; at most 50% right after
    let size = 128;
    while (size < (heads + 1) * 2) size *= 2;
    const index = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < old.length; i++) {
      const e = old[i]!;
      if (e <= 0) continue;
      let j = this.#hashSlot(e - 1) & mask;
      while (index[j] !== 0) j = (j + 1) & mask;
      index[j] = e;
    }
    this.#index = index;
    this.#indexUsed = heads;
  }
}
