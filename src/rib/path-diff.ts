/**
 * What a dirty path of a prefix with several paths means on the wire when only one can be sent
 * (no ADD-PATH): the prefix's preferred wanted path goes out (comparePaths), replacing the one sent before, or the
 * prefix is withdrawn when no path is wanted.
 *
 * Owns: the wanted-vs-sent decision and the `sent` column (with attribute-set references). Must
 * not touch: encoding, the dirty ring, freeing slots (it lists them in `toFree` for the caller).
 * The single-path case (and ADD-PATH) is decided inline in drain-batch.ts.
 */
import { type AttributeSets, comparePaths } from './attribute-set.js';
import type { RouteTable } from './route-table.js';

/** Where the decisions go: slots to announce (with their set), to withdraw, to free after packing. */
export interface DiffSink {
  announce(slot: number, setId: number): void;
  withdraw(slot: number): void;
  readonly toFree: number[];
}

/** Records that the peer has `setId` for slot `s` now (0: nothing), moving the set reference. */
export function setSent(t: RouteTable, sets: AttributeSets, s: number, setId: number): void {
  const old = t.sent[s]!;
  if (old === setId) return;
  sets.retain(setId);
  sets.release(old);
  t.sent[s] = setId;
}

/** Without ADD-PATH: the prefix's preferred wanted path, or a withdrawal. */
export function diffPrefix(t: RouteTable, sets: AttributeSets, s: number, sink: DiffSink): void {
  let best = -1;
  let sentSlot = -1;
  t.loadKey(s);
  for (let p = t.findHead(); p >= 0; p = t.next[p]!) {
    if (t.sent[p] !== 0) sentSlot = p;
    const w = t.wanted[p]!;
    if (w === 0) continue;
    if (best < 0 || comparePaths(sets.get(w), t.pathId[p]!, sets.get(t.wanted[best]!), t.pathId[best]!) < 0) best = p;
  }
  if (best < 0) {
    if (sentSlot >= 0) {
      sink.withdraw(sentSlot);
      setSent(t, sets, sentSlot, 0);
      sink.toFree.push(sentSlot);
    }
    if (s !== sentSlot) sink.toFree.push(s);
    return;
  }
  const want = t.wanted[best]!;
  if (sentSlot === best && t.sent[best] === want) return;
  sink.announce(best, want);
  if (sentSlot >= 0 && sentSlot !== best) {
    setSent(t, sets, sentSlot, 0); // replaced by the announcement (no withdrawal needed)
    sink.toFree.push(sentSlot);
  }
  setSent(t, sets, best, want);
  if (t.wanted[s] === 0) sink.toFree.push(s);
}
