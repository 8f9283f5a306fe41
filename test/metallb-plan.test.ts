/**
 * metallb/announce-plan: what node X announces to each peer selected for it: Local only while X
 * has a ready endpoint, Cluster always (unless no endpoint is ready anywhere); peer and
 * advertisement node selectors, peers filters, service selectors; aggregation, communities
 * (aliases, large), LOCAL_PREF, AS-path prepend; the result is valid library Advertisements.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { normalizeAdvertisement } from '../src/rib/advertisement.js';
import { type AnnouncementPlan, type MetalLbConfig, EXCLUDE_LB_LABEL, allocateServiceIps, loadMetalLbConfig, planAnnouncements, readyNodesFromSlices } from '../src/metallb/index.js';

const M = 'metallb.io/v1beta1';
const fixture = (name: string): MetalLbConfig => loadMetalLbConfig(readFileSync(new URL(`./fixtures/metallb/${name}`, import.meta.url), 'utf8')).config;
const docs = (...objs: unknown[]): string => objs.map((o) => stringify(o)).join('---\n');
const load = (...objs: unknown[]): MetalLbConfig => loadMetalLbConfig(docs(...objs)).config;
const pool = (name: string, addresses: string[], labels: Record<string, string> = {}) => ({ apiVersion: M, kind: 'IPAddressPool', metadata: { name, labels }, spec: { addresses } });
const peer = (name: string, address: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name }, spec: { myASN: 64500, peerASN: 64501, peerAddress: address, ...spec } });
const adv = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: M, kind: 'BGPAdvertisement', metadata: { name }, spec });
const svc = (name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, labels }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec } });
const slice = (service: string, endpoints: { nodeName: string; ready: boolean }[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-x`, labels: { 'kubernetes.io/service-name': service } },
  endpoints: endpoints.map((e) => ({ addresses: ['10.244.0.1'], nodeName: e.nodeName, conditions: { ready: e.ready } })),
});
const node = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });

const plan = (c: MetalLbConfig, nodeName: string, options = {}): AnnouncementPlan => planAnnouncements(c, allocateServiceIps(c), nodeName, options);
/** peer name -> prefixes */
const routes = (p: AnnouncementPlan): Record<string, string[]> => Object.fromEntries(p.peers.map((x) => [x.peer.name, x.advertisements.map((a) => a.prefix)]));
const status = (p: AnnouncementPlan): Record<string, string> => Object.fromEntries(p.services.map((s) => [s.service, s.status]));

t.test('bgp-mode seed: Local announces only from nodes with a ready endpoint', async (t) => {
  const c = fixture('bgp-mode.yaml');
  const p21 = plan(c, 'node-21');
  t.same(p21.peers.map((x) => x.peer.name), ['tor1', 'tor2']);
  t.same(p21.peers[0]!.advertisements, [{ prefix: '203.0.113.0/32', communities: ['65000:100'], localPref: 100 }]);
  t.same(p21.services, [{ service: 'default/web', ips: ['203.0.113.0'], status: 'announced', peers: ['tor1', 'tor2'] }]);
  t.same(p21.conflicts, []);
  for (const n of ['node-23', 'node-99']) {
    const p = plan(c, n);
    t.same(routes(p), { tor1: [], tor2: [] }, `${n}: sessions stay, nothing announced`);
    t.same(status(p), { 'default/web': 'noLocalEndpoints' });
  }
  // readiness from the runtime instead of the YAML's slices
  t.same(status(plan(c, 'node-23', { readyNodes: new Map([['default/web', new Set(['node-23'])]]) })), { 'default/web': 'announced' });
  t.same(status(plan(c, 'node-21', { readyNodes: new Map() })), { 'default/web': 'noLocalEndpoints' });
});

t.test('Cluster: every node announces; not when no endpoint is ready anywhere', async (t) => {
  const base = [pool('p', ['203.0.113.0/24']), peer('r1', '198.18.0.1'), adv('a'), svc('web'), svc('idle'), svc('none')];
  const c = load(...base, slice('web', [{ nodeName: 'n1', ready: true }]), slice('idle', [{ nodeName: 'n1', ready: false }]));
  const p = plan(c, 'n2');
  t.same(status(p), { 'default/idle': 'noEndpoints', 'default/none': 'announced', 'default/web': 'announced' });
  t.same(routes(p), { r1: ['203.0.113.1/32', '203.0.113.2/32'] });
  t.same(readyNodesFromSlices(c).known, new Set(['default/web', 'default/idle']));
  // runtime readiness: a service missing from the map is "unknown", an empty set is "none ready"
  t.same(status(plan(c, 'n2', { readyNodes: new Map([['default/web', new Set<string>()]]) })), { 'default/idle': 'announced', 'default/none': 'announced', 'default/web': 'noEndpoints' });
});

t.test('node-peers seed: peer nodeSelectors (matchLabels, In) pick the sessions of each node', async (t) => {
  const c = fixture('node-peers.yaml');
  t.same(routes(plan(c, 'node-1')), { 'node-1-router': ['203.0.113.0/32'] });
  t.same(routes(plan(c, 'node-3')), { 'node-2-router': ['203.0.113.0/32'] });
  const p4 = plan(c, 'node-4');
  t.same(routes(p4), {});
  t.same(status(p4), { 'default/web': 'noAdvertisement' });
  t.same(routes(plan(c, 'whatever', { nodeLabels: { 'kubernetes.io/hostname': 'node-1' } })), { 'node-1-router': ['203.0.113.0/32'] });
});

t.test('advertisement nodeSelectors and peers filters; Node labels; exclude-from-external-load-balancers', async (t) => {
  const c = load(
    pool('p', ['203.0.113.0/24']),
    peer('r1', '198.18.0.1'),
    peer('r2', '198.18.0.2'),
    adv('rack1-to-r1', { peers: ['r1'], nodeSelectors: [{ matchLabels: { rack: 'r1' } }], communities: ['1:1'] }),
    adv('not-rack1', { nodeSelectors: [{ matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['r1'] }] }], communities: ['2:2'] }),
    svc('web'),
    node('n1', { rack: 'r1' }),
    node('n2', { rack: 'r2' }),
    node('n3', { rack: 'r1', [EXCLUDE_LB_LABEL]: '' }),
  );
  const p1 = plan(c, 'n1');
  t.same(routes(p1), { r1: ['203.0.113.0/32'], r2: [] });
  t.same(p1.peers[0]!.advertisements[0]!.communities, ['1:1']);
  t.same(p1.services[0]!.peers, ['r1']);
  const p2 = plan(c, 'n2');
  t.same(routes(p2), { r1: ['203.0.113.0/32'], r2: ['203.0.113.0/32'] });
  t.same(p2.peers[1]!.advertisements[0]!.communities, ['2:2']);
  t.same(status(plan(c, 'n3')), { 'default/web': 'nodeExcluded' });
  t.same(routes(plan(c, 'n3', { ignoreExcludeLb: true })), { r1: ['203.0.113.0/32'], r2: [] });
  t.same(routes(plan(c, 'unknown-node')), { r1: ['203.0.113.0/32'], r2: ['203.0.113.0/32'] }, 'no labels: NotIn matches');
});

t.test('aggregation merges service IPs; communities of every advertisement are merged', async (t) => {
  const c = load(
    pool('p', ['203.0.113.0/24', '2001:db8::/64']),
    { apiVersion: M, kind: 'Community', metadata: { name: 'aliases' }, spec: { communities: [{ name: 'edge', value: '65000:300' }, { name: 'big', value: 'large:65000:7:8' }] } },
    peer('r1', '198.18.0.1'),
    adv('agg', { aggregationLength: 24, aggregationLengthV6: 64, communities: ['edge', 'large:65000:1:1', '65000:20'] }),
    adv('host', { communities: ['65000:100', 'big', 'no-export', 'NO_ADVERTISE'] }),
    svc('a', { ipFamilyPolicy: 'RequireDualStack' }),
    svc('b'),
  );
  const p = plan(c, 'n1');
  t.same(p.peers[0]!.advertisements, [
    { prefix: '203.0.113.0/24', communities: ['65000:20', '65000:300'], largeCommunities: ['65000:1:1'] },
    { prefix: '203.0.113.0/32', communities: ['65000:100', 'NO_ADVERTISE', 'NO_EXPORT'], largeCommunities: ['65000:7:8'] },
    { prefix: '203.0.113.1/32', communities: ['65000:100', 'NO_ADVERTISE', 'NO_EXPORT'], largeCommunities: ['65000:7:8'] },
    { prefix: '2001:db8::/64', communities: ['65000:20', '65000:300'], largeCommunities: ['65000:1:1'] },
    { prefix: '2001:db8::/128', communities: ['65000:100', 'NO_ADVERTISE', 'NO_EXPORT'], largeCommunities: ['65000:7:8'] },
  ]);
  for (const a of p.peers[0]!.advertisements) t.doesNotThrow(() => normalizeAdvertisement(a), `${a.prefix} is a valid library Advertisement`);
});

t.test('multi-router seed: localPref, aliases, large communities, serviceSelectors, asPrepend per peer', async (t) => {
  const c = fixture('multi-router.yaml');
  const p = plan(c, 'node-1');
  const byPeer = Object.fromEntries(p.peers.map((x) => [x.peer.name, x.advertisements]));
  t.same(byPeer['router-1'], [{ prefix: '203.0.113.241/32', communities: ['64500:100', '64500:150'], largeCommunities: ['64500:1:2'], localPref: 100 }]);
  t.same(byPeer['router-3'], [{ prefix: '203.0.113.241/32', localPref: 50, asPathPrepend: { count: 2, asn: 64500 } }]);
  t.same(p.conflicts, [], 'an advertisement without localPref yields to one with it');
  t.same(status(p), { 'default/critical-service': 'announced', 'default/pinned-service': 'noLocalEndpoints', 'shop/api': 'notAllocated' });
  for (const x of p.peers) for (const a of x.advertisements) t.doesNotThrow(() => normalizeAdvertisement(a));
  // the development pool aggregates to its /26 (and /120), to router-1 and router-2 only
  const ready = new Map([['default/pinned-service', new Set(['node-1'])]]);
  const p2 = planAnnouncements(c, allocateServiceIps(c), 'node-1', { readyNodes: ready });
  t.same(p2.peers.map((x) => x.advertisements.map((a) => a.prefix)), [['203.0.113.128/26', '203.0.113.241/32'], ['203.0.113.128/26', '203.0.113.241/32'], ['203.0.113.241/32']]);
  t.same(p2.peers[0]!.advertisements[0], { prefix: '203.0.113.128/26', communities: ['64500:50'], largeCommunities: ['64500:50:1'], localPref: 50 });
});

t.test('serviceSelectors: only labelled services', async (t) => {
  const c = load(pool('p', ['203.0.113.0/24']), peer('r1', '198.18.0.1'), adv('sel', { serviceSelectors: [{ matchLabels: { expose: 'yes' } }] }), svc('a', {}, { expose: 'yes' }), svc('b'));
  const p = plan(c, 'n1');
  t.same(routes(p), { r1: ['203.0.113.0/32'] });
  t.same(status(p), { 'default/a': 'announced', 'default/b': 'noAdvertisement' });
});

t.test('conflicting LOCAL_PREF / AS-path prepend for one prefix (serviceSelectors skip the config check): the first advertisement wins, reported', async (t) => {
  const sel = [{ matchLabels: { app: 'x' } }];
  const c = load(
    pool('p', ['203.0.113.0/24']),
    peer('r1', '198.18.0.1'),
    adv('a', { serviceSelectors: sel, localPref: 100 }),
    adv('b', { serviceSelectors: sel, localPref: 200, asPrepend: { count: 1 } }),
    adv('c', { serviceSelectors: sel, asPrepend: { count: 3 } }),
    adv('d', { aggregationLength: 24, asPrepend: { count: 2, asn: 65000 } }),
    svc('x', {}, { app: 'x' }),
  );
  const p = plan(c, 'n1');
  t.same(p.peers[0]!.advertisements, [
    { prefix: '203.0.113.0/24', asPathPrepend: { count: 2, asn: 65000 } },
    { prefix: '203.0.113.0/32', localPref: 100, asPathPrepend: { count: 1 } },
  ]);
  t.same(p.conflicts, [
    '203.0.113.0/32 to r1: BGPAdvertisement b (localPref 200, asPrepend {"count":1}) disagrees with a (localPref 100, asPrepend {"count":1}); a is used',
    '203.0.113.0/32 to r1: BGPAdvertisement c (localPref unset, asPrepend {"count":3}) disagrees with a (localPref 100, asPrepend {"count":1}); a is used',
  ]);
});
