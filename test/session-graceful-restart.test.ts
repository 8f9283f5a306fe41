/**
 * Graceful restart, helper side (RFC 4724 s4.2) and RFC 8538 (N bit, Hard Reset), on a
 * ManualClock: b keeps a's routes as stale when a's connection dies, sweeps what a does not
 * re-announce at End-of-RIB, sweeps everything when a's Restart Time runs out, and drops the
 * routes at once when the NOTIFICATION rules say so.
 */
import t, { type Test } from 'tap';
import { decodeHardReset } from '../src/bgp/codec/hard-reset.js';
import { decodeShutdownCommunication } from '../src/bgp/codec/shutdown-communication.js';
import { type LoggedEvent, type Pair, connectionOf, sessionPair, settle } from './helpers/session-pair.js';

const V4 = [1, 2, 3, 4, 5].map((i) => `203.0.113.${i}/32`);
const V6 = '2001:db8::/64';

const staleEvents = (log: readonly LoggedEvent[]): { at: number; action: string; count: number; prefixes: string[] }[] =>
  log
    .filter((e) => e.name === 'staleRoutes')
    .map((e) => ({ at: e.at, action: e.payload.action, count: e.payload.count, prefixes: (e.payload.routes ?? []).map((r: { prefix: string }) => r.prefix).sort() }));

const ribOf = (p: Pair): [string, boolean][] =>
  p.b.adjRibIn
    .routes()
    .map((r): [string, boolean] => [r.prefix, r.stale])
    .sort((x, y) => (x[0] < y[0] ? -1 : 1));

/** a and b both graceful-restart capable, a with 5 IPv4 routes and 1 IPv6 route at b. */
async function established(t: Test, aGr: object = { forwardingState: true }, bGr: object = {}): Promise<Pair> {
  const p = await sessionPair({ a: { gracefulRestart: aGr }, b: { gracefulRestart: bGr } });
  p.a.announce([...V4.map((prefix) => ({ prefix })), { prefix: V6 }]);
  p.advance(1000);
  t.equal(p.b.state, 'Established');
  t.equal(p.b.adjRibIn.size, 6, 'b holds all 6 routes');
  return p;
}

/** Kills a's connection without a NOTIFICATION (a crash) and stops the old a from reconnecting. */
async function crashA(p: Pair): Promise<number> {
  const at = p.clock.now();
  connectionOf(p.net, p.a)!.reset();
  p.run();
  await p.a.stop(); // the old process is gone: it must not come back by itself
  return at;
}

t.test('helper: stale on connection loss, re-announced subset kept, the rest swept at End-of-RIB', async (t) => {
  const p = await established(t);
  const neg = p.b.negotiated!;
  t.equal(neg.gracefulRestart.local, true);
  t.match(neg.gracefulRestart.peer, { restartTimeSec: 120, restartState: false, notification: true });
  const t0 = await crashA(p);
  t.equal(p.b.state, 'Idle');
  t.same(staleEvents(p.logB), [{ at: t0, action: 'marked', count: 6, prefixes: [] }], 'staleRoutes marked, all 6');
  t.same(p.b.snapshot().adjRibIn, { routes: 6, stale: 6 });
  t.equal(p.b.snapshot().timers.gracefulRestart, 120_000, "a's Restart Time (120 s)");

  p.advance(5000); // a's process restarts 5 s later, with preserved forwarding state (R and F bits)
  await p.restartA({ gracefulRestart: { forwardingState: true }, restarting: true }, (a) => a.announce([{ prefix: V4[0]! }, { prefix: V4[1]! }]));
  p.advance(2000);
  t.equal(p.b.state, 'Established');
  t.match(p.b.negotiated?.gracefulRestart.peer, { restartState: true, families: [{ forwardingState: true }, { forwardingState: true }] });
  const eorEvents = p.logB.filter((e) => e.name === 'endOfRib' && e.at > t0);
  t.same(
    eorEvents.map((e) => `${e.payload.afi}/${e.payload.safi}`),
    ['1/1', '2/1'],
    'a sent End-of-RIB for both families after its routes',
  );
  const eorAt = eorEvents.map((e) => e.at);
  t.same(
    ribOf(p),
    [
      [V4[0]!, false],
      [V4[1]!, false],
    ],
    'only the re-announced routes remain, not stale',
  );
  t.same(p.b.snapshot().adjRibIn, { routes: 2, stale: 0 }, 'snapshot agrees');
  t.same(
    staleEvents(p.logB).filter((e) => e.action === 'swept'),
    [
      { at: eorAt[0], action: 'swept', count: 3, prefixes: V4.slice(2).sort() },
      { at: eorAt[1], action: 'swept', count: 1, prefixes: [V6] },
    ],
    'swept per family at its End-of-RIB (RFC 4724 s4.2)',
  );
  t.equal(p.b.snapshot().timers.gracefulRestart, undefined, 'no stale timer left once every End-of-RIB arrived');
});

t.test('helper: the Restart Time runs out without the peer returning: everything swept', async (t) => {
  const p = await established(t, { restartTimeSec: 30 });
  const t0 = await crashA(p);
  t.same(p.b.snapshot().adjRibIn, { routes: 6, stale: 6 });
  p.advance(29_999);
  t.same(p.b.snapshot().adjRibIn, { routes: 6, stale: 6 }, 'still held 1 ms before the Restart Time');
  p.advance(1);
  const swept = staleEvents(p.logB).filter((e) => e.action === 'swept');
  t.same(swept, [{ at: t0 + 30_000, action: 'swept', count: 6, prefixes: [...V4, V6].sort() }], 'all swept at the exact instant');
  t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 });
  t.equal(p.b.snapshot().timers.gracefulRestart, undefined);
});

t.test('helper: the peer returns without forwarding state (F bit clear): stale routes swept at once', async (t) => {
  const p = await established(t);
  const t0 = await crashA(p);
  p.advance(5000);
  await p.restartA({ gracefulRestart: { forwardingState: false }, restarting: true }, (a) => a.announce([{ prefix: V4[0]! }]));
  p.advance(2000);
  const est = p.logB.filter((e) => e.name === 'established' && e.at > t0)[0]!;
  t.ok(est, 're-established');
  const swept = staleEvents(p.logB).filter((e) => e.action === 'swept');
  t.equal(swept.length, 1);
  t.match(swept[0], { at: est.at, count: 6 }, 'swept on re-establishment, before any UPDATE');
  t.same(ribOf(p), [[V4[0]!, false]], 'then the new UPDATE installs what a announces now');
});

t.test('helper: the peer returns after its Restart Time expired: nothing stale is left to keep', async (t) => {
  const p = await established(t, { restartTimeSec: 10, forwardingState: true });
  await crashA(p);
  p.advance(15_000);
  t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 });
  await p.restartA({ gracefulRestart: { forwardingState: true, restartTimeSec: 10 }, restarting: true }, (a) => a.announce([{ prefix: V4[0]! }]));
  p.advance(2000);
  t.same(ribOf(p), [[V4[0]!, false]]);
});

t.test('no graceful restart on one side: routes deleted when the connection dies', async (t) => {
  for (const [name, aGr, bGr] of [
    ['a without GR', undefined, {}],
    ['b without GR', { forwardingState: true }, undefined],
  ] as const) {
    const p = await sessionPair({ a: { gracefulRestart: aGr }, b: { gracefulRestart: bGr } });
    p.a.announce(V4.map((prefix) => ({ prefix })));
    p.advance(1000);
    t.equal(p.b.adjRibIn.size, 5, name);
    await crashA(p);
    t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 }, `${name}: deleted`);
    t.same(staleEvents(p.logB), [], `${name}: no staleRoutes event`);
  }
});

t.test('RFC 8538: Administrative Shutdown with both N bits keeps the routes; Hard Reset deletes them', async (t) => {
  t.test('admin shutdown (6/2), N bit on both sides: stale', async (t) => {
    const p = await established(t);
    const stopping = p.a.stop({ message: 'maintenance' });
    await settle(p);
    await stopping;
    t.match(p.logB.filter((e) => e.name === 'notificationReceived'), [{ payload: { notification: { code: 6, subcode: 2 } } }]);
    t.same(p.b.snapshot().adjRibIn, { routes: 6, stale: 6 }, 'kept as stale');
    t.equal(p.b.snapshot().timers.gracefulRestart, 120_000);
  });
  t.test('hard reset (6/9): deleted', async (t) => {
    const p = await established(t);
    const stopping = p.a.stop({ hardReset: true });
    await settle(p);
    await stopping;
    const got = p.logB.filter((e) => e.name === 'notificationReceived').map((e) => e.payload.notification);
    t.match(got, [{ code: 6, subcode: 9 }]);
    t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 }, 'deleted');
    t.same(staleEvents(p.logB), []);
  });
  t.test('admin shutdown when b did not set the N bit: deleted', async (t) => {
    const p = await established(t, { forwardingState: true }, { notification: false });
    t.equal(p.b.negotiated?.gracefulRestart.peer?.notification, true, 'a set N');
    const stopping = p.a.stop();
    await settle(p);
    await stopping;
    t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 });
  });
  t.test('admin shutdown when a did not set the N bit: deleted', async (t) => {
    const p = await established(t, { forwardingState: true, notification: false });
    t.equal(p.b.negotiated?.gracefulRestart.peer?.notification, false);
    const stopping = p.a.stop();
    await settle(p);
    await stopping;
    t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 });
  });
  t.test('b stops (its own ManualStop): a deletes what it had from b (RFC 4724 s4.2 applies to the peer restarting)', async (t) => {
    const p = await sessionPair({ a: { gracefulRestart: {} }, b: { gracefulRestart: {} } });
    p.b.announce([{ prefix: '198.51.100.0/24' }]);
    p.advance(1000);
    t.equal(p.a.adjRibIn.size, 1);
    const stopping = p.b.stop();
    await settle(p);
    await stopping;
    t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 }, 'the side that stopped keeps nothing stale');
  });
  t.test('Hard Reset carries the encapsulated NOTIFICATION (RFC 8538 s3)', async (t) => {
    const p = await established(t);
    const stopping = p.a.stop({ hardReset: true, message: 'rebooting' });
    await settle(p);
    await stopping;
    const n = p.logB.find((e) => e.name === 'notificationReceived')!.payload.notification;
    t.match(n, { code: 6, subcode: 9 });
    const inner = decodeHardReset(n.data);
    t.match(inner, { code: 6, subcode: 2 }, 'inner Cease / Administrative Shutdown');
    const comm = 'data' in inner ? decodeShutdownCommunication(inner.data) : { error: 'no inner' };
    t.match(comm, { message: 'rebooting' }, 'with the shutdown communication');
  });
});
