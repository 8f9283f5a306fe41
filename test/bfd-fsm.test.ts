/**
 * The BFD state machine (RFC 5880 s6.8): the s6.8.6 transition table, detection time, transmit
 * intervals and jitter, Poll/Final, AdminDown, passive role. Pure time: each step gets nowMs.
 */
import t, { type Test } from 'tap';
import { BfdState, type BfdStateName, BFD_STATES, BFD_STATE_CODE, bfdStateFromCode } from '../src/bfd/bfd-state.js';
import { BfdDiag, bfdDiagName } from '../src/bfd/diagnostic.js';
import type { BfdFsmAction, OutgoingControlPacket } from '../src/bfd/fsm-action.js';
import type { BfdFsmEvent, ReceivedControlPacket } from '../src/bfd/fsm-event.js';
import {
  type BfdFsmState,
  type BfdStepResult,
  SLOW_TX_INTERVAL_US,
  bfdParamsFromProfile,
  detectionTimeUs,
  initialBfdState,
  step,
  transmitIntervalUs,
} from '../src/bfd/fsm.js';
import { resolveBfdProfile } from '../src/bfd/bfd-config.js';

const LOCAL = 0x11;
const REMOTE = 0x22;
const PARAMS = bfdParamsFromProfile(resolveBfdProfile(), LOCAL); // 300 ms / 300 ms / x3

function pkt(o: Partial<ReceivedControlPacket> = {}): ReceivedControlPacket {
  return {
    state: BfdState.Up,
    diag: 0,
    poll: false,
    final: false,
    demand: false,
    detectMult: 3,
    myDiscr: REMOTE,
    yourDiscr: LOCAL,
    desiredMinTxUs: 300_000,
    requiredMinRxUs: 300_000,
    ...o,
  };
}

function run(s: BfdFsmState, e: BfdFsmEvent, nowMs: number, r = 0.5): BfdStepResult {
  return step(s, e, { nowMs, random: () => r });
}

function rx(s: BfdFsmState, p: Partial<ReceivedControlPacket>, nowMs: number): BfdStepResult {
  return run(s, { type: 'controlPacket', packet: pkt(p) }, nowMs);
}

function sends(actions: readonly BfdFsmAction[]): OutgoingControlPacket[] {
  return actions.flatMap((a) => (a.type === 'send' ? [a.packet] : []));
}

/** Down -> Init -> Up through the three-way handshake; returns the Up state at 100 ms. */
function up(passive = false): BfdFsmState {
  let s = initialBfdState({ ...PARAMS, passive }, 0);
  s = rx(s, { state: 'Down', yourDiscr: 0, desiredMinTxUs: SLOW_TX_INTERVAL_US }, 50).state;
  s = rx(s, { state: 'Up' }, 100).state;
  return s;
}

t.test('initial state and first packet', async (t) => {
  const s = initialBfdState(PARAMS, 1000);
  t.equal(s.state, 'Down');
  t.equal(s.remoteDiscr, 0);
  t.equal(s.remoteMinRxUs, 1);
  t.equal(s.timers.transmit, 1000, 'first packet due at once');
  t.equal(s.timers.detection, undefined);
  const r = run(s, { type: 'transmitTimerExpires' }, 1000, 0);
  t.same(sends(r.actions), [
    { state: 'Down', diag: 0, poll: false, final: false, demand: false, detectMult: 3, myDiscr: LOCAL, yourDiscr: 0, desiredMinTxUs: 1_000_000, requiredMinRxUs: 300_000, requiredMinEchoRxUs: 0 },
  ]);
  t.equal(r.state.timers.transmit, 1000 + 750, 'slow rate 1 s, jitter 75%');
  t.throws(() => initialBfdState({ ...PARAMS, localDiscr: 0 }, 0), { code: 'ERR_CONFIG_INVALID', message: /^localDiscr:/ });
  t.throws(() => initialBfdState({ ...PARAMS, detectMult: 0 }, 0), { code: 'ERR_CONFIG_INVALID', message: /^detectMult:/ });
  const a = initialBfdState({ ...PARAMS, adminDown: true }, 0);
  t.equal(a.state, 'AdminDown');
  t.equal(a.localDiag, BfdDiag.AdministrativelyDown);
});

t.test('s6.8.6 transition table', async (t) => {
  // [local, received] -> [new state, diag]
  const table: Record<BfdStateName, Record<BfdStateName, [BfdStateName, number]>> = {
    AdminDown: { AdminDown: ['AdminDown', 7], Down: ['AdminDown', 7], Init: ['AdminDown', 7], Up: ['AdminDown', 7] },
    Down: { AdminDown: ['Down', 0], Down: ['Init', 0], Init: ['Up', 0], Up: ['Down', 0] },
    Init: { AdminDown: ['Down', 3], Down: ['Init', 0], Init: ['Up', 0], Up: ['Up', 0] },
    Up: { AdminDown: ['Down', 3], Down: ['Down', 3], Init: ['Up', 0], Up: ['Up', 0] },
  };
  for (const local of BFD_STATES) {
    for (const remote of BFD_STATES) {
      const base = initialBfdState(PARAMS, 0);
      const s: BfdFsmState = { ...base, state: local, localDiag: local === 'AdminDown' ? 7 : 0, remoteDiscr: REMOTE };
      const r = rx(s, { state: remote }, 10);
      const [want, diag] = table[local][remote];
      t.equal(r.state.state, want, `${local} + ${remote} -> ${want}`);
      t.equal(r.state.localDiag, diag, `${local} + ${remote}: diag ${diag}`);
      const change = r.actions.find((a) => a.type === 'stateChange');
      if (want === local) t.notOk(change, `${local} + ${remote}: no stateChange`);
      else t.match(change, { type: 'stateChange', from: local, to: want, diag });
      t.equal(r.state.remoteState, remote);
      if (local === 'AdminDown') t.ok(r.actions.some((a) => a.type === 'discard'), 'AdminDown discards');
    }
  }
});

t.test('three-way handshake', async (t) => {
  let s = initialBfdState(PARAMS, 0);
  let r = rx(s, { state: 'Down', yourDiscr: 0 }, 50);
  t.equal(r.state.state, 'Init');
  t.equal(r.state.remoteDiscr, REMOTE, 'remote discriminator learned');
  s = r.state;
  r = run(s, { type: 'transmitTimerExpires' }, s.timers.transmit ?? 0);
  t.match(sends(r.actions)[0], { state: 'Init', yourDiscr: REMOTE, desiredMinTxUs: 1_000_000 });
  r = rx(r.state, { state: 'Up' }, 2000);
  t.equal(r.state.state, 'Up');
  t.match(r.actions, [{ type: 'stateChange', from: 'Init', to: 'Up', diag: 0 }]);
  t.equal(r.state.pollActive, true, 'the drop from the 1 s slow rate is a parameter change: Poll');
  t.equal(transmitIntervalUs(r.state), 300_000, 'a TX decrease applies at once');
});

t.test('packets the state machine discards', async (t) => {
  const s = up();
  const cases: Array<[Partial<ReceivedControlPacket>, RegExp]> = [
    [{ detectMult: 0 }, /Detect Mult/],
    [{ myDiscr: 0 }, /My Discriminator/],
    [{ poll: true, final: true }, /Poll and Final/],
    [{ yourDiscr: 99 }, /not ours/],
    [{ yourDiscr: 0, state: 'Up' }, /zero in state Up/],
  ];
  for (const [p, re] of cases) {
    const r = rx(s, p, 200);
    t.match(r.actions, [{ type: 'discard', reason: re }]);
    t.equal(r.state.lastRxMs, s.lastRxMs, 'detection not refreshed');
    t.equal(r.state.state, 'Up');
  }
  t.equal(rx(s, { yourDiscr: 0, state: 'AdminDown' }, 200).state.state, 'Down', 'zero Your Discriminator is fine in AdminDown');
});

t.test('detection time: Down exactly at expiry, anchored at the last packet', async (t) => {
  let s = up();
  t.equal(s.state, 'Up');
  s = rx(s, {}, 1000).state;
  t.equal(detectionTimeUs(s), 900_000, '3 x max(300 ms, 300 ms)');
  t.equal(s.timers.detection, 1900);
  let r = run(s, { type: 'detectionTimerExpires' }, 1899);
  t.same(r.actions, [], 'not 1 ms before');
  t.equal(r.state, s);
  r = run(s, { type: 'detectionTimerExpires' }, 1900);
  t.equal(r.state.state, 'Down');
  t.equal(r.state.localDiag, BfdDiag.ControlDetectionTimeExpired);
  t.equal(r.state.remoteDiscr, 0, 'remote discriminator forgotten');
  t.equal(r.state.timers.detection, undefined);
  t.match(r.actions, [{ type: 'stateChange', from: 'Up', to: 'Down', diag: 1 }]);
  t.equal(transmitIntervalUs(r.state), SLOW_TX_INTERVAL_US, 'back to the slow rate');

  // Remote's larger Desired Min TX and multiplier drive the detection time.
  s = rx(up(), { desiredMinTxUs: 500_000, detectMult: 5 }, 1000).state;
  t.equal(s.timers.detection, 1000 + 2500);
  // A larger local Required Min RX does too.
  s = rx(up(), { desiredMinTxUs: 50_000, detectMult: 2 }, 1000).state;
  t.equal(s.timers.detection, 1000 + 600);

  // Init also times out; Down only forgets the remote.
  const init = rx(initialBfdState(PARAMS, 0), { state: 'Down', yourDiscr: 0 }, 0).state;
  t.equal(init.timers.detection, 3 * 300, 'remote advertises 300 ms in this packet');
  t.equal(run(init, { type: 'detectionTimerExpires' }, 900).state.state, 'Down');
  const down = { ...init, state: BfdState.Down };
  const d = run(down, { type: 'detectionTimerExpires' }, 900);
  t.notOk(d.actions.some((a) => a.type === 'stateChange'));
  t.equal(d.state.remoteDiscr, 0);
});

t.test('transmit interval, jitter bounds and the slow rate', async (t) => {
  const down = initialBfdState(PARAMS, 0);
  for (const [r, want] of [
    [0, 750],
    [0.5, 875],
    [0.999999, 999.99975],
  ] as const) {
    const res = run(down, { type: 'transmitTimerExpires' }, 0, r);
    t.equal(res.state.timers.transmit, want, `Down: 1 s x (0.75 + 0.25 x ${r})`);
  }
  const s = up();
  t.equal(transmitIntervalUs(s), 300_000);
  for (let i = 0; i <= 10; i++) {
    const r = i === 10 ? 0.9999999 : i / 10;
    const at = s.timers.transmit ?? 0;
    const next = run(s, { type: 'transmitTimerExpires' }, at, r).state.timers.transmit ?? 0;
    t.ok(next - at >= 225 && next - at < 300, `Up: 75-100% of 300 ms (${next - at})`);
  }
  const m1 = { ...s, detectMult: 1 };
  t.equal(run(m1, { type: 'transmitTimerExpires' }, s.timers.transmit ?? 0, 0).state.timers.transmit, (s.timers.transmit ?? 0) + 225);
  const top = (run(m1, { type: 'transmitTimerExpires' }, s.timers.transmit ?? 0, 0.9999999).state.timers.transmit ?? 0) - (s.timers.transmit ?? 0);
  t.ok(top <= 270 && top > 269, 'Detect Mult 1: at most 90%');
  // The remote's Required Min RX is a floor on our interval.
  t.equal(transmitIntervalUs(rx(s, { requiredMinRxUs: 800_000 }, 200).state), 800_000);
  // Early or stale timer events are ignored.
  t.same(run(s, { type: 'transmitTimerExpires' }, (s.timers.transmit ?? 0) - 1).actions, []);
  // A peer asking for Required Min RX 0 gets no periodic packets.
  t.equal(rx(s, { requiredMinRxUs: 0 }, 200).state.timers.transmit, undefined);
});

t.test('local Poll/Final: TX increase waits for Final, decrease applies at once', async (t) => {
  let s = up();
  s = rx(s, { final: true }, 150).state; // ends the Poll started on entering Up
  t.equal(s.pollActive, false);

  let r = run(s, { type: 'setParameters', desiredMinTxUs: 600_000 }, 200);
  s = r.state;
  t.equal(s.pollActive, true);
  t.equal(transmitIntervalUs(s), 300_000, 'increase not yet in effect');
  r = run(s, { type: 'transmitTimerExpires' }, s.timers.transmit ?? 0, 0);
  t.match(sends(r.actions), [{ poll: true, final: false, desiredMinTxUs: 600_000 }], 'periodic packet carries P and the new value');
  t.equal((r.state.timers.transmit ?? 0) - (s.timers.transmit ?? 0), 225, 'still the old 300 ms interval');
  s = r.state;
  r = rx(s, { final: true }, 400);
  t.match(r.actions, [{ type: 'pollComplete' }]);
  s = r.state;
  t.equal(s.pollActive, false);
  t.equal(transmitIntervalUs(s), 600_000, 'increase in effect after Final');
  r = run(s, { type: 'transmitTimerExpires' }, s.timers.transmit ?? 0, 0);
  t.match(sends(r.actions), [{ poll: false }]);
  t.equal((r.state.timers.transmit ?? 0) - (s.timers.transmit ?? 0), 450);
  s = r.state;

  // Decrease: in effect at once, the pending deadline is pulled in, Poll still runs.
  r = run(s, { type: 'setParameters', desiredMinTxUs: 100_000 }, (s.lastTxMs ?? 0) + 10, 0);
  t.equal(r.state.pollActive, true);
  t.equal(transmitIntervalUs(r.state), 300_000, 'floor is the remote Required Min RX');
  t.equal(r.state.timers.transmit, (s.lastTxMs ?? 0) + 225, 'next packet moved earlier');
});

t.test('local Poll/Final: RX decrease keeps the old detection time until Final', async (t) => {
  let s = rx(up(), { final: true, desiredMinTxUs: 100_000 }, 150).state;
  t.equal(detectionTimeUs(s), 900_000);
  s = run(s, { type: 'setParameters', requiredMinRxUs: 100_000 }, 200).state;
  t.equal(s.pollActive, true);
  s = rx(s, { desiredMinTxUs: 100_000 }, 250).state;
  t.equal(detectionTimeUs(s), 900_000, 'old Required Min RX until Final');
  t.equal(s.timers.detection, 250 + 900);
  s = rx(s, { final: true, desiredMinTxUs: 100_000 }, 300).state;
  t.equal(detectionTimeUs(s), 300_000, 'new Required Min RX after Final');
  t.equal(s.timers.detection, 300 + 300);
  // An RX increase applies at once.
  s = run(s, { type: 'setParameters', requiredMinRxUs: 1_000_000 }, 350).state;
  t.equal(detectionTimeUs(s), 3_000_000);
  // Not Up: no Poll, applied at once.
  const down = run(initialBfdState(PARAMS, 0), { type: 'setParameters', requiredMinRxUs: 50_000, detectMult: 5 }, 0).state;
  t.equal(down.pollActive, false);
  t.equal(down.detectRxUs, 50_000);
  t.equal(down.detectMult, 5);
  // Nothing changed: nothing to poll.
  const same = run(rx(up(), { final: true }, 150).state, { type: 'setParameters', desiredMinTxUs: 300_000 }, 200).state;
  t.equal(same.pollActive, false);
});

t.test('remote Poll: answered at once with Final; new remote rate applies', async (t) => {
  const s = rx(up(), { final: true }, 150).state;
  const r = rx(s, { poll: true, requiredMinRxUs: 900_000 }, 200);
  const out = sends(r.actions);
  t.equal(out.length, 1);
  t.match(out[0], { final: true, poll: false, state: 'Up', yourDiscr: REMOTE });
  t.match(r.actions, [{ type: 'send', reason: 'final' }]);
  t.equal(transmitIntervalUs(r.state), 900_000);
  t.equal(r.state.timers.transmit, s.timers.transmit, 'a slower peer does not pull the deadline in');
  // While our own Poll runs, the Final answer still has P clear.
  const polling = run(s, { type: 'setParameters', desiredMinTxUs: 400_000 }, 160).state;
  t.match(sends(rx(polling, { poll: true }, 170).actions), [{ poll: false, final: true }]);
  // A Poll is answered in AdminDown too, and Final without our Poll is ignored.
  const admin = run(s, { type: 'adminDown' }, 160).state;
  t.match(sends(rx(admin, { poll: true, state: 'Up' }, 170).actions), [{ final: true, state: 'AdminDown', diag: 7 }]);
  t.notOk(rx(s, { final: true }, 170).actions.some((a) => a.type === 'pollComplete'));
});

t.test('AdminDown: local and received', async (t) => {
  const s = up();
  let r = run(s, { type: 'adminDown' }, 200);
  t.match(r.actions, [{ type: 'stateChange', from: 'Up', to: 'AdminDown', diag: 7 }]);
  t.equal(r.state.timers.detection, undefined, 'no detection in AdminDown');
  t.equal(r.state.pollActive, false);
  r = run(r.state, { type: 'transmitTimerExpires' }, r.state.timers.transmit ?? 0);
  t.match(sends(r.actions), [{ state: 'AdminDown', diag: 7, desiredMinTxUs: 1_000_000 }]);
  t.equal(run(r.state, { type: 'adminDown' }, 300).actions.length, 0, 'idempotent');
  r = run(r.state, { type: 'adminUp' }, 400);
  t.match(r.actions, [{ type: 'stateChange', from: 'AdminDown', to: 'Down', diag: 0 }]);
  t.same(run(r.state, { type: 'adminUp' }, 500).actions, [], 'adminUp outside AdminDown does nothing');

  r = rx(s, { state: 'AdminDown', diag: 7 }, 200);
  t.equal(r.state.state, 'Down');
  t.equal(r.state.localDiag, BfdDiag.NeighborSignaledSessionDown);
  t.equal(r.state.remoteDiag, 7);
});

t.test('passive role: silent until the peer speaks', async (t) => {
  let s = initialBfdState({ ...PARAMS, passive: true }, 0);
  t.equal(s.timers.transmit, undefined);
  t.same(run(s, { type: 'transmitTimerExpires' }, 0).actions, []);
  const r = rx(s, { state: 'Down', yourDiscr: 0 }, 500);
  s = r.state;
  t.equal(s.state, 'Init');
  t.equal(s.timers.transmit, 500, 'transmission starts at once');
  t.match(sends(run(s, { type: 'transmitTimerExpires' }, 500).actions), [{ state: 'Init', yourDiscr: REMOTE }]);
  // Losing the peer silences it again.
  const lost = run(s, { type: 'detectionTimerExpires' }, s.timers.detection ?? 0).state;
  t.equal(lost.remoteDiscr, 0);
  t.equal(lost.timers.transmit, undefined);
});

t.test('remote Demand mode stops periodic packets while both are Up', async (t) => {
  const s = rx(up(), { final: true }, 150).state;
  const d = rx(s, { demand: true }, 200).state;
  t.equal(d.timers.transmit, undefined);
  t.ok(d.timers.detection !== undefined, 'we still detect (we are not in Demand mode)');
  const polling = run(d, { type: 'setParameters', desiredMinTxUs: 200_000 }, 210).state;
  t.equal(polling.timers.transmit, 210, 'a Poll Sequence is sent periodically');
});

t.test('step does not mutate its input', async (t: Test) => {
  const s = up();
  const copy = structuredClone(s);
  run(s, { type: 'detectionTimerExpires' }, 10_000);
  rx(s, { state: 'Down' }, 200);
  run(s, { type: 'adminDown' }, 200);
  t.same(s, copy);
});

t.test('state and diagnostic codes', async (t) => {
  for (const s of BFD_STATES) t.equal(bfdStateFromCode(BFD_STATE_CODE[s]), s);
  t.equal(bfdStateFromCode(4), undefined);
  t.equal(bfdDiagName(1), 'ControlDetectionTimeExpired');
  t.equal(bfdDiagName(8), 'ReverseConcatenatedPathDown');
  t.equal(bfdDiagName(9), undefined);
});
