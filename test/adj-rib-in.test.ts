/**
 * AdjRibIn: UPDATEs applied (IPv4 NLRI / Withdrawn Routes, IPv6 MP_REACH / MP_UNREACH, ADD-PATH
 * path ids), the RFC 7606 treat-as-withdraw outcome, and RFC 4724 stale marking and sweeping.
 */
import t from 'tap';
import { codecContext } from '../src/bgp/codec/context.js';
import { type UpdateMessage, decodeUpdate, encodeUpdate } from '../src/bgp/codec/update.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import type { UpdateDiagnostic } from '../src/bgp/codec/update-diagnostic.js';
import { afiSafiKey } from '../src/bgp/iana/afi-safi.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import { AdjRibIn } from '../src/rib/adj-rib-in.js';

const BASE: PathAttribute[] = [
  { type: 'ORIGIN', origin: 0 },
  { type: 'AS_PATH', segments: [{ type: 2, asns: [65001] }] },
];
const V4 = 1;
const V6 = 2;
const KEY4 = afiSafiKey(1, 1);
const KEY6 = afiSafiKey(2, 1);

/** Builds an UPDATE and passes it through the codec, as the session would receive it. */
function upd(o: { announce4?: string[]; withdraw4?: string[]; announce6?: string[]; withdraw6?: string[]; med?: number; addPath?: boolean; ids?: number[] }): UpdateMessage {
  const ap = o.addPath ?? false;
  const entries = (xs: string[] | undefined) => (xs ?? []).map((prefix, i) => (ap ? { prefix, pathId: o.ids?.[i] ?? i + 1 } : prefix));
  const attrs: PathAttribute[] = [...BASE];
  if ((o.announce4?.length ?? 0) > 0) attrs.push({ type: 'NEXT_HOP', nextHop: '192.0.2.9' });
  if (o.med !== undefined) attrs.push({ type: 'MULTI_EXIT_DISC', med: o.med });
  if ((o.announce6?.length ?? 0) > 0) attrs.push({ type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: ['2001:db8::9', 'fe80::9'], nlri: PrefixList.from(2, entries(o.announce6), ap) } as PathAttribute);
  if ((o.withdraw6?.length ?? 0) > 0) attrs.push({ type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: PrefixList.from(2, entries(o.withdraw6), ap) } as PathAttribute);
  const m: UpdateMessage = {
    type: 'UPDATE',
    withdrawn: PrefixList.from(1, entries(o.withdraw4), ap),
    attributes: (o.announce4?.length ?? 0) > 0 || (o.announce6?.length ?? 0) > 0 ? attrs : attrs.filter((a) => a.type === 'MP_UNREACH_NLRI'),
    nlri: PrefixList.from(1, entries(o.announce4), ap),
  };
  const ctx = codecContext({ addPath: ap ? ['ipv4', 'ipv6'] : [] });
  return decodeUpdate(encodeUpdate(m, ctx), ctx);
}

const view = (rib: AdjRibIn): string[] => rib.routes().map((r) => `${r.prefix}#${r.pathId}${r.stale ? ' stale' : ''}`).sort();

t.test('announce, replace and withdraw, both families', async (t) => {
  const rib = new AdjRibIn();
  t.match(rib.apply(upd({ announce4: ['192.0.2.0/24', '198.51.100.0/24'], announce6: ['2001:db8::/32'] })), { announced: 3, withdrawn: 0 });
  t.equal(rib.size, 3);
  const v6 = rib.routes().find((r) => r.afi === V6)!;
  t.same(v6.nextHop, ['2001:db8::9', 'fe80::9'], 'IPv6: MP_REACH next hops');
  t.equal(v6.safi, 1);
  t.notOk(v6.attributes.some((a) => a.type === 'MP_REACH_NLRI'), 'MP attributes are not kept per route');
  const v4 = rib.routes().find((r) => r.afi === V4)!;
  t.same(v4.nextHop, ['192.0.2.9']);
  rib.apply(upd({ announce4: ['192.0.2.0/24'], med: 7 }));
  t.equal(rib.size, 3, 'same NLRI replaces (RFC 4271 s9)');
  t.ok(rib.routes().some((r) => r.prefix === '192.0.2.0/24' && r.attributes.some((a) => a.type === 'MULTI_EXIT_DISC' && a.med === 7)));
  t.match(rib.apply(upd({ withdraw4: ['192.0.2.0/24', '203.0.113.0/24'], withdraw6: ['2001:db8::/32'] })), { announced: 0, withdrawn: 2 }, 'an unknown prefix withdraws nothing');
  t.same(view(rib), ['198.51.100.0/24#0']);
  t.equal(rib.clear(), 1);
  t.equal(rib.size, 0);
});

t.test('per-family counts: what changed and what grew, per UPDATE', async (t) => {
  const rib = new AdjRibIn();
  t.same(rib.apply(upd({ announce4: ['192.0.2.0/24', '198.51.100.0/24'], announce6: ['2001:db8::/32'] })), { announced: 3, withdrawn: 0, changed: [KEY4, KEY6], grown: [KEY4, KEY6] });
  t.same([...rib.familyCounts()], [[KEY4, 2], [KEY6, 1]]);
  t.same(rib.apply(upd({ announce4: ['192.0.2.0/24'], med: 3 })), { announced: 1, withdrawn: 0, changed: [], grown: [] }, 'a replacement changes no count');
  t.same(rib.apply(upd({ withdraw4: ['192.0.2.0/24'], announce6: ['2001:db8:1::/48'] })), { announced: 1, withdrawn: 1, changed: [KEY4, KEY6], grown: [KEY6] });
  t.same(rib.apply(upd({ withdraw6: ['2001:db8::/32', '2001:db8:1::/48'] })), { announced: 0, withdrawn: 2, changed: [KEY6], grown: [] });
  t.same([...rib.familyCounts()], [[KEY4, 1]], 'an empty family is not listed');
  t.equal(rib.familySize(KEY6), 0);
  t.equal(rib.familySize(afiSafiKey(1, 2)), 0, 'a family never seen');
});

t.test('host bits past the prefix length do not make another route; one prefix twice in an UPDATE is one route', async (t) => {
  const rib = new AdjRibIn();
  const m = upd({ announce4: ['192.0.2.0/24'], announce6: ['2001:db8::/32'] });
  // set host bits in the decoded words, as a peer might send them (RFC 4271: irrelevant)
  const nlri = new PrefixList(1, false, [(m.nlri.words[0]! | 0x7f) >>> 0, 24]);
  rib.apply({ ...m, nlri });
  rib.apply(upd({ announce4: ['192.0.2.0/24', '192.0.2.0/24', '198.51.100.0/24'], med: 4 }));
  t.same(view(rib), ['192.0.2.0/24#0', '198.51.100.0/24#0', '2001:db8::/32#0']);
  const r = rib.routes().find((x) => x.prefix === '192.0.2.0/24')!;
  t.ok(r.attributes.some((a) => a.type === 'MULTI_EXIT_DISC' && a.med === 4), 'the later UPDATE replaced it');
  rib.apply(upd({ withdraw4: ['192.0.2.0/24'] }));
  rib.apply(upd({ announce4: ['203.0.113.0/24'] }));
  t.same(view(rib), ['198.51.100.0/24#0', '2001:db8::/32#0', '203.0.113.0/24#0'], 'attribute entries are reused after release');
  t.ok(rib.routes().every((x) => x.attributes.length > 0));
});

t.test('ADD-PATH: routes are keyed by path id', async (t) => {
  const rib = new AdjRibIn();
  rib.apply(upd({ announce4: ['192.0.2.0/24', '192.0.2.0/24'], ids: [1, 2], addPath: true }));
  rib.apply(upd({ announce6: ['2001:db8::/32'], ids: [7], addPath: true }));
  t.same(view(rib), ['192.0.2.0/24#1', '192.0.2.0/24#2', '2001:db8::/32#7']);
  rib.apply(upd({ withdraw4: ['192.0.2.0/24'], ids: [2], addPath: true }));
  t.same(view(rib), ['192.0.2.0/24#1', '2001:db8::/32#7'], 'one path withdrawn, the other stays');
});

t.test('RFC 7606 treat-as-withdraw: the NLRI are withdrawn, never installed', async (t) => {
  const rib = new AdjRibIn();
  rib.apply(upd({ announce4: ['192.0.2.0/24'], announce6: ['2001:db8::/32'] }));
  const taw: UpdateDiagnostic = { action: 'treat-as-withdraw', code: 'ERR_BGP_ATTRIBUTE_MALFORMED', reason: 'test', rfc: 'RFC 7606 s7.x', offset: 23 };
  const bad = { ...upd({ announce4: ['192.0.2.0/24', '198.51.100.0/24'], announce6: ['2001:db8::/32'] }), diagnostics: [taw] };
  t.match(rib.apply(bad), { announced: 0, withdrawn: 2 }, 'both previously known routes withdrawn');
  t.equal(rib.size, 0, '198.51.100.0/24 not installed');
  // a milder diagnostic alongside does not change that; attribute-discard alone installs
  const discard: UpdateDiagnostic = { ...taw, action: 'attribute-discard' };
  t.match(rib.apply({ ...upd({ announce4: ['192.0.2.0/24'] }), diagnostics: [discard, taw] }), { announced: 0, withdrawn: 0 });
  t.match(rib.apply({ ...upd({ announce4: ['192.0.2.0/24'] }), diagnostics: [discard] }), { announced: 1, withdrawn: 0 });
  t.equal(rib.size, 1);
  // the real decoder: an ORIGIN with a bad value is treat-as-withdraw (RFC 7606 s7.1)
  const raw = encodeUpdate(upd({ announce4: ['192.0.2.0/24'] }));
  const originAt = raw.indexOf(0x40, 23); // flags of the first attribute (ORIGIN, well-known transitive)
  t.equal(raw[originAt + 1], 1, 'ORIGIN type code');
  raw[originAt + 3] = 9; // ORIGIN value 9
  const decoded = decodeUpdate(raw);
  t.match(decoded.diagnostics, [{ action: 'treat-as-withdraw' }]);
  t.match(rib.apply(decoded), { announced: 0, withdrawn: 1 });
  t.equal(rib.size, 0);
});

t.test('stale marking and sweeping (RFC 4724 s4.2)', async (t) => {
  const rib = new AdjRibIn();
  rib.apply(upd({ announce4: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'], announce6: ['2001:db8::/32', '2001:db8:1::/48'] }));
  t.equal(rib.markStale([KEY4]), 3, 'only IPv4');
  t.equal(rib.staleCount, 3);
  t.equal(rib.markStale(), 2, 'all: the 2 not yet stale');
  t.equal(rib.markStale(), 0, 'idempotent');
  t.equal(rib.staleCount, 5);
  rib.apply(upd({ announce4: ['192.0.2.0/24'] }));
  t.equal(rib.staleCount, 4, 're-announced: fresh again');
  rib.apply(upd({ withdraw4: ['198.51.100.0/24'] }));
  t.equal(rib.staleCount, 3, 'a withdrawn stale route is gone from the count');
  t.equal(rib.size, 4);
  const swept4 = rib.sweepStale([KEY4]);
  t.same(swept4.map((r) => r.prefix), ['203.0.113.0/24'], 'swept IPv4 stale only');
  t.ok(swept4.every((r) => r.stale));
  t.same(view(rib), ['192.0.2.0/24#0', '2001:db8:1::/48#0 stale', '2001:db8::/32#0 stale']);
  t.equal(rib.sweepStale([afiSafiKey(1, 2)]).length, 0, 'another family: nothing');
  t.equal(rib.sweepStale().length, 2, 'the rest');
  t.equal(rib.staleCount, 0);
  t.same(view(rib), ['192.0.2.0/24#0']);
  rib.markStale([KEY6]);
  t.equal(rib.staleCount, 0, 'no IPv6 routes to mark');
  rib.markStale();
  t.equal(rib.clear(), 1);
  t.equal(rib.staleCount, 0, 'clear resets the count');
});
