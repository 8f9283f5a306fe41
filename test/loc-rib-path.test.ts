/**
 * The Loc-RIB's shared paths and interned path sets: set identity through add / remove /
 * replace, the outcome carried by a set, forgetting sets no prefix holds (and bringing one back
 * from a memo), the stand-in (twin) of a path, content equality.
 */
import t from 'tap';
import { candidatePath, type PeerDescriptor } from '../src/rib/decision-process.js';
import { LocPath, PathSet, PathSets, bestOf, deepEqual, hopsOf, memberLike, samePeer } from '../src/rib/loc-rib-path.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';

const peer = (n: number): PeerDescriptor => ({ peerAddress: `192.0.${2 + (n >> 8)}.${n & 255}`, peerAs: 65001, localAs: 64512, routerId: `10.0.${n >> 8}.${n & 255}`, ibgp: false });
const attrs: PathAttribute[] = [{ type: 'ORIGIN', origin: 0 }, { type: 'AS_PATH', segments: [{ type: 2, asns: [65001] }] }];
const path = (n: number, pathId = 0, a: readonly PathAttribute[] = attrs): LocPath => {
  const p = peer(n);
  return new LocPath(candidatePath({ peer: p, attributes: a, nextHop: p.peerAddress, pathId }), 1, 1, [p.peerAddress], a, false);
};

t.test('sets: interned, decided once, transitions memoised', async (t) => {
  const sets = new PathSets({ maximumPaths: 8 });
  const [a, b, c] = [path(1), path(2), path(3)];
  const ab = sets.add(a, b) as PathSet;
  t.ok(ab instanceof PathSet);
  t.equal(sets.add(a, b), ab, 'memo');
  t.equal(sets.add(b, a), ab, 'interned whatever the order');
  t.equal(ab.best, a, 'lower router id');
  t.equal(ab.decidedBy, 'routerId');
  t.same(ab.hops.map((h) => h.nextHop), ['192.0.2.1', '192.0.2.2']);
  const abc = sets.add(ab, c) as PathSet;
  t.equal(abc.members.length, 3);
  t.equal(sets.remove(abc, b), sets.add(a, c), 'remove from three');
  t.equal(sets.remove(abc, b), sets.add(a, c), 'memo');
  t.equal(sets.remove(ab, a), b);
  t.equal(sets.remove(a, a), undefined);
  t.equal(sets.replace(a, a, c), c);
  t.equal(sets.replace(abc, a, path(4)).constructor, PathSet);
  t.equal(bestOf(undefined), undefined);
  t.equal(bestOf(a), a);
  t.same(hopsOf(undefined), []);
  t.equal(memberLike(undefined, a), undefined);
  t.equal(memberLike(abc, path(3)), c, 'by peer and path id');
  t.equal(memberLike(abc, path(9)), undefined);
});

t.test('sets no prefix holds are forgotten; a memo brings one back', async (t) => {
  const sets = new PathSets({});
  const a = path(1);
  const b = path(2);
  const ab = sets.add(a, b) as PathSet;
  sets.retain(ab);
  sets.retain(ab);
  sets.release(ab);
  t.equal(ab.dead, false, 'still held');
  sets.release(ab);
  t.equal(ab.dead, true, 'forgotten');
  t.equal(sets.size, 0);
  t.equal(sets.add(a, b), ab, "a's memo: the same set, live again");
  t.equal(ab.dead, false);
  sets.retain(ab);
  sets.release(ab);
  const again = sets.add(b, a);
  t.not(again, ab, 'interned anew from the other side');
  t.equal(sets.add(a, b), again, "a's memo finds the live one");
  // transitions that nobody holds pile up, then are dropped
  const base = sets.add(path(5), path(6)) as PathSet;
  sets.retain(base);
  for (let i = 0; i < 1100; i++) sets.add(base, path(100 + i));
  t.ok(sets.size < 1100, `dropped now and then (${sets.size} left)`);
  t.equal(base.dead, false, 'a held set stays');
});

t.test('twins and content equality', async (t) => {
  const a = path(1);
  const tw = a.twin(true);
  t.equal(tw.root, a);
  t.equal(tw.stale, true);
  t.equal(a.twin(true), tw, 'shared while it fits');
  t.not(a.twin(false), tw, 'another stale flag');
  const fresh = a.twin(false);
  fresh.drain = { left: 1 };
  t.not(a.twin(false), fresh, 'not one a job holds');
  t.equal(tw.sameContent(a), true, 'same root');
  t.equal(path(1).sameContent(a), true, 'equal content');
  t.equal(path(1, 0, [attrs[0]!]).sameContent(a), false);
  t.equal(path(1, 2).sameContent(a), false, 'path id');
  t.equal(samePeer(peer(1), { ...peer(1), localPref: 5 }), false);
  t.equal(deepEqual(new Uint8Array([1]), [1]), false);
  t.equal(deepEqual({ a: 1 }, { a: 1, b: 2 }), false);
  t.equal(a.hops, a.hops, 'hops built once');
});
