/**
 * BgpSpeaker router mode (the `locRib` option) on the in-memory network: node sessions announce
 * one prefix with their own next hops to a passive router speaker, whose Loc-RIB shows the ECMP
 * set; a withdrawal, a session going down, graceful restart (stale kept, then swept at End-of-RIB
 * or at the restart timer), the re-emitted events, bad options, and a peerDown of a large table
 * done in slices.
 */
import t from 'tap';
import { EventEmitter } from 'eventemitter3';
import { BgpSpeaker, type BgpSpeakerOptions } from '../src/bgp/session/bgp-speaker.js';
import { BgpSession } from '../src/bgp/session/bgp-session.js';
import { SpeakerLocRib } from '../src/bgp/session/speaker-loc-rib.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import type { UpdateMessage } from '../src/bgp/codec/update.js';
import { LocRib } from '../src/rib/loc-rib.js';
import type { BestPathChangedEvent, MultipathChangedEvent } from '../src/rib/loc-rib-types.js';
import { ManualClock } from '../src/testing/manual-clock.js';
import { MemoryNetwork } from '../src/testing/memory-transport.js';
import { mulberry32 } from '../src/testing/random-updates.js';

const ROUTER = '198.18.1.1';
const VIP = '203.0.113.5/32';

interface Lab {
  clock: ManualClock;
  net: MemoryNetwork;
  speaker: BgpSpeaker;
  run(ms?: number): Promise<void>;
  node(addr: string, extra?: Record<string, unknown>): BgpSession;
}

async function lab(extra: Partial<BgpSpeakerOptions> = {}): Promise<Lab> {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const speaker = new BgpSpeaker({
    asn: 65000,
    routerId: '198.18.0.1',
    listen: { address: ROUTER, port: 179 },
    clock,
    random: mulberry32(1),
    defer: net.schedule,
    acceptor: net,
    connector: net.connector(ROUTER),
    locRib: { maximumPaths: 8 },
    ...extra,
  });
  const run = async (ms = 0): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      net.run();
      clock.advance(ms / 20);
      net.run();
      await new Promise((r) => setImmediate(r));
    }
  };
  let seed = 10;
  const node = (addr: string, more: Record<string, unknown> = {}): BgpSession =>
    new BgpSession({ localAsn: 65100, peerAsn: 65000, routerId: addr.replace('198.18.1.', '198.18.0.'), peerAddress: ROUTER, localAddress: addr, clock, random: mulberry32(seed++), defer: net.schedule, connector: net.connector(addr), ...more });
  return { clock, net, speaker, run, node };
}

const hops = (s: BgpSpeaker, q = '203.0.113.5'): string[] => (s.routes(q)?.multipath ?? []).map((h) => h.nextHop).sort();

t.test('three nodes announce the VIP: ECMP of 3; a withdrawal leaves 2; a session down leaves 1', async (t) => {
  const { speaker, run, node } = await lab();
  speaker.addDynamicNeighbors({ prefix: '198.18.1.0/24', peerAsnRange: [65100, 65100] });
  const best: BestPathChangedEvent[] = [];
  const mp: MultipathChangedEvent[] = [];
  speaker.on('bestPathChanged', (e) => best.push(e));
  speaker.on('multipathChanged', (e) => mp.push(e));
  const seenInUpdate: number[] = [];
  speaker.on('update', () => seenInUpdate.push(speaker.routes(VIP)?.multipath.length ?? 0));
  await speaker.start();
  const nodes = ['198.18.1.11', '198.18.1.12', '198.18.1.13'].map((a) => node(a));
  for (const n of nodes) n.announce({ prefix: VIP });
  await Promise.all(nodes.map((n) => n.start()));
  await run(2000);
  t.same(nodes.map((n) => n.state), ['Established', 'Established', 'Established']);
  t.same(hops(speaker), ['198.18.1.11', '198.18.1.12', '198.18.1.13'], 'routes() by address: 3 next hops');
  const v = speaker.routes(VIP)!;
  t.equal(v.prefix, VIP);
  t.equal(v.paths.length, 3);
  t.same(v.paths.map((p) => p.peerAs), [65100, 65100, 65100], 'peer AS from the negotiated state');
  t.equal(v.best.ibgp, false);
  t.equal(speaker.locRib!.size, 1);
  t.same(seenInUpdate.slice(-1), [3], "the speaker's update listeners see the Loc-RIB already fed");
  t.equal(best.length, 1, 'one best path: the first');
  t.same(mp.map((e) => e.current.length), [1, 2, 3], 'multipathChanged as each node joins');

  nodes[2]!.withdraw({ prefix: VIP });
  await run(1000);
  t.same(hops(speaker), ['198.18.1.11', '198.18.1.12'], 'withdrawn: 2');
  t.same(mp.at(-1)!.current.map((h) => h.nextHop).sort(), ['198.18.1.11', '198.18.1.12']);

  await Promise.all([nodes[1]!.stop({ message: 'node drained' }), run(500)]);
  await run(500);
  t.same(hops(speaker), ['198.18.1.11'], 'session down: 1');
  t.equal(speaker.peer('198.18.1.12'), undefined, 'the dynamic session is gone');

  await Promise.all([nodes[0]!.stop(), run(500)]);
  await run(500);
  t.equal(speaker.routes(VIP), undefined, 'last one down: unreachable');
  t.equal(best.at(-1)!.current, undefined);
  t.equal(speaker.locRib!.pathCount, 0);
  await Promise.all([speaker.stop(), nodes[2]!.stop(), run(100)]);
});

t.test('graceful restart: paths kept stale, re-announced ones fresh, the rest swept at End-of-RIB', async (t) => {
  const { speaker, run, node, net } = await lab();
  const gr = { gracefulRestart: { restartTimeSec: 60 } };
  speaker.addPeer({ peerAddress: '198.18.1.21', peerAsn: 65100, passive: true, ...gr });
  speaker.addPeer({ peerAddress: '198.18.1.22', peerAsn: 65100, passive: true, ...gr });
  const mp: MultipathChangedEvent[] = [];
  speaker.on('multipathChanged', (e) => mp.push(e));
  await speaker.start();
  const grNode = { gracefulRestart: { forwardingState: true, restartTimeSec: 60 } };
  const n1 = node('198.18.1.21', grNode);
  const n2 = node('198.18.1.22', grNode);
  n1.announce([{ prefix: VIP }, { prefix: '203.0.113.6/32' }]);
  n2.announce({ prefix: VIP });
  await Promise.all([n1.start(), n2.start()]);
  await run(2000);
  t.same(hops(speaker), ['198.18.1.21', '198.18.1.22']);

  // n1 crashes: the connection drops without a NOTIFICATION
  const c = net.connections.find((x) => !x.closed && x.localAddress === '198.18.1.21');
  c!.reset();
  await n1.stop();
  await run(100);
  t.equal(speaker.peer('198.18.1.21')!.state === 'Established', false);
  const v = speaker.routes(VIP)!;
  t.same(hops(speaker), ['198.18.1.21', '198.18.1.22'], 'stale paths still forward');
  t.same(v.paths.map((p) => [p.peerAddress, p.stale]).sort(), [['198.18.1.21', true], ['198.18.1.22', false]], 'shown stale');
  t.equal(speaker.routes('203.0.113.6/32')!.best.stale, true);
  const mpBefore = mp.length;

  // n1 comes back with only the VIP
  const n1b = node('198.18.1.21', { ...grNode, restarting: true, connectRetryTimeSec: 2 });
  n1b.announce({ prefix: VIP });
  await n1b.start();
  await run(20_000);
  t.equal(n1b.state, 'Established');
  t.same(hops(speaker), ['198.18.1.21', '198.18.1.22']);
  t.equal(speaker.routes(VIP)!.paths.find((p) => p.peerAddress === '198.18.1.21')!.stale, false, 're-announced unchanged: fresh');
  t.equal(speaker.routes('203.0.113.6/32'), undefined, 'not re-announced: swept at End-of-RIB');
  t.equal(mp.length, mpBefore + 1, 'only the swept prefix changed its set (to none)');
  t.same(mp.at(-1)!.prefix, '203.0.113.6/32');

  // n2 crashes and never comes back: swept when its restart time runs out
  net.connections.find((x) => !x.closed && x.localAddress === '198.18.1.22')!.reset();
  await n2.stop();
  await run(100);
  t.same(hops(speaker), ['198.18.1.21', '198.18.1.22'], 'n2 stale, kept');
  await run(61_000);
  t.same(hops(speaker), ['198.18.1.21'], 'restart timer: swept');
  await Promise.all([speaker.stop(), n1b.stop(), run(100)]);
  await run(100);
  t.equal(speaker.locRib!.pathCount, 0, 'speaker stopped: every path gone');
});

t.test('a configured peer removed: its paths go; a speaker without locRib refuses routes()', async (t) => {
  const { speaker, run, node } = await lab();
  speaker.addPeer({ peerAddress: '198.18.1.31', peerAsn: 65100, passive: true });
  await speaker.start();
  const n = node('198.18.1.31');
  n.announce({ prefix: VIP });
  await n.start();
  await run(1000);
  t.same(hops(speaker), ['198.18.1.31']);
  await Promise.all([speaker.removePeer('198.18.1.31'), run(200)]);
  await run(100);
  t.equal(speaker.routes(VIP), undefined);
  await Promise.all([speaker.stop(), n.stop(), run(100)]);

  const plain = new BgpSpeaker({ asn: 65000, routerId: '198.18.0.1', listen: false });
  t.equal(plain.locRib, undefined);
  t.throws(() => plain.routes(VIP), { code: 'ERR_BGP_NO_LOC_RIB' });
});

t.test('bad locRib options: ERR_CONFIG_INVALID; a LocRib instance is used as given', async (t) => {
  const base = { asn: 65000, routerId: '198.18.0.1', listen: false } as const;
  t.throws(() => new BgpSpeaker({ ...base, locRib: { maximumPaths: 0 } }), { code: 'ERR_CONFIG_INVALID', message: /maximumPaths/ });
  t.throws(() => new BgpSpeaker({ ...base, locRib: { sliceRoutes: 0 } }), { code: 'ERR_CONFIG_INVALID', message: /sliceRoutes/ });
  t.throws(() => new BgpSpeaker({ ...base, locRib: 7 as never }), { code: 'ERR_CONFIG_INVALID' });
  t.throws(() => new BgpSpeaker({ ...base, locRib: { igpCost: 5 as never } }), { code: 'ERR_CONFIG_INVALID', message: /igpCost/ });
  const rib = new LocRib({ maximumPaths: 4 });
  const s = new BgpSpeaker({ ...base, locRib: rib });
  t.equal(s.locRib, rib);
  t.equal(s.routes('10.0.0.0/8'), undefined);
});

/** A fake session: an event emitter with the `peer` and the events the wrapper listens to. */
function fakeSession(peer: string): BgpSession {
  return Object.assign(new EventEmitter(), { peer }) as unknown as BgpSession;
}

function established(s: BgpSession, peerAsn = 65100, external = true): void {
  (s.emit as (n: string, e: unknown) => boolean)('established', { peer: s.peer, negotiated: { peerAsn, localAsn: 65000, peerBgpIdentifier: '10.0.0.1', external, gracefulRestart: { local: false, peer: undefined } } });
}

function updateOf(prefixes: number, nextHop: string, base = 0x0a000000): UpdateMessage {
  const words: number[] = [];
  for (let i = 0; i < prefixes; i++) words.push(base + i, 32);
  return {
    type: 'UPDATE',
    withdrawn: PrefixList.empty(1),
    attributes: [
      { type: 'ORIGIN', origin: 0 },
      { type: 'AS_PATH', segments: [{ type: 2, asns: [65100] }] },
      { type: 'NEXT_HOP', nextHop },
    ],
    nlri: new PrefixList(1, false, words),
  };
}

t.test('a large peerDown runs in slices; later work waits behind it, in order', async (t) => {
  const ticks: (() => void)[] = [];
  const errors: string[] = [];
  const router = new SpeakerLocRib({ maximumPaths: 4, sliceRoutes: 1000 }, (cb) => ticks.push(cb), (peer, e) => errors.push(`${peer}: ${e.code}`));
  const a = fakeSession('192.0.2.1');
  const b = fakeSession('192.0.2.2');
  router.attach(a);
  router.attach(a); // twice: once
  router.attach(b);
  const emit = (s: BgpSession, n: string, e: unknown): boolean => (s.emit as (n: string, e: unknown) => boolean)(n, e);
  emit(a, 'update', { update: updateOf(10, '192.0.2.1') }); // before Established: ignored
  t.equal(router.locRib.size, 0);
  established(a);
  established(b);
  emit(a, 'update', { update: updateOf(2500, '192.0.2.1') });
  emit(b, 'update', { update: updateOf(10, '192.0.2.2') });
  t.equal(router.locRib.pathCount, 2510, 'applied at once while nothing waits');
  emit(a, 'stateChange', { from: 'Established', to: 'Idle' });
  t.equal(router.locRib.pathCount, 1510, 'first slice at once');
  t.equal(router.pending, 1);
  established(a);
  emit(a, 'update', { update: updateOf(3, '192.0.2.1', 0x0b000000) });
  emit(b, 'routeRefresh', { afi: 1, safi: 1, subtype: 1 });
  emit(b, 'routeRefresh', { afi: 1, safi: 1, subtype: 0 });
  t.equal(router.pending, 3, 'the UPDATE and the BoRR wait behind the job');
  t.equal(router.locRib.routes('11.0.0.1'), undefined);
  while (ticks.length > 0) ticks.shift()!();
  t.equal(router.pending, 0);
  t.equal(router.locRib.pathCount, 13, "a's old table gone, its new UPDATE and b's paths kept");
  t.equal(router.locRib.routes('11.0.0.1')!.best.peerAddress, '192.0.2.1');
  t.equal(router.locRib.routes('10.0.0.1')!.best.stale, true, "b's BoRR marked its paths stale");
  // a bad UPDATE is reported, not thrown
  emit(a, 'update', { update: { ...updateOf(1, '192.0.2.1'), nlri: null } });
  t.same(errors, ['192.0.2.1: ERR_RIB_INVALID_ARGUMENT']);
  // a GR session-down marks stale; a sweep of many routes runs in slices
  emit(b, 'staleRoutes', { action: 'marked', count: 10 });
  emit(b, 'stateChange', { from: 'Established', to: 'Idle' });
  t.equal(router.locRib.pathCount, 13, 'kept');
  const routes = Array.from({ length: 10 }, (_, i) => ({ afi: 1, safi: 1, prefix: `10.0.0.${i}/32`, pathId: 0, nextHop: ['192.0.2.2'], attributes: [], stale: true }));
  emit(b, 'staleRoutes', { action: 'swept', count: 0, routes: [] });
  emit(b, 'staleRoutes', { action: 'swept', count: 10, routes });
  t.equal(router.locRib.pathCount, 3);
  router.detach(a);
  router.detach(a);
  while (ticks.length > 0) ticks.shift()!();
  t.equal(router.locRib.pathCount, 0, 'detached: its paths gone');
  emit(a, 'update', { update: updateOf(1, '192.0.2.1') });
  t.equal(router.locRib.pathCount, 0, 'no longer fed');
});

t.test('throwing inside a queued task is reported and the queue goes on', async (t) => {
  const ticks: (() => void)[] = [];
  const errors: string[] = [];
  const rib = new LocRib();
  const router = new SpeakerLocRib(rib, (cb) => ticks.push(cb), (peer, e) => errors.push(`${peer}: ${e.code} ${e.message}`));
  const a = fakeSession('192.0.2.1');
  router.attach(a);
  established(a);
  const emit = (n: string, e: unknown): boolean => (a.emit as (n: string, e: unknown) => boolean)(n, e);
  emit('update', { update: updateOf(5000, '192.0.2.1') });
  emit('stateChange', { from: 'Established', to: 'Idle' });
  established(a);
  rib.on('bestPathChanged', () => {
    throw new Error('listener bug');
  });
  emit('update', { update: updateOf(1, '192.0.2.1', 0x0b000000) });
  while (ticks.length > 0) ticks.shift()!();
  t.ok(errors.length > 0 && errors.every((e) => e.startsWith('192.0.2.1: ERR_RIB_APPLY listener bug')), errors.join('; '));
  t.equal(router.pending, 0, 'the job went on after each failure');
  t.equal(rib.pathCount, 1, 'every old path removed, the new one applied');
  t.ok(errors.length > 1);
});

t.test('default scheduling (setImmediate): two large peerDowns queue behind each other', async (t) => {
  const errors: string[] = [];
  const router = new SpeakerLocRib({ sliceRoutes: 500 }, undefined, (peer, e) => errors.push(`${peer}: ${e.message}`));
  const [a, b] = [fakeSession('192.0.2.1'), fakeSession('192.0.2.2')];
  router.attach(a);
  router.attach(b);
  established(a);
  established(b);
  const emit = (s: BgpSession, n: string, e: unknown): boolean => (s.emit as (n: string, e: unknown) => boolean)(n, e);
  emit(a, 'update', { update: updateOf(2000, '192.0.2.1') });
  emit(b, 'update', { update: updateOf(2000, '192.0.2.2', 0x0b000000) });
  let thrown = false;
  router.locRib.on('multipathChanged', () => {
    if (thrown) return;
    thrown = true;
    throw 'not an Error';
  });
  emit(a, 'stateChange', { from: 'Established', to: 'Idle' });
  emit(b, 'stateChange', { from: 'Established', to: 'Idle' });
  t.equal(router.pending, 2);
  for (let i = 0; i < 50 && router.pending > 0; i++) await new Promise((r) => setImmediate(r));
  t.equal(router.pending, 0);
  t.equal(router.locRib.pathCount, 0);
  t.same(errors, ['192.0.2.1: not an Error']);
});
