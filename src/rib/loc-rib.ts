/**
 * The Loc-RIB (RFC 4271 s3.2, s9.1.2): every candidate path per prefix, from every peer, with
 * the best path chosen by the decision process (decision-process.ts) and the multipath (ECMP)
 * next-hop set beside it; typed events when either changes. Sans-I/O: no timers, no clock.
 *
 * Owns: the prefix tables (loc-rib-table.ts: numeric keys, one reference per prefix), the shared
 * paths and interned path sets (loc-rib-path.ts: a path is built once per UPDATE and shared by
 * its prefixes; a set of paths is decided once and shared by every prefix holding the same
 * paths), the per-peer registry of live paths that `peerDown` and `markStale` use, and the
 * `show ip route` view. Must not decide (decision-process.ts does), apply import policy, touch a
 * FIB or talk to sessions: embedders subscribe to the events.
 *
 * `applyUpdate` takes a decoded UPDATE whole: about 0.3 us per prefix on a small machine, 0.7
 * with event listeners (no strings, no per-prefix objects; events built only when someone
 * listens); about 25 octets per prefix of a one-peer table (bench/loc-rib.ts). Work per prefix
 * is O(its paths) on a set-transition miss, O(1) on a hit; no call walks the whole table except
 * the iterators and peerDown jobs (which walk it in bounded steps). Events fire after the state
 * is committed.
 */
import { EventEmitter } from 'eventemitter3';
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import { isDecodedMpReach } from '../bgp/codec/attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from '../bgp/codec/attributes/mp-unreach-nlri.js';
import type { UpdateMessage } from '../bgp/codec/update.js';
import { worstAction } from '../bgp/codec/update-diagnostic.js';
import type { PrefixList } from '../bgp/prefix/prefix-list.js';
import { type PeerDescriptor, candidatePath } from './decision-process.js';
import { type Cell, type DrainMark, LocPath, PathSet, PathSets, bestOf, hopsOf, memberLike, memberOf } from './loc-rib-path.js';
import { PrefixTable, wordMask } from './loc-rib-table.js';
import { addressWords, checkPeer, checkSafi, checkUpdate, pathIdOf, peerAddressOf, prefixKey, uint32 } from './loc-rib-input.js';
import { cellView, summaryOf } from './loc-rib-view.js';
import type { AfiSafi, BestPathChangedEvent, LocRibApplyResult, LocRibEvents, LocRibOptions, LocRibRoute, MultipathChangedEvent, MultipathNextHop, PeerDownJob, PrefixId, PrefixRoutes, RouteKey } from './loc-rib-types.js';
import { ribError } from './rib-error.js';

export type * from './loc-rib-types.js';

type Table = PrefixTable<Cell>;
type PendingEvent = { name: 'bestPathChanged'; e: BestPathChangedEvent } | { name: 'multipathChanged'; e: MultipathChangedEvent };

/** One peer's live paths (refs > 0, not owned by a peerDown job) and its path caches. */
interface PeerState {
  readonly paths: Set<LocPath>;
  /** IPv4 NLRI field, path id 0: attribute list (by identity, as the codec interns it) -> path. */
  readonly byAttrs: Map<readonly PathAttribute[], LocPath>;
  /** The path the last `update` call built (routes of one UPDATE share their arrays). */
  last: LocPath | undefined;
}

/** Slots a peerDown step may look at per path it may remove (and at least MIN_WALK). */
const WALK_PER_PATH = 32;
const MIN_WALK = 16_384;

export class LocRib extends EventEmitter<LocRibEvents> {
  readonly #options: LocRibOptions;
  readonly #sets: PathSets;
  /** By afi * 256 + safi, in creation order. */
  readonly #tables = new Map<number, Table>();
  readonly #peers = new Map<string, PeerState>();
  readonly #checkedPeers = new WeakSet<PeerDescriptor>();
  readonly #scratch = new Uint32Array(4);
  #pathCount = 0;

  constructor(options: LocRibOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw ribError('options must be an object');
    for (const k of ['maximumPaths', 'maximumPathsIbgp'] as const) {
      const v = options[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw ribError(`${k} must be an integer >= 1 (got ${JSON.stringify(v)})`);
    }
    if (options.defaultLocalPref !== undefined) uint32(options.defaultLocalPref, 'defaultLocalPref');
    if (options.igpCost !== undefined && typeof options.igpCost !== 'function') throw ribError('igpCost must be a function');
    this.#options = Object.freeze({ ...options });
    this.#sets = new PathSets(this.#options);
  }

  /** Prefixes with at least one path. */
  get size(): number {
    let n = 0;
    for (const t of this.#tables.values()) n += t.size;
    return n;
  }

  /** Paths over all prefixes. */
  get pathCount(): number {
    return this.#pathCount;
  }

  /**
   * Applies one decoded UPDATE from `peer` (the Adj-RIB-In's rules: withdrawn routes and
   * MP_UNREACH_NLRI first, then the NLRI field and MP_REACH_NLRI; RFC 7606 treat-as-withdraw, or
   * worse, withdraws what the UPDATE announces; a list without a next hop is withdrawn too). The
   * path is built once and shared by all the UPDATE's prefixes. Events fire once the whole
   * UPDATE is applied. Throws ERR_RIB_INVALID_ARGUMENT, before changing anything, on bad input.
   */
  applyUpdate(peer: PeerDescriptor, update: UpdateMessage): LocRibApplyResult {
    this.#checkPeer(peer);
    checkUpdate(update);
    const diag = worstAction(update.diagnostics);
    const withdrawAll = diag === 'treat-as-withdraw' || diag === 'afi-safi-disable' || diag === 'session-reset';
    let hasMp = false;
    for (const a of update.attributes) if (a.type === 'MP_REACH_NLRI' || a.type === 'MP_UNREACH_NLRI') hasMp = true;
    const attrs = hasMp ? update.attributes.filter((a) => a.type !== 'MP_REACH_NLRI' && a.type !== 'MP_UNREACH_NLRI') : update.attributes;
    // every path this UPDATE announces, built before anything changes (building may throw)
    const announce: [PrefixList, number, LocPath | undefined][] = [];
    if (update.nlri.length > 0) {
      let nh: string | undefined;
      for (const a of attrs) if (a.type === 'NEXT_HOP') nh = a.nextHop;
      announce.push([update.nlri, 1, withdrawAll || nh === undefined ? undefined : this.#nlriPath(peer, attrs, nh, hasMp)]);
    }
    for (const a of update.attributes) {
      if (a.type !== 'MP_REACH_NLRI' || !isDecodedMpReach(a) || a.nlri.length === 0) continue;
      checkSafi(a.safi);
      const usable = !withdrawAll && a.nextHop.length > 0;
      announce.push([a.nlri, a.safi, usable ? this.#newPath(peer, a.nlri.afi, a.safi, a.nextHop, attrs, 0, false) : undefined]);
    }
    const events = this.#wantEvents() ? ([] as PendingEvent[]) : undefined;
    const ps = this.#peerState(peer.peerAddress);
    let withdrawn = this.#withdrawList(peer.peerAddress, update.withdrawn, 1, events);
    for (const a of update.attributes) if (a.type === 'MP_UNREACH_NLRI' && isDecodedMpUnreach(a)) withdrawn += this.#withdrawList(peer.peerAddress, a.withdrawn, a.safi, events);
    let announced = 0;
    for (const [list, safi, path] of announce) {
      if (path === undefined) withdrawn += this.#withdrawList(peer.peerAddress, list, safi, events);
      else announced += this.#announceList(ps, list, safi, path, events);
    }
    if (events !== undefined) this.#emit(events);
    return { announced, withdrawn };
  }

  /**
   * Adds or replaces the path `route` from `peer` (keyed by AFI, SAFI, prefix, path id and peer
   * address). A re-announcement identical to the stored path changes nothing and emits nothing.
   * Throws ERR_RIB_INVALID_ARGUMENT on bad input.
   */
  update(peer: PeerDescriptor, route: LocRibRoute): void {
    this.#checkPeer(peer);
    if (typeof route !== 'object' || route === null) throw ribError('route must be an object');
    const key = prefixKey(route);
    const pathId = pathIdOf(route.pathId);
    if (!Array.isArray(route.nextHop) || route.nextHop.length === 0 || !route.nextHop.every((h) => typeof h === 'string' && h.length > 0)) {
      throw ribError(`${route.prefix}: nextHop must be a non-empty list of addresses (a path without a next hop cannot be used, RFC 4271 s9.1.2)`);
    }
    if (!Array.isArray(route.attributes)) throw ribError(`${route.prefix}: attributes must be an array`);
    const stale = route.stale === true;
    const ps = this.#peerState(peer.peerAddress);
    let p = ps.last;
    if (p === undefined || p.peer !== peer || p.attributes !== route.attributes || p.nextHops !== route.nextHop || p.pathId !== pathId || p.afi !== key.afi || p.safi !== key.safi || p.stale !== stale || p.drain !== undefined) {
      p = ps.last = this.#newPath(peer, key.afi, key.safi, route.nextHop, route.attributes, pathId, stale);
    }
    const table = this.#table(key.afi, key.safi);
    let slot = table.find(key.words, key.length);
    if (slot < 0) slot = table.insert(key.words, key.length);
    const events = this.#wantEvents() ? ([] as PendingEvent[]) : undefined;
    this.#put(table, slot, p, events);
    if (events !== undefined) this.#emit(events);
  }

  /** Removes one path of `peer` (a descriptor or its address). Returns whether it was there. */
  withdraw(peer: PeerDescriptor | string, route: RouteKey): boolean {
    const address = peerAddressOf(peer);
    if (typeof route !== 'object' || route === null) throw ribError('route must be an object');
    const key = prefixKey(route);
    const pathId = pathIdOf(route.pathId);
    const table = this.#tables.get(key.afi * 256 + key.safi);
    const slot = table === undefined ? -1 : table.find(key.words, key.length);
    if (slot < 0) return false;
    const p = memberOf(table!.cells[slot]!, address, pathId);
    if (p === undefined) return false;
    const events = this.#wantEvents() ? ([] as PendingEvent[]) : undefined;
    this.#drop(table!, slot, p, events);
    if (events !== undefined) this.#emit(events);
    return true;
  }

  /**
   * Marks `peer`'s paths of `families` (all when omitted) stale (RFC 4724: kept from a previous
   * session until the peer's End-of-RIB). Shown in the views; the decision does not change, so
   * no events. A path announced again unchanged becomes fresh, also without events. Returns how
   * many paths were marked.
   */
  markStale(peer: PeerDescriptor | string, families?: readonly AfiSafi[]): number {
    const ps = this.#peers.get(peerAddressOf(peer));
    if (families !== undefined && !Array.isArray(families)) throw ribError('families must be an array of { afi, safi }');
    const keys = families?.map((f) => (typeof f === 'object' && f !== null ? f.afi * 256 + f.safi : NaN));
    let n = 0;
    for (const p of ps?.paths ?? []) {
      if (p.stale || (keys !== undefined && !keys.includes(p.afi * 256 + p.safi))) continue;
      p.stale = true;
      p.summary = undefined;
      n += p.refs;
    }
    return n;
  }

  /** Removes every path of `peer` at once (session down). Returns how many. */
  peerDown(peer: PeerDescriptor | string): number {
    const job = this.peerDownInSlices(peer);
    job.step(Infinity);
    return job.removed;
  }

  /**
   * Hands the paths `peer` has now to a job that removes them `step(maxRoutes)` at a time (a
   * step walks the table from where the last one stopped), so a caller can yield to the event
   * loop between slices. Paths stay candidates until their slice runs. Paths the peer announces
   * after this call are not touched; a path it withdraws or replaces meanwhile is gone already,
   * and one it announces again unchanged stays. Removing a path costs about 0.3 us on a small
   * machine with its events: slices of a few thousand stay well inside a 10 ms turn.
   */
  peerDownInSlices(peer: PeerDescriptor | string): PeerDownJob {
    const address = peerAddressOf(peer);
    const mark: DrainMark = { left: 0 };
    const ps = this.#peers.get(address);
    if (ps !== undefined) {
      for (const p of ps.paths) {
        p.drain = mark;
        mark.left += p.refs;
      }
      ps.paths.clear();
      ps.byAttrs.clear();
      ps.last = undefined;
    }
    const tables = [...this.#tables.values()];
    let t = 0;
    let slot = 0;
    let removed = 0;
    const done = (): boolean => mark.left <= 0 || t >= tables.length;
    const step = (maxRoutes: number): boolean => {
      if (typeof maxRoutes !== 'number' || !(maxRoutes >= 1)) throw ribError(`maxRoutes must be a number >= 1 (got ${JSON.stringify(maxRoutes)})`);
      const events = this.#wantEvents() ? ([] as PendingEvent[]) : undefined;
      let budget = Math.max(MIN_WALK, maxRoutes * WALK_PER_PATH);
      let n = 0;
      while (!done() && n < maxRoutes && budget > 0) {
        const table = tables[t]!;
        if (slot >= table.high) {
          t++;
          slot = 0;
          continue;
        }
        budget--;
        const s = slot++;
        const cell = table.cells[s];
        if (cell === undefined) continue;
        if (cell instanceof LocPath) {
          if (cell.drain !== mark) continue;
          this.#drop(table, s, cell, events);
          n++;
        } else {
          let after: Cell | undefined = cell;
          for (const m of cell.members) {
            if (m.drain !== mark) continue;
            after = this.#sets.remove(after!, m);
            this.#release(m);
            n++;
          }
          this.#commit(table, s, cell, after, events);
        }
      }
      removed += n;
      if (events !== undefined) this.#emit(events);
      return !done();
    };
    return {
      peerAddress: address,
      get remaining() {
        return Math.max(0, mark.left);
      },
      get removed() {
        return removed;
      },
      get done() {
        return done();
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
    checkSafi(safi);
    if (query.includes('/')) {
      const key = prefixKey({ prefix: query, safi });
      const table = this.#tables.get(key.afi * 256 + safi);
      const slot = table === undefined ? -1 : table.find(key.words, key.length);
      return slot < 0 ? undefined : this.#view(table!, slot);
    }
    const { afi, words } = addressWords(query);
    const table = this.#tables.get(afi * 256 + safi);
    if (table === undefined) return undefined;
    const w = this.#scratch;
    for (let len = table.lengthCounts.length - 1; len >= 0; len--) {
      if (table.lengthCounts[len] === 0) continue;
      for (let i = 0; i < words.length; i++) w[i] = (words[i]! & wordMask(len, i)) >>> 0;
      const slot = table.find(w, len);
      if (slot >= 0) return this.#view(table, slot);
    }
    return undefined;
  }

  /** The prefixes with at least one path, per family, in table order. */
  *prefixes(): Generator<PrefixId> {
    for (const t of this.#tables.values()) {
      for (let s = 0; s < t.high; s++) if (t.cells[s] !== undefined) yield { afi: t.afi, safi: t.safi, prefix: t.text(s) };
    }
  }

  /** Every prefix's view (a snapshot for a new subscriber). Walks the whole table. */
  *[Symbol.iterator](): Generator<PrefixRoutes> {
    for (const t of this.#tables.values()) {
      for (let s = 0; s < t.high; s++) if (t.cells[s] !== undefined) yield this.#view(t, s);
    }
  }

  #view(table: Table, slot: number): PrefixRoutes {
    return cellView({ afi: table.afi, safi: table.safi, prefix: table.text(slot) }, table.cells[slot]!, this.#options);
  }

  #wantEvents(): boolean {
    return this.listenerCount('bestPathChanged') > 0 || this.listenerCount('multipathChanged') > 0;
  }

  #checkPeer(peer: PeerDescriptor): void {
    if (this.#checkedPeers.has(peer)) return;
    checkPeer(peer);
    this.#checkedPeers.add(peer);
  }

  #peerState(address: string): PeerState {
    let ps = this.#peers.get(address);
    if (ps === undefined) this.#peers.set(address, (ps = { paths: new Set(), byAttrs: new Map(), last: undefined }));
    return ps;
  }

  #table(afi: 1 | 2, safi: number): Table {
    const k = afi * 256 + safi;
    let t = this.#tables.get(k);
    if (t === undefined) this.#tables.set(k, (t = new PrefixTable<Cell>(afi, safi)));
    return t;
  }

  #newPath(peer: PeerDescriptor, afi: 1 | 2, safi: number, nextHops: readonly string[], attributes: readonly PathAttribute[], pathId: number, stale: boolean): LocPath {
    const nextHop = nextHops[0]!;
    const c = candidatePath({ peer, attributes, nextHop, pathId, igpCost: this.#options.igpCost?.(nextHop) }, this.#options);
    return new LocPath(c, afi, safi, nextHops, attributes, stale);
  }

  /** The IPv4 NLRI-field path: one per attribute list while it lives, unless attributes were filtered or IGP costs are asked for. */
  #nlriPath(peer: PeerDescriptor, attrs: readonly PathAttribute[], nextHop: string, filtered: boolean): LocPath {
    const ps = this.#peerState(peer.peerAddress);
    const cacheable = !filtered && this.#options.igpCost === undefined;
    const hit = cacheable ? ps.byAttrs.get(attrs) : undefined;
    if (hit !== undefined && hit.peer === peer && !hit.stale && hit.drain === undefined) return hit;
    const p = this.#newPath(peer, 1, 1, [nextHop], attrs, 0, false);
    if (cacheable) ps.byAttrs.set(attrs, p);
    return p;
  }

  #announceList(ps: PeerState, list: PrefixList, safi: number, base: LocPath, events: PendingEvent[] | undefined): number {
    const table = this.#table(list.afi, safi);
    const { words, stride, length, addPath } = list;
    let byId: Map<number, LocPath> | undefined;
    const w = this.#scratch;
    for (let i = 0, o = 0; i < length; i++, o += stride) {
      let slot: number;
      if (list.afi === 1) {
        const len = words[o + 1]!;
        const addr = (words[o]! & wordMask(len, 0)) >>> 0;
        slot = table.find4(addr, len);
        if (slot < 0) {
          w[0] = addr;
          slot = table.insert(w, len);
        }
      } else {
        const len = words[o + 4]!;
        for (let k = 0; k < 4; k++) w[k] = (words[o + k]! & wordMask(len, k)) >>> 0;
        slot = table.find(w, len);
        if (slot < 0) slot = table.insert(w, len);
      }
      const pathId = addPath ? words[o + stride - 1]! : 0;
      let p = base;
      if (pathId !== 0) {
        byId ??= new Map();
        p = byId.get(pathId) ?? new LocPath({ ...base, pathId }, base.afi, base.safi, base.nextHops, base.attributes, false);
        byId.set(pathId, p);
      }
      this.#put(table, slot, p, events);
    }
    // nothing took the path (all announced again unchanged): do not keep it cached
    if (base.refs === 0 && ps.byAttrs.get(base.attributes) === base) ps.byAttrs.delete(base.attributes);
    return length;
  }

  #withdrawList(address: string, list: PrefixList, safi: number, events: PendingEvent[] | undefined): number {
    const table = this.#tables.get(list.afi * 256 + safi);
    if (table === undefined || list.length === 0) return 0;
    const { words, stride, length, addPath } = list;
    const w = this.#scratch;
    let n = 0;
    for (let i = 0, o = 0; i < length; i++, o += stride) {
      const lenAt = list.afi === 1 ? 1 : 4;
      const len = words[o + lenAt]!;
      for (let k = 0; k < lenAt; k++) w[k] = (words[o + k]! & wordMask(len, k)) >>> 0;
      const slot = table.find(w, len);
      if (slot < 0) continue;
      const p = memberOf(table.cells[slot]!, address, addPath ? words[o + stride - 1]! : 0);
      if (p === undefined) continue;
      this.#drop(table, slot, p, events);
      n++;
    }
    return n;
  }

  /** Puts path `p` into the prefix in `slot`, replacing the peer's path with the same key. */
  #put(table: Table, slot: number, p: LocPath, events: PendingEvent[] | undefined): void {
    const cell = table.cells[slot];
    const old = memberLike(cell, p);
    if (old === undefined) {
      this.#retain(p);
      this.#commit(table, slot, cell, this.#sets.add(cell, p), events);
      return;
    }
    if (old === p) return;
    let q = p;
    if (p.sameContent(old)) {
      // announced again unchanged: keep the stored path (and its IGP cost); a stand-in when only
      // the stale flag differs or a peerDown job holds it, without events
      if (old.stale === p.stale && old.drain === undefined) return;
      q = old.twin(p.stale);
    }
    this.#retain(q);
    this.#release(old);
    this.#commit(table, slot, cell, this.#sets.replace(cell!, old, q), events);
  }

  #drop(table: Table, slot: number, p: LocPath, events: PendingEvent[] | undefined): void {
    const cell = table.cells[slot]!;
    this.#release(p);
    this.#commit(table, slot, cell, this.#sets.remove(cell, p), events);
  }

  #retain(p: LocPath): void {
    this.#pathCount++;
    if (p.refs++ === 0 && p.drain === undefined) this.#peerState(p.peer.peerAddress).paths.add(p);
  }

  #release(p: LocPath): void {
    this.#pathCount--;
    if (p.drain !== undefined) p.drain.left--;
    if (--p.refs > 0) return;
    p.addMemo = undefined;
    const ps = this.#peerState(p.peer.peerAddress);
    ps.paths.delete(p);
    if (ps.byAttrs.get(p.attributes) === p) ps.byAttrs.delete(p.attributes);
  }

  /** Stores the prefix's new cell (`after`; undefined removes the prefix) and queues the events of what changed. */
  #commit(table: Table, slot: number, before: Cell | undefined, after: Cell | undefined, events: PendingEvent[] | undefined): void {
    if (before === after) return;
    if (after instanceof PathSet) this.#sets.retain(after);
    if (before instanceof PathSet) this.#sets.release(before);
    if (events !== undefined) {
      const pb = bestOf(before);
      const nb = bestOf(after);
      const ph = hopsOf(before);
      const nh = hopsOf(after);
      const bestChanged = pb !== nb && (pb === undefined || nb === undefined || pb.root !== nb.root);
      const hopsChanged = ph !== nh && !sameHops(ph, nh);
      if (bestChanged || hopsChanged) {
        const { afi, safi } = table;
        const prefix = table.text(slot);
        if (bestChanged) events.push({ name: 'bestPathChanged', e: { afi, safi, prefix, previous: summaryOf(pb), current: summaryOf(nb) } });
        if (hopsChanged) events.push({ name: 'multipathChanged', e: { afi, safi, prefix, previous: ph, current: nh } });
      }
    }
    if (after === undefined) table.remove(slot);
    else table.cells[slot] = after;
  }

  #emit(events: readonly PendingEvent[]): void {
    for (const ev of events) {
      if (ev.name === 'bestPathChanged') this.emit('bestPathChanged', ev.e);
      else this.emit('multipathChanged', ev.e);
    }
  }
}

function sameHops(a: readonly MultipathNextHop[], b: readonly MultipathNextHop[]): boolean {
  return a.length === b.length && a.every((h, i) => h.nextHop === b[i]!.nextHop && h.peerAddress === b[i]!.peerAddress);
}
