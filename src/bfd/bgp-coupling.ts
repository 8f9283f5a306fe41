/**
 * The coupling of one BGP session to one BFD session (RFC 5882 s4.1, RFC 9384): when BFD says the
 * forwarding path is down, BGP is torn down at once with NOTIFICATION Cease / BFD Down (6/10)
 * instead of waiting for its HoldTimer.
 *
 * Owns: the subscriptions to both sessions' events, one clock timer (the bounce grace), the
 * decision when a BFD Down tears BGP down, and its counters and snapshot. Must not touch: the
 * internals of BgpSession or BfdSession (both are seen only through the structural interfaces
 * below, which the real classes satisfy), sockets, real time (only the injected Clock), or the
 * BFD session's life cycle (it never adds, closes or administratively disables BFD sessions).
 *
 * Rules:
 * - A BFD Down is the BfdSession leaving Up (its `down` event). It tears BGP down with
 *   `automaticStop(Cease / BFD Down)` when BGP has a connection (OpenSent, OpenConfirm or
 *   Established): RFC 5882 s4.1 (the path is gone) and RFC 9384 (the subcode). In Idle, Connect
 *   or Active there is nothing to tear down and no NOTIFICATION can be sent: the Down is ignored
 *   (with `waitForBfdUp` BGP is still held in Idle, see below). BGP restarts by its own IdleHold
 *   schedule (the backoff doubles per consecutive drop).
 * - RFC 5882 s3.2: a Down because the peer went AdminDown (`remoteState === 'AdminDown'`) is not a
 *   path failure and leaves BGP alone; so does our own AdminDown (diag 7: BFD disabled locally).
 * - Attach bounce (FRR 8.4 bgpd re-creates its BFD session right after BGP reaches Established:
 *   the peer sends Down with diag 3 and the session is Up again within ~1 ms to ~1 s). Within
 *   `attachWindowMs` after BGP reached Established, a Down with diag 3 (NeighborSignaledSessionDown)
 *   is held for `bounceGraceMs`: Up again within the grace -> nothing happens (`bouncesAbsorbed`);
 *   otherwise BGP is torn down when the grace ends. One bounce per Established period is absorbed;
 *   a later Down acts at once. Detection-time Downs (diag 1) and every other diag act at once.
 * - `waitForBfdUp`: the coupling owns starting BGP. BGP is started when BFD is Up (at once when it
 *   already is); while BFD is not Up it is held in Idle (a running session is stopped with
 *   `automaticStop(..., { restart: false })`, which also cancels a pending IdleHold restart).
 *   After a BFD Down that acts, BGP stays Idle until BFD is Up again, then `start()` is called.
 *   Our own AdminDown (BFD disabled locally) releases the hold: BGP runs without BFD. Do not call
 *   `bgp.start()` yourself in this mode; to stop BGP for good, `dispose()` the coupling first.
 *
 * `dispose()` removes every listener and the grace timer; BGP is left in whatever state it is in
 * (a session held for BFD stays Idle until someone starts it).
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock, ClockTimer } from '../clock/clock.js';
import { systemClock } from '../clock/system-clock.js';
import { BgpError, type NotificationSpec, notification } from '../bgp/errors.js';
import { CeaseSubcode, ErrorCode } from '../bgp/iana/notification-codes.js';
import { BgpState, type BgpStateName } from '../bgp/session/bgp-state.js';
import { BfdState, type BfdStateName } from './bfd-state.js';
import { BfdDiag, type BfdDiagCode, bfdDiagName } from './diagnostic.js';

/** The BGP session as the coupling sees it (a BgpSession satisfies it). */
export interface CouplableBgpSession {
  readonly state: BgpStateName;
  on(event: 'stateChange', fn: (e: { readonly from: BgpStateName; readonly to: BgpStateName; readonly reason: string }) => void): unknown;
  off(event: 'stateChange', fn: (e: { readonly from: BgpStateName; readonly to: BgpStateName; readonly reason: string }) => void): unknown;
  start(): Promise<void>;
  automaticStop(spec: NotificationSpec, reason: string, options?: { readonly restart?: boolean | undefined }): void;
}

/** What the coupling reads of a BFD `down` event. */
export interface CouplableBfdDownEvent {
  readonly diag: BfdDiagCode;
  readonly to: BfdStateName;
  readonly remoteState: BfdStateName;
  readonly reason: string;
}

/** What the coupling reads of a BFD `stateChange` event. */
export interface CouplableBfdStateChangeEvent {
  readonly from: BfdStateName;
  readonly to: BfdStateName;
}

/** The BFD session as the coupling sees it (a BfdSession satisfies it). */
export interface CouplableBfdSession {
  readonly state: BfdStateName;
  on(event: 'up', fn: (e: { readonly from: BfdStateName }) => void): unknown;
  on(event: 'down', fn: (e: CouplableBfdDownEvent) => void): unknown;
  on(event: 'stateChange', fn: (e: CouplableBfdStateChangeEvent) => void): unknown;
  off(event: 'up', fn: (e: { readonly from: BfdStateName }) => void): unknown;
  off(event: 'down', fn: (e: CouplableBfdDownEvent) => void): unknown;
  off(event: 'stateChange', fn: (e: CouplableBfdStateChangeEvent) => void): unknown;
}

export interface BgpBfdCouplingOptions {
  /** Time source for the bounce grace; use the sessions' clock. Default: the system clock. */
  readonly clock?: Clock | undefined;
  /** How long after BGP reached Established a diag-3 Down counts as an attach bounce. 0..60000 ms, default 3000 (0: never). */
  readonly attachWindowMs?: number | undefined;
  /** How long an attach bounce is held before BGP is torn down. 0..60000 ms, default 1500 (0: no grace). */
  readonly bounceGraceMs?: number | undefined;
  /** Keep BGP Idle while BFD is not Up, start it when BFD is Up. Default false. */
  readonly waitForBfdUp?: boolean | undefined;
}

export const BGP_BFD_COUPLING_DEFAULTS = { attachWindowMs: 3000, bounceGraceMs: 1500, waitForBfdUp: false } as const;

/** The NOTIFICATION sent when BFD tears BGP down: Cease / BFD Down (RFC 9384). */
export const BFD_DOWN_NOTIFICATION: NotificationSpec = notification(ErrorCode.CEASE, CeaseSubcode.BFD_DOWN);

export interface BgpBfdTeardownEvent {
  readonly atMs: number;
  readonly diag: BfdDiagCode;
  readonly diagName: string;
  /** BGP's state when it was stopped. */
  readonly bgpState: BgpStateName;
  /** The reason given to `automaticStop` (names BFD and the diag). */
  readonly reason: string;
  /** Acted when an attach-bounce grace ended without BFD Up. */
  readonly afterGrace: boolean;
  /** BGP is held Idle until BFD is Up (waitForBfdUp). */
  readonly held: boolean;
}

export interface BgpBfdCouplingEvents {
  /** BFD tore BGP down (a NOTIFICATION Cease / BFD Down was sent). */
  teardown: (e: BgpBfdTeardownEvent) => void;
  /** A diag-3 Down right after Established is held for the grace. */
  bounceHeld: (e: { readonly atMs: number; readonly untilMs: number }) => void;
  /** BFD was Up again within the grace: BGP was left alone. */
  bounceAbsorbed: (e: { readonly downAtMs: number; readonly upAtMs: number }) => void;
  /** A BFD Down that did not tear BGP down, and why. */
  downIgnored: (e: { readonly atMs: number; readonly diag: BfdDiagCode; readonly reason: string }) => void;
  /** waitForBfdUp: BFD is Up, BGP is being started. */
  bgpStart: (e: { readonly atMs: number }) => void;
  /** waitForBfdUp: `bgp.start()` rejected. */
  startFailed: (e: { readonly error: unknown }) => void;
}

export interface BgpBfdCouplingSnapshot {
  readonly bfdState: BfdStateName;
  readonly bgpState: BgpStateName;
  readonly waitForBfdUp: boolean;
  /** BGP is held Idle until BFD is Up. */
  readonly waitingForBfd: boolean;
  /** BGP sessions torn down because of BFD. */
  readonly teardowns: number;
  readonly bouncesAbsorbed: number;
  readonly downsIgnored: number;
  /** An attach bounce being held: when the Down came and when the grace ends. */
  readonly pendingGrace: { readonly downAtMs: number; readonly untilMs: number; readonly diag: BfdDiagCode } | undefined;
  /** When BGP last reached Established (while it still is). */
  readonly establishedAtMs: number | undefined;
  readonly lastTeardown: { readonly atMs: number; readonly reason: string } | undefined;
  readonly disposed: boolean;
}

function configError(field: string, message: string): BgpError {
  return new BgpError('ERR_CONFIG_INVALID', `${field}: ${message}`);
}

function ms(v: unknown, field: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 60000) throw configError(field, `must be a number of ms in 0..60000 (got ${JSON.stringify(v)})`);
  return v;
}

function diagLabel(diag: BfdDiagCode): string {
  return bfdDiagName(diag) ?? `diag ${diag}`;
}

function isConnected(s: BgpStateName): boolean {
  return s === BgpState.OpenSent || s === BgpState.OpenConfirm || s === BgpState.Established;
}

interface PendingGrace {
  readonly downAtMs: number;
  readonly untilMs: number;
  readonly down: CouplableBfdDownEvent;
  readonly timer: ClockTimer;
}

/** A BGP session coupled to a BFD session; made by `coupleBgpToBfd`. */
export class BgpBfdCoupling extends EventEmitter<BgpBfdCouplingEvents> {
  readonly #bgp: CouplableBgpSession;
  readonly #bfd: CouplableBfdSession;
  readonly #clock: Clock;
  readonly #attachWindowMs: number;
  readonly #bounceGraceMs: number;
  readonly #waitForBfdUp: boolean;
  #waiting = false;
  #teardowns = 0;
  #bouncesAbsorbed = 0;
  #downsIgnored = 0;
  #pending: PendingGrace | undefined;
  #establishedAtMs: number | undefined;
  #bounceUsed = false;
  #lastTeardown: { atMs: number; reason: string } | undefined;
  #disposed = false;

  readonly #onBgpState = (e: { readonly from: BgpStateName; readonly to: BgpStateName }): void => {
    if (e.to === BgpState.Established) {
      this.#establishedAtMs = this.#clock.now();
      this.#bounceUsed = false;
    } else if (e.from === BgpState.Established) {
      this.#establishedAtMs = undefined;
    }
  };

  readonly #onBfdUp = (): void => {
    const p = this.#pending;
    if (p !== undefined) {
      this.#clock.clearTimer(p.timer);
      this.#pending = undefined;
      this.#bouncesAbsorbed++;
      this.emit('bounceAbsorbed', { downAtMs: p.downAtMs, upAtMs: this.#clock.now() });
    }
    if (this.#waiting) this.#release();
  };

  readonly #onBfdDown = (e: CouplableBfdDownEvent): void => {
    const now = this.#clock.now();
    if (e.to === BfdState.AdminDown || e.diag === BfdDiag.AdministrativelyDown) return this.#ignore(e, 'local AdminDown: BFD disabled here (RFC 5882 s3.2)');
    if (e.remoteState === BfdState.AdminDown) return this.#ignore(e, 'peer AdminDown: not a path failure (RFC 5882 s3.2)');
    if (this.#pending !== undefined) return; // cannot happen: a second Down needs an Up, which ends the grace
    const at = this.#establishedAtMs;
    if (
      e.diag === BfdDiag.NeighborSignaledSessionDown &&
      this.#bounceGraceMs > 0 &&
      !this.#bounceUsed &&
      this.#bgp.state === BgpState.Established &&
      at !== undefined &&
      now - at <= this.#attachWindowMs
    ) {
      this.#bounceUsed = true;
      const untilMs = now + this.#bounceGraceMs;
      const timer = this.#clock.setTimer(untilMs, () => this.#graceEnded());
      this.#pending = { downAtMs: now, untilMs, down: e, timer };
      this.emit('bounceHeld', { atMs: now, untilMs });
      return;
    }
    this.#act(e, false);
  };

  readonly #onBfdStateChange = (e: CouplableBfdStateChangeEvent): void => {
    // BFD disabled locally: BGP is no longer held for it.
    if (e.to === BfdState.AdminDown && this.#waiting) this.#release();
  };

  constructor(bgp: CouplableBgpSession, bfd: CouplableBfdSession, options: BgpBfdCouplingOptions = {}) {
    super();
    if (typeof bgp !== 'object' || bgp === null || typeof bgp.automaticStop !== 'function' || typeof bgp.on !== 'function') {
      throw configError('bgp', 'must be a BGP session (state, on/off, start, automaticStop)');
    }
    if (typeof bfd !== 'object' || bfd === null || typeof bfd.on !== 'function' || typeof bfd.off !== 'function') {
      throw configError('bfd', 'must be a BFD session (state, on/off)');
    }
    if (typeof options !== 'object' || options === null) throw configError('options', 'must be an object');
    const c = options.clock;
    if (c !== undefined && (typeof c !== 'object' || c === null || typeof c.now !== 'function' || typeof c.setTimer !== 'function' || typeof c.clearTimer !== 'function')) {
      throw configError('clock', 'must be a Clock (now, setTimer, clearTimer)');
    }
    const d = BGP_BFD_COUPLING_DEFAULTS;
    this.#attachWindowMs = ms(options.attachWindowMs, 'attachWindowMs', d.attachWindowMs);
    this.#bounceGraceMs = ms(options.bounceGraceMs, 'bounceGraceMs', d.bounceGraceMs);
    const w = options.waitForBfdUp;
    if (w !== undefined && typeof w !== 'boolean') throw configError('waitForBfdUp', `must be true or false (got ${JSON.stringify(w)})`);
    this.#waitForBfdUp = w ?? d.waitForBfdUp;
    this.#clock = c ?? systemClock;
    this.#bgp = bgp;
    this.#bfd = bfd;
    if (bgp.state === BgpState.Established) this.#establishedAtMs = this.#clock.now();
    bgp.on('stateChange', this.#onBgpState);
    bfd.on('up', this.#onBfdUp);
    bfd.on('down', this.#onBfdDown);
    bfd.on('stateChange', this.#onBfdStateChange);
    if (this.#waitForBfdUp) {
      if (bfd.state === BfdState.Up || bfd.state === BfdState.AdminDown) this.#startBgp();
      else this.#hold(`BFD not Up (${bfd.state}): BGP held until BFD is Up`, undefined, false);
    }
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  snapshot(): BgpBfdCouplingSnapshot {
    const p = this.#pending;
    return {
      bfdState: this.#bfd.state,
      bgpState: this.#bgp.state,
      waitForBfdUp: this.#waitForBfdUp,
      waitingForBfd: this.#waiting,
      teardowns: this.#teardowns,
      bouncesAbsorbed: this.#bouncesAbsorbed,
      downsIgnored: this.#downsIgnored,
      pendingGrace: p === undefined ? undefined : { downAtMs: p.downAtMs, untilMs: p.untilMs, diag: p.down.diag },
      establishedAtMs: this.#establishedAtMs,
      lastTeardown: this.#lastTeardown === undefined ? undefined : { ...this.#lastTeardown },
      disposed: this.#disposed,
    };
  }

  toJSON(): BgpBfdCouplingSnapshot {
    return this.snapshot();
  }

  /** Detaches from both sessions and cancels the grace timer. Idempotent. BGP is left as it is. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#pending !== undefined) this.#clock.clearTimer(this.#pending.timer);
    this.#pending = undefined;
    this.#waiting = false;
    this.#bgp.off('stateChange', this.#onBgpState);
    this.#bfd.off('up', this.#onBfdUp);
    this.#bfd.off('down', this.#onBfdDown);
    this.#bfd.off('stateChange', this.#onBfdStateChange);
  }

  #ignore(e: CouplableBfdDownEvent, why: string): void {
    this.#downsIgnored++;
    this.emit('downIgnored', { atMs: this.#clock.now(), diag: e.diag, reason: why });
  }

  #graceEnded(): void {
    const p = this.#pending;
    this.#pending = undefined;
    if (p === undefined || this.#disposed || this.#bfd.state === BfdState.Up) return;
    this.#act(p.down, true);
  }

  /** A BFD Down that counts: tear BGP down (and hold it with waitForBfdUp). */
  #act(e: CouplableBfdDownEvent, afterGrace: boolean): void {
    const grace = afterGrace ? `, not Up again within the ${this.#bounceGraceMs} ms bounce grace` : '';
    const reason = `BFD Down (diag ${e.diag} ${diagLabel(e.diag)}${grace}): ${e.reason}`;
    if (this.#waitForBfdUp) {
      this.#hold(reason, e, afterGrace);
      return;
    }
    const st = this.#bgp.state;
    if (!isConnected(st)) {
      this.#ignore(e, `BGP ${st}: no connection to tear down`);
      return;
    }
    this.#bgp.automaticStop(BFD_DOWN_NOTIFICATION, reason);
    this.#tornDown(st, reason, e, afterGrace, false);
  }

  /** waitForBfdUp: stop BGP without an automatic restart and wait for BFD Up. */
  #hold(reason: string, e: CouplableBfdDownEvent | undefined, afterGrace: boolean): void {
    this.#waiting = true;
    const st = this.#bgp.state;
    // Also when Idle: cancels a pending IdleHold restart (a no-op for a session never started).
    this.#bgp.automaticStop(BFD_DOWN_NOTIFICATION, reason, { restart: false });
    if (isConnected(st)) this.#tornDown(st, reason, e, afterGrace, true);
  }

  #tornDown(st: BgpStateName, reason: string, e: CouplableBfdDownEvent | undefined, afterGrace: boolean, held: boolean): void {
    const atMs = this.#clock.now();
    this.#teardowns++;
    this.#lastTeardown = { atMs, reason };
    const diag = e?.diag ?? 0;
    this.emit('teardown', { atMs, diag, diagName: diagLabel(diag), bgpState: st, reason, afterGrace, held });
  }

  #release(): void {
    this.#waiting = false;
    this.#startBgp();
  }

  #startBgp(): void {
    if (this.#disposed) return;
    this.emit('bgpStart', { atMs: this.#clock.now() });
    let p: Promise<void>;
    try {
      p = this.#bgp.start();
    } catch (error) {
      this.emit('startFailed', { error });
      return;
    }
    p.catch((error: unknown) => this.emit('startFailed', { error }));
  }
}

/**
 * Couples `bgp` to `bfd` (RFC 5882 s4.1): a BFD Down tears BGP down with Cease / BFD Down (RFC
 * 9384), except for AdminDown (s3.2) and an attach bounce absorbed within the grace. Throws
 * BgpError ERR_CONFIG_INVALID naming the field for bad options. Call `dispose()` to detach.
 */
export function coupleBgpToBfd(bgp: CouplableBgpSession, bfd: CouplableBfdSession, options: BgpBfdCouplingOptions = {}): BgpBfdCoupling {
  return new BgpBfdCoupling(bgp, bfd, options);
}
