/**
 * The OPEN exchange between sessions on the in-memory network: OPEN errors answered with the
 * exact RFC 4271 s6.2 NOTIFICATION (crafted OPENs from a RawPeer where a real session would never
 * send them), the 4-octet AS (RFC 6793) with AS_TRANS, iBGP / eBGP detection, per-session local
 * AS, and what the `established` event reports as negotiated.
 */
import t, { type Test } from 'tap';
import { AS_TRANS } from '../src/bgp/iana/asn.js';
import { type OpenMessage, buildOpen, capabilitiesOf } from '../src/bgp/codec/open.js';
import { codecContext } from '../src/bgp/codec/context.js';
import { findAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import type { UpdateMessage } from '../src/bgp/codec/update.js';
import { BgpError } from '../src/bgp/errors.js';
import { BgpSession } from '../src/bgp/session/bgp-session.js';
import type { Negotiated } from '../src/bgp/session/negotiate.js';
import { resolvePeerConfig } from '../src/bgp/session/session-config.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import type { Clock } from '../src/clock/clock.js';
import { MemoryNetwork } from '../src/testing/memory-transport.js';
import { RawPeer } from './helpers/raw-peer.js';
import { A_ADDR, B_ADDR, type LoggedEvent, type PairOptions, connectionOf, logEvents, seeded, sessionPair, writtenMessages } from './helpers/session-pair.js';

const sent = (log: readonly LoggedEvent[]): string[] => log.filter((e) => e.name === 'notificationSent').map((e) => `${e.payload.notification.code}/${e.payload.notification.subcode}`);
const recv = (log: readonly LoggedEvent[]): string[] => log.filter((e) => e.name === 'notificationReceived').map((e) => `${e.payload.notification.code}/${e.payload.notification.subcode}`);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** b (passive, AS 65000, id 198.18.0.1) answering a crafted OPEN from a RawPeer at A_ADDR. */
async function answer(open: OpenMessage, b: PairOptions['b'] = {}): Promise<{ raw: RawPeer; logB: LoggedEvent[]; b: BgpSession }> {
  const p = await sessionPair({ noStart: true, b });
  await p.b.start();
  p.run();
  const raw = new RawPeer(p.net, A_ADDR, B_ADDR);
  p.run();
  raw.send(open);
  p.run();
  return { raw, logB: p.logB, b: p.b };
}

/** A clock over the pair's ManualClock whose now() creeps 0.1 ms per read (see the drain test). */
function creeping(c: ManualClock): Clock {
  let reads = 0;
  return { now: () => c.now() + reads++ / 10, setTimer: (at, cb) => c.setTimer(at, cb), clearTimer: (x) => c.clearTimer(x) };
}

const goodOpen = (o: Partial<OpenMessage> = {}): OpenMessage => ({ ...buildOpen({ myAsn: 65001, holdTimeSec: 90, bgpIdentifier: '198.18.0.11' }), ...o });

t.test('OPEN errors answered with the RFC 4271 s6.2 NOTIFICATION', async (t) => {
  const cases: { name: string; open: OpenMessage; b?: PairOptions['b']; want: string; data?: string }[] = [
    { name: 'version 5: Unsupported Version Number, data = largest supported (4)', open: goodOpen({ version: 5 }), want: '2/1', data: '0004' },
    { name: 'version 3', open: goodOpen({ version: 3 }), want: '2/1', data: '0004' },
    { name: 'peer AS not the configured one: Bad Peer AS', open: { ...buildOpen({ myAsn: 65002, holdTimeSec: 90, bgpIdentifier: '198.18.0.11' }) }, want: '2/2' },
    { name: 'peer AS outside the accepted range', open: goodOpen(), b: { peerAsn: undefined, peerAsnRange: [64512, 65000] }, want: '2/2' },
    {
      name: '2-octet field disagrees with the 4-octet capability (RFC 6793 s4.1)',
      open: { ...buildOpen({ myAsn: 4200000001, holdTimeSec: 90, bgpIdentifier: '198.18.0.11' }), myAutonomousSystem: 65001 },
      b: { peerAsn: 4200000001 },
      want: '2/2',
    },
    { name: 'BGP Identifier 0.0.0.0: Bad BGP Identifier', open: goodOpen({ bgpIdentifier: '0.0.0.0' }), want: '2/3' },
    {
      name: 'iBGP peer with our own BGP Identifier (RFC 6286 s2.2)',
      open: buildOpen({ myAsn: 65000, holdTimeSec: 90, bgpIdentifier: '198.18.0.1' }),
      b: { peerAsn: 65000 },
      want: '2/3',
    },
    { name: 'unknown optional parameter: Unsupported Optional Parameter', open: goodOpen({ optionalParameters: [...goodOpen().optionalParameters, { type: 'UNKNOWN', code: 9, data: Uint8Array.of(1) }] }), want: '2/4' },
    { name: 'hold time 2: Unacceptable Hold Time', open: goodOpen({ holdTimeSec: 2 }), want: '2/6' },
    { name: 'hold time 1: Unacceptable Hold Time', open: goodOpen({ holdTimeSec: 1 }), want: '2/6' },
  ];
  for (const c of cases) {
    const { raw, logB, b } = await answer(c.open, c.b);
    t.equal(raw.opens.length, 1, `${c.name}: b sent its OPEN first`);
    t.same(
      raw.notifications.map((n) => `${n.code}/${n.subcode}`),
      [c.want],
      `${c.name}: ${c.want}`,
    );
    if (c.data !== undefined) t.equal(hex(raw.notifications[0]!.data), c.data, `${c.name}: data ${c.data}`);
    t.same(sent(logB), [c.want]);
    t.ok(raw.closed, `${c.name}: connection closed`);
    t.equal(b.state === 'Idle' || b.state === 'Active', true, `${c.name}: b left OpenSent`);
    t.match(b.snapshot().lastError, /bad OPEN/);
    t.equal(b.snapshot().connectRetryCounter, 1, 'OPEN error counts');
  }
});

t.test('accepted: hold time 0 and 3; eBGP peer with our BGP Identifier', async (t) => {
  for (const [name, open] of [
    ['hold 0', goodOpen({ holdTimeSec: 0 })],
    ['hold 3', goodOpen({ holdTimeSec: 3 })],
    ['eBGP, same identifier', goodOpen({ bgpIdentifier: '198.18.0.1' })],
  ] as const) {
    const { raw, b } = await answer(open);
    t.same(raw.notifications, [], `${name}: no NOTIFICATION`);
    t.same(raw.ofType('KEEPALIVE').length, 1, `${name}: KEEPALIVE answers the OPEN`);
    t.equal(b.state, 'OpenConfirm', name);
  }
});

t.test('Bad Peer AS between two sessions: 2/2 sent by the side that checks, received by the other', async (t) => {
  const p = await sessionPair({ a: { peerAsn: 65099 } });
  p.advance(500);
  t.same(sent(p.logA), ['2/2'], 'a rejects b (AS 65000, expected 65099)');
  t.same(recv(p.logB), ['2/2'], 'b receives it');
  p.advance(20_000);
  t.equal(sent(p.logA).length, 5, 'a retries after the IdleHold backoff: 1 + 2 + 4 + 8 s');
  t.notOk(p.logA.some((e) => e.name === 'established'));
  t.notOk(p.logB.some((e) => e.name === 'established'));
});

t.test('hold time 1..2 is refused at configuration time with ERR_CONFIG_INVALID naming the field', async (t) => {
  for (const h of [1, 2]) {
    const base = { localAsn: 65001, peerAsn: 65000, routerId: '198.18.0.11', peerAddress: B_ADDR };
    try {
      resolvePeerConfig({ ...base, holdTimeSec: h });
      t.fail('accepted');
    } catch (e) {
      t.ok(e instanceof BgpError);
      t.equal((e as BgpError).code, 'ERR_CONFIG_INVALID');
      t.match((e as BgpError).message, /^holdTimeSec:/);
    }
    t.throws(() => new BgpSession({ ...base, holdTimeSec: h }), { code: 'ERR_CONFIG_INVALID' }, 'the session constructor refuses it too');
  }
  for (const h of [0, 3, 65535]) t.equal(resolvePeerConfig({ localAsn: 1, routerId: '1.1.1.1', peerAddress: '1.1.1.2', holdTimeSec: h }).holdTimeSec, h, `hold ${h} accepted`);
});

t.test('4-octet AS between two sessions: AS_TRANS in the 2-octet field, the real ASN in the capability', async (t) => {
  const p = await sessionPair({ a: { localAsn: 4200000001 }, b: { peerAsn: 4200000001 } });
  p.a.announce({ prefix: '203.0.113.0/24' });
  p.advance(1000);
  t.equal(p.b.state, 'Established');
  const aOpen = writtenMessages(connectionOf(p.net, p.a)!).find((m) => m.type === 'OPEN') as OpenMessage;
  t.equal(aOpen.myAutonomousSystem, AS_TRANS, 'My Autonomous System = AS_TRANS (23456)');
  t.match(capabilitiesOf(aOpen).find((c) => c.type === 'FOUR_OCTET_AS'), { asn: 4200000001 });
  t.equal(p.b.negotiated?.peerAsn, 4200000001);
  t.equal(p.b.negotiated?.fourOctetAs, true);
  const r = p.b.adjRibIn.routes()[0]!;
  t.same(findAttribute(r.attributes, 'AS_PATH')?.segments, [{ type: 2, asns: [4200000001] }], 'AS_PATH with the 4-octet ASN');
  t.equal(findAttribute(r.attributes, 'AS4_PATH'), undefined, 'no AS4_PATH between 4-octet speakers');
});

t.test('4-octet AS towards a peer without the capability: AS_TRANS in AS_PATH plus AS4_PATH (RFC 6793 s4.2.2)', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const s = new BgpSession({
    localAsn: 4200000001,
    peerAsn: 65000,
    routerId: '198.18.0.1',
    peerAddress: A_ADDR,
    localAddress: B_ADDR,
    passive: true,
    clock,
    random: seeded(1),
    defer: net.schedule,
  });
  const log: LoggedEvent[] = [];
  logEvents(s, clock, log);
  await net.listen({ address: B_ADDR, port: 179 }, (c) => void s.acceptConnection(c));
  s.announce([{ prefix: '203.0.113.0/24' }, { prefix: '198.51.100.0/24', asPathPrepend: { count: 2 } }]);
  await s.start();
  const raw = new RawPeer(net, A_ADDR, B_ADDR);
  net.run();
  const ours = raw.opens[0]!;
  t.equal(ours.myAutonomousSystem, AS_TRANS);
  // an old speaker: version 4, AS 65000, no capabilities at all
  raw.send({ type: 'OPEN', version: 4, myAutonomousSystem: 65000, holdTimeSec: 90, bgpIdentifier: '198.18.0.11', optionalParameters: [] });
  raw.send({ type: 'KEEPALIVE' });
  raw.ctx = codecContext({ fourOctetAs: false });
  net.run();
  t.equal(s.state, 'Established');
  t.equal(s.negotiated?.fourOctetAs, false);
  t.same(
    s.negotiated?.families.map((f) => `${f.afi}/${f.safi}`),
    ['1/1'],
    'no MP capability: IPv4 unicast only (RFC 4760 s8)',
  );
  t.equal(s.negotiated?.routeRefresh, false);
  const updates = raw.ofType('UPDATE').filter((u: UpdateMessage) => u.nlri.length > 0);
  t.equal(updates.length, 2);
  const byPrefix = new Map(updates.map((u) => [u.nlri.text(0), u]));
  const plain = byPrefix.get('203.0.113.0/24')!;
  t.same(findAttribute(plain.attributes, 'AS_PATH')?.segments, [{ type: 2, asns: [AS_TRANS] }], 'AS_PATH carries AS_TRANS');
  t.same(findAttribute(plain.attributes, 'AS4_PATH')?.segments, [{ type: 2, asns: [4200000001] }], 'AS4_PATH carries the real ASN');
  const prepended = byPrefix.get('198.51.100.0/24')!;
  t.same(findAttribute(prepended.attributes, 'AS_PATH')?.segments, [{ type: 2, asns: [AS_TRANS, AS_TRANS, AS_TRANS] }]);
  t.same(findAttribute(prepended.attributes, 'AS4_PATH')?.segments, [{ type: 2, asns: [4200000001, 4200000001, 4200000001] }]);
  t.same(raw.notifications, []);
});

t.test('iBGP vs eBGP: detection, LOCAL_PREF only on iBGP, our AS prepended only on eBGP', async (t) => {
  const ibgp = await sessionPair({ a: { localAsn: 65000, peerAsn: 65000 }, b: { localAsn: 65000, peerAsn: 65000 } });
  ibgp.a.announce([{ prefix: '203.0.113.0/24' }, { prefix: '203.0.113.128/25', localPref: 250 }]);
  ibgp.advance(1000);
  t.equal(ibgp.a.negotiated?.external, false, 'same AS: internal');
  t.equal(ibgp.b.negotiated?.external, false);
  const ir = new Map(ibgp.b.adjRibIn.routes().map((r) => [r.prefix, r]));
  t.same(findAttribute(ir.get('203.0.113.0/24')!.attributes, 'LOCAL_PREF')?.localPref, 100, 'LOCAL_PREF 100 by default');
  t.same(findAttribute(ir.get('203.0.113.128/25')!.attributes, 'LOCAL_PREF')?.localPref, 250);
  t.same(findAttribute(ir.get('203.0.113.0/24')!.attributes, 'AS_PATH')?.segments, [], 'empty AS_PATH on iBGP');

  const ebgp = await sessionPair();
  ebgp.a.announce([{ prefix: '203.0.113.0/24', localPref: 250 }]);
  ebgp.advance(1000);
  t.equal(ebgp.a.negotiated?.external, true, 'different AS: external');
  const er = ebgp.b.adjRibIn.routes()[0]!;
  t.equal(findAttribute(er.attributes, 'LOCAL_PREF'), undefined, 'no LOCAL_PREF to an external peer (RFC 4271 s5.1.5)');
  t.same(findAttribute(er.attributes, 'AS_PATH')?.segments, [{ type: 2, asns: [65001] }], 'our AS prepended');
  t.same(er.nextHop, [A_ADDR], 'next-hop self');
});

t.test('local-AS override: one speaker, two sessions presenting different ASNs', async (t) => {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const SPEAKER = '198.18.1.1';
  const P1 = '198.18.1.11';
  const P2 = '198.18.1.12';
  const common = { clock, random: seeded(5), defer: net.schedule, routerId: '198.18.0.1' };
  const toP1 = new BgpSession({ ...common, localAsn: 65000, peerAsn: 65101, peerAddress: P1, localAddress: SPEAKER, passive: true });
  const toP2 = new BgpSession({ ...common, localAsn: 64512, peerAsn: 65102, peerAddress: P2, localAddress: SPEAKER, passive: true });
  const p1 = new BgpSession({ clock, random: seeded(6), defer: net.schedule, routerId: '198.18.0.11', localAsn: 65101, peerAsn: 65000, peerAddress: SPEAKER, localAddress: P1, connector: net.connector(P1) });
  const p2 = new BgpSession({ clock, random: seeded(7), defer: net.schedule, routerId: '198.18.0.12', localAsn: 65102, peerAsn: 64512, peerAddress: SPEAKER, localAddress: P2, connector: net.connector(P2) });
  await net.listen({ address: SPEAKER, port: 179 }, (c) => {
    if (c.remoteAddress === P1) toP1.acceptConnection(c);
    else if (c.remoteAddress === P2) toP2.acceptConnection(c);
    else c.destroy();
  });
  for (const s of [toP1, toP2]) s.announce({ prefix: '192.0.2.0/24' });
  for (const s of [toP1, toP2, p1, p2]) await s.start();
  net.run();
  for (const s of [toP1, toP2, p1, p2]) t.equal(s.state, 'Established', `${s.config.localAsn} -> ${s.config.peerAsn}`);
  t.equal(p1.negotiated?.peerAsn, 65000, 'P1 sees the speaker as AS 65000');
  t.equal(p2.negotiated?.peerAsn, 64512, 'P2 sees the speaker as AS 64512');
  t.same(findAttribute(p1.adjRibIn.routes()[0]!.attributes, 'AS_PATH')?.segments, [{ type: 2, asns: [65000] }]);
  t.same(findAttribute(p2.adjRibIn.routes()[0]!.attributes, 'AS_PATH')?.segments, [{ type: 2, asns: [64512] }]);
  t.equal(toP1.negotiated?.localAsn, 65000);
  t.equal(toP2.negotiated?.localAsn, 64512);
});

t.test('negotiated capabilities reported by `established`', async (t) => {
  const negs = async (t: Test, o: PairOptions): Promise<[Negotiated, Negotiated]> => {
    const p = await sessionPair(o);
    p.advance(1000);
    const na = p.logA.find((e) => e.name === 'established')?.payload.negotiated as Negotiated;
    const nb = p.logB.find((e) => e.name === 'established')?.payload.negotiated as Negotiated;
    t.ok(na && nb, 'both established');
    return [na, nb];
  };

  t.test('address families: the intersection', async (t) => {
    const [na, nb] = await negs(t, { a: { families: ['ipv4-unicast'] } });
    t.same(na.families.map((f) => f.name), ['ipv4-unicast']);
    t.same(nb.families.map((f) => f.name), ['ipv4-unicast'], 'b offered both, gets only IPv4');
    const [n6] = await negs(t, { a: { families: ['ipv6-unicast'] }, b: { families: ['ipv6-unicast', 'ipv4-unicast'] } });
    t.same(n6.families.map((f) => f.name), ['ipv6-unicast']);
    const [both] = await negs(t, {});
    t.same(both.families.map((f) => f.name), ['ipv4-unicast', 'ipv6-unicast']);
  });

  t.test('a route of a family the peer did not negotiate waits, without blocking the session', async (t) => {
    // BgpSession's drain loop is bounded by clock time (8 ms slices). A ManualClock never moves
    // inside a call, so this test reads a clock that creeps 0.1 ms per now(): a livelock then shows
    // up as MemoryNetwork.run() exceeding its task bound instead of hanging the suite.
    const p = await sessionPair({ a: { families: ['ipv4-unicast'] }, wrapClock: creeping });
    p.advance(1000);
    t.equal(p.a.state, 'Established');
    p.b.announce([{ prefix: '198.51.100.0/24' }, { prefix: '2001:db8:1::/48' }]);
    let error: unknown;
    try {
      p.net.run(2000);
    } catch (e) {
      error = e;
    }
    t.equal(error, undefined, 'the network settles: no drain livelock');
    t.same(
      p.a.adjRibIn.routes().map((r) => r.prefix),
      ['198.51.100.0/24'],
      'the IPv4 route is sent',
    );
    t.equal(p.b.snapshot().adjRibOut.pending, 1, 'the IPv6 route waits');
  });

  t.test('End-of-RIB only for the negotiated families', async (t) => {
    const p = await sessionPair({ a: { families: ['ipv4-unicast'] } });
    p.advance(1000);
    t.same(p.logA.filter((e) => e.name === 'endOfRib').map((e) => `${e.payload.afi}/${e.payload.safi}`), ['1/1']);
    t.same(p.logB.filter((e) => e.name === 'endOfRib').map((e) => `${e.payload.afi}/${e.payload.safi}`), ['1/1']);
  });

  t.test('ADD-PATH per family: send / receive combinations (RFC 7911 s4)', async (t) => {
    type Mode = 'send' | 'receive' | 'both' | undefined;
    const combos: [Mode, Mode, { send: boolean; receive: boolean } | undefined, { send: boolean; receive: boolean } | undefined][] = [
      ['send', 'receive', { send: true, receive: false }, { send: false, receive: true }],
      ['receive', 'send', { send: false, receive: true }, { send: true, receive: false }],
      ['both', 'both', { send: true, receive: true }, { send: true, receive: true }],
      ['both', 'send', { send: false, receive: true }, { send: true, receive: false }],
      ['both', 'receive', { send: true, receive: false }, { send: false, receive: true }],
      ['send', 'send', undefined, undefined],
      ['receive', 'receive', undefined, undefined],
      ['both', undefined, undefined, undefined],
    ];
    for (const [am, bm, wa, wb] of combos) {
      const [na, nb] = await negs(t, { a: { addPath: am === undefined ? {} : { 'ipv4-unicast': am } }, b: { addPath: bm === undefined ? {} : { 'ipv4-unicast': bm } } });
      const fa = na.addPath.find((x) => x.afi === 1 && x.safi === 1);
      const fb = nb.addPath.find((x) => x.afi === 1 && x.safi === 1);
      t.same(fa === undefined ? undefined : { send: fa.send, receive: fa.receive }, wa, `a ${am} / b ${bm}: a`);
      t.same(fb === undefined ? undefined : { send: fb.send, receive: fb.receive }, wb, `a ${am} / b ${bm}: b`);
      t.same(na.addPath.filter((x) => x.afi === 2), [], 'not for IPv6');
    }
  });

  t.test('ADD-PATH on the wire: every path with its id, or only the lowest id without it', async (t) => {
    for (const [mode, want] of [
      ['receive', [1, 7]],
      [undefined, [0]],
    ] as const) {
      const p = await sessionPair({ a: { addPath: { 'ipv4-unicast': 'send' } }, b: { addPath: mode === undefined ? {} : { 'ipv4-unicast': mode } } });
      p.a.announce([
        { prefix: '203.0.113.0/24', pathId: 7, med: 70 },
        { prefix: '203.0.113.0/24', pathId: 1, med: 10 },
      ]);
      p.advance(1000);
      const got = p.b.adjRibIn.routes().map((r) => [r.pathId, findAttribute(r.attributes, 'MULTI_EXIT_DISC')?.med]);
      if (mode === undefined) t.same(got, [[0, 10]], 'not negotiated: one path, the lowest id (MED 10)');
      else t.same(got.sort(), [[1, 10], [7, 70]], 'negotiated: both paths with their ids');
      t.equal(want.length, got.length);
    }
  });

  t.test('extended message, 4-octet AS, route refresh, graceful restart, hold time', async (t) => {
    const [na, nb] = await negs(t, { a: { gracefulRestart: { restartTimeSec: 77 }, holdTimeSec: 30 } });
    t.equal(na.extendedMessage, true);
    t.equal(na.fourOctetAs, true);
    t.equal(na.routeRefresh, true);
    t.equal(na.enhancedRouteRefresh, true);
    t.equal(na.holdTimeSec, 30, 'min(30, 90)');
    t.equal(nb.holdTimeSec, 30);
    t.equal(nb.keepaliveTimeSec, 10);
    t.same(na.gracefulRestart, { local: true, peer: undefined }, 'a offers GR, b does not');
    t.match(nb.gracefulRestart, { local: false, peer: { restartTimeSec: 77, restartState: false, notification: true } });
    const [xa, xb] = await negs(t, { a: { extendedMessage: false, enhancedRouteRefresh: false } });
    t.equal(xa.extendedMessage, false);
    t.equal(xb.extendedMessage, false, 'both must offer it');
    t.equal(xb.routeRefresh, true);
    t.equal(xb.enhancedRouteRefresh, false);
    const [ra, rb] = await negs(t, { b: { routeRefresh: false } });
    t.equal(ra.routeRefresh, false);
    t.equal(rb.routeRefresh, false);
    t.equal(ra.enhancedRouteRefresh, false);
  });
});
