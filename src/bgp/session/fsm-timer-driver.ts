/**
 * Runs the FSM's timers on the injected clock. The timers are data (deadlines in each record's
 * FsmState); this keeps one ClockTimer armed at the earliest deadline of all records and, when it
 * fires, feeds the due timers' events back, earliest first, skipping any that an earlier expiry in
 * the same batch cancelled.
 *
 * Owns: that one ClockTimer. Must not touch: the FSM transitions, the connections.
 */
import type { Clock, ClockTimer } from '../../clock/clock.js';
import type { FsmEvent } from './fsm-event.js';
import { type FsmState, TIMER_EVENTS, dueTimers, nextTimerDeadline } from './fsm-state.js';

export class FsmTimerDriver<R extends { readonly fsm: FsmState }> {
  readonly #clock: Clock;
  readonly #records: () => readonly R[];
  readonly #fire: (record: R, event: FsmEvent) => void;
  #timer: ClockTimer | undefined;

  /** `records`: the FSM records whose timers run now; `fire`: feeds a timer event to its record. */
  constructor(clock: Clock, records: () => readonly R[], fire: (record: R, event: FsmEvent) => void) {
    this.#clock = clock;
    this.#records = records;
    this.#fire = fire;
  }

  /** Re-arms the clock timer at the earliest deadline (call after every FSM step). */
  reschedule(): void {
    const next = nextTimerDeadline(this.#records().map((r) => r.fsm));
    if (this.#timer !== undefined && this.#timer.atMs === next) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = next === undefined ? undefined : this.#clock.setTimer(next, () => this.#onTimer());
  }

  #onTimer(): void {
    this.#timer = undefined;
    for (const d of dueTimers(this.#records(), this.#clock.now())) {
      // A timer cancelled by an earlier expiry in this batch must not fire.
      if (d.record.fsm.timers[d.name] === d.at) this.#fire(d.record, TIMER_EVENTS[d.name]);
    }
    this.reschedule();
  }
}
