/**
 * RFC 4271 s9.2.1.1 MinRouteAdvertisementIntervalTimer per peer: the initial sync goes at once;
 * after a round of UPDATEs the next round (announcements and withdrawals) waits the interval, and
 * what changed meanwhile coalesces (only the last state goes out). 0 means no wait. Manual clock.
 */
import t from 'tap';
import { sessionPair, type LoggedEvent } from './helpers/session-pair.js';
import { BgpSession } from '../src/bgp/session/bgp-session.js';

/** Times and NLRI / withdrawn prefixes of the UPDATEs b received after `from`. */
function updates(log: readonly LoggedEvent[], from: number): { at: number; nlri: string[]; withdrawn: string[] }[] {
  const texts = (l: { length: number; text(i: number): string }): string[] => Array.from({ length: l.length }, (_, i) => l.text(i));
  return log.filter((e) => e.name === 'update' && e.at >= from).map((e) => ({ at: e.at, nlri: texts(e.payload.update.nlri), withdrawn: texts(e.payload.update.withdrawn) }));
}

t.test('MRAI 5 s: initial sync at once, later rounds spaced by 5 s, changes coalesce', async (t) => {
  const p = await sessionPair({ a: { minRouteAdvertisementIntervalSec: 5, families: ['ipv4-unicast'] }, b: { families: ['ipv4-unicast'] } });
  t.equal(p.a.config.minRouteAdvertisementIntervalSec, 5);
  p.a.announce({ prefix: '203.0.113.1/32' });
  p.advance(1000, 10);
  const t0 = p.clock.now();
  const first = updates(p.logB, 0);
  t.same(first.flatMap((u) => u.nlri), ['203.0.113.1/32'], 'the initial sync went out');
  const syncedAt = first[0]!.at;

  // a change right after: held until 5 s after the sync round
  p.a.announce({ prefix: '203.0.113.2/32' });
  p.advance(100, 10);
  t.same(updates(p.logB, t0), [], 'nothing within the interval');
  p.a.announce({ prefix: '203.0.113.3/32' });
  p.a.withdraw('203.0.113.2/32'); // never sent: nothing to withdraw
  p.a.withdraw('203.0.113.1/32');
  p.advance(5000, 10);
  const second = updates(p.logB, t0);
  t.same(second.flatMap((u) => u.nlri), ['203.0.113.3/32'], 'coalesced: .2 came and went unseen');
  t.same(second.flatMap((u) => u.withdrawn), ['203.0.113.1/32'], 'withdrawals wait too (RFC 4271: advertisement and/or withdrawal)');
  t.ok(second[0]!.at >= syncedAt + 5000, `held until the interval ended (${second[0]!.at - syncedAt} ms after the sync)`);
  t.ok(second[0]!.at <= syncedAt + 5020, 'and not much later');

  // idle longer than the interval: the next change goes at once
  p.advance(10_000, 100);
  const t1 = p.clock.now();
  p.a.announce({ prefix: '203.0.113.4/32' });
  p.advance(50, 10);
  const third = updates(p.logB, t1);
  t.same(third.flatMap((u) => u.nlri), ['203.0.113.4/32']);
  t.ok(third[0]!.at - t1 <= 20, 'no wait after a quiet interval');
  await p.a.stop();
  await p.b.stop();
});

t.test('MRAI 0 (default): every change goes out at once', async (t) => {
  const p = await sessionPair({ a: { families: ['ipv4-unicast'] }, b: { families: ['ipv4-unicast'] } });
  t.equal(p.a.config.minRouteAdvertisementIntervalSec, 0);
  p.advance(1000, 10);
  const times: number[] = [];
  for (let i = 1; i <= 3; i++) {
    const from = p.clock.now();
    p.a.announce({ prefix: `203.0.113.${i}/32` });
    p.advance(50, 10);
    times.push(updates(p.logB, from)[0]!.at - from);
  }
  t.ok(times.every((d) => d <= 20), `each within 20 ms (${times.join(', ')})`);
  await p.a.stop();
  await p.b.stop();
});

t.test('MRAI: a session that goes down and up again syncs at once', async (t) => {
  const p = await sessionPair({ a: { minRouteAdvertisementIntervalSec: 30, families: ['ipv4-unicast'], connectRetryTimeSec: 1 }, b: { families: ['ipv4-unicast'] } });
  p.a.announce({ prefix: '203.0.113.1/32' });
  p.advance(1000, 10);
  p.a.announce({ prefix: '203.0.113.2/32' }); // held by MRAI
  await p.a.stop();
  p.advance(100, 10);
  const from = p.clock.now();
  await p.a.start();
  p.advance(5000, 10);
  const again = updates(p.logB, from);
  t.same(again.flatMap((u) => u.nlri).sort(), ['203.0.113.1/32', '203.0.113.2/32'], 'the resync carries everything, within 5 s rather than 30');
  await p.a.stop();
  await p.b.stop();
});

t.test('minRouteAdvertisementIntervalSec is validated', async (t) => {
  const base = { localAsn: 65001, peerAsn: 65000, routerId: '198.18.0.11', peerAddress: '198.18.1.1' };
  for (const bad of [-1, 601, 1.5, '5']) {
    t.throws(() => new BgpSession({ ...base, minRouteAdvertisementIntervalSec: bad as number }), { code: 'ERR_CONFIG_INVALID', message: /minRouteAdvertisementIntervalSec/ }, String(bad));
  }
  t.equal(new BgpSession({ ...base, minRouteAdvertisementIntervalSec: 600 }).config.minRouteAdvertisementIntervalSec, 600);
});
