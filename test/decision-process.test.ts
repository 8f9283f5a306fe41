/**
 * The RFC 4271 s9.1 decision process: each tie-breaking step deciding on its own, ties falling
 * through to the next step, the defaults (LOCAL_PREF 100, MED 0), RFC 4456 ORIGINATOR_ID and
 * CLUSTER_LIST, MED non-transitivity handled by set elimination, and the multipath rules.
 */
import t, { type Test } from 'tap';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import type { AsPathSegment } from '../src/bgp/codec/attributes/as-path-segments.js';
import {
  type CandidatePath,
  type DecisionOptions,
  type PeerDescriptor,
  addressKey,
  candidatePath,
  compareRoutes,
  DECISION_STEPS,
  explainComparison,
  lossReason,
  medComparable,
  multipathEqual,
  selectBest,
  selectMultipath,
} from '../src/rib/decision-process.js';

interface Spec {
  peer?: Partial<PeerDescriptor>;
  ibgp?: boolean;
  localPref?: number;
  /** AS_SEQUENCE, or explicit segments. */
  asPath?: number[] | AsPathSegment[];
  origin?: 0 | 1 | 2 | null;
  med?: number;
  originatorId?: string;
  clusterList?: string[];
  nextHop?: string;
  pathId?: number;
  igpCost?: number;
  extra?: PathAttribute[];
}

/** A candidate path; by default eBGP from 192.0.2.1 (AS 65001, router id 10.0.0.1), path "65001", ORIGIN IGP. */
function cand(s: Spec = {}, options: DecisionOptions = {}): CandidatePath {
  const ibgp = s.ibgp ?? false;
  const peer: PeerDescriptor = { peerAddress: '192.0.2.1', peerAs: ibgp ? 65000 : 65001, localAs: 65000, routerId: '10.0.0.1', ibgp, ...s.peer };
  const attrs: PathAttribute[] = [];
  if (s.origin !== null) attrs.push({ type: 'ORIGIN', origin: s.origin ?? 0 });
  const path = s.asPath ?? (ibgp ? [] : [peer.peerAs]);
  const segments = path.length > 0 && typeof path[0] === 'number' ? [{ type: 2 as const, asns: path as number[] }] : (path as AsPathSegment[]);
  attrs.push({ type: 'AS_PATH', segments });
  if (s.med !== undefined) attrs.push({ type: 'MULTI_EXIT_DISC', med: s.med });
  if (s.localPref !== undefined) attrs.push({ type: 'LOCAL_PREF', localPref: s.localPref });
  if (s.originatorId !== undefined) attrs.push({ type: 'ORIGINATOR_ID', originatorId: s.originatorId });
  if (s.clusterList !== undefined) attrs.push({ type: 'CLUSTER_LIST', clusterList: s.clusterList });
  attrs.push(...(s.extra ?? []));
  return candidatePath({ peer, attributes: attrs, nextHop: s.nextHop ?? peer.peerAddress, pathId: s.pathId, igpCost: s.igpCost }, options);
}

/** Checks that `a` beats `b` at `step`, both ways round, pairwise and as a set. */
function decides(t: Test, a: CandidatePath, b: CandidatePath, step: string, options: DecisionOptions = {}): void {
  t.same(explainComparison(a, b, options), { winner: a, step }, `pairwise: a wins at ${step}`);
  t.same(explainComparison(b, a, options), { winner: a, step }, 'either order');
  t.equal(compareRoutes(a, b, options), -1);
  t.equal(compareRoutes(b, a, options), 1);
  const sel = selectBest([b, a], options);
  t.equal(sel.best, a, 'set selection agrees');
  t.equal(sel.step, step);
  t.equal(sel.lostAt.get(b), step);
}

t.test('candidate inputs: defaults and attribute reading', async (t) => {
  const ib = cand({ ibgp: true });
  t.equal(ib.localPref, 100, 'iBGP without LOCAL_PREF: 100');
  t.equal(cand({ ibgp: true }, { defaultLocalPref: 70 }).localPref, 70, 'configured default');
  t.equal(cand({ ibgp: true, localPref: 250 }).localPref, 250, 'iBGP: the attribute');
  t.equal(cand({ localPref: 250 }).localPref, 100, 'eBGP: LOCAL_PREF attribute ignored (RFC 4271 s5.1.5)');
  t.equal(cand({ localPref: 250 }, { defaultLocalPref: 80 }).localPref, 80);
  t.equal(cand({ peer: { localPref: 300 } }).localPref, 300, 'eBGP: the configured value');
  t.equal(cand({ ibgp: true, localPref: 250, peer: { localPref: 120 } }).localPref, 120, 'configured value overrides the attribute');
  t.equal(cand().med, undefined, 'missing MED kept as undefined');
  t.equal(cand({ origin: null }).origin, 2, 'missing ORIGIN reads as INCOMPLETE');
  const noPath = candidatePath({ peer: { peerAddress: '192.0.2.1', peerAs: 65000, localAs: 65000, routerId: '1.1.1.1', ibgp: true }, attributes: [] });
  t.same([noPath.asPathLength, noPath.neighborAs, noPath.pathId, noPath.nextHop], [0, 65000, 0, undefined], 'no AS_PATH: empty, neighbour AS is ours');
  t.equal(cand({ asPath: [{ type: 1, asns: [65005, 65006] }] }).neighborAs, 65000, 'leading AS_SET: neighbour AS is ours (s9.1.2.2 c)');
  t.equal(cand({ asPath: [{ type: 3, asns: [65010] }, { type: 2, asns: [65020] }] }).neighborAs, 65010, 'confederation sequence: the member AS');
  t.equal(cand({ asPath: [65001, 65002, 65003] }).neighborAs, 65001, 'leftmost AS');
  t.equal(cand({ asPath: [{ type: 2, asns: [1, 2] }, { type: 1, asns: [3, 4, 5] }, { type: 3, asns: [6, 7] }, { type: 4, asns: [8] }] }).asPathLength, 3, 'AS_SET counts 1, confederation segments 0');
  t.equal(cand({ clusterList: ['1.1.1.1', '2.2.2.2'] }).clusterListLength, 2);
  t.equal(cand({ originatorId: '9.9.9.9' }).bgpIdentifier, 0x09090909, 'ORIGINATOR_ID replaces the BGP Identifier (RFC 4456 s9)');
  t.equal(cand().bgpIdentifier, 0x0a000001);
});

t.test('invalid candidate input throws ERR_RIB_INVALID_ARGUMENT', async (t) => {
  t.throws(() => cand({ peer: { routerId: 'router-1' } }), { code: 'ERR_RIB_INVALID_ARGUMENT', message: /routerId/ });
  t.throws(() => cand({ originatorId: '1.2.3' }), { code: 'ERR_RIB_INVALID_ARGUMENT', message: /ORIGINATOR_ID/ });
  t.throws(() => cand({ peer: { peerAddress: 'peer-a' } }), { code: 'ERR_RIB_INVALID_ARGUMENT', message: /IP address/ });
  t.throws(() => addressKey('10.0.0.256'), { code: 'ERR_RIB_INVALID_ARGUMENT' });
});

t.test('addressKey orders IPv4 before IPv6, numerically', async (t) => {
  t.ok(addressKey('10.0.0.9') < addressKey('10.0.0.10'), 'numeric, not text order');
  t.ok(addressKey('255.255.255.255') < addressKey('::1'));
  t.equal(addressKey('2001:db8::1'), '620010db8000000000000000000000001');
});

t.test('each step decides, and ties fall through to the next', async (t) => {
  // a) LOCAL_PREF (s9.1.1): higher wins even against a shorter AS_PATH
  decides(t, cand({ ibgp: true, localPref: 200, asPath: [1, 2, 3] }), cand({ ibgp: true, peer: { peerAddress: '192.0.2.0' }, asPath: [1] }), 'localPref');
  decides(t, cand({ ibgp: true }), cand({ ibgp: true, localPref: 99, peer: { peerAddress: '192.0.2.0' } }), 'localPref', {});
  decides(t, cand({ ibgp: true, localPref: 101 }), cand({ ibgp: true, peer: { peerAddress: '192.0.2.0' } }), 'localPref', {});
  // b) AS_PATH length: an AS_SET of three counts as one
  decides(t, cand({ asPath: [{ type: 2, asns: [65001] }, { type: 1, asns: [7, 8, 9] }] }), cand({ asPath: [65001, 7, 8], peer: { routerId: '1.1.1.1' } }), 'asPathLength');
  decides(t, cand({ asPath: [{ type: 3, asns: [65010, 65011] }, { type: 2, asns: [65001] }] }), cand({ asPath: [65001, 65002], peer: { routerId: '1.1.1.1' } }), 'asPathLength');
  // c) ORIGIN: IGP < EGP < INCOMPLETE
  decides(t, cand({ origin: 0 }), cand({ origin: 1, peer: { routerId: '1.1.1.1' } }), 'origin');
  decides(t, cand({ origin: 1 }), cand({ origin: 2, peer: { routerId: '1.1.1.1' } }), 'origin');
  decides(t, cand({ origin: 1 }), cand({ origin: null, peer: { routerId: '1.1.1.1' } }), 'origin');
  // d) MED among paths from the same neighbour AS; missing MED = 0
  decides(t, cand({ med: 10 }), cand({ med: 20, peer: { routerId: '1.1.1.1', peerAddress: '192.0.2.0' } }), 'med');
  decides(t, cand(), cand({ med: 1, peer: { routerId: '1.1.1.1' } }), 'med');
  // e) eBGP over iBGP
  decides(t, cand({ asPath: [65001] }), cand({ ibgp: true, asPath: [65001], peer: { routerId: '1.1.1.1' } }), 'ebgpOverIbgp');
  // f) IGP cost, when both know it
  decides(t, cand({ igpCost: 5 }), cand({ igpCost: 10, peer: { routerId: '1.1.1.1' } }), 'igpCost');
  // g) BGP Identifier, ORIGINATOR_ID in its place
  decides(t, cand({ peer: { routerId: '10.0.0.1' } }), cand({ peer: { routerId: '10.0.0.2', peerAddress: '192.0.2.0' } }), 'routerId');
  decides(t, cand({ ibgp: true, originatorId: '1.1.1.1', peer: { routerId: '10.0.0.9' } }), cand({ ibgp: true, peer: { routerId: '2.2.2.2', peerAddress: '192.0.2.0' } }), 'routerId');
  // h) CLUSTER_LIST length (RFC 4456 s9)
  decides(t, cand({ ibgp: true, originatorId: '1.1.1.1', clusterList: ['9.9.9.9'] }), cand({ ibgp: true, originatorId: '1.1.1.1', clusterList: ['9.9.9.9', '8.8.8.8'], peer: { peerAddress: '192.0.2.0' } }), 'clusterListLength');
  // i) peer address
  decides(t, cand({ peer: { peerAddress: '192.0.2.9' } }), cand({ peer: { peerAddress: '192.0.2.10' } }), 'peerAddress');
  decides(t, cand({ peer: { peerAddress: '192.0.2.9' } }), cand({ peer: { peerAddress: '2001:db8::1' } }), 'peerAddress');
  // j) ADD-PATH: several paths of one peer
  decides(t, cand({ pathId: 1 }), cand({ pathId: 2 }), 'pathId');
});

t.test('steps that do not apply fall through', async (t) => {
  // MED differs but the neighbour ASes differ: not compared, the BGP Identifier decides
  const a = cand({ med: 500, peer: { routerId: '1.1.1.1' } });
  const b = cand({ med: 0, asPath: [65002], peer: { peerAs: 65002, routerId: '2.2.2.2', peerAddress: '192.0.2.0' } });
  t.notOk(medComparable(a, b));
  decides(t, a, b, 'routerId');
  // always-compare-med: now MED decides
  t.ok(medComparable(a, b, { alwaysCompareMed: true }));
  decides(t, b, a, 'med', { alwaysCompareMed: true });
  // IGP cost known for one path only: skipped
  decides(t, cand({ igpCost: 100, peer: { routerId: '1.1.1.1' } }), cand({ peer: { routerId: '2.2.2.2' } }), 'routerId');
  const sel = selectBest([cand({ igpCost: 1, peer: { routerId: '3.3.3.3' } }), cand({ igpCost: 9, peer: { routerId: '2.2.2.2', peerAddress: '192.0.2.2' } }), cand({ peer: { routerId: '1.1.1.1', peerAddress: '192.0.2.3' } })]);
  t.equal(sel.step, 'routerId', 'set: the IGP cost step is skipped when one path has no cost');
  t.equal(sel.best!.peer.routerId, '1.1.1.1');
});

t.test('equal paths, one path, no paths', async (t) => {
  const a = cand();
  const b = cand();
  t.same(explainComparison(a, b), { winner: undefined, step: undefined });
  t.equal(compareRoutes(a, b), 0);
  const dup = selectBest([a, b]);
  t.equal(dup.best, a, 'identical candidates: the first');
  t.equal(dup.step, 'pathId');
  t.same(selectBest([]), { best: undefined, step: undefined, lostAt: new Map() });
  const one = selectBest([a]);
  t.equal(one.best, a);
  t.equal(one.step, undefined, 'the only path is not decided by a step');
  t.same(DECISION_STEPS, ['localPref', 'asPathLength', 'origin', 'med', 'ebgpOverIbgp', 'igpCost', 'routerId', 'clusterListLength', 'peerAddress', 'pathId']);
});

t.test('MED is not transitive: selection eliminates over the set (RFC 4271 s9.1.2.2 c)', async (t) => {
  // A and B from AS 65001 (B has the lower MED), C from AS 65002.
  const A = cand({ med: 100, asPath: [65001], peer: { routerId: '1.1.1.1', peerAddress: '192.0.2.1' } });
  const B = cand({ med: 50, asPath: [65001], peer: { routerId: '1.1.1.3', peerAddress: '192.0.2.2' } });
  const C = cand({ med: 0, asPath: [65002], peer: { peerAs: 65002, routerId: '1.1.1.2', peerAddress: '192.0.2.3' } });
  // Pairwise the order is a cycle: B > A (MED), A > C (router id), C > B (router id).
  t.same(explainComparison(A, B), { winner: B, step: 'med' });
  t.same(explainComparison(A, C), { winner: A, step: 'routerId' });
  t.same(explainComparison(B, C), { winner: C, step: 'routerId' });
  // A pairwise "best so far" scan depends on the order the paths arrive in ...
  const scan = (xs: CandidatePath[]): CandidatePath => xs.reduce((best, x) => (compareRoutes(x, best) < 0 ? x : best));
  t.not(scan([A, B, C]), scan([C, A, B]), 'pairwise scanning is order dependent');
  // ... set elimination does not: MED removes A (B has a lower MED from the same AS), then C beats B.
  for (const order of [[A, B, C], [A, C, B], [B, A, C], [B, C, A], [C, A, B], [C, B, A]]) {
    const sel = selectBest(order);
    t.equal(sel.best, C, 'C in every order');
    t.equal(sel.step, 'routerId');
    t.equal(sel.lostAt.get(A), 'med');
    t.equal(sel.lostAt.get(B), 'routerId');
  }
  // with always-compare-med MED is transitive: C (MED 0) wins at the MED step
  const always = selectBest([A, B, C], { alwaysCompareMed: true });
  t.equal(always.best, C);
  t.equal(always.step, 'med');
  t.equal(always.lostAt.get(B), 'med');
});

t.test('MED: the minimum is kept per neighbour AS, several paths may tie', async (t) => {
  const x1 = cand({ med: 5, peer: { peerAddress: '192.0.2.11', routerId: '3.0.0.1' } });
  const x2 = cand({ med: 5, peer: { peerAddress: '192.0.2.12', routerId: '3.0.0.2' } });
  const x3 = cand({ med: 7, peer: { peerAddress: '192.0.2.13', routerId: '1.0.0.1' } });
  const y = cand({ med: 9, asPath: [65009], peer: { peerAs: 65009, peerAddress: '192.0.2.14', routerId: '3.0.0.3' } });
  const sel = selectBest([x3, y, x2, x1]);
  t.equal(sel.best, x1);
  t.equal(sel.lostAt.get(x3), 'med', 'x3 lost to x1/x2, although its router id is the lowest');
  t.equal(sel.lostAt.get(y), 'routerId', 'y (other AS) survived the MED step');
  t.equal(sel.lostAt.get(x2), 'routerId');
});

t.test('multipathEqual', async (t) => {
  const best = cand({ peer: { peerAddress: '192.0.2.1' } });
  const sameAs = cand({ peer: { peerAddress: '192.0.2.2', routerId: '10.0.0.2' } });
  t.ok(multipathEqual(best, sameAs), 'same AS_PATH, equal through MED');
  const otherAs = cand({ asPath: [65002], peer: { peerAs: 65002, peerAddress: '192.0.2.3' } });
  t.notOk(multipathEqual(best, otherAs), 'different AS_PATH without relax');
  t.ok(multipathEqual(best, otherAs, { asPathMultipathRelax: true }), 'relax: equal length is enough');
  t.notOk(multipathEqual(best, cand({ asPath: [65002, 65003] }), { asPathMultipathRelax: true }), 'relax still needs equal length');
  t.notOk(multipathEqual(best, cand({ asPath: [65001] , ibgp: true })), 'eBGP and iBGP do not mix');
  t.notOk(multipathEqual(best, cand({ med: 3 })), 'MED differs (same AS)');
  t.ok(multipathEqual(cand({ med: 3 }), cand({ med: 8, asPath: [65002], peer: { peerAs: 65002 } }), { asPathMultipathRelax: true }), 'MED of another AS is not comparable: no obstacle');
  t.notOk(multipathEqual(best, cand({ origin: 1 })), 'ORIGIN differs');
  t.notOk(multipathEqual(best, cand({ peer: { localPref: 120 } })), 'LOCAL_PREF differs');
  t.notOk(multipathEqual(cand({ igpCost: 1 }), cand({ igpCost: 2 })), 'IGP cost differs');
  t.notOk(multipathEqual(best, cand({ asPath: [{ type: 2, asns: [65009] }] })), 'same length, other content');
  t.notOk(multipathEqual(best, cand({ asPath: [{ type: 1, asns: [65001] }] })), 'same ASNs, other segment type');
  t.notOk(multipathEqual(cand({ asPath: [1, 2] }), cand({ asPath: [{ type: 2, asns: [1] }, { type: 2, asns: [2] }] })), 'same length, other segmentation');
  t.ok(multipathEqual(best, { ...best, peer: { ...best.peer, peerAddress: '192.0.2.77' } }), 'one shared AS_PATH (paths of one UPDATE)');
  t.ok(multipathEqual(cand({ ibgp: true }), cand({ ibgp: true, peer: { peerAddress: '192.0.2.7' } })), 'iBGP, both empty paths');
});

t.test('selectMultipath: limits, order, next-hop dedup', async (t) => {
  const p = (last: number, nextHop?: string): CandidatePath => cand({ peer: { peerAddress: `192.0.2.${last}`, routerId: `10.0.0.${last}` }, nextHop });
  const [p1, p2, p3, p4] = [p(1), p(20), p(3), p(4, '192.0.2.3')];
  const all = [p4, p2, p3, p1];
  t.same(selectMultipath(p1, all), [p1], 'default maximumPaths 1');
  t.same(selectMultipath(p1, all, { maximumPaths: 8 }), [p1, p3, p2], 'peer address order (numeric); p4 shares p3 next hop');
  t.same(selectMultipath(p1, all, { maximumPaths: 2 }), [p1, p3], 'limit');
  t.same(selectMultipath(p1, [p1, cand({ peer: { peerAddress: '192.0.2.9' }, nextHop: '192.0.2.1' })], { maximumPaths: 4 }), [p1], 'same next hop as the best');
  const noHop = candidatePath({ peer: { peerAddress: '192.0.2.8', peerAs: 65001, localAs: 65000, routerId: '1.1.1.1', ibgp: false }, attributes: [{ type: 'ORIGIN', origin: 0 }, { type: 'AS_PATH', segments: [{ type: 2, asns: [65001] }] }] });
  t.same(selectMultipath(p1, [p1, noHop], { maximumPaths: 4 }), [p1], 'no next hop: not a member');
  const i1 = cand({ ibgp: true, peer: { peerAddress: '192.0.2.1' } });
  const i2 = cand({ ibgp: true, peer: { peerAddress: '192.0.2.2' } });
  const i3 = cand({ ibgp: true, peer: { peerAddress: '192.0.2.3' } });
  t.same(selectMultipath(i1, [i1, i2, i3], { maximumPaths: 4 }), [i1, i2, i3], 'iBGP: maximumPaths when maximumPathsIbgp is unset');
  t.same(selectMultipath(i1, [i1, i2, i3], { maximumPaths: 4, maximumPathsIbgp: 2 }), [i1, i2], 'iBGP: maximumPathsIbgp');
  t.same(selectMultipath(p1, all, { maximumPaths: 1, maximumPathsIbgp: 4 }), [p1], 'eBGP best: maximumPathsIbgp does not apply');
  const a1 = cand({ pathId: 1, nextHop: '198.51.100.1' });
  const a2 = cand({ pathId: 2, nextHop: '198.51.100.2' });
  const a0 = cand({ pathId: 0, nextHop: '198.51.100.3', peer: { peerAddress: '192.0.2.0' } });
  t.same(selectMultipath(a0, [a2, a1, a0], { maximumPaths: 4 }), [a0, a1, a2], 'ADD-PATH paths of one peer: by path id');
});

t.test('lossReason', async (t) => {
  for (const s of DECISION_STEPS) t.match(lossReason(s), /\w/);
  t.equal(lossReason('med'), 'higher MULTI_EXIT_DISC than a path from the same neighbour AS');
  t.equal(lossReason('med', { alwaysCompareMed: true }), 'higher MULTI_EXIT_DISC');
  t.equal(lossReason('localPref'), 'lower LOCAL_PREF');
});
