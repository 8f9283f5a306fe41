/**
 * AdjRibOut: UPDATE packing within the negotiated message size, batched withdrawals, ADD-PATH
 * (every path with its id, or the lowest id), resync, and the per-prefix bound on what is queued.
 */
import t from 'tap';
import { type CodecContext, codecContext } from '../src/bgp/codec/context.js';
import { type UpdateMessage, decodeUpdate } from '../src/bgp/codec/update.js';
import { findAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { isDecodedMpReach } from '../src/bgp/codec/attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from '../src/bgp/codec/attributes/mp-unreach-nlri.js';
import { AdjRibOut, type DrainView } from '../src/rib/adj-rib-out.js';
import type { Advertisement } from '../src/rib/advertisement.js';

const view = (o: Partial<DrainView> = {}, ctx: Partial<Parameters<typeof codecContext>[0]> = {}): DrainView => ({
  localAsn: 65000,
  external: true,
  fourOctetAs: true,
  nextHopSelf4: '192.0.2.1',
  nextHopSelf6: '2001:db8::1',
  sendContext: codecContext({ external: true, ...ctx }),
  afis: new Set([1, 2]),
  ...o,
});
const BIG = 1 << 30;

interface Seen {
  announced: string[];
  withdrawn: string[];
  messages: UpdateMessage[];
  sizes: number[];
}

/** Drains everything and decodes what came out. */
function drainAll(rib: AdjRibOut, v: DrainView, maxBytes = BIG): Seen {
  const ctx: CodecContext = v.sendContext;
  const out: Seen = { announced: [], withdrawn: [], messages: [], sizes: [] };
  for (let i = 0; i < 10_000 && rib.pendingPrefixes > 0; i++) {
    const r = rib.drain(v, maxBytes);
    if (r.messages.length === 0) break;
    for (const b of r.messages) {
      const m = decodeUpdate(b, ctx);
      out.messages.push(m);
      out.sizes.push(b.length);
      const id = (l: { text(i: number): string; pathId(i: number): number; addPath: boolean }, i: number): string => (l.addPath ? `${l.text(i)}#${l.pathId(i)}` : l.text(i));
      for (let k = 0; k < m.nlri.length; k++) out.announced.push(id(m.nlri, k));
      for (let k = 0; k < m.withdrawn.length; k++) out.withdrawn.push(id(m.withdrawn, k));
      for (const a of m.attributes) {
        if (a.type === 'MP_REACH_NLRI' && isDecodedMpReach(a)) for (let k = 0; k < a.nlri.length; k++) out.announced.push(id(a.nlri, k));
        if (a.type === 'MP_UNREACH_NLRI' && isDecodedMpUnreach(a)) for (let k = 0; k < a.withdrawn.length; k++) out.withdrawn.push(id(a.withdrawn, k));
      }
    }
  }
  return out;
}

const v4s = (n: number, len = 32): string[] => Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/${len}`);
const v6s = (n: number): string[] => Array.from({ length: n }, (_, i) => `2001:db8:${(i + 1).toString(16)}::/48`);

t.test('packing: every UPDATE fits 4096 octets, no prefix lost or repeated', async (t) => {
  const rib = new AdjRibOut();
  rib.announce(v4s(3000).map((prefix) => ({ prefix })));
  rib.announce(v6s(1500).map((prefix) => ({ prefix })));
  t.equal(rib.size, 4500);
  t.equal(rib.pendingPrefixes, 4500);
  const s = drainAll(rib, view());
  t.ok(s.sizes.every((n) => n <= 4096), `max ${Math.max(...s.sizes)} octets`);
  t.equal(s.announced.length, 4500);
  t.equal(new Set(s.announced).size, 4500, 'each once');
  t.ok(s.messages.length <= 14, `${s.messages.length} messages: packed (about 800 /32s or 200 /48s per message)`);
  t.ok(s.sizes.filter((n) => n > 3500).length >= s.messages.length - 3, 'messages are full except the last per attribute set');
  t.equal(rib.pendingPrefixes, 0);
  t.equal(drainAll(rib, view()).messages.length, 0, 'nothing more to send');
});

t.test('packing: every IPv4 and IPv6 prefix length comes out as announced', async (t) => {
  const v4 = ['0.0.0.0/0', '10.0.0.0/7', '10.0.0.0/8', '10.128.0.0/9', '10.1.0.0/16', '10.1.2.0/23', '10.1.2.0/24', '10.1.2.128/25', '10.1.2.3/32'];
  const v6 = ['::/0', '2001:db8::/32', '2001:db8:1:2::/63', '2001:db8:1:2::/64', '2001:db8:1:2:3::/80', '2001:db8::1/128'];
  for (const addPath of [false, true]) {
    const rib = new AdjRibOut();
    rib.announce([...v4, ...v6].map((prefix) => ({ prefix })));
    const seen = drainAll(rib, view({}, addPath ? { addPath: ['ipv4', 'ipv6'] } : {}));
    const strip = (p: string): string => p.replace(/#\d+$/, '');
    t.same(seen.announced.map(strip).sort(), [...v4, ...v6].sort(), addPath ? 'with ADD-PATH' : 'without ADD-PATH');
    rib.withdraw([...v4, ...v6]);
    t.same(drainAll(rib, view({}, addPath ? { addPath: ['ipv4', 'ipv6'] } : {})).withdrawn.map(strip).sort(), [...v4, ...v6].sort(), 'withdrawn');
  }
});

t.test('packing with extended messages: up to 65535 octets', async (t) => {
  const rib = new AdjRibOut();
  rib.announce(v4s(20_000).map((prefix) => ({ prefix })));
  const s = drainAll(rib, view({}, { extendedMessage: true }));
  t.ok(s.sizes.every((n) => n <= 65535));
  t.ok(Math.max(...s.sizes) > 4096, 'larger than 4096 when negotiated');
  t.equal(s.announced.length, 20_000);
  t.ok(s.messages.length <= 2, `${s.messages.length} messages`);
});

t.test('packing groups prefixes by attribute set', async (t) => {
  const rib = new AdjRibOut();
  rib.announce([
    { prefix: '192.0.2.0/24', med: 1 },
    { prefix: '198.51.100.0/24', med: 2 },
    { prefix: '203.0.113.0/24', med: 1 },
  ]);
  const s = drainAll(rib, view());
  t.equal(s.messages.length, 2);
  const byMed = new Map(s.messages.map((m) => [findAttribute(m.attributes, 'MULTI_EXIT_DISC')?.med, m.nlri.toStrings().sort()]));
  t.same(byMed.get(1), ['192.0.2.0/24', '203.0.113.0/24']);
  t.same(byMed.get(2), ['198.51.100.0/24']);
});

t.test('withdrawals are batched and fit the message size', async (t) => {
  const rib = new AdjRibOut();
  const p4 = v4s(2000);
  const p6 = v6s(600);
  rib.announce([...p4, ...p6].map((prefix) => ({ prefix })));
  drainAll(rib, view());
  rib.withdraw([...p4, ...p6]);
  t.equal(rib.size, 0);
  t.equal(rib.pendingPrefixes, 2600);
  const s = drainAll(rib, view());
  t.equal(s.announced.length, 0);
  t.same(s.withdrawn.sort(), [...p4, ...p6].sort(), 'every prefix withdrawn once');
  t.ok(s.sizes.every((n) => n <= 4096));
  t.ok(s.messages.length <= 6, `${s.messages.length} messages for 2600 withdrawals`);
  t.ok(
    s.messages.every((m) => m.nlri.length === 0 && (m.withdrawn.length > 0 || m.attributes.every((a) => a.type === 'MP_UNREACH_NLRI'))),
    'withdraw-only UPDATEs (IPv4 in Withdrawn Routes, IPv6 in MP_UNREACH_NLRI alone)',
  );
});

t.test('announce then withdraw before anything was sent: nothing goes out', async (t) => {
  const rib = new AdjRibOut();
  rib.announce({ prefix: '192.0.2.0/24' });
  rib.withdraw('192.0.2.0/24');
  t.equal(rib.pendingPrefixes, 1);
  const s = drainAll(rib, view());
  t.same([s.announced, s.withdrawn], [[], []]);
  t.equal(rib.pendingPrefixes, 0);
  rib.withdraw('198.51.100.0/24');
  t.equal(rib.pendingPrefixes, 0, 'withdrawing an unknown prefix queues nothing');
});

t.test('the queue is bounded by distinct prefixes: 10k announces of one prefix -> 1 pending, last wins', async (t) => {
  const rib = new AdjRibOut();
  for (let i = 0; i < 10_000; i++) rib.announce({ prefix: '192.0.2.0/24', med: i });
  t.equal(rib.pendingPrefixes, 1);
  t.equal(rib.size, 1);
  const s = drainAll(rib, view());
  t.equal(s.messages.length, 1);
  t.equal(findAttribute(s.messages[0]!.attributes, 'MULTI_EXIT_DISC')?.med, 9999);
  // flapping after it was sent: still one pending prefix, and an unchanged final state sends nothing
  for (let i = 0; i < 10_000; i++) {
    rib.withdraw('192.0.2.0/24');
    rib.announce({ prefix: '192.0.2.0/24', med: 9999 });
  }
  t.equal(rib.pendingPrefixes, 1);
  t.equal(drainAll(rib, view()).messages.length, 0, 'the peer already has exactly this');
});

t.test('ADD-PATH: all paths with their ids when negotiated, else only the lowest id', async (t) => {
  const ads: Advertisement[] = [
    { prefix: '192.0.2.0/24', pathId: 9, med: 90 },
    { prefix: '192.0.2.0/24', pathId: 3, med: 30 },
    { prefix: '2001:db8::/32', pathId: 5, med: 50 },
    { prefix: '2001:db8::/32', pathId: 4, med: 40 },
  ];
  const ap = new AdjRibOut();
  ap.announce(ads);
  const withIds = drainAll(ap, view({}, { addPath: ['ipv4', 'ipv6'] }));
  t.same(withIds.announced.sort(), ['192.0.2.0/24#3', '192.0.2.0/24#9', '2001:db8::/32#4', '2001:db8::/32#5']);
  ap.withdraw({ prefix: '192.0.2.0/24', pathId: 9 });
  t.equal(ap.size, 3);
  const w = drainAll(ap, view({}, { addPath: ['ipv4', 'ipv6'] }));
  t.same([w.announced, w.withdrawn], [[], ['192.0.2.0/24#9']], 'only that path withdrawn');

  const plain = new AdjRibOut();
  plain.announce(ads);
  const one = drainAll(plain, view());
  t.same(one.announced.sort(), ['192.0.2.0/24', '2001:db8::/32'], 'one path per prefix');
  const meds = one.messages.map((m) => findAttribute(m.attributes, 'MULTI_EXIT_DISC')?.med).sort();
  t.same(meds, [30, 40], 'the lowest path id of each');
  plain.withdraw({ prefix: '192.0.2.0/24', pathId: 3 });
  const next = drainAll(plain, view());
  t.same(next.announced, ['192.0.2.0/24'], 'the next-lowest path replaces it');
  t.same(next.withdrawn, []);
  t.equal(findAttribute(next.messages[0]!.attributes, 'MULTI_EXIT_DISC')?.med, 90);
  plain.withdraw({ prefix: '192.0.2.0/24', pathId: 9 });
  t.same(drainAll(plain, view()).withdrawn, ['192.0.2.0/24'], 'the last path gone: withdrawn');
  plain.withdraw('2001:db8::/32');
  t.equal(plain.size, 0, 'a prefix alone withdraws every path');
  t.same(drainAll(plain, view()).withdrawn, ['2001:db8::/32']);

  const both = new AdjRibOut();
  both.announce(ads);
  drainAll(both, view());
  both.announce([{ prefix: '192.0.2.0/24', pathId: 9, med: 91 }]); // the unsent path changes: dirty
  both.withdraw('192.0.2.0/24');
  const gone = drainAll(both, view());
  t.same([gone.announced, gone.withdrawn], [[], ['192.0.2.0/24']], 'every path of a prefix gone at once: one withdrawal');
  t.equal(both.size, 2, 'both IPv4 slots freed once the withdrawal went out (the two IPv6 paths are left)');
});

t.test('resync re-sends every wanted route (of the given AFIs); sessionDown forgets what was sent', async (t) => {
  const rib = new AdjRibOut();
  rib.announce([...v4s(10), ...v6s(5)].map((prefix) => ({ prefix })));
  drainAll(rib, view());
  rib.resync();
  t.equal(rib.pendingPrefixes, 15);
  t.equal(drainAll(rib, view()).announced.length, 15, 'everything again');
  rib.resync(new Set([2]));
  t.equal(rib.pendingPrefixes, 5, 'only IPv6');
  t.same(drainAll(rib, view()).announced.sort(), v6s(5).sort());
  rib.withdraw(v4s(1));
  rib.resync();
  const s = drainAll(rib, view());
  t.same(s.withdrawn, v4s(1), 'a pending withdrawal survives a resync');
  t.equal(s.announced.length, 14);
  rib.sessionDown();
  t.equal(rib.pendingPrefixes, 0);
  t.equal(rib.size, 14, 'wanted routes stay');
  rib.resync();
  t.equal(drainAll(rib, view()).announced.length, 14);
  t.equal(rib.routes().length, 14);
});

t.test('routes of AFIs not in the view wait; budget per drain; errors', async (t) => {
  const rib = new AdjRibOut();
  rib.announce([...v4s(2000), ...v6s(3)].map((prefix) => ({ prefix })));
  const only4 = view({ afis: new Set([1]) });
  const first = rib.drain(only4, 4000);
  t.ok(first.messages.length >= 1 && first.bytes <= 8192, 'about maxBytes per drain');
  t.ok(first.announced < 2000, 'the budget stops the round early');
  drainAll(rib, only4);
  t.equal(rib.pendingPrefixes, 3, 'the IPv6 routes wait');
  t.equal(rib.drain(only4, BIG).messages.length, 0);
  t.equal(drainAll(rib, view()).announced.length, 3, 'sent once IPv6 is there');

  const noNh = new AdjRibOut();
  noNh.announce([{ prefix: '2001:db8::/32' }, { prefix: '192.0.2.0/24' }]);
  const r = noNh.drain(view({ nextHopSelf6: undefined }), BIG);
  t.match(r.errors, [{ code: 'ERR_RIB_NO_NEXT_HOP' }], 'no IPv6 next hop');
  t.equal(r.announced, 1, 'the IPv4 route still goes');

  const huge = new AdjRibOut();
  huge.announce([{ prefix: '192.0.2.0/24', largeCommunities: Array.from({ length: 400 }, (_, i) => `65000:${i}:1`) }, { prefix: '198.51.100.0/24' }]);
  let thrown: unknown;
  let h: ReturnType<AdjRibOut['drain']> | undefined;
  try {
    h = huge.drain(view(), BIG);
  } catch (e) {
    thrown = e;
  }
  t.equal((thrown as { code?: string } | undefined)?.code, undefined, 'drain does not throw');
  t.match(h?.errors, [{ code: 'ERR_RIB_ATTRIBUTES_TOO_LONG' }], 'the oversized route is reported as an error');
  t.equal(h?.announced, 1, 'and the other route still goes out');
  t.equal(h?.withdrawn, 1, 'the oversized one is withdrawn, so the peer keeps no older version of it');
  const hx = new AdjRibOut();
  hx.announce({ prefix: '192.0.2.0/24', largeCommunities: Array.from({ length: 400 }, (_, i) => `65000:${i}:1`) });
  t.equal(hx.drain(view({}, { extendedMessage: true }), BIG).messages.length, 1, 'fits an extended message');

  const atomic = new AdjRibOut();
  t.throws(() => atomic.announce([{ prefix: '192.0.2.0/24' }, { prefix: '192.0.2.1/24' }]), { code: 'ERR_BGP_BAD_PREFIX' });
  t.equal(atomic.size, 0, 'a bad advertisement changes nothing');
  t.equal(atomic.pendingPrefixes, 0);
  t.throws(() => atomic.withdraw({ prefix: 5 as unknown as string }), { code: 'ERR_RIB_BAD_ADVERTISEMENT' });
});

t.test('`more` says whether prefixes of the view\'s families still wait', async (t) => {
  const rib = new AdjRibOut();
  rib.announce([...v4s(3000), ...v6s(2)].map((prefix) => ({ prefix })));
  const only4 = view({ afis: new Set([1]) });
  const first = rib.drain(only4, 4000);
  t.equal(first.more, true, 'the budget ran out: IPv4 prefixes wait');
  let last = first;
  for (let i = 0; i < 100 && last.more; i++) last = rib.drain(only4, 4000);
  t.equal(last.more, false, 'only IPv6 prefixes are left: nothing more for this view');
  t.equal(rib.pendingPrefixes, 2, 'they are still pending');
  const again = rib.drain(only4, 4000);
  t.same([again.messages.length, again.more], [0, false], 'a drain with nothing sendable is empty and says so');
  const all = rib.drain(view(), BIG);
  t.same([all.announced, all.more], [2, false]);
});

t.test('extra communities (graceful shutdown) change what was sent', async (t) => {
  const rib = new AdjRibOut();
  rib.announce({ prefix: '192.0.2.0/24', communities: ['65000:1'] });
  drainAll(rib, view());
  rib.resync();
  const s = drainAll(rib, view({ extraCommunities: [0xffff0000] }));
  t.same(findAttribute(s.messages[0]!.attributes, 'COMMUNITIES')?.communities, [0xfde80001, 0xffff0000]);
  rib.resync();
  t.equal(drainAll(rib, view({ extraCommunities: [0xffff0000] })).messages.length, 1, 'a resync always re-sends');
});
