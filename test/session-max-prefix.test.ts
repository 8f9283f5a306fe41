/**
 * Maximum-prefix limits (RFC 4486) on a BgpSession's Adj-RIB-In, on a ManualClock and the
 * in-memory network: Cease 6/1 with the s4 data at the peer, no automatic reconnect without
 * `restartSec`, the restart exactly `restartSec` later with it, the threshold warning once per
 * crossing, `warningOnly`, independent families, withdrawals, the rest of an UPDATE burst left
 * unread, Hard Reset with the RFC 8538 N bit, configuration errors and the CLI flags. Nothing
 * waits on real time.
 */
import t from 'tap';
import { BgpSession, type BgpSessionOptions } from '../src/bgp/session/bgp-session.js';
import { resolvePeerConfig, type BgpPeerConfig } from '../src/bgp/session/session-config.js';
import { buildOpen } from '../src/bgp/codec/open.js';
import { encodeMessage } from '../src/bgp/codec/message.js';
import { decodeMaxPrefixesData } from '../src/bgp/codec/notification.js';
import { decodeHardReset } from '../src/bgp/codec/hard-reset.js';
import type { UpdateMessage } from '../src/bgp/codec/update.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import { parseSessionFlags } from '../src/cli/session-flags.js';
import { RawPeer } from './helpers/raw-peer.js';
import { A_ADDR, B_ADDR, type LoggedEvent, type Pair, connectionOf, sessionPair, settle, states } from './helpers/session-pair.js';

const v4 = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `203.0.113.${from + i}/32`);
const v6 = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `2001:db8:${(from + i).toString(16)}::/48`);
const announce = (s: BgpSession, prefixes: readonly string[]): void => s.announce(prefixes.map((prefix) => ({ prefix })));

/** Logs the maximum-prefix events too (the shared helper logs the older ones). */
function logMaxPrefixes(p: Pair): void {
  for (const [s, log] of [
    [p.a, p.logA],
    [p.b, p.logB],
  ] as const) {
    s.on('maxPrefixesWarning', (payload) => log.push({ at: p.clock.now(), name: 'maxPrefixesWarning', payload }));
    s.on('maxPrefixesExceeded', (payload) => log.push({ at: p.clock.now(), name: 'maxPrefixesExceeded', payload }));
  }
}

const named = (log: readonly LoggedEvent[], name: LoggedEvent['name']): LoggedEvent[] => log.filter((e) => e.name === name);

/** A pair where a (the active side) limits what b sends it. */
async function limitedPair(maxPrefixes: BgpPeerConfig['maxPrefixes'], a: Partial<BgpSessionOptions> = {}, b: Partial<BgpSessionOptions> = {}): Promise<Pair> {
  const p = await sessionPair({ a: { maxPrefixes, ...a }, b });
  logMaxPrefixes(p);
  p.advance(1000);
  return p;
}

t.test('exceeding the limit: Cease 6/1 with the RFC 4486 s4 data, Adj-RIB-In cleared, typed events', async (t) => {
  const p = await limitedPair({ limit: 3 });
  t.equal(p.a.state, 'Established');
  const aConn = connectionOf(p.net, p.a)!;
  announce(p.b, v4(1, 3));
  p.advance(1000);
  t.equal(p.a.state, 'Established', 'at the limit: still up');
  t.same(p.a.snapshot().prefixes, { 'ipv4-unicast': { routes: 3, limit: 3 }, 'ipv6-unicast': { routes: 0, limit: 3 } });
  const updatesBefore = named(p.logA, 'update').length;
  announce(p.b, v4(10, 1));
  p.advance(1000);
  const exceeded = named(p.logA, 'maxPrefixesExceeded');
  t.match(exceeded, [{ payload: { peer: B_ADDR, afi: 1, safi: 1, limit: 3, count: 4, action: 'cease', restartSec: undefined } }]);
  const t0 = exceeded[0]!.at;
  // The exact bytes on the wire: header (length 28, type 3), 6/1, AFI 1, SAFI 1, upper bound 3.
  const last = aConn.written[aConn.written.length - 1]!;
  t.equal(Buffer.from(last).toString('hex'), 'ff'.repeat(16) + '001c03' + '0601' + '0001' + '01' + '00000003', 'NOTIFICATION bytes');
  const received = named(p.logB, 'notificationReceived');
  t.equal(received.length, 1);
  const n = received[0]!.payload.notification;
  t.match(n, { code: 6, subcode: 1 }, 'the peer decodes Cease / Maximum Number of Prefixes Reached');
  t.same(decodeMaxPrefixesData(n.data), { afi: 1, safi: 1, upperBound: 3 }, 'and the RFC 4486 s4 data');
  t.match(named(p.logA, 'notificationSent'), [{ at: t0, payload: { notification: { code: 6, subcode: 1 } } }]);
  const down = named(p.logA, 'stateChange').filter((e) => e.payload.to === 'Idle');
  t.match(down, [{ at: t0, payload: { from: 'Established', reason: /maximum prefixes exceeded \(RFC 4486\): 4 ipv4-unicast routes, limit 3/ } }]);
  t.ok(p.logA.indexOf(exceeded[0]!) < p.logA.indexOf(down[0]!), 'maxPrefixesExceeded before the state change');
  t.equal(named(p.logA, 'update').length, updatesBefore, 'the exceeding UPDATE is not reported');
  t.equal(p.a.adjRibIn.size, 0, 'Adj-RIB-In cleared as on any session down');
  t.match(p.a.snapshot(), { state: 'Idle', lastError: /maximum prefixes exceeded/, prefixes: { 'ipv4-unicast': { routes: 0, limit: 3 } } });
});

t.test('without restartSec the session stays Idle until start()', async (t) => {
  const p = await limitedPair({ limit: 2 });
  announce(p.b, v4(1, 3));
  p.advance(1000);
  t.equal(p.a.state, 'Idle');
  t.same(p.a.snapshot().timers, {}, 'no IdleHoldTimer, no ConnectRetryTimer');
  const connections = p.net.connections.length;
  const edges = states(p.logA).length;
  p.advance(30 * 60_000, 10_000); // far past the connect retry (120 s) and the IdleHold ceiling (120 s)
  t.equal(p.a.state, 'Idle', 'still Idle after 30 minutes');
  t.equal(states(p.logA).length, edges, 'no state change at all');
  t.equal(p.net.connections.length, connections, 'no connection attempt');
  // b would accept it again: the refusal is ours
  t.equal(p.b.state, 'Active');
  await p.a.start();
  p.advance(1000);
  t.equal(named(p.logA, 'established').length, 2, 'start() brings it back');
  t.equal(named(p.logA, 'maxPrefixesExceeded').length, 2, 'and b, still sending 3 routes, exceeds it again');
  t.equal(p.a.state, 'Idle');
});

t.test('with restartSec the session starts again exactly restartSec after the Cease', async (t) => {
  const p = await limitedPair({ limit: 2, restartSec: 30 });
  announce(p.b, v4(1, 3));
  p.advance(1000);
  const [ex] = named(p.logA, 'maxPrefixesExceeded');
  t.match(ex, { payload: { action: 'cease', restartSec: 30 } });
  const t0 = ex!.at;
  t.equal(p.a.state, 'Idle');
  t.match(p.a.snapshot().lastError, /restart in 30 s/);
  t.equal(p.a.snapshot().timers.idleHold, 30_000 - (p.clock.now() - t0), 'the restart is a timer in the FSM state');
  p.advance(t0 + 30_000 - 1 - p.clock.now(), 1000);
  t.equal(p.a.state, 'Idle', '1 ms before: Idle');
  p.advance(1);
  const up = named(p.logA, 'stateChange').filter((e) => e.payload.from === 'Idle');
  t.match(up.at(-1), { at: t0 + 30_000, payload: { to: 'Connect' } }, 'leaves Idle at the exact instant');
  p.advance(2000);
  t.equal(named(p.logA, 'established').length, 2, 're-established');
  t.equal(named(p.logA, 'maxPrefixesExceeded').length, 2, 'exceeded again (b still sends 3), and again waits 30 s');
  t.equal(p.a.state, 'Idle');
});

t.test('stop() cancels a pending restart; start() while it is pending changes nothing', async (t) => {
  const p = await limitedPair({ limit: 1, restartSec: 10 });
  announce(p.b, v4(1, 2));
  p.advance(1000);
  t.equal(p.a.state, 'Idle');
  await p.a.start();
  t.equal(p.a.state, 'Idle', 'start() during the wait does not jump it');
  const stopping = p.a.stop();
  await settle(p);
  await stopping;
  p.advance(60_000, 1000);
  t.equal(p.a.state, 'Idle', 'stop() cancelled the restart');
  t.same(p.a.snapshot().timers, {});
});

t.test('the threshold warning fires once per crossing', async (t) => {
  const p = await limitedPair({ limit: 10 }); // default 75 %: warns at 8 routes (8 x 100 >= 10 x 75)
  announce(p.b, v4(1, 7));
  p.advance(1000);
  t.same(named(p.logA, 'maxPrefixesWarning'), [], '7 routes: below 75 %');
  announce(p.b, v4(20, 1));
  p.advance(1000);
  t.match(named(p.logA, 'maxPrefixesWarning'), [{ payload: { peer: B_ADDR, afi: 1, safi: 1, limit: 10, count: 8, thresholdPct: 75 } }]);
  announce(p.b, v4(30, 1));
  p.advance(1000);
  announce(p.b, v4(40, 1));
  p.advance(1000);
  t.equal(named(p.logA, 'maxPrefixesWarning').length, 1, 'exactly once while above the threshold (9, then 10 routes)');
  t.equal(p.a.state, 'Established', '10 routes: at the limit, not above');
  p.b.withdraw(v4(1, 4).map((prefix) => ({ prefix })));
  p.advance(1000);
  t.equal(p.a.snapshot().prefixes['ipv4-unicast']?.routes, 6);
  announce(p.b, v4(50, 2));
  p.advance(1000);
  t.match(named(p.logA, 'maxPrefixesWarning'), [{ payload: { count: 8 } }, { payload: { count: 8 } }], 'dropping below re-arms it');
  t.same(named(p.logA, 'maxPrefixesExceeded'), []);
});

t.test('warningThresholdPct sets the warning point', async (t) => {
  const p = await limitedPair({ limit: 10, warningThresholdPct: 50 });
  announce(p.b, v4(1, 4));
  p.advance(1000);
  t.same(named(p.logA, 'maxPrefixesWarning'), []);
  announce(p.b, v4(10, 1));
  p.advance(1000);
  t.match(named(p.logA, 'maxPrefixesWarning'), [{ payload: { count: 5, thresholdPct: 50 } }]);
});

t.test('warningOnly reports and never tears down', async (t) => {
  const p = await limitedPair({ limit: 3, warningOnly: true });
  announce(p.b, v4(1, 5));
  p.advance(1000);
  t.equal(p.a.state, 'Established');
  t.match(named(p.logA, 'maxPrefixesExceeded'), [{ payload: { afi: 1, safi: 1, limit: 3, count: 5, action: 'warning' } }]);
  t.match(named(p.logA, 'maxPrefixesWarning'), [{ payload: { count: 5 } }], 'the threshold was crossed on the way');
  announce(p.b, v4(10, 2));
  p.advance(60_000, 1000);
  t.equal(p.a.state, 'Established');
  t.equal(named(p.logA, 'maxPrefixesExceeded').length, 1, 'once while above');
  t.equal(p.a.adjRibIn.size, 7, 'every route kept');
  t.same(named(p.logA, 'notificationSent'), []);
});

t.test('families are counted apart: IPv6 routes do not count against the IPv4 limit', async (t) => {
  const p = await limitedPair({ limit: 3 });
  announce(p.b, [...v4(1, 3), ...v6(1, 3)]);
  p.advance(1000);
  t.equal(p.a.state, 'Established', '3 + 3 routes, limit 3 per family');
  t.same(p.a.snapshot().prefixes, { 'ipv4-unicast': { routes: 3, limit: 3 }, 'ipv6-unicast': { routes: 3, limit: 3 } });
  announce(p.b, v6(10, 1));
  p.advance(1000);
  t.match(named(p.logA, 'maxPrefixesExceeded'), [{ payload: { afi: 2, safi: 1, limit: 3, count: 4 } }]);
  t.same(decodeMaxPrefixesData(named(p.logB, 'notificationReceived')[0]!.payload.notification.data), { afi: 2, safi: 1, upperBound: 3 });
});

t.test('a limit for one family only leaves the other unlimited', async (t) => {
  const p = await limitedPair({ limit: { 'ipv4-unicast': 2 } });
  announce(p.b, v6(1, 20));
  p.advance(1000);
  t.equal(p.a.state, 'Established');
  t.same(p.a.snapshot().prefixes, { 'ipv4-unicast': { routes: 0, limit: 2 }, 'ipv6-unicast': { routes: 20, limit: undefined } });
  t.same(named(p.logA, 'maxPrefixesWarning'), []);
});

t.test('withdrawals lower the count', async (t) => {
  const p = await limitedPair({ limit: 5 });
  announce(p.b, v4(1, 5));
  p.advance(1000);
  p.b.withdraw(v4(1, 2).map((prefix) => ({ prefix })));
  p.advance(1000);
  t.equal(p.a.snapshot().prefixes['ipv4-unicast']?.routes, 3);
  announce(p.b, v4(10, 2));
  p.advance(1000);
  t.equal(p.a.state, 'Established', '5 again: at the limit');
  t.equal(p.a.snapshot().prefixes['ipv4-unicast']?.routes, 5);
  const updates = named(p.logA, 'update').length;
  p.b.announce([...v4(3, 3), ...v4(10, 2)].map((prefix) => ({ prefix, communities: ['65000:1'] })));
  p.advance(1000);
  t.ok(named(p.logA, 'update').length > updates, 'the known routes came again with new attributes');
  t.equal(p.a.state, 'Established', 'replacing routes adds nothing');
  t.equal(p.a.snapshot().prefixes['ipv4-unicast']?.routes, 5);
  announce(p.b, v4(20, 1));
  p.advance(1000);
  t.match(named(p.logA, 'maxPrefixesExceeded'), [{ payload: { count: 6, limit: 5 } }]);
  t.equal(p.a.state, 'Idle');
});

/** b (passive) limited to `limit` routes per family, Established with a hand-driven peer at A_ADDR. */
async function rawPair(maxPrefixes: BgpPeerConfig['maxPrefixes']): Promise<{ p: Pair; raw: RawPeer }> {
  const p = await sessionPair({ noStart: true, b: { maxPrefixes } });
  logMaxPrefixes(p);
  await p.b.start();
  p.run();
  const raw = new RawPeer(p.net, A_ADDR, B_ADDR);
  p.run();
  raw.send(
    buildOpen({
      myAsn: 65001,
      holdTimeSec: 90,
      bgpIdentifier: '198.18.0.11',
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'MULTIPROTOCOL', afi: 2, safi: 1 },
      ],
    }),
  );
  raw.send({ type: 'KEEPALIVE' });
  p.run();
  return { p, raw };
}

const ATTRS: PathAttribute[] = [
  { type: 'ORIGIN', origin: 0 },
  { type: 'AS_PATH', segments: [{ type: 2, asns: [65001] }] },
  { type: 'NEXT_HOP', nextHop: A_ADDR },
];
const update = (prefixes: string[], ipv6: string[] = []): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: PrefixList.empty(1),
  attributes: ipv6.length === 0 ? ATTRS : [...ATTRS, { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: ['2001:db8::11'], nlri: PrefixList.from(2, ipv6) } as PathAttribute],
  nlri: PrefixList.from(1, prefixes),
});

t.test('the rest of an UPDATE burst after the exceeding one is not processed', async (t) => {
  const { p, raw } = await rawPair({ limit: 2 });
  t.equal(p.b.state, 'Established');
  const burst = Buffer.concat([update(v4(1, 2)), update(v4(10, 1)), update(v4(20, 1)), update(v4(30, 1))].map((u) => encodeMessage(u)));
  raw.send(new Uint8Array(burst)); // one chunk: four UPDATEs
  p.run();
  t.equal(named(p.logB, 'update').length, 1, 'only the first UPDATE is reported');
  t.match(named(p.logB, 'maxPrefixesExceeded'), [{ payload: { count: 3, limit: 2 } }]);
  t.equal(p.b.snapshot().stats.updatesIn, 2, 'the third and fourth UPDATEs are never handled');
  t.equal(p.b.state, 'Idle');
  t.equal(p.b.adjRibIn.size, 0);
  t.equal(raw.notifications.length, 1);
  t.equal(Buffer.from(raw.raw.at(-1)!).toString('hex'), 'ff'.repeat(16) + '001c03' + '0601' + '000101' + '00000002', 'exact bytes at the peer');
  t.ok(raw.closed, 'connection closed');
});

t.test('one UPDATE with IPv4 and IPv6 routes is counted per family', async (t) => {
  const { p, raw } = await rawPair({ limit: 2 });
  raw.send(update(v4(1, 2), v6(1, 2)));
  p.run();
  t.equal(p.b.state, 'Established', '2 + 2, limit 2 per family');
  t.same(p.b.snapshot().prefixes, { 'ipv4-unicast': { routes: 2, limit: 2 }, 'ipv6-unicast': { routes: 2, limit: 2 } });
  raw.send(update([], v6(10, 1)));
  p.run();
  t.match(named(p.logB, 'maxPrefixesExceeded'), [{ payload: { afi: 2, safi: 1, count: 3 } }]);
  t.same(decodeMaxPrefixesData(raw.notifications[0]!.data), { afi: 2, safi: 1, upperBound: 2 });
});

t.test('with the RFC 8538 N bit on both sides: Hard Reset wrapping 6/1, no stale routes kept', async (t) => {
  const p = await limitedPair({ limit: 1 }, { gracefulRestart: {} }, { gracefulRestart: {} });
  t.equal(p.a.negotiated?.gracefulRestart.peer?.notification, true);
  p.a.announce({ prefix: '198.51.100.0/24' });
  announce(p.b, v4(1, 2));
  p.advance(1000);
  t.equal(p.a.state, 'Idle');
  const n = named(p.logB, 'notificationReceived')[0]!.payload.notification;
  t.match(n, { code: 6, subcode: 9 }, 'Hard Reset (RFC 8538 s5: suggested for subcode 1)');
  const inner = decodeHardReset(n.data);
  t.match(inner, { code: 6, subcode: 1 });
  t.same(decodeMaxPrefixesData((inner as { data: Uint8Array }).data), { afi: 1, safi: 1, upperBound: 1 });
  t.same(p.a.snapshot().adjRibIn, { routes: 0, stale: 0 }, 'our side kept nothing stale');
  t.same(p.b.snapshot().adjRibIn, { routes: 0, stale: 0 }, 'nor did the peer');
});

t.test('configuration errors name the field', async (t) => {
  const base: BgpSessionOptions = { localAsn: 65001, peerAsn: 65000, routerId: '198.18.0.11', peerAddress: B_ADDR, clock: new ManualClock() };
  const bad: [unknown, RegExp][] = [
    [5, /^maxPrefixes: must be an object/],
    [{}, /^maxPrefixes\.limit: must be an integer in 1\.\.4294967295/],
    [{ limit: 0 }, /^maxPrefixes\.limit: must be an integer in 1\.\.4294967295 \(got 0\)/],
    [{ limit: 2 ** 32 }, /^maxPrefixes\.limit:/],
    [{ limit: 1.5 }, /^maxPrefixes\.limit:/],
    [{ limit: '100' }, /^maxPrefixes\.limit: must be a number or/],
    [{ limit: {} }, /^maxPrefixes\.limit: must give a limit for at least one family/],
    [{ limit: { 'ipv4-multicast': 5 } }, /^maxPrefixes\.limit\.ipv4-multicast: unknown family/],
    [{ limit: { 'ipv6-unicast': -1 } }, /^maxPrefixes\.limit\.ipv6-unicast: must be an integer/],
    [{ limit: 10, warningThresholdPct: 0 }, /^maxPrefixes\.warningThresholdPct: must be an integer in 1\.\.100/],
    [{ limit: 10, warningThresholdPct: 101 }, /^maxPrefixes\.warningThresholdPct:/],
    [{ limit: 10, restartSec: 0 }, /^maxPrefixes\.restartSec: must be an integer in 1\.\.3932100/],
    [{ limit: 10, warningOnly: 'yes' }, /^maxPrefixes\.warningOnly: must be true or false/],
    [{ limit: 10, warningOnly: true, restartSec: 60 }, /^maxPrefixes\.restartSec: cannot be combined with warningOnly/],
  ];
  for (const [maxPrefixes, message] of bad) {
    t.throws(() => new BgpSession({ ...base, maxPrefixes: maxPrefixes as BgpPeerConfig['maxPrefixes'] }), { code: 'ERR_CONFIG_INVALID', message }, JSON.stringify(maxPrefixes));
  }
  t.throws(() => new BgpSession({ ...base, maxPrefixes: { limit: 10 }, keepAdjRibIn: false }), { code: 'ERR_CONFIG_INVALID', message: /^maxPrefixes: needs keepAdjRibIn/ });
  t.same(resolvePeerConfig({ ...base, families: ['ipv4-unicast'], maxPrefixes: { limit: 100 } }).maxPrefixes, {
    limits: { 'ipv4-unicast': 100 },
    warningThresholdPct: 75,
    restartSec: undefined,
    warningOnly: false,
  }, 'defaults; one number applies to each configured family');
  t.equal(resolvePeerConfig(base).maxPrefixes, undefined);
  t.same(new BgpSession(base).snapshot().prefixes, { 'ipv4-unicast': { routes: 0, limit: undefined }, 'ipv6-unicast': { routes: 0, limit: undefined } });
});

t.test('CLI: --max-prefixes N[:RESTART_SEC], --max-prefixes-threshold, --max-prefixes-warning-only', async (t) => {
  const base = ['--local-as', '65001', '--peer', B_ADDR, '--peer-as', '65000', '--local-address', A_ADDR];
  t.equal(parseSessionFlags(base).peer.maxPrefixes, undefined);
  t.same(parseSessionFlags([...base, '--max-prefixes', '1000']).peer.maxPrefixes, { limit: 1000, warningThresholdPct: undefined, restartSec: undefined, warningOnly: false });
  t.same(parseSessionFlags([...base, '--max-prefixes=1000:300', '--max-prefixes-threshold', '90']).peer.maxPrefixes, {
    limit: 1000,
    warningThresholdPct: 90,
    restartSec: 300,
    warningOnly: false,
  });
  t.same(parseSessionFlags([...base, '--max-prefixes', '50', '--max-prefixes-warning-only']).peer.maxPrefixes, {
    limit: 50,
    warningThresholdPct: undefined,
    restartSec: undefined,
    warningOnly: true,
  });
  const usage: [string[], RegExp][] = [
    [['--max-prefixes', '0'], /^--max-prefixes: expected N\[:RESTART_SEC\]/],
    [['--max-prefixes', 'x'], /^--max-prefixes: expected N\[:RESTART_SEC\]/],
    [['--max-prefixes', '10:'], /^--max-prefixes: expected N\[:RESTART_SEC\]/],
    [['--max-prefixes', '10:0'], /^--max-prefixes: expected N\[:RESTART_SEC\]/],
    [['--max-prefixes-threshold', '80'], /^--max-prefixes-threshold: needs --max-prefixes/],
    [['--max-prefixes-warning-only'], /^--max-prefixes-warning-only: needs --max-prefixes/],
    [['--max-prefixes', '10', '--max-prefixes-threshold', '0'], /^--max-prefixes-threshold: expected an integer in 1\.\.100/],
    [['--max-prefixes', '10:60', '--max-prefixes-warning-only'], /^--max-prefixes-warning-only: cannot be combined with a restart time/],
  ];
  for (const [flags, message] of usage) t.throws(() => parseSessionFlags([...base, ...flags]), { message }, flags.join(' '));
});
