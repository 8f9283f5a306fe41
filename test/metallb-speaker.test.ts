/**
 * MetalLbSpeaker in the seed's topology, in memory (test/helpers/metallb-lab.ts): three node
 * speakers, two ToRs with multipath Loc-RIBs and BFD. ECMP over the nodes with endpoints; a drain
 * and Local/Cluster changes go out as UPDATEs without resetting sessions; a changed peer setting
 * resets only that peer; BFD timers change in place; a node no longer selected gets Cease; a bad
 * reload changes nothing; BFD drops a frozen node in its detection time.
 */
import t from 'tap';
import { MetalLbConfigError, loadMetalLbConfig } from '../src/metallb/index.js';
import { MetalLbSpeaker } from '../src/metallb/node-speaker.js';
import type { AnnouncementsEvent, PeerStateEvent, ServiceStatusEvent } from '../src/metallb/node-speaker-types.js';
import { NODES, type NodeName, metalLbLab, seedConfig, seedYaml } from './helpers/metallb-lab.js';

const ALL = Object.keys(NODES) as NodeName[];

async function startAll(lab: Awaited<ReturnType<typeof metalLbLab>>, config = seedConfig()): Promise<string> {
  for (const n of ALL) {
    await lab.nodes[n].apply(config);
    await lab.nodes[n].start();
  }
  await lab.run(3000);
  const ip = lab.nodes['node-21'].allocation!.assigned.get('default/web')!.ips[0]!;
  return ip;
}

t.test('seed: the Service IP at both ToRs with three next hops, community 65000:100, BFD Up', async (t) => {
  const lab = await metalLbLab(seedConfig());
  t.teardown(() => lab.close());
  const statuses: ServiceStatusEvent[] = [];
  lab.nodes['node-21'].on('serviceStatus', (e) => statuses.push(e));
  const ip = await startAll(lab);
  t.match(ip, /^203\.0\.113\.\d+$/);
  for (const n of ALL) t.equal(lab.nodes[n].allocation!.assigned.get('default/web')!.ips[0], ip, `${n} allocates the same IP`);
  t.same(lab.hops('tor1', ip), Object.values(NODES), 'tor1: ECMP over three nodes');
  t.same(lab.hops('tor2', ip), Object.values(NODES), 'tor2: ECMP over three nodes');
  const best = lab.tors.tor1.routes(`${ip}/32`)!;
  t.match(best.best, { communities: ['65000:100'] });
  const snap = lab.nodes['node-22'].snapshot();
  t.same(
    snap.peers.map((p) => [p.peer, p.state, p.bfd?.state, p.bfd?.localAddress, p.prefixes]),
    [
      ['tor1', 'Established', 'Up', NODES['node-22'], [`${ip}/32`]],
      ['tor2', 'Established', 'Up', NODES['node-22'], [`${ip}/32`]],
    ],
  );
  t.same(statuses.map((s) => [s.service, s.status, s.peers, s.previous]), [['default/web', 'announced', ['tor1', 'tor2'], undefined]]);
  t.equal(snap.generation, 1);
});

t.test('drain (endpoint not ready), Cluster, back to Local: UPDATEs only, no session reset', async (t) => {
  const lab = await metalLbLab(seedConfig());
  t.teardown(() => lab.close());
  const ip = await startAll(lab);
  const states: PeerStateEvent[] = [];
  const ann: AnnouncementsEvent[] = [];
  for (const n of ALL) {
    lab.nodes[n].on('peerState', (e) => states.push(e));
    lab.nodes[n].on('announcements', (e) => ann.push(e));
  }
  const drained = seedConfig({ ready: ['node-21', 'node-22'] });
  const reports = [];
  for (const n of ALL) reports.push(await lab.nodes[n].apply(drained));
  await lab.run(100);
  t.same(lab.hops('tor1', ip), [NODES['node-21'], NODES['node-22']], 'tor1: node-23 gone');
  t.same(lab.hops('tor2', ip), [NODES['node-21'], NODES['node-22']], 'tor2: node-23 gone');
  t.same(
    ann.map((a) => [a.peer, a.withdrawn]),
    [
      ['tor1', [`${ip}/32`]],
      ['tor2', [`${ip}/32`]],
    ],
    'only node-23 withdrew',
  );
  t.same(reports.map((r) => [r.peersKept, r.peersReset, r.peersAdded, r.peersRemoved]), ALL.map(() => [['tor1', 'tor2'], [], [], []]));
  t.same(lab.nodes['node-23'].plan!.services[0]!.status, 'noLocalEndpoints');

  // Cluster: every node announces, with or without a local endpoint
  for (const n of ALL) await lab.nodes[n].apply(seedConfig({ ready: ['node-21', 'node-22'], policy: 'Cluster' }));
  await lab.run(100);
  t.same(lab.hops('tor1', ip), Object.values(NODES), 'Cluster: three next hops again');
  // no endpoint ready anywhere: Cluster withdraws too (MetalLB's noEndpoints)
  for (const n of ALL) await lab.nodes[n].apply(seedConfig({ ready: [], policy: 'Cluster' }));
  await lab.run(100);
  t.same(lab.hops('tor1', ip), [], 'no ready endpoint: withdrawn everywhere');
  t.equal(lab.tors.tor1.routes(ip), undefined);
  for (const n of ALL) await lab.nodes[n].apply(seedConfig());
  await lab.run(100);
  t.same(lab.hops('tor2', ip), Object.values(NODES), 'back to three');
  t.same(states, [], 'no session changed state during all of it');
  for (const n of ALL) for (const p of lab.nodes[n].snapshot().peers) t.equal(lab.nodes[n].link(p.peer)!.session.snapshot().stats.establishedTransitions, 1, `${n} ${p.peer}: established once`);
});

t.test('a changed session setting resets that peer only; BFD timers change in place; a peer no longer selected gets Cease', async (t) => {
  const lab = await metalLbLab(seedConfig());
  t.teardown(() => lab.close());
  const ip = await startAll(lab);
  const node = lab.nodes['node-21'];
  const states: PeerStateEvent[] = [];
  const bfd: string[] = [];
  node.on('peerState', (e) => states.push(e));
  node.on('bfdState', (e) => bfd.push(`${e.peer} ${e.from}->${e.to}`));
  const tor1Session = node.link('tor1')!.session;

  // holdTime of both peers changes (session settings): both reset; here only through tor2's selector below
  const slowerBfd = seedConfig({ bfd: { rx: 500, tx: 500, multiplier: 4 } });
  const r1 = await node.apply(slowerBfd);
  await lab.run(3000);
  t.same([r1.peersKept, r1.peersReset], [['tor1', 'tor2'], []], 'a BFD profile change keeps the sessions');
  t.same(bfd, [], 'BFD stayed Up (Poll Sequence)');
  t.same([node.link('tor1')!.bfdSession!.snapshot().transmitIntervalMs, node.link('tor1')!.bfdSession!.snapshot().negotiatedTxIntervalMs], [500, 500], 'the new interval is in effect');
  t.equal(node.link('tor1')!.session, tor1Session);

  const r2 = await node.apply(seedConfig({ holdTime: '30s', bfd: { rx: 500, tx: 500, multiplier: 4 } }));
  t.same([r2.peersReset.length, r2.peersKept], [2, []], 'a hold time change replaces both sessions');
  await lab.run(20000);
  t.not(node.link('tor1')!.session, tor1Session);
  t.equal(node.link('tor1')!.session.state, 'Established');
  t.same(lab.hops('tor1', ip), Object.values(NODES), 'and node-21 is back in the ECMP set');

  // tor2 now only for rack r2 nodes: node-21 has no such label, so its tor2 session is shut down
  states.length = 0;
  const r3 = await node.apply(seedConfig({ holdTime: '30s', bfd: { rx: 500, tx: 500, multiplier: 4 }, tor2Selector: { rack: 'r2' } }));
  await lab.run(100);
  t.same([r3.peersRemoved, r3.peersKept], [['tor2'], ['tor1']]);
  t.same(lab.hops('tor2', ip), [NODES['node-22'], NODES['node-23']], 'tor2 lost node-21');
  t.same(lab.hops('tor1', ip), Object.values(NODES), 'tor1 kept it');
  t.ok(states.some((s) => s.peer === 'tor2' && s.to === 'Idle'), 'tor2 went Idle on node-21');
  const tor2view = lab.tors.tor2.peer(NODES['node-21'])!;
  t.not(tor2view.state, 'Established');
  t.equal(node.link('tor2'), undefined);
});

t.test('BFD added and removed by reload without a session reset; without node address BFD uses the connection address', async (t) => {
  const lab = await metalLbLab(seedConfig(), { nodeAddress: false });
  t.teardown(() => lab.close());
  const ip = await startAll(lab);
  const node = lab.nodes['node-23'];
  t.same(node.snapshot().peers.map((p) => [p.peer, p.state, p.bfd?.state, p.bfd?.localAddress]), [
    ['tor1', 'Established', 'Up', NODES['node-23']],
    ['tor2', 'Established', 'Up', NODES['node-23']],
  ]);
  t.equal(node.link('tor1')!.session.config.localAddress, undefined, 'no source address configured');
  const states: PeerStateEvent[] = [];
  node.on('peerState', (e) => states.push(e));
  const off = await node.apply(seedConfig({ bfd: false }));
  await lab.run(1000);
  t.same([off.peersKept, off.peersReset], [['tor1', 'tor2'], []]);
  t.same(node.snapshot().peers.map((p) => p.bfd), [undefined, undefined], 'BFD gone');
  t.equal(node.link('tor1')!.bfdSession, undefined);
  const on = await node.apply(seedConfig());
  await lab.run(3000);
  t.same([on.peersKept, on.peersReset], [['tor1', 'tor2'], []]);
  t.same(node.snapshot().peers.map((p) => p.bfd?.state), ['Up', 'Up'], 'BFD back Up');
  t.same(states, [], 'BGP never left Established');
  t.same(lab.hops('tor1', ip), Object.values(NODES));
});

t.test('a reload that cannot run changes nothing and names the peer and field', async (t) => {
  const lab = await metalLbLab(seedConfig());
  t.teardown(() => lab.close());
  const ip = await startAll(lab);
  // a speaker without node address or router ID, and a peer without routerID: rejected
  const bare = new MetalLbSpeaker({ node: 'node-21' });
  const err = await bare.apply(seedConfig()).catch((e: unknown) => e);
  t.ok(err instanceof MetalLbConfigError);
  t.match((err as MetalLbConfigError).issues, [{ kind: 'BGPPeer', name: 'tor1', field: 'spec.routerID' }, { kind: 'BGPPeer', name: 'tor2', field: 'spec.routerID' }]);
  t.equal(bare.snapshot().generation, 0);
  await bare.stop();
  // a speaker with an IPv6 node address: fine while the peers name their routerID, rejected whole when a reload drops it
  const v6 = new MetalLbSpeaker({ node: 'node-22', nodeAddress: '2001:db8::22' });
  const withIds = loadMetalLbConfig(seedYaml().replaceAll('  peerASN: 65000\n', '  peerASN: 65000\n  routerID: 198.18.0.22\n')).config;
  t.same((await v6.apply(withIds)).peersAdded, ['tor1', 'tor2']);
  const tor1 = v6.link('tor1')!;
  t.equal(tor1.session.config.routerId, '198.18.0.22');
  t.equal(tor1.session.config.localAddress, undefined, 'an IPv6 node address is no source for an IPv4 peer');
  const e2 = await v6.apply(seedConfig()).catch((e: unknown) => e);
  t.match((e2 as MetalLbConfigError).issues, [{ name: 'tor1', field: 'spec.routerID' }, { name: 'tor2', field: 'spec.routerID' }]);
  t.equal(v6.snapshot().generation, 1, 'still generation 1');
  t.equal(v6.link('tor1'), tor1, 'the session stays');
  await v6.stop();
  await t.rejects(v6.apply(withIds), { code: 'ERR_BGP_STOPPED' });
  await t.rejects(v6.start(), { code: 'ERR_BGP_STOPPED' });
  t.same(lab.hops('tor2', ip), Object.values(NODES));
  t.throws(() => new MetalLbSpeaker({ node: '' }), { code: 'ERR_CONFIG_INVALID' });
});

t.test('BFD: a frozen node leaves both ToRs within the detection time (300 ms x 3)', async (t) => {
  const lab = await metalLbLab(seedConfig());
  t.teardown(() => lab.close());
  const ip = await startAll(lab);
  lab.bfdNet.freeze(NODES['node-22']);
  const t0 = lab.clock.now();
  let gone: number | undefined;
  for (let i = 0; i < 40 && gone === undefined; i++) {
    await lab.run(50);
    if (!lab.hops('tor1', ip).includes(NODES['node-22']) && !lab.hops('tor2', ip).includes(NODES['node-22'])) gone = lab.clock.now() - t0;
  }
  t.ok(gone !== undefined && gone <= 1000, `gone after ${gone} ms`);
  t.same(lab.hops('tor1', ip), [NODES['node-21'], NODES['node-23']]);
});

t.test('dual stack: an IPv4-only peer gets no IPv6 prefixes; a peer without address family sends its own', async (t) => {
  const yaml = seedYaml({ extra: '' })
    .replace('spec: { addresses: [203.0.113.0/24] }', 'spec: { addresses: [203.0.113.0/24, "2001:db8:5::/120"] }')
    .replace('externalTrafficPolicy: Local,', 'externalTrafficPolicy: Local, ipFamilyPolicy: RequireDualStack, ipFamilies: [IPv4, IPv6],');
  const lab = await metalLbLab(loadMetalLbConfig(yaml).config);
  t.teardown(() => lab.close());
  await startAll(lab, loadMetalLbConfig(yaml).config);
  const node = lab.nodes['node-21'];
  const ips = node.allocation!.assigned.get('default/web')!.ips;
  t.equal(ips.length, 2);
  t.same(node.link('tor1')!.prefixes, [`${ips[0]}/32`], 'IPv4 peer: the IPv4 /32 only');
  t.same(node.plan!.peers[0]!.advertisements.map((a) => a.prefix), [`${ips[0]}/32`, `${ips[1]}/128`], 'the plan has both');
});
