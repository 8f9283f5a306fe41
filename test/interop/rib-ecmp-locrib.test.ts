/**
 * ECMP in tsbgp's Loc-RIB: tsbgp is the router. FRR 8.4 and BIRD 2.0 both announce
 * 203.0.113.9/32 (next-hop self) to library `BgpSession`s running in rtr, whose Adj-RIB-Ins feed
 * one `LocRib` (maximumPaths 8, asPathMultipathRelax: the two daemons have different ASes). The
 * wiring lives in test/helpers/lab-rib-runner.ts: peer descriptor from the negotiated state at
 * Established, Adj-RIB-In re-synced into the Loc-RIB after every UPDATE, `peerDown` when the
 * session leaves Established.
 *
 *   rtr  tsbgp 198.18.1.1 AS 64500 (router id 198.18.0.1), two active-only sessions, Loc-RIB
 *   n1   FRR  198.18.1.11 AS 64501: `network 203.0.113.9/32` (origin IGP, MED 0)
 *   n2   BIRD 198.18.1.12 AS 64502: static 203.0.113.9/32 exported with origin IGP
 *
 * Checks: the Loc-RIB multipath set of 203.0.113.9/32 is {198.18.1.11 via FRR, 198.18.1.12 via
 * BIRD}, best path FRR's (equal up to the BGP Identifier: 198.18.0.11 < 198.18.0.12); FRR stops
 * announcing (`no network`) → only BIRD's next hop (withdraw path); FRR announces again → both;
 * BIRD's session is disabled (Cease) → only FRR's next hop (peerDown path).
 *
 * Needs root + FRR + BIRD (skips otherwise, fails on CI). Own lab: namespaces tsbi-ecmprev-*, run
 * dir /tmp/tsbgp-interop/ecmprev. Every wait is bounded; daemons and runner are stopped by PID.
 */
import t from 'tap';
import { Lab, NODE_ADDR, daemonAvailable, labAvailable, requireOrSkip, waitFor } from '../helpers/lab.js';
import { packageVersion } from '../helpers/lab-daemons.js';
import { RibRunner, type RunnerLocRibView, birdProtocolLine, birdc, frrBgpState, startBird, startFrr, vtysh } from '../helpers/lab-router.js';

const ROUTER_AS = 64500;
const FRR_AS = 64501;
const BIRD_AS = 64502;
const PREFIX = '203.0.113.9/32';
const { rtr, n1, n2 } = NODE_ADDR;

const frrConf = (): string =>
  [
    '! rib-ecmp-locrib.test.ts: FRR in n1 announcing to tsbgp in rtr',
    'hostname n1',
    '!',
    `router bgp ${FRR_AS}`,
    ` bgp router-id ${n1.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ` neighbor ${rtr.v4} remote-as ${ROUTER_AS}`,
    ` neighbor ${rtr.v4} timers 3 9`,
    ` neighbor ${rtr.v4} timers connect 1`,
    ` neighbor ${rtr.v4} advertisement-interval 0`,
    ' !',
    ' address-family ipv4 unicast',
    `  network ${PREFIX}`,
    ' exit-address-family',
    '!',
    '',
  ].join('\n');

const birdConf = (): string =>
  [
    '# rib-ecmp-locrib.test.ts: BIRD 2 in n2 announcing to tsbgp in rtr',
    `router id ${n2.routerId};`,
    'log stderr all;',
    'protocol device { scan time 10; }',
    `protocol static S4 { ipv4; route ${PREFIX} blackhole; }`,
    'protocol bgp rtr {',
    `    local ${n2.v4} as ${BIRD_AS};`,
    `    neighbor ${rtr.v4} as ${ROUTER_AS};`,
    '    hold time 9; keepalive time 3;',
    '    connect delay time 1; connect retry time 1; error wait time 1, 2;',
    '    ipv4 { import none; export filter { if proto = "S4" then { bgp_origin = ORIGIN_IGP; accept; } reject; }; };',
    '}',
    '',
  ].join('\n');

const session = (peer: typeof n1, peerAsn: number) => ({
  localAsn: ROUTER_AS,
  peerAsn,
  routerId: rtr.routerId,
  peerAddress: peer.v4,
  localAddress: rtr.v4,
  holdTimeSec: 9,
  families: ['ipv4-unicast' as const],
});

const hopsOf = (v: RunnerLocRibView | null): string[] => (v === null ? [] : v.multipath.map((h) => `${h.nextHop}@${h.peerAddress}`).sort());

const reason = labAvailable() ?? daemonAvailable('frr') ?? daemonAvailable('bird');
if (requireOrSkip(t, 'ECMP in the tsbgp Loc-RIB (FRR + BIRD announcing)', reason)) {
  const t0 = Date.now();
  const lab = await Lab.open(t, 'ecmprev');
  t.comment(`FRR ${await packageVersion('frr')}, BIRD ${await packageVersion('bird2')}`);
  await Promise.all([startFrr(lab, 'n1', frrConf()), startBird(lab, 'n2', birdConf())]);
  t.teardown(() => lab.scriptOk('frr.sh', ['stop', 'n1']).then(() => undefined));
  t.teardown(() => lab.scriptOk('bird.sh', ['stop', 'n2']).then(() => undefined));

  const router = RibRunner.start(t, lab, 'rtr', {
    sessions: [{ options: session(n1, FRR_AS) }, { options: session(n2, BIRD_AS) }],
    locRib: { maximumPaths: 8, asPathMultipathRelax: true },
  });
  const [eFrr, eBird] = await Promise.all([router.waitEstablished(n1.v4), router.waitEstablished(n2.v4)]);
  t.comment(`sessions Established ${Date.now() - t0} ms after the lab was opened`);
  await waitFor('FRR Established with tsbgp', async () => (await frrBgpState(lab, 'n1', rtr.v4)) === 'Established', { timeoutMs: 10_000 });
  await waitFor('BIRD Established with tsbgp', async () => (await birdProtocolLine(lab, 'n2', 'rtr')).includes('Established'), { timeoutMs: 10_000 });

  const frrHop = `${n1.v4}@${n1.v4}`;
  const birdHop = `${n2.v4}@${n2.v4}`;
  const waitHops = (desc: string, want: string[], timeoutMs = 15_000): Promise<RunnerLocRibView | null> => {
    const w = JSON.stringify([...want].sort());
    // a mismatch throws, so a timeout quotes the last multipath set seen
    return waitFor(`Loc-RIB ${PREFIX} multipath ${desc}`, async () => {
      const v = await router.locRib(PREFIX);
      const now = JSON.stringify(hopsOf(v));
      if (now !== w) throw new Error(`multipath is ${now}`);
      return { v };
    }, { timeoutMs }).then((r) => r.v);
  };

  await t.test('both next hops in the Loc-RIB', async (t) => {
    t.match(eFrr, { peerAsn: FRR_AS, peerBgpIdentifier: n1.routerId, external: true }, 'FRR session: peer AS and BGP Identifier from its OPEN');
    t.match(eBird, { peerAsn: BIRD_AS, peerBgpIdentifier: n2.routerId, external: true }, 'BIRD session: peer AS and BGP Identifier from its OPEN');
    const v = await waitHops('= FRR + BIRD', [frrHop, birdHop]);
    t.same(hopsOf(v), [frrHop, birdHop].sort(), `multipath: ${hopsOf(v).join(', ')}`);
    t.equal(v?.paths.length, 2, 'two candidate paths');
    t.equal(v?.bestPeer, n1.v4, 'best path: FRR (lower BGP Identifier)');
    t.equal(v?.decidedBy, 'routerId', 'decided by the BGP Identifier step');
    t.same(v?.paths.map((p) => p.asPath).sort(), [String(FRR_AS), String(BIRD_AS)], 'AS_PATHs differ (multipath-relax makes them equal-cost)');
    t.ok(v?.paths.every((p) => p.origin === 'igp' && p.multipath), 'both paths origin IGP and in the multipath set');
  });

  await t.test('FRR withdraws: one next hop; announces again: two', async (t) => {
    await vtysh(lab, 'n1', 'configure terminal', `router bgp ${FRR_AS}`, 'address-family ipv4 unicast', `no network ${PREFIX}`);
    const v = await waitHops('= BIRD only', [birdHop]);
    t.same(hopsOf(v), [birdHop], `after FRR's withdrawal: ${hopsOf(v).join(', ')}`);
    t.equal(v?.paths.length, 1, 'one candidate path');
    t.equal(v?.bestPeer, n2.v4, 'best path: BIRD');
    await vtysh(lab, 'n1', 'configure terminal', `router bgp ${FRR_AS}`, 'address-family ipv4 unicast', `network ${PREFIX}`);
    const again = await waitHops('= FRR + BIRD again', [frrHop, birdHop]);
    t.same(hopsOf(again), [frrHop, birdHop].sort(), `FRR announced again: ${hopsOf(again).join(', ')}`);
  });

  await t.test('BIRD session goes down: one next hop', async (t) => {
    const since = router.mark();
    await birdc(lab, 'n2', 'disable', 'rtr');
    const down = await router.waitForEvent('peerDown of BIRD', (e) => e.event === 'peerDown' && e['peer'] === n2.v4, 10_000, since);
    t.equal(down['removed'], 1, 'peerDown removed BIRD\'s one path');
    const v = await waitHops('= FRR only', [frrHop], 5_000);
    t.same(hopsOf(v), [frrHop], `after BIRD's session ended: ${hopsOf(v).join(', ')}`);
    t.equal(v?.bestPeer, n1.v4, 'best path: FRR');
    const mp = router.events.filter((e) => e.event === 'multipathChanged').map((e) => (e['current'] as { nextHop: string }[]).map((h) => h.nextHop).join('+'));
    t.comment(`multipathChanged events: ${mp.join(' -> ')}`);
  });

  await t.test('router stops cleanly', async (t) => {
    await router.stop();
    t.notOk(router.running, 'runner in rtr exited');
    t.same(router.events.filter((e) => e.event === 'sessionError' || e.event === 'error'), [], 'no session error');
    t.comment(`whole file ${Date.now() - t0} ms`);
  });
}
