/**
 * metallb validation: every error path names the document, the field and what is allowed; all
 * errors are collected; MetalLB's defaults and derived values.
 */
import t from 'tap';
import { stringify } from 'yaml';
import { type BgpPeer, parseMetalLbConfig, loadMetalLbConfig } from '../src/metallb/index.js';

const M = 'metallb.io/v1beta1';
const docs = (...objs: unknown[]): string => objs.map((o) => (typeof o === 'string' ? o : stringify(o))).join('---\n');
const pool = (spec: Record<string, unknown> = {}, name = 'p', labels?: Record<string, string>) => ({ apiVersion: M, kind: 'IPAddressPool', metadata: { name, ...(labels ? { labels } : {}) }, spec: { addresses: ['203.0.113.0/24'], ...spec } });
const peer = (spec: Record<string, unknown> = {}, name = 'tor1', apiVersion = 'metallb.io/v1beta2') => ({ apiVersion, kind: 'BGPPeer', metadata: { name }, spec: { myASN: 65100, peerASN: 65000, peerAddress: '198.18.0.1', ...spec } });
const adv = (spec: Record<string, unknown> = {}, name = 'a') => ({ apiVersion: M, kind: 'BGPAdvertisement', metadata: { name }, spec });
const bfd = (spec: Record<string, unknown> = {}, name = 'b') => ({ apiVersion: M, kind: 'BFDProfile', metadata: { name }, spec });
const community = (communities: unknown, name = 'c') => ({ apiVersion: M, kind: 'Community', metadata: { name }, spec: { communities } });
const svc = (spec: Record<string, unknown> = {}, name = 's', extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', ...spec }, ...extra });
const slice = (endpoints: unknown, labels: Record<string, string> = { 'kubernetes.io/service-name': 's' }) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e', labels }, endpoints });
const secret = (o: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw' }, type: 'kubernetes.io/basic-auth', ...o });

/** [what, input, document, field, message pattern] */
const CASES: [string, string, number, string, RegExp][] = [
  ['yaml syntax', 'a: [1,\n', 1, '', /YAML syntax/],
  ['not a mapping', '- 1\n- 2\n', 1, '', /must be a mapping with apiVersion/],
  ['no kind', docs({ apiVersion: 'v1', metadata: { name: 'x' } }), 1, 'kind', /missing: every document needs a kind/],
  ['List item not a mapping', docs({ apiVersion: 'v1', kind: 'List', items: [pool(), 5] }), 2, '', /must be a mapping/],
  ['wrong apiVersion', docs({ ...pool(), apiVersion: 'metallb.io/v1alpha1' }), 1, 'apiVersion', /"metallb.io\/v1alpha1" must be metallb.io\/v1beta1 for IPAddressPool/],
  ['v1beta2 pool', docs({ ...pool(), apiVersion: 'metallb.io/v1beta2' }), 1, 'apiVersion', /must be metallb.io\/v1beta1/],
  ['no name', docs({ ...pool(), metadata: {} }), 1, 'metadata.name', /missing/],
  ['duplicate name', docs(pool(), pool({ addresses: ['2001:db8::/64'] })), 2, 'metadata.name', /IPAddressPool "p" is already defined by document 1/],
  ['no spec', docs({ apiVersion: M, kind: 'IPAddressPool', metadata: { name: 'p' } }), 1, 'spec', /missing \(must be a mapping\)/],
  ['spec not a mapping', docs({ apiVersion: M, kind: 'IPAddressPool', metadata: { name: 'p' }, spec: [1] }), 1, 'spec', /must be a mapping \(got \[1\]\)/],
  // IPAddressPool
  ['no addresses', docs(pool({ addresses: [] })), 1, 'spec.addresses', /at least one CIDR/],
  ['addresses not a list', docs(pool({ addresses: '203.0.113.0/24' })), 1, 'spec.addresses', /must be a list/],
  ['address not a string', docs(pool({ addresses: [5] })), 1, 'spec.addresses[0]', /must be a CIDR or range string/],
  ['no prefix length', docs(pool({ addresses: ['203.0.113.1'] })), 1, 'spec.addresses[0]', /must be a CIDR .* or a range/],
  ['bad CIDR address', docs(pool({ addresses: ['203.0.113.300/24'] })), 1, 'spec.addresses[0]', /invalid CIDR .*bad address/],
  ['bad CIDR length', docs(pool({ addresses: ['203.0.113.0/33'] })), 1, 'spec.addresses[0]', /prefix length must be 0\.\.32/],
  ['bad range start', docs(pool({ addresses: ['x-203.0.113.5'] })), 1, 'spec.addresses[0]', /bad start address/],
  ['bad range end', docs(pool({ addresses: ['203.0.113.5-y'] })), 1, 'spec.addresses[0]', /bad end address/],
  ['range families', docs(pool({ addresses: ['203.0.113.5-2001:db8::1'] })), 1, 'spec.addresses[0]', /different families/],
  ['range backwards', docs(pool({ addresses: ['203.0.113.9-203.0.113.5'] })), 1, 'spec.addresses[0]', /start is after end/],
  ['overlap in pool', docs(pool({ addresses: ['203.0.113.0/24', '203.0.113.128/25'] })), 1, 'spec.addresses[1]', /overlaps "203.0.113.0\/24" of the same pool/],
  ['overlap across pools', docs(pool(), pool({ addresses: ['203.0.113.5-203.0.113.9'] }, 'q')), 2, 'spec.addresses[0]', /overlaps pool p \(document 1\)/],
  ['autoAssign type', docs(pool({ autoAssign: 'yes' })), 1, 'spec.autoAssign', /must be true or false \(got "yes"\)/],
  // BGPPeer
  ['myASN missing', docs(peer({ myASN: undefined })), 1, 'spec.myASN', /missing: the local AS number/],
  ['myASN 0', docs(peer({ myASN: 0 })), 1, 'spec.myASN', /0 must be an integer in 1\.\.4294967295/],
  ['v1beta1 4-octet ASN', docs(peer({ peerASN: 4200000000 }, 'tor1', M)), 1, 'spec.peerASN', /1\.\.65535 \(metallb.io\/v1beta1; use metallb.io\/v1beta2/],
  ['peerASN missing', docs(peer({ peerASN: undefined })), 1, 'spec.peerASN', /give peerASN .* or dynamicASN/],
  ['dynamicASN bad', docs(peer({ peerASN: undefined, dynamicASN: 'any' })), 1, 'spec.dynamicASN', /must be internal or external/],
  ['dynamicASN and peerASN', docs(peer({ dynamicASN: 'external' })), 1, 'spec.dynamicASN', /cannot be combined with peerASN/],
  ['interface', docs(peer({ peerAddress: undefined, interface: 'eth0' })), 1, 'spec.interface', /unnumbered BGP/],
  ['peerAddress missing', docs(peer({ peerAddress: undefined })), 1, 'spec.peerAddress', /missing/],
  ['peerAddress bad', docs(peer({ peerAddress: 'tor1.example' })), 1, 'spec.peerAddress', /must be an IPv4 or IPv6 address/],
  ['peerAddress type', docs(peer({ peerAddress: 5 })), 1, 'spec.peerAddress', /must be a string \(got 5\)/],
  ['sourceAddress bad', docs(peer({ sourceAddress: '198.18.0.999' })), 1, 'spec.sourceAddress', /must be an IPv4 or IPv6 address/],
  ['sourceAddress family', docs(peer({ sourceAddress: '2001:db8::1' })), 1, 'spec.sourceAddress', /not of the family of peerAddress/],
  ['peerPort 0 (v1beta2)', docs(peer({ peerPort: 0 })), 1, 'spec.peerPort', /0 must be an integer in 1\.\.16384/],
  ['peerPort too big', docs(peer({ peerPort: 20000 }, 'tor1', M)), 1, 'spec.peerPort', /must be an integer in 0\.\.16384/],
  ['holdTime not a duration', docs(peer({ holdTime: '90' })), 1, 'spec.holdTime', /"90" must be a duration such as "90s"/],
  ['holdTime number', docs(peer({ holdTime: 90 })), 1, 'spec.holdTime', /90 must be a duration/],
  ['holdTime negative', docs(peer({ holdTime: '-5s' })), 1, 'spec.holdTime', /must be a duration/],
  ['holdTime 2s', docs(peer({ holdTime: '2s' })), 1, 'spec.holdTime', /"2s" must be 0 or 3s\.\.65535s/],
  ['holdTime huge', docs(peer({ holdTime: '20h' })), 1, 'spec.holdTime', /must be 0 or 3s\.\.65535s/],
  ['keepalive > hold', docs(peer({ holdTime: '30s', keepaliveTime: '1m' })), 1, 'spec.keepaliveTime', /"1m" must not be longer than holdTime "30s"/],
  ['connectTime fraction', docs(peer({ connectTime: '1500ms' })), 1, 'spec.connectTime', /whole number of seconds in 1s\.\.65535s/],
  ['connectTime 0', docs(peer({ connectTime: '0s' })), 1, 'spec.connectTime', /1s\.\.65535s/],
  ['routerID v6', docs(peer({ routerID: '2001:db8::1' })), 1, 'spec.routerID', /must be an IPv4 address/],
  ['password newline', docs(peer({ password: 'a\nb' })), 1, 'spec.password', /at most 80 octets, without line breaks/],
  ['password and secret', docs(peer({ password: 'a', passwordSecret: { name: 'pw' } }), secret({ stringData: { password: 'x' } })), 1, 'spec.passwordSecret', /cannot be combined with password/],
  ['passwordSecret without name', docs(peer({ passwordSecret: {} })), 1, 'spec.passwordSecret.name', /missing/],
  ['passwordSecret unknown', docs(peer({ passwordSecret: { name: 'nope' } })), 1, 'spec.passwordSecret.name', /no Secret named "nope"/],
  ['ebgpMultiHop on iBGP', docs(peer({ peerASN: 65100, ebgpMultiHop: true })), 1, 'spec.ebgpMultiHop', /cannot be set for an iBGP peer/],
  ['ebgpMultiHop on dynamic internal', docs(peer({ peerASN: undefined, dynamicASN: 'internal', ebgpMultiHop: true })), 1, 'spec.ebgpMultiHop', /iBGP/],
  ['vrf', docs(peer({ vrf: 'red' })), 1, 'spec.vrf', /not supported/],
  ['disableMP type', docs(peer({ disableMP: 1 })), 1, 'spec.disableMP', /true or false/],
  ['addPath bad mode', docs(peer({ addPath: 'all' })), 1, 'spec.addPath', /"all" must be send, receive or both, or a mapping by family/],
  ['addPath bad family', docs(peer({ addPath: { 'ipv4-flowspec': 'send' } })), 1, 'spec.addPath.ipv4-flowspec', /unknown family \(allowed: ipv4-unicast, ipv6-unicast\)/],
  ['addPath family bad mode', docs(peer({ addPath: { 'ipv6-unicast': 'yes' } })), 1, 'spec.addPath.ipv6-unicast', /"yes" must be send, receive or both/],
  ['addPath list', docs(peer({ addPath: ['send'] })), 1, 'spec.addPath', /must be a mapping/],
  ['bfdProfile unknown', docs(peer({ bfdProfile: 'x' }), bfd()), 1, 'spec.bfdProfile', /no BFDProfile named "x" \(known: b\)/],
  ['same peer twice', docs(peer(), peer({}, 'tor2')), 2, 'spec.peerAddress', /198.18.0.1 port 179 is already peered by BGPPeer tor1/],
  // label selectors (on a BGPPeer)
  ['selectors not a list', docs(peer({ nodeSelectors: { matchLabels: {} } })), 1, 'spec.nodeSelectors', /must be a list/],
  ['selector not a mapping', docs(peer({ nodeSelectors: ['x'] })), 1, 'spec.nodeSelectors[0]', /must be a label selector mapping/],
  ['matchLabels bad key', docs(peer({ nodeSelectors: [{ matchLabels: { '-bad': 'x' } }] })), 1, 'spec.nodeSelectors[0].matchLabels', /label key "-bad"/],
  ['matchLabels bad prefix', docs(peer({ nodeSelectors: [{ matchLabels: { 'Bad_Prefix/x': 'x' } }] })), 1, 'spec.nodeSelectors[0].matchLabels', /prefix "Bad_Prefix" must be a DNS subdomain/],
  ['matchLabels value type', docs(peer({ nodeSelectors: [{ matchLabels: { a: true } }] })), 1, 'spec.nodeSelectors[0].matchLabels.a', /must be a string \(got true; quote/],
  ['matchLabels bad value', docs(peer({ nodeSelectors: [{ matchLabels: { a: 'x y' } }] })), 1, 'spec.nodeSelectors[0].matchLabels.a', /label value "x y"/],
  ['expression not a mapping', docs(peer({ nodeSelectors: [{ matchExpressions: ['a'] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[0]', /must be a mapping with key, operator and values/],
  ['expression bad operator', docs(peer({ nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Equals' }] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[0].operator', /"Equals" must be one of In, NotIn, Exists, DoesNotExist/],
  ['expression bad key', docs(peer({ nodeSelectors: [{ matchExpressions: [{ key: 'a b', operator: 'Exists' }] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[0].key', /label key "a b"/],
  ['expression no key', docs(peer({ nodeSelectors: [{ matchExpressions: [{ operator: 'Exists' }] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[0].key', /missing/],
  ['In without values', docs(peer({ nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[0].values', /at least one value for operator In/],
  ['Exists with values', docs(peer({ nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[0].values', /must be empty for operator Exists/],
  ['duplicate expression', docs(peer({ nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }, { key: 'a', operator: 'Exists' }] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[1]', /duplicate match expression/],
  ['duplicate value', docs(peer({ nodeSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'x'] }] }] })), 1, 'spec.nodeSelectors[0].matchExpressions[0].values[1]', /duplicate "x"/],
  ['duplicate selector', docs(peer({ nodeSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { a: 'b' } }] })), 1, 'spec.nodeSelectors[1]', /duplicate selector "a=b"/],
  // BGPAdvertisement
  ['aggregationLength 33', docs(adv({ aggregationLength: 33 })), 1, 'spec.aggregationLength', /33 must be an integer in 0\.\.32/],
  ['aggregationLengthV6 129', docs(adv({ aggregationLengthV6: 129 })), 1, 'spec.aggregationLengthV6', /0\.\.128/],
  ['aggregation shorter than the pool (v6)', docs(pool({ addresses: ['2001:db8::/120'] }), adv({ aggregationLengthV6: 64 })), 2, 'spec.aggregationLengthV6', /64 is shorter than \/120 .* must be 120\.\.128/],
  ['localPref negative', docs(adv({ localPref: -1 })), 1, 'spec.localPref', /0\.\.4294967295/],
  ['community value', docs(adv({ communities: ['65536:1'] })), 1, 'spec.communities[0]', /invalid community value "65536:1": each part of ASN:VALUE must be 0\.\.65535/],
  ['large community parts', docs(adv({ communities: ['large:1:2:4294967296'] })), 1, 'spec.communities[0]', /each part of large:A:B:C must be 0\.\.4294967295/],
  ['large community marker', docs(adv({ communities: ['huge:1:2:3'] })), 1, 'spec.communities[0]', /written large:<uint32>/],
  ['unknown alias', docs(adv({ communities: ['nosuch'] })), 1, 'spec.communities[0]', /"nosuch" is neither a community value .* nor the name of an alias/],
  ['three-part community', docs(adv({ communities: ['1:2:3'] })), 1, 'spec.communities[0]', /neither a community value/],
  ['duplicate community', docs(community([{ name: 'x', value: '1:2' }]), adv({ communities: ['1:2', 'x'] })), 2, 'spec.communities[1]', /"x" repeats community 1:2/],
  ['duplicate community text', docs(adv({ communities: ['1:2', '1:2'] })), 1, 'spec.communities[1]', /duplicate "1:2"/],
  ['community not a string', docs(adv({ communities: [12] })), 1, 'spec.communities[0]', /must be a non-empty string/],
  ['unknown pool', docs(pool(), adv({ ipAddressPools: ['nope'] })), 2, 'spec.ipAddressPools[0]', /no IPAddressPool named "nope" \(known: p\)/],
  ['unknown peer', docs(adv({ peers: ['tor9'] })), 1, 'spec.peers[0]', /no BGPPeer named "tor9" \(known: none\)/],
  ['serviceSelectors and aggregationLength', docs(adv({ serviceSelectors: [{ matchLabels: { a: 'b' } }], aggregationLength: 24 })), 1, 'spec.aggregationLength', /cannot be combined with serviceSelectors/],
  ['serviceSelectors and aggregationLengthV6', docs(adv({ serviceSelectors: [{ matchLabels: { a: 'b' } }], aggregationLengthV6: 64 })), 1, 'spec.aggregationLengthV6', /cannot be combined with serviceSelectors/],
  ['asPrepend without count', docs(adv({ asPrepend: { asn: 65000 } })), 1, 'spec.asPrepend.count', /missing: how many times/],
  ['asPrepend count 0', docs(adv({ asPrepend: { count: 0 } })), 1, 'spec.asPrepend.count', /0 must be an integer in 1\.\.64/],
  ['asPrepend asn 0', docs(adv({ asPrepend: { count: 1, asn: 0 } })), 1, 'spec.asPrepend.asn', /1\.\.4294967295/],
  ['asPrepend conflict', docs(pool(), adv({ asPrepend: { count: 1 } }), adv({ asPrepend: { count: 2, asn: 65000 } }, 'b')), 3, 'spec.asPrepend', /2 x 65000 conflicts with asPrepend 1 x myASN of BGPAdvertisement a/],
  ['BFD echo on an IPv6 pool', docs(pool({ addresses: ['2001:db8::/64'] }), bfd({ echoMode: true }), peer({ bfdProfile: 'b' }), adv()), 4, 'spec', /announces IPv6 pool p to BGPPeer tor1, whose BFDProfile b has echoMode/],
  // BFDProfile
  ['receiveInterval 5', docs(bfd({ receiveInterval: 5 })), 1, 'spec.receiveInterval', /5 must be an integer in 10\.\.60000 \(ms\)/],
  ['transmitInterval 60001', docs(bfd({ transmitInterval: 60001 })), 1, 'spec.transmitInterval', /10\.\.60000 \(ms\)/],
  ['echoInterval 1', docs(bfd({ echoInterval: 1 })), 1, 'spec.echoInterval', /10\.\.60000/],
  ['detectMultiplier 1', docs(bfd({ detectMultiplier: 1 })), 1, 'spec.detectMultiplier', /1 must be an integer in 2\.\.255/],
  ['minimumTtl 255', docs(bfd({ minimumTtl: 255 })), 1, 'spec.minimumTtl', /1\.\.254/],
  ['echoMode type', docs(bfd({ echoMode: 'no' })), 1, 'spec.echoMode', /true or false/],
  ['passiveMode type', docs(bfd({ passiveMode: 1.5 })), 1, 'spec.passiveMode', /true or false/],
  // Community
  ['alias not a mapping', docs(community(['x'])), 1, 'spec.communities[0]', /must be a mapping with name and value/],
  ['alias without value', docs(community([{ name: 'x' }])), 1, 'spec.communities[0].value', /missing/],
  ['alias bad value', docs(community([{ name: 'x', value: 'nope' }])), 1, 'spec.communities[0].value', /invalid community format "nope"/],
  ['alias twice', docs(community([{ name: 'x', value: '1:1' }]), community([{ name: 'x', value: '1:2' }], 'd')), 2, 'spec.communities[0].name', /alias "x" is defined twice/],
  // Secret
  ['secret type', docs(secret({ type: 'Opaque' })), 1, 'type', /"Opaque" must be kubernetes.io\/basic-auth/],
  ['secret without password', docs(secret({ data: {} })), 1, 'data.password', /missing/],
  ['secret not base64', docs(secret({ data: { password: 'a b!' } })), 1, 'data.password', /must be base64/],
  // Service
  ['externalTrafficPolicy', docs(svc({ externalTrafficPolicy: 'Node' })), 1, 'spec.externalTrafficPolicy', /"Node" must be Cluster or Local/],
  ['ipFamilyPolicy', docs(svc({ ipFamilyPolicy: 'DualStack' })), 1, 'spec.ipFamilyPolicy', /must be one of SingleStack, PreferDualStack, RequireDualStack/],
  ['ipFamilies', docs(svc({ ipFamilies: ['IPv5'] })), 1, 'spec.ipFamilies[0]', /"IPv5" must be IPv4 or IPv6/],
  ['SingleStack with two families', docs(svc({ ipFamilies: ['IPv4', 'IPv6'] })), 1, 'spec.ipFamilies', /a SingleStack service has one family/],
  ['port not a mapping', docs(svc({ ports: [80] })), 1, 'spec.ports[0]', /must be a mapping with port and protocol/],
  ['port missing', docs(svc({ ports: [{ name: 'http' }] })), 1, 'spec.ports[0].port', /missing \(1\.\.65535\)/],
  ['port range', docs(svc({ ports: [{ port: 70000 }] })), 1, 'spec.ports[0].port', /1\.\.65535/],
  ['protocol', docs(svc({ ports: [{ port: 80, protocol: 'ICMP' }] })), 1, 'spec.ports[0].protocol', /"ICMP" must be TCP, UDP or SCTP/],
  ['selector value', docs(svc({ selector: { app: 1 } })), 1, 'spec.selector.app', /must be a string \(got 1/],
  ['duplicate service', docs(svc(), svc()), 2, 'metadata.name', /Service "s" is already defined/],
  // EndpointSlice
  ['slice without service', docs(slice([], {})), 1, 'metadata.labels', /missing kubernetes.io\/service-name/],
  ['endpoint not a mapping', docs(slice(['x'])), 1, 'endpoints[0]', /must be a mapping with addresses/],
  ['endpoint ready type', docs(slice([{ conditions: { ready: 'yes' } }])), 1, 'endpoints[0].conditions.ready', /true or false/],
];

for (const [what, input, document, field, message] of CASES) {
  t.test(what, async (t) => {
    const r = parseMetalLbConfig(input);
    t.equal(r.config, undefined, 'rejected');
    const hit = r.errors.find((e) => e.document === document && e.field === field && message.test(e.message));
    if (!hit) t.fail(`document ${document} ${field} ${message}: got ${JSON.stringify(r.errors)}`);
    else t.pass(hit.message);
  });
}

t.test('all errors are collected, across documents', async (t) => {
  const r = parseMetalLbConfig(docs(pool({ addresses: ['x'] }), peer({ myASN: 0, holdTime: '1s' }), bfd({ detectMultiplier: 300 })));
  t.same(
    r.errors.map((e) => `${e.document} ${e.field}`),
    ['1 spec.addresses[0]', '2 spec.myASN', '2 spec.holdTime', '3 spec.detectMultiplier'],
  );
});

const onePeer = (spec: Record<string, unknown>, apiVersion?: string): BgpPeer => loadMetalLbConfig(docs(peer(spec, 'tor1', apiVersion))).config.peers[0]!;

t.test('BGPPeer defaults and derived timers (MetalLB parseTimers)', async (t) => {
  t.match(onePeer({}), { holdTimeSec: 90, keepaliveTimeSec: 30, connectTimeSec: 120, peerPort: 179, addPath: {}, password: undefined, routerID: undefined, dynamicASN: undefined });
  t.match(onePeer({ holdTime: '1m30s' }), { holdTimeSec: 90, keepaliveTimeSec: 30 });
  t.match(onePeer({ holdTime: '9.9s' }), { holdTimeSec: 9, keepaliveTimeSec: 3 });
  t.match(onePeer({ holdTime: '0' }), { holdTimeSec: 0, keepaliveTimeSec: 0 });
  t.match(onePeer({ keepaliveTime: '10s' }), { holdTimeSec: 30, keepaliveTimeSec: 10 });
  t.match(onePeer({ holdTime: '3m', keepaliveTime: '1m' }), { holdTimeSec: 180, keepaliveTimeSec: 60 });
  t.match(onePeer({ connectTime: '5s', peerPort: 1179, routerID: ' 198.18.0.9 ' }), { connectTimeSec: 5, peerPort: 1179, routerID: '198.18.0.9' });
  t.match(onePeer({ peerPort: 0 }, M), { peerPort: 179, apiVersion: M });
  t.match(onePeer({ peerASN: undefined, dynamicASN: 'external', ebgpMultiHop: true }), { peerASN: undefined, dynamicASN: 'external', ebgpMultiHop: true });
  t.match(onePeer({ peerAddress: '2001:DB8::0:1', sourceAddress: '2001:db8::2', enableGracefulRestart: true, dualStackAddressFamily: true }), { peerAddress: '2001:db8::1', enableGracefulRestart: true, dualStackAddressFamily: true });
  t.same(onePeer({ addPath: { 'ipv6-unicast': 'both' } }).addPath, { 'ipv6-unicast': 'both' });
  t.same(onePeer({ nodeSelectors: [{}] }).nodeSelectors, [{ matchLabels: {}, matchExpressions: [] }]);
  t.equal(loadMetalLbConfig(docs(peer({ passwordSecret: { name: 'pw' } }), secret({ data: { password: Buffer.from('s3cret').toString('base64') } }))).config.peers[0]!.password, 's3cret');
  t.equal(loadMetalLbConfig(docs(secret({ stringData: { password: 'plain' } }), peer({ passwordSecret: { name: 'pw' } }))).config.peers[0]!.password, 'plain');
  t.equal(loadMetalLbConfig(docs(peer(), peer({ nodeSelectors: [{ matchLabels: { a: 'b' } }] }, 'tor2'))).config.peers.length, 2, 'same address on other nodes');
});

t.test('BGPAdvertisement defaults and pool selection', async (t) => {
  const { config } = loadMetalLbConfig(
    docs(
      pool({}, 'p', { tier: 'prod' }),
      pool({ addresses: ['2001:db8::/64'] }, 'q'),
      adv({}, 'all'),
      adv({ ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['prod'] }] }], localPref: 0, communities: ['no-export'] }, 'sel'),
      { apiVersion: M, kind: 'BGPAdvertisement', metadata: { name: 'nospec' } },
    ),
  );
  const [all, nospec, sel] = config.advertisements;
  t.match(all, { name: 'all', aggregationLength: 32, aggregationLengthV6: 128, localPref: undefined, pools: ['p', 'q'], communities: [], asPrepend: undefined });
  t.same(nospec!.pools, ['p', 'q']);
  t.same(sel!.pools, ['p']);
  t.equal(sel!.localPref, undefined, 'localPref 0 means unset');
  t.same(sel!.communities, [{ kind: 'standard', value: 'NO_EXPORT' }]);
});

t.test('Service defaults, families, annotations, status', async (t) => {
  const { config } = loadMetalLbConfig(
    docs(
      svc({}, 'a'),
      svc({ ipFamilyPolicy: 'PreferDualStack' }, 'b'),
      svc({ clusterIPs: ['10.96.0.1', 'fd00::1', 'junk'], ipFamilyPolicy: 'RequireDualStack' }, 'c'),
      svc({ ports: [{ port: 53, protocol: 'UDP' }], loadBalancerClass: 'x' }, 'd', { metadata: { name: 'd', namespace: 'ns', annotations: { 'metallb.io/address-pool': 'new', 'metallb.universe.tf/address-pool': 'old', 'metallb.io/allow-shared-ip': 'k' } }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'x' }, 'junk'] } } }),
      svc({ type: undefined }, 'e'),
    ),
  );
  const [a, b, c, e, d] = config.services;
  t.match(a, { key: 'default/a', externalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: [4], ports: [], selector: {}, statusIPs: [] });
  t.same(b!.ipFamilies, [4, 6]);
  t.same(c!.ipFamilies, [4, 6]);
  t.match(d, { key: 'ns/d', addressPool: 'new', sharingKey: 'k', loadBalancerClass: 'x', statusIPs: ['203.0.113.9'], ports: [{ protocol: 'UDP', port: 53 }] });
  t.equal(e!.type, 'ClusterIP');
});

t.test('EndpointSlice: readiness defaults to true, topology hostname is a fallback', async (t) => {
  const { config } = loadMetalLbConfig(docs(slice([{ addresses: ['10.0.0.1'], topology: { 'kubernetes.io/hostname': 'n1' } }, { addresses: ['10.0.0.2'], nodeName: 'n2', conditions: {} }, {}])));
  t.same(config.endpointSlices[0], { namespace: 'default', name: 'e', serviceName: 's', endpoints: [{ nodeName: 'n1', ready: true, addresses: ['10.0.0.1'] }, { nodeName: 'n2', ready: true, addresses: ['10.0.0.2'] }, { nodeName: undefined, ready: true, addresses: [] }] });
});

t.test('LOCAL_PREF conflicts only where advertisements meet: same pool, aggregation, peers and nodes', async (t) => {
  const node = (name: string, rack: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { rack } } });
  const r1 = [{ matchLabels: { rack: 'r1' } }];
  const r2 = [{ matchLabels: { rack: 'r2' } }];
  const two = (s1: Record<string, unknown>, s2: Record<string, unknown>, ...more: unknown[]) => parseMetalLbConfig(docs(pool({ addresses: ['203.0.113.0/24', '2001:db8::/64'] }), peer(), peer({ peerAddress: '198.18.0.2' }, 'tor2'), adv({ localPref: 100, ...s1 }, 'a'), adv({ localPref: 200, ...s2 }, 'b'), ...more)).errors;
  t.same(two({ nodeSelectors: r1 }, { nodeSelectors: r2 }, node('n1', 'r1'), node('n2', 'r2')), [], 'disjoint nodes');
  t.match(two({ nodeSelectors: r1 }, { nodeSelectors: r1 }, node('n1', 'r1')), [{ field: 'spec.localPref' }], 'same nodes');
  t.same(two({ nodeSelectors: r1 }, { nodeSelectors: r2 }), [], 'no Nodes known: different selectors');
  t.match(two({ nodeSelectors: r1 }, { nodeSelectors: r1 }), [{ field: 'spec.localPref' }], 'no Nodes known: same selectors');
  t.same(two({ peers: ['tor1'] }, { peers: ['tor2'] }), [], 'disjoint peers');
  t.same(two({ aggregationLength: 24, aggregationLengthV6: 64 }, {}), [], 'other aggregation in both families');
  t.match(two({ aggregationLength: 24 }, {}), [{ field: 'spec.localPref' }], 'same IPv6 aggregation');
  t.same(two({ serviceSelectors: [{ matchLabels: { a: 'b' } }] }, {}), [], 'serviceSelectors are not checked');
});

t.test('resources without spec take every default', async (t) => {
  const { config } = loadMetalLbConfig(docs({ apiVersion: M, kind: 'BFDProfile', metadata: { name: 'b' } }, { apiVersion: M, kind: 'Community', metadata: { name: 'c' } }, secret({ stringData: {}, data: { password: 'cHc=' } }), peer({ passwordSecret: { name: 'pw' } })));
  t.match(config.bfdProfiles[0], { receiveInterval: 300, detectMultiplier: 3, minimumTtl: 254 });
  t.equal(config.peers[0]!.password, 'pw');
});
