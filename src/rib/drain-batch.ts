/**
 * One drain of one address family: takes dirty paths off a RouteTable's ring until about
 * `maxBytes` of UPDATEs would be produced, and sorts the outcome into announcements grouped by
 * attribute set (first-seen order), withdrawals, and slots to free once packed.
 *
 * The common path (one path for the prefix, or ADD-PATH) is decided inline here: it is the
 * per-prefix cost of a full-table send (bench/rib.ts), so it avoids calls, closures and Map
 * lookups. Prefixes with several paths and no ADD-PATH go through path-diff.ts.
 *
 * Owns: the grouping of one drain. Must not touch: encoding, which path a prefix prefers.
 */
import type { AttributeSets } from './attribute-set.js';
import { type DiffSink, diffPrefix } from './path-diff.js';
import { type RouteTable, SLOT_HEAD, SLOT_LIVE } from './route-table.js';

/** Rough octets of one attribute block, for the byte budget before encoding. */
const GROUP_ESTIMATE = 64;

export class DrainBatch implements DiffSink {
  /** Attribute set ids with announcements, in first-seen order. */
  readonly setIds: number[] = [];
  /** Index = attribute set id: the slots to announce with it. */
  readonly #bySet: (number[] | undefined)[] = [];
  readonly withdraws: number[] = [];
  readonly toFree: number[] = [];
  /** Estimated octets of the UPDATEs so far. */
  estimate = 0;
  readonly #t: RouteTable;

  constructor(t: RouteTable) {
    this.#t = t;
  }

  /** The slots announced with set `setId`. */
  slotsOf(setId: number): number[] {
    return this.#bySet[setId] ?? [];
  }

  announce(s: number, setId: number): void {
    let g = this.#bySet[setId];
    if (g === undefined) {
      this.#bySet[setId] = g = [];
      this.setIds.push(setId);
      this.estimate += GROUP_ESTIMATE;
    }
    g.push(s);
    this.estimate += 2 + (this.#t.plen[s]! >>> 3);
  }

  withdraw(s: number): void {
    this.withdraws.push(s);
    this.estimate += 2 + (this.#t.plen[s]! >>> 3);
  }

  /** Takes dirty paths until the estimate reaches `maxBytes` or the ring is empty. */
  collect(sets: AttributeSets, addPath: boolean, maxBytes: number): void {
    const t = this.#t;
    const { flags, next, wanted, sent, plen } = t;
    const bySet = this.#bySet;
    let estimate = this.estimate;
    while (estimate < maxBytes) {
      const s = t.takeDirty();
      if (s < 0) break;
      const f = flags[s]!;
      if ((f & SLOT_LIVE) === 0) continue;
      if (!addPath && ((f & SLOT_HEAD) === 0 || next[s] !== -1)) {
        this.estimate = estimate;
        diffPrefix(t, sets, s, this);
        estimate = this.estimate;
        continue;
      }
      // one path for the prefix, or ADD-PATH: the path alone (diffPath, inlined)
      const want = wanted[s]!;
      const old = sent[s]!;
      if (want === old) continue;
      estimate += 2 + (plen[s]! >>> 3);
      if (want !== 0) {
        let g = bySet[want];
        if (g === undefined) {
          bySet[want] = g = [];
          this.setIds.push(want);
          estimate += GROUP_ESTIMATE;
        }
        g.push(s);
        sets.retain(want);
      } else {
        this.withdraws.push(s);
        this.toFree.push(s);
      }
      sets.release(old);
      sent[s] = want;
    }
    this.estimate = estimate;
  }
}
