/**
 * advertisement.ts: validation of what an embedder announces (errors name the field), and the
 * attributes sent to one peer: LOCAL_PREF only on iBGP (RFC 4271 s5.1.5), our AS and prepends on
 * eBGP, AS_TRANS + AS4_PATH towards a peer without 4-octet AS (RFC 6793 s4.2.2), next-hop self,
 * canonical attribute order.
 */
import t from 'tap';
import { AS_TRANS } from '../src/bgp/iana/asn.js';
import { WellKnownCommunity } from '../src/bgp/iana/community.js';
import { findAttribute, attributeTypeCode } from '../src/bgp/codec/attributes/path-attribute.js';
import { type Advertisement, type PeerView, attributesFor, normalizeAdvertisement } from '../src/rib/advertisement.js';

const EBGP: PeerView = { localAsn: 65000, external: true, fourOctetAs: true, nextHopSelf4: '192.0.2.1', nextHopSelf6: '2001:db8::1' };
const IBGP: PeerView = { ...EBGP, external: false };
const attrs = (a: Advertisement, v: PeerView = EBGP, extra?: number[]) => attributesFor(normalizeAdvertisement(a), v, extra);
const types = (a: Advertisement, v: PeerView = EBGP) => attrs(a, v).map((x) => x.type);

t.test('validation: each bad field is named', async (t) => {
  const bad: [string, string, Record<string, unknown>][] = [
    ['ERR_RIB_BAD_ADVERTISEMENT', 'prefix', { prefix: 5 }],
    ['ERR_BGP_BAD_PREFIX', '', { prefix: '192.0.2.1/24' }],
    ['ERR_BGP_BAD_PREFIX', '', { prefix: '2001:db8::1/32' }],
    ['ERR_BGP_BAD_PREFIX', '', { prefix: '192.0.2.0' }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'pathId', { pathId: -1 }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'pathId', { pathId: 2 ** 32 }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'nextHop', { nextHop: 'router' }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'nextHop', { nextHop: '2001:db8::1' }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'nextHopLinkLocal', { nextHopLinkLocal: 'fe80::1' }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'nextHopLinkLocal', { prefix: '2001:db8::/32', nextHopLinkLocal: '2001:db8::1' }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'origin', { origin: 'bgp' }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'asPathPrepend.count', { asPathPrepend: { count: 65 } }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'asPathPrepend.asn', { asPathPrepend: { count: 1, asn: 0 } }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'med', { med: 1.5 }],
    ['ERR_RIB_BAD_ADVERTISEMENT', 'localPref', { localPref: -1 }],
    ['ERR_BGP_BAD_COMMUNITY', '', { communities: ['65536:1'] }],
  ];
  for (const [code, field, over] of bad) {
    const a = { prefix: '192.0.2.0/24', ...over } as Advertisement;
    let err: { code?: string; message?: string } | undefined;
    try {
      normalizeAdvertisement(a);
    } catch (e) {
      err = e as { code?: string; message?: string };
    }
    t.equal(err?.code, code, `${JSON.stringify(over)}: ${code}`);
    if (field !== '') t.ok(err?.message?.startsWith(`${field}: `), `names ${field} (${err?.message})`);
  }
  t.throws(() => normalizeAdvertisement(null as unknown as Advertisement), { code: 'ERR_RIB_BAD_ADVERTISEMENT' });
});

t.test('normalization: canonical prefix text, deduplicated sorted communities, attribute identity', async (t) => {
  const n = normalizeAdvertisement({ prefix: '2001:DB8:0::/32', communities: ['65000:2', '65000:1', '65000:2', 'NO_EXPORT'], largeCommunities: ['65000:1:2', '65000:1:2'] });
  t.equal(n.prefixText, '2001:db8::/32');
  t.equal(n.afi, 2);
  t.same(n.communities, [0xfde80001, 0xfde80002, WellKnownCommunity.NO_EXPORT]);
  t.same(n.largeCommunities, [[65000, 1, 2]]);
  t.equal(n.key, '2001:db8::/32@self', 'without a path id a path is its prefix and next hop');
  t.ok(Object.isFrozen(n));
  const same = normalizeAdvertisement({ prefix: '10.0.0.0/8', communities: ['65000:1', '65000:2'] });
  const reordered = normalizeAdvertisement({ prefix: '172.16.0.0/12', communities: ['65000:2', '65000:1'] });
  t.equal(same.attributeKey, reordered.attributeKey, 'the same attributes: one identity (packed together)');
  t.not(same.attributeKey, normalizeAdvertisement({ prefix: '10.0.0.0/8', med: 1 }).attributeKey);
  t.equal(normalizeAdvertisement({ prefix: '0.0.0.0/0' }).prefixText, '0.0.0.0/0');
});

t.test('LOCAL_PREF only towards iBGP; our AS only towards eBGP', async (t) => {
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24', localPref: 300 }), 'LOCAL_PREF'), undefined, 'eBGP: none, even when set');
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24' }, IBGP), 'LOCAL_PREF')?.localPref, 100, 'iBGP: 100 by default');
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24', localPref: 300 }, IBGP), 'LOCAL_PREF')?.localPref, 300);
  t.same(findAttribute(attrs({ prefix: '192.0.2.0/24' }), 'AS_PATH')?.segments, [{ type: 2, asns: [65000] }]);
  t.same(findAttribute(attrs({ prefix: '192.0.2.0/24' }, IBGP), 'AS_PATH')?.segments, [], 'iBGP: empty AS_PATH');
});

t.test('AS path prepending', async (t) => {
  t.same(findAttribute(attrs({ prefix: '192.0.2.0/24', asPathPrepend: { count: 3 } }), 'AS_PATH')?.segments, [{ type: 2, asns: [65000, 65000, 65000, 65000] }], 'eBGP: ours + 3');
  t.same(findAttribute(attrs({ prefix: '192.0.2.0/24', asPathPrepend: { count: 2, asn: 64999 } }), 'AS_PATH')?.segments, [{ type: 2, asns: [65000, 64999, 64999] }]);
  t.same(findAttribute(attrs({ prefix: '192.0.2.0/24', asPathPrepend: { count: 2 } }, IBGP), 'AS_PATH')?.segments, [{ type: 2, asns: [65000, 65000] }], 'iBGP: the prepends only');
  t.same(findAttribute(attrs({ prefix: '192.0.2.0/24', asPathPrepend: { count: 0 } }), 'AS_PATH')?.segments, [{ type: 2, asns: [65000] }]);
});

t.test('AS_TRANS and AS4_PATH towards a peer without 4-octet AS (RFC 6793 s4.2.2)', async (t) => {
  const old: PeerView = { ...EBGP, localAsn: 4200000001, fourOctetAs: false };
  const a = attrs({ prefix: '192.0.2.0/24', asPathPrepend: { count: 1, asn: 65010 } }, old);
  t.same(findAttribute(a, 'AS_PATH')?.segments, [{ type: 2, asns: [AS_TRANS, 65010] }], 'AS_PATH: AS_TRANS for the 4-octet ASN, 2-octet ones kept');
  t.same(findAttribute(a, 'AS4_PATH')?.segments, [{ type: 2, asns: [4200000001, 65010] }], 'AS4_PATH: the real path');
  const small = attrs({ prefix: '192.0.2.0/24' }, { ...EBGP, fourOctetAs: false });
  t.equal(findAttribute(small, 'AS4_PATH'), undefined, 'only 2-octet ASNs: no AS4_PATH');
  const newPeer = attrs({ prefix: '192.0.2.0/24' }, { ...EBGP, localAsn: 4200000001 });
  t.same(findAttribute(newPeer, 'AS_PATH')?.segments, [{ type: 2, asns: [4200000001] }]);
  t.equal(findAttribute(newPeer, 'AS4_PATH'), undefined, 'a 4-octet peer gets no AS4_PATH');
  const prependOnly = attrs({ prefix: '192.0.2.0/24', asPathPrepend: { count: 1, asn: 4200000002 } }, { ...IBGP, fourOctetAs: false });
  t.same(findAttribute(prependOnly, 'AS_PATH')?.segments, [{ type: 2, asns: [AS_TRANS] }]);
  t.same(findAttribute(prependOnly, 'AS4_PATH')?.segments, [{ type: 2, asns: [4200000002] }]);
});

t.test('next hop, MED, communities, order', async (t) => {
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24' }), 'NEXT_HOP')?.nextHop, '192.0.2.1', 'next-hop self');
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24', nextHop: '192.0.2.77' }), 'NEXT_HOP')?.nextHop, '192.0.2.77');
  const v6 = attrs({ prefix: '2001:db8::/32', nextHopLinkLocal: 'fe80::7' });
  t.equal(findAttribute(v6, 'NEXT_HOP'), undefined, 'IPv6: no NEXT_HOP attribute');
  const mp = findAttribute(v6, 'MP_REACH_NLRI');
  t.same(mp !== undefined && 'nextHop' in mp ? mp.nextHop : undefined, ['2001:db8::1', 'fe80::7'], 'global then link-local');
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24', med: 0 }), 'MULTI_EXIT_DISC')?.med, 0, 'MED 0 is sent');
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24' }), 'MULTI_EXIT_DISC'), undefined);
  t.same(findAttribute(attrs({ prefix: '192.0.2.0/24', communities: ['65000:1'] }, EBGP, [WellKnownCommunity.GRACEFUL_SHUTDOWN, 0xfde80001]), 'COMMUNITIES')?.communities, [0xfde80001, WellKnownCommunity.GRACEFUL_SHUTDOWN], 'extra communities merged, deduplicated, sorted');
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24' }), 'COMMUNITIES'), undefined);
  const all = attrs({ prefix: '2001:db8::/32', med: 5, communities: ['65000:1'], largeCommunities: ['65000:1:1'] }, { ...IBGP, localAsn: 4200000001, fourOctetAs: false });
  const codes = all.map((a) => attributeTypeCode(a));
  t.same(codes, [...codes].sort((x, y) => x - y), 'ascending type codes (RFC 4271 Appendix F.3)');
  t.same(types({ prefix: '192.0.2.0/24', med: 1, communities: ['65000:1'], largeCommunities: ['1:2:3'] }, IBGP), ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'MULTI_EXIT_DISC', 'LOCAL_PREF', 'COMMUNITIES', 'LARGE_COMMUNITY']);
  t.equal(findAttribute(attrs({ prefix: '192.0.2.0/24', origin: 'incomplete' }), 'ORIGIN')?.origin, 2);
  t.throws(() => attrs({ prefix: '2001:db8::/32' }, { ...EBGP, nextHopSelf6: undefined }), { code: 'ERR_RIB_NO_NEXT_HOP' });
  t.throws(() => attrs({ prefix: '192.0.2.0/24' }, { ...EBGP, nextHopSelf4: undefined }), { code: 'ERR_RIB_NO_NEXT_HOP' });
});
