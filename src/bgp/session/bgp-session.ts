/**
 * One BGP peer (L2): runs the pure FSM (`fsm.ts`) against an injected clock and a transport
 * (`transport/connection.ts`), frames and decodes what arrives, feeds the Adj-RIB-In, drains the
 * Adj-RIB-Out into the socket with backpressure, resolves connection collisions (RFC 4271 s6.8),
 * answers route refresh (RFC 2918 / RFC 7313), keeps graceful-restart state (RFC 4724), and
 * reports everything as typed events after each step commits.
 *
 * Owns: the FSM state of the peer's connections, its Adj-RIB-In and Adj-RIB-Out, its timers.
 * Must not touch: node:net (only the Connector/BgpConnection interfaces), real time (only Clock).
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock, ClockTimer, RandomSource } from '../../clock/clock.js';
import { systemClock } from '../../clock/system-clock.js';
import { BgpError, type NotificationSpec } from '../errors.js';
import { WellKnownCommunity } from '../iana/community.js';
import { afiSafiKey } from '../iana/afi-safi.js';
import { DEFAULT_CONTEXT } from '../codec/context.js';
import { type BgpMessage, encodeMessage } from '../codec/message.js';
import { buildNotification } from '../codec/notification.js';
import type { OpenMessage } from '../codec/open.js';
import { RouteRefreshSubtype, buildRouteRefresh, encodeRouteRefresh } from '../codec/route-refresh.js';
import { AdjRibIn } from '../../rib/adj-rib-in.js';
import { AdjRibOut, type SetResult, type WithdrawSpec } from '../../rib/adj-rib-out.js';
import type { Advertisement } from '../../rib/advertisement.js';
import type { BgpConnection, Connector } from '../transport/connection.js';
import { refuseCollision } from './refuse-collision.js';
import { BgpState, type BgpStateName } from './bgp-state.js';
import type { FsmAction } from './fsm-action.js';
import type { FsmEvent } from './fsm-event.js';
import { initialFsmState, step } from './fsm.js';
import { FsmTimerDriver } from './fsm-timer-driver.js';
import type { Negotiated } from './negotiate.js';
import type { BgpSessionEvents } from './session-events.js';
import type { BgpSessionOptions, SessionSnapshot, SessionStats, StopOptions } from './session-types.js';

export type { BgpSessionOptions, SessionSnapshot, SessionStats, StopOptions } from './session-types.js';
import { asBgpError, messageEvent } from './message-event.js';
import { drainView } from './drain-view.js';
import { OutboundUpdates } from './outbound-updates.js';
import { type InboundRouteEvent, InboundRoutes } from './inbound-routes.js';
import { maxPrefixesStop } from './max-prefixes.js';
import { connectOptions } from './connect-options.js';
import { stopNotification } from './stop-notification.js';
import { newSessionStats, sessionSnapshot } from './session-snapshot.js';
import { type Conn, beginConnection, connOwning, detachConnection, newConn } from './conn-record.js';
import { inboundDecision, openCollisionDecision, promotedFsm, retiredFsm, secondConnectionFsm } from './collision.js';
import { type ResolvedPeerConfig, resolvePeerConfig } from './session-config.js';

/** Input processing slice: at most this many messages or this many ms before yielding. */
const SLICE_MESSAGES = 4000;
const SLICE_MS = 8;

export class BgpSession extends EventEmitter<BgpSessionEvents> {
  readonly config: ResolvedPeerConfig;
  readonly adjRibIn: AdjRibIn;
  readonly adjRibOut: AdjRibOut;
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #defer: (cb: () => void) => void;
  readonly #nextHopSelf: { ipv4?: string | undefined; ipv6?: string | undefined };
  #connector: Connector | undefined;
  #main: Conn;
  #other: Conn | undefined;
  readonly #timers: FsmTimerDriver<Conn>;
  #inputs: { conn: Conn; event: FsmEvent }[] = [];
  #processing = false;
  #events: (() => void)[] = [];
  #stateSinceMs: number;
  readonly #stats: SessionStats = newSessionStats();
  readonly #outbound: OutboundUpdates;
  readonly #inbound: InboundRoutes;
  #stopWaiters: (() => void)[] = [];
  #gracefulShutdownTimer: ClockTimer | undefined;

  constructor(options: BgpSessionOptions) {
    super();
    this.config = resolvePeerConfig(options);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#defer = options.defer ?? ((cb) => setImmediate(cb));
    this.#connector = options.connector;
    this.#timers = new FsmTimerDriver(this.#clock, () => this.#records(), (record, event) => this.#input(record, event));
    this.#nextHopSelf = { ...(options.nextHopSelf ?? {}) };
    this.adjRibIn = new AdjRibIn();
    this.adjRibOut = new AdjRibOut({ peer: { address: this.config.peerAddress, name: this.config.name } });
    const keep = options.keepAdjRibIn ?? true;
    if (!keep && this.config.maxPrefixes !== undefined) throw new BgpError('ERR_CONFIG_INVALID', 'maxPrefixes: needs keepAdjRibIn (the routes are counted in the Adj-RIB-In)');
    const emitInbound = (e: InboundRouteEvent): void => {
      const { type, ...rest } = e;
      this.#queueEvent(() => (this.emit as (name: string, payload: unknown) => boolean)(type, { peer: this.peer, ...rest }));
    };
    this.#inbound = new InboundRoutes(this.adjRibIn, keep, emitInbound, this.config.maxPrefixes);
    this.#main = newConn('outbound');
    this.#stateSinceMs = this.#clock.now();
    this.#outbound = new OutboundUpdates(this.adjRibOut, {
      clock: this.#clock,
      defer: this.#defer,
      sliceMs: SLICE_MS,
      mraiMs: this.config.minRouteAdvertisementIntervalSec * 1000,
      target: (extraCommunities) => {
        const main = this.#main;
        const n = main.fsm.negotiated;
        if (main.fsm.state !== BgpState.Established || n === undefined || main.connection === undefined) return undefined;
        return { negotiated: n, view: drainView(n, main.connection.localAddress, this.#nextHopSelf, extraCommunities) };
      },
      writable: () => this.#main.writable && this.#main.connection !== undefined,
      write: (bytes, control, drained) => {
        if (drained) this.#stats.updatesOut++;
        this.#write(this.#main, bytes, control);
      },
      updatesSent: () => this.#input(this.#main, { type: 'updateSent' }),
      error: (e) => this.#queueEvent(() => this.emit('sessionError', { peer: this.peer, error: e })),
      done: () => this.#flushEvents(),
    });
  }

  /** The peer address as configured: the `peer` field of every event. */
  get peer(): string {
    return this.config.peerAddress;
  }

  get state(): BgpStateName {
    return this.#main.fsm.state;
  }

  /** What was negotiated, while OpenConfirm or Established. */
  get negotiated(): Negotiated | undefined {
    return this.#main.fsm.negotiated;
  }

  /**
   * Starts the session (ManualStart, or the passive variant). Resolves once the FSM left Idle.
   * Rejects with a BgpError when the transport cannot honour the configuration (e.g.
   * ERR_BGP_TCP_MD5_UNSUPPORTED without the native addon); the session then stays Idle.
   */
  async start(): Promise<void> {
    if (this.#main.fsm.state !== BgpState.Idle || this.#main.fsm.autoRestart) return;
    if (this.#connector === undefined && (this.config.password !== undefined || this.config.ttlSecurityHops !== undefined)) {
      // Fail at start, never silently: without the native addon there is no TCP-MD5 or GTSM.
      const { requireNativeSocketOptions } = await import('../transport/socket-options.js');
      if (this.config.password !== undefined) requireNativeSocketOptions('tcp-md5');
      if (this.config.ttlSecurityHops !== undefined) requireNativeSocketOptions('ttl-security');
    }
    if (!this.config.passive) await this.#ensureConnector();
    this.#input(this.#main, { type: this.config.passive ? 'manualStartWithPassiveTcpEstablishment' : 'manualStart' });
    const err = this.#startError;
    this.#startError = undefined;
    if (err !== undefined) throw err;
  }

  #startError: BgpError | undefined;

  /**
   * Stops the session (ManualStop): Cease / Administrative Shutdown with the RFC 9003 message, or
   * Hard Reset. With a graceful-shutdown wait (RFC 8326) the routes are first re-announced with
   * the GRACEFUL_SHUTDOWN community and the NOTIFICATION follows after the wait. Resolves when
   * the session is Idle and the connection closed.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    const spec = stopNotification(options); // throws a typed error for a message over 255 octets
    const waitSec = options.gracefulShutdownWaitSec ?? this.config.gracefulShutdownWaitSec;
    if (waitSec > 0 && this.state === BgpState.Established && this.#gracefulShutdownTimer === undefined) {
      this.#outbound.resyncWith([WellKnownCommunity.GRACEFUL_SHUTDOWN]);
      await new Promise<void>((resolve) => {
        this.#gracefulShutdownTimer = this.#clock.setTimer(this.#clock.now() + waitSec * 1000, () => resolve());
      });
      this.#gracefulShutdownTimer = undefined;
    }
    const done = new Promise<void>((resolve) => this.#stopWaiters.push(resolve));
    this.#input(this.#main, { type: 'manualStop', notification: spec, reason: options.message === undefined ? 'ManualStop' : `ManualStop: ${options.message}` });
    if (this.#other !== undefined) this.#input(this.#other, { type: 'manualStop', notification: spec });
    this.#checkStopped();
    await done;
  }

  /**
   * Tears the session down as an AutomaticStop (event 8): e.g. BFD down (Cease 6/10), max prefix.
   * It restarts after the IdleHoldTime, unless `restart: false`: then it stays Idle (a pending
   * automatic restart is cancelled too) until `start()`.
   */
  automaticStop(spec: NotificationSpec, reason: string, options: { readonly restart?: boolean | undefined } = {}): void {
    const restart = options.restart === false ? false : undefined;
    this.#input(this.#main, { type: 'automaticStop', notification: spec, reason, restart });
    // Without a restart, a connection still being resolved in a collision must not take over.
    if (restart === false && this.#other !== undefined) this.#input(this.#other, { type: 'automaticStop', notification: spec, reason, restart });
  }

  /** Adds or replaces routes in the Adj-RIB-Out; sent at once when Established. Throws a typed error for a bad advertisement (nothing changes then). */
  announce(advertisements: Advertisement | readonly Advertisement[]): void {
    this.adjRibOut.announce(advertisements);
    this.#outbound.pump();
  }

  /** Desired state: every route the peer should have; only the difference goes out (AdjRibOut.set). Huge sets: adjRibOut.beginSet() in slices, then pump(). */
  set(advertisements: readonly Advertisement[]): SetResult {
    const r = this.adjRibOut.set(advertisements);
    this.#outbound.pump();
    return r;
  }

  /** Sends what the Adj-RIB-Out has queued (after changing it directly). */
  pump(): void {
    this.#outbound.pump();
  }

  /** Withdraws routes from the Adj-RIB-Out. */
  withdraw(specs: WithdrawSpec | readonly WithdrawSpec[]): void {
    this.adjRibOut.withdraw(specs);
    this.#outbound.pump();
  }

  /** Asks the peer to re-send its routes of one family (RFC 2918). Throws ERR_BGP_ROUTE_REFRESH_NOT_NEGOTIATED when not possible. */
  requestRouteRefresh(afi = 1, safi = 1): void {
    const n = this.negotiated;
    if (this.state !== BgpState.Established || n === undefined || !n.routeRefresh) {
      throw new BgpError('ERR_BGP_ROUTE_REFRESH_NOT_NEGOTIATED', `route refresh needs an Established session that negotiated it (state ${this.state})`);
    }
    this.#write(this.#main, encodeRouteRefresh(buildRouteRefresh(afi, safi)), true);
  }

  /**
   * Hands over an inbound TCP connection from this peer (the speaker's listener calls this).
   * Returns false, after closing it, when the session refuses it (Idle, active-only, or a
   * collision with an Established session: Cease 6/7 as RFC 4271 s6.8 says).
   */
  acceptConnection(connection: BgpConnection): boolean {
    const main = this.#main;
    const decision = inboundDecision(main.fsm.state, main.connection !== undefined, this.config.activeOnly, this.#other !== undefined);
    if (decision === 'refuse') {
      connection.destroy();
      return false;
    }
    if (decision === 'collidesWithEstablished') {
      const n = refuseCollision(connection);
      this.#queueEvent(() => this.emit('notificationSent', { peer: this.peer, notification: n }));
      this.#flushEvents();
      return false;
    }
    if (decision === 'attachMain') {
      this.#attach(main, connection, 'inbound');
      this.#input(main, { type: 'tcpConnectionConfirmed' });
      return true;
    }
    // A second FSM on the inbound connection; the OPENs decide which one survives (RFC 4271 s6.8).
    const other = newConn('inbound');
    other.fsm = secondConnectionFsm(initialFsmState());
    this.#other = other;
    this.#attach(other, connection, 'inbound');
    this.#input(other, { type: 'tcpConnectionConfirmed' });
    return true;
  }

  /** The session's state for a new subscriber. Never contains the password. */
  snapshot(): SessionSnapshot {
    return sessionSnapshot({
      peer: this.peer,
      main: this.#main,
      nowMs: this.#clock.now(),
      stateSinceMs: this.#stateSinceMs,
      stats: this.#stats,
      adjRibIn: this.adjRibIn,
      adjRibOut: this.adjRibOut,
      prefixes: this.#inbound.prefixCounts(this.config.families),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // FSM driving

  async #ensureConnector(): Promise<void> {
    if (this.#connector !== undefined) return;
    const { createTcpTransport } = await import('../transport/tcp-transport.js');
    this.#connector = createTcpTransport();
  }

  /** Queues an FSM input and processes the queue unless already processing (no re-entrancy). */
  #input(conn: Conn, event: FsmEvent): void {
    this.#inputs.push({ conn, event });
    if (this.#processing) return;
    this.#processing = true;
    try {
      for (let i = 0; i < this.#inputs.length; i++) {
        const { conn: c, event: e } = this.#inputs[i]!;
        this.#step(c, e);
      }
    } finally {
      this.#inputs = [];
      this.#processing = false;
    }
    this.#timers.reschedule();
    this.#flushEvents();
    this.#checkStopped();
  }

  #step(conn: Conn, event: FsmEvent): void {
    if (conn !== this.#main && conn !== this.#other) return; // a discarded collision loser
    const result = step(conn.fsm, event, { config: this.config, nowMs: this.#clock.now(), random: this.#random });
    conn.fsm = result.state;
    for (const a of result.actions) this.#run(conn, a);
    if (conn === this.#other && conn.fsm.state === BgpState.Idle) this.#other = undefined;
  }

  #run(conn: Conn, a: FsmAction): void {
    const isMain = conn === this.#main;
    switch (a.type) {
      case 'connect':
        this.#connect(conn);
        return;
      case 'disconnect':
        this.#disconnect(conn);
        return;
      case 'send': {
        // Control messages are written whatever the backpressure (they are small and few).
        const ctx = conn.fsm.negotiated?.sendContext ?? DEFAULT_CONTEXT;
        this.#write(conn, encodeMessage(a.message as BgpMessage, ctx), true);
        if (a.message.type === 'NOTIFICATION') this.#stats.notificationsOut++;
        return;
      }
      case 'notificationSent': {
        const n = buildNotification(a.notification.code, a.notification.subcode, a.notification.data);
        this.#queueEvent(() => this.emit('notificationSent', { peer: this.peer, notification: n }));
        return;
      }
      case 'notificationReceived':
        this.#stats.notificationsIn++;
        this.#queueEvent(() => this.emit('notificationReceived', { peer: this.peer, notification: a.notification }));
        return;
      case 'stateChange':
        if (!isMain) return; // a collision candidate's own transitions are internal
        this.#stateSinceMs = this.#clock.now();
        this.#queueEvent(() => this.emit('stateChange', { peer: this.peer, from: a.from, to: a.to, reason: a.reason }));
        return;
      case 'established':
        if (!isMain) return;
        this.#onEstablished(a.negotiated);
        return;
      case 'deliverUpdate': {
        this.#stats.updatesIn++;
        const overflow = this.#inbound.update(a.update);
        // Above a maximum-prefix limit: the stop runs next, before any further message is read.
        if (overflow !== undefined) this.#feed(conn, maxPrefixesStop(overflow, this.config, conn.fsm.negotiated));
        return;
      }
      case 'deliverRouteRefresh':
        this.#onRouteRefresh(a.message.afi, a.message.safi, a.message.subtype);
        return;
      case 'sessionDown':
        if (!isMain) return;
        this.#outbound.sessionDown();
        this.#inbound.sessionDown(a.retainRoutes, this.#main.fsm.staleFamilies);
        return;
      case 'sweepStale':
        this.#inbound.sweep(a.families);
        return;
    }
  }

  #onEstablished(negotiated: Negotiated): void {
    this.#stats.establishedTransitions++;
    // A collision candidate that lost, or any other connection, is gone by now.
    this.#queueEvent(() => this.emit('established', { peer: this.peer, negotiated }));
    this.#outbound.established(negotiated);
  }


  #onRouteRefresh(afi: number, safi: number, subtype: number): void {
    this.#queueEvent(() => this.emit('routeRefresh', { peer: this.peer, afi, safi, subtype }));
    const key = afiSafiKey(afi, safi);
    if (subtype === RouteRefreshSubtype.BORR) return this.#inbound.refreshBegins(key);
    if (subtype === RouteRefreshSubtype.EORR) return this.#inbound.refreshEnds(key);
    if (subtype !== RouteRefreshSubtype.NORMAL) return; // RFC 7313 s5: ignore unknown subtypes
    const n = this.negotiated;
    if (n === undefined || !n.families.some((f) => f.afi === afi && f.safi === safi)) return; // RFC 2918 s4: ignore a family not negotiated
    if (n.enhancedRouteRefresh) this.#write(this.#main, encodeRouteRefresh(buildRouteRefresh(afi, safi, RouteRefreshSubtype.BORR)), true);
    this.#outbound.refresh(afi, safi, n.enhancedRouteRefresh);
  }

  // ---------------------------------------------------------------------------------------------
  // Connections

  #connect(conn: Conn): void {
    const connector = this.#connector;
    if (connector === undefined) {
      this.#startError = new BgpError('ERR_BGP_NO_TRANSPORT', 'no connector: call start() (which loads the TCP transport) or pass options.connector');
      this.#inputs.push({ conn, event: { type: 'tcpConnectionFails', reason: this.#startError.message } });
      return;
    }
    beginConnection(conn, 'outbound');
    let connection: BgpConnection;
    try {
      connection = connector.connect(connectOptions(this.config), {
        onConnect: () => {
          const c2 = this.#connOf(connection);
          if (c2 !== undefined) this.#input(c2, { type: 'tcpCrAcked' });
        },
        onData: (chunk) => this.#onData(connection, chunk),
        onDrain: () => this.#onDrain(connection),
        onClose: (err) => this.#onClose(connection, err),
      });
    } catch (e) {
      const err = e instanceof BgpError ? e : new BgpError('ERR_BGP_CONNECT', e instanceof Error ? e.message : String(e), { cause: e });
      this.#startError = err;
      this.#queueEvent(() => this.emit('sessionError', { peer: this.peer, error: err }));
      // A configuration the transport cannot honour: stop instead of retrying forever.
      this.#inputs.push({ conn, event: { type: 'manualStop', reason: `${err.code}: ${err.message}` } });
      return;
    }
    conn.connection = connection;
  }

  #attach(conn: Conn, connection: BgpConnection, direction: 'inbound' | 'outbound'): void {
    beginConnection(conn, direction, connection);
    connection.setHandlers(this.#handlers(connection));
  }

  #disconnect(conn: Conn): void {
    detachConnection(conn)?.end();
  }

  /** Writes one message; `control` messages do not count as UPDATE traffic for the send hold timer. */
  #write(conn: Conn, bytes: Uint8Array, control: boolean): boolean {
    const connection = conn.connection;
    if (connection === undefined) return false;
    this.#stats.messagesOut++;
    this.#stats.bytesOut += bytes.length;
    const ok = connection.write(bytes);
    if (!ok && conn.writable) {
      conn.writable = false;
      if (!control || conn.fsm.state === BgpState.Established) this.#feed(conn, { type: 'transmitBlocked' });
    }
    return ok;
  }

  /** An input raised while running actions waits its turn; otherwise it is processed now. */
  #feed(conn: Conn, event: FsmEvent): void {
    if (this.#processing) this.#inputs.push({ conn, event });
    else this.#input(conn, event);
  }

  #connOf(connection: BgpConnection): Conn | undefined {
    return connOwning(this.#main, this.#other, connection);
  }

  #handlers(connection: BgpConnection): { onData(chunk: Uint8Array): void; onDrain(): void; onClose(err?: Error): void } {
    return {
      onData: (chunk) => this.#onData(connection, chunk),
      onDrain: () => this.#onDrain(connection),
      onClose: (err) => this.#onClose(connection, err),
    };
  }

  #onClose(connection: BgpConnection, err: Error | undefined): void {
    const conn = this.#connOf(connection);
    if (conn === undefined) return;
    conn.connection = undefined;
    this.#input(conn, { type: 'tcpConnectionFails', reason: err === undefined ? 'closed by the peer' : err.message });
  }

  #onDrain(connection: BgpConnection): void {
    const conn = this.#connOf(connection);
    if (conn === undefined) return;
    conn.writable = true;
    this.#input(conn, { type: 'transmitResumed' });
    if (conn === this.#main) this.#outbound.pump();
  }

  #onData(connection: BgpConnection, chunk: Uint8Array): void {
    const conn = this.#connOf(connection);
    if (conn === undefined) return;
    this.#stats.bytesIn += chunk.length;
    conn.framer.push(chunk);
    if (!conn.paused) this.#processInput(connection);
  }

  /** Frames and handles messages, yielding after a slice so keepalives and BFD keep their timing. */
  #processInput(connection: BgpConnection): void {
    const start = this.#clock.now();
    let n = 0;
    for (;;) {
      const conn = this.#connOf(connection);
      if (conn === undefined) return;
      if (n >= SLICE_MESSAGES || (n > 0 && (n & 63) === 0 && this.#clock.now() - start >= SLICE_MS)) {
        conn.paused = true;
        connection.pause?.();
        this.#defer(() => {
          const c = this.#connOf(connection);
          if (c === undefined) return;
          c.paused = false;
          connection.resume?.();
          this.#processInput(connection);
        });
        return;
      }
      let msg: Uint8Array | undefined;
      try {
        msg = conn.framer.next();
      } catch (e) {
        this.#input(conn, { type: 'bgpHeaderErr', error: asBgpError(e) });
        return;
      }
      if (msg === undefined) return;
      n++;
      this.#stats.messagesIn++;
      const event = this.#messageEvent(conn, msg);
      // Collision resolution may have moved this connection to another record.
      const target = this.#connOf(connection);
      if (target === undefined) return;
      this.#input(target, event);
    }
  }

  /** Decodes one framed message into its FSM event; an OPEN goes through collision detection. */
  #messageEvent(conn: Conn, msg: Uint8Array): FsmEvent {
    const event = messageEvent(msg, conn.fsm.negotiated?.receiveContext ?? DEFAULT_CONTEXT);
    return event.type === 'bgpOpen' ? this.#openEvent(conn, event.open) : event;
  }

  /**
   * RFC 4271 s6.8 collision detection when an OPEN arrives on `conn` while another connection to
   * the same peer exists (rules in collision.ts). Returns the event for the connection the OPEN
   * arrived on (its record may change: the caller looks it up again).
   */
  #openEvent(conn: Conn, open: OpenMessage): FsmEvent {
    const other = conn === this.#main ? this.#other : this.#main;
    switch (openCollisionDecision(conn.direction, other?.fsm.state, this.config.routerId, open.bgpIdentifier)) {
      case 'process':
        return { type: 'bgpOpen', open };
      case 'dumpThis':
        return { type: 'openCollisionDump' };
      case 'dropOther':
        this.#disconnect(other!);
        if (other === this.#main) this.#promote(conn, undefined);
        else this.#other = undefined;
        return { type: 'bgpOpen', open };
      case 'thisWins':
        if (other === this.#main) {
          this.#promote(conn, other);
          this.#inputs.push({ conn: this.#other!, event: { type: 'openCollisionDump' } });
        } else {
          this.#inputs.push({ conn: other!, event: { type: 'openCollisionDump' } });
        }
        return { type: 'bgpOpen', open };
      case 'otherWins':
        if (conn === this.#main) this.#promote(other!, conn);
        return { type: 'openCollisionDump' };
    }
  }

  /**
   * Makes `winner` (the collision candidate) the main record, keeping the peer-level FSM fields of
   * the old main one (restart policy, backoff, counters, graceful-restart state). The loser, if
   * any, becomes the secondary record, only to send its Cease and close.
   */
  #promote(winner: Conn, loser: Conn | undefined): void {
    const old = this.#main.fsm;
    const merged = promotedFsm(old, winner.fsm);
    this.#main = { ...winner, fsm: merged };
    this.#other = loser === undefined ? undefined : { ...loser, fsm: retiredFsm(loser.fsm) };
    if (old.state !== merged.state) {
      this.#stateSinceMs = this.#clock.now();
      const from = old.state;
      this.#queueEvent(() => this.emit('stateChange', { peer: this.peer, from, to: merged.state, reason: 'connection collision resolved (RFC 4271 s6.8): kept the other connection' }));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Timers and events

  #records(): Conn[] {
    return this.#other === undefined ? [this.#main] : [this.#main, this.#other];
  }

  #queueEvent(fn: () => void): void {
    this.#events.push(fn);
  }

  #flushEvents(): void {
    if (this.#processing) return;
    while (this.#events.length > 0) {
      const batch = this.#events;
      this.#events = [];
      for (const fn of batch) fn();
    }
  }

  #checkStopped(): void {
    if (this.#stopWaiters.length === 0) return;
    if (this.#main.fsm.state !== BgpState.Idle || this.#main.connection !== undefined || this.#other !== undefined) return;
    const w = this.#stopWaiters;
    this.#stopWaiters = [];
    for (const fn of w) fn();
  }
}
