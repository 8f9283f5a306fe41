/**
 * A clock that moves only when a test says so. Timers fire in deadline order (ties in the order
 * they were set) during `advance`/`advanceTo`, with `now()` equal to each timer's deadline while
 * it runs, so a scenario is exact and repeatable: no test sleeps on a protocol timer.
 */
import type { Clock, ClockTimer } from '../clock/clock.js';

interface ManualTimer extends ClockTimer {
  readonly seq: number;
  readonly callback: () => void;
  active: boolean;
}

export class ManualClock implements Clock {
  #nowMs: number;
  #seq = 0;
  #timers: ManualTimer[] = [];

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimer(atMs: number, callback: () => void): ClockTimer {
    const t: ManualTimer = { atMs, seq: this.#seq++, callback, active: true };
    this.#timers.push(t);
    return t;
  }

  clearTimer(timer: ClockTimer): void {
    const t = timer as ManualTimer;
    t.active = false;
    this.#timers = this.#timers.filter((x) => x !== t);
  }

  /** Timers still waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** The earliest pending deadline, or undefined. */
  get nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const t of this.#timers) if (min === undefined || t.atMs < min) min = t.atMs;
    return min;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#nowMs + ms);
  }

  /**
   * Moves time to `targetMs`, firing due timers in order; timers set by callbacks fire too when
   * they fall within the window. Bounded: more than 1,000,000 firings in one call throws (a timer
   * that re-arms itself at the same instant).
   */
  advanceTo(targetMs: number): void {
    if (targetMs < this.#nowMs) throw new RangeError(`ManualClock cannot go back in time (${targetMs} < ${this.#nowMs})`);
    for (let fired = 0; ; fired++) {
      if (fired > 1_000_000) throw new Error('ManualClock: more than 1,000,000 timers fired in one advance');
      let next: ManualTimer | undefined;
      for (const t of this.#timers) {
        if (t.atMs <= targetMs && (next === undefined || t.atMs < next.atMs || (t.atMs === next.atMs && t.seq < next.seq))) next = t;
      }
      if (next === undefined) break;
      this.#timers = this.#timers.filter((x) => x !== next);
      if (next.atMs > this.#nowMs) this.#nowMs = next.atMs;
      next.active = false;
      next.callback();
    }
    this.#nowMs = targetMs;
  }

  /** Fires everything due now (after code scheduled zero-delay timers). */
  runDue(): void {
    this.advanceTo(this.#nowMs);
  }
}
