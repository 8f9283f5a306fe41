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
  /** Prefixes in the index (both halves while it grows). */
  #heads = 0;
  /**
   * While the index grows: the previous one. Its entries move to the new one a few at a time on
   * each insert, so growing a million-prefix index never stops the event loop for long. A prefix
   * is in exactly one of the two.
   */
  #oldIndex: Int32Array | undefined;
  #oldAt = 0;
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
      (this.#oldIndex?.byteLength ?? 0) +
      this.#free.byteLength +
      this.#ring.byteLength
    );
  }

  #hashKey(): number {
    return this.#hash(this.key, 0, this.keyLength);
  }

  /** The hash of a slot's prefix (`key` untouched). */
  #hashSlot(slot: number): number {
    return this.#hash(this.addr, slot * this.words, this.plen[slot]!);
  }

  #hash(words: Uint32Array, at: number, length: number): number {
    let h = Math.imul(length + 1, 0x85ebca77) ^ Math.imul(words[at]!, 0x9e3779b1);
    if (this.words === 4) {
      h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) ^ words[at + 1]!;
      h = Math.imul(h ^ (h >>> 13), 0x297a2d39) ^ words[at + 2]!;
      h = Math.imul(h ^ (h >>> 16), 0x9e3779b1) ^ words[at + 3]!;
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    return (h ^ (h >>> 15)) >>> 0;
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
    const h = this.#hashKey();
    const found = this.#lookup(this.#index, h);
    return found < 0 && this.#oldIndex !== undefined ? this.#lookup(this.#oldIndex, h) : found;
  }

  #lookup(index: Int32Array, h: number): number {
    const mask = index.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
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
    // over the last 1/32 of the slots, the arrays move to twice the size one at a time, so no
    // single call copies them all (about 34 MB at a million slots; one array every 3,300 slots
    // there); all have moved before the last slot is used. A later start would leave too few
    // slots to spread over, an earlier one doubles memory sooner.
    const window = this.capacity >>> 5;
    const due = this.capacity - window + Math.floor((this.#grownArrays * window) / GROWN_ARRAYS);
    if (this.#top >= due) this.#growStep(this.#top === this.capacity ? GROWN_ARRAYS : 1);
    return this.#top++;
  }

  /** Arrays already at twice `capacity` in the growth under way (0: none). */
  #grownArrays = 0;

  /** Moves the next `count` arrays to twice the capacity; the capacity doubles once all have. */
  #growStep(count: number): void {
    const n = this.capacity * 2;
    for (let k = 0; k < count && this.#grownArrays < GROWN_ARRAYS; k++) {
      switch (this.#grownArrays++) {
        case 0:
          this.addr = grown(this.addr, new Uint32Array(n * this.words));
          break;
        case 1:
          this.pathId = grown(this.pathId, new Uint32Array(n));
          break;
        case 2:
          this.wanted = grown(this.wanted, new Uint32Array(n));
          break;
        case 3:
          this.sent = grown(this.sent, new Uint32Array(n));
          break;
        case 4:
          this.mark = grown(this.mark, new Uint32Array(n));
          break;
        case 5:
          this.next = grown(this.next, new Int32Array(n));
          break;
        case 6:
          this.plen = grown(this.plen, new Uint8Array(n));
          break;
        case 7:
          this.flags = grown(this.flags, new Uint8Array(n));
          break;
        case 8:
          this.#free = grown(this.#free, new Int32Array(n));
          break;
        default: {
          // the ring, unwrapped into the larger one
          const ring = new Int32Array(n);
          const old = this.#ring;
          for (let i = 0; i < this.#ringCount; i++) ring[i] = old[(this.#ringHead + i) & (old.length - 1)]!;
          this.#ring = ring;
          this.#ringHead = 0;
        }
      }
    }
    if (this.#grownArrays === GROWN_ARRAYS) {
      this.capacity = n;
      this.#grownArrays = 0;
    }
  }

  /** Adds `slot` as the first path of its prefix, which the index does not hold. */
  #indexInsert(slot: number): void {
    if (this.#oldIndex !== undefined) this.#migrate(MIGRATE_PER_INSERT);
    if ((this.#indexUsed + 1) * 10 > this.#index.length * 7) this.#growIndex();
    this.#place(slot + 1);
    this.#heads++;
  }

  /** Puts an entry into the current index (no fill check). */
  #place(entry: number): void {
    const index = this.#index;
    const mask = index.length - 1;
    let i = this.#hashSlot(entry - 1) & mask;
    while (index[i]! > 0) i = (i + 1) & mask;
    if (index[i] === 0) this.#indexUsed++;
    index[i] = entry;
  }

  /** Points the index entry of `slot`'s prefix at `replacement` (-1: removes it). */
  #indexReplace(slot: number, replacement: number): void {
    const h = this.#hashSlot(slot);
    let index: Int32Array = this.#index;
    let i = position(index, h, slot + 1);
    if (i < 0) {
      index = this.#oldIndex!;
      i = position(index, h, slot + 1);
    }
    index[i] = replacement < 0 ? -1 : replacement + 1;
    if (replacement < 0) this.#heads--;
  }

  /**
   * Starts moving to an index twice the size (at most 50% full right after, 70% before the next
   * growth). The entries follow over the next inserts (#migrate).
   */
  #growIndex(): void {
    if (this.#oldIndex !== undefined) this.#migrate(Infinity);
    let size = 128;
    while (size < (this.#heads + 1) * 2) size *= 2;
    this.#oldIndex = this.#index;
    this.#oldAt = 0;
    this.#index = new Int32Array(size);
    this.#indexUsed = 0;
  }

  /** Moves the entries of up to `positions` positions of the old index into the current one. */
  #migrate(positions: number): void {
    const old = this.#oldIndex!;
    const end = Math.min(old.length, this.#oldAt + positions);
    for (let i = this.#oldAt; i < end; i++) {
      const e = old[i]!;
      if (e <= 0) continue;
      this.#place(e);
      old[i] = -1; // gone from here: a prefix is in one index only
    }
    this.#oldAt = end;
    if (end === old.length) this.#oldIndex = undefined;
  }
}

/**
 * Old-index positions moved per insert. An index grows when 70% full to twice its size, so the
 * old one (length L, at most 0.7 L prefixes) is empty after L / 16 inserts, long before the new
 * one (2 L) fills up (0.7 L inserts).
 */
const MIGRATE_PER_INSERT = 16;

/** The slot arrays #growStep moves one at a time. */
const GROWN_ARRAYS = 10;

/** `into` holding `from` at its start. */
function grown<T extends Uint32Array | Int32Array | Uint8Array>(from: T, into: T): T {
  into.set(from);
  return into;
}

/** Where `entry` is in `index`, probing from hash `h`; -1 when absent. */
function position(index: Int32Array, h: number, entry: number): number {
  const mask = index.length - 1;
  for (let i = h & mask; ; i = (i + 1) & mask) {
    const e = index[i]!;
    if (e === entry) return i;
    if (e === 0) return -1;
  }
}
