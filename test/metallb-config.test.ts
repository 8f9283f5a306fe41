/**
 * metallb/load-config: the seeds' example YAML loads with MetalLB's defaults; warnings for unknown
 * fields and ignored kinds; multi-file input; List documents; the error type.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { isBgpError } from '../src/bgp/errors.js';
import { type ConfigIssue, MetalLbConfigError, formatIssue, isMetalLbConfigError, loadMetalLbConfig, parseMetalLbConfig } from '../src/metallb/index.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/metallb/${name}`, import.meta.url), 'utf8');
const docs = (...objs: unknown[]): string => objs.map((o) => stringify(o)).join('---\n');
const pool = { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p' }, spec: { addresses: ['203.0.113.0/24'] } };
const peer = (spec: Record<string, unknown> = {}, name = 'tor1', apiVersion = 'metallb.io/v1beta2') => ({
  apiVersion,
  kind: 'BGPPeer',
  metadata: { name },
  spec: { myASN: 65100, peerASN: 65000, peerAddress: '198.18.0.1', ...spec },
});

t.test('bgp-mode seed: pool, peers, advertisement, BFD profile, service, slices, nodes', async (t) => {
  const { config, warnings } = loadMetalLbConfig({ text: fixture('bgp-mode.yaml'), fileName: 'bgp-mode.yaml' });
  t.same(warnings, []);
  t.same(
    config.pools.map((p) => [p.name, p.autoAssign, p.avoidBuggyIPs, p.families, p.addresses.map((a) => a.text)]),
    [['prod-pool', true, false, [4], ['203.0.113.0/24']]],
  );
  const tor1 = config.peers[0]!;
  t.match(tor1, { name: 'tor1', myASN: 65100, peerASN: 65000, peerAddress: '198.18.0.1', peerPort: 179, holdTimeSec: 90, keepaliveTimeSec: 30, connectTimeSec: 120, bfdProfile: 'tor-bfd', ebgpMultiHop: false, enableGracefulRestart: false });
  t.same(tor1.source, { document: 3, fileName: 'bgp-mode.yaml' });
  t.same(config.peers[1]!.nodeSelectors, []);
  t.same(config.bfdProfiles[0], { name: 'tor-bfd', receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, echoMode: false, passiveMode: false, minimumTtl: 254, source: { document: 2, fileName: 'bgp-mode.yaml' } });
  t.match(config.advertisements[0], { name: 'prod-adv', aggregationLength: 32, aggregationLengthV6: 128, localPref: 100, communities: [{ kind: 'standard', value: '65000:100' }], pools: ['prod-pool'], peers: [] });
  t.match(config.services[0], { key: 'default/web', type: 'LoadBalancer', externalTrafficPolicy: 'Local', ipFamilyPolicy: 'SingleStack', ipFamilies: [4], ports: [{ protocol: 'TCP', port: 443 }], selector: { app: 'web' } });
  t.equal(config.endpointSlices[0]!.serviceName, 'web');
  t.same(config.endpointSlices[0]!.endpoints.map((e) => [e.nodeName, e.ready]), [['node-21', true], ['node-22', true], ['node-23', false]]);
  t.same(config.nodes.map((n) => n.name), ['node-21', 'node-22', 'node-23']);
});

t.test('multi-router seed: ranges, v1beta2 timers, aliases, large communities, selectors, extensions', async (t) => {
  const { config, warnings } = loadMetalLbConfig(fixture('multi-router.yaml'));
  t.same(warnings, []);
  t.same(config.pools.map((p) => p.name), ['development-pool', 'production-pool']);
  t.same(config.pools[0]!.families, [4, 6]);
  t.equal(config.pools[1]!.addresses[0]!.shortestPrefixLength, 28);
  const r3 = config.peers.find((p) => p.name === 'router-3')!;
  t.match(r3, { password: 'bgp-shared-secret', sourceAddress: '198.18.0.10', keepaliveTimeSec: 30, addPath: { 'ipv4-unicast': 'send', 'ipv6-unicast': 'send' } });
  const prod = config.advertisements.find((a) => a.name === 'production-advertisement')!;
  t.same(prod.communities, [
    { kind: 'standard', value: '64500:100' },
    { kind: 'large', value: '64500:1:2' },
  ]);
  const prepend = config.advertisements.find((a) => a.name === 'prepend-advertisement')!;
  t.same(prepend.pools, ['production-pool']);
  t.same(prepend.asPrepend, { count: 2, asn: 64500 });
  t.equal(config.advertisements.find((a) => a.name === 'filtered-advertisement')!.serviceSelectors.length, 1);
  const pinned = config.services.find((s) => s.name === 'pinned-service')!;
  t.match(pinned, { addressPool: 'development-pool', loadBalancerIPsAnnotation: '203.0.113.130', sharingKey: 'shared-key' });
  t.same(config.communityAliases.get('big'), { kind: 'large', value: '64500:1:2' });
});

t.test('node-peers seed: selectors; an advertisement without spec selects every pool', async (t) => {
  const { config } = loadMetalLbConfig(fixture('node-peers.yaml'));
  t.same(config.advertisements[0]!.pools, ['pool']);
  t.same(config.peers[1]!.nodeSelectors[0]!.matchExpressions, [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-2', 'node-3'] }]);
});

t.test('the seeds as written: what MetalLB would reject or ignore', async (t) => {
  // the guide's graceful-shutdown peer: a field MetalLB does not have, and a missing BFD profile
  const r = parseMetalLbConfig(docs(peer({ bfdProfile: 'default', gracefulRestart: { enabled: true, restartTime: '120s' } }, 'router-1')));
  t.equal(r.config, undefined);
  t.match(r.errors, [{ field: 'spec.bfdProfile', message: /no BFDProfile named "default"/ }]);
  t.match(r.warnings, [{ field: 'spec.gracefulRestart', message: /enableGracefulRestart/ }]);
  // the guide's development advertisement: aggregationLength 24 over a range whose CIDRs are /29 and longer
  const r2 = parseMetalLbConfig(
    docs(
      { ...pool, metadata: { name: 'development-pool' }, spec: { addresses: ['203.0.113.240-203.0.113.250'], autoAssign: false } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'development-advertisement' }, spec: { ipAddressPools: ['development-pool'], aggregationLength: 24 } },
    ),
  );
  t.match(r2.errors, [{ document: 2, field: 'spec.aggregationLength', message: /24 is shorter than \/29 .* must be 29\.\.32/ }]);
  // the guide's prepend advertisement next to one with another localPref for the same pool and peer
  const r3 = parseMetalLbConfig(
    docs(
      pool,
      peer({}, 'router-3'),
      { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'a' }, spec: { localPref: 100 } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'b' }, spec: { peers: ['router-3'], localPref: 50, asPrepend: { count: 2 } } },
    ),
  );
  t.match(r3.errors, [{ document: 4, field: 'spec.localPref', message: /50 conflicts with localPref 100 of BGPAdvertisement a/ }]);
});

t.test('warnings: unknown kinds and fields, unsupported options', async (t) => {
  const r = parseMetalLbConfig(
    docs(
      { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } },
      { ...pool, spec: { ...pool.spec, allocateTo: { namespaces: ['a'] }, color: 'red' } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'a' }, spec: { community: ['1:1'], asPrepend: { count: 1, extra: 1 } } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'BFDProfile', metadata: { name: 'b' }, spec: { echo: true } },
      { apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: { name: 'c' }, spec: { communities: [{ name: 'x', value: '1:2', note: 'n' }], other: 1 } },
    ),
  );
  t.same(r.errors, []);
  t.same(
    r.warnings.map((w) => `${w.document} ${w.field}`),
    ['1 kind', '2 kind', '3 spec.color', '3 spec.allocateTo', '4 spec.community', '4 spec.asPrepend.extra', '5 spec.echo', '6 spec.other', '6 spec.communities[0].note'],
  );
  t.match(r.warnings[0], { message: /L2 mode is not supported/ });
  t.match(r.warnings[1], { message: /Deployment is not used/ });
});

t.test('List documents, multiple files, empty documents, line numbers', async (t) => {
  const list = { apiVersion: 'v1', kind: 'List', items: [pool, peer()] };
  const { config } = loadMetalLbConfig([{ text: `---\n${stringify(list)}---\n---\n`, fileName: 'a.yaml' }, { text: docs({ apiVersion: 'v1', kind: 'ConfigMapList', items: [] }), fileName: 'b.yaml' }]);
  t.equal(config.peers[0]!.source.document, 2);
  t.equal(config.pools[0]!.source.fileName, 'a.yaml');
  const bad = parseMetalLbConfig({ text: `${stringify(pool)}---\n${stringify(peer({ holdTime: '2s' }))}`, fileName: 'c.yaml' });
  const issue = bad.errors[0]!;
  t.match(issue, { document: 2, kind: 'BGPPeer', name: 'tor1', field: 'spec.holdTime', line: 17, fileName: 'c.yaml' });
  t.equal(formatIssue(issue), 'c.yaml:17: document 2 (BGPPeer tor1): spec.holdTime: "2s" must be 0 or 3s..65535s');
  t.equal(formatIssue({ ...issue, fileName: undefined }), 'document 2 (BGPPeer tor1) line 17: spec.holdTime: "2s" must be 0 or 3s..65535s');
  t.equal(formatIssue({ document: 0, kind: '', name: '', field: '', message: 'm' }), 'input: m');
});

t.test('MetalLbConfigError lists every problem and has a stable code', async (t) => {
  const err = t.throws(() => loadMetalLbConfig(docs(peer({ holdTime: '2s' }), peer({ peerPort: 0 }, 'tor2')))) as unknown as MetalLbConfigError;
  t.ok(isMetalLbConfigError(err));
  t.ok(isBgpError(err));
  t.notOk(isMetalLbConfigError(new Error('x')));
  t.equal(err.code, 'ERR_METALLB_CONFIG');
  t.equal(err.issues.length, 2);
  t.match(err.message, /^2 problems in the MetalLB configuration:\n {2}document 1 \(BGPPeer tor1\) line \d+: spec.holdTime: "2s" must be 0 or 3s\.\.65535s\n {2}document 2 \(BGPPeer tor2\) line \d+: spec.peerPort: 0 must be an integer in 1\.\.16384/);
  const json = err.toJSON() as { error: string; issues: ConfigIssue[] };
  t.equal(json.error, 'ERR_METALLB_CONFIG');
  t.equal(json.issues.length, 2);
  t.equal(new MetalLbConfigError([{ document: 1, kind: 'K', name: '', field: 'f', message: 'm' }]).message, '1 problem in the MetalLB configuration:\n  document 1 (K): f: m');
});
