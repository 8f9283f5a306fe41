/**
 * metallb/peer-session: each BGPPeer field as the node's session settings (AS numbers, dynamic
 * ASN, router ID and source address precedence, timers, password, eBGP multihop, graceful
 * restart, families, ADD-PATH, BFD profile), the session key, and the per-family filter.
 */
import t from 'tap';
import { type MetalLbConfig, type PeerSessionSpec, forFamilies, loadMetalLbConfig, peerSessionSpec } from '../src/metallb/index.js';
import type { ConfigIssue } from '../src/metallb/errors.js';

function config(peerSpec: string, extra = ''): MetalLbConfig {
  return loadMetalLbConfig(`apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: p, namespace: metallb-system }
spec:
${peerSpec
  .trim()
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: slow, namespace: metallb-system }
spec: { receiveInterval: 1000, transmitInterval: 900, detectMultiplier: 5, passiveMode: true }
${extra}`).config;
}

const spec = (peerSpec: string, node: { nodeAddress?: string; routerId?: string } = { nodeAddress: '198.18.0.21' }): PeerSessionSpec => {
  const c = config(peerSpec);
  const s = peerSessionSpec(c.peers[0]!, c, node);
  if (Array.isArray(s)) throw new Error(JSON.stringify(s));
  return s;
};

t.test('the seed peer: AS numbers, node address as source and router ID, MetalLB default timers, one family', async (t) => {
  const s = spec('myASN: 65100\npeerASN: 65000\npeerAddress: 198.18.0.1');
  t.same(s.config, {
    name: 'p',
    localAsn: 65100,
    routerId: '198.18.0.21',
    peerAddress: '198.18.0.1',
    peerPort: 179,
    peerAsn: 65000,
    localAddress: '198.18.0.21',
    holdTimeSec: 90,
    keepaliveTimeSec: 30,
    connectRetryTimeSec: 120,
    families: ['ipv4-unicast'],
    activeOnly: true,
  });
  t.equal(s.bfd, undefined);
  t.same(s.families, ['ipv4-unicast']);
});

t.test('every optional field', async (t) => {
  const s = spec(
    `myASN: 4200000001
peerASN: 65000
peerAddress: 198.18.0.1
peerPort: 1790
sourceAddress: 198.18.0.99
routerID: 10.0.0.1
holdTime: 9s
keepaliveTime: 3s
connectTime: 5s
password: s3cret
ebgpMultiHop: true
enableGracefulRestart: true
dualStackAddressFamily: true
bfdProfile: slow
addPath: { ipv4-unicast: send, ipv6-unicast: both }`,
  );
  t.match(s.config, {
    localAsn: 4200000001,
    routerId: '10.0.0.1',
    peerPort: 1790,
    localAddress: '198.18.0.99',
    holdTimeSec: 9,
    keepaliveTimeSec: 3,
    connectRetryTimeSec: 5,
    password: 's3cret',
    ttl: 255,
    gracefulRestart: { restartTimeSec: 120, forwardingState: true },
    families: ['ipv4-unicast', 'ipv6-unicast'],
    addPath: { 'ipv4-unicast': 'send', 'ipv6-unicast': 'both' },
  });
  t.same(s.bfd, { profileName: 'slow', multihop: true, profile: { receiveInterval: 1000, transmitInterval: 900, detectMultiplier: 5, echoInterval: 50, echoMode: false, passiveMode: true, minimumTtl: 254 } });
  t.not(s.key, spec('myASN: 4200000001\npeerASN: 65000\npeerAddress: 198.18.0.1').key);
  // ADD-PATH only for the session's families
  t.same(spec('myASN: 65100\npeerASN: 65000\npeerAddress: 198.18.0.1\naddPath: both').config.addPath, { 'ipv4-unicast': 'both' });
});

t.test('dynamic ASN; IPv6 peers; router ID and source precedence; the issues', async (t) => {
  t.equal(spec('myASN: 65100\ndynamicASN: internal\npeerAddress: 198.18.0.1').config.peerAsn, 65100);
  const ext = spec('myASN: 65100\ndynamicASN: external\npeerAddress: 198.18.0.1').config;
  t.same([ext.peerAsn, ext.peerAsnRange], [undefined, [1, 0xffffffff]]);
  const v6 = spec('myASN: 65100\npeerASN: 65000\npeerAddress: "2001:db8::1"');
  t.same([v6.families, v6.config.localAddress, v6.config.routerId], [['ipv6-unicast'], undefined, '198.18.0.21'], 'an IPv4 node address is no source for an IPv6 peer, but is the router ID');
  const v6node = spec('myASN: 65100\npeerASN: 65000\npeerAddress: "2001:db8::1"', { nodeAddress: '2001:db8::21', routerId: '198.18.0.21' }).config;
  t.same([v6node.localAddress, v6node.routerId], ['2001:db8::21', '198.18.0.21']);
  t.equal(spec('myASN: 65100\npeerASN: 65000\npeerAddress: 198.18.0.1\nsourceAddress: 198.18.0.50', {}).config.routerId, '198.18.0.50', 'an IPv4 source address as the last resort');
  const c = config('myASN: 65100\npeerASN: 65000\npeerAddress: "2001:db8::1"');
  const issues = peerSessionSpec(c.peers[0]!, { ...c, bfdProfiles: [] }, { nodeAddress: '2001:db8::21' }) as ConfigIssue[];
  t.match(issues, [{ kind: 'BGPPeer', name: 'p', field: 'spec.routerID', message: /--router-id/ }]);
  const noProfile = peerSessionSpec({ ...c.peers[0]!, bfdProfile: 'gone' }, { ...c, bfdProfiles: [] }, { routerId: '1.1.1.1' }) as ConfigIssue[];
  t.match(noProfile, [{ field: 'spec.bfdProfile', message: /"gone" does not exist/ }]);
});

t.test('forFamilies', async (t) => {
  const advs = [{ prefix: '203.0.113.5/32' }, { prefix: '2001:db8:5::1/128' }];
  t.same(forFamilies(advs, ['ipv4-unicast']), [advs[0]]);
  t.same(forFamilies(advs, ['ipv6-unicast']), [advs[1]]);
  t.same(forFamilies(advs, ['ipv4-unicast', 'ipv6-unicast']), advs);
});
