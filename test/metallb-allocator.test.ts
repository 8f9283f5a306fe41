/**
 * metallb/allocator: Service IPs by MetalLB's rules: requested IP, pool annotation, autoAssign
 * false pools only on request, avoidBuggyIPs, sharing with allow-shared-ip and port clashes,
 * IPv4 / IPv6 / dual stack, exhausted pools, stability across restarts and reloads.
 */
import t from 'tap';
import { stringify } from 'yaml';
import { type MetalLbConfig, allocateServiceIps, loadMetalLbConfig } from '../src/metallb/index.js';

const M = 'metallb.io/v1beta1';
const docs = (...objs: unknown[]): string => objs.map((o) => stringify(o)).join('---\n');
const pool = (name: string, addresses: string[], spec: Record<string, unknown> = {}) => ({ apiVersion: M, kind: 'IPAddressPool', metadata: { name }, spec: { addresses, ...spec } });
const svc = (name: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, annotations },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }], ...spec },
  ...extra,
});
const load = (...objs: unknown[]): MetalLbConfig => loadMetalLbConfig(docs(...objs)).config;
const ips = (c: MetalLbConfig, options = {}): Record<string, string> => {
  const a = allocateServiceIps(c, options);
  const out: Record<string, string> = {};
  for (const [k, v] of a.assigned) out[k] = `${v.pool} ${v.ips.join(',')}`;
  for (const f of a.failures) out[f.service] = `FAIL ${f.reason}`;
  return out;
};

t.test('lowest free address, services in namespace/name order; non-LoadBalancer services ignored', async (t) => {
  const c = load(pool('p', ['203.0.113.10-203.0.113.20']), svc('b'), svc('a'), svc('c', { type: 'ClusterIP' }), { ...svc('z'), metadata: { name: 'z', namespace: 'aaa' } });
  t.same(ips(c), { 'aaa/z': 'p 203.0.113.10', 'default/a': 'p 203.0.113.11', 'default/b': 'p 203.0.113.12' });
});

t.test('requested IP first (annotation or spec.loadBalancerIP), also from an autoAssign: false pool', async (t) => {
  const c = load(
    pool('auto', ['203.0.113.0/30']),
    pool('manual', ['203.0.113.64/30'], { autoAssign: false }),
    svc('a'),
    svc('b', { loadBalancerIP: '203.0.113.0' }),
    svc('c', {}, { 'metallb.universe.tf/loadBalancerIPs': '203.0.113.65' }),
  );
  t.same(ips(c), { 'default/a': 'auto 203.0.113.1', 'default/b': 'auto 203.0.113.0', 'default/c': 'manual 203.0.113.65' });
});

t.test('requested IP failures, as MetalLB reports them', async (t) => {
  const c = load(
    pool('p', ['203.0.113.0/29']),
    pool('q', ['2001:db8::/125']),
    svc('both', { loadBalancerIP: '203.0.113.1' }, { 'metallb.io/loadBalancerIPs': '203.0.113.1' }),
    svc('bad', {}, { 'metallb.io/loadBalancerIPs': '203.0.113.999' }),
    svc('badspec', { loadBalancerIP: 'x' }),
    svc('outside', { loadBalancerIP: '198.51.100.1' }),
    svc('family', { loadBalancerIP: '2001:db8::1' }),
    svc('twov4', { ipFamilyPolicy: 'RequireDualStack' }, { 'metallb.io/loadBalancerIPs': '203.0.113.1,203.0.113.2' }),
    svc('split', { ipFamilyPolicy: 'RequireDualStack' }, { 'metallb.io/loadBalancerIPs': '203.0.113.1, 2001:db8::1' }),
    svc('wrongpool', { loadBalancerIP: '203.0.113.3' }, { 'metallb.io/address-pool': 'q' }),
    svc('taken1', { loadBalancerIP: '203.0.113.4' }),
    svc('taken2', { loadBalancerIP: '203.0.113.4' }),
  );
  const r = ips(c);
  t.match(r['default/both'], /FAIL service can not have both metallb.io\/loadBalancerIPs and spec.loadBalancerIP/);
  t.match(r['default/bad'], /FAIL invalid metallb.io\/loadBalancerIPs: "203.0.113.999"/);
  t.match(r['default/badspec'], /FAIL invalid spec.loadBalancerIP: "x"/);
  t.match(r['default/outside'], /FAIL requested IP 198.51.100.1 is not in any IPAddressPool/);
  t.match(r['default/family'], /FAIL requested loadBalancer IP\(s\) "2001:db8::1" do not match the IP families of the service \(SingleStack IPv4\)/);
  t.match(r['default/twov4'], /FAIL .*at most one address per family/);
  t.match(r['default/split'], /FAIL requested IPs are in different pools \(p, q\)/);
  t.match(r['default/wrongpool'], /FAIL requested IP 203.0.113.3 not compatible with requested address pool q/);
  t.equal(r['default/taken1'], 'p 203.0.113.4');
  t.match(r['default/taken2'], /FAIL 203.0.113.4 is used by default\/taken1, which does not allow sharing/);
});

t.test('address-pool annotation picks the pool, autoAssign false included; unknown pool', async (t) => {
  const c = load(
    pool('a', ['203.0.113.0/30']),
    pool('b', ['203.0.113.8/30'], { autoAssign: false }),
    svc('x', {}, { 'metallb.io/address-pool': 'b' }),
    svc('y', {}, { 'metallb.universe.tf/address-pool': 'nope' }),
    svc('z', { loadBalancerIP: '203.0.113.9' }, { 'metallb.io/address-pool': 'b' }),
  );
  t.same(ips(c), { 'default/x': 'b 203.0.113.8', 'default/z': 'b 203.0.113.9', 'default/y': 'FAIL unknown pool "nope" (metallb.io/address-pool)' });
});

t.test('autoAssign false pools only on request; no autoAssign pool at all', async (t) => {
  t.same(ips(load(pool('m', ['203.0.113.0/30'], { autoAssign: false }), svc('a'))), { 'default/a': 'FAIL no IPAddressPool with autoAssign' });
});

t.test('avoidBuggyIPs skips .0 and .255, for allocation and requests', async (t) => {
  const c = load(pool('p', ['203.0.113.254-203.0.114.1'], { avoidBuggyIPs: true }), svc('a'), svc('b'), svc('c'), svc('d', { loadBalancerIP: '203.0.114.0' }));
  t.same(ips(c), {
    'default/a': 'p 203.0.113.254',
    'default/b': 'p 203.0.114.1',
    'default/c': 'FAIL no available IPv4 IPs in the autoAssign pools (p)',
    'default/d': 'FAIL requested IP 203.0.114.0 is not in any IPAddressPool',
  });
  t.same(ips(load(pool('p', ['203.0.113.255/32']), svc('a'))), { 'default/a': 'p 203.0.113.255' }, 'allowed without avoidBuggyIPs');
});

t.test('sharing: same key and no port clash share; otherwise the next address', async (t) => {
  const shared = { 'metallb.io/allow-shared-ip': 'k' };
  const c = load(
    pool('p', ['203.0.113.0/29']),
    svc('dns-tcp', { ports: [{ port: 53, protocol: 'TCP' }] }, shared),
    svc('dns-udp', { ports: [{ port: 53, protocol: 'UDP' }] }, shared),
    svc('dns-udp2', { ports: [{ port: 53, protocol: 'UDP' }] }, shared),
    svc('other-key', { ports: [{ port: 99 }] }, { 'metallb.io/allow-shared-ip': 'j' }),
    svc('plain', { ports: [{ port: 98 }] }),
    svc('req-clash', { ports: [{ port: 53, protocol: 'UDP' }], loadBalancerIP: '203.0.113.0' }, shared),
    svc('req-key', { ports: [{ port: 7 }], loadBalancerIP: '203.0.113.0' }, { 'metallb.io/allow-shared-ip': 'j' }),
    svc('req-nokey', { ports: [{ port: 8 }], loadBalancerIP: '203.0.113.0' }),
    svc('local-a', { externalTrafficPolicy: 'Local', selector: { app: 'a' }, ports: [{ port: 1 }] }, { 'metallb.io/allow-shared-ip': 'L' }),
    svc('local-b', { externalTrafficPolicy: 'Local', selector: { app: 'b' }, ports: [{ port: 2 }] }, { 'metallb.io/allow-shared-ip': 'L' }),
    svc('local-c', { externalTrafficPolicy: 'Local', selector: { app: 'a' }, ports: [{ port: 3 }] }, { 'metallb.io/allow-shared-ip': 'L' }),
    svc('noports', { ports: [] }, shared),
  );
  const r = ips(c);
  // requested services go first: req-clash gets 203.0.113.0 and its UDP/53
  t.match(r, {
    'default/req-clash': 'p 203.0.113.0',
    'default/req-key': /FAIL 203.0.113.0 is used by default\/req-clash with sharing key "k", not "j"/,
    'default/req-nokey': /FAIL 203.0.113.0 is used by default\/req-clash; this service does not allow sharing/,
    'default/dns-tcp': 'p 203.0.113.0',
    'default/dns-udp': 'p 203.0.113.1',
    'default/dns-udp2': 'p 203.0.113.2',
    'default/local-a': 'p 203.0.113.3',
    'default/local-b': 'p 203.0.113.4',
    'default/local-c': 'p 203.0.113.3',
    'default/noports': 'p 203.0.113.0',
    'default/other-key': 'p 203.0.113.5',
    'default/plain': 'p 203.0.113.6',
  });
  const c2 = load(pool('p', ['203.0.113.0/32']), svc('a', { externalTrafficPolicy: 'Local', selector: { app: 'a' } }, shared), svc('b', { externalTrafficPolicy: 'Local', selector: { app: 'b' }, loadBalancerIP: '203.0.113.0', ports: [{ port: 81 }] }, shared));
  t.match(ips(c2), { 'default/b': 'p 203.0.113.0', 'default/a': /FAIL no available/ });
  const c3 = load(pool('p', ['203.0.113.0/32']), svc('a', { loadBalancerIP: '203.0.113.0' }, shared), svc('b', { loadBalancerIP: '203.0.113.0', externalTrafficPolicy: 'Local', selector: { x: 'y' }, ports: [{ port: 81 }] }, shared));
  t.match(ips(c3), { 'default/b': /FAIL 203.0.113.0 is used by default\/a with externalTrafficPolicy Local and another selector/ });
  const c4 = load(pool('p', ['203.0.113.0/32']), svc('a', { loadBalancerIP: '203.0.113.0' }, shared), svc('b', { loadBalancerIP: '203.0.113.0' }, shared));
  t.match(ips(c4), { 'default/b': /FAIL port TCP\/80 of 203.0.113.0 is already used by default\/a/ });
});

t.test('IPv6, dual stack, PreferDualStack fallback, RequireDualStack failure', async (t) => {
  const c = load(
    pool('a-v4', ['203.0.113.0/30']),
    pool('b-dual', ['203.0.113.8/30', '2001:db8::/126']),
    svc('v6', { ipFamilies: ['IPv6'] }),
    svc('dual', { ipFamilyPolicy: 'RequireDualStack' }),
    svc('prefer', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6', 'IPv4'] }),
    svc('req-dual', { ipFamilyPolicy: 'RequireDualStack' }, { 'metallb.io/loadBalancerIPs': '2001:db8::3,203.0.113.11' }),
    svc('req-prefer', { ipFamilyPolicy: 'PreferDualStack' }, { 'metallb.io/loadBalancerIPs': '203.0.113.3' }),
  );
  t.same(ips(c), {
    'default/dual': 'b-dual 203.0.113.8,2001:db8::',
    'default/prefer': 'b-dual 203.0.113.9,2001:db8::1',
    'default/req-dual': 'b-dual 203.0.113.11,2001:db8::3',
    'default/req-prefer': 'a-v4 203.0.113.3',
    'default/v6': 'b-dual 2001:db8::2',
  });
  const c2 = load(pool('v4', ['203.0.113.0/30']), pool('v6', ['2001:db8::/127']), svc('p', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6'] }), svc('q', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6'] }), svc('r', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv6'] }), svc('s', { ipFamilyPolicy: 'RequireDualStack' }));
  t.same(ips(c2), {
    'default/p': 'v6 2001:db8::',
    'default/q': 'v6 2001:db8::1',
    'default/r': 'v4 203.0.113.0',
    'default/s': 'FAIL no available IPv4 + IPv6 IPs in the autoAssign pools (v4, v6)',
  });
});

t.test('exhausted pool, named in the reason', async (t) => {
  const c = load(pool('p', ['203.0.113.0/31'], { autoAssign: false }), svc('a', {}, { 'metallb.io/address-pool': 'p' }), svc('b', {}, { 'metallb.io/address-pool': 'p' }), svc('c', {}, { 'metallb.io/address-pool': 'p' }));
  t.same(ips(c)['default/c'], 'FAIL no available IPv4 IPs in pool "p"');
});

t.test('loadBalancerClass: services of another class are not ours', async (t) => {
  const c = load(pool('p', ['203.0.113.0/30']), svc('a', { loadBalancerClass: 'other' }), svc('b'));
  t.same(ips(c), { 'default/b': 'p 203.0.113.0' });
  t.same(ips(c, { loadBalancerClass: 'other' }), { 'default/a': 'p 203.0.113.0' });
});

t.test('stable: same input, same result; held IPs (status or previous) are kept', async (t) => {
  const objs = [pool('p', ['203.0.113.0/29']), svc('b'), svc('c'), svc('a')];
  t.same(ips(load(...objs)), ips(load(...[...objs].reverse())), 'document order does not matter');
  const first = allocateServiceIps(load(...objs));
  // a new service that sorts first does not move the others when the last result is passed in
  const later = load(...objs, svc('0-new'));
  const previous = new Map([...first.assigned].map(([k, v]) => [k, v.ips]));
  t.same(ips(later, { previous }), { 'default/0-new': 'p 203.0.113.3', 'default/a': 'p 203.0.113.0', 'default/b': 'p 203.0.113.1', 'default/c': 'p 203.0.113.2' });
  t.same(ips(later)['default/0-new'], 'p 203.0.113.0', 'without it, name order decides');
  // status.loadBalancer.ingress is what a restart reads back
  const withStatus = load(pool('p', ['203.0.113.0/29']), svc('a', {}, {}, { status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } } }), svc('b'));
  t.same(ips(withStatus), { 'default/a': 'p 203.0.113.5', 'default/b': 'p 203.0.113.0' });
});

t.test('held IPs that no longer fit are dropped and allocated anew', async (t) => {
  const held = (ip: string) => ({ status: { loadBalancer: { ingress: [{ ip }] } } });
  const c = load(
    pool('p', ['203.0.113.0/29']),
    pool('q', ['203.0.113.8/29'], { autoAssign: false }),
    svc('gone', {}, {}, held('198.51.100.1')),
    svc('junk', {}, {}, held('not-an-ip')),
    svc('moved', { loadBalancerIP: '203.0.113.3' }, {}, held('203.0.113.2')),
    svc('badreq', { loadBalancerIP: 'x' }, {}, held('203.0.113.4')),
    svc('family', { ipFamilies: ['IPv6'] }, {}, held('203.0.113.5')),
    svc('pool', {}, { 'metallb.io/address-pool': 'q' }, held('203.0.113.6')),
    svc('same', { loadBalancerIP: '203.0.113.7' }, {}, held('203.0.113.7')),
  );
  t.same(ips(c), {
    'default/gone': 'p 203.0.113.0',
    'default/junk': 'p 203.0.113.1',
    'default/moved': 'p 203.0.113.3',
    'default/same': 'p 203.0.113.7',
    'default/pool': 'q 203.0.113.8',
    'default/badreq': 'FAIL invalid spec.loadBalancerIP: "x"',
    'default/family': 'FAIL no available IPv6 IPs in the autoAssign pools (p)',
  });
});

t.test('many services fill the pool in order (the search resumes where the used addresses end); sharing still finds the lowest shared IP', async (t) => {
  const names = Array.from({ length: 600 }, (_, i) => `s${String(i).padStart(3, '0')}`);
  const shared = (name: string, port: number) => svc(name, { ports: [{ port }] }, { 'metallb.universe.tf/allow-shared-ip': 'k' });
  const c = load(pool('p', ['198.18.4.0/23', '198.18.8.0/30'], { avoidBuggyIPs: true }), shared('a-first', 80), ...names.map((n) => svc(n)), shared('zz-later', 81), svc('zzz-last'));
  const got = ips(c);
  // expected: every address of the /23 in order without .0 and .255, then the /30
  const expected: string[] = [];
  for (let third = 4; third <= 5; third++) for (let last = 1; last <= 254; last++) expected.push(`198.18.${third}.${last}`);
  expected.push('198.18.8.1', '198.18.8.2', '198.18.8.3');
  t.equal(got['default/a-first'], 'p 198.18.4.1');
  t.same(names.slice(0, 510).map((n) => got[`default/${n}`]), expected.slice(1, 511).map((ip) => `p ${ip}`), 'in order, buggy IPs skipped, into the second range');
  t.match(got['default/s510'], /^FAIL /, 'the pool is exhausted after 511 addresses');
  t.equal(got['default/zz-later'], 'p 198.18.4.1', 'the sharing service joins a-first at the lowest address');
  t.match(got['default/zzz-last'], /^FAIL /);
});
