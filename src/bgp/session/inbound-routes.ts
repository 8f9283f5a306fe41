/**
 * What received routes do to a session's Adj-RIB-In, and the events they produce: UPDATEs applied
 * (with the codec's RFC 7606 treat-as-withdraw), End-of-RIB recognised, routes kept stale when
 * the session drops with graceful restart (RFC 4724) and swept at End-of-RIB or expiry, and the
 * peer's enhanced route refresh (RFC 7313: BoRR marks the family stale, EoRR sweeps what was not
 * re-sent), the Adj-RIB-In's per-family counts checked against the maximum-prefix limits
 * (max-prefixes.ts).
 *
 * Owns: those rules. Must not touch: the FSM, the connection, the outbound side.
 */
import { type UpdateMessage, endOfRib } from '../codec/update.js';
import type { AdjRibIn } from '../../rib/adj-rib-in.js';
import type { EndOfRibEvent, StaleRoutesEvent, UpdateEvent } from './session-events.js';
import { MaxPrefixes, type MaxPrefixesEvent, type MaxPrefixesOverflow, type PrefixCountsSnapshot } from './max-prefixes.js';
import type { FamilyName, ResolvedMaxPrefixes } from './session-config.js';

type WithoutPeer<T> = Omit<T, 'peer'>;

/** The events, without the `peer` field the session adds. */
export type InboundRouteEvent =
  | ({ readonly type: 'update' } & WithoutPeer<UpdateEvent>)
  | ({ readonly type: 'endOfRib' } & WithoutPeer<EndOfRibEvent>)
  | ({ readonly type: 'staleRoutes' } & WithoutPeer<StaleRoutesEvent>)
  | MaxPrefixesEvent;

export class InboundRoutes {
  readonly #rib: AdjRibIn;
  /** False: the session reports UPDATEs but keeps no Adj-RIB-In. */
  readonly #keep: boolean;
  readonly #emit: (e: InboundRouteEvent) => void;
  readonly #limits: MaxPrefixes;

  constructor(rib: AdjRibIn, keep: boolean, emit: (e: InboundRouteEvent) => void, maxPrefixes?: ResolvedMaxPrefixes | undefined) {
    this.#rib = rib;
    this.#keep = keep;
    this.#emit = emit;
    this.#limits = new MaxPrefixes(maxPrefixes, emit);
  }

  /**
   * Applies an UPDATE and reports it. Returns the family that went above its maximum-prefix limit
   * when the session must be torn down: the UPDATE is then not reported (its routes go with the
   * session).
   */
  update(update: UpdateMessage): MaxPrefixesOverflow | undefined {
    if (this.#keep) {
      const r = this.#rib.apply(update);
      const overflow = r.changed.length === 0 ? undefined : this.#limits.check(this.#rib.familyCounts(), r.changed, r.grown);
      if (overflow !== undefined) return overflow;
    }
    const eor = endOfRib(update);
    if (eor !== undefined) this.#emit({ type: 'endOfRib', afi: eor.afi, safi: eor.safi });
    else this.#emit({ type: 'update', update, diagnostics: update.diagnostics ?? [] });
    return undefined;
  }

  /** Routes per family with their maximum-prefix limits, for the snapshot. */
  prefixCounts(families: readonly FamilyName[]): PrefixCountsSnapshot {
    return this.#limits.snapshot(this.#rib.familyCounts(), families);
  }

  /** The session left Established: keep the routes of `staleFamilies` as stale (graceful restart), or drop all. */
  sessionDown(retainRoutes: boolean, staleFamilies: readonly number[]): void {
    if (retainRoutes) {
      this.#emit({ type: 'staleRoutes', action: 'marked', count: this.#rib.markStale(staleFamilies) });
      // RFC 4724 s4.2: routes of families the peer did not list for graceful restart (or without
      // preserved forwarding state) are deleted at once, as without graceful restart
      const others = [...this.#rib.familyCounts().keys()].filter((k) => !staleFamilies.includes(k));
      if (others.length > 0) {
        this.#rib.markStale(others);
        this.sweep(others, true);
      }
    } else {
      this.#rib.clear();
      this.#limits.rearm(this.#rib.familyCounts());
    }
  }

  /** Deletes what is still stale in these families (all when undefined): End-of-RIB, restart timer expiry, EoRR. */
  sweep(families: readonly number[] | undefined, onlyWhenAny = false): void {
    const swept = this.#rib.sweepStale(families);
    if (swept.length > 0) this.#limits.rearm(this.#rib.familyCounts());
    if (swept.length > 0 || !onlyWhenAny) this.#emit({ type: 'staleRoutes', action: 'swept', count: swept.length, routes: swept });
  }

  /** RFC 7313 s4 BoRR from the peer: it re-sends the family; what it does not re-send goes at EoRR. */
  refreshBegins(family: number): void {
    this.#rib.markStale([family]);
  }

  refreshEnds(family: number): void {
    this.sweep([family], true);
  }
}
