/**
 * ManualClock: deterministic time for scenario tests.
 */
import t from 'tap';
import { ManualClock } from '../src/testing/manual-clock.js';

t.test('timers fire in deadline order, ties in the order set, with now() at the deadline', async (t) => {
  const c = new ManualClock(1000);
  t.equal(c.now(), 1000);
  const fired: string[] = [];
  c.setTimer(1300, () => fired.push(`c@${c.now()}`));
  c.setTimer(1100, () => fired.push(`a@${c.now()}`));
  c.setTimer(1300, () => fired.push(`d@${c.now()}`));
  c.setTimer(1200, () => fired.push(`b@${c.now()}`));
  t.equal(c.pendingTimers, 4);
  t.equal(c.nextDeadline, 1100);
  c.advance(250);
  t.same(fired, ['a@1100', 'b@1200']);
  t.equal(c.now(), 1250, 'now() ends at the target');
  c.advanceTo(1300);
  t.same(fired, ['a@1100', 'b@1200', 'c@1300', 'd@1300'], 'a deadline equal to the target fires; ties keep order');
  t.equal(c.pendingTimers, 0);
  t.equal(c.nextDeadline, undefined);
});

t.test('timers set by callbacks fire within the same advance; past deadlines fire at once', async (t) => {
  const c = new ManualClock(0);
  const at: number[] = [];
  const tick = (): void => {
    at.push(c.now());
    if (at.length < 5) c.setTimer(c.now() + 10, tick);
  };
  c.setTimer(10, tick);
  c.advance(1000);
  t.same(at, [10, 20, 30, 40, 50]);
  const late: number[] = [];
  c.setTimer(500, () => late.push(c.now()));
  c.runDue();
  t.same(late, [1000], 'a deadline in the past fires at the current time, not earlier');
  const chain: number[] = [];
  c.setTimer(c.now(), () => {
    chain.push(c.now());
    c.setTimer(c.now(), () => chain.push(c.now()));
  });
  c.runDue();
  t.same(chain, [1000, 1000], 'zero-delay timers set by a callback run in the same runDue');
});

t.test('clearTimer; going back in time; the bound on runaway timers', async (t) => {
  const c = new ManualClock(0);
  let n = 0;
  const x = c.setTimer(10, () => n++);
  c.setTimer(20, () => n++);
  c.clearTimer(x);
  c.clearTimer(x); // twice is fine
  t.equal(c.pendingTimers, 1);
  c.advance(100);
  t.equal(n, 1);
  t.throws(() => c.advanceTo(50), RangeError);
  const selfRearm = (): void => void c.setTimer(c.now(), selfRearm);
  c.setTimer(c.now(), selfRearm);
  t.throws(() => c.runDue(), /more than 1,000,000 timers/);
  const cleared = new ManualClock(0);
  let ran = false;
  const y = cleared.setTimer(5, () => (ran = true));
  cleared.setTimer(1, () => cleared.clearTimer(y));
  cleared.advance(10);
  t.equal(ran, false, 'a timer cleared by an earlier callback does not fire');
  t.equal(new ManualClock().now(), 0, 'starts at 0 by default');
});
