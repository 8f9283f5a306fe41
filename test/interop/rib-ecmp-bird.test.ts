/**
 * ECMP and ADD-PATH towards BIRD 2.0 as the router: library `BgpSession`s (src/, through
 * test/helpers/lab-rib-runner.ts) in the node namespaces announce to BIRD in rtr; BIRD's
 * `show route ... all` and the kernel FIB in rtr show what it made of them.
 *
 *   rtr  BIRD AS 64500, eBGP to n1 n2 n3 (AS 64512, import all, export none); protocol kernel
 *        exports BGP routes with `merge paths on` (BIRD keeps one route per path in its table and
 *        merges the equivalent ones into one multipath kernel route)
 *   n1   tsbgp 198.18.1.11 AS 64512: 203.0.113.5/32 next-hop self
 *   n2   tsbgp 198.18.1.12 AS 64512: 203.0.113.5/32 next-hop self
 *   n3   tsbgp 198.18.1.13 AS 64512, ADD-PATH send (IPv4 unicast); BIRD `add paths rx`:
 *        203.0.113.7/32 via 198.18.1.13 and via 198.18.1.23 (second address on n3's eth0), no
 *        pathId (automatic path ids)
 *
 * Checks: `show route 203.0.113.5/32 all` has a route from each speaker (next hops .11 and .12,
 * one primary) and the kernel route in rtr has both next hops; after n2 withdraws, one route and
 * one next hop. ADD-PATH negotiated; `show route 203.0.113.7/32 all` has 2 routes from protocol n3
 * with the two next hops, the kernel route both; withdrawing one path leaves one.
 *
 * Needs root + BIRD (skips otherwise, fails on CI). Own lab: namespaces tsbi-ecmpbird-*, run dir
 * /tmp/tsbgp-interop/ecmpbird. Every wait is bounded; BIRD and the runners are stopped by PID.
 */
import t from 'tap';
import { Lab, NODE_ADDR, daemonAvailable, labAvailable, requireOrSkip, runOk, waitFor } from '../helpers/lab.js';
import { packageVersion } from '../helpers/lab-daemons.js';
import { parseBirdRoutes, type BirdRoute } from '../helpers/lab-parse.js';
import { ECMP_SCENARIO, RibRunner, birdProtocolLine, birdc, kernelNextHops, startBird, ecmpSpeakerOptions } from '../helpers/lab-router.js';

const { routerAs: ROUTER_AS, speakerAs: SPEAKER_AS, ecmpPrefix: ECMP_PREFIX, addPathPrefix: ADDPATH_PREFIX, n3Second: N3_SECOND } = ECMP_SCENARIO;
const { rtr, n1, n2, n3 } = NODE_ADDR;
const birdConf = (): string =>
  [
    '# rib-ecmp-bird.test.ts: BIRD 2 in rtr as the ECMP router',
    `router id ${rtr.routerId};`,
    'log stderr all;',
    'protocol device { scan time 10; }',
    'protocol kernel {',
    '    ipv4 { import none; export where source = RTS_BGP; };',
    '    merge paths on;',
    '}',
    'template bgp SPEAKER {',
    `    local ${rtr.v4} as ${ROUTER_AS};`,
    '    hold time 9; keepalive time 3;',
    '    connect delay time 1; connect retry time 1; error wait time 1, 2;',
    '    ipv4 { import all; export none; };',
    '}',
    `protocol bgp n1 from SPEAKER { neighbor ${n1.v4} as ${SPEAKER_AS}; }`,
    `protocol bgp n2 from SPEAKER { neighbor ${n2.v4} as ${SPEAKER_AS}; }`,
    `protocol bgp n3 from SPEAKER { neighbor ${n3.v4} as ${SPEAKER_AS}; ipv4 { import all; export none; add paths rx; }; }`,
    '',
  ].join('\n');

const speaker = ecmpSpeakerOptions;

const reason = labAvailable() ?? daemonAvailable('bird');
if (requireOrSkip(t, 'ECMP and ADD-PATH with BIRD as the router', reason)) {
  const t0 = Date.now();
  const lab = await Lab.open(t, 'ecmpbird');
  t.comment(`BIRD ${await packageVersion('bird2')}`);
  await runOk('ip', ['-n', lab.ns('n3'), 'addr', 'add', `${N3_SECOND}/24`, 'dev', 'eth0'], { timeoutMs: 5_000 });
  await startBird(lab, 'rtr', birdConf());
  t.teardown(() => lab.scriptOk('bird.sh', ['stop', 'rtr']).then(() => undefined));
  const routes = async (prefix: string): Promise<BirdRoute[]> => parseBirdRoutes(await birdc(lab, 'rtr', 'show', 'route', prefix, 'all'));

  const r1 = RibRunner.start(t, lab, 'n1', { sessions: [{ options: speaker(n1, false), announce: [{ prefix: ECMP_PREFIX }] }] });
  const r2 = RibRunner.start(t, lab, 'n2', { sessions: [{ options: speaker(n2, false), announce: [{ prefix: ECMP_PREFIX }] }] });
  const r3 = RibRunner.start(t, lab, 'n3', {
    sessions: [{ options: speaker(n3, true), announce: [{ prefix: ADDPATH_PREFIX, nextHop: n3.v4 }, { prefix: ADDPATH_PREFIX, nextHop: N3_SECOND }] }],
  });
  const [e1, , e3] = await Promise.all([r1.waitEstablished(rtr.v4), r2.waitEstablished(rtr.v4), r3.waitEstablished(rtr.v4)]);
  t.comment(`sessions Established ${Date.now() - t0} ms after the lab was opened`);
  for (const p of ['n1', 'n2', 'n3']) await waitFor(`BIRD protocol ${p} Established`, async () => (await birdProtocolLine(lab, 'rtr', p)).includes('Established'), { timeoutMs: 10_000 });

  await t.test('ECMP: two speakers, one prefix, next-hop self', async (t) => {
    t.equal(e1?.['external'], true, 'eBGP session');
    const both = [n1.v4, n2.v4].sort();
    const rs = await waitFor(`BIRD has ${ECMP_PREFIX} from both speakers`, async () => {
      const r = await routes(ECMP_PREFIX);
      return r.length === 2 ? r : undefined;
    }, { timeoutMs: 15_000 });
    t.same(rs.map((r) => r.protocol).sort(), ['n1', 'n2'], 'one route from each protocol');
    t.same(rs.map((r) => r.nextHop ?? '').sort(), both, `BGP.next_hop ${both.join(', ')}`);
    t.equal(rs.filter((r) => r.best).length, 1, 'one primary route (*)');
    const fib = await waitFor('kernel route in rtr has both next hops (merge paths)', async () => {
      const k = await kernelNextHops(lab, 'rtr', ECMP_PREFIX);
      return k.length === 2 ? k : undefined;
    }, { timeoutMs: 10_000 });
    t.same(fib, both, `kernel route in rtr: nexthop via ${fib.join(', ')}`);

    await r2.command({ cmd: 'withdraw', peer: rtr.v4, specs: [ECMP_PREFIX] });
    const one = await waitFor(`BIRD drops n2's route for ${ECMP_PREFIX}`, async () => {
      const r = await routes(ECMP_PREFIX);
      return r.length === 1 ? r : undefined;
    }, { timeoutMs: 10_000 });
    t.same(one.map((r) => [r.protocol, r.nextHop]), [['n1', n1.v4]], 'after n2 withdrew: exactly the route from n1');
    t.same(await waitFor('kernel route in rtr down to one next hop', async () => {
      const k = await kernelNextHops(lab, 'rtr', ECMP_PREFIX);
      return k.length === 1 ? k : undefined;
    }, { timeoutMs: 5_000 }), [n1.v4], 'kernel route in rtr: one next hop');
  });

  await t.test('ADD-PATH: one speaker, one prefix, two next hops', async (t) => {
    const ap = (e3?.['addPath'] ?? []) as { afi: number; safi: number; send: boolean; receive: boolean }[];
    t.ok(ap.some((a) => a.afi === 1 && a.safi === 1 && a.send), `tsbgp sends ADD-PATH for IPv4 unicast (negotiated: ${JSON.stringify(ap)})`);
    const two = [n3.v4, N3_SECOND].sort();
    const rs = await waitFor(`BIRD has 2 routes for ${ADDPATH_PREFIX}`, async () => {
      const r = await routes(ADDPATH_PREFIX);
      return r.length === 2 ? r : undefined;
    }, { timeoutMs: 15_000 });
    t.same(rs.map((r) => r.protocol), ['n3', 'n3'], 'both routes from protocol n3');
    t.same(rs.map((r) => r.nextHop ?? '').sort(), two, `BGP.next_hop ${two.join(', ')}`);
    const fib = await waitFor('kernel route in rtr has both ADD-PATH next hops', async () => {
      const k = await kernelNextHops(lab, 'rtr', ADDPATH_PREFIX);
      return k.length === 2 ? k : undefined;
    }, { timeoutMs: 10_000 });
    t.same(fib, two, `kernel route in rtr: nexthop via ${fib.join(', ')}`);

    await r3.command({ cmd: 'withdraw', peer: rtr.v4, specs: [{ prefix: ADDPATH_PREFIX, nextHop: N3_SECOND }] });
    const one = await waitFor(`BIRD drops the path via ${N3_SECOND}`, async () => {
      const r = await routes(ADDPATH_PREFIX);
      return r.length === 1 ? r : undefined;
    }, { timeoutMs: 10_000 });
    t.same(one.map((r) => r.nextHop), [n3.v4], `after withdrawing one path: one route left, via ${n3.v4}`);
  });

  await t.test('tsbgp speakers stop cleanly', async (t) => {
    for (const r of [r1, r2, r3]) {
      await r.stop();
      t.notOk(r.running, `runner in ${r.node} exited`);
      t.same(r.events.filter((e) => e.event === 'notificationReceived' || e.event === 'sessionError' || e.event === 'error'), [], `no NOTIFICATION received, no error in ${r.node}`);
    }
    t.comment(`whole file ${Date.now() - t0} ms`);
  });
}
