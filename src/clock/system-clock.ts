/**
 * The real clock: `performance.now()` and `setTimeout`. The only place outside the socket
 * adapters that touches real time. Timers are unref'd so an idle clock never keeps the process
 * alive by itself (sockets do that).
 */
import type { Clock, ClockTimer } from './clock.js';

interface SystemTimer extends ClockTimer {
  handle: ReturnType<typeof setTimeout> | undefined;
}

/** Node's setTimeout takes at most 2^31-1 ms; longer delays are re-armed in steps. */
const MAX_DELAY_MS = 0x7fffffff;

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(atMs, callback) {
    const timer: SystemTimer = { atMs, handle: undefined };
    const arm = (): void => {
      const delay = Math.max(0, Math.min(MAX_DELAY_MS, Math.ceil(atMs - performance.now())));
      timer.handle = setTimeout(() => {
        if (performance.now() < atMs) arm();
        else {
          timer.handle = undefined;
          callback();
        }
      }, delay);
      timer.handle.unref?.();
    };
    arm();
    return timer;
  },
  clearTimer(timer) {
    const t = timer as SystemTimer;
    if (t.handle !== undefined) clearTimeout(t.handle);
    t.handle = undefined;
  },
};
