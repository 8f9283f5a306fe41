/**
 * Adj-RIB-In for one peer (RFC 4271 s3.2): the routes the peer sent, after the codec's RFC 7606
 * outcome is applied (treat-as-withdraw withdraws the UPDATE's NLRI; discarded attributes are
 * already gone), with RFC 4724 stale marking and sweeping for graceful restart. Sans-I/O.
 */
import { afiSafiKey } from '../bgp/iana/afi-safi.js';
import { PrefixList } from '../bgp/prefix/prefix-list.js';
import { type UpdateMessage } from '../bgp/codec/update.js';
import { worstAction } from '../bgp/codec/update-diagnostic.js';
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import { isDecodedMpReach } from '../bgp/codec/attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from '../bgp/codec/attributes/mp-unreach-nlri.js';

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
}

export class AdjRibIn {
  readonly #routes = new Map<string, ReceivedRoute>();
  #staleCount = 0;

  get size(): number {
    return this.#routes.size;
  }

  get staleCount(): number {
    return this.#staleCount;
  }

  /** Applies one UPDATE. */
  apply(update: UpdateMessage): ApplyResult {
    const treatAsWithdraw = worstAction(update.diagnostics) === 'treat-as-withdraw';
    let announced = 0;
    let withdrawn = 0;
    const attrs = update.attributes.filter((a) => a.type !== 'MP_REACH_NLRI' && a.type !== 'MP_UNREACH_NLRI');
    const withdrawList = (list: PrefixList, safi: number): void => {
      for (let i = 0; i < list.length; i++) if (this.#delete(key(list.afi, safi, list.text(i), list.pathId(i)))) withdrawn++;
    };
    const announceList = (list: PrefixList, safi: number, nextHop: readonly string[]): void => {
      if (treatAsWithdraw) return withdrawList(list, safi);
      for (let i = 0; i < list.length; i++) {
        const prefix = list.text(i);
        const pathId = list.pathId(i);
        const k = key(list.afi, safi, prefix, pathId);
        const old = this.#routes.get(k);
        if (old?.stale) this.#staleCount--;
        this.#routes.set(k, { afi: list.afi, safi, prefix, pathId, nextHop, attributes: attrs, stale: false });
        announced++;
      }
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
    return { announced, withdrawn };
  }

  #delete(k: string): boolean {
    const old = this.#routes.get(k);
    if (old === undefined) return false;
    if (old.stale) this.#staleCount--;
    this.#routes.delete(k);
    return true;
  }

  /** Marks the routes of `families` (afiSafiKey values; all when omitted) stale. Returns how many. */
  markStale(families?: readonly number[]): number {
    let n = 0;
    for (const [k, r] of this.#routes) {
      if (r.stale || (families !== undefined && !families.includes(afiSafiKey(r.afi, r.safi)))) continue;
      this.#routes.set(k, { ...r, stale: true });
      this.#staleCount++;
      n++;
    }
    return n;
  }

  /** Deletes the stale routes of `families` (all when omitted) and returns them. */
  sweepStale(families?: readonly number[]): ReceivedRoute[] {
    const out: ReceivedRoute[] = [];
    for (const [k, r] of this.#routes) {
      if (!r.stale || (families !== undefined && !families.includes(afiSafiKey(r.afi, r.safi)))) continue;
      this.#routes.delete(k);
      out.push(r);
    }
    this.#staleCount -= out.length;
    return out;
  }

  /** Deletes every route (session down without graceful restart) and returns how many. */
  clear(): number {
    const n = this.#routes.size;
    this.#routes.clear();
    this.#staleCount = 0;
    return n;
  }

  routes(): ReceivedRoute[] {
    return [...this.#routes.values()];
  }
}

function key(afi: number, safi: number, prefix: string, pathId: number): string {
  return `${afi}/${safi}/${prefix}#${pathId}`;
}
