/**
 * BgpSession timer scenarios on a ManualClock and the in-memory network: hold timer expiry,
 * keepalive cadence with RFC 4271 s10 jitter, connect retry against a peer that does not listen,
 * the IdleHold backoff (documented peer oscillation damping), and the RFC 9687 send hold timer.
 * Every instant is checked exactly on the clock; nothing waits on real time.
 */
import t from 'tap';
import { BgpSession } from '../src/bgp/session/bgp-session.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import { MemoryNetwork } from '../src/testing/memory-transport.js';
import { RawPeer } from './helpers/raw-peer.js';
import { A_ADDR, B_ADDR, type LoggedEvent, connectionOf, logEvents, recordReceives, recordWrites, seeded, sessionPair } from './helpers/session-pair.js';

const KEEPALIVE = 4;
const transitions = (log: readonly LoggedEvent[]): { at: number; edge: string }[] =>
  log.filter((e) => e.name === 'stateChange').map((e) => ({ at: e.at, edge: `${e.payload.from}>${e.payload.to}` }));
const notes = (log: readonly LoggedEvent[], name: 'notificationSent' | 'notificationReceived'): { at: number; cs: string }[] =>
  log.filter((e) => e.name === name).map((e) => ({ at: e.at, cs: `${e.payload.notification.code}/${e.payload.notification.subcode}` }));

t.test('hold timer expiry: 4/0 exactly hold time after the last message received, then Idle', async (t) => {
  const p = await sessionPair();
  p.advance(1000);
  t.equal(p.a.state, 'Established');
  t.equal(p.b.state, 'Established');
  const bConn = connectionOf(p.net, p.b)!;
  t.ok(bConn, "b's connection");
  const received = recordReceives(bConn, p.clock);
  p.advance(45_000); // a few keepalives flow
  t.ok(received.length > 0, 'b received keepalives before the freeze');
  bConn.frozen = true; // b stops reading: nothing from a arrives any more
  const last = received[received.length - 1]!;
  const deadline = last + 90_000;
  t.equal(p.b.snapshot().timers.hold, deadline - p.clock.now(), "b's HoldTimer runs to last receive + 90 s");
  p.advance(deadline - 1 - p.clock.now(), 1000);
  t.equal(p.b.state, 'Established', '1 ms before the deadline: still Established');
  t.same(notes(p.logB, 'notificationSent'), []);
  p.advance(1);
  t.same(notes(p.logB, 'notificationSent'), [{ at: deadline, cs: '4/0' }], 'Hold Timer Expired sent at the exact instant');
  t.match(transitions(p.logB).filter((x) => x.edge === 'Established>Idle'), [{ at: deadline }]);
  t.same(notes(p.logA, 'notificationReceived'), [{ at: deadline, cs: '4/0' }], 'a (not frozen) receives it');
  t.match(transitions(p.logA).filter((x) => x.edge === 'Established>Idle'), [{ at: deadline }]);
  t.match(p.b.snapshot().lastError, /hold timer expired/);
  t.equal(p.b.snapshot().connectRetryCounter, 1);
});

t.test('keepalive cadence: hold/3 with jitter 0.75..1.0 (RFC 4271 s4.4, s10)', async (t) => {
  const p = await sessionPair();
  p.advance(1000);
  const aConn = connectionOf(p.net, p.a)!;
  const writes = recordWrites(aConn, p.clock);
  const start = p.clock.now();
  const minutes = 30;
  p.advance(minutes * 60_000, 1000);
  const ka = writes.filter((w) => w.type === KEEPALIVE).map((w) => w.at);
  const gaps = ka.slice(1).map((x, i) => x - ka[i]!);
  t.ok(gaps.length > 0);
  t.ok(
    gaps.every((g) => g >= 22_500 && g <= 30_000),
    `every interval within [22.5 s, 30 s] (got ${Math.min(...gaps)}..${Math.max(...gaps)})`,
  );
  t.ok(Math.max(...gaps) - Math.min(...gaps) > 100, 'jitter varies the interval');
  t.ok(ka[0]! - start <= 30_000, 'first keepalive within 30 s');
  const n = ka.length;
  t.ok(n >= Math.floor((minutes * 60) / 30) && n <= Math.ceil((minutes * 60) / 22.5), `${n} KEEPALIVEs in ${minutes} min: between ${(minutes * 60) / 30} and ${Math.ceil((minutes * 60) / 22.5)}`);
  t.equal(p.a.state, 'Established');
  t.equal(p.b.state, 'Established');
  t.equal(p.a.negotiated?.keepaliveTimeSec, 30);
  t.same(notes(p.logA, 'notificationSent'), []);
});

t.test('keepalive cadence: a configured keepaliveTimeSec lower than hold/3 is used', async (t) => {
  const p = await sessionPair({ a: { keepaliveTimeSec: 10 } });
  p.advance(1000);
  const writes = recordWrites(connectionOf(p.net, p.a)!, p.clock);
  p.advance(10 * 60_000, 1000);
  const ka = writes.filter((w) => w.type === KEEPALIVE).map((w) => w.at);
  const gaps = ka.slice(1).map((x, i) => x - ka[i]!);
  t.ok(gaps.every((g) => g >= 7500 && g <= 10_000), 'every interval within [7.5 s, 10 s]');
  t.equal(p.a.negotiated?.keepaliveTimeSec, 10);
  t.equal(p.b.negotiated?.keepaliveTimeSec, 30, 'b keeps its own hold/3');
});

t.test('hold time 0: no KEEPALIVEs, no hold timer, the session stays up', async (t) => {
  const p = await sessionPair({ a: { holdTimeSec: 0 } });
  p.advance(1000);
  t.equal(p.a.state, 'Established');
  t.equal(p.a.negotiated?.holdTimeSec, 0, 'min(0, 90)');
  t.equal(p.b.negotiated?.holdTimeSec, 0);
  t.equal(p.b.negotiated?.keepaliveTimeSec, 0);
  const wa = recordWrites(connectionOf(p.net, p.a)!, p.clock);
  const wb = recordWrites(connectionOf(p.net, p.b)!, p.clock);
  p.advance(60 * 60_000, 10_000);
  t.equal(wa.filter((w) => w.type === KEEPALIVE).length, 0, 'a sends no KEEPALIVE in an hour');
  t.equal(wb.filter((w) => w.type === KEEPALIVE).length, 0, 'b sends no KEEPALIVE in an hour');
  t.equal(p.a.state, 'Established');
  t.equal(p.b.state, 'Established');
  t.same(p.a.snapshot().timers, {}, 'no timers run');
  t.same(p.b.snapshot().timers, {});
});

t.test('connect retry: a peer that does not listen is retried every ConnectRetryTime x 0.75..1.0', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const connector = net.connector(A_ADDR);
  const attempts: number[] = [];
  const s = new BgpSession({
    localAsn: 65001,
    peerAsn: 65000,
    routerId: '198.18.0.11',
    peerAddress: B_ADDR,
    localAddress: A_ADDR,
    clock,
    random: seeded(3),
    defer: net.schedule,
    connector: {
      connect: (o, h) => {
        attempts.push(clock.now());
        return connector.connect(o, h);
      },
    },
  });
  const log: LoggedEvent[] = [];
  logEvents(s, clock, log);
  await s.start();
  net.run();
  t.equal(s.state, 'Active', 'refused: waits in Active (documented deviation from RFC Idle)');
  const end = 30 * 60_000;
  for (let i = 0; i < 100_000 && clock.now() < end; i++) {
    clock.advanceTo(Math.min(end, clock.now() + 1000));
    net.run();
  }
  t.equal(attempts[0], 0, 'first attempt at start');
  const gaps = attempts.slice(1).map((x, i) => x - attempts[i]!);
  t.ok(gaps.length >= 14, `${attempts.length} attempts in 30 min`);
  t.ok(
    gaps.every((g) => g >= 90_000 && g <= 120_000),
    `every retry after 90..120 s (got ${Math.min(...gaps)}..${Math.max(...gaps)})`,
  );
  t.ok(Math.max(...gaps) - Math.min(...gaps) > 100, 'jittered');
  t.notOk(
    transitions(log).some((x) => x.edge.endsWith('>Idle')),
    'never falls back to Idle',
  );
  t.ok(
    transitions(log).every((x) => x.edge === 'Idle>Connect' || x.edge === 'Connect>Active' || x.edge === 'Active>Connect'),
    'only Connect <-> Active',
  );
  t.equal(s.snapshot().connectRetryCounter, 0, 'a refused connect in Connect does not count (documented)');
  t.match(s.snapshot().lastError, /ECONNREFUSED/, 'snapshot says why it cannot connect');
});

t.test('IdleHold backoff: 1, 2, 4, 8 s, capped, reset after a stable Established period', async (t) => {
  const p = await sessionPair({ a: { idleHoldTimeSec: 1, maxIdleHoldTimeSec: 8, idleHoldResetSec: 60 }, b: { idleHoldTimeSec: 0 } });
  p.advance(1000);
  t.equal(p.a.state, 'Established');
  const delays: number[] = [];
  const flaps: number[] = [];
  const drop = (): number => {
    const c = connectionOf(p.net, p.a)!;
    const at = p.clock.now();
    c.reset();
    p.run();
    flaps.push(p.a.snapshot().flaps);
    p.advance(20_000);
    t.equal(p.a.state, 'Established', `re-established after drop ${delays.length + 1}`);
    const back = transitions(p.logA).find((x) => x.at >= at && x.edge === 'Idle>Connect')!;
    return back.at - at;
  };
  for (let i = 0; i < 6; i++) delays.push(drop());
  t.same(delays, [1000, 2000, 4000, 8000, 8000, 8000], 'doubling, capped at maxIdleHoldTimeSec');
  t.same(flaps, [1, 2, 3, 4, 5, 6]);
  p.advance(60_000); // stable for idleHoldResetSec
  const after = drop();
  t.equal(after, 1000, 'backoff reset after a stable period');
  t.equal(flaps[flaps.length - 1], 1);
  p.advance(30_000); // established 30 s only: not stable
  t.equal(drop(), 2000, 'a short Established period does not reset it');
});

t.test('send hold timer (RFC 9687): a peer that stops reading is dropped with 8/0 after SendHoldTime', async (t) => {
  const p = await sessionPair({ highWaterMark: 2048, b: { holdTimeSec: 0 } });
  p.advance(1000);
  t.equal(p.a.state, 'Established');
  t.equal(p.a.negotiated?.holdTimeSec, 0, 'hold time 0: b (frozen) does not drop first');
  const aConn = connectionOf(p.net, p.a)!;
  const bConn = connectionOf(p.net, p.b)!;
  const writes = recordWrites(aConn, p.clock);
  bConn.frozen = true;
  let k = 0;
  const announceBatch = (): void => {
    const batch = [];
    for (let i = 0; i < 200; i++, k++) batch.push({ prefix: `10.${k >> 8}.${k & 255}.0/24`, med: k });
    p.a.announce(batch);
  };
  announceBatch();
  p.run();
  const blocked = writes.find((w) => !w.ok);
  t.ok(blocked, 'the send buffer filled up');
  const blockedAt = blocked!.at;
  const deadline = blockedAt + 480_000; // max(8 min, 2 x hold time)
  t.equal(p.a.snapshot().timers.sendHold, deadline - p.clock.now(), 'SendHoldTimer armed when the buffer filled');
  for (let m = 0; m < 7; m++) {
    p.advance(60_000, 1000);
    announceBatch(); // keep announcing: must not restart the timer
    p.run();
  }
  t.equal(p.a.state, 'Established');
  p.advance(deadline - 1 - p.clock.now(), 1000);
  t.equal(p.a.state, 'Established', '1 ms before SendHoldTime');
  p.advance(1);
  t.same(notes(p.logA, 'notificationSent'), [{ at: deadline, cs: '8/0' }], 'Send Hold Timer Expired at the exact instant');
  t.match(transitions(p.logA).filter((x) => x.edge === 'Established>Idle'), [{ at: deadline }]);
  t.match(p.a.snapshot().lastError, /send hold timer/);
  t.equal(p.a.snapshot().timers.sendHold, undefined);
});

t.test('send hold timer: a configured SendHoldTime; a buffer that drains in time stops it', async (t) => {
  const p = await sessionPair({ highWaterMark: 2048, a: { sendHoldTimeSec: 600 }, b: { holdTimeSec: 0 } });
  p.advance(1000);
  const bConn = connectionOf(p.net, p.b)!;
  bConn.frozen = true;
  const batch = [];
  for (let i = 0; i < 300; i++) batch.push({ prefix: `10.1.${i >> 2}.${(i & 3) * 64}/26`, med: i });
  p.a.announce(batch);
  p.run();
  t.equal(p.a.snapshot().timers.sendHold, 600_000, 'configured 600 s');
  p.advance(300_000, 1000);
  p.net.thaw();
  p.run();
  t.equal(p.a.snapshot().timers.sendHold, undefined, 'drained: SendHoldTimer stopped');
  p.advance(600_000, 1000);
  t.equal(p.a.state, 'Established');
  t.same(notes(p.logA, 'notificationSent'), []);
  t.equal(p.b.adjRibIn.size, 300, 'b got every route once it read again');
});

t.test('OpenSent: a peer that connects but never sends its OPEN is dropped after 4 minutes (4/0)', async (t) => {
  const p = await sessionPair({ noStart: true });
  await p.b.start();
  p.run();
  const t0 = p.clock.now();
  const raw = new RawPeer(p.net, A_ADDR, B_ADDR);
  p.run();
  t.equal(p.b.state, 'OpenSent');
  t.equal(raw.opens.length, 1, 'b sent its OPEN');
  t.equal(p.b.snapshot().timers.hold, 240_000, 'HoldTimer "large value" (RFC 4271 s8.2.2: 4 minutes)');
  p.advance(239_999, 1000);
  t.equal(p.b.state, 'OpenSent');
  p.advance(1);
  t.same(notes(p.logB, 'notificationSent'), [{ at: t0 + 240_000, cs: '4/0' }]);
  t.same(raw.notifications.map((n) => `${n.code}/${n.subcode}`), ['4/0'], 'the raw peer got Hold Timer Expired');
  t.ok(raw.closed);
});

t.test('DelayOpen (RFC 4271 s8.1.1): the OPEN waits for the peer, or for the DelayOpenTimer', async (t) => {
  const p = await sessionPair({ a: { delayOpenTimeSec: 5 } });
  t.equal(p.a.state, 'Established', "b's OPEN arrived while a's DelayOpenTimer ran (event 20)");
  const aConn = connectionOf(p.net, p.a)!;
  const types = aConn.written.map((b) => b[18]);
  t.same(types.slice(0, 2), [1, 4], 'a answered with OPEN then KEEPALIVE');
  const q = await sessionPair({ a: { delayOpenTimeSec: 5 }, b: { delayOpenTimeSec: 7 } });
  const t0 = q.clock.now();
  t.equal(q.a.state, 'Connect', 'both wait: a holds its OPEN');
  t.equal(q.a.snapshot().timers.delayOpen, 5000);
  q.advance(4999);
  t.equal(q.a.state, 'Connect');
  q.advance(1);
  t.match(transitions(q.logA).filter((x) => x.edge === 'Connect>OpenSent'), [{ at: t0 + 5000 }], "a's OPEN at the DelayOpenTime");
  t.equal(q.a.state, 'Established', "b's DelayOpenTimer was still running: b answers at once");
  t.match(transitions(q.logB).filter((x) => x.edge === 'Active>OpenConfirm'), [{ at: t0 + 5000 }]);
});

t.test('automaticStop (e.g. BFD down): Cease 6/10 to the peer, automatic restart after the IdleHoldTime', async (t) => {
  const p = await sessionPair();
  p.advance(1000);
  const t0 = p.clock.now();
  p.a.automaticStop({ code: 6, subcode: 10, data: new Uint8Array(0) }, 'BFD down');
  p.run();
  t.same(notes(p.logA, 'notificationSent'), [{ at: t0, cs: '6/10' }]);
  t.same(notes(p.logB, 'notificationReceived'), [{ at: t0, cs: '6/10' }]);
  t.equal(p.a.state, 'Idle');
  t.match(p.a.snapshot().lastError, /BFD down/);
  p.advance(5000);
  t.match(transitions(p.logA).filter((x) => x.at > t0 && x.edge === 'Idle>Connect'), [{ at: t0 + 1000 }], 'restarts after 1 s');
  t.equal(p.a.state, 'Established');
});
