/**
 * The inputs of the BGP FSM: the RFC 4271 s8.1 events (numbers in the doc comments; names in
 * camelCase), plus the few inputs later RFCs add (ROUTE-REFRESH, the RFC 9687 send hold timer,
 * transport backpressure, graceful restart timers). Timer expiries are ordinary inputs.
 */
import type { NotificationSpec } from '../errors.js';
import type { BgpError } from '../errors.js';
import type { OpenMessage } from '../codec/open.js';
import type { NotificationMessage } from '../codec/notification.js';
import type { UpdateMessage } from '../codec/update.js';
import type { RouteRefreshMessage } from '../codec/route-refresh.js';

export type FsmEvent =
  /** Event 1: ManualStart. */
  | { readonly type: 'manualStart' }
  /** Event 2: ManualStop. `notification` replaces the default Cease / Administrative Shutdown (6/2). */
  | { readonly type: 'manualStop'; readonly notification?: NotificationSpec | undefined; readonly reason?: string | undefined }
  /** Event 3: AutomaticStart. */
  | { readonly type: 'automaticStart' }
  /** Event 4: ManualStart_with_PassiveTcpEstablishment. */
  | { readonly type: 'manualStartWithPassiveTcpEstablishment' }
  /** Event 5: AutomaticStart_with_PassiveTcpEstablishment. */
  | { readonly type: 'automaticStartWithPassiveTcpEstablishment' }
  /** Event 6: AutomaticStart_with_DampPeerOscillations. */
  | { readonly type: 'automaticStartWithDampPeerOscillations' }
  /** Event 7: AutomaticStart_with_DampPeerOscillations_and_PassiveTcpEstablishment. */
  | { readonly type: 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment' }
  /**
   * Event 8: AutomaticStop (e.g. max-prefix, BFD down): `notification` is sent (default Cease 6/0).
   * `restart: false` cancels the automatic restart after the IdleHoldTime (also when already
   * Idle): the FSM then stays Idle until a start event (e.g. BFD coupling waiting for BFD Up).
   * `restartAfterSec` restarts after exactly that long instead of the IdleHold backoff (the
   * maximum-prefix restart); the IdleHoldTimer carries it.
   */
  | {
      readonly type: 'automaticStop';
      readonly notification?: NotificationSpec | undefined;
      readonly reason?: string | undefined;
      readonly restart?: boolean | undefined;
      readonly restartAfterSec?: number | undefined;
    }
  /** Event 9: ConnectRetryTimer_Expires. */
  | { readonly type: 'connectRetryTimerExpires' }
  /** Event 10: HoldTimer_Expires. */
  | { readonly type: 'holdTimerExpires' }
  /** Event 11: KeepaliveTimer_Expires. */
  | { readonly type: 'keepaliveTimerExpires' }
  /** Event 12: DelayOpenTimer_Expires. */
  | { readonly type: 'delayOpenTimerExpires' }
  /** Event 13: IdleHoldTimer_Expires. */
  | { readonly type: 'idleHoldTimerExpires' }
  /** Event 14: TcpConnection_Valid (TrackTcpState; the session accepts or refuses before the FSM sees a connection). */
  | { readonly type: 'tcpConnectionValid' }
  /** Event 15: Tcp_CR_Invalid. */
  | { readonly type: 'tcpCrInvalid' }
  /** Event 16: Tcp_CR_Acked: our outbound connection completed. */
  | { readonly type: 'tcpCrAcked' }
  /** Event 17: TcpConnectionConfirmed: an inbound connection was accepted. */
  | { readonly type: 'tcpConnectionConfirmed' }
  /** Event 18: TcpConnectionFails. */
  | { readonly type: 'tcpConnectionFails'; readonly reason?: string | undefined }
  /** Events 19 / 20: BGPOpen (the FSM tells them apart by the DelayOpenTimer and runs the OPEN checks, turning failures into event 22). */
  | { readonly type: 'bgpOpen'; readonly open: OpenMessage }
  /** Event 21: BGPHeaderErr. */
  | { readonly type: 'bgpHeaderErr'; readonly error: BgpError }
  /** Event 22: BGPOpenMsgErr (an OPEN that does not decode). */
  | { readonly type: 'bgpOpenMsgErr'; readonly error: BgpError }
  /** Event 23: OpenCollisionDump. */
  | { readonly type: 'openCollisionDump' }
  /** Events 24 / 25: NotifMsgVerErr / NotifMsg (told apart by code 2 subcode 1). */
  | { readonly type: 'notifMsg'; readonly notification: NotificationMessage }
  /** Event 26: KeepAliveMsg. */
  | { readonly type: 'keepAliveMsg' }
  /** Event 27: UpdateMsg. An UPDATE whose diagnostics call for a session reset is event 28. */
  | { readonly type: 'updateMsg'; readonly update: UpdateMessage }
  /** Event 28: UpdateMsgErr. */
  | { readonly type: 'updateMsgErr'; readonly error: BgpError }
  /** RFC 2918 / RFC 7313: a ROUTE-REFRESH message (handled like an UPDATE for the hold timer). */
  | { readonly type: 'routeRefreshMsg'; readonly message: RouteRefreshMessage }
  /** A ROUTE-REFRESH that does not decode (RFC 7313 s5: 7/1). */
  | { readonly type: 'routeRefreshMsgErr'; readonly error: BgpError }
  /** RFC 9687: SendHoldTimer_Expires. */
  | { readonly type: 'sendHoldTimerExpires' }
  /** We sent an UPDATE (restarts the KeepaliveTimer, RFC 4271 s4.4). */
  | { readonly type: 'updateSent' }
  /** The transport's send buffer is full (starts the send hold timer). */
  | { readonly type: 'transmitBlocked' }
  /** The transport drained (stops the send hold timer). */
  | { readonly type: 'transmitResumed' }
  /** RFC 4724: the peer's Restart Time (or, once it is back, our stale-path time) ran out. */
  | { readonly type: 'gracefulRestartTimerExpires' };

export type FsmEventType = FsmEvent['type'];

/** RFC 4271 s8.1 event numbers (extensions have none). */
export const RFC_EVENT_NUMBER: Readonly<Partial<Record<FsmEventType, number>>> = {
  manualStart: 1,
  manualStop: 2,
  automaticStart: 3,
  manualStartWithPassiveTcpEstablishment: 4,
  automaticStartWithPassiveTcpEstablishment: 5,
  automaticStartWithDampPeerOscillations: 6,
  automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment: 7,
  automaticStop: 8,
  connectRetryTimerExpires: 9,
  holdTimerExpires: 10,
  keepaliveTimerExpires: 11,
  delayOpenTimerExpires: 12,
  idleHoldTimerExpires: 13,
  tcpConnectionValid: 14,
  tcpCrInvalid: 15,
  tcpCrAcked: 16,
  tcpConnectionConfirmed: 17,
  tcpConnectionFails: 18,
  bgpOpen: 19,
  bgpHeaderErr: 21,
  bgpOpenMsgErr: 22,
  openCollisionDump: 23,
  notifMsg: 25,
  keepAliveMsg: 26,
  updateMsg: 27,
  updateMsgErr: 28,
};
