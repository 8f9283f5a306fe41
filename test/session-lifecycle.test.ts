/**
 * BgpSession behaviour around a running session, on a ManualClock: route refresh with and without
 * Enhanced Route Refresh (RFC 2918, RFC 7313), the RFC 9003 shutdown communication, RFC 8326
 * graceful shutdown, events firing after the step commits, and snapshot() never leaking the
 * password.
 */
import t from 'tap';
import { findAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { decodeShutdownCommunication } from '../src/bgp/codec/shutdown-communication.js';
import { WellKnownCommunity } from '../src/bgp/iana/community.js';
import type { BgpSession } from '../src/bgp/session/bgp-session.js';
import { buildOpen } from '../src/bgp/codec/open.js';
import { RouteRefreshSubtype, buildRouteRefresh } from '../src/bgp/codec/route-refresh.js';
import type { UpdateMessage } from '../src/bgp/codec/update.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import { RawPeer } from './helpers/raw-peer.js';
import { A_ADDR, B_ADDR, type LoggedEvent, connectionOf, sessionPair, settle } from './helpers/session-pair.js';

const V4 = ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32'];
const V6 = '2001:db8::/64';

/** The sequence of route-refresh markers and UPDATE prefixes b saw since `from`. */
function refreshTrace(log: readonly LoggedEvent[], from: number): string[] {
  return log
    .filter((e) => e.at >= from && (e.name === 'routeRefresh' || e.name === 'update' || e.name === 'endOfRib'))
    .map((e) => {
      if (e.name === 'routeRefresh') return ['REQUEST', 'BoRR', 'EoRR'][e.payload.subtype as number] ?? `subtype ${e.payload.subtype}`;
      if (e.name === 'endOfRib') return `EoR ${e.payload.afi}/${e.payload.safi}`;
      const u = e.payload.update;
      const mp = u.attributes.find((a: { type: string }) => a.type === 'MP_REACH_NLRI');
      return `UPDATE ${[...u.nlri.toStrings(), ...(mp?.nlri?.toStrings() ?? [])].sort().join(',')}`;
    });
}

t.test('route refresh with Enhanced Route Refresh: BoRR, the routes, EoRR (RFC 7313 s4)', async (t) => {
  const p = await sessionPair();
  p.a.announce([...V4.map((prefix) => ({ prefix })), { prefix: V6 }]);
  p.advance(1000);
  t.equal(p.b.negotiated?.enhancedRouteRefresh, true);
  const from = p.clock.now() + 1;
  p.advance(10);
  p.b.requestRouteRefresh(1, 1);
  p.advance(1000);
  t.match(p.logA.filter((e) => e.name === 'routeRefresh'), [{ payload: { afi: 1, safi: 1, subtype: 0 } }], 'a got the request');
  t.same(refreshTrace(p.logB, from), ['BoRR', `UPDATE ${V4.join(',')}`, 'EoRR'], 'b: BoRR, the IPv4 routes only, EoRR');
  t.same(p.b.snapshot().adjRibIn, { routes: 4, stale: 0 }, 'nothing left stale after EoRR');
  const from6 = p.clock.now() + 1;
  p.advance(10);
  p.b.requestRouteRefresh(2, 1);
  p.advance(1000);
  t.same(refreshTrace(p.logB, from6), ['BoRR', `UPDATE ${V6}`, 'EoRR'], 'IPv6: only the IPv6 route');
  t.equal(p.a.state, 'Established');
});

t.test('route refresh when a disables Enhanced Route Refresh: the routes, no BoRR / EoRR', async (t) => {
  const p = await sessionPair({ a: { enhancedRouteRefresh: false } });
  p.a.announce(V4.map((prefix) => ({ prefix })));
  p.advance(1000);
  t.equal(p.b.negotiated?.routeRefresh, true);
  t.equal(p.b.negotiated?.enhancedRouteRefresh, false);
  const from = p.clock.now() + 1;
  p.advance(10);
  p.b.requestRouteRefresh();
  p.advance(1000);
  t.same(refreshTrace(p.logB, from), [`UPDATE ${V4.join(',')}`], 'just the UPDATEs');
  t.same(p.b.snapshot().adjRibIn, { routes: 3, stale: 0 });
});

t.test('receiving BoRR / EoRR (RFC 7313 s4.2): routes not re-sent in between are swept at EoRR', async (t) => {
  const p = await sessionPair({ noStart: true, b: { families: ['ipv4-unicast'] } });
  await p.b.start();
  p.run();
  const raw = new RawPeer(p.net, A_ADDR, B_ADDR);
  p.run();
  raw.send(
    buildOpen({
      myAsn: 65001,
      holdTimeSec: 90,
      bgpIdentifier: '198.18.0.11',
      capabilities: [{ type: 'MULTIPROTOCOL', afi: 1, safi: 1 }, { type: 'ROUTE_REFRESH' }, { type: 'ENHANCED_ROUTE_REFRESH' }],
    }),
  );
  raw.send({ type: 'KEEPALIVE' });
  p.run();
  t.equal(p.b.state, 'Established');
  t.equal(p.b.negotiated?.enhancedRouteRefresh, true);
  const route = (prefixes: string[]): UpdateMessage => ({
    type: 'UPDATE',
    withdrawn: PrefixList.empty(1),
    attributes: [
      { type: 'ORIGIN', origin: 0 },
      { type: 'AS_PATH', segments: [{ type: 2, asns: [65001] }] },
      { type: 'NEXT_HOP', nextHop: A_ADDR },
    ],
    nlri: PrefixList.from(1, prefixes),
  });
  raw.send(route(V4));
  p.run();
  t.equal(p.b.adjRibIn.size, 3);
  raw.send(buildRouteRefresh(1, 1, RouteRefreshSubtype.BORR));
  p.run();
  t.same(p.b.snapshot().adjRibIn, { routes: 3, stale: 3 }, 'BoRR: everything of the family stale');
  raw.send(route([V4[0]!]));
  p.run();
  t.same(p.b.snapshot().adjRibIn, { routes: 3, stale: 2 }, 'a re-sent route is fresh again');
  raw.send(buildRouteRefresh(1, 1, RouteRefreshSubtype.EORR));
  p.run();
  t.same(p.b.snapshot().adjRibIn, { routes: 1, stale: 0 }, 'EoRR: the rest swept');
  t.match(
    p.logB.filter((e) => e.name === 'staleRoutes'),
    [{ payload: { action: 'swept', count: 2 } }],
  );
  // a request for a family not negotiated is ignored (RFC 2918 s4)
  const before = raw.received.length;
  raw.send(buildRouteRefresh(2, 1));
  p.run();
  t.equal(raw.received.length, before, 'no answer to a refresh of IPv6 unicast');
  raw.send(buildRouteRefresh(1, 1, 7));
  p.run();
  t.equal(p.b.state, 'Established', 'an unknown subtype is ignored (RFC 7313 s5)');
  t.same(raw.notifications, []);
});

t.test('route refresh needs an Established session that negotiated it', async (t) => {
  const p = await sessionPair({ noStart: true });
  t.throws(() => p.b.requestRouteRefresh(), { code: 'ERR_BGP_ROUTE_REFRESH_NOT_NEGOTIATED' }, 'Idle');
  const q = await sessionPair({ a: { routeRefresh: false } });
  q.advance(1000);
  t.equal(q.b.state, 'Established');
  t.throws(() => q.b.requestRouteRefresh(), { code: 'ERR_BGP_ROUTE_REFRESH_NOT_NEGOTIATED' }, 'not negotiated');
});

t.test('shutdown communication (RFC 9003) reaches the peer', async (t) => {
  const p = await sessionPair();
  p.advance(1000);
  const text = 'maintenance until 10:00 UTC — ticket #4711';
  const stopping = p.a.stop({ message: text });
  await settle(p);
  await stopping;
  t.equal(p.a.state, 'Idle');
  const n = p.logB.find((e) => e.name === 'notificationReceived')?.payload.notification;
  t.match(n, { code: 6, subcode: 2 }, 'Cease / Administrative Shutdown');
  t.same(decodeShutdownCommunication(n.data), { message: text, rest: new Uint8Array(0) }, 'the message, UTF-8');
  t.match(p.logA.find((e) => e.name === 'notificationSent')?.payload.notification, { code: 6, subcode: 2 });
  t.match(p.a.snapshot().lastError, /ManualStop: maintenance/);
  // a stopped session does not come back by itself
  p.advance(10 * 60_000, 10_000);
  t.equal(p.a.state, 'Idle');
});

t.test('shutdown communication over 255 octets is refused before anything happens', async (t) => {
  const p = await sessionPair();
  p.advance(1000);
  await t.rejects(p.a.stop({ message: 'x'.repeat(256) }), { code: 'ERR_BGP_SHUTDOWN_COMMUNICATION_TOO_LONG' });
  p.run();
  t.equal(p.a.state, 'Established', 'the session is untouched');
  const stopping = p.a.stop({ message: 'é'.repeat(127) }); // 254 octets
  await settle(p);
  await stopping;
  t.equal(decodeShutdownCommunication(p.logB.find((e) => e.name === 'notificationReceived')!.payload.notification.data).hasOwnProperty('message'), true);
});

t.test('graceful shutdown (RFC 8326): re-announce with GRACEFUL_SHUTDOWN, NOTIFICATION after the wait', async (t) => {
  const p = await sessionPair();
  p.a.announce([
    { prefix: '203.0.113.0/24', communities: ['65000:100'] },
    { prefix: V6 },
  ]);
  p.advance(1000);
  const before = p.b.adjRibIn.routes().map((r) => findAttribute(r.attributes, 'COMMUNITIES')?.communities ?? []);
  t.notOk(before.flat().includes(WellKnownCommunity.GRACEFUL_SHUTDOWN));
  const t0 = p.clock.now();
  let done = false;
  const stopping = p.a.stop({ gracefulShutdownWaitSec: 5, message: 'bye' }).then(() => {
    done = true;
  });
  await settle(p);
  t.equal(p.a.state, 'Established', 'still Established during the wait');
  const comms = new Map(p.b.adjRibIn.routes().map((r) => [r.prefix, findAttribute(r.attributes, 'COMMUNITIES')?.communities ?? []]));
  t.same(comms.get('203.0.113.0/24'), [0xfde80064, WellKnownCommunity.GRACEFUL_SHUTDOWN], '65000:100 kept, 65535:0 added');
  t.same(comms.get(V6), [WellKnownCommunity.GRACEFUL_SHUTDOWN], 'every family');
  t.equal(p.logB.filter((e) => e.name === 'update' && e.at === t0).length, 2, 're-announced at once');
  p.advance(4999);
  await settle(p);
  t.notOk(p.logB.some((e) => e.name === 'notificationReceived'), 'no NOTIFICATION before 5 s');
  t.equal(done, false);
  p.advance(1);
  await settle(p);
  await stopping;
  t.match(
    p.logA.filter((e) => e.name === 'notificationSent'),
    [{ at: t0 + 5000, payload: { notification: { code: 6, subcode: 2 } } }],
    'Cease after exactly 5 s of clock time',
  );
  t.equal(p.a.state, 'Idle');
  t.equal(p.b.state === 'Idle' || p.b.state === 'Active', true);
});

t.test('graceful shutdown wait from the configuration', async (t) => {
  const p = await sessionPair({ a: { gracefulShutdownWaitSec: 3 } });
  p.a.announce({ prefix: '203.0.113.0/24' });
  p.advance(1000);
  const t0 = p.clock.now();
  const stopping = p.a.stop();
  await settle(p);
  p.advance(3000);
  await settle(p);
  await stopping;
  t.match(p.logA.filter((e) => e.name === 'notificationSent'), [{ at: t0 + 3000 }]);
  const q = await sessionPair({ a: { gracefulShutdownWaitSec: 3 } });
  q.advance(1000);
  const t1 = q.clock.now();
  const s2 = q.a.stop({ gracefulShutdownWaitSec: 0 });
  await settle(q);
  await s2;
  t.match(q.logA.filter((e) => e.name === 'notificationSent'), [{ at: t1 }], 'an explicit 0 overrides it');
});

t.test('events fire after the step commits', async (t) => {
  const p = await sessionPair({ noStart: true });
  const seen: string[] = [];
  const watch = (name: string, s: BgpSession): void => {
    s.on('stateChange', (e) => {
      if (s.state !== e.to) seen.push(`${name} stateChange ${e.from}>${e.to} but state ${s.state}`);
      if (s.snapshot().state !== e.to) seen.push(`${name} snapshot disagrees`);
    });
    s.on('established', (e) => {
      if (s.state !== 'Established' || s.negotiated !== e.negotiated) seen.push(`${name} established before commit`);
    });
    s.on('update', (e) => {
      for (const prefix of e.update.nlri.toStrings()) if (!s.adjRibIn.routes().some((r) => r.prefix === prefix)) seen.push(`${name} update before the Adj-RIB-In`);
    });
    s.on('notificationSent', () => {
      if (s.state !== 'Idle') seen.push(`${name} notificationSent while ${s.state}`);
    });
    s.on('notificationReceived', () => {
      if (s.state !== 'Idle') seen.push(`${name} notificationReceived while ${s.state}`);
    });
    s.on('staleRoutes', (e) => {
      if (e.action === 'marked' && s.snapshot().adjRibIn.stale !== e.count) seen.push(`${name} staleRoutes before marking`);
    });
  };
  watch('a', p.a);
  watch('b', p.b);
  await p.b.start();
  await p.a.start();
  p.a.announce({ prefix: '203.0.113.0/24' });
  p.advance(1000);
  t.equal(p.b.adjRibIn.size, 1);
  connectionOf(p.net, p.b)!.frozen = true; // hold expiry on b: notificationSent, stateChange
  p.advance(100_000, 1000);
  t.ok(p.logB.some((e) => e.name === 'notificationSent'));
  t.ok(p.logA.some((e) => e.name === 'notificationReceived'));
  t.same(seen, [], 'every listener saw the committed state');
  t.ok(p.logA.filter((e) => e.name === 'stateChange').length >= 8, 'and there were many transitions');
});

t.test('snapshot() never contains the password', async (t) => {
  const secret = 'hunter2-Secret-Key';
  const p = await sessionPair({ noStart: true, a: { password: secret }, b: { password: secret } });
  const leaks = (s: BgpSession): boolean => JSON.stringify(s.snapshot()).includes(secret);
  t.notOk(leaks(p.a), 'Idle');
  await p.b.start();
  await p.a.start();
  p.a.announce({ prefix: '203.0.113.0/24' });
  p.advance(1000);
  t.equal(p.a.state, 'Established', 'the memory connector ignores the password');
  t.notOk(leaks(p.a), 'Established');
  t.notOk(leaks(p.b), 'Established (passive side)');
  const stopping = p.a.stop();
  await settle(p);
  await stopping;
  t.notOk(leaks(p.a), 'after stop');
  const events = JSON.stringify([...p.logA, ...p.logB], (_k, v: unknown) => (v instanceof Set ? [...v] : v));
  t.notOk(events.includes(secret), 'nor any event payload');
  t.equal(p.a.config.password, secret, 'the configuration itself keeps it (for the transport)');
});

t.test('set(): desired state over a session; the peers filter knows the peer by name and address', async (t) => {
  const p = await sessionPair({ a: { name: 'tor1' } });
  t.equal(p.a.config.name, 'tor1');
  const r = p.a.set([
    { prefix: '203.0.113.5/32' },
    { prefix: '203.0.113.6/32', peers: ['tor1'] },
    { prefix: '203.0.113.7/32', peers: ['tor2'] },
    { prefix: '203.0.113.8/32', peers: [p.a.config.peerAddress] },
  ]);
  t.same(r, { changed: 3, removed: 0, unchanged: 0 });
  p.advance(1000);
  t.same(p.b.adjRibIn.routes().map((x) => x.prefix).sort(), ['203.0.113.5/32', '203.0.113.6/32', '203.0.113.8/32']);
  p.a.set([{ prefix: '203.0.113.5/32' }]);
  p.advance(1000);
  t.same(p.b.adjRibIn.routes().map((x) => x.prefix), ['203.0.113.5/32'], 'the rest withdrawn');
  t.equal(p.a.state, 'Established', 'route changes never reset the session');
  t.throws(() => p.a.set([{ prefix: '203.0.113.9/32' }, { prefix: 'nonsense' }]), { code: 'ERR_BGP_BAD_PREFIX' });
  t.equal(p.a.adjRibOut.size, 1, 'a bad set changes nothing');
  const job = p.a.adjRibOut.beginSet();
  job.add([{ prefix: '203.0.113.10/32' }]);
  while (!job.finish(1));
  p.a.pump();
  p.advance(1000);
  t.same(p.b.adjRibIn.routes().map((x) => x.prefix), ['203.0.113.10/32'], 'a sliced set, then pump()');
});
