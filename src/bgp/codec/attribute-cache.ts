/**
 * Decoded attribute lists keyed by their exact octets, per codec context: a full table repeats a
 * few attribute sets across thousands of UPDATEs, so each distinct set is decoded once (BIRD and
 * FRR intern attributes the same way). Cached lists are shared between messages, so the list and
 * its attribute objects are frozen when admitted: replacing or adding an attribute throws a
 * TypeError instead of corrupting other messages. The arrays inside attributes (AS path segments,
 * communities) are readonly by type but not frozen: frozen arrays made encoding them 2x slower
 * on Node 20 (bench/README.md). A set is admitted on its second sighting, so a stream of
 * all-distinct sets costs no cache churn.
 * Bounded: the cache is emptied when it reaches its size limit.
 */
import type { CodecContext } from './context.js';
import type { PathAttribute } from './attributes/path-attribute.js';

interface Entry {
  readonly bytes: Uint8Array;
  readonly attributes: readonly PathAttribute[];
  readonly seenMask: number;
}

const MAX_ENTRIES = 4096;
const caches = new WeakMap<CodecContext, Map<number, Entry>>();
/** Hashes seen once (direct-mapped): a set is cached only when seen again. */
const SEEN_SLOTS = 8192;
const seenOnce = new Int32Array(SEEN_SLOTS);

function hashOf(b: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h;
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

export function lookupAttributes(ctx: CodecContext, b: Uint8Array, start: number, end: number): { entry: Entry | undefined; hash: number } {
  const hash = hashOf(b, start, end);
  const e = caches.get(ctx)?.get(hash);
  return { entry: e !== undefined && sameBytes(e.bytes, b, start, end) ? e : undefined, hash };
}

export function storeAttributes(ctx: CodecContext, hash: number, b: Uint8Array, start: number, end: number, attributes: PathAttribute[], seenMask: number): readonly PathAttribute[] {
  const slot = hash & (SEEN_SLOTS - 1);
  if (seenOnce[slot] !== (hash | 0)) {
    seenOnce[slot] = hash;
    return attributes;
  }
  let m = caches.get(ctx);
  if (m === undefined) {
    m = new Map();
    caches.set(ctx, m);
  } else if (m.size >= MAX_ENTRIES) {
    m.clear();
  }
  freezeShared(attributes);
  m.set(hash, { bytes: b.slice(start, end), attributes, seenMask });
  return attributes;
}

/** Freezes the list and each attribute object (not the arrays inside them, see above). */
function freezeShared(attributes: PathAttribute[]): void {
  for (const a of attributes) Object.freeze(a);
  Object.freeze(attributes);
}
