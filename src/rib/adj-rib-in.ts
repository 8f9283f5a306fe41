/**
 * Adj-RIB-In for one peer (RFC 4271 s3.2): the routes the peer sent, after the codec's RFC 7606
 * outcome is applied (treat-as-withdraw withdraws the UPDATE's NLRI; discarded attributes are
 * already gone), with RFC 4724 stale marking and sweeping for graceful restart, and the number
 * of routes per address family (maximum-prefix, RFC 4486). Sans-I/O.
 *
 * A full table is a million routes, so they live in one RouteTable per family (typed arrays, no
 * object or string per route; bench/rib.ts measures the table). The attributes of one UPDATE are
 * stored once and shared by its routes (an entry with a reference count). In the table, a slot's
 * `wanted` column holds the route's attribute entry id and `sent` is 1 while the route is stale;
 * `routes()` builds ReceivedRoute objects on demand.
 *
 * Owns: the received routes, their attribute entries, the per-family counts. Must not touch: the
 * session, the decision process (loc-rib.ts).
 */
import { afiSafiKey } from '../bgp/iana/afi-safi.js';
import { formatIpv4, formatIpv6Words } from '../bgp/prefix/address.js';
import type { PrefixList } from '../bgp/prefix/prefix-list.js';
import { type UpdateMessage } from '../bgp/codec/update.js';
import { worstAction } from '../bgp/codec/update-diagnostic.js';
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import { isDecodedMpReach } from '../bgp/codec/attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from '../bgp/codec/attributes/mp-unreach-nlri.js';
import { RouteTable, SLOT_LIVE } from './route-table.js';

export interface ReceivedRoute {
  readonly afi: 1 | 2;
  readonly safi: number;
  readonly prefix: string;
  /** 0 without ADD-PATH. */
  readonly pathId: number;
  /** IPv4: NEXT_HOP; IPv6: the MP_REACH_NLRI next hops (global, then link-local). */
  readonly nextHop: readonly string[];
  /** The UPDATE's attributes without MP_REACH_NLRI / MP_UNREACH_NLRI (shared between the routes of one UPDATE). */
  readonly attributes: readonly PathAttribute[];
  /** RFC 4724: kept from a previous session, waiting for the peer's End-of-RIB. */
  readonly stale: boolean;
}

export interface ApplyResult {
  readonly announced: number;
  readonly withdrawn: number;
  /** Families (afiSafiKey) whose number of routes changed, and those among them that grew. */
  readonly changed: readonly number[];
  readonly grown: readonly number[];
}

/** The attributes and next hops one UPDATE gave its routes. */
interface AttributeEntry {
  readonly attributes: readonly PathAttribute[];
  readonly nextHop: readonly string[];
  refs: number;
}

interface FamilyTable {
  readonly afi: 1 | 2;
  readonly safi: number;
  readonly key: number;
  readonly table: RouteTable;
}

export class AdjRibIn {
  readonly #families = new Map<number, FamilyTable>();
  /** Index = entry id (>= 1); undefined for free ids. */
  readonly #entries: (AttributeEntry | undefined)[] = [undefined];
  readonly #freeEntries: number[] = [];
  #size = 0;
  #staleCount = 0;

  get size(): number {
    return this.#size;
  }

  get staleCount(): number {
    return this.#staleCount;
  }

  /** Routes of one family (afiSafiKey), stale ones included. */
  familySize(family: number): number {
    return this.#families.get(family)?.table.size ?? 0;
  }

  /** Routes per family (afiSafiKey) that holds any, stale ones included. */
  familyCounts(): Map<number, number> {
    const out = new Map<number, number>();
    for (const f of this.#families.values()) if (f.table.size > 0) out.set(f.key, f.table.size);
    return out;
  }

  /** Applies one UPDATE: withdrawals first, then announcements, family by family. */
  apply(update: UpdateMessage): ApplyResult {
    const treatAsWithdraw = worstAction(update.diagnostics) === 'treat-as-withdraw';
    const attrs = update.attributes.filter((a) => a.type !== 'MP_REACH_NLRI' && a.type !== 'MP_UNREACH_NLRI');
    let announced = 0;
    let withdrawn = 0;
    const before = new Map<number, number>();
    const touch = (f: FamilyTable): FamilyTable => {
      if (!before.has(f.key)) before.set(f.key, f.table.size);
      return f;
    };
    const withdrawList = (list: PrefixList, safi: number): void => {
      if (list.length === 0) return;
      const f = this.#families.get(afiSafiKey(list.afi, safi));
      if (f !== undefined) withdrawn += this.#withdraw(touch(f), list);
    };
    const announceList = (list: PrefixList, safi: number, nextHop: readonly string[]): void => {
      if (list.length === 0) return;
      if (treatAsWithdraw) return withdrawList(list, safi);
      announced += this.#announce(touch(this.#family(list.afi, safi)), list, attrs, nextHop);
    };
    withdrawList(update.withdrawn, 1);
    for (const a of update.attributes) {
      if (a.type === 'MP_UNREACH_NLRI' && isDecodedMpUnreach(a)) withdrawList(a.withdrawn, a.safi);
    }
    if (update.nlri.length > 0) {
      const nh = attrs.find((a) => a.type === 'NEXT_HOP');
      announceList(update.nlri, 1, nh === undefined ? [] : [nh.nextHop]);
    }
    for (const a of update.attributes) {
      if (a.type === 'MP_REACH_NLRI' && isDecodedMpReach(a)) announceList(a.nlri, a.safi, a.nextHop);
    }
    const changed: number[] = [];
    const grown: number[] = [];
    for (const [key, n] of before) {
      const now = this.#families.get(key)!.table.size;
      if (now !== n) changed.push(key);
      if (now > n) grown.push(key);
    }
    return { announced, withdrawn, changed, grown };
  }

  #family(afi: 1 | 2, safi: number): FamilyTable {
    const key = afiSafiKey(afi, safi);
    let f = this.#families.get(key);
    if (f === undefined) this.#families.set(key, (f = { afi, safi, key, table: new RouteTable(afi) }));
    return f;
  }

  #announce(f: FamilyTable, list: PrefixList, attributes: readonly PathAttribute[], nextHop: readonly string[]): number {
    const t = f.table;
    const id = this.#newEntry(attributes, nextHop);
    const entry = this.#entries[id]!;
    for (let i = 0; i < list.length; i++) {
      loadKey(t, list, i);
      const pathId = list.pathId(i);
      let s = t.findPath(pathId);
      if (s < 0) {
        s = t.addPath(pathId, 0);
        this.#size++;
      } else {
        if (t.wanted[s] === id) continue; // the same prefix twice in one UPDATE
        this.#release(t.wanted[s]!);
        if (t.sent[s] !== 0) {
          t.sent[s] = 0;
          this.#staleCount--;
        }
      }
      t.wanted[s] = id;
      entry.refs++;
    }
    if (entry.refs === 0) this.#release(id, true);
    return list.length;
  }

  #withdraw(f: FamilyTable, list: PrefixList): number {
    const t = f.table;
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      loadKey(t, list, i);
      const s = t.findPath(list.pathId(i));
      if (s < 0) continue;
      this.#remove(t, s);
      n++;
    }
    return n;
  }

  #remove(t: RouteTable, s: number): void {
    this.#release(t.wanted[s]!);
    if (t.sent[s] !== 0) this.#staleCount--;
    t.wanted[s] = 0;
    t.sent[s] = 0;
    t.free(s);
    this.#size--;
  }

  #newEntry(attributes: readonly PathAttribute[], nextHop: readonly string[]): number {
    const id = this.#freeEntries.pop() ?? this.#entries.length;
    this.#entries[id] = { attributes, nextHop, refs: 0 };
    return id;
  }

  /** Drops one reference to entry `id` (or, with `unused`, the entry that got none). */
  #release(id: number, unused = false): void {
    const e = this.#entries[id]!;
    if (!unused && --e.refs !== 0) return;
    this.#entries[id] = undefined;
    this.#freeEntries.push(id);
  }

  /** Marks the routes of `families` (afiSafiKey values; all when omitted) stale. Returns how many. */
  markStale(families?: readonly number[]): number {
    let n = 0;
    for (const f of this.#selected(families)) {
      const t = f.table;
      for (let s = 0; s < t.top; s++) {
        if ((t.flags[s]! & SLOT_LIVE) === 0 || t.sent[s] !== 0) continue;
        t.sent[s] = 1;
        n++;
      }
    }
    this.#staleCount += n;
    return n;
  }

  /** Deletes the stale routes of `families` (all when omitted) and returns them. */
  sweepStale(families?: readonly number[]): ReceivedRoute[] {
    const out: ReceivedRoute[] = [];
    for (const f of this.#selected(families)) {
      const t = f.table;
      for (let s = 0; s < t.top; s++) {
        if ((t.flags[s]! & SLOT_LIVE) === 0 || t.sent[s] === 0) continue;
        out.push(this.#route(f, s));
        this.#remove(t, s);
      }
    }
    return out;
  }

  /** Deletes every route (session down without graceful restart) and returns how many. */
  clear(): number {
    const n = this.#size;
    this.#families.clear();
    this.#entries.length = 1;
    this.#freeEntries.length = 0;
    this.#size = 0;
    this.#staleCount = 0;
    return n;
  }

  routes(): ReceivedRoute[] {
    const out: ReceivedRoute[] = [];
    for (const f of this.#families.values()) {
      const t = f.table;
      for (let s = 0; s < t.top; s++) if ((t.flags[s]! & SLOT_LIVE) !== 0) out.push(this.#route(f, s));
    }
    return out;
  }

  #selected(families: readonly number[] | undefined): FamilyTable[] {
    return [...this.#families.values()].filter((f) => families === undefined || families.includes(f.key));
  }

  #route(f: FamilyTable, s: number): ReceivedRoute {
    const t = f.table;
    const e = this.#entries[t.wanted[s]!]!;
    const a = t.addr;
    const prefix =
      f.afi === 1 ? `${formatIpv4(a[s]!)}/${t.plen[s]!}` : `${formatIpv6Words(a[4 * s]!, a[4 * s + 1]!, a[4 * s + 2]!, a[4 * s + 3]!)}/${t.plen[s]!}`;
    return { afi: f.afi, safi: f.safi, prefix, pathId: t.pathId[s]!, nextHop: e.nextHop, attributes: e.attributes, stale: t.sent[s] !== 0 };
  }
}

/** Puts entry `i` of `list` into the table's lookup key, host bits cleared (10.0.0.1/24 is 10.0.0.0/24). */
function loadKey(t: RouteTable, list: PrefixList, i: number): void {
  const w = list.words;
  const o = i * list.stride;
  const words = t.words;
  const length = w[o + words]!;
  t.keyLength = length;
  for (let k = 0; k < words; k++) {
    const bits = length - 32 * k;
    const mask = bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : ~(0xffffffff >>> bits);
    t.key[k] = (w[o + k]! & mask) >>> 0;
  }
}
