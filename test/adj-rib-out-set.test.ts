/**
 * AdjRibOut as desired state (issue 5): set() diffs against the current wanted set, ECMP paths of
 * one prefix with stable automatic path ids (ADD-PATH) or the preferred one (no ADD-PATH), merged
 * communities, conflicts rejected atomically, extended communities, aggregation, the peers filter,
 * set() in slices, withdraw by next hop. Everything is checked on the decoded UPDATEs.
 */
import t from 'tap';
import { type CodecContext, codecContext } from '../src/bgp/codec/context.js';
import { type UpdateMessage, decodeUpdate } from '../src/bgp/codec/update.js';
import { findAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { isDecodedMpReach } from '../src/bgp/codec/attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from '../src/bgp/codec/attributes/mp-unreach-nlri.js';
import { formatExtendedCommunity } from '../src/bgp/codec/attributes/extended-communities.js';
import { AdjRibOut, type DrainView } from '../src/rib/adj-rib-out.js';
import type { Advertisement } from '../src/rib/advertisement.js';

const view = (o: Partial<DrainView> = {}, ctx: Partial<Parameters<typeof codecContext>[0]> = {}): DrainView => ({
  localAsn: 65000,
  external: true,
  fourOctetAs: true,
  nextHopSelf4: '198.18.0.1',
  nextHopSelf6: '2001:db8::1',
  sendContext: codecContext({ external: true, ...ctx }),
  afis: new Set([1, 2]),
  ...o,
});
const addPathView = (o: Partial<DrainView> = {}): DrainView => view(o, { addPath: ['ipv4', 'ipv6'] });

interface Route {
  prefix: string;
  pathId?: number;
  nextHop: string;
  med?: number;
  localPref?: number;
  communities: number[];
  large: string[];
  extended: string[];
}
interface Seen {
  announced: Route[];
  withdrawn: string[];
  messages: UpdateMessage[];
}

function drainAll(rib: AdjRibOut, v: DrainView): Seen {
  const ctx: CodecContext = v.sendContext;
  const out: Seen = { announced: [], withdrawn: [], messages: [] };
  for (let i = 0; i < 1000 && rib.pendingPrefixes > 0; i++) {
    const r = rib.drain(v, 1 << 30);
    if (r.messages.length === 0) break;
    for (const b of r.messages) {
      const m = decodeUpdate(b, ctx);
      out.messages.push(m);
      const attrs = m.attributes;
      const mp = attrs.find((a) => a.type === 'MP_REACH_NLRI');
      const base = {
        nextHop: mp !== undefined && isDecodedMpReach(mp) ? mp.nextHop.join(',') : (findAttribute(attrs, 'NEXT_HOP')?.nextHop ?? '?'),
        med: findAttribute(attrs, 'MULTI_EXIT_DISC')?.med,
        localPref: findAttribute(attrs, 'LOCAL_PREF')?.localPref,
        communities: [...(findAttribute(attrs, 'COMMUNITIES')?.communities ?? [])],
        large: (findAttribute(attrs, 'LARGE_COMMUNITY')?.communities ?? []).map((c) => c.join(':')),
        extended: (findAttribute(attrs, 'EXTENDED_COMMUNITIES')?.communities ?? []).map(formatExtendedCommunity),
      };
      const add = (l: { length: number; text(i: number): string; pathId(i: number): number; addPath: boolean }): void => {
        for (let k = 0; k < l.length; k++) out.announced.push({ prefix: l.text(k), ...(l.addPath ? { pathId: l.pathId(k) } : {}), ...base });
      };
      const gone = (l: { length: number; text(i: number): string; pathId(i: number): number; addPath: boolean }): void => {
        for (let k = 0; k < l.length; k++) out.withdrawn.push(l.addPath ? `${l.text(k)}#${l.pathId(k)}` : l.text(k));
      };
      add(m.nlri);
      gone(m.withdrawn);
      if (mp !== undefined && isDecodedMpReach(mp)) add(mp.nlri);
      const mu = attrs.find((a) => a.type === 'MP_UNREACH_NLRI');
      if (mu !== undefined && isDecodedMpUnreach(mu)) gone(mu.withdrawn);
    }
  }
  return out;
}

const names = (s: Seen): string[] => s.announced.map((r) => (r.pathId === undefined ? r.prefix : `${r.prefix}#${r.pathId}`)).sort();

t.test('set() sends only the difference against what was sent', async (t) => {
  const rib = new AdjRibOut();
  const r1 = rib.set([{ prefix: '203.0.113.5/32' }, { prefix: '203.0.113.6/32' }, { prefix: '203.0.113.7/32' }]);
  t.same(r1, { changed: 3, removed: 0, unchanged: 0 });
  t.same(names(drainAll(rib, view())), ['203.0.113.5/32', '203.0.113.6/32', '203.0.113.7/32']);

  const r2 = rib.set([{ prefix: '203.0.113.5/32' }, { prefix: '203.0.113.6/32', med: 10 }, { prefix: '203.0.113.8/32' }]);
  t.same(r2, { changed: 2, removed: 1, unchanged: 1 });
  const s2 = drainAll(rib, view());
  t.same(names(s2), ['203.0.113.6/32', '203.0.113.8/32'], 'the changed and the new one');
  t.same(s2.withdrawn, ['203.0.113.7/32'], 'the one left out');
  t.equal(s2.announced.find((r) => r.prefix === '203.0.113.6/32')?.med, 10);

  t.same(rib.set([{ prefix: '203.0.113.5/32' }, { prefix: '203.0.113.6/32', med: 10 }, { prefix: '203.0.113.8/32' }]), { changed: 0, removed: 0, unchanged: 3 });
  t.equal(rib.pendingPrefixes, 0, 'the same set queues nothing');
  t.same(rib.set([]), { changed: 0, removed: 3, unchanged: 0 });
  t.same(drainAll(rib, view()).withdrawn.sort(), ['203.0.113.5/32', '203.0.113.6/32', '203.0.113.8/32']);
  t.equal(rib.size, 0);
  t.equal(rib.attributeSets, 0, 'no attribute set is kept once nothing refers to it');
  t.throws(() => rib.set('x' as unknown as Advertisement[]), { code: 'ERR_RIB_BAD_ADVERTISEMENT' });
});

t.test('two advertisements of one path in one call: communities merged; other differences rejected, atomically', async (t) => {
  const rib = new AdjRibOut();
  rib.set([
    { prefix: '203.0.113.5/32', communities: ['65000:100'], largeCommunities: ['65000:1:1'] },
    { prefix: '203.0.113.5/32', communities: ['65000:200', '65000:100'], extendedCommunities: ['rt:65000:7'] },
    { prefix: '203.0.113.9/32', localPref: 200 },
  ]);
  t.equal(rib.size, 2, 'one path for the twice-stated prefix');
  const s = drainAll(rib, view({ external: false }));
  const r = s.announced.find((x) => x.prefix === '203.0.113.5/32')!;
  t.same(r.communities, [0xfde80064, 0xfde800c8]);
  t.same(r.large, ['65000:1:1']);
  t.same(r.extended, ['rt:65000:7']);

  const before = rib.routes().map((x) => x.key).sort();
  t.throws(
    () =>
      rib.set([
        { prefix: '203.0.113.1/32' },
        { prefix: '203.0.113.9/32', localPref: 200 },
        { prefix: '203.0.113.9/32', localPref: 300 },
      ]),
    { code: 'ERR_RIB_CONFLICTING_ADVERTISEMENTS', message: /203\.0\.113\.9\/32 differ in localPref \(200 and 300\)/ },
  );
  t.same(rib.routes().map((x) => x.key).sort(), before, 'a rejected set changes nothing');
  t.equal(rib.pendingPrefixes, 0, 'and queues nothing');
  t.throws(() => rib.announce([{ prefix: '198.51.100.0/24' }, { prefix: '198.51.100.0/24', med: 1 }]), { code: 'ERR_RIB_CONFLICTING_ADVERTISEMENTS' });
  t.equal(rib.size, 2);
  // across calls announce replaces instead of merging
  rib.announce({ prefix: '203.0.113.5/32', communities: ['65000:300'] });
  t.same(drainAll(rib, view()).announced[0]?.communities, [0xfde8012c]);
});

t.test('ECMP: one prefix via several next hops; ADD-PATH sends all with stable ids, otherwise the preferred one', async (t) => {
  const ecmp: Advertisement[] = [
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.11' },
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.12' },
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.13' },
  ];
  const ap = new AdjRibOut();
  ap.set(ecmp);
  t.equal(ap.size, 3, 'three paths');
  const first = drainAll(ap, addPathView());
  t.same(
    first.announced.map((r) => `${r.pathId}:${r.nextHop}`).sort(),
    ['1:198.18.0.11', '2:198.18.0.12', '3:198.18.0.13'],
    'automatic ids 1..3 in order of arrival',
  );
  // one leaves, one arrives: the others keep their ids; the new one gets an id no path had when
  // it arrived (id 2 was still in use until the set finished)
  ap.set([ecmp[0]!, ecmp[2]!, { prefix: '203.0.113.5/32', nextHop: '198.18.0.14' }]);
  const second = drainAll(ap, addPathView());
  t.same(second.withdrawn, ['203.0.113.5/32#2']);
  t.same(second.announced.map((r) => `${r.pathId}:${r.nextHop}`), ['4:198.18.0.14'], 'only the new path is announced');
  t.same(
    ap.routes().map((r) => `${r.pathId}:${r.nextHop}`).sort(),
    ['1:198.18.0.11', '3:198.18.0.13', '4:198.18.0.14'],
  );
  // a withdrawn path's id is not reused before its withdrawal went out (1 is pending; 2 is free)
  ap.withdraw({ prefix: '203.0.113.5/32', nextHop: '198.18.0.11' });
  ap.announce({ prefix: '203.0.113.5/32', nextHop: '198.18.0.15' });
  const third = drainAll(ap, addPathView());
  t.same(third.withdrawn, ['203.0.113.5/32#1']);
  t.same(third.announced.map((r) => `${r.pathId}:${r.nextHop}`), ['2:198.18.0.15']);
  // withdrawn and announced again before the drain: the same path, the same id, nothing sent
  ap.withdraw({ prefix: '203.0.113.5/32', nextHop: '198.18.0.13' });
  ap.announce({ prefix: '203.0.113.5/32', nextHop: '198.18.0.13' });
  const fourth = drainAll(ap, addPathView());
  t.same([fourth.announced, fourth.withdrawn], [[], []]);

  const plain = new AdjRibOut();
  plain.set([
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.11', med: 20 },
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.12', med: 10 },
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.13', med: 10, asPathPrepend: { count: 1 } },
  ]);
  const one = drainAll(plain, view());
  t.same(one.announced.map((r) => r.nextHop), ['198.18.0.12'], 'without ADD-PATH: lowest MED among equal AS paths');
  plain.withdraw({ prefix: '203.0.113.5/32', nextHop: '198.18.0.12' });
  const next = drainAll(plain, view());
  t.same([next.announced.map((r) => r.nextHop), next.withdrawn], [['198.18.0.11'], []], 'the next best replaces it (implicit withdraw)');
  plain.announce({ prefix: '203.0.113.5/32', nextHop: '198.18.0.16', localPref: 300 });
  t.same(drainAll(plain, view({ external: false })).announced.map((r) => r.nextHop), ['198.18.0.16'], 'higher LOCAL_PREF first');
  plain.withdraw('203.0.113.5/32');
  t.same(drainAll(plain, view()).withdrawn, ['203.0.113.5/32'], 'every path gone: one withdrawal');
  t.equal(plain.size, 0);
});

t.test('explicit path ids: used as given; a clash with an automatic id is an error', async (t) => {
  const rib = new AdjRibOut();
  rib.announce([{ prefix: '203.0.113.0/24', pathId: 7 }, { prefix: '203.0.113.0/24', pathId: 0, nextHop: '198.18.0.9' }]);
  t.same(names(drainAll(rib, addPathView())), ['203.0.113.0/24#0', '203.0.113.0/24#7']);
  const auto = new AdjRibOut();
  auto.announce({ prefix: '203.0.113.0/24', nextHop: '198.18.0.2' });
  t.throws(() => auto.announce({ prefix: '203.0.113.0/24', pathId: 1 }), { code: 'ERR_RIB_BAD_ADVERTISEMENT', message: /automatic id of the path via 198\.18\.0\.2/ });
  t.equal(auto.size, 1);
  auto.withdraw({ prefix: '203.0.113.0/24', pathId: 1 });
  t.equal(auto.size, 1, 'a path id names explicit paths only');
  auto.withdraw({ prefix: '203.0.113.0/24', nextHop: '198.18.0.2' });
  t.equal(auto.size, 0);
});

t.test('aggregationLength announces the covering prefix; Services in one /24 share it', async (t) => {
  const rib = new AdjRibOut();
  rib.set([
    { prefix: '203.0.113.5/32', aggregationLength: 24, communities: ['65000:1'] },
    { prefix: '203.0.113.77/32', aggregationLength: 24, communities: ['65000:2'] },
    { prefix: '2001:db8:5::1/128', aggregationLengthV6: 64, aggregationLength: 24 },
    { prefix: '198.51.100.0/24', aggregationLength: 32 },
  ]);
  const s = drainAll(rib, view());
  t.same(names(s), ['198.51.100.0/24', '2001:db8:5::/64', '203.0.113.0/24']);
  t.same(s.announced.find((r) => r.prefix === '203.0.113.0/24')?.communities, [0xfde80001, 0xfde80002], 'communities of both merged');
  t.throws(() => rib.set([{ prefix: '203.0.113.5/32', aggregationLength: 33 }]), { code: 'ERR_RIB_BAD_ADVERTISEMENT', message: /aggregationLength/ });
  t.throws(() => rib.set([{ prefix: '203.0.113.5/32', aggregationLengthV6: 129 }]), { code: 'ERR_RIB_BAD_ADVERTISEMENT', message: /aggregationLengthV6/ });
});

t.test('peers filter: an advertisement with peers goes only to those', async (t) => {
  const tor1 = new AdjRibOut({ peer: { address: '198.18.0.254', name: 'tor1' } });
  const tor2 = new AdjRibOut({ peer: { address: '198.18.1.254', name: 'tor2' } });
  const anon = new AdjRibOut();
  const ads: Advertisement[] = [{ prefix: '203.0.113.5/32' }, { prefix: '203.0.113.6/32', peers: ['tor1'] }, { prefix: '203.0.113.7/32', peers: ['198.18.1.254'] }];
  for (const r of [tor1, tor2, anon]) r.set(ads);
  t.same(names(drainAll(tor1, view())), ['203.0.113.5/32', '203.0.113.6/32']);
  t.same(names(drainAll(tor2, view())), ['203.0.113.5/32', '203.0.113.7/32']);
  t.same(names(drainAll(anon, view())), ['203.0.113.5/32']);
  // an announce that excludes the peer removes that path
  tor1.announce({ prefix: '203.0.113.6/32', peers: ['tor2'] });
  t.same(drainAll(tor1, view()).withdrawn, ['203.0.113.6/32']);
  t.throws(() => tor1.set([{ prefix: '203.0.113.8/32', peers: [''] }]), { code: 'ERR_RIB_BAD_ADVERTISEMENT', message: /peers/ });
  t.throws(() => tor1.set([{ prefix: '203.0.113.8/32', peers: 'tor1' as unknown as string[] }]), { code: 'ERR_RIB_BAD_ADVERTISEMENT', message: /peers/ });
});

t.test('extended communities and IPv6 with a link-local next hop', async (t) => {
  const rib = new AdjRibOut();
  rib.announce([
    { prefix: '2001:db8:1::/48', nextHop: '2001:db8::5', nextHopLinkLocal: 'fe80::5', extendedCommunities: ['rt:65000:1', 'lb:65000:1000', 'rt:65000:1'] },
  ]);
  const s = drainAll(rib, view());
  t.same(s.announced, [{ prefix: '2001:db8:1::/48', nextHop: '2001:db8::5,fe80::5', med: undefined, localPref: undefined, communities: [], large: [], extended: ['lb:65000:1000', 'rt:65000:1'] }]);
  t.throws(() => rib.announce({ prefix: '10.0.0.0/8', extendedCommunities: ['nonsense'] }), { code: 'ERR_BGP_BAD_COMMUNITY' });
  t.throws(() => rib.announce({ prefix: '10.0.0.0/8', extendedCommunities: 'rt:1:1' as unknown as string[] }), { code: 'ERR_RIB_BAD_ADVERTISEMENT' });
});

t.test('beginSet: a large set in slices gives what set() gives', async (t) => {
  const ads = (n: number, med: number): Advertisement[] => Array.from({ length: n }, (_, i) => ({ prefix: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`, med }));
  const whole = new AdjRibOut();
  const sliced = new AdjRibOut();
  whole.set(ads(5000, 1));
  sliced.set(ads(5000, 1));
  drainAll(whole, view());
  drainAll(sliced, view());
  const expect = whole.set(ads(3000, 2));
  const job = sliced.beginSet();
  const next = ads(3000, 2);
  for (let i = 0; i < next.length; i += 700) job.add(next.slice(i, i + 700));
  // an announce while the job runs is part of the set
  sliced.announce({ prefix: '192.0.2.0/24' });
  let calls = 0;
  while (!job.finish(512)) calls++;
  t.ok(calls >= 9, `finish ran in ${calls + 1} slices`);
  t.same(job.result, expect);
  t.throws(() => job.add([]), { code: 'ERR_RIB_SET_FINISHED' });
  const a = drainAll(whole, view());
  const b = drainAll(sliced, view());
  t.same(b.withdrawn.sort(), a.withdrawn.sort());
  t.same(names(b), [...names(a), '192.0.2.0/24'].sort());
  t.equal(sliced.size, 3001);
});

t.test('sessionDown and resync with ECMP paths', async (t) => {
  const rib = new AdjRibOut();
  rib.set([
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.11' },
    { prefix: '203.0.113.5/32', nextHop: '198.18.0.12' },
  ]);
  drainAll(rib, addPathView());
  rib.withdraw({ prefix: '203.0.113.5/32', nextHop: '198.18.0.11' });
  rib.sessionDown();
  t.equal(rib.pendingPrefixes, 0);
  rib.resync();
  const s = drainAll(rib, addPathView());
  t.same([names(s), s.withdrawn], [['203.0.113.5/32#2'], []], 'the new session gets only the wanted path');
  rib.resync(new Set([2]));
  t.equal(rib.pendingPrefixes, 0, 'no IPv6 routes to resync');
});
