/**
 * The BFD session state machine of RFC 5880 (s6.2, s6.8), asynchronous mode, as one pure
 * function: `step(state, event, env) -> { state, actions }`. Timers are deadlines in the state
 * (milliseconds of the injected clock); intervals are microseconds as on the wire. Time and
 * jitter come in through `env`. The session layer sends the packets the actions carry and turns
 * due deadlines into timer events. Never touches sockets or clocks.
 *
 * Deliberate choices where RFC 5880 leaves room:
 * - The Final answering a Poll is sent after the received packet is processed, so it carries the
 *   new state (s6.8.6 lists the answer before the state update; the packet content is the same
 *   otherwise).
 * - Entering Up lowers Desired Min TX from the 1 s slow rate to the configured value; that is a
 *   change of bfd.DesiredMinTxInterval, so a Poll Sequence starts (s6.8.3). A decrease of the
 *   transmit interval takes effect at once; an increase (and a decrease of Required Min RX for the
 *   Detection Time) only when the Final arrives.
 * - Poll Sequences are only started while Up; leaving Up ends one.
 * - Diag is cleared to 0 on entering Up and on administrative enable.
 * - A state change is sent at once (the transmit deadline moves to now), as FRR and BIRD do,
 *   although s6.8.7 bounds the interval between packets by the (now slow) transmit interval: a
 *   peer learns of Init, Up or Down within its one-way delay instead of up to 1 s later, and a
 *   three-way handshake or a bounce completes in milliseconds. The number of such packets is
 *   bounded by the state changes, which received packets or timers cause.
 * - In AdminDown packets keep being sent at the slow rate (s6.8.16 allows ceasing after a
 *   Detection Time; we do not).
 * - Packets are checked here too for the discriminator rules of s6.8.6 (My Discriminator non-zero,
 *   Your Discriminator ours or zero only in Down/AdminDown, P and F not both set, Detect Mult
 *   non-zero), so a session that demultiplexes by address alone stays correct.
 * - Demand mode: never requested locally; a peer in Demand mode is honoured (no periodic packets
 *   while both sides are Up, except during a Poll Sequence). The Echo function is not implemented.
 */
import type { RandomSource } from '../clock/clock.js';
import { BgpError } from '../bgp/errors.js';
import { BfdState, type BfdStateName } from './bfd-state.js';
import { BfdDiag, type BfdDiagCode } from './diagnostic.js';
import type { ResolvedBfdProfile } from './bfd-config.js';
import type { BfdFsmAction, OutgoingControlPacket } from './fsm-action.js';
import type { BfdFsmEvent, ReceivedControlPacket } from './fsm-event.js';

/** RFC 5880 s6.8.3: Desired Min TX while the session is not Up, at least 1 s. */
export const SLOW_TX_INTERVAL_US = 1_000_000;

export type BfdTimerName = 'transmit' | 'detection';

/** The event each timer produces when it expires. */
export const BFD_TIMER_EVENTS: Readonly<Record<BfdTimerName, BfdFsmEvent>> = {
  transmit: { type: 'transmitTimerExpires' },
  detection: { type: 'detectionTimerExpires' },
};

/** Deadlines (ms on the injected clock) of the running timers. */
export type BfdTimers = Readonly<Partial<Record<BfdTimerName, number>>>;

/** The RFC 5880 s6.8.1 state variables, plus the deadlines and the Poll Sequence bookkeeping. */
export interface BfdFsmState {
  /** bfd.SessionState */
  readonly state: BfdStateName;
  /** bfd.RemoteSessionState */
  readonly remoteState: BfdStateName;
  /** bfd.LocalDiscr */
  readonly localDiscr: number;
  /** bfd.RemoteDiscr: 0 while unknown, and again once a Detection Time passes without packets. */
  readonly remoteDiscr: number;
  /** bfd.LocalDiag */
  readonly localDiag: BfdDiagCode;
  /** Diag of the last received packet. */
  readonly remoteDiag: BfdDiagCode;
  /** bfd.DetectMult */
  readonly detectMult: number;
  /** Passive role (s6.1): no packets while bfd.RemoteDiscr is 0. */
  readonly passive: boolean;
  /** The configured Desired Min TX (us), advertised while Up (at least 1 s is advertised otherwise). */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval (us), as advertised. */
  readonly requiredMinRxUs: number;
  /** The Desired Min TX the transmit interval uses now: lags an increase until the Poll Sequence ends. */
  readonly txBaseUs: number;
  /** The Required Min RX the Detection Time uses now: lags a decrease until the Poll Sequence ends. */
  readonly detectRxUs: number;
  /** bfd.RemoteMinRxInterval (us); 1 until a packet is received. */
  readonly remoteMinRxUs: number;
  /** Desired Min TX of the last received packet (us); 0 until a packet is received. */
  readonly remoteDesiredMinTxUs: number;
  /** Detect Mult of the last received packet; 0 until a packet is received. */
  readonly remoteDetectMult: number;
  /** bfd.RemoteDemandMode */
  readonly remoteDemandMode: boolean;
  /** Our Poll Sequence is running: periodic packets carry P. */
  readonly pollActive: boolean;
  /** When the last packet was received (anchors the Detection Time); undefined once it expired. */
  readonly lastRxMs: number | undefined;
  /** When the last packet was sent. */
  readonly lastTxMs: number | undefined;
  readonly timers: BfdTimers;
}

export interface BfdFsmEnv {
  readonly nowMs: number;
  /** Uniform in [0, 1): RFC 5880 s6.8.7 transmit jitter. */
  readonly random: RandomSource;
}

export interface BfdStepResult {
  readonly state: BfdFsmState;
  readonly actions: readonly BfdFsmAction[];
}

/** What a new session starts from. */
export interface BfdSessionParams {
  /** bfd.LocalDiscr: non-zero and unique among the system's sessions (the session layer picks it). */
  readonly localDiscr: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly detectMult: number;
  readonly passive?: boolean | undefined;
  /** Start administratively down. */
  readonly adminDown?: boolean | undefined;
}

/** Session parameters from a resolved MetalLB-style profile (ms -> us). */
export function bfdParamsFromProfile(profile: ResolvedBfdProfile, localDiscr: number): BfdSessionParams {
  return {
    localDiscr,
    desiredMinTxUs: profile.transmitInterval * 1000,
    requiredMinRxUs: profile.receiveInterval * 1000,
    detectMult: profile.detectMultiplier,
    passive: profile.passiveMode,
  };
}

function paramError(field: string, message: string): BgpError {
  return new BgpError('ERR_CONFIG_INVALID', `${field}: ${message}`);
}

function checkUint(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw paramError(field, `must be an integer in ${min}..${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

const U32_MAX = 0xffffffff;

/**
 * A new session in Down (or AdminDown). An active session's first packet is due at `nowMs`; a
 * passive one sends nothing until it has heard from the peer. Throws BgpError ERR_CONFIG_INVALID
 * naming a bad parameter.
 */
export function initialBfdState(params: BfdSessionParams, nowMs: number): BfdFsmState {
  const localDiscr = checkUint(params.localDiscr, 'localDiscr', 1, U32_MAX);
  const desiredMinTxUs = checkUint(params.desiredMinTxUs, 'desiredMinTxUs', 1, U32_MAX);
  const requiredMinRxUs = checkUint(params.requiredMinRxUs, 'requiredMinRxUs', 0, U32_MAX);
  const detectMult = checkUint(params.detectMult, 'detectMult', 1, 255);
  const passive = params.passive ?? false;
  const adminDown = params.adminDown ?? false;
  return {
    state: adminDown ? BfdState.AdminDown : BfdState.Down,
    remoteState: BfdState.Down,
    localDiscr,
    remoteDiscr: 0,
    localDiag: adminDown ? BfdDiag.AdministrativelyDown : BfdDiag.NoDiagnostic,
    remoteDiag: BfdDiag.NoDiagnostic,
    detectMult,
    passive,
    desiredMinTxUs,
    requiredMinRxUs,
    txBaseUs: Math.max(SLOW_TX_INTERVAL_US, desiredMinTxUs),
    detectRxUs: requiredMinRxUs,
    remoteMinRxUs: 1,
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    remoteDemandMode: false,
    pollActive: false,
    lastRxMs: undefined,
    lastTxMs: undefined,
    timers: passive ? {} : { transmit: nowMs },
  };
}

/** The Desired Min TX we advertise: the configured value while Up, at least 1 s otherwise (s6.8.3). */
export function advertisedDesiredMinTxUs(s: BfdFsmState): number {
  return s.state === BfdState.Up ? s.desiredMinTxUs : Math.max(SLOW_TX_INTERVAL_US, s.desiredMinTxUs);
}

/** The negotiated transmit interval before jitter (s6.8.2 / s6.8.7), in us. */
export function transmitIntervalUs(s: BfdFsmState): number {
  return Math.max(s.txBaseUs, s.remoteMinRxUs);
}

/** The Detection Time (s6.8.4, asynchronous mode) in us; undefined until a packet is received. */
export function detectionTimeUs(s: BfdFsmState): number | undefined {
  if (s.remoteDetectMult === 0) return undefined;
  return s.remoteDetectMult * Math.max(s.detectRxUs, s.remoteDesiredMinTxUs);
}

/** The packet to send now (without P/F decided by the caller). */
export function controlPacket(s: BfdFsmState, flags: { readonly poll: boolean; readonly final: boolean }): OutgoingControlPacket {
  return {
    state: s.state,
    diag: s.localDiag,
    poll: flags.poll,
    final: flags.final,
    demand: false,
    detectMult: s.detectMult,
    myDiscr: s.localDiscr,
    yourDiscr: s.remoteDiscr,
    desiredMinTxUs: advertisedDesiredMinTxUs(s),
    requiredMinRxUs: s.requiredMinRxUs,
    requiredMinEchoRxUs: 0,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Per-step working copy: collects actions, applies state changes, never mutates the input. */
class Tx {
  readonly s: Mutable<BfdFsmState>;
  readonly timers: Partial<Record<BfdTimerName, number>>;
  readonly actions: BfdFsmAction[] = [];
  private readonly intervalBefore: number;

  constructor(
    state: BfdFsmState,
    readonly env: BfdFsmEnv,
  ) {
    this.s = { ...state };
    this.timers = { ...state.timers };
    this.intervalBefore = transmitIntervalUs(state);
  }

  get now(): number {
    return this.env.nowMs;
  }

  /** The negotiated interval reduced by 0-25% (0-10% more when Detect Mult is 1: 75-90%), in ms. */
  jitteredIntervalMs(): number {
    const r = this.env.random();
    const factor = this.s.detectMult === 1 ? 0.75 + 0.15 * r : 0.75 + 0.25 * r;
    return (transmitIntervalUs(this.s) * factor) / 1000;
  }

  send(reason: 'periodic' | 'final'): void {
    const packet = controlPacket(this.s, { poll: reason === 'periodic' && this.s.pollActive, final: reason === 'final' });
    this.actions.push({ type: 'send', packet, reason });
    this.s.lastTxMs = this.now;
  }

  go(to: BfdStateName, diag: BfdDiagCode, reason: string): void {
    const from = this.s.state;
    if (from === to) return;
    const advertisedBefore = advertisedDesiredMinTxUs(this.s);
    this.s.state = to;
    this.s.localDiag = diag;
    if (to === BfdState.Up) {
      const advertised = advertisedDesiredMinTxUs(this.s);
      if (advertised !== advertisedBefore) this.changeWhileUp(advertised, this.s.detectRxUs);
    } else {
      // Not Up: the slow rate, no Poll Sequence, and the Detection Time uses the current RX.
      this.s.pollActive = false;
      this.s.txBaseUs = advertisedDesiredMinTxUs(this.s);
      this.s.detectRxUs = this.s.requiredMinRxUs;
    }
    this.actions.push({ type: 'stateChange', from, to, diag, reason });
  }

  /** s6.8.3: a parameter change while Up starts a Poll Sequence; decreases of TX / increases of RX apply now. */
  changeWhileUp(newTxUs: number, newRxUs: number): void {
    this.s.pollActive = true;
    this.s.txBaseUs = Math.min(this.s.txBaseUs, newTxUs);
    this.s.detectRxUs = Math.max(this.s.detectRxUs, newRxUs);
  }

  endPoll(): void {
    this.s.pollActive = false;
    this.s.txBaseUs = advertisedDesiredMinTxUs(this.s);
    this.s.detectRxUs = this.s.requiredMinRxUs;
    this.actions.push({ type: 'pollComplete' });
  }

  /** The state changed in this step and no packet carrying the new state was sent after it. */
  stateChangedUnsent(): boolean {
    let changed = false;
    for (const a of this.actions) {
      if (a.type === 'stateChange') changed = true;
      else if (a.type === 'send') changed = false;
    }
    return changed;
  }

  canTransmitPeriodic(): boolean {
    const s = this.s;
    if (s.passive && s.remoteDiscr === 0) return false; // s6.8.7
    if (s.remoteMinRxUs === 0) return false; // s6.8.7: the peer does not want packets
    if (s.remoteDemandMode && s.state === BfdState.Up && s.remoteState === BfdState.Up && !s.pollActive) return false;
    return true;
  }

  finish(): BfdStepResult {
    const s = this.s;
    // Transmit deadline: start promptly when transmission becomes allowed; pull it in when the interval shrank.
    if (!this.canTransmitPeriodic()) {
      delete this.timers.transmit;
    } else if (this.stateChangedUnsent()) {
      // Tell the peer about a new state at once (as FRR and BIRD do); the schedule continues from now.
      this.timers.transmit = this.now;
    } else if (this.timers.transmit === undefined) {
      this.timers.transmit = this.now;
    } else if (transmitIntervalUs(s) < this.intervalBefore) {
      const candidate = Math.max(this.now, (s.lastTxMs ?? this.now) + this.jitteredIntervalMs());
      if (candidate < this.timers.transmit) this.timers.transmit = candidate;
    }
    // Detection deadline: anchored at the last packet received (s6.8.4).
    const dt = detectionTimeUs(s);
    if (s.state === BfdState.AdminDown || s.lastRxMs === undefined || dt === undefined) delete this.timers.detection;
    else this.timers.detection = s.lastRxMs + dt / 1000;
    s.timers = this.timers;
    return { state: s, actions: this.actions };
  }
}

/** The s6.8.6 discriminator and flag checks the state machine repeats; a reason to discard or undefined. */
function discardReason(s: BfdFsmState, p: ReceivedControlPacket): string | undefined {
  if (p.detectMult === 0) return 'Detect Mult is zero';
  if (p.myDiscr === 0) return 'My Discriminator is zero';
  if (p.poll && p.final) return 'both Poll and Final are set';
  if (p.yourDiscr !== 0 && p.yourDiscr !== s.localDiscr) return `Your Discriminator ${p.yourDiscr} is not ours (${s.localDiscr})`;
  if (p.yourDiscr === 0 && p.state !== BfdState.Down && p.state !== BfdState.AdminDown) return `Your Discriminator is zero in state ${p.state}`;
  return undefined;
}

function onPacket(tx: Tx, p: ReceivedControlPacket): void {
  const s = tx.s;
  const bad = discardReason(s, p);
  if (bad !== undefined) {
    tx.actions.push({ type: 'discard', reason: bad });
    return;
  }
  s.lastRxMs = tx.now;
  if (p.final && s.pollActive) tx.endPoll();
  s.remoteDiscr = p.myDiscr;
  s.remoteState = p.state;
  s.remoteDiag = p.diag;
  s.remoteDemandMode = p.demand;
  s.remoteMinRxUs = p.requiredMinRxUs;
  s.remoteDesiredMinTxUs = p.desiredMinTxUs;
  s.remoteDetectMult = p.detectMult;

  if (s.state === BfdState.AdminDown) {
    tx.actions.push({ type: 'discard', reason: 'session is AdminDown' });
  } else if (p.state === BfdState.AdminDown) {
    if (s.state !== BfdState.Down) tx.go(BfdState.Down, BfdDiag.NeighborSignaledSessionDown, 'neighbor signaled AdminDown');
  } else if (s.state === BfdState.Down) {
    if (p.state === BfdState.Down) tx.go(BfdState.Init, s.localDiag, 'received Down');
    else if (p.state === BfdState.Init) tx.go(BfdState.Up, BfdDiag.NoDiagnostic, 'received Init');
  } else if (s.state === BfdState.Init) {
    if (p.state === BfdState.Init || p.state === BfdState.Up) tx.go(BfdState.Up, BfdDiag.NoDiagnostic, `received ${p.state}`);
  } else if (p.state === BfdState.Down) {
    tx.go(BfdState.Down, BfdDiag.NeighborSignaledSessionDown, 'neighbor signaled Down');
  }

  // s6.8.7: a Poll is answered at once with Final, whatever the state, role or timers.
  if (p.poll) tx.send('final');
}

function onSetParameters(tx: Tx, e: Extract<BfdFsmEvent, { type: 'setParameters' }>): void {
  const s = tx.s;
  const desiredMinTxUs = e.desiredMinTxUs === undefined ? s.desiredMinTxUs : checkUint(e.desiredMinTxUs, 'desiredMinTxUs', 1, U32_MAX);
  const requiredMinRxUs = e.requiredMinRxUs === undefined ? s.requiredMinRxUs : checkUint(e.requiredMinRxUs, 'requiredMinRxUs', 0, U32_MAX);
  const detectMult = e.detectMult === undefined ? s.detectMult : checkUint(e.detectMult, 'detectMult', 1, 255);
  s.detectMult = detectMult;
  if (desiredMinTxUs === s.desiredMinTxUs && requiredMinRxUs === s.requiredMinRxUs) return;
  s.desiredMinTxUs = desiredMinTxUs;
  s.requiredMinRxUs = requiredMinRxUs;
  if (s.state === BfdState.Up) {
    tx.changeWhileUp(desiredMinTxUs, requiredMinRxUs);
  } else {
    s.txBaseUs = advertisedDesiredMinTxUs(s);
    s.detectRxUs = requiredMinRxUs;
  }
}

/** Whether a timer event is due; an early or stale expiry is ignored. */
function due(state: BfdFsmState, name: BfdTimerName, nowMs: number): boolean {
  const at = state.timers[name];
  return at !== undefined && nowMs >= at;
}

/** One transition of the BFD state machine. Pure: the input state is not modified. */
export function step(state: BfdFsmState, event: BfdFsmEvent, env: BfdFsmEnv): BfdStepResult {
  const tx = new Tx(state, env);
  switch (event.type) {
    case 'controlPacket':
      onPacket(tx, event.packet);
      break;
    case 'transmitTimerExpires':
      if (!due(state, 'transmit', env.nowMs)) return { state, actions: [] };
      delete tx.timers.transmit;
      if (tx.canTransmitPeriodic()) {
        tx.send('periodic');
        tx.timers.transmit = env.nowMs + tx.jitteredIntervalMs();
      }
      break;
    case 'detectionTimerExpires':
      if (!due(state, 'detection', env.nowMs)) return { state, actions: [] };
      // s6.8.1: bfd.RemoteDiscr is reset once a Detection Time passes without packets.
      tx.s.lastRxMs = undefined;
      tx.s.remoteDiscr = 0;
      tx.s.remoteState = BfdState.Down;
      tx.s.remoteDemandMode = false;
      if (tx.s.state === BfdState.Init || tx.s.state === BfdState.Up) {
        tx.go(BfdState.Down, BfdDiag.ControlDetectionTimeExpired, 'Control Detection Time expired');
      }
      break;
    case 'adminDown':
      tx.go(BfdState.AdminDown, BfdDiag.AdministrativelyDown, 'administratively disabled');
      tx.s.lastRxMs = undefined;
      break;
    case 'adminUp':
      if (tx.s.state === BfdState.AdminDown) tx.go(BfdState.Down, BfdDiag.NoDiagnostic, 'administratively enabled');
      break;
    case 'setParameters':
      onSetParameters(tx, event);
      break;
  }
  return tx.finish();
}
