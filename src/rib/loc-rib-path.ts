/**
 * The shared pieces of the Loc-RIB. A `LocPath` is one path as the decision process reads it
 * (a CandidatePath) plus its next hops, attributes and stale flag: built once per UPDATE (or per
 * attribute list) and shared by every prefix the peer announced with it. A prefix with several
 * paths points at a `PathSet`: an interned, immutable set of LocPaths that carries its decision
 * outcome (best path, deciding step, multipath set), so a million prefixes with the same two
 * paths share one set and one decision.
 *
 * Owns: path and set objects, their reference counts, set interning and the add / remove
 * transitions (memoised), content equality of paths. Must not know prefixes or emit events.
 */
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import type { AsPathSegment } from '../bgp/codec/attributes/as-path-segments.js';
import { type CandidatePath, type DecisionStep, type MultipathOptions, type PeerDescriptor, selectBest, selectMultipath } from './decision-process.js';
import type { PathSummary } from './path-summary.js';
import type { MultipathNextHop } from './loc-rib-types.js';

/** Removes paths in slices (set by `peerDownInSlices`): how many of its paths are still in the table. */
export interface DrainMark {
  left: number;
}

let nextId = 1;
/** Memo maps are dropped beyond this size (they only save work). */
const MEMO_LIMIT = 16;

export class LocPath implements CandidatePath {
  readonly id = nextId++;
  readonly peer: PeerDescriptor;
  readonly pathId: number;
  readonly nextHop: string;
  readonly localPref: number;
  readonly asPath: readonly AsPathSegment[];
  readonly asPathLength: number;
  readonly neighborAs: number;
  readonly origin: number;
  readonly med: number | undefined;
  readonly igpCost: number | undefined;
  readonly bgpIdentifier: number;
  readonly clusterListLength: number;
  readonly peerAddressKey: string;
  readonly afi: 1 | 2;
  readonly safi: number;
  readonly nextHops: readonly string[];
  readonly attributes: readonly PathAttribute[];
  /** The path this one stands in for (same content: a stale-flag change, or announced again while draining); itself otherwise. */
  readonly root: LocPath;
  stale: boolean;
  /** Set while a peerDown job owns this path. */
  drain: DrainMark | undefined = undefined;
  /** Prefixes holding this path. */
  refs = 0;
  summary: PathSummary | undefined = undefined;
  #hops: readonly MultipathNextHop[] | undefined;
  /** this + key -> the set of both. */
  addMemo: Map<LocPath, PathSet> | undefined = undefined;
  /** The last content comparison: with which path, and the answer. */
  eqWith: LocPath | undefined = undefined;
  eqResult = false;
  /** The fresh stand-in (see `twin`). */
  twinMemo: LocPath | undefined = undefined;

  constructor(c: CandidatePath, afi: 1 | 2, safi: number, nextHops: readonly string[], attributes: readonly PathAttribute[], stale: boolean, root?: LocPath) {
    this.peer = c.peer;
    this.pathId = c.pathId;
    this.nextHop = c.nextHop!;
    this.localPref = c.localPref;
    this.asPath = c.asPath;
    this.asPathLength = c.asPathLength;
    this.neighborAs = c.neighborAs;
    this.origin = c.origin;
    this.med = c.med;
    this.igpCost = c.igpCost;
    this.bgpIdentifier = c.bgpIdentifier;
    this.clusterListLength = c.clusterListLength;
    this.peerAddressKey = c.peerAddressKey;
    this.afi = afi;
    this.safi = safi;
    this.nextHops = nextHops;
    this.attributes = attributes;
    this.stale = stale;
    this.root = root ?? this;
  }

  /** The multipath set of a prefix with only this path. */
  get hops(): readonly MultipathNextHop[] {
    return (this.#hops ??= Object.freeze([{ nextHop: this.nextHop, peerAddress: this.peer.peerAddress }]));
  }

  /** Whether `other` is the same path of the same peer: (peer address, path id). */
  sameKey(other: LocPath): boolean {
    return this.pathId === other.pathId && this.peer.peerAddress === other.peer.peerAddress;
  }

  /** Same peer (by value), family, path id, next hops and attributes (by value). Memoised for the last `other`. */
  sameContent(other: LocPath): boolean {
    if (this.eqWith === other) return this.eqResult;
    const r = this.root === other.root || (this.afi === other.afi && this.safi === other.safi && this.pathId === other.pathId && samePeer(this.peer, other.peer) && deepEqual(this.nextHops, other.nextHops) && deepEqual(this.attributes, other.attributes));
    this.eqWith = other;
    this.eqResult = r;
    return r;
  }

  /** A stand-in with this content (and cost), `stale` as given, owned by no peerDown job; shared while it fits. */
  twin(stale: boolean): LocPath {
    const t = this.twinMemo;
    if (t !== undefined && t.stale === stale && t.drain === undefined) return t;
    return (this.twinMemo = new LocPath(this, this.afi, this.safi, this.nextHops, this.attributes, stale, this.root));
  }
}

/** A prefix's paths: one LocPath, or an interned set of two or more. */
export type Cell = LocPath | PathSet;

export class PathSet {
  readonly members: readonly LocPath[];
  readonly key: string;
  readonly best: LocPath;
  readonly decidedBy: DecisionStep | undefined;
  readonly lostAt: ReadonlyMap<LocPath, DecisionStep>;
  readonly multipath: readonly LocPath[];
  readonly hops: readonly MultipathNextHop[];
  /** Prefixes holding this set. */
  refs = 0;
  dead = false;
  addMemo: Map<LocPath, PathSet> | undefined = undefined;
  removeMemo: Map<LocPath, PathSet> | undefined = undefined;

  constructor(members: readonly LocPath[], key: string, options: MultipathOptions) {
    this.members = members;
    this.key = key;
    const sel = selectBest(members, options);
    this.best = sel.best!;
    this.decidedBy = sel.step;
    this.lostAt = sel.lostAt;
    this.multipath = selectMultipath(this.best, members, options);
    this.hops = Object.freeze(this.multipath.map((r) => ({ nextHop: r.nextHop, peerAddress: r.peer.peerAddress })));
  }
}

export function bestOf(c: Cell | undefined): LocPath | undefined {
  return c === undefined ? undefined : c instanceof LocPath ? c : c.best;
}

const NO_HOPS: readonly MultipathNextHop[] = Object.freeze([]);

export function hopsOf(c: Cell | undefined): readonly MultipathNextHop[] {
  return c === undefined ? NO_HOPS : c.hops;
}

/** The member of `c` with the key (peer address, path id) of `p`. */
export function memberLike(c: Cell | undefined, p: LocPath): LocPath | undefined {
  if (c === undefined) return undefined;
  if (c instanceof LocPath) return c.sameKey(p) ? c : undefined;
  for (const m of c.members) if (m.sameKey(p)) return m;
  return undefined;
}

/** The member of `c` with this peer address and path id. */
export function memberOf(c: Cell, peerAddress: string, pathId: number): LocPath | undefined {
  if (c instanceof LocPath) return c.pathId === pathId && c.peer.peerAddress === peerAddress ? c : undefined;
  for (const m of c.members) if (m.pathId === pathId && m.peer.peerAddress === peerAddress) return m;
  return undefined;
}

/** Interns path sets for one Loc-RIB (the outcomes depend on its options) and moves between them. */
export class PathSets {
  readonly #options: MultipathOptions;
  readonly #sets = new Map<string, PathSet>();
  /** Sets held by at least one prefix. */
  #held = 0;

  constructor(options: MultipathOptions) {
    this.#options = options;
  }

  /** Live sets (for tests and memory figures). */
  get size(): number {
    return this.#sets.size;
  }

  /** `c` with `p` added (no member of `c` has p's key). */
  add(c: Cell | undefined, p: LocPath): Cell {
    if (c === undefined) return p;
    const memo = c.addMemo;
    const hit = memo?.get(p);
    if (hit !== undefined) return this.#live(hit);
    const set = this.#intern(c instanceof LocPath ? [c, p] : [...c.members, p]);
    if (memo === undefined || memo.size >= MEMO_LIMIT) c.addMemo = new Map([[p, set]]);
    else memo.set(p, set);
    return set;
  }

  /** `c` without its member `p`. */
  remove(c: Cell, p: LocPath): Cell | undefined {
    if (c instanceof LocPath) return undefined;
    const ms = c.members;
    if (ms.length === 2) return ms[0] === p ? ms[1]! : ms[0]!;
    const memo = c.removeMemo;
    const hit = memo?.get(p);
    if (hit !== undefined) return this.#live(hit);
    const set = this.#intern(ms.filter((m) => m !== p));
    if (memo === undefined || memo.size >= MEMO_LIMIT) c.removeMemo = new Map([[p, set]]);
    else memo.set(p, set);
    return set;
  }

  /** `c` with member `old` replaced by `p`. */
  replace(c: Cell, old: LocPath, p: LocPath): Cell {
    return c === old ? p : this.add(this.remove(c, old), p);
  }

  /** A set now held by one more prefix. */
  retain(s: PathSet): void {
    if (s.refs++ === 0) this.#held++;
  }

  /** A set now held by one prefix fewer; forgotten when none holds it. */
  release(s: PathSet): void {
    if (--s.refs > 0) return;
    this.#held--;
    this.#forget(s);
  }

  #forget(s: PathSet): void {
    if (this.#sets.get(s.key) === s) this.#sets.delete(s.key);
    s.dead = true;
    s.addMemo = undefined;
    s.removeMemo = undefined;
  }

  #intern(members: LocPath[]): PathSet {
    const key = members
      .map((m) => m.id)
      .sort((a, b) => a - b)
      .join(',');
    let s = this.#sets.get(key);
    if (s !== undefined) return s;
    // sets that were only a step of a transition (never held) are dropped now and then
    if (this.#sets.size >= 2 * this.#held + 1024) {
      for (const x of this.#sets.values()) if (x.refs === 0) this.#forget(x);
    }
    this.#sets.set(key, (s = new PathSet(members, key, this.#options)));
    return s;
  }

  /** A memoised set that may have been forgotten: the interned one with its members. */
  #live(s: PathSet): PathSet {
    if (!s.dead) return s;
    const current = this.#sets.get(s.key);
    if (current !== undefined) return current;
    s.dead = false;
    this.#sets.set(s.key, s);
    return s;
  }
}

export function samePeer(a: PeerDescriptor, b: PeerDescriptor): boolean {
  return a === b || (a.peerAddress === b.peerAddress && a.peerAs === b.peerAs && a.localAs === b.localAs && a.routerId === b.routerId && a.ibgp === b.ibgp && a.localPref === b.localPref);
}

/** Structural equality of attribute values (plain objects, arrays, typed arrays, primitives). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    return ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
