/**
 * The time source every protocol layer is given (sessions, BFD, MRAI): a monotonic clock in
 * milliseconds and one-shot timers. Sans-I/O cores never read `Date.now()` or call `setTimeout`;
 * they receive a Clock. Production code uses `systemClock`; tests use `ManualClock` from
 * `tsbgp/testing`, which only moves when the test advances it.
 */

/** An opaque handle for a scheduled callback. */
export interface ClockTimer {
  readonly atMs: number;
}

export interface Clock {
  /** Monotonic milliseconds (fractional allowed). Only differences are meaningful. */
  now(): number;
  /** Calls `callback` once `now() >= atMs`. */
  setTimer(atMs: number, callback: () => void): ClockTimer;
  /** Cancels a timer; a no-op when it already fired or was cancelled. */
  clearTimer(timer: ClockTimer): void;
}

/** A source of uniformly distributed numbers in [0, 1), injected for timer jitter. */
export type RandomSource = () => number;
