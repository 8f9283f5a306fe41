/**
 * The typed events of a BgpSession (one eventemitter3 event map; each event carries one named
 * payload object). Events fire after the FSM step that caused them has committed its state, so a
 * listener always sees `snapshot()` agree with the event.
 */
import type { BgpError } from '../errors.js';
import type { NotificationMessage } from '../codec/notification.js';
import type { UpdateMessage } from '../codec/update.js';
import type { UpdateDiagnostic } from '../codec/update-diagnostic.js';
import type { ReceivedRoute } from '../../rib/adj-rib-in.js';
import type { BgpStateName } from './bgp-state.js';
import type { Negotiated } from './negotiate.js';

export interface StateChangeEvent {
  readonly peer: string;
  readonly from: BgpStateName;
  readonly to: BgpStateName;
  readonly reason: string;
}

export interface EstablishedEvent {
  readonly peer: string;
  readonly negotiated: Negotiated;
}

export interface UpdateEvent {
  readonly peer: string;
  readonly update: UpdateMessage;
  /** RFC 7606 outcomes (empty for a clean UPDATE). */
  readonly diagnostics: readonly UpdateDiagnostic[];
}

export interface NotificationEvent {
  readonly peer: string;
  readonly notification: NotificationMessage;
}

export interface RouteRefreshEvent {
  readonly peer: string;
  readonly afi: number;
  readonly safi: number;
  /** 0 request, 1 BoRR, 2 EoRR (RFC 7313). */
  readonly subtype: number;
}

export interface EndOfRibEvent {
  readonly peer: string;
  readonly afi: number;
  readonly safi: number;
}

export interface StaleRoutesEvent {
  readonly peer: string;
  /** RFC 4724 helper: routes kept as stale (`marked`) or deleted at End-of-RIB / timer expiry (`swept`). */
  readonly action: 'marked' | 'swept';
  readonly count: number;
  readonly routes?: readonly ReceivedRoute[] | undefined;
}

export interface SessionErrorEvent {
  readonly peer: string;
  /** A failure that did not change the state by itself (a route that cannot be sent, a socket option refused). */
  readonly error: BgpError;
}

export interface MaxPrefixesWarningEvent {
  readonly peer: string;
  readonly afi: number;
  readonly safi: number;
  readonly limit: number;
  /** Routes of the family in the Adj-RIB-In. */
  readonly count: number;
  /** The configured `warningThresholdPct` that `count` reached. */
  readonly thresholdPct: number;
}

export interface MaxPrefixesExceededEvent {
  readonly peer: string;
  readonly afi: number;
  readonly safi: number;
  /** The limit exceeded: the upper bound sent in the RFC 4486 s4 data. */
  readonly limit: number;
  /** Routes of the family in the Adj-RIB-In with the UPDATE that exceeded the limit. */
  readonly count: number;
  /** `cease`: the session is torn down (Cease 6/1); `warning`: `warningOnly` is set, nothing else happens. */
  readonly action: 'cease' | 'warning';
  /** With `cease`: the automatic restart delay, or undefined when the session stays Idle until `start()`. */
  readonly restartSec: number | undefined;
}

export interface BgpSessionEvents {
  stateChange: (e: StateChangeEvent) => void;
  established: (e: EstablishedEvent) => void;
  update: (e: UpdateEvent) => void;
  notificationSent: (e: NotificationEvent) => void;
  notificationReceived: (e: NotificationEvent) => void;
  routeRefresh: (e: RouteRefreshEvent) => void;
  endOfRib: (e: EndOfRibEvent) => void;
  staleRoutes: (e: StaleRoutesEvent) => void;
  sessionError: (e: SessionErrorEvent) => void;
  /** A family's routes reached `maxPrefixes.warningThresholdPct` of its limit (once per crossing). */
  maxPrefixesWarning: (e: MaxPrefixesWarningEvent) => void;
  /** A family's routes went above `maxPrefixes.limit` (RFC 4486). Fires before the NOTIFICATION and the state change. */
  maxPrefixesExceeded: (e: MaxPrefixesExceededEvent) => void;
}
