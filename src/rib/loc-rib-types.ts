/**
 * The Loc-RIB's public types: options, the route and key forms it takes, the `show ip route`
 * views, the events and the peerDown job. Types only; re-exported by loc-rib.ts.
 */
import type { ReceivedRoute } from './adj-rib-in.js';
import type { DecisionStep, MultipathOptions } from './decision-process.js';
import type { PathSummary } from './path-summary.js';

export interface LocRibOptions extends MultipathOptions {
  /**
   * Cost to reach a next hop (RFC 4271 s9.1.2.2 e), read when a path's attributes are first seen
   * (once per UPDATE for `applyUpdate`); return undefined (or leave unset) to skip the step. A
   * path keeps the cost it was added with.
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

/** An address family, for `markStale`. */
export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
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

/** What `applyUpdate` did. */
export interface LocRibApplyResult {
  /** Prefixes announced (installed, replaced or unchanged). */
  readonly announced: number;
  /** Paths removed: withdrawn, or announced under RFC 7606 treat-as-withdraw (or without a next hop). */
  readonly withdrawn: number;
}

/** Removes a peer's paths in slices; from `LocRib.peerDownInSlices`. */
export interface PeerDownJob {
  readonly peerAddress: string;
  /** The peer's paths (as of the call) still in the table: not yet removed, withdrawn, replaced or announced again. */
  readonly remaining: number;
  /** Paths removed by this job so far. */
  readonly removed: number;
  readonly done: boolean;
  /** Removes up to `maxRoutes` more paths, emits their events, and returns true while more remain. */
  step(maxRoutes: number): boolean;
}
