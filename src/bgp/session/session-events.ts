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
}
