/**
 * The outputs of the BGP FSM step: what the session layer must do (connect, send, drop the
 * connection) and what it must report (state changes, established, UPDATEs, NOTIFICATIONs).
 * Actions are executed and reported in order, after the new state is committed.
 */
import type { NotificationSpec } from '../errors.js';
import type { KeepaliveMessage } from '../codec/keepalive.js';
import type { NotificationMessage } from '../codec/notification.js';
import type { OpenMessage } from '../codec/open.js';
import type { RouteRefreshMessage } from '../codec/route-refresh.js';
import type { UpdateMessage } from '../codec/update.js';
import type { BgpStateName } from './bgp-state.js';
import type { Negotiated } from './negotiate.js';

export type FsmAction =
  /** Initiate a TCP connection to the peer. */
  | { readonly type: 'connect' }
  /** Drop the TCP connection (after flushing what was sent). */
  | { readonly type: 'disconnect' }
  /** Send a control message (OPEN, KEEPALIVE, NOTIFICATION). */
  | { readonly type: 'send'; readonly message: OpenMessage | KeepaliveMessage | NotificationMessage }
  /** The OPEN exchange is done and the first KEEPALIVE arrived. */
  | { readonly type: 'established'; readonly negotiated: Negotiated }
  /** An UPDATE to hand to the RIB. */
  | { readonly type: 'deliverUpdate'; readonly update: UpdateMessage }
  /** A ROUTE-REFRESH to answer (the session replays the Adj-RIB-Out). */
  | { readonly type: 'deliverRouteRefresh'; readonly message: RouteRefreshMessage }
  /** A NOTIFICATION was sent (reported after the `send`). */
  | { readonly type: 'notificationSent'; readonly notification: NotificationSpec }
  | { readonly type: 'notificationReceived'; readonly notification: NotificationMessage }
  /**
   * The session went down: release its resources. `retainRoutes` says whether the peer's routes
   * are kept as stale (RFC 4724 helper) instead of deleted.
   */
  | { readonly type: 'sessionDown'; readonly reason: string; readonly retainRoutes: boolean }
  /**
   * RFC 4724: the peer's stale routes are to be deleted now (restart or stale-path timer ran out,
   * or the peer came back without preserved forwarding state): only `families` (afiSafiKey
   * values) when given, else every family.
   */
  | { readonly type: 'sweepStale'; readonly families?: readonly number[] | undefined }
  | { readonly type: 'stateChange'; readonly from: BgpStateName; readonly to: BgpStateName; readonly reason: string };

export type FsmActionType = FsmAction['type'];
