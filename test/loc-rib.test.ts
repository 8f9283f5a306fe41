/**
 * LocRib: best path and multipath per prefix, the events (exactly on change), withdraw and
 * peerDown (whole and in slices), `show ip route` views with longest-prefix match, IPv6, and
 * input validation.
 */
import t from 'tap';
import { codecContext } from '../src/bgp/codec/context.js';
import { type UpdateMessage, decodeUpdate, encodeUpdate } from '../src/bgp/codec/update.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import { AdjRibIn } from '../src/rib/adj-rib-in.js';
import type { PeerDescriptor } from '../src/rib/decision-process.js';
import { type BestPathChangedEvent, LocRib, type LocRibRoute, type MultipathChangedEvent } from '../src/rib/loc-rib.js';
import { formatAsPath } from '../src/rib/path-summary.js';

/** eBGP peer 192.0.2.<n> in AS `as` (default 65000 + n), router id 10.0.0.<n>. */
function ebgp(n: number, as = 65000 + n): PeerDescriptor {
  return { peerAddress: `192.0.2.${n}`, peerAs: as, localAs: 64512, routerId: `10.0.0.${n}`, ibgp: false };
}
function ibgp(n: number): PeerDescriptor {
  return { peerAddress: `198.51.100.${n}`, peerAs: 64512, localAs: 64512, routerId: `10.1.0.${n}`, ibgp: true };
}

interface R {
  prefix?: string;
  nextHop?: string | string[];
  asPath?: number[];
  med?: number;
  localPref?: number;
  origin?: 0 | 1 | 2;
  pathId?: number;
  stale?: boolean;
  extra?: PathAttribute[];
}
function route(peer: PeerDescriptor, r: R = {}): LocRibRoute {
  const prefix = r.prefix ?? '203.0.113.0/24';
  const attributes: PathAttribute[] = [
    { type: 'ORIGIN', origin: r.origin ?? 0 },
    { type: 'AS_PATH', segments: (r.asPath ?? (peer.ibgp ? [] : [peer.peerAs])).length === 0 ? [] : [{ type: 2, asns: r.asPath ?? [peer.peerAs] }] },
  ];
  if (r.med !== undefined) attributes.push({ type: 'MULTI_EXIT_DISC', med: r.med });
  if (r.localPref !== undefined) attributes.push({ type: 'LOCAL_PREF', localPref: r.localPref });
  attributes.push(...(r.extra ?? []));
  const nh = r.nextHop ?? peer.peerAddress;
  return { afi: prefix.includes(':') ? 2 : 1, safi: 1, prefix, pathId: r.pathId, nextHop: Array.isArray(nh) ? nh : [nh], attributes, stale: r.stale };
}

/** Records the events of a LocRib as short strings. */
function recorder(rib: LocRib): { log: string[]; best: BestPathChangedEvent[]; mp: MultipathChangedEvent[] } {
  const out = { log: [] as string[], best: [] as BestPathChangedEvent[], mp: [] as MultipathChangedEvent[] };
  rib.on('bestPathChanged', (e) => {
    out.best.push(e);
    out.log.push(`best ${e.prefix} ${e.previous?.peerAddress ?? '-'} -> ${e.current?.peerAddress ?? '-'}`);
  });
  rib.on('multipathChanged', (e) => {
    out.mp.push(e);
    out.log.push(`mp ${e.prefix} [${e.current.map((h) => h.nextHop).join(',')}]`);
  });
  return out;
}

t.test('first path, better path, no-op re-announce, withdraw promotes the next', async (t) => {
  const rib = new LocRib();
  const ev = recorder(rib);
  const a = ebgp(1);
  const b = ebgp(2);
  rib.update(a, route(a, { asPath: [65001, 65100] }));
  t.same(ev.log, ['best 203.0.113.0/24 - -> 192.0.2.1', 'mp 203.0.113.0/24 [192.0.2.1]']);
  t.equal(ev.best[0]!.afi, 1);
  t.equal(ev.best[0]!.safi, 1);
  t.same(ev.mp[0]!.previous, []);
  ev.log.length = 0;
  rib.update(b, route(b));
  t.same(ev.log, ['best 203.0.113.0/24 192.0.2.1 -> 192.0.2.2', 'mp 203.0.113.0/24 [192.0.2.2]'], 'shorter AS_PATH wins');
  ev.log.length = 0;
  rib.update(b, route(b));
  rib.update(a, route(a, { asPath: [65001, 65100] }));
  t.same(ev.log, [], 'identical re-announcements emit nothing');
  rib.update(a, route(a, { asPath: [65001, 65100], med: 5 }));
  t.same(ev.log, [], 'a change to a losing path that does not change the outcome emits nothing');
  rib.update(b, route(b, { med: 7 }));
  t.same(ev.log, ['best 203.0.113.0/24 192.0.2.2 -> 192.0.2.2'], 'new attributes on the best path: bestPathChanged, next hops unchanged');
  t.equal(ev.best.at(-1)!.previous!.med, undefined);
  t.equal(ev.best.at(-1)!.current!.med, 7);
  ev.log.length = 0;
  t.equal(rib.withdraw(b, { afi: 1, safi: 1, prefix: '203.0.113.0/24' }), true);
  t.same(ev.log, ['best 203.0.113.0/24 192.0.2.2 -> 192.0.2.1', 'mp 203.0.113.0/24 [192.0.2.1]'], 'the next path is promoted');
  t.equal(rib.withdraw(b, { afi: 1, safi: 1, prefix: '203.0.113.0/24' }), false, 'already gone');
  t.equal(rib.withdraw('192.0.2.99', { afi: 1, safi: 1, prefix: '198.51.100.0/24' }), false, 'unknown prefix');
  ev.log.length = 0;
  t.equal(rib.withdraw(a.peerAddress, { afi: 1, safi: 1, prefix: '203.0.113.0/24', pathId: 0 }), true, 'by peer address');
  t.same(ev.log, ['best 203.0.113.0/24 192.0.2.1 -> -', 'mp 203.0.113.0/24 []'], 'prefix gone: current undefined, empty set');
  t.equal(ev.best.at(-1)!.current, undefined);
  t.equal(rib.size, 0);
  t.equal(rib.pathCount, 0);
  t.equal(rib.routes('203.0.113.0/24'), undefined);
  t.equal(rib.routes('203.0.113.5'), undefined, 'no longest match either');
});

t.test('stale flag changes alone emit nothing but show', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1);
  rib.update(a, route(a));
  const ev = recorder(rib);
  t.equal(rib.routes('203.0.113.0/24')!.best.stale, false);
  rib.update(a, route(a, { stale: true }));
  t.same(ev.log, []);
  t.equal(rib.routes('203.0.113.0/24')!.best.stale, true);
  rib.update(a, route(a, { stale: true }));
  t.equal(rib.routes('203.0.113.0/24')!.best.stale, true);
});

t.test('show ip route: best summary, paths with flags and reasons', async (t) => {
  const rib = new LocRib({ maximumPaths: 4 });
  const p1 = ebgp(1, 65001);
  const p2 = { ...ebgp(2, 65001), routerId: '10.0.0.200' };
  const p3 = ebgp(3);
  const p4 = ibgp(4);
  const comm: PathAttribute[] = [
    { type: 'COMMUNITIES', communities: [(65000 << 16) | 100, 0xffffff01] },
    { type: 'LARGE_COMMUNITY', communities: [[65000, 1, 2]] },
  ];
  rib.update(p3, route(p3, { asPath: [65003, 65100] }));
  rib.update(p2, route(p2, { asPath: [65001, 65100], extra: comm }));
  rib.update(p1, route(p1, { asPath: [65001, 65100] }));
  rib.update(p4, route(p4, { asPath: [65001, 65100], localPref: 50, extra: [{ type: 'ORIGINATOR_ID', originatorId: '10.9.9.9' }, { type: 'CLUSTER_LIST', clusterList: ['10.8.8.8'] }] }));
  const v = rib.routes('203.0.113.0/24')!;
  t.equal(v.prefix, '203.0.113.0/24');
  t.equal(v.best.peerAddress, '192.0.2.1');
  t.equal(v.decidedBy, 'routerId');
  t.same(v.best.nextHop, ['192.0.2.1']);
  t.equal(v.best.asPath, '65001 65100');
  t.equal(v.best.localPref, 100);
  t.equal(v.best.origin, 'igp');
  t.same(v.multipath, [
    { nextHop: '192.0.2.1', peerAddress: '192.0.2.1' },
    { nextHop: '192.0.2.2', peerAddress: '192.0.2.2' },
  ], 'identical AS_PATH only: p3 (other AS) is not a member without relax');
  t.same(
    v.paths.map((p) => [p.peerAddress, p.best, p.multipath, p.lostAt ?? null]),
    [
      ['192.0.2.1', true, true, null],
      ['192.0.2.2', false, true, 'routerId'],
      ['192.0.2.3', false, false, 'routerId'],
      ['198.51.100.4', false, false, 'localPref'],
    ],
    'best, multipath, then closest to winning first',
  );
  const p2v = v.paths[1]!;
  t.same(p2v.communities, ['65000:100', 'NO_EXPORT']);
  t.same(p2v.largeCommunities, ['65000:1:2']);
  t.equal(p2v.reason, 'higher BGP Identifier (ORIGINATOR_ID when present)');
  const ib = v.paths[3]!;
  t.equal(ib.reason, 'lower LOCAL_PREF');
  t.equal(ib.localPref, 50);
  t.equal(ib.originatorId, '10.9.9.9');
  t.same(ib.clusterList, ['10.8.8.8']);
  t.equal(ib.ibgp, true);
  t.equal(ib.peerAs, 64512);
  t.equal(v.paths[0]!.reason, undefined);
  t.equal(formatAsPath([{ type: 2, asns: [1, 2] }, { type: 1, asns: [3, 4] }, { type: 3, asns: [5] }, { type: 4, asns: [6, 7] }]), '1 2 {3,4} (5) [6,7]');
  t.ok(Object.isFrozen(v.best), 'summaries are frozen');
});

t.test('multipath: relax, limit, next-hop dedup, type mixing, events', async (t) => {
  const strict = new LocRib({ maximumPaths: 3 });
  const relax = new LocRib({ maximumPaths: 3, asPathMultipathRelax: true });
  const ev = recorder(relax);
  const peers = [ebgp(1), ebgp(2), ebgp(3), ebgp(4), ebgp(5)];
  for (const rib of [strict, relax]) {
    for (const p of peers.slice(0, 3)) rib.update(p, route(p, { asPath: [p.peerAs, 65100] }));
  }
  t.same(strict.routes('203.0.113.0/24')!.multipath.map((h) => h.peerAddress), ['192.0.2.1'], 'different neighbour ASes: no multipath without relax');
  t.same(relax.routes('203.0.113.0/24')!.multipath.map((h) => h.peerAddress), ['192.0.2.1', '192.0.2.2', '192.0.2.3'], 'relax: equal AS_PATH length');
  t.same(ev.log, ['best 203.0.113.0/24 - -> 192.0.2.1', 'mp 203.0.113.0/24 [192.0.2.1]', 'mp 203.0.113.0/24 [192.0.2.1,192.0.2.2]', 'mp 203.0.113.0/24 [192.0.2.1,192.0.2.2,192.0.2.3]']);
  ev.log.length = 0;
  relax.update(peers[3]!, route(peers[3]!, { asPath: [65004, 65100] }));
  t.same(ev.log, [], 'a fourth equal path beyond maximumPaths 3 changes nothing');
  relax.update(peers[4]!, route(peers[4]!, { asPath: [65005, 65100], nextHop: '192.0.2.2' }));
  t.same(ev.log, [], 'a path with a next hop already in the set changes nothing');
  relax.withdraw(peers[1]!, { afi: 1, safi: 1, prefix: '203.0.113.0/24' });
  t.same(ev.log, ['mp 203.0.113.0/24 [192.0.2.1,192.0.2.3,192.0.2.4]'], 'a member leaves: the next eligible path (by peer address) joins');
  t.same(ev.mp.at(-1)!.previous.map((h) => h.nextHop), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  ev.log.length = 0;
  relax.update(peers[2]!, route(peers[2]!, { asPath: [65003, 65100], med: 10 }));
  t.same(ev.log, [], 'MED of another neighbour AS is not comparable: still a member');
  relax.update(peers[2]!, route(peers[2]!, { asPath: [65003, 65100, 65100] }));
  t.same(ev.log, ['mp 203.0.113.0/24 [192.0.2.1,192.0.2.4,192.0.2.2]'], 'longer AS_PATH: out; 192.0.2.5 (its next hop 192.0.2.2 now unused) in');
  t.same(ev.mp.at(-1)!.current.at(-1), { nextHop: '192.0.2.2', peerAddress: '192.0.2.5' });
  const i = new LocRib({ maximumPaths: 1, maximumPathsIbgp: 2 });
  const [i1, i2, i3] = [ibgp(1), ibgp(2), ibgp(3)];
  for (const p of [i3, i2, i1]) i.update(p, route(p, { asPath: [65001] }));
  const e1 = ebgp(9, 65001);
  t.same(i.routes('203.0.113.0/24')!.multipath.map((h) => h.peerAddress), ['198.51.100.1', '198.51.100.2'], 'maximumPathsIbgp');
  i.update(e1, route(e1, { asPath: [65001] }));
  t.same(i.routes('203.0.113.0/24')!.multipath.map((h) => h.peerAddress), ['192.0.2.9'], 'eBGP best: iBGP paths are not members; maximumPaths 1');
  t.equal(i.routes('203.0.113.0/24')!.paths[1]!.lostAt, 'ebgpOverIbgp');
});

t.test('losers at the same step: by peer address, then path id', async (t) => {
  const rib = new LocRib();
  const [w, x, y] = [ebgp(1), ebgp(2), ebgp(3)];
  rib.update(w, route(w, { med: 0 }));
  rib.update(y, route(y, { asPath: [65003, 1] }));
  rib.update(x, route(x, { asPath: [65002, 1], pathId: 2 }));
  rib.update(x, route(x, { asPath: [65002, 1], pathId: 1 }));
  t.same(rib.routes('203.0.113.0/24')!.paths.map((p) => `${p.peerAddress}#${p.pathId} ${p.lostAt ?? 'best'}`), ['192.0.2.1#0 best', '192.0.2.2#1 asPathLength', '192.0.2.2#2 asPathLength', '192.0.2.3#0 asPathLength']);
});

t.test('identical next hops from several peers are one multipath member', async (t) => {
  const rib = new LocRib({ maximumPaths: 8 });
  const rs = [ebgp(1, 65001), ebgp(2, 65001), ebgp(3, 65001)];
  for (const p of rs) rib.update(p, route(p, { nextHop: '192.0.2.100' }));
  t.same(rib.routes('203.0.113.0/24')!.multipath, [{ nextHop: '192.0.2.100', peerAddress: '192.0.2.1' }]);
  t.same(rib.routes('203.0.113.0/24')!.paths.map((p) => p.multipath), [true, false, false]);
});

t.test('ADD-PATH: several paths per peer', async (t) => {
  const rib = new LocRib({ maximumPaths: 4 });
  const p = ebgp(1);
  rib.update(p, route(p, { pathId: 2, nextHop: '192.0.2.12' }));
  rib.update(p, route(p, { pathId: 1, nextHop: '192.0.2.11' }));
  const v = rib.routes('203.0.113.0/24')!;
  t.equal(v.best.pathId, 1);
  t.equal(v.decidedBy, 'pathId');
  t.same(v.multipath.map((h) => h.nextHop), ['192.0.2.11', '192.0.2.12']);
  t.equal(rib.pathCount, 2);
  t.equal(rib.size, 1);
  rib.withdraw(p, { afi: 1, safi: 1, prefix: '203.0.113.0/24', pathId: 1 });
  t.equal(rib.routes('203.0.113.0/24')!.best.pathId, 2);
  t.equal(rib.routes('203.0.113.0/24')!.decidedBy, undefined, 'only path');
});

t.test('a changed peer descriptor re-runs the decision', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1, 65001);
  const b = ebgp(2, 65001);
  rib.update(a, route(a));
  rib.update(b, route(b));
  t.equal(rib.routes('203.0.113.0/24')!.best.peerAddress, '192.0.2.1');
  const ev = recorder(rib);
  rib.update({ ...a, routerId: '10.0.0.99' }, route(a));
  t.same(ev.log, ['best 203.0.113.0/24 192.0.2.1 -> 192.0.2.2', 'mp 203.0.113.0/24 [192.0.2.2]']);
  ev.log.length = 0;
  rib.update({ ...a, routerId: '10.0.0.99' }, route(a));
  t.same(ev.log, [], 'an equal descriptor object: no change');
  rib.update({ ...b, localPref: 100 }, route(b));
  t.same(ev.log, ['best 203.0.113.0/24 192.0.2.2 -> 192.0.2.2'], 'configured LOCAL_PREF set (same value): the path is replaced');
});

t.test('peerDown removes all the peer\'s paths, other peers take over', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1);
  const b = ebgp(2);
  for (let i = 0; i < 5; i++) rib.update(a, route(a, { prefix: `10.${i}.0.0/16` }));
  rib.update(b, route(b, { prefix: '10.0.0.0/16', asPath: [65002, 65100] }));
  const ev = recorder(rib);
  t.equal(rib.peerDown(a), 5);
  t.equal(rib.size, 1);
  t.equal(rib.pathCount, 1);
  t.equal(rib.routes('10.0.0.0/16')!.best.peerAddress, '192.0.2.2');
  t.equal(ev.best.length, 5, 'one bestPathChanged per prefix');
  t.equal(ev.best.filter((e) => e.current === undefined).length, 4);
  t.equal(rib.peerDown(a), 0, 'nothing left');
  t.equal(rib.peerDown('192.0.2.77'), 0, 'unknown peer');
});

t.test('peerDownInSlices: bounded work per step, later announcements untouched', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1);
  for (let i = 0; i < 7; i++) rib.update(a, route(a, { prefix: `10.${i}.0.0/16` }));
  const ev = recorder(rib);
  const job = rib.peerDownInSlices(a);
  t.equal(job.peerAddress, '192.0.2.1');
  t.equal(job.remaining, 7);
  t.equal(job.done, false);
  // the peer comes back meanwhile: re-announces 10.5/16 with new attributes and withdraws 10.6/16
  rib.update(a, route(a, { prefix: '10.5.0.0/16', med: 1 }));
  rib.withdraw(a, { afi: 1, safi: 1, prefix: '10.6.0.0/16' });
  rib.update(a, route(a, { prefix: '10.9.0.0/16' }));
  rib.update(a, route(a, { prefix: '10.4.0.0/16' }));
  t.same(ev.log.filter((l) => l.includes('10.4.')), [], 'announced again unchanged: no event');
  ev.log.length = 0;
  t.equal(job.step(3), true, 'more remain');
  t.equal(ev.log.filter((l) => l.startsWith('best')).length, 3, 'events for this slice only');
  t.equal(job.removed, 3, 'paths 10.0-10.2');
  t.equal(job.remaining, 1, 'only 10.3 is left: the re-announced, replaced and withdrawn paths no longer count');
  t.equal(job.step(3), false, 'done');
  t.equal(job.done, true);
  t.equal(job.remaining, 0);
  t.equal(job.removed, 4, 'the re-announced, the replaced and the withdrawn path were skipped');
  t.same([...rib.prefixes()].map((p) => p.prefix).sort(), ['10.4.0.0/16', '10.5.0.0/16', '10.9.0.0/16'], 'paths announced after peerDown stay');
  t.equal(job.step(3), false, 'a finished job does nothing');
  t.equal(rib.peerDown(a), 3, 'the new session\'s paths are the peer\'s index now');
  t.throws(() => job.step(0), { code: 'ERR_RIB_INVALID_ARGUMENT' });
});

t.test('longest-prefix match for a bare address, exact match for a prefix', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1);
  for (const prefix of ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '0.0.0.0/0']) rib.update(a, route(a, { prefix }));
  t.equal(rib.routes('10.1.2.3')!.prefix, '10.1.2.0/24');
  t.equal(rib.routes('10.1.3.1')!.prefix, '10.1.0.0/16');
  t.equal(rib.routes('10.9.9.9')!.prefix, '10.0.0.0/8');
  t.equal(rib.routes('11.0.0.1')!.prefix, '0.0.0.0/0', 'default route');
  t.equal(rib.routes('10.1.2.0/23'), undefined, 'a prefix: exact match only');
  t.equal(rib.routes('10.1.2.7/24')!.prefix, '10.1.2.0/24', 'host bits of a query prefix are ignored');
  rib.withdraw(a, { afi: 1, safi: 1, prefix: '10.1.2.0/24' });
  t.equal(rib.routes('10.1.2.3')!.prefix, '10.1.0.0/16', 'after withdraw');
  rib.withdraw(a, { afi: 1, safi: 1, prefix: '0.0.0.0/0' });
  t.equal(rib.routes('11.0.0.1'), undefined);
  t.equal(rib.routes('10.1.2.3', 2), undefined, 'another SAFI');
  t.equal(rib.routes('2001:db8::1'), undefined, 'another family');
  rib.update(a, { ...route(a, { prefix: '10.1.0.0/16' }), safi: 2 });
  t.equal(rib.routes('10.1.2.3', 2)!.safi, 2, 'SAFI 2 table');
  t.equal(rib.size, 3, '10/8, 10.1/16 in SAFI 1 and in SAFI 2');
});

t.test('IPv6 prefixes and next hops', async (t) => {
  const rib = new LocRib({ maximumPaths: 2 });
  const a: PeerDescriptor = { peerAddress: '2001:db8:ffff::1', peerAs: 65001, localAs: 64512, routerId: '10.0.0.1', ibgp: false };
  const b: PeerDescriptor = { peerAddress: '2001:db8:ffff::2', peerAs: 65001, localAs: 64512, routerId: '10.0.0.2', ibgp: false };
  rib.update(a, route(a, { prefix: '2001:db8:0:0::/32', nextHop: ['2001:db8:ffff::1', 'fe80::1'] }));
  rib.update(b, route(b, { prefix: '2001:db8::/32', nextHop: ['2001:db8:ffff::2', 'fe80::2'] }));
  rib.update(a, route(a, { prefix: '2001:db8:1::/48', nextHop: ['2001:db8:ffff::1'] }));
  rib.update(a, route(a, { prefix: '2001:db8:1:2::3/64', nextHop: ['2001:db8:ffff::1'] }));
  t.same([...rib.prefixes()], [
    { afi: 2, safi: 1, prefix: '2001:db8::/32' },
    { afi: 2, safi: 1, prefix: '2001:db8:1::/48' },
    { afi: 2, safi: 1, prefix: '2001:db8:1:2::/64' },
  ], 'canonical text, host bits cleared');
  const v = rib.routes('2001:db8::/32')!;
  t.equal(v.afi, 2);
  t.same(v.best.nextHop, ['2001:db8:ffff::1', 'fe80::1'], 'global and link-local');
  t.same(v.multipath, [
    { nextHop: '2001:db8:ffff::1', peerAddress: '2001:db8:ffff::1' },
    { nextHop: '2001:db8:ffff::2', peerAddress: '2001:db8:ffff::2' },
  ]);
  t.equal(rib.routes('2001:db8:1:2::99')!.prefix, '2001:db8:1:2::/64');
  t.equal(rib.routes('2001:db8:1:3::1')!.prefix, '2001:db8:1::/48');
  t.equal(rib.routes('2001:db8:2::1')!.prefix, '2001:db8::/32');
  t.equal(rib.routes('2001:db9::1'), undefined);
  t.equal(rib.routes('10.0.0.1'), undefined, 'no IPv4 table');
});

t.test('routes from the Adj-RIB-In feed the Loc-RIB as they are', async (t) => {
  const ctx = codecContext({});
  const m: UpdateMessage = {
    type: 'UPDATE',
    withdrawn: PrefixList.empty(1),
    attributes: [
      { type: 'ORIGIN', origin: 0 },
      { type: 'AS_PATH', segments: [{ type: 2, asns: [65001, 65100] }] },
      { type: 'NEXT_HOP', nextHop: '192.0.2.1' },
      { type: 'MULTI_EXIT_DISC', med: 20 },
    ],
    nlri: PrefixList.from(1, ['203.0.113.0/24', '198.51.100.0/24']),
  };
  const adj = new AdjRibIn();
  adj.apply(decodeUpdate(encodeUpdate(m, ctx), ctx));
  const rib = new LocRib();
  const peer = ebgp(1, 65001);
  for (const r of adj.routes()) rib.update(peer, r);
  t.equal(rib.size, 2);
  const v = rib.routes('198.51.100.77')!;
  t.equal(v.best.med, 20);
  t.equal(v.best.asPath, '65001 65100');
  t.same(v.best.nextHop, ['192.0.2.1']);
  const ev = recorder(rib);
  adj.apply(decodeUpdate(encodeUpdate(m, ctx), ctx));
  for (const r of adj.routes()) rib.update(peer, r);
  t.same(ev.log, [], 'the same UPDATE again (new objects, equal content) is a no-op');
});

t.test('unknown attributes compare by value', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1);
  const unk = (b: number[]): PathAttribute => ({ type: 'UNKNOWN', flags: 0xc0, typeCode: 99, value: new Uint8Array(b) });
  rib.update(a, route(a, { extra: [unk([1, 2])] }));
  const ev = recorder(rib);
  rib.update(a, route(a, { extra: [unk([1, 2])] }));
  t.same(ev.log, [], 'equal bytes');
  rib.update(a, route(a, { extra: [unk([1, 3])] }));
  t.equal(ev.best.length, 1, 'other bytes');
  rib.update(a, route(a, { extra: [{ ...unk([1, 3]), value: [1, 3] } as unknown as PathAttribute] }));
  t.equal(ev.best.length, 2, 'typed array vs array');
  rib.update(a, route(a, { extra: [{ ...unk([1, 3]), extra: [1] } as unknown as PathAttribute] }));
  rib.update(a, route(a, { extra: [{ ...unk([1, 3]), extra: { 0: 1 } } as unknown as PathAttribute] }));
  t.equal(ev.best.length, 4, 'array vs object');
  rib.update(a, route(a, { extra: [{ type: 'COMMUNITIES', communities: [1], flags: 0xc0 }] }));
  t.equal(ev.best.length, 5, 'an extra key');
  rib.update(a, route(a, { extra: [{ type: 'COMMUNITIES', communities: [1], flags: 0xc0 }], nextHop: '192.0.2.200' }));
  t.equal(ev.best.length, 6, 'next hop');
  t.same(ev.log.at(-1), 'mp 203.0.113.0/24 [192.0.2.200]');
});

t.test('igpCost option feeds the decision', async (t) => {
  const costs: Record<string, number> = { '198.51.100.1': 20, '198.51.100.2': 10 };
  const rib = new LocRib({ igpCost: (nh) => costs[nh] });
  const [p1, p2] = [ibgp(1), ibgp(2)];
  rib.update(p1, route(p1));
  rib.update(p2, route(p2));
  const v = rib.routes('203.0.113.0/24')!;
  t.equal(v.best.peerAddress, '198.51.100.2');
  t.equal(v.decidedBy, 'igpCost');
  t.equal(v.best.igpCost, 10);
  t.equal(v.paths[1]!.reason, 'higher IGP cost to the next hop');
});

t.test('options: defaultLocalPref, alwaysCompareMed', async (t) => {
  const rib = new LocRib({ defaultLocalPref: 200, alwaysCompareMed: true });
  const [i1, e2, e3] = [ibgp(1), ebgp(2), ebgp(3)];
  rib.update(i1, route(i1, { localPref: 150, asPath: [65009] }));
  rib.update(e2, route(e2, { med: 50 }));
  rib.update(e3, route(e3, { med: 40 }));
  const v = rib.routes('203.0.113.0/24')!;
  t.equal(v.best.peerAddress, '192.0.2.3', 'eBGP paths get 200, MED compared across ASes');
  t.equal(v.decidedBy, 'med');
  t.equal(v.paths[1]!.reason, 'higher MULTI_EXIT_DISC');
  t.equal(v.paths[2]!.lostAt, 'localPref');
});

t.test('iteration and snapshot', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1);
  rib.update(a, route(a, { prefix: '192.0.2.0/24' }));
  rib.update(a, route(a, { prefix: '2001:db8::/32', nextHop: ['2001:db8::1'] }));
  t.same([...rib].map((v) => [v.prefix, v.best.peerAddress]), [['192.0.2.0/24', '192.0.2.1'], ['2001:db8::/32', '192.0.2.1']]);
  t.equal(rib.size, 2);
});

t.test('listeners see committed state', async (t) => {
  const rib = new LocRib();
  const a = ebgp(1);
  const seen: (string | undefined)[] = [];
  rib.on('bestPathChanged', (e) => seen.push(rib.routes(e.prefix)?.best.peerAddress));
  rib.update(a, route(a));
  rib.peerDown(a);
  t.same(seen, ['192.0.2.1', undefined]);
});

t.test('invalid input throws ERR_RIB_INVALID_ARGUMENT', async (t) => {
  const code = { code: 'ERR_RIB_INVALID_ARGUMENT' };
  t.throws(() => new LocRib({ maximumPaths: 0 }), { ...code, message: /maximumPaths/ });
  t.throws(() => new LocRib({ maximumPathsIbgp: 1.5 }), { ...code, message: /maximumPathsIbgp/ });
  t.throws(() => new LocRib({ defaultLocalPref: -1 }), { ...code, message: /defaultLocalPref/ });
  const rib = new LocRib();
  const a = ebgp(1);
  const good = route(a);
  const bad: [string, unknown, unknown][] = [
    ['peer', null, good],
    ['peer.peerAddress', { ...a, peerAddress: 5 }, good],
    ['peer.peerAddress', { ...a, peerAddress: 'peer-1' }, good],
    ['peer.peerAs', { ...a, peerAs: -1 }, good],
    ['peer.localAs', { ...a, localAs: 2 ** 32 }, good],
    ['peer.routerId', { ...a, routerId: 7 }, good],
    ['routerId', { ...a, routerId: '1.2.3' }, good],
    ['peer.ibgp', { ...a, ibgp: 'no' }, good],
    ['peer.localPref', { ...a, localPref: 'high' }, good],
    ['route', a, null],
    ['prefix', a, { ...good, prefix: 7 }],
    ['not a prefix', a, { ...good, prefix: '203.0.113.0/33' }],
    ['afi', a, { ...good, afi: 2 }],
    ['safi', a, { ...good, safi: 0 }],
    ['safi', a, { ...good, safi: '1' }],
    ['pathId', a, { ...good, pathId: -1 }],
    ['nextHop', a, { ...good, nextHop: [] }],
    ['nextHop', a, { ...good, nextHop: '192.0.2.1' }],
    ['nextHop', a, { ...good, nextHop: [''] }],
    ['attributes', a, { ...good, attributes: undefined }],
  ];
  for (const [what, peer, r] of bad) t.throws(() => rib.update(peer as PeerDescriptor, r as LocRibRoute), { ...code, message: new RegExp(what.replace('.', '\\.')) }, what);
  t.equal(rib.size, 0, 'nothing half-added');
  t.throws(() => rib.withdraw(a, null as never), code);
  t.throws(() => rib.withdraw(undefined as never, { afi: 1, safi: 1, prefix: '203.0.113.0/24' }), { ...code, message: /peer/ });
  t.throws(() => rib.withdraw(a, { afi: 1, safi: 1, prefix: 'x' }), code);
  t.throws(() => rib.peerDown(42 as never), code);
  t.throws(() => rib.routes(5 as never), code);
  t.throws(() => rib.routes('junk'), { ...code, message: /address/ });
  t.throws(() => rib.routes('10.0.0.0/8', 300), { ...code, message: /safi/ });
});
