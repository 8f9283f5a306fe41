/**
 * LocRib.applyUpdate: a whole decoded UPDATE at once (NLRI, withdrawn, MP_REACH / MP_UNREACH,
 * ADD-PATH, RFC 7606 treat-as-withdraw), checked against the same routes fed one by one through
 * update / withdraw (same views, same events); the path shared across UPDATEs; markStale; input
 * validation without partial changes; peerDown over prefixes with several paths.
 */
import t from 'tap';
import { codecContext } from '../src/bgp/codec/context.js';
import { type UpdateMessage, decodeUpdate, encodeUpdate } from '../src/bgp/codec/update.js';
import type { UpdateDiagnostic } from '../src/bgp/codec/update-diagnostic.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import type { PeerDescriptor } from '../src/rib/decision-process.js';
import { LocRib } from '../src/rib/loc-rib.js';
import { mulberry32 } from '../src/testing/random-updates.js';

const peers: PeerDescriptor[] = [1, 2, 3, 4].map((n) => ({ peerAddress: `192.0.2.${n}`, peerAs: 65000 + (n % 2), localAs: 64512, routerId: `10.0.0.${n}`, ibgp: n === 4 }));
const V4 = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '10.1.2.4/32', '0.0.0.0/0'];
const V6 = ['2001:db8::/32', '2001:db8:1::/48', '2001:db8:1:2::/64'];

function attrs(i: number): PathAttribute[] {
  return [
    { type: 'ORIGIN', origin: (i % 2) as 0 | 1 },
    { type: 'AS_PATH', segments: [{ type: 2, asns: i % 3 === 0 ? [65000] : [65001, 65002].slice(0, 1 + (i % 2)) }] },
    ...(i % 4 === 1 ? [{ type: 'MULTI_EXIT_DISC', med: i } as PathAttribute] : []),
  ];
}

const TAW: UpdateDiagnostic[] = [{ action: 'treat-as-withdraw', code: 'ERR_BGP_MISSING_WELL_KNOWN_ATTRIBUTE', message: 'x', rfc: 'RFC 7606', offset: 0 } as unknown as UpdateDiagnostic];

/** A random UPDATE: some withdrawals, some IPv4 NLRI, maybe MP_REACH / MP_UNREACH for IPv6. */
function randomUpdate(rnd: () => number, addPath: boolean): UpdateMessage {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const some = (xs: readonly string[]): { prefix: string; pathId: number }[] => xs.filter(() => rnd() < 0.3).map((prefix) => ({ prefix, pathId: addPath ? 1 + Math.floor(rnd() * 2) : 0 }));
  const list = (afi: 1 | 2, xs: { prefix: string; pathId: number }[]): PrefixList => PrefixList.from(afi, addPath ? xs : xs.map((x) => x.prefix), addPath);
  const a: PathAttribute[] = attrs(Math.floor(rnd() * 6));
  const nlri = some(V4);
  if (nlri.length > 0 && rnd() < 0.9) a.push({ type: 'NEXT_HOP', nextHop: pick(['192.0.2.1', '192.0.2.2', '192.0.2.3']) });
  if (rnd() < 0.4) a.push({ type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: rnd() < 0.1 ? [] : [pick(['2001:db8::1', '2001:db8::2'])], nlri: list(2, some(V6)) });
  if (rnd() < 0.3) a.push({ type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: list(2, some(V6)) });
  const u: UpdateMessage = { type: 'UPDATE', withdrawn: list(1, some(V4)), attributes: a, nlri: list(1, nlri) };
  return rnd() < 0.1 ? { ...u, diagnostics: TAW } : u;
}

/** The same UPDATE route by route, as the Adj-RIB-In would hand it over. */
function feed(rib: LocRib, peer: PeerDescriptor, u: UpdateMessage): void {
  const taw = u.diagnostics !== undefined;
  const base = u.attributes.filter((a) => a.type !== 'MP_REACH_NLRI' && a.type !== 'MP_UNREACH_NLRI');
  const out = (list: PrefixList, safi: number): void => {
    for (let i = 0; i < list.length; i++) rib.withdraw(peer, { afi: list.afi, safi, prefix: list.text(i), pathId: list.pathId(i) });
  };
  const into = (list: PrefixList, safi: number, nextHop: readonly string[]): void => {
    if (taw || nextHop.length === 0) return out(list, safi);
    for (let i = 0; i < list.length; i++) rib.update(peer, { afi: list.afi, safi, prefix: list.text(i), pathId: list.pathId(i), nextHop, attributes: base });
  };
  out(u.withdrawn, 1);
  for (const a of u.attributes) if (a.type === 'MP_UNREACH_NLRI' && 'withdrawn' in a) out(a.withdrawn, a.safi);
  const nh = base.find((a) => a.type === 'NEXT_HOP');
  into(u.nlri, 1, nh === undefined ? [] : [nh.nextHop]);
  for (const a of u.attributes) if (a.type === 'MP_REACH_NLRI' && 'nlri' in a) into(a.nlri, a.safi, a.nextHop);
}

function log(rib: LocRib): string[] {
  const out: string[] = [];
  rib.on('bestPathChanged', (e) => out.push(JSON.stringify(['best', e.prefix, e.previous, e.current])));
  rib.on('multipathChanged', (e) => out.push(JSON.stringify(['mp', e.prefix, e.previous, e.current])));
  return out;
}

for (const [name, options] of [
  ['single path', {}],
  ['multipath 4, relaxed', { maximumPaths: 4, asPathMultipathRelax: true }],
] as const) {
  t.test(`applyUpdate agrees with update/withdraw route by route (${name})`, async (t) => {
    for (const addPath of [false, true]) {
      const rnd = mulberry32(addPath ? 7 : 3);
      const bulk = new LocRib(options);
      const each = new LocRib(options);
      const lb = log(bulk);
      const le = log(each);
      for (let i = 0; i < 400; i++) {
        const peer = peers[Math.floor(rnd() * peers.length)]!;
        if (rnd() < 0.03) {
          t.equal(bulk.peerDown(peer), each.peerDown(peer));
        } else {
          const u = randomUpdate(rnd, addPath);
          bulk.applyUpdate(peer, u);
          feed(each, peer, u);
        }
        // one UPDATE's events may come in another order than route by route, never others
        t.same([...lb].sort(), [...le].sort(), `events of step ${i}`);
        lb.length = 0;
        le.length = 0;
        for (const q of [...V4, ...V6, '10.1.2.9', '2001:db8:1:2::7']) t.same(bulk.routes(q), each.routes(q), `${q} at step ${i}`);
        t.equal(bulk.pathCount, each.pathCount);
        t.equal(bulk.size, each.size);
      }
    }
  });
}

function update(prefixes: string[], attributes: PathAttribute[], withdrawn: string[] = []): UpdateMessage {
  return { type: 'UPDATE', withdrawn: PrefixList.from(1, withdrawn), attributes, nlri: PrefixList.from(1, prefixes) };
}

t.test('counts, treat-as-withdraw, no next hop, the path shared across UPDATEs', async (t) => {
  const rib = new LocRib();
  const ev = log(rib);
  const a = peers[0]!;
  const nh: PathAttribute[] = [...attrs(0), { type: 'NEXT_HOP', nextHop: '192.0.2.1' }];
  t.same(rib.applyUpdate(a, update(['10.0.0.0/8', '10.1.0.0/16'], nh)), { announced: 2, withdrawn: 0 });
  t.equal(ev.length, 4);
  ev.length = 0;
  t.same(rib.applyUpdate(a, update(['10.0.0.0/8'], nh)), { announced: 1, withdrawn: 0 }, 'the same attribute list again');
  t.same(ev, [], 'no events');
  t.same(rib.applyUpdate(a, update(['10.0.0.0/8'], structuredClone(nh))), { announced: 1, withdrawn: 0 }, 'an equal list');
  t.same(ev, [], 'no events');
  t.same(rib.applyUpdate(a, { ...update(['10.0.0.0/8'], nh), diagnostics: TAW }), { announced: 0, withdrawn: 1 }, 'treat-as-withdraw');
  t.same(rib.applyUpdate(a, update(['10.1.0.0/16', '10.2.0.0/16'], attrs(0))), { announced: 0, withdrawn: 1 }, 'no NEXT_HOP: withdrawn');
  t.equal(rib.size, 0);
  t.same(rib.applyUpdate(a, update([], [], ['10.9.0.0/16'])), { announced: 0, withdrawn: 0 }, 'unknown withdrawal');
  // an UPDATE decoded from the wire, twice: the codec interns the attribute list
  const ctx = codecContext({ external: true });
  const wire = encodeUpdate(update(['198.51.100.0/24', '203.0.113.0/24'], nh), ctx);
  rib.applyUpdate(a, decodeUpdate(wire, ctx));
  rib.applyUpdate(a, decodeUpdate(wire, ctx));
  ev.length = 0;
  rib.applyUpdate(a, decodeUpdate(wire, ctx));
  t.same(ev, [], 'decoded again: no events');
  t.equal(rib.routes('203.0.113.1')!.best.nextHop[0], '192.0.2.1');
  // an MP_REACH without decoded NLRI (another family) is skipped
  const raw = { type: 'MP_REACH_NLRI', afi: 25, safi: 65, nextHopData: new Uint8Array(4), nlriData: new Uint8Array(0) } as unknown as PathAttribute;
  t.same(rib.applyUpdate(a, update([], [...attrs(0), raw])), { announced: 0, withdrawn: 0 });
});

t.test('a path re-announced unchanged while stale or while a peerDown job holds it', async (t) => {
  const rib = new LocRib({ maximumPaths: 4 });
  const ev = log(rib);
  const [a, b] = peers;
  const nhA: PathAttribute[] = [...attrs(0), { type: 'NEXT_HOP', nextHop: '192.0.2.1' }];
  const nhB: PathAttribute[] = [...attrs(0), { type: 'NEXT_HOP', nextHop: '192.0.2.2' }];
  const v6: PathAttribute = { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: PrefixList.from(2, ['2001:db8::/32']) };
  rib.applyUpdate(a!, update(['10.0.0.0/8', '10.1.0.0/16'], [...nhA, v6]));
  rib.applyUpdate(b!, update(['10.0.0.0/8'], nhB));
  t.equal(rib.markStale(a!, [{ afi: 1, safi: 1 }]), 2, 'IPv4 only');
  t.equal(rib.markStale(a!, [{ afi: 1, safi: 1 }]), 0, 'already stale');
  t.equal(rib.routes('10.1.0.0/16')!.best.stale, true);
  t.equal(rib.routes('2001:db8::/32')!.best.stale, false);
  t.equal(rib.markStale('192.0.2.99'), 0, 'unknown peer');
  t.equal(rib.markStale(a!, [null as never]), 0, 'not a family: matches nothing');
  t.throws(() => rib.markStale(a!, 'x' as never), { code: 'ERR_RIB_INVALID_ARGUMENT' });
  ev.length = 0;
  rib.applyUpdate(a!, update(['10.0.0.0/8'], nhA));
  t.same(ev, [], 'fresh again without events');
  t.equal(rib.routes('10.0.0.0/8')!.paths.find((p) => p.peerAddress === '192.0.2.1')!.stale, false);
  t.equal(rib.routes('10.1.0.0/16')!.best.stale, true, 'the other prefix stays stale');
  t.equal(rib.markStale(a!), 2, 'all families: the IPv6 path and the fresh one');
  const job = rib.peerDownInSlices(a!);
  t.equal(job.remaining, 3);
  rib.applyUpdate(a!, update(['10.0.0.0/8'], nhA));
  t.same(ev, [], 'announced again while draining: kept, no events');
  t.equal(job.remaining, 2);
  t.equal(job.step(1), true);
  t.equal(job.step(100), false);
  t.equal(job.removed, 2);
  t.same(rib.routes('10.0.0.0/8')!.multipath.map((h) => h.nextHop), ['192.0.2.1', '192.0.2.2'], 'the re-announced path stayed');
  t.equal(rib.routes('10.1.0.0/16'), undefined);
  t.equal(rib.peerDown(a!), 1);
});

t.test('prefixes with many paths: removal from large sets, peerDown, set reuse', async (t) => {
  const rib = new LocRib({ maximumPaths: 8, asPathMultipathRelax: true });
  const many = Array.from({ length: 12 }, (_, i): PeerDescriptor => ({ peerAddress: `198.51.100.${i + 1}`, peerAs: 65100 + i, localAs: 64512, routerId: `10.9.0.${i + 1}`, ibgp: false }));
  const prefixes = Array.from({ length: 50 }, (_, i) => `10.${i}.0.0/16`);
  for (const p of many) rib.applyUpdate(p, update(prefixes, [{ type: 'ORIGIN', origin: 0 }, { type: 'AS_PATH', segments: [{ type: 2, asns: [p.peerAs] }] }, { type: 'NEXT_HOP', nextHop: p.peerAddress }]));
  t.equal(rib.pathCount, 600);
  t.equal(rib.routes('10.3.0.0/16')!.multipath.length, 8, 'maximumPaths');
  const ev = log(rib);
  for (const p of many.slice(0, 6)) rib.withdraw(p, { afi: 1, safi: 1, prefix: '10.0.0.0/16' });
  t.equal(rib.routes('10.0.0.0/16')!.paths.length, 6);
  for (const p of many.slice(2, 9)) t.equal(rib.peerDown(p), p.peerAs < 65106 ? 49 : 50, `${p.peerAddress} down`);
  t.equal(rib.routes('10.5.0.0/16')!.paths.length, 5);
  t.same(rib.routes('10.5.0.0/16')!.multipath.map((h) => h.nextHop), ['198.51.100.1', '198.51.100.2', '198.51.100.10', '198.51.100.11', '198.51.100.12']);
  t.equal(ev.filter((e) => e.startsWith('["mp","10.5.0.0/16"')).length, 7, 'one set change per peer gone from 10.5/16');
  for (const p of many) rib.peerDown(p);
  t.equal(rib.size, 0);
  t.equal(rib.pathCount, 0);
});

t.test('invalid UPDATEs throw before changing anything', async (t) => {
  const rib = new LocRib();
  const a = peers[0]!;
  const nh: PathAttribute[] = [...attrs(0), { type: 'NEXT_HOP', nextHop: '192.0.2.1' }];
  rib.applyUpdate(a, update(['10.0.0.0/8'], nh));
  const code = { code: 'ERR_RIB_INVALID_ARGUMENT' };
  const good = update(['10.1.0.0/16'], nh, ['10.0.0.0/8']);
  const bad: [string, unknown][] = [
    ['update must be', null],
    ['attributes', { ...good, attributes: 'x' }],
    ['update.withdrawn', { ...good, withdrawn: [] }],
    ['update.nlri', { ...good, nlri: { afi: 1, words: [] } }],
    ['inconsistent', { ...good, nlri: Object.assign(Object.create(PrefixList.prototype), { afi: 1, addPath: false, stride: 2, length: 3, words: [0, 8] }) }],
    ['prefix length', { ...good, nlri: new PrefixList(1, false, [0, 33]) }],
    ['prefix length', { ...good, nlri: new PrefixList(1, false, [0, 1.5]) }],
    ['IPv4 lists', { ...good, nlri: PrefixList.from(2, ['2001:db8::/32']) }],
    ['attribute objects', { ...good, attributes: [null] }],
    ['MP_REACH_NLRI.nlri', { ...good, attributes: [...nh, { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: new PrefixList(2, false, [0, 0, 0, 0, 129]) }] }],
    ['NEXT_HOP', { ...good, attributes: [...attrs(0), { type: 'NEXT_HOP', nextHop: 7 }] }],
    ['MP_REACH_NLRI.nextHop', { ...good, attributes: [...nh, { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: '2001:db8::1', nlri: PrefixList.from(2, ['2001:db8::/32']) }] }],
    ['MP_UNREACH_NLRI.withdrawn', { ...good, attributes: [...nh, { type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: 5 }] }],
    ['safi', { ...good, attributes: [...nh, { type: 'MP_REACH_NLRI', afi: 2, safi: 0, nextHop: ['2001:db8::1'], nlri: PrefixList.from(2, ['2001:db8::/32']) }] }],
    ['ORIGINATOR_ID', { ...good, attributes: [...nh, { type: 'ORIGINATOR_ID', originatorId: 'x' }] }],
  ];
  for (const [what, u] of bad) t.throws(() => rib.applyUpdate(a, u as UpdateMessage), { ...code, message: new RegExp(what) }, what);
  t.throws(() => rib.applyUpdate({ ...a, peerAs: -1 }, good), { ...code, message: /peerAs/ });
  t.equal(rib.routes('10.0.0.0/8')!.best.peerAddress, '192.0.2.1', 'nothing withdrawn');
  t.equal(rib.size, 1);
  t.throws(() => new LocRib(null as never), code);
  t.throws(() => new LocRib({ igpCost: 1 as never }), code);
  t.throws(() => rib.routes('10.0.0.1', 0), { ...code, message: /safi/ });
});

t.test('igpCost: read once per UPDATE path', async (t) => {
  const asked: string[] = [];
  const rib = new LocRib({ igpCost: (nh) => (asked.push(nh), 10) });
  const nh: PathAttribute[] = [...attrs(0), { type: 'NEXT_HOP', nextHop: '192.0.2.1' }];
  rib.applyUpdate(peers[0]!, update(['10.0.0.0/8', '10.1.0.0/16'], nh));
  rib.applyUpdate(peers[0]!, update(['10.2.0.0/16'], nh));
  t.same(asked, ['192.0.2.1', '192.0.2.1'], 'no caching across UPDATEs when costs are asked for');
  t.equal(rib.routes('10.2.0.0/16')!.best.igpCost, 10);
});

t.test('many prefixes: the table grows, shrinks and reuses slots', async (t) => {
  const rib = new LocRib();
  const a = peers[0]!;
  const nh: PathAttribute[] = [...attrs(0), { type: 'NEXT_HOP', nextHop: '192.0.2.1' }];
  const rnd = mulberry32(11);
  const present = new Set<number>();
  const text = (i: number): string => `10.${i >> 8}.${i & 255}.0/24`;
  for (let round = 0; round < 30; round++) {
    const chosen = new Set<number>();
    while (chosen.size < 300) chosen.add(Math.floor(rnd() * 3000));
    const add = [...chosen].filter((i) => !present.has(i));
    const del = [...chosen].filter((i) => present.has(i));
    for (const i of add) present.add(i);
    for (const i of del) present.delete(i);
    const mp: PathAttribute = { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: ['2001:db8::1'], nlri: PrefixList.from(2, add.map((i) => `2001:db8:${i.toString(16)}::/48`)) };
    const un: PathAttribute = { type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: PrefixList.from(2, del.map((i) => `2001:db8:${i.toString(16)}::/48`)) };
    rib.applyUpdate(a, update(add.map(text), [...nh, mp, un], del.map(text)));
  }
  const v4 = [...rib.prefixes()].filter((p) => p.afi === 1).map((p) => p.prefix);
  t.same(v4.sort(), [...present].map(text).sort(), 'IPv4 prefixes match the model');
  t.equal(rib.size, 2 * present.size, 'and as many IPv6 ones');
  for (const i of present) if (!rib.routes(text(i)) || !rib.routes(`2001:db8:${i.toString(16)}::1`)) t.fail(`${i} missing`);
  t.equal(rib.routes('10.200.0.0/24'), undefined);
  const total = rib.pathCount;
  t.equal(rib.peerDown(a), total, 'peerDown removes them all');
  t.equal(rib.size, 0);
  t.equal([...rib].length, 0);
});
