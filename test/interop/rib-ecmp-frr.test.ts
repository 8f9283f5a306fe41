/**
 * ECMP and ADD-PATH towards FRR 8.4 as the router: library `BgpSession`s (src/, through
 * test/helpers/lab-rib-runner.ts) in the node namespaces announce to FRR in rtr, and FRR's own
 * JSON shows what it made of them.
 *
 *   rtr  FRR AS 64500, `maximum-paths 8`, eBGP to n1 n2 n3 (AS 64512), sends them nothing
 *   n1   tsbgp 198.18.1.11 AS 64512: 203.0.113.5/32 next-hop self
 *   n2   tsbgp 198.18.1.12 AS 64512: 203.0.113.5/32 next-hop self
 *   n3   tsbgp 198.18.1.13 AS 64512, ADD-PATH send (IPv4 unicast): 203.0.113.7/32 twice, via
 *        198.18.1.13 and via 198.18.1.23 (a second address on n3's eth0, so the third-party next
 *        hop is on the link and resolvable), no pathId: the Adj-RIB-Out gives automatic path ids
 *
 * Checks: `show ip route 203.0.113.5/32 json` has both next hops (and the kernel FIB in rtr a
 * 2-nexthop route); after n2 withdraws, exactly n1's. ADD-PATH negotiated (tsbgp send, FRR
 * receive: FRR 8.4 offers ADD-PATH receive by default, no config needed); `show bgp ipv4 unicast
 * 203.0.113.7/32 json` has 2 paths from 198.18.1.13 with different next hops and path ids, zebra
 * installs both as ECMP; withdrawing the path via 198.18.1.23 (by prefix + next hop) leaves one.
 * Both speakers use the same AS, so plain `maximum-paths` is enough (no multipath-relax).
 *
 * Needs root + FRR (skips otherwise, fails on CI). Own lab: namespaces tsbi-ecmpfrr-*, run dir
 * /tmp/tsbgp-interop/ecmpfrr. Every wait is bounded; FRR and the runners are stopped by PID.
 */
import t from 'tap';
import { Lab, NODE_ADDR, daemonAvailable, labAvailable, requireOrSkip, runOk, waitFor } from '../helpers/lab.js';
import { packageVersion } from '../helpers/lab-daemons.js';
import { ECMP_SCENARIO, RibRunner, frrBgpPaths, frrBgpState, frrRibNextHops, kernelNextHops, startFrr, vtyshJson, ecmpSpeakerOptions } from '../helpers/lab-router.js';

const { routerAs: ROUTER_AS, speakerAs: SPEAKER_AS, ecmpPrefix: ECMP_PREFIX, addPathPrefix: ADDPATH_PREFIX, n3Second: N3_SECOND } = ECMP_SCENARIO;
const { rtr, n1, n2, n3 } = NODE_ADDR;
const frrConf = (): string =>
  [
    '! rib-ecmp-frr.test.ts: FRR in rtr as the ECMP router',
    'hostname rtr',
    '!',
    'route-map NOTHING deny 10',
    '!',
    `router bgp ${ROUTER_AS}`,
    ` bgp router-id ${rtr.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ' neighbor SPEAKERS peer-group',
    ` neighbor SPEAKERS remote-as ${SPEAKER_AS}`,
    ' neighbor SPEAKERS timers 3 9',
    ' neighbor SPEAKERS timers connect 1',
    ' neighbor SPEAKERS advertisement-interval 0',
    ...[n1, n2, n3].map((n) => ` neighbor ${n.v4} peer-group SPEAKERS`),
    ' !',
    ' address-family ipv4 unicast',
    '  maximum-paths 8',
    '  neighbor SPEAKERS route-map NOTHING out',
    ' exit-address-family',
    '!',
    '',
  ].join('\n');

const speaker = ecmpSpeakerOptions;

const reason = labAvailable() ?? daemonAvailable('frr');
if (requireOrSkip(t, 'ECMP and ADD-PATH with FRR as the router', reason)) {
  const t0 = Date.now();
  const lab = await Lab.open(t, 'ecmpfrr');
  t.comment(`FRR ${await packageVersion('frr')}`);
  await runOk('ip', ['-n', lab.ns('n3'), 'addr', 'add', `${N3_SECOND}/24`, 'dev', 'eth0'], { timeoutMs: 5_000 });
  await startFrr(lab, 'rtr', frrConf());
  t.teardown(() => lab.scriptOk('frr.sh', ['stop', 'rtr']).then(() => undefined));

  const r1 = RibRunner.start(t, lab, 'n1', { sessions: [{ options: speaker(n1, false), announce: [{ prefix: ECMP_PREFIX }] }] });
  const r2 = RibRunner.start(t, lab, 'n2', { sessions: [{ options: speaker(n2, false), announce: [{ prefix: ECMP_PREFIX }] }] });
  const r3 = RibRunner.start(t, lab, 'n3', {
    sessions: [{ options: speaker(n3, true), announce: [{ prefix: ADDPATH_PREFIX, nextHop: n3.v4 }, { prefix: ADDPATH_PREFIX, nextHop: N3_SECOND }] }],
  });
  const [e1, , e3] = await Promise.all([r1.waitEstablished(rtr.v4), r2.waitEstablished(rtr.v4), r3.waitEstablished(rtr.v4)]);
  t.comment(`sessions Established ${Date.now() - t0} ms after the lab was opened`);
  for (const n of [n1, n2, n3]) await waitFor(`FRR Established with ${n.v4}`, async () => (await frrBgpState(lab, 'rtr', n.v4)) === 'Established', { timeoutMs: 10_000 });

  await t.test('ECMP: two speakers, one prefix, next-hop self', async (t) => {
    t.equal(e1?.['external'], true, 'eBGP session');
    const both = [n1.v4, n2.v4].sort();
    const hops = await waitFor(`FRR installs ${ECMP_PREFIX} via both speakers`, async () => {
      const h = frrRibNextHops(await vtyshJson(lab, 'rtr', `show ip route ${ECMP_PREFIX} json`), ECMP_PREFIX);
      return h.length === 2 ? h : undefined;
    }, { timeoutMs: 15_000 });
    t.same(hops, both, `show ip route ${ECMP_PREFIX}: next hops ${hops.join(', ')}`);
    const paths = frrBgpPaths(await vtyshJson(lab, 'rtr', `show bgp ipv4 unicast ${ECMP_PREFIX} json`));
    t.equal(paths.length, 2, 'FRR BGP table: 2 paths');
    t.equal(paths.filter((p) => p.best).length, 1, 'one best path');
    t.ok(paths.every((p) => p.best || p.multipath), 'the other path is a multipath member');
    const fib = await waitFor('kernel FIB in rtr has both next hops', async () => {
      const k = await kernelNextHops(lab, 'rtr', ECMP_PREFIX);
      return k.length === 2 ? k : undefined;
    }, { timeoutMs: 5_000 });
    t.same(fib, both, `kernel route in rtr: nexthop via ${fib.join(', ')}`);

    await r2.command({ cmd: 'withdraw', peer: rtr.v4, specs: [ECMP_PREFIX] });
    const one = await waitFor(`FRR drops n2's next hop for ${ECMP_PREFIX}`, async () => {
      const h = frrRibNextHops(await vtyshJson(lab, 'rtr', `show ip route ${ECMP_PREFIX} json`), ECMP_PREFIX);
      return h.length === 1 ? h : undefined;
    }, { timeoutMs: 10_000 });
    t.same(one, [n1.v4], `after n2 withdrew: exactly one next hop, ${one.join(', ')}`);
    const left = frrBgpPaths(await vtyshJson(lab, 'rtr', `show bgp ipv4 unicast ${ECMP_PREFIX} json`));
    t.same(left.map((p) => p.peer), [n1.v4], 'FRR BGP table: only the path from n1');
    t.same(await waitFor('kernel FIB in rtr down to one next hop', async () => {
      const k = await kernelNextHops(lab, 'rtr', ECMP_PREFIX);
      return k.length === 1 ? k : undefined;
    }, { timeoutMs: 5_000 }), [n1.v4], 'kernel route in rtr: one next hop');
  });

  await t.test('ADD-PATH: one speaker, one prefix, two next hops', async (t) => {
    const ap = (e3?.['addPath'] ?? []) as { afi: number; safi: number; send: boolean; receive: boolean }[];
    t.ok(ap.some((a) => a.afi === 1 && a.safi === 1 && a.send), `tsbgp sends ADD-PATH for IPv4 unicast (negotiated: ${JSON.stringify(ap)})`);
    const two = [n3.v4, N3_SECOND].sort();
    const paths = await waitFor(`FRR has 2 paths for ${ADDPATH_PREFIX}`, async () => {
      const p = frrBgpPaths(await vtyshJson(lab, 'rtr', `show bgp ipv4 unicast ${ADDPATH_PREFIX} json`));
      return p.length === 2 ? p : undefined;
    }, { timeoutMs: 15_000 });
    t.same(paths.map((p) => p.peer), [n3.v4, n3.v4], 'both paths from the same peer (n3)');
    t.same(paths.map((p) => p.nextHop ?? '').sort(), two, `next hops ${two.join(', ')}`);
    const ids = paths.map((p) => p.addpathRxId);
    t.ok(ids.every((i) => typeof i === 'number') && new Set(ids).size === 2, `two different received path ids: ${JSON.stringify(ids)}`);
    t.ok(paths.every((p) => p.valid), 'both paths valid (next hops on the link)');
    const hops = await waitFor(`FRR installs ${ADDPATH_PREFIX} via both next hops`, async () => {
      const h = frrRibNextHops(await vtyshJson(lab, 'rtr', `show ip route ${ADDPATH_PREFIX} json`), ADDPATH_PREFIX);
      return h.length === 2 ? h : undefined;
    }, { timeoutMs: 10_000 });
    t.same(hops, two, `show ip route ${ADDPATH_PREFIX}: ECMP over the two ADD-PATH paths`);

    await r3.command({ cmd: 'withdraw', peer: rtr.v4, specs: [{ prefix: ADDPATH_PREFIX, nextHop: N3_SECOND }] });
    const one = await waitFor(`FRR drops the path via ${N3_SECOND}`, async () => {
      const p = frrBgpPaths(await vtyshJson(lab, 'rtr', `show bgp ipv4 unicast ${ADDPATH_PREFIX} json`));
      return p.length === 1 ? p : undefined;
    }, { timeoutMs: 10_000 });
    t.same(one.map((p) => p.nextHop), [n3.v4], `after withdrawing one path: one path left, via ${n3.v4}`);
    t.equal(one[0]?.addpathRxId, paths.find((p) => p.nextHop === n3.v4)?.addpathRxId, 'the remaining path kept its path id');
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
