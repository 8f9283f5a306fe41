/**
 * The Loc-RIB (RFC 4271 s3.2, s9.1.2): every candidate path per prefix, from every peer, with
 * the best path chosen by the decision process (decision-process.ts) and the multipath (ECMP)
 * next-hop set beside it; typed events when either changes. Sans-I/O: no timers, no clock.
 *
 * Owns: the paths keyed by (AFI, SAFI, prefix, peer, path id), the per-prefix selection result,
 * the per-peer index that `peerDown` walks, prefix-length counts for longest-prefix match, and
 * the `show ip route` view. Must not decide (decision-process.ts does), apply import policy,
 * touch a FIB or talk to sessions: embedders subscribe to the events.
 *
 * Work per `update`/`withdraw` is O(paths of that prefix); no call walks the whole table except
 * the iterators. `peerDownInSlices` lets a caller remove a large peer's paths a slice at a time
 * and yield to the event loop between slices. Events fire after the state is committed.
 */
import { EventEmitter } from 'eventemitter3';
import { formatIpv4, formatIpv6Words, parseAddress } from '../bgp/prefix/address.js';
import { parsePrefix } from '../bgp/prefix/prefix-list.js';
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import type { ReceivedRoute } from './adj-rib-in.js';
import { type PathSummary, pathSummary } from './path-summary.js';
import {
  type CandidatePath,
  type DecisionStep,
  DECISION_STEPS,
  type MultipathOptions,
  type PeerDescriptor,
  candidatePath,
  lossReason,
  selectBest,
  selectMultipath,
} from './decision-process.js';
import { ribError } from './rib-error.js';

export interface LocRibOptions extends MultipathOptions {
  /**
   * Cost to reach a next hop (RFC 4271 s9.1.2.2 e), read when a path is added; return undefined
   * (or leave unset) to skip the step. A path keeps the cost it was added with.
   */
  readonly igpCost?: ((nextHop: string) => number | undefined) | undefined;
}

/** A path as the Loc-RIB takes it: the Adj-RIB-In's `ReceivedRoute`, `pathId` and `stale` optional. */
export type LocRibRoute = Omit<ReceivedRoute, 'pathId' | 'stale'> & { readonly pathId?: number | undefined; readonly stale?: boolean | undefined };

/** Names one path of a peer: (AFI, SAFI, prefix, path id). */
export interface RouteKey {
  readonly afi: 1 | 2;
  readonly safi: number;
  readonly prefix: string;
  /** Default 0. */
  readonly pathId?: number | undefined;
}

/** One member of the multipath (ECMP) set. */
export interface MultipathNextHop {
  readonly nextHop: string;
  readonly peerAddress: string;
}

export interface PathView extends PathSummary {
  readonly best: boolean;
  readonly multipath: boolean;
  /** For a path that is not the best: the decision step that removed it, and why in words. */
  readonly lostAt: DecisionStep | undefined;
  readonly reason: string | undefined;
}

export interface PrefixRoutes {
  readonly afi: 1 | 2;
  readonly safi: number;
  readonly prefix: string;
  readonly best: PathSummary;
  /** The step that chose the best path; undefined when it is the only path. */
  readonly decidedBy: DecisionStep | undefined;
  /** Best first; one entry (the best path) without multipath. */
  readonly multipath: readonly MultipathNextHop[];
  /** Best first, then the other multipath members, then the rest, closest to winning first. */
  readonly paths: readonly PathView[];
}

export interface PrefixId {
  readonly afi: 1 | 2;
  readonly safi: number;
  readonly prefix: string;
}

export interface BestPathChangedEvent extends PrefixId {
  /** Undefined when the prefix was not reachable before. */
  readonly previous: PathSummary | undefined;
  /** Undefined when the prefix is no longer reachable. */
  readonly current: PathSummary | undefined;
}

export interface MultipathChangedEvent extends PrefixId {
  readonly previous: readonly MultipathNextHop[];
  readonly current: readonly MultipathNextHop[];
}

export interface LocRibEvents {
  /** The best path of a prefix appeared, changed (another path, or new attributes) or went away. */
  bestPathChanged: (e: BestPathChangedEvent) => void;
  /** The multipath next-hop set of a prefix changed. */
  multipathChanged: (e: MultipathChangedEvent) => void;
}

/** Removes a peer's paths in slices; from `LocRib.peerDownInSlices`. */
export interface PeerDownJob {
  readonly peerAddress: string;
  /** Paths not yet looked at. */
  readonly remaining: number;
  /** Paths removed so far. */
  readonly removed: number;
  readonly done: boolean;
  /** Removes up to `maxRoutes` more paths, emits their events, and returns true while more remain. */
  step(maxRoutes: number): boolean;
}

type PathRecord = CandidatePath & {
  readonly key: string;
  readonly entry: PrefixEntry;
  readonly nextHops: readonly string[];
  readonly attributes: readonly PathAttribute[];
  stale: boolean;
  /** Taken out of the peer's index by a peerDown job that has not removed it yet. */
  draining: boolean;
  summary: PathSummary | undefined;
};

interface PrefixEntry extends PrefixId {
  readonly key: string;
  readonly paths: Map<string, PathRecord>;
  best: PathRecord | undefined;
  decidedBy: DecisionStep | undefined;
  lostAt: ReadonlyMap<PathRecord, DecisionStep>;
  multipath: readonly PathRecord[];
  hops: readonly MultipathNextHop[];
}

type PendingEvent = { name: 'bestPathChanged'; e: BestPathChangedEvent } | { name: 'multipathChanged'; e: MultipathChangedEvent };

const NO_HOPS: readonly MultipathNextHop[] = Object.freeze([]);
const NO_LOSSES: ReadonlyMap<PathRecord, DecisionStep> = new Map();

export class LocRib extends EventEmitter<LocRibEvents> {
  readonly #options: LocRibOptions;
  readonly #prefixes = new Map<string, PrefixEntry>();
  readonly #byPeer = new Map<string, Set<PathRecord>>();
  /** Per "afi/safi": how many prefixes of each length, so longest-prefix match tries only lengths in use. */
  readonly #lengths = new Map<string, number[]>();
  readonly #checkedPeers = new WeakSet<PeerDescriptor>();
  #pathCount = 0;

  constructor(options: LocRibOptions = {}) {
    super();
    for (const k of ['maximumPaths', 'maximumPathsIbgp'] as const) {
      const v = options[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw ribError(`${k} must be an integer >= 1 (got ${JSON.stringify(v)})`);
    }
    if (options.defaultLocalPref !== undefined) uint32(options.defaultLocalPref, 'defaultLocalPref');
    this.#options = Object.freeze({ ...options });
  }

  /** Prefixes with at least one path. */
  get size(): number {
    return this.#prefixes.size;
  }

  /** Paths over all prefixes. */
  get pathCount(): number {
    return this.#pathCount;
  }

  /**
   * Adds or replaces the path `route` from `peer` (keyed by AFI, SAFI, prefix, path id and peer
   * address). A re-announcement identical to the stored path changes nothing and emits nothing.
   * Throws ERR_RIB_INVALID_ARGUMENT on bad input.
   */
  update(peer: PeerDescriptor, route: LocRibRoute): void {
    this.#checkPeer(peer);
    if (typeof route !== 'object' || route === null) throw ribError('route must be an object');
    const id = this.#prefixId(route);
    const pathId = pathIdOf(route.pathId);
    if (!Array.isArray(route.nextHop) || route.nextHop.length === 0 || !route.nextHop.every((h) => typeof h === 'string' && h.length > 0)) {
      throw ribError(`${id.prefix}: nextHop must be a non-empty list of addresses (a path without a next hop cannot be used, RFC 4271 s9.1.2)`);
    }
    if (!Array.isArray(route.attributes)) throw ribError(`${id.prefix}: attributes must be an array`);
    const stale = route.stale === true;
    const key = `${peer.peerAddress}#${pathId}`;
    const entryKey = `${id.afi}/${id.safi}/${id.prefix}`;
    const existing = this.#prefixes.get(entryKey)?.paths.get(key);
    if (existing !== undefined && samePeer(existing.peer, peer) && deepEqual(existing.nextHops, route.nextHop) && deepEqual(existing.attributes, route.attributes)) {
      if (existing.draining) {
        // announced again by a new session while a peerDown job holds it: keep it
        existing.draining = false;
        this.#liveSet(peer.peerAddress).add(existing);
      }
      if (existing.stale !== stale) {
        existing.stale = stale;
        existing.summary = undefined;
      }
      return;
    }
    const nextHop = route.nextHop[0]!;
    const c = candidatePath({ peer, attributes: route.attributes, nextHop, pathId, igpCost: this.#options.igpCost?.(nextHop) }, this.#options);
    const entry = this.#prefixes.get(entryKey) ?? this.#addEntry(entryKey, id);
    // Extended in place: an object spread of the candidate costs more than the rest of the update.
    const record = Object.assign(c, { key, entry, nextHops: route.nextHop, attributes: route.attributes, stale, draining: false, summary: undefined }) as PathRecord;
    if (existing !== undefined) this.#byPeer.get(existing.peer.peerAddress)?.delete(existing);
    else this.#pathCount++;
    entry.paths.set(key, record);
    this.#liveSet(peer.peerAddress).add(record);
    this.#emit(this.#recompute(entry, []));
  }

  /** Removes one path of `peer` (a descriptor or its address). Returns whether it was there. */
  withdraw(peer: PeerDescriptor | string, route: RouteKey): boolean {
    const address = peerAddressOf(peer);
    if (typeof route !== 'object' || route === null) throw ribError('route must be an object');
    const id = this.#prefixId(route);
    const entry = this.#prefixes.get(`${id.afi}/${id.safi}/${id.prefix}`);
    const record = entry?.paths.get(`${address}#${pathIdOf(route.pathId)}`);
    if (entry === undefined || record === undefined) return false;
    this.#byPeer.get(address)?.delete(record);
    entry.paths.delete(record.key);
    this.#pathCount--;
    this.#emit(this.#recompute(entry, []));
    return true;
  }

  /** Removes every path of `peer` at once (session down). Returns how many. */
  peerDown(peer: PeerDescriptor | string): number {
    const job = this.peerDownInSlices(peer);
    job.step(Infinity);
    return job.removed;
  }

  /**
   * Takes the paths `peer` has now out of its index and returns a job that removes them
   * `step(maxRoutes)` at a time, so a caller can yield to the event loop between slices. Paths
   * stay candidates until their slice runs. Paths the peer announces after this call are not
   * touched, and a path it announces again, replaces or withdraws meanwhile is skipped. A path
   * costs about 5-10 us on a small machine (decision and events for its prefix): slices of about
   * 500 stay inside a 10 ms turn of the event loop.
   */
  peerDownInSlices(peer: PeerDescriptor | string): PeerDownJob {
    const address = peerAddressOf(peer);
    const records = [...(this.#byPeer.get(address) ?? [])];
    this.#byPeer.delete(address);
    for (const r of records) r.draining = true;
    let next = 0;
    let removed = 0;
    const step = (maxRoutes: number): boolean => {
      if (typeof maxRoutes !== 'number' || !(maxRoutes >= 1)) throw ribError(`maxRoutes must be a number >= 1 (got ${JSON.stringify(maxRoutes)})`);
      const dirty = new Set<PrefixEntry>();
      for (let n = 0; next < records.length && n < maxRoutes; n++) {
        const r = records[next++]!;
        if (!r.draining || r.entry.paths.get(r.key) !== r) continue;
        r.entry.paths.delete(r.key);
        this.#pathCount--;
        removed++;
        dirty.add(r.entry);
      }
      const events: PendingEvent[] = [];
      for (const e of dirty) this.#recompute(e, events);
      if (next >= records.length) records.length = next = 0;
      this.#emit(events);
      return next < records.length;
    };
    return {
      peerAddress: address,
      get remaining() {
        return records.length - next;
      },
      get removed() {
        return removed;
      },
      get done() {
        return next >= records.length;
      },
      step,
    };
  }

  /**
   * What `show ip route X` shows. `query` is a prefix ("203.0.113.0/24": exact match) or an
   * address ("203.0.113.5": longest-prefix match); SAFI default 1 (unicast). Undefined when
   * nothing matches.
   */
  routes(query: string, safi = 1): PrefixRoutes | undefined {
    if (typeof query !== 'string') throw ribError('routes: query must be a prefix or an address');
    let entry: PrefixEntry | undefined;
    if (query.includes('/')) {
      const id = this.#prefixId({ prefix: query, safi });
      entry = this.#prefixes.get(`${id.afi}/${safi}/${id.prefix}`);
    } else {
      entry = this.#longestMatch(query, safi);
    }
    return entry === undefined ? undefined : view(entry, this.#options);
  }

  /** The prefixes with at least one path, in insertion order. */
  *prefixes(): Generator<PrefixId> {
    for (const e of this.#prefixes.values()) yield { afi: e.afi, safi: e.safi, prefix: e.prefix };
  }

  /** Every prefix's view (a snapshot for a new subscriber). Walks the whole table. */
  *[Symbol.iterator](): Generator<PrefixRoutes> {
    for (const e of this.#prefixes.values()) yield view(e, this.#options);
  }

  #liveSet(address: string): Set<PathRecord> {
    let set = this.#byPeer.get(address);
    if (set === undefined) this.#byPeer.set(address, (set = new Set()));
    return set;
  }

  #checkPeer(peer: PeerDescriptor): void {
    if (this.#checkedPeers.has(peer)) return;
    if (typeof peer !== 'object' || peer === null) throw ribError('peer must be an object');
    if (typeof peer.peerAddress !== 'string') throw ribError('peer.peerAddress must be an IP address');
    parseAddressOrThrow(peer.peerAddress, 'peer.peerAddress');
    uint32(peer.peerAs, 'peer.peerAs');
    uint32(peer.localAs, 'peer.localAs');
    if (typeof peer.routerId !== 'string') throw ribError('peer.routerId must be a dotted quad');
    if (typeof peer.ibgp !== 'boolean') throw ribError('peer.ibgp must be a boolean');
    if (peer.localPref !== undefined) uint32(peer.localPref, 'peer.localPref');
    this.#checkedPeers.add(peer);
  }

  /** Validates AFI / SAFI / prefix of a route or key; returns the canonical prefix. */
  #prefixId(r: { readonly afi?: unknown; readonly safi: unknown; readonly prefix: unknown }): PrefixId {
    if (typeof r.prefix !== 'string') throw ribError('prefix must be a string such as "203.0.113.0/24"');
    const { afi, prefix } = canonicalPrefix(r.prefix);
    if (r.afi !== undefined && r.afi !== afi) throw ribError(`${r.prefix}: afi ${JSON.stringify(r.afi)} does not match the prefix (AFI ${afi})`);
    if (typeof r.safi !== 'number' || !Number.isInteger(r.safi) || r.safi < 1 || r.safi > 255) throw ribError(`safi must be an integer in 1..255 (got ${JSON.stringify(r.safi)})`);
    return { afi, safi: r.safi, prefix };
  }

  #addEntry(key: string, id: PrefixId): PrefixEntry {
    const entry: PrefixEntry = { afi: id.afi, safi: id.safi, prefix: id.prefix, key, paths: new Map(), best: undefined, decidedBy: undefined, lostAt: NO_LOSSES, multipath: [], hops: NO_HOPS };
    this.#prefixes.set(key, entry);
    this.#lengthsOf(id.afi, id.safi)[prefixLength(id.prefix)]!++;
    return entry;
  }

  #lengthsOf(afi: 1 | 2, safi: number): number[] {
    const k = `${afi}/${safi}`;
    let counts = this.#lengths.get(k);
    if (counts === undefined) this.#lengths.set(k, (counts = new Array<number>(afi === 1 ? 33 : 129).fill(0)));
    return counts;
  }

  /** Runs the decision process for one prefix (O(its paths)); queues the events of what changed. */
  #recompute(entry: PrefixEntry, events: PendingEvent[]): PendingEvent[] {
    const previous = entry.best;
    const previousHops = entry.hops;
    if (entry.paths.size === 0) {
      this.#prefixes.delete(entry.key);
      this.#lengthsOf(entry.afi, entry.safi)[prefixLength(entry.prefix)]!--;
      entry.best = undefined;
      entry.multipath = [];
      entry.hops = NO_HOPS;
    } else {
      const sel = selectBest(entry.paths.values(), this.#options);
      const best = sel.best!;
      entry.best = best;
      entry.decidedBy = sel.step;
      entry.lostAt = sel.lostAt;
      entry.multipath = selectMultipath(best, entry.paths.values(), this.#options);
      const hops = entry.multipath.map((r) => ({ nextHop: r.nextHop!, peerAddress: r.peer.peerAddress }));
      entry.hops = sameHops(hops, previousHops) ? previousHops : Object.freeze(hops);
    }
    const { afi, safi, prefix } = entry;
    if (previous !== entry.best) events.push({ name: 'bestPathChanged', e: { afi, safi, prefix, previous: summaryOf(previous), current: summaryOf(entry.best) } });
    if (previousHops !== entry.hops) events.push({ name: 'multipathChanged', e: { afi, safi, prefix, previous: previousHops, current: entry.hops } });
    return events;
  }

  #emit(events: readonly PendingEvent[]): void {
    for (const ev of events) {
      if (ev.name === 'bestPathChanged') this.emit('bestPathChanged', ev.e);
      else this.emit('multipathChanged', ev.e);
    }
  }

  #longestMatch(address: string, safi: number): PrefixEntry | undefined {
    const { afi, bytes } = parseAddressOrThrow(address, 'address');
    const counts = this.#lengths.get(`${afi}/${safi}`);
    if (counts === undefined) return undefined;
    const words: number[] = [];
    for (let i = 0; i < bytes.length; i += 4) words.push(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
    for (let len = counts.length - 1; len >= 0; len--) {
      if (counts[len] === 0) continue;
      const e = this.#prefixes.get(`${afi}/${safi}/${formatPrefix(afi, words, len)}`);
      if (e !== undefined) return e;
    }
    return undefined;
  }
}

function uint32(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw ribError(`${what} must be an integer in 0..4294967295 (got ${JSON.stringify(v)})`);
}

function pathIdOf(v: unknown): number {
  if (v === undefined) return 0;
  uint32(v, 'pathId');
  return v as number;
}

function peerAddressOf(peer: PeerDescriptor | string): string {
  const a = typeof peer === 'string' ? peer : typeof peer === 'object' && peer !== null ? peer.peerAddress : undefined;
  if (typeof a !== 'string') throw ribError('peer must be a peer descriptor or a peer address');
  return a;
}

function parseAddressOrThrow(text: string, what: string): { afi: 1 | 2; bytes: Uint8Array } {
  try {
    return parseAddress(text);
  } catch (e) {
    throw ribError(`${what} must be an IP address (got ${JSON.stringify(text)})`, e);
  }
}

/** "203.0.113.7/24" -> "203.0.113.0/24": bits past the length do not count (RFC 4271 s4.3). */
function canonicalPrefix(text: string): { afi: 1 | 2; prefix: string } {
  let p: ReturnType<typeof parsePrefix>;
  try {
    p = parsePrefix(text);
  } catch (e) {
    throw ribError(`not a prefix: ${JSON.stringify(text)}`, e);
  }
  return { afi: p.afi, prefix: formatPrefix(p.afi, p.words, p.length) };
}

function formatPrefix(afi: 1 | 2, words: readonly number[], length: number): string {
  const w = words.map((x, i) => {
    const keep = Math.max(0, Math.min(32, length - 32 * i));
    return keep === 0 ? 0 : (x & (keep === 32 ? 0xffffffff : ~0 << (32 - keep))) >>> 0;
  });
  return `${afi === 1 ? formatIpv4(w[0]!) : formatIpv6Words(w[0]!, w[1]!, w[2]!, w[3]!)}/${length}`;
}

function prefixLength(prefix: string): number {
  return Number(prefix.slice(prefix.lastIndexOf('/') + 1));
}

function samePeer(a: PeerDescriptor, b: PeerDescriptor): boolean {
  return a === b || (a.peerAddress === b.peerAddress && a.peerAs === b.peerAs && a.localAs === b.localAs && a.routerId === b.routerId && a.ibgp === b.ibgp && a.localPref === b.localPref);
}

function sameHops(a: readonly MultipathNextHop[], b: readonly MultipathNextHop[]): boolean {
  return a.length === b.length && a.every((h, i) => h.nextHop === b[i]!.nextHop && h.peerAddress === b[i]!.peerAddress);
}

/** Structural equality of attribute values (plain objects, arrays, typed arrays, primitives). */
function deepEqual(a: unknown, b: unknown): boolean {
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

function summaryOf(r: PathRecord | undefined): PathSummary | undefined {
  if (r === undefined) return undefined;
  return (r.summary ??= pathSummary(r, r.nextHops, r.attributes, r.stale));
}

function view(entry: PrefixEntry, options: LocRibOptions): PrefixRoutes {
  const best = entry.best!;
  const inMultipath = new Set(entry.multipath);
  const rest = [...entry.paths.values()].filter((r) => !inMultipath.has(r));
  const rank = (r: PathRecord): number => DECISION_STEPS.indexOf(entry.lostAt.get(r)!);
  rest.sort((a, b) => rank(b) - rank(a) || (a.peerAddressKey < b.peerAddressKey ? -1 : a.peerAddressKey > b.peerAddressKey ? 1 : a.pathId - b.pathId));
  const paths = [...entry.multipath, ...rest].map((r): PathView => {
    const lostAt = r === best ? undefined : entry.lostAt.get(r);
    return { ...summaryOf(r)!, best: r === best, multipath: inMultipath.has(r), lostAt, reason: lostAt === undefined ? undefined : lossReason(lostAt, options) };
  });
  return { afi: entry.afi, safi: entry.safi, prefix: entry.prefix, best: summaryOf(best)!, decidedBy: entry.decidedBy, multipath: entry.hops, paths };
}
