/**
 * Adj-RIB-Out for one peer (RFC 4271 s3.2): the routes we want the peer to have, what it has been
 * sent, and the paths whose state differs ("dirty").
 *
 * Two ways to state what is wanted, as MetalLB's speaker does: `set(advertisements)` is the whole
 * wanted set (diffed against the current one: only what changed is queued), and incremental
 * `announce` / `withdraw`. Several paths of one prefix are ECMP: sent with their path ids where
 * ADD-PATH (RFC 7911) is negotiated, otherwise only the preferred one (attribute-set.ts,
 * comparePaths). Attribute sets are interned, routes live in typed arrays (route-table.ts), and
 * `drain` packs dirty routes into UPDATEs per attribute set up to the negotiated message size,
 * withdrawals batched (update-packer.ts). The queue is the dirty ring: at most one entry per
 * path, so it is bounded by the table however fast routes change.
 *
 * Sans-I/O: the session calls `drain` when the transport can take more. Large `set` calls can be
 * cut into slices with `beginSet` so no call holds the event loop.
 */
import { BgpError } from '../bgp/errors.js';
import { type CodecContext, hasAddPath, maxMessageLength } from '../bgp/codec/context.js';
import { formatIpv4, formatIpv6Words } from '../bgp/prefix/address.js';
import {
  type Advertisement,
  AdvertisementCache,
  type NormalizedAdvertisement,
  type PeerView,
  mergeAdvertisements,
  normalizeAdvertisement,
  parseIpv4PrefixFast,
} from './advertisement.js';
import { AttributeSets, type EncodedAttributes } from './attribute-set.js';
import { ChangeJournal } from './change-journal.js';
import { DrainBatch } from './drain-batch.js';
import { setSent } from './path-diff.js';
import { RouteTable, SLOT_AUTO_ID, SLOT_LIVE } from './route-table.js';
import { UpdatePacker } from './update-packer.js';

/** What `drain` needs to know about the session the UPDATEs go out on. */
export interface DrainView extends PeerView {
  readonly sendContext: CodecContext;
  /** AFIs negotiated for unicast (1 IPv4, 2 IPv6); routes of other families wait. */
  readonly afis: ReadonlySet<number>;
  /** Communities added to every announcement (RFC 8326 GRACEFUL_SHUTDOWN during a graceful shutdown). */
  readonly extraCommunities?: readonly number[] | undefined;
}

export interface DrainResult {
  /** Encoded UPDATE messages, in order (views of one buffer). */
  readonly messages: Uint8Array[];
  readonly bytes: number;
  readonly announced: number;
  readonly withdrawn: number;
  /** Routes that could not be sent (e.g. no next hop of their family), with the reason. */
  readonly errors: readonly BgpError[];
  /** Prefixes of the view's families are still waiting (the byte budget ran out). */
  readonly more: boolean;
}

/**
 * A prefix alone withdraws every path of it; with `pathId` the path with that id; with `nextHop`
 * the path announced without a path id via that next hop ('self' or omitted: next-hop self).
 */
export type WithdrawSpec = string | { readonly prefix: string; readonly pathId?: number | undefined; readonly nextHop?: string | undefined };

export interface AdjRibOutOptions {
  /**
   * Who this Adj-RIB-Out is for: an advertisement with a `peers` list goes only to peers whose
   * address or name is in it.
   */
  readonly peer?: { readonly address?: string | undefined; readonly name?: string | undefined } | undefined;
}

/** What a `set` changed. */
export interface SetResult {
  /** Paths newly wanted or with changed attributes. */
  readonly changed: number;
  /** Paths no longer wanted. */
  readonly removed: number;
  /** Paths stated again unchanged. */
  readonly unchanged: number;
}

/** A `set` in slices: `add` batches, then `finish` until it returns true. */
export interface RibSetJob {
  /** Adds advertisements to the wanted set (a bad one throws and leaves this batch unapplied). */
  add(advertisements: readonly Advertisement[]): void;
  /** Withdraws what was not added, at most `maxPaths` slots examined per call; true when done. */
  finish(maxPaths?: number): boolean;
  readonly result: SetResult;
}

/**
 * One advertisement ready for the table: its prefix is in the table's `key` / `keyLength`, and
 * `attrs` carries its attributes, next hop and peers (its own prefix fields may be another
 * advertisement's: see AdvertisementCache).
 */
interface PathInput {
  afi: 1 | 2;
  pathId: number;
  explicit: boolean;
  attrs: NormalizedAdvertisement;
}

export class AdjRibOut {
  readonly #cache = new AdvertisementCache();
  /** The prefix's first path found by the last #findPath (-1: the prefix has none). */
  #lastHead = -1;
  readonly #input: PathInput = { afi: 1, pathId: 0, explicit: false, attrs: undefined as unknown as NormalizedAdvertisement };
  readonly #tables: readonly [RouteTable, RouteTable] = [new RouteTable(1), new RouteTable(2)];
  readonly #sets = new AttributeSets();
  readonly #peerIds: ReadonlySet<string>;
  /** Generation of the current batch (marks paths touched by it); grows by one per batch. */
  #gen = 0;
  #wantedCount = 0;

  constructor(options: AdjRibOutOptions = {}) {
    const ids = new Set<string>();
    if (options.peer?.address !== undefined) ids.add(options.peer.address);
    if (options.peer?.name !== undefined) ids.add(options.peer.name);
    this.#peerIds = ids;
  }

  /** The whole wanted set: paths not in `advertisements` are withdrawn. Atomic: a bad advertisement changes nothing. */
  set(advertisements: readonly Advertisement[]): SetResult {
    if (!Array.isArray(advertisements)) throw new BgpError('ERR_RIB_BAD_ADVERTISEMENT', 'set: advertisements must be a list');
    const job = this.beginSet();
    job.add(advertisements);
    job.finish(Infinity);
    return job.result;
  }

  /**
   * `set` in slices, for tables large enough that one call would hold the event loop: call `add`
   * with batches, then `finish(maxPaths)` until it returns true, yielding in between. Routes
   * announced through `announce` while the job runs count as part of the set.
   */
  beginSet(): RibSetJob {
    const gen = ++this.#gen;
    const counts = { changed: 0, removed: 0, unchanged: 0 };
    let table = 0;
    let cursor = 0;
    let done = false;
    return {
      add: (advertisements) => {
        if (done) throw new BgpError('ERR_RIB_SET_FINISHED', 'this set job has finished; begin a new one');
        const r = this.#apply(advertisements, gen, 'set');
        counts.changed += r.changed;
        counts.unchanged += r.unchanged;
      },
      finish: (maxPaths = Infinity) => {
        let budget = maxPaths;
        while (table < 2) {
          const t = this.#tables[table]!;
          const top = t.top;
          while (cursor < top && budget > 0) {
            const s = cursor++;
            budget--;
            if ((t.flags[s]! & SLOT_LIVE) !== 0 && t.wanted[s] !== 0 && t.mark[s]! < gen) {
              this.#unwant(t, s);
              counts.removed++;
            }
          }
          if (cursor < top) return false;
          table++;
          cursor = 0;
        }
        done = true;
        return true;
      },
      get result(): SetResult {
        return { ...counts };
      },
    };
  }

  /**
   * Adds or replaces paths: a path with the same prefix and path id, or (without a path id) the
   * same prefix and next hop, is replaced; two of one path in the same call are merged (their
   * communities) or, if they differ otherwise, rejected. Atomic.
   */
  announce(advertisements: Advertisement | readonly Advertisement[]): void {
    const list = Array.isArray(advertisements) ? (advertisements as readonly Advertisement[]) : [advertisements as Advertisement];
    this.#apply(list, ++this.#gen, 'announce');
  }

  /** Removes paths (see WithdrawSpec). Unknown ones are ignored. Atomic: a bad spec changes nothing. */
  withdraw(specs: WithdrawSpec | readonly WithdrawSpec[]): void {
    const list = Array.isArray(specs) ? (specs as readonly WithdrawSpec[]) : [specs as WithdrawSpec];
    const parsed = list.map((s) => {
      const prefix = typeof s === 'string' ? s : s?.prefix;
      if (typeof prefix !== 'string') throw new BgpError('ERR_RIB_BAD_ADVERTISEMENT', 'withdraw: prefix must be a string');
      const o = typeof s === 'string' ? undefined : s;
      const nextHop = o?.nextHop === 'self' ? undefined : o?.nextHop;
      const n = normalizeAdvertisement({ prefix, pathId: o?.pathId, nextHop });
      return { n, all: o === undefined || (o.pathId === undefined && o.nextHop === undefined) };
    });
    for (const { n, all } of parsed) {
      const t = this.#tables[n.afi - 1]!;
      this.#loadPrefix(t, n);
      if (all) {
        const paths: number[] = [];
        for (let s = t.findHead(); s >= 0; s = t.next[s]!) paths.push(s);
        for (const s of paths) if (t.wanted[s] !== 0) this.#unwant(t, s);
      } else {
        const s = this.#findPath(t, n.explicitPathId, n.pathId, n.nextHop);
        if (s >= 0 && t.wanted[s] !== 0) this.#unwant(t, s);
      }
    }
  }

  /** Every wanted route, with its path id (automatic ones included). */
  routes(): NormalizedAdvertisement[] {
    const out: NormalizedAdvertisement[] = [];
    for (const t of this.#tables) {
      for (let s = 0; s < t.top; s++) if ((t.flags[s]! & SLOT_LIVE) !== 0 && t.wanted[s] !== 0) out.push(this.#routeOf(t, s));
    }
    return out;
  }

  /** Wanted paths. */
  get size(): number {
    return this.#wantedCount;
  }

  /** Paths waiting to be sent (announce or withdraw). */
  get pendingPrefixes(): number {
    return this.#tables[0].dirtyCount + this.#tables[1].dirtyCount;
  }

  /** Distinct attribute sets in use. */
  get attributeSets(): number {
    return this.#sets.size;
  }

  /** Bytes held by the route tables' arrays. */
  get tableBytes(): number {
    return this.#tables[0].bytes + this.#tables[1].bytes;
  }

  /** The session went down: the peer has nothing from us any more. Wanted routes stay. */
  sessionDown(): void {
    for (const t of this.#tables) {
      t.clearDirty();
      for (let s = 0; s < t.top; s++) {
        if ((t.flags[s]! & SLOT_LIVE) === 0) continue;
        this.#sets.release(t.sent[s]!);
        t.sent[s] = 0;
        t.freeIfUnused(s);
      }
    }
  }

  /**
   * Re-sends every wanted route of the given AFIs (all when omitted): a new session, a route
   * refresh, a graceful-shutdown re-announcement. Pending withdrawals are kept.
   */
  resync(afis?: ReadonlySet<number>): void {
    for (const t of this.#tables) {
      if (afis !== undefined && !afis.has(t.afi)) continue;
      for (let s = 0; s < t.top; s++) {
        if ((t.flags[s]! & SLOT_LIVE) === 0 || t.wanted[s] === 0) continue;
        this.#sets.release(t.sent[s]!);
        t.sent[s] = 0;
        t.markDirty(s);
      }
    }
  }

  /**
   * Builds UPDATEs for dirty paths until about `maxBytes` of messages are produced (at least one
   * message when anything is pending). Paths of families not in `view.afis` stay dirty.
   */
  drain(view: DrainView, maxBytes: number): DrainResult {
    const ctx = view.sendContext;
    const extra = view.extraCommunities ?? [];
    const packer = new UpdatePacker(maxMessageLength(ctx), Math.min(Math.max(maxBytes, 4096) + 65536, 1 << 26));
    const errors: BgpError[] = [];
    let announced = 0;
    let withdrawn = 0;
    let estimate = 0;
    let more = false;
    for (const t of this.#tables) {
      if (!view.afis.has(t.afi)) continue;
      const addPath = hasAddPath(ctx, t.afi, 1);
      const batch = new DrainBatch(t);
      batch.estimate = estimate;
      batch.collect(this.#sets, addPath, maxBytes);
      estimate = batch.estimate;
      if (t.dirtyCount > 0) more = true;
      const withdraws = batch.withdraws;
      const ready: [number[], EncodedAttributes][] = [];
      const entryMax = (addPath ? 5 : 1) + (t.afi === 1 ? 4 : 16);
      for (const setId of batch.setIds) {
        const slots = batch.slotsOf(setId);
        const enc = this.#sets.encoded(setId, view, ctx, extra);
        if (!(enc instanceof BgpError) && packer.fits(enc, t.afi, entryMax)) {
          ready.push([slots, enc]);
          continue;
        }
        const first = this.#routeOf(t, slots[0]!).prefixText;
        errors.push(
          enc instanceof BgpError
            ? enc
            : new BgpError('ERR_RIB_ATTRIBUTES_TOO_LONG', `the path attributes of ${first} (and ${slots.length - 1} more) do not fit in a ${packer.maxLength}-octet message`),
        );
        // cannot be sent: withdrawn instead, so the peer keeps no older version of it; a resync
        // (new session, route refresh) tries again
        for (const s of slots) {
          setSent(t, this.#sets, s, 0);
          withdraws.push(s);
        }
      }
      // withdrawals first: a path withdrawn and another announced for one prefix end announced
      if (withdraws.length > 0) {
        packer.withdraw(t, withdraws, addPath);
        withdrawn += withdraws.length;
      }
      for (const [slots, enc] of ready) {
        packer.announce(t, slots, enc, addPath);
        announced += slots.length;
      }
      const toFree = batch.toFree;
      for (const s of toFree) if ((t.flags[s]! & SLOT_LIVE) !== 0) t.freeIfUnused(s);
    }
    return { messages: packer.messages(), bytes: packer.bytes, announced, withdrawn, errors, more };
  }

  // ---- internals ------------------------------------------------------------------------------

  #loadPrefix(t: RouteTable, n: NormalizedAdvertisement): void {
    const w = n.prefix.words;
    for (let i = 0; i < t.words; i++) t.key[i] = w[i]!;
    t.keyLength = n.prefix.length;
  }

  /** The path with this explicit id, or the automatic one via this next hop (prefix in `key`), or -1. */
  #findPath(t: RouteTable, explicit: boolean, pathId: number, nextHop: string | undefined): number {
    const head = t.findHead();
    this.#lastHead = head;
    if (explicit) {
      for (let s = head; s >= 0; s = t.next[s]!) if (t.pathId[s] === pathId) return (t.flags[s]! & SLOT_AUTO_ID) === 0 ? s : -1;
      return -1;
    }
    let ghost = -1;
    for (let s = head; s >= 0; s = t.next[s]!) {
      if ((t.flags[s]! & SLOT_AUTO_ID) === 0) continue;
      const w = t.wanted[s]!;
      if (w !== 0) {
        if (this.#sets.get(w).nextHop === nextHop) return s;
      } else if (t.sent[s] !== 0 && this.#sets.get(t.sent[s]!).nextHop === nextHop) ghost = s;
    }
    return ghost;
  }

  /**
   * Validates one advertisement and loads its prefix into its table's key. The common case (IPv4,
   * canonical text, attributes seen before) skips the full normalizer.
   */
  #prepare(a: Advertisement): PathInput {
    const input = this.#input;
    if (typeof a === 'object' && a !== null && typeof a.prefix === 'string') {
      const v6 = a.prefix.includes(':');
      const raw = v6 ? undefined : this.#cache.rawKey(a, false);
      const attrs = raw === undefined ? undefined : this.#cache.get(raw);
      const agg = a.aggregationLength;
      const pathId = a.pathId;
      const aggOk = agg === undefined || (Number.isInteger(agg) && agg >= 0 && agg <= 32);
      const idOk = pathId === undefined || (Number.isInteger(pathId) && pathId >= 0 && pathId <= 0xffffffff);
      const v6AggOk = a.aggregationLengthV6 === undefined || (Number.isInteger(a.aggregationLengthV6) && a.aggregationLengthV6 >= 0 && a.aggregationLengthV6 <= 128);
      if (attrs !== undefined && aggOk && idOk && v6AggOk) {
        const fast = parseIpv4PrefixFast(a.prefix, agg);
        if (fast !== undefined) {
          const t = this.#tables[0];
          t.key[0] = fast.word;
          t.keyLength = fast.length;
          input.afi = 1;
          input.pathId = pathId ?? 0;
          input.explicit = pathId !== undefined;
          input.attrs = attrs;
          return input;
        }
      }
      const n = normalizeAdvertisement(a);
      if (raw !== undefined) this.#cache.set(raw, n);
      return this.#inputOf(n);
    }
    return this.#inputOf(normalizeAdvertisement(a));
  }

  #inputOf(n: NormalizedAdvertisement): PathInput {
    const input = this.#input;
    this.#loadPrefix(this.#tables[n.afi - 1]!, n);
    input.afi = n.afi;
    input.pathId = n.pathId;
    input.explicit = n.explicitPathId;
    input.attrs = n;
    return input;
  }

  /** Applies a batch with generation `gen`; undone entirely when one advertisement fails. */
  #apply(list: readonly Advertisement[], gen: number, what: 'set' | 'announce'): { changed: number; unchanged: number } {
    const journal = new ChangeJournal();
    const notForUs: NormalizedAdvertisement[] = [];
    let changed = 0;
    let unchanged = 0;
    try {
      for (const a of list) {
        const input = this.#prepare(a);
        const peers = input.attrs.peers;
        if (peers !== undefined && !peers.some((p) => this.#peerIds.has(p))) {
          if (what === 'announce') notForUs.push(normalizeAdvertisement(a));
          continue;
        }
        if (this.#upsert(input, a, gen, journal)) changed++;
        else unchanged++;
      }
    } catch (e) {
      this.#undo(journal);
      throw e;
    }
    // committed: queue the changed paths, drop the journal's references
    const d = journal.data;
    for (let i = 0; i < journal.length; i += 4) {
      this.#tables[d[i]! - 1]!.markDirty(d[i + 1]!);
      this.#sets.release(d[i + 2]!);
    }
    // not for this peer: in a set it is simply absent; an announce replaces (removes) the path
    if (what === 'announce') {
      for (const n of notForUs) {
        const t = this.#tables[n.afi - 1]!;
        this.#loadPrefix(t, n);
        const s = this.#findPath(t, n.explicitPathId, n.pathId, n.nextHop);
        if (s >= 0 && t.wanted[s] !== 0 && t.mark[s] !== gen) this.#unwant(t, s);
      }
    }
    return { changed, unchanged };
  }

  /** Wants one path; true when something changed. Journals the previous state (holding a reference to it). */
  #upsert(input: PathInput, a: Advertisement, gen: number, journal: ChangeJournal): boolean {
    const t = this.#tables[input.afi - 1]!;
    const { explicit, pathId } = input;
    let n = input.attrs;
    let s = this.#findPath(t, explicit, pathId, n.nextHop);
    const head = this.#lastHead;
    if (s < 0 && explicit && head >= 0) {
      const clash = t.findPath(pathId);
      if (clash >= 0) {
        throw new BgpError(
          'ERR_RIB_BAD_ADVERTISEMENT',
          `pathId: ${normalizeAdvertisement(a).prefixText} path id ${pathId} is the automatic id of the path via ${this.#nextHopOf(t, clash)}; give every path of a prefix an explicit pathId, or none`,
        );
      }
    }
    let created = 0;
    if (s < 0) {
      s = t.addPath(explicit ? pathId : this.#freeAutoId(t, head), explicit ? 0 : SLOT_AUTO_ID, head);
      created = 1;
    } else if (t.mark[s] === gen && t.wanted[s] !== 0) {
      n = mergeAdvertisements(this.#sets.get(t.wanted[s]!), normalizeAdvertisement(a));
    }
    const set = this.#sets.intern(n);
    const old = t.wanted[s]!;
    t.mark[s] = gen;
    if (old === set.id) return false;
    journal.push(t.afi, s, old, created);
    this.#sets.retain(old); // the journal's reference
    this.#sets.retain(set.id);
    this.#sets.release(old);
    t.wanted[s] = set.id;
    if (old === 0) this.#wantedCount++;
    return true;
  }

  #undo(journal: ChangeJournal): void {
    const d = journal.data;
    for (let i = journal.length - 4; i >= 0; i -= 4) {
      const t = this.#tables[d[i]! - 1]!;
      const s = d[i + 1]!;
      const old = d[i + 2]!;
      const now = t.wanted[s]!;
      if (now !== old) {
        this.#sets.retain(old);
        this.#sets.release(now);
        t.wanted[s] = old;
        if (old === 0) this.#wantedCount--;
        else if (now === 0) this.#wantedCount++;
      }
      this.#sets.release(old); // the journal's reference
      if (d[i + 3] === 1) t.freeIfUnused(s);
    }
  }

  /** Not wanted any more: withdrawn at the next drain if the peer has it, else forgotten. */
  #unwant(t: RouteTable, s: number): void {
    this.#sets.release(t.wanted[s]!);
    t.wanted[s] = 0;
    this.#wantedCount--;
    if (!t.freeIfUnused(s)) t.markDirty(s);
  }

  /** The lowest id >= 1 no path of the prefix in `key` has (withdrawn ones still on the peer included). */
  #freeAutoId(t: RouteTable, head: number): number {
    if (head < 0) return 1;
    const used = new Set<number>();
    for (let s = head; s >= 0; s = t.next[s]!) used.add(t.pathId[s]!);
    let id = 1;
    while (used.has(id)) id++;
    return id;
  }

  #nextHopOf(t: RouteTable, s: number): string {
    const id = t.wanted[s] || t.sent[s]!;
    return id === 0 ? 'self' : (this.#sets.get(id).nextHop ?? 'self');
  }

  #routeOf(t: RouteTable, s: number): NormalizedAdvertisement {
    const base = s * t.words;
    const a = t.addr;
    const text = t.afi === 1 ? `${formatIpv4(a[base]!)}/${t.plen[s]}` : `${formatIpv6Words(a[base]!, a[base + 1]!, a[base + 2]!, a[base + 3]!)}/${t.plen[s]}`;
    const set = this.#sets.get(t.wanted[s] || t.sent[s]!);
    const auto = (t.flags[s]! & SLOT_AUTO_ID) !== 0;
    const n = normalizeAdvertisement({
      prefix: text,
      pathId: auto ? undefined : t.pathId[s],
      nextHop: set.nextHop,
      nextHopLinkLocal: set.nextHopLinkLocal,
      origin: set.origin === 0 ? 'igp' : set.origin === 1 ? 'egp' : 'incomplete',
      asPathPrepend: set.prependCount === 0 ? undefined : { count: set.prependCount, asn: set.prependAsn },
      med: set.med,
      localPref: set.localPref,
    });
    return Object.freeze({
      ...n,
      pathId: t.pathId[s]!,
      communities: set.communities,
      largeCommunities: set.largeCommunities,
      extendedCommunities: set.extendedCommunities,
      attributeKey: set.key.slice(1),
    });
  }
}
