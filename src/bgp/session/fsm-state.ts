/**
 * The data of the BGP FSM (RFC 4271 s8): its state record, the timers as deadlines with the
 * event each produces on expiry, the step's environment and result, and the timer values derived
 * from configuration. No transitions here: those are in fsm.ts, one pure step function.
 */
import type { RandomSource } from '../../clock/clock.js';
import type { OpenMessage } from '../codec/open.js';
import { BgpState, type BgpStateName } from './bgp-state.js';
import type { FsmAction } from './fsm-action.js';
import type { FsmEvent } from './fsm-event.js';
import type { Negotiated } from './negotiate.js';
import type { ResolvedPeerConfig } from './session-config.js';

export type TimerName = 'connectRetry' | 'hold' | 'keepalive' | 'delayOpen' | 'idleHold' | 'sendHold' | 'gracefulRestart';
export const TIMER_NAMES: readonly TimerName[] = ['connectRetry', 'hold', 'keepalive', 'delayOpen', 'idleHold', 'sendHold', 'gracefulRestart'];

/** The event each timer produces when it expires. */
export const TIMER_EVENTS: Readonly<Record<TimerName, FsmEvent>> = {
  connectRetry: { type: 'connectRetryTimerExpires' },
  hold: { type: 'holdTimerExpires' },
  keepalive: { type: 'keepaliveTimerExpires' },
  delayOpen: { type: 'delayOpenTimerExpires' },
  idleHold: { type: 'idleHoldTimerExpires' },
  sendHold: { type: 'sendHoldTimerExpires' },
  gracefulRestart: { type: 'gracefulRestartTimerExpires' },
};

/** Deadlines (ms on the injected clock) of the running timers. */
export type Timers = Readonly<Partial<Record<TimerName, number>>>;

/** RFC 4271 s8.2.2: "a large value" for the HoldTimer while waiting for the peer's OPEN (4 minutes suggested). */
export const OPEN_SENT_HOLD_TIME_SEC = 240;
/** RFC 9687 s4: suggested SendHoldTime floor (8 minutes). */
export const SEND_HOLD_TIME_FLOOR_SEC = 480;

export interface FsmState {
  readonly state: BgpStateName;
  /** RFC 4271 ConnectRetryCounter. */
  readonly connectRetryCounter: number;
  readonly timers: Timers;
  /** Administratively started: the FSM restarts itself (after the IdleHoldTime) when the session drops. */
  readonly autoRestart: boolean;
  /** PassiveTcpEstablishment for the current start. */
  readonly passive: boolean;
  /** Our OPEN was sent on the current connection. */
  readonly openSent: boolean;
  readonly peerOpen: OpenMessage | undefined;
  readonly negotiated: Negotiated | undefined;
  /** Consecutive drops without a stable Established period: the IdleHold backoff exponent. */
  readonly flaps: number;
  readonly establishedAtMs: number | undefined;
  /** The transport's send buffer is full (RFC 9687 send hold timer running). */
  readonly transmitBlocked: boolean;
  /** RFC 4724 helper: families (afiSafiKey) whose routes from the peer are held as stale. */
  readonly staleFamilies: readonly number[];
  /** Why the session last left Established or failed to get there. */
  readonly lastError: string | undefined;
}

export interface FsmEnv {
  readonly config: ResolvedPeerConfig;
  readonly nowMs: number;
  /** Uniform in [0, 1): RFC 4271 s10 jitter. */
  readonly random: RandomSource;
}

export interface StepResult {
  readonly state: FsmState;
  readonly actions: readonly FsmAction[];
}

export function initialFsmState(): FsmState {
  return {
    state: BgpState.Idle,
    connectRetryCounter: 0,
    timers: {},
    autoRestart: false,
    passive: false,
    openSent: false,
    peerOpen: undefined,
    negotiated: undefined,
    flaps: 0,
    establishedAtMs: undefined,
    transmitBlocked: false,
    staleFamilies: [],
    lastError: undefined,
  };
}

/** IdleHoldTime for the n-th consecutive drop: initial x 2^(n-1), capped. */
export function idleHoldDelayMs(c: ResolvedPeerConfig, flaps: number): number {
  const exp = Math.min(Math.max(flaps - 1, 0), 30);
  return Math.min(c.idleHoldTimeSec * 2 ** exp, c.maxIdleHoldTimeSec) * 1000;
}

/** The negotiated (or default) RFC 9687 SendHoldTime in seconds. */
export function sendHoldTimeSec(c: ResolvedPeerConfig, negotiated: Negotiated | undefined): number {
  return c.sendHoldTimeSec ?? Math.max(SEND_HOLD_TIME_FLOOR_SEC, 2 * (negotiated?.holdTimeSec ?? 0));
}

/** The earliest deadline of any running timer of these FSMs; undefined when none runs. */
export function nextTimerDeadline(states: readonly FsmState[]): number | undefined {
  let next: number | undefined;
  for (const s of states) {
    for (const name of TIMER_NAMES) {
      const at = s.timers[name];
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
  }
  return next;
}

/** The timers of `records` due at `nowMs`, earliest first. */
export function dueTimers<R extends { readonly fsm: FsmState }>(records: readonly R[], nowMs: number): { record: R; name: TimerName; at: number }[] {
  const due: { record: R; name: TimerName; at: number }[] = [];
  for (const record of records) {
    for (const name of TIMER_NAMES) {
      const at = record.fsm.timers[name];
      if (at !== undefined && at <= nowMs) due.push({ record, name, at });
    }
  }
  return due.sort((a, b) => a.at - b.at);
}

/** Milliseconds left on each running timer (for snapshots). */
export function remainingTimers(s: FsmState, nowMs: number): Partial<Record<TimerName, number>> {
  const left: Partial<Record<TimerName, number>> = {};
  for (const name of TIMER_NAMES) {
    const at = s.timers[name];
    if (at !== undefined) left[name] = Math.max(0, at - nowMs);
  }
  return left;
}
