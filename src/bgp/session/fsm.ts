/**
 * The BGP finite state machine of RFC 4271 s8, for one connection, as one pure function:
 * `step(state, event, env) -> { state, actions }`. Timers are deadlines in the state (milliseconds
 * of the injected clock); time and jitter come in through `env`. The session layer (L2) runs the
 * actions and turns due deadlines into timer events. Never touches sockets, clocks or the RIB.
 *
 * Deliberate choices where RFC 4271 leaves room (each is listed in docs/rfc-status.md):
 * - TcpConnectionFails in Connect moves to Active and keeps the ConnectRetryTimer running (as
 *   FRR and BIRD do) instead of dropping to Idle: a peer that is not up yet is retried every
 *   ConnectRetryTime rather than after an IdleHold backoff.
 * - Peer oscillation damping is always on for automatic restarts: after a drop the FSM waits in
 *   Idle for the IdleHoldTime, which doubles on each consecutive drop (up to maxIdleHoldTimeSec)
 *   and resets once a session stays Established for idleHoldResetSec.
 * - A passive session (PassiveTcpEstablishment) never initiates a connection, also when the
 *   ConnectRetryTimer expires in Active.
 * - Unexpected messages give the RFC 6608 subcode of the state; unexpected non-message events
 *   (timers that cannot run in a state) give FSM Error / Unspecified (5/0).
 * - A NOTIFICATION received in OpenSent closes the connection without answering it, although
 *   s8.2.2 lists event 25 among OpenSent's "any other event" (FSM Error): s4.5 says the
 *   connection is closed right after a NOTIFICATION, and nothing answers a NOTIFICATION.
 */
import type { NotificationSpec } from '../errors.js';
import { notification } from '../errors.js';
import { CeaseSubcode, ErrorCode, FsmErrorSubcode, MessageHeaderErrorSubcode, OpenMessageErrorSubcode } from '../iana/notification-codes.js';
import { buildNotification } from '../codec/notification.js';
import type { OpenMessage } from '../codec/open.js';
import { endOfRib } from '../codec/update.js';
import { afiSafiKey } from '../iana/afi-safi.js';
import { BgpState, type BgpStateName } from './bgp-state.js';
import {
  type FsmEnv,
  type FsmState,
  type StepResult,
  type TimerName,
  OPEN_SENT_HOLD_TIME_SEC,
  TIMER_EVENTS,
  idleHoldDelayMs,
  sendHoldTimeSec,
} from './fsm-state.js';

export * from './fsm-state.js';
import type { FsmAction } from './fsm-action.js';
import type { FsmEvent } from './fsm-event.js';
import { type Negotiated, checkOpen, localOpen } from './negotiate.js';
import type { ResolvedPeerConfig } from './session-config.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Per-step working copy: collects actions, applies state changes, never mutates the input. */
class Tx {
  readonly s: Mutable<FsmState>;
  readonly timers: Partial<Record<TimerName, number>>;
  readonly actions: FsmAction[] = [];
  readonly from: BgpStateName;

  constructor(
    state: FsmState,
    readonly env: FsmEnv,
  ) {
    this.s = { ...state };
    this.timers = { ...state.timers };
    this.from = state.state;
  }

  get c(): ResolvedPeerConfig {
    return this.env.config;
  }

  /** Base value x RFC 4271 s10 jitter (uniform 0.75..1.0). */
  jittered(sec: number): number {
    return sec * 1000 * (0.75 + 0.25 * this.env.random());
  }

  set(name: TimerName, ms: number): void {
    this.timers[name] = this.env.nowMs + ms;
  }

  stop(name: TimerName): void {
    delete this.timers[name];
  }

  startConnectRetry(): void {
    this.set('connectRetry', this.jittered(this.c.connectRetryTimeSec));
  }

  startKeepalive(): void {
    const k = this.s.negotiated?.keepaliveTimeSec ?? 0;
    if (k > 0) this.set('keepalive', this.jittered(k));
    else this.stop('keepalive');
  }

  restartHold(): void {
    const h = this.s.negotiated?.holdTimeSec ?? 0;
    if (h > 0) this.set('hold', h * 1000);
    else this.stop('hold');
  }

  send(message: Extract<FsmAction, { type: 'send' }>['message']): void {
    this.actions.push({ type: 'send', message });
  }

  sendOpen(): void {
    this.send(localOpen(this.c));
    this.s.openSent = true;
  }

  sendNotification(n: NotificationSpec): void {
    this.send(buildNotification(n.code, n.subcode, n.data));
    this.actions.push({ type: 'notificationSent', notification: n });
  }

  /** OpenSent: our OPEN is out, wait for the peer's with a large HoldTimer. */
  toOpenSent(reason: string): void {
    this.stop('connectRetry');
    this.stop('delayOpen');
    this.sendOpen();
    this.set('hold', OPEN_SENT_HOLD_TIME_SEC * 1000);
    this.go(BgpState.OpenSent, reason);
  }

  /** Validates the peer's OPEN; on success moves to OpenConfirm, else sends the NOTIFICATION and drops. */
  acceptOpen(open: OpenMessage, reason: string): void {
    const r = checkOpen(open, this.c);
    if (!r.ok) {
      this.toIdle(`bad OPEN: ${r.reason}`, { notification: r.notification, counter: 'increment' });
      return;
    }
    this.stop('connectRetry');
    this.stop('delayOpen');
    if (!this.s.openSent) this.sendOpen();
    this.s.peerOpen = open;
    this.s.negotiated = r.negotiated;
    this.send({ type: 'KEEPALIVE' });
    this.startKeepalive();
    this.restartHold();
    this.go(BgpState.OpenConfirm, reason);
  }

  go(to: BgpStateName, reason: string): void {
    const from = this.s.state;
    this.s.state = to;
    if (from !== to) this.actions.push({ type: 'stateChange', from, to, reason });
  }

  /** Leaves Idle: connect (or wait passively) with a fresh ConnectRetryTimer. */
  start(passive: boolean, reason: string, resetCounter: boolean): void {
    this.stop('idleHold');
    if (resetCounter) this.s.connectRetryCounter = 0;
    this.s.passive = passive;
    this.s.openSent = false;
    this.startConnectRetry();
    if (passive) this.go(BgpState.Active, reason);
    else {
      this.actions.push({ type: 'connect' });
      this.go(BgpState.Connect, reason);
    }
  }

  /**
   * Drops the connection and goes Idle: the common tail of most error transitions. Sends
   * `notification` first when given; releases resources (reporting sessionDown when leaving
   * Established); updates the ConnectRetryCounter; and, unless stopped by hand, arms the
   * IdleHoldTimer with the backoff.
   */
  toIdle(
    reason: string,
    o: {
      notification?: NotificationSpec | undefined;
      received?: NotificationSpec | undefined;
      counter: 'increment' | 'reset' | 'keep';
      manual?: boolean;
      /** false: no automatic restart (AutomaticStop with `restart: false`). */
      restart?: boolean | undefined;
      /** Restart after exactly this long instead of the IdleHold backoff. */
      restartAfterSec?: number | undefined;
    },
  ): void {
    if (o.notification !== undefined) this.sendNotification(o.notification);
    for (const t of ['connectRetry', 'hold', 'keepalive', 'delayOpen', 'sendHold'] as const) this.stop(t);
    this.actions.push({ type: 'disconnect' });
    const wasEstablished = this.s.state === BgpState.Established;
    if (wasEstablished) {
      const retain = !o.manual && this.retainRoutes(o.notification ?? o.received);
      this.actions.push({ type: 'sessionDown', reason, retainRoutes: retain });
      if (retain) {
        const peer = this.s.negotiated!.gracefulRestart.peer!;
        const fams = peer.families.map((f) => afiSafiKey(f.afi, f.safi));
        const already = this.s.staleFamilies.length > 0;
        this.s.staleFamilies = [...new Set([...this.s.staleFamilies, ...fams])];
        const deadline = this.env.nowMs + peer.restartTimeSec * 1000;
        this.timers.gracefulRestart = already && this.timers.gracefulRestart !== undefined ? Math.min(this.timers.gracefulRestart, deadline) : deadline;
      } else if (this.s.staleFamilies.length > 0) {
        this.sweepAll();
      }
    }
    if (o.manual && this.s.staleFamilies.length > 0) this.sweepAll();
    if (o.counter === 'increment') this.s.connectRetryCounter += 1;
    else if (o.counter === 'reset') this.s.connectRetryCounter = 0;
    this.s.openSent = false;
    this.s.peerOpen = undefined;
    this.s.negotiated = undefined;
    this.s.transmitBlocked = false;
    this.s.lastError = reason;
    if (o.manual || o.restart === false) {
      this.s.autoRestart = false;
      this.stop('idleHold');
    } else if (this.s.autoRestart) {
      const stable = this.s.establishedAtMs !== undefined && this.env.nowMs - this.s.establishedAtMs >= this.c.idleHoldResetSec * 1000;
      if (wasEstablished && stable) this.s.flaps = 0;
      this.s.flaps += 1;
      this.set('idleHold', o.restartAfterSec === undefined ? idleHoldDelayMs(this.c, this.s.flaps) : o.restartAfterSec * 1000);
    }
    this.s.establishedAtMs = undefined;
    this.go(BgpState.Idle, reason);
  }

  sweepAll(): void {
    this.s.staleFamilies = [];
    this.stop('gracefulRestart');
    this.actions.push({ type: 'sweepStale' });
  }

  /**
   * RFC 4724 s4.2 / RFC 8538: keep the peer's routes as stale when both sides advertised Graceful
   * Restart (the peer with at least one family), and the session ended without a NOTIFICATION,
   * or with one other than Hard Reset when both sides set the N bit.
   */
  retainRoutes(n: NotificationSpec | undefined): boolean {
    const neg = this.s.negotiated;
    const peer = neg?.gracefulRestart.peer;
    if (neg === undefined || !neg.gracefulRestart.local || peer === undefined || peer.families.length === 0) return false;
    if (n === undefined) return true;
    const bothN = peer.notification && this.c.gracefulRestart?.notification === true;
    return bothN && !(n.code === ErrorCode.CEASE && n.subcode === CeaseSubcode.HARD_RESET);
  }

  result(): StepResult {
    this.s.timers = this.timers;
    return { state: this.s, actions: this.actions };
  }
}

const fsmError = (subcode: number): NotificationSpec => notification(ErrorCode.FINITE_STATE_MACHINE_ERROR, subcode);

/** RFC 6608 subcode for an unexpected message in `state`. */
function unexpectedMessageSubcode(state: BgpStateName): number {
  switch (state) {
    case BgpState.OpenSent:
      return FsmErrorSubcode.RECEIVE_UNEXPECTED_MESSAGE_IN_OPENSENT_STATE;
    case BgpState.OpenConfirm:
      return FsmErrorSubcode.RECEIVE_UNEXPECTED_MESSAGE_IN_OPENCONFIRM_STATE;
    case BgpState.Established:
      return FsmErrorSubcode.RECEIVE_UNEXPECTED_MESSAGE_IN_ESTABLISHED_STATE;
    default:
      return FsmErrorSubcode.UNSPECIFIED_ERROR;
  }
}

/** Events 1 and 3-7: the start events. */
const START_EVENTS: ReadonlySet<FsmEvent['type']> = new Set([
  'manualStart',
  'automaticStart',
  'manualStartWithPassiveTcpEstablishment',
  'automaticStartWithPassiveTcpEstablishment',
  'automaticStartWithDampPeerOscillations',
  'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment',
]);

const MESSAGE_EVENTS: ReadonlySet<FsmEvent['type']> = new Set(['bgpOpen', 'bgpOpenMsgErr', 'keepAliveMsg', 'updateMsg', 'updateMsgErr', 'routeRefreshMsg', 'routeRefreshMsgErr']);

function isVersionError(n: NotificationSpec): boolean {
  return n.code === ErrorCode.OPEN_MESSAGE_ERROR && n.subcode === OpenMessageErrorSubcode.UNSUPPORTED_VERSION_NUMBER;
}

function describeNotification(prefix: string, n: NotificationSpec): string {
  return `${prefix} NOTIFICATION ${n.code}/${n.subcode}`;
}

function errorNotification(e: { notification?: NotificationSpec | undefined }, fallback: NotificationSpec): NotificationSpec {
  return e.notification ?? fallback;
}

/** One FSM step. Pure: the input state is not modified. */
export function step(state: FsmState, event: FsmEvent, env: FsmEnv): StepResult {
  const tx = new Tx(state, env);
  const ev = event;
  // Expired timers are consumed before the handler runs (a handler may re-arm them).
  for (const name of Object.keys(TIMER_EVENTS) as TimerName[]) if (TIMER_EVENTS[name].type === ev.type) tx.stop(name);

  // Inputs handled the same way in every state.
  switch (ev.type) {
    case 'tcpConnectionValid':
    case 'tcpCrInvalid':
      // TrackTcpState is off: the session accepts or refuses connections before the FSM sees them.
      return tx.result();
    case 'gracefulRestartTimerExpires':
      if (tx.s.staleFamilies.length > 0) tx.sweepAll();
      return tx.result();
    case 'updateSent':
      if (tx.s.state === BgpState.Established) tx.startKeepalive();
      return tx.result();
    case 'transmitBlocked':
      if (isConnected(tx.s.state) && !tx.s.transmitBlocked) {
        tx.s.transmitBlocked = true;
        tx.set('sendHold', sendHoldTimeSec(env.config, tx.s.negotiated) * 1000);
      }
      return tx.result();
    case 'transmitResumed':
      tx.s.transmitBlocked = false;
      tx.stop('sendHold');
      return tx.result();
    case 'sendHoldTimerExpires':
      if (isConnected(tx.s.state)) {
        tx.toIdle('send hold timer expired (RFC 9687): the peer stopped reading', {
          notification: notification(ErrorCode.SEND_HOLD_TIMER_EXPIRED, 0),
          counter: 'increment',
        });
      }
      return tx.result();
    default:
      break;
  }

  switch (tx.s.state) {
    case BgpState.Idle:
      idle(tx, ev);
      break;
    case BgpState.Connect:
    case BgpState.Active:
      connectOrActive(tx, ev);
      break;
    case BgpState.OpenSent:
    case BgpState.OpenConfirm:
    case BgpState.Established:
      connected(tx, ev);
      break;
  }
  return tx.result();
}

function isConnected(s: BgpStateName): boolean {
  return s === BgpState.OpenSent || s === BgpState.OpenConfirm || s === BgpState.Established;
}

function idle(tx: Tx, ev: FsmEvent): void {
  switch (ev.type) {
    case 'manualStart':
    case 'automaticStart':
    case 'manualStartWithPassiveTcpEstablishment':
    case 'automaticStartWithPassiveTcpEstablishment': {
      const manual = ev.type === 'manualStart' || ev.type === 'manualStartWithPassiveTcpEstablishment';
      const passive = ev.type === 'manualStartWithPassiveTcpEstablishment' || ev.type === 'automaticStartWithPassiveTcpEstablishment';
      tx.s.autoRestart = true;
      if (manual) tx.s.flaps = 0;
      tx.start(passive, `${manual ? 'ManualStart' : 'AutomaticStart'}${passive ? ' (passive)' : ''}`, true);
      return;
    }
    case 'automaticStartWithDampPeerOscillations':
    case 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment':
      tx.s.autoRestart = true;
      tx.s.passive = ev.type === 'automaticStartWithDampPeerOscillationsAndPassiveTcpEstablishment';
      tx.set('idleHold', tx.s.flaps === 0 ? 0 : idleHoldDelayMs(tx.c, tx.s.flaps));
      return;
    case 'idleHoldTimerExpires':
      if (tx.s.autoRestart) tx.start(tx.c.passive, 'IdleHoldTimer expired', false);
      return;
    case 'manualStop':
      // Already Idle: cancel the automatic restart and any retained stale routes.
      tx.s.autoRestart = false;
      tx.stop('idleHold');
      if (tx.s.staleFamilies.length > 0) tx.sweepAll();
      return;
    case 'automaticStop':
      // Ignored in Idle (s8.2.2), except that `restart: false` cancels a pending automatic restart.
      if (ev.restart === false) {
        tx.s.autoRestart = false;
        tx.stop('idleHold');
      }
      return;
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
      // RFC 4271 s8.2.2: in Idle all connections are refused.
      tx.actions.push({ type: 'disconnect' });
      return;
    default:
      // RFC 4271 s8.2.2: any other event leaves Idle unchanged.
      return;
  }
}

function connectOrActive(tx: Tx, ev: FsmEvent): void {
  const st = tx.s.state;
  const delayOpenRunning = tx.timers.delayOpen !== undefined;
  if (START_EVENTS.has(ev.type)) return; // events 1, 3-7 are ignored once started
  switch (ev.type) {
    case 'manualStop':
      // RFC 4271 s8.2.2: only Active sends the Cease (DelayOpen running, SendNOTIFICATIONwithoutOPEN).
      tx.toIdle(ev.reason ?? 'ManualStop', {
        notification:
          st === BgpState.Active && delayOpenRunning && tx.c.sendNotificationWithoutOpen
            ? (ev.notification ?? notification(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN))
            : undefined,
        counter: 'reset',
        manual: true,
      });
      return;
    case 'automaticStop':
      // s8.2.2 Connect / Active: event 8 is one of the "any other events" (no NOTIFICATION, counter + 1).
      tx.toIdle(ev.reason ?? 'AutomaticStop', { counter: 'increment', restart: ev.restart, restartAfterSec: ev.restartAfterSec });
      return;
    case 'connectRetryTimerExpires':
      tx.stop('delayOpen');
      tx.startConnectRetry();
      if (tx.s.passive) return; // passive: keep waiting in Active
      if (st === BgpState.Connect) tx.actions.push({ type: 'disconnect' });
      tx.actions.push({ type: 'connect' });
      tx.go(BgpState.Connect, 'ConnectRetryTimer expired');
      return;
    case 'delayOpenTimerExpires':
      tx.toOpenSent('DelayOpenTimer expired');
      return;
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
      if (tx.c.delayOpenTimeSec > 0) {
        tx.stop('connectRetry');
        tx.set('delayOpen', tx.c.delayOpenTimeSec * 1000);
        return;
      }
      tx.toOpenSent(ev.type === 'tcpCrAcked' ? 'TCP connection established' : 'TCP connection accepted');
      return;
    case 'tcpConnectionFails':
      if (st === BgpState.Connect) {
        // Deliberate choice (module comment): retry from Active when the ConnectRetryTimer expires.
        tx.stop('delayOpen');
        if (tx.timers.connectRetry === undefined) tx.startConnectRetry();
        tx.actions.push({ type: 'disconnect' });
        tx.s.lastError = `TCP connection failed${ev.reason ? `: ${ev.reason}` : ''}`;
        tx.go(BgpState.Active, tx.s.lastError);
        return;
      }
      // Active: RFC 4271 s8.2.2 event 18.
      tx.toIdle(`TCP connection failed${ev.reason ? `: ${ev.reason}` : ''}`, { counter: 'increment' });
      return;
    case 'bgpOpen':
      if (delayOpenRunning) {
        tx.acceptOpen(ev.open, 'OPEN received while DelayOpenTimer was running');
        return;
      }
      tx.toIdle('unexpected OPEN', { counter: 'increment' });
      return;
    case 'bgpHeaderErr':
    case 'bgpOpenMsgErr': {
      const n = errorNotification(ev.error, notification(ErrorCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE));
      tx.toIdle(`${ev.error.code}: ${ev.error.message}`, { notification: tx.c.sendNotificationWithoutOpen ? n : undefined, counter: 'increment' });
      return;
    }
    case 'notifMsg':
      tx.actions.push({ type: 'notificationReceived', notification: ev.notification });
      if (isVersionError(ev.notification) && delayOpenRunning) {
        tx.toIdle(describeNotification('received', ev.notification), { counter: 'keep', received: ev.notification });
      } else {
        tx.toIdle(describeNotification('received', ev.notification), { counter: 'increment', received: ev.notification });
      }
      return;
    default:
      // RFC 4271 s8.2.2 "any other event" in Connect / Active.
      tx.toIdle(`unexpected event ${ev.type} in ${st}`, { counter: 'increment' });
      return;
  }
}

function connected(tx: Tx, ev: FsmEvent): void {
  const st = tx.s.state;
  if (START_EVENTS.has(ev.type)) return; // events 1, 3-7 are ignored once started
  switch (ev.type) {
    case 'manualStop':
      tx.toIdle(ev.reason ?? 'ManualStop', { notification: ev.notification ?? notification(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN), counter: 'reset', manual: true });
      return;
    case 'automaticStop':
      tx.toIdle(ev.reason ?? 'AutomaticStop', { notification: ev.notification ?? notification(ErrorCode.CEASE, 0), counter: 'increment', restart: ev.restart, restartAfterSec: ev.restartAfterSec });
      return;
    case 'holdTimerExpires':
      tx.toIdle('hold timer expired', { notification: notification(ErrorCode.HOLD_TIMER_EXPIRED, 0), counter: 'increment' });
      return;
    case 'keepaliveTimerExpires':
      if (st === BgpState.OpenSent) break; // cannot run in OpenSent: FSM error below
      tx.send({ type: 'KEEPALIVE' });
      tx.startKeepalive();
      return;
    case 'tcpCrAcked':
    case 'tcpConnectionConfirmed':
      // A second connection is handled by the session's collision detection (RFC 4271 s6.8),
      // never by this connection's FSM.
      return;
    case 'tcpConnectionFails':
      if (st === BgpState.OpenSent) {
        // RFC 4271 s8.2.2 OpenSent event 18: close, restart the ConnectRetryTimer, continue to listen.
        tx.stop('hold');
        tx.stop('keepalive');
        tx.stop('sendHold');
        tx.s.openSent = false;
        tx.s.transmitBlocked = false;
        tx.actions.push({ type: 'disconnect' });
        tx.startConnectRetry();
        tx.s.lastError = `TCP connection failed${ev.reason ? `: ${ev.reason}` : ''}`;
        tx.go(BgpState.Active, tx.s.lastError);
        return;
      }
      tx.toIdle(`TCP connection closed${ev.reason ? `: ${ev.reason}` : ''}`, { counter: 'increment' });
      return;
    case 'bgpOpen':
      if (st === BgpState.OpenSent) {
        tx.acceptOpen(ev.open, 'OPEN received');
        return;
      }
      break; // FSM error
    case 'bgpHeaderErr':
    case 'bgpOpenMsgErr':
    case 'updateMsgErr':
    case 'routeRefreshMsgErr': {
      if ((ev.type === 'updateMsgErr' || ev.type === 'routeRefreshMsgErr') && st !== BgpState.Established) break; // FSM error
      if (ev.type === 'bgpOpenMsgErr' && st === BgpState.Established) break; // an OPEN in Established: FSM error 5/3
      const n = errorNotification(ev.error, notification(ErrorCode.MESSAGE_HEADER_ERROR, 0));
      tx.toIdle(`${ev.error.code}: ${ev.error.message}`, { notification: n, counter: 'increment' });
      return;
    }
    case 'openCollisionDump':
      tx.toIdle('connection collision resolution (RFC 4271 s6.8)', {
        notification: notification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION),
        counter: 'increment',
      });
      return;
    case 'notifMsg':
      tx.actions.push({ type: 'notificationReceived', notification: ev.notification });
      tx.toIdle(describeNotification('received', ev.notification), {
        // RFC 4271 s8.2.2: NotifMsgVerErr leaves the counter alone in OpenSent and OpenConfirm.
        counter: isVersionError(ev.notification) && st !== BgpState.Established ? 'keep' : 'increment',
        received: ev.notification,
      });
      return;
    case 'keepAliveMsg':
      if (st === BgpState.OpenSent) break; // FSM error
      tx.restartHold();
      if (st === BgpState.OpenConfirm) {
        tx.s.establishedAtMs = tx.env.nowMs;
        tx.s.lastError = undefined;
        const neg = tx.s.negotiated!;
        tx.go(BgpState.Established, 'KEEPALIVE received');
        tx.actions.push({ type: 'established', negotiated: neg });
        graceOnEstablished(tx, neg);
      }
      return;
    case 'updateMsg':
      if (st !== BgpState.Established) break; // FSM error
      tx.restartHold();
      tx.actions.push({ type: 'deliverUpdate', update: ev.update });
      if (tx.s.staleFamilies.length > 0) {
        const eor = endOfRib(ev.update);
        if (eor !== undefined) {
          const key = afiSafiKey(eor.afi, eor.safi);
          if (tx.s.staleFamilies.includes(key)) {
            // RFC 4724 s4.2: at the peer's End-of-RIB, the routes still stale are removed.
            tx.s.staleFamilies = tx.s.staleFamilies.filter((k) => k !== key);
            tx.actions.push({ type: 'sweepStale', families: [key] });
            if (tx.s.staleFamilies.length === 0) tx.stop('gracefulRestart');
          }
        }
      }
      return;
    case 'routeRefreshMsg':
      if (st !== BgpState.Established) break; // FSM error
      tx.restartHold();
      if (tx.s.negotiated?.routeRefresh) tx.actions.push({ type: 'deliverRouteRefresh', message: ev.message });
      return;
    default:
      break;
  }
  // Anything else is an FSM error (RFC 4271 s8.2.2; subcodes RFC 6608).
  const subcode = MESSAGE_EVENTS.has(ev.type) ? unexpectedMessageSubcode(st) : FsmErrorSubcode.UNSPECIFIED_ERROR;
  tx.toIdle(`unexpected ${MESSAGE_EVENTS.has(ev.type) ? 'message' : 'event'} ${ev.type} in ${st}`, { notification: fsmError(subcode), counter: 'increment' });
}

/**
 * RFC 4724 s4.2 on re-establishment while holding stale routes: families the peer no longer lists
 * with the F bit set are swept at once; the rest wait for the peer's End-of-RIB, at most the
 * stale-path time.
 */
function graceOnEstablished(tx: Tx, neg: Negotiated): void {
  if (tx.s.staleFamilies.length === 0) return;
  const keep = new Set((neg.gracefulRestart.peer?.families ?? []).filter((f) => f.forwardingState).map((f) => afiSafiKey(f.afi, f.safi)));
  const still = tx.s.staleFamilies.filter((k) => keep.has(k));
  if (still.length < tx.s.staleFamilies.length) {
    const gone = tx.s.staleFamilies.filter((k) => !keep.has(k));
    tx.actions.push({ type: 'sweepStale', families: gone });
  }
  tx.s.staleFamilies = still;
  if (still.length === 0) tx.stop('gracefulRestart');
  else tx.set('gracefulRestart', (tx.c.gracefulRestart?.stalePathTimeSec ?? 360) * 1000);
}
