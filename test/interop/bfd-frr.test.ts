/**
 * tsbgp BFD interop with FRR 8.4 bfdd: bfdd (with zebra + an empty bgpd, via scripts/lab/frr.sh)
 * in netns rtr has a static single-hop peer 198.18.1.11 (300 ms x 3); `tsbgp bfd` runs in n1
 * (198.18.1.11 -> 198.18.1.1, 300 ms x 3). Checked in tsbgp's JSON events / snapshots and in
 * FRR's `show bfd peers json`.
 *
 *  1. Up: both sides Up, discriminators and timers match.
 *  2. Link down detection, 10 rounds: rtr's bridge port to n1 goes down; tsbgp reports Down with
 *     diag 1 (Control Detection Time Expired) within the 900 ms detection time (+50 ms, + the
 *     duration of the `ip link` command: t0 is taken right before it is spawned). Distribution
 *     printed and written to $RUN/bfd-frr-link-down.json.
 *  3. FRR sees tsbgp's AdminDown on SIGTERM (status down, remote-diagnostic "administratively
 *     down", its own diagnostic "neighbor signaled session down"), and a silent tsbgp (SIGSTOP)
 *     as "control detection time expired" within ~1 s; after SIGCONT the session recovers.
 *  4. Poll/Final: tsbgp's setParameters (pollComplete; FRR shows the new remote timers) and
 *     FRR's new intervals (vtysh; tsbgp stays Up and its snapshot shows them).
 *  5. Authentication: FRR 8.4 bfdd has none (no command in the `bfd / peer` node), and a tsbgp
 *     session with --auth never comes Up with it.
 *
 * Needs root + the lab (skips otherwise, fails on CI) and the built `tsbgp bfd` CLI.
 * Own lab: namespaces tsbi-bfdfrr-*, run dir /tmp/tsbgp-interop/bfdfrr.
 */
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { Lab, daemonAvailable, labAvailable, requireOrSkip, sleep, waitFor } from '../helpers/lab.js';
import {
  BFD_DETECTION_MS,
  BFD_TSBGP_NODE,
  DIAG,
  FRR_BFD_PEER_COMMANDS,
  type FrrBfdPeer,
  FrrBfdDaemon,
  TsbgpBfdProcess,
  debVersion,
  defaultBfdPeer,
  defaultTsbgpBfd,
  distribution,
  linkDownRounds,
  tsbgpBfdAvailable,
  waitSteadyUp,
  waitTimed,
  writeResults,
} from '../helpers/lab-bfd.js';

const ROUNDS = 10;
/** Allowed on top of the detection time: event delivery through the pipe, timer slack. */
const SLACK_MS = 50;
/** Bound for a daemon's Down seen by polling its CLI (~20 ms apart; one call takes 10-100 ms, more under load). */
const POLL_BOUND_MS = 1_500;

const missing = labAvailable() ?? daemonAvailable('frr') ?? (existsSync('/usr/lib/frr/bfdd') ? undefined : 'frr: /usr/lib/frr/bfdd missing');
if (requireOrSkip(t, 'tsbgp BFD interop with FRR bfdd', missing)) {
  const cli = tsbgpBfdAvailable();
  if (cli !== undefined) {
    if (process.env.CI) t.fail(`tsbgp BFD interop with FRR bfdd: ${cli}`);
    else t.test('tsbgp BFD interop with FRR bfdd', { skip: cli }, async () => {});
  } else {
    await suite();
  }
}

async function suite(): Promise<void> {
  const lab = await Lab.open(t, 'bfdfrr');
  const frr = new FrrBfdDaemon(lab);
  t.comment(`FRR ${await debVersion('frr')} bfdd in ${lab.ns('rtr')}; run dir ${lab.runDir}`);
  await frr.start();
  t.teardown(() => frr.stop());

  const peerCfg = defaultBfdPeer();
  const start = (t: Test, extra: Parameters<typeof defaultTsbgpBfd>[0] = {}): TsbgpBfdProcess => TsbgpBfdProcess.start(t, lab, BFD_TSBGP_NODE, defaultTsbgpBfd(extra));
  /** FRR's peer, once `pred` holds (bounded). */
  const frrPeerWhen = (desc: string, pred: (p: FrrBfdPeer) => boolean, timeoutMs = 10_000) =>
    waitFor(`FRR peer ${desc}`, async () => {
      const p = await frr.peer();
      return pred(p) ? p : undefined;
    }, { timeoutMs, intervalMs: 50 });
  /** Waits until FRR has no session Up (between cases, after the previous tsbgp ended). */
  const frrNotUp = () => frrPeerWhen('not up', (p) => p.status !== 'up', 5_000);

  t.test('1. Up with FRR bfdd', async (t) => {
    await frrNotUp();
    const p = start(t);
    const started = await p.waitFor('started', 10_000);
    t.comment(`started: ${JSON.stringify(started)}`);
    t.equal(started['ttlEnforced'], true, 'tsbgp enforces TTL 255 on received packets (native addon)');
    await p.waitUp(10_000);
    const snap = await waitSteadyUp(p);
    const peer = await frrPeerWhen('up', (x) => x.status === 'up');
    t.equal(peer.remoteId, started['localDiscriminator'], "FRR's remote-id is tsbgp's discriminator");
    t.equal(snap.remoteDiscriminator, peer.id, "tsbgp's remote discriminator is FRR's id");
    t.match(peer, { local: '198.18.1.1', interface: 'br0', diagnostic: 'ok', remoteDiagnostic: 'ok', remoteReceiveInterval: 300, remoteTransmitInterval: 300, remoteDetectMultiplier: 3 }, "FRR: tsbgp's timers");
    t.match(snap, { state: 'Up', remoteState: 'Up', remoteTransmitIntervalMs: 300, remoteReceiveIntervalMs: 300, remoteDetectMultiplier: 3, negotiatedTxIntervalMs: 300, detectionTimeMs: BFD_DETECTION_MS }, "tsbgp: FRR's timers");
    t.same(p.eventsOf('down'), [], 'no down event');
    const exit = await p.stop();
    t.same(exit, { code: 0, signal: null }, 'SIGTERM: exit 0');
  });

  t.test(`2. link down detection, ${ROUNDS} rounds`, async (t) => {
    await frrNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    const rounds = await linkDownRounds(lab, p, ROUNDS, async () => (await frr.peer()).status === 'up', async () => {
      const x = await frr.peer();
      return x.status === 'down' ? x.diagnostic : undefined;
    });
    for (const r of rounds) {
      t.equal(r.daemonSaw, 'control detection time expired', `round ${r.round}: FRR down too, "control detection time expired"`);
      t.equal(r.diag, DIAG.detectionTimeExpired, `round ${r.round}: diag 1 (${String(r.diagName)})`);
      t.ok(r.detectMs <= BFD_DETECTION_MS + SLACK_MS + r.cmdMs, `round ${r.round}: down after ${r.detectMs.toFixed(1)} ms <= ${BFD_DETECTION_MS} + ${SLACK_MS} + ${r.cmdMs.toFixed(1)} (ip link command) ms`);
      t.ok(r.detectMs >= BFD_DETECTION_MS - 300 - SLACK_MS, `round ${r.round}: not before the last packet + detection time could have passed (${r.detectMs.toFixed(1)} ms)`);
    }
    const dist = distribution(rounds.map((r) => r.detectMs));
    const cmd = distribution(rounds.map((r) => r.cmdMs));
    const rec = distribution(rounds.map((r) => r.recoverMs));
    const arr = distribution(rounds.map((r) => r.detectArrivalMs));
    t.comment(`link-down detection (ms, from right before 'ip link set p-n1 down' to tsbgp's down 'time'): min ${dist.min} / p50 ${dist.p50} / p90 ${dist.p90} / max ${dist.max} (n=${dist.n}); to the line's arrival here: ${arr.min} / ${arr.p50} / ${arr.max}; ip command ${cmd.min}-${cmd.max} ms; link up -> Up again ${rec.min}-${rec.max} ms`);
    const file = writeResults(lab, 'bfd-frr-link-down', { daemon: `frr ${await debVersion('frr')}`, detectionTimeMs: BFD_DETECTION_MS, detectMs: dist, detectArrivalMs: arr, cmdMs: cmd, recoverMs: rec, rounds });
    t.comment(`RESULT bfd-frr link-down detectMs ${JSON.stringify(dist)} -> ${file}`);
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  t.test('3a. FRR sees AdminDown when tsbgp stops (SIGTERM)', async (t) => {
    await frrNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await frrPeerWhen('up', (x) => x.status === 'up');
    const since = p.mark();
    const exit = await p.stop();
    t.same(exit, { code: 0, signal: null }, 'exit 0');
    const admin = p.eventsOf('stateChange', since).find((e) => e['to'] === 'AdminDown');
    t.ok(admin, 'tsbgp went AdminDown before exiting');
    t.equal(admin?.['diag'], DIAG.adminDown, 'with diag 7');
    const peer = await frrPeerWhen('down after AdminDown', (x) => x.status === 'down', 3_000);
    t.comment(`FRR: status ${peer.status}, diagnostic "${peer.diagnostic}", remote-diagnostic "${peer.remoteDiagnostic}"`);
    t.equal(peer.remoteDiagnostic, 'administratively down', 'FRR: remote-diagnostic "administratively down"');
    t.equal(peer.diagnostic, 'neighbor signaled session down', 'FRR: diagnostic "neighbor signaled session down"');
  });

  t.test('3b. FRR detects a frozen tsbgp (SIGSTOP)', async (t) => {
    await frrNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await waitSteadyUp(p);
    await frrPeerWhen('up', (x) => x.status === 'up');
    const since = p.mark();
    const t0 = performance.now();
    p.freeze();
    let res: { value: FrrBfdPeer; elapsedMs: number; windowStartMs: number };
    try {
      res = await waitTimed('FRR peer down after SIGSTOP', t0, async () => {
        const x = await frr.peer();
        return x.status === 'down' ? x : undefined;
      }, 3_000, 20);
    } finally {
      p.thaw();
    }
    t.comment(`FRR down ${res.elapsedMs.toFixed(0)} ms after SIGSTOP (seen by a poll ending then; changed after ${res.windowStartMs.toFixed(0)} ms), diagnostic "${res.value.diagnostic}"`);
    t.equal(res.value.diagnostic, 'control detection time expired', 'FRR: "control detection time expired"');
    // the change lies in [windowStartMs, elapsedMs] (between the last poll that saw Up and the one that saw Down)
    t.ok(res.windowStartMs <= BFD_DETECTION_MS + SLACK_MS, `still Up only while the detection time could run (last Up poll started ${res.windowStartMs.toFixed(0)} <= ${BFD_DETECTION_MS + SLACK_MS} ms)`);
    t.ok(res.elapsedMs <= POLL_BOUND_MS, `seen Down within ${POLL_BOUND_MS} ms (detection time + polling): ${res.elapsedMs.toFixed(0)} ms`);
    t.ok(res.elapsedMs >= BFD_DETECTION_MS - 300 - SLACK_MS, 'not before the detection time could have passed');
    // after SIGCONT tsbgp finds FRR's Down packets (or its own expired timer) and comes back Up
    const up = await p.waitFor('up', 10_000, () => true, since);
    const downs = p.eventsOf('down', since).map((e) => `${String(e['diagName'])} (remote ${String(e['remoteState'])})`);
    t.comment(`tsbgp after SIGCONT: down ${JSON.stringify(downs)}, up again after ${(up.recvAt - t0).toFixed(0)} ms from the freeze`);
    t.equal(p.eventsOf('down', since).length, 1, 'tsbgp reports exactly one down after SIGCONT');
    await frrPeerWhen('up again', (x) => x.status === 'up');
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  t.test('4a. Poll Sequence started by tsbgp (setParameters)', async (t) => {
    await frrNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await waitSteadyUp(p);
    const since = p.mark();
    p.send({ cmd: 'setParameters', tx: 150, rx: 150, multiplier: 5 });
    const poll = await p.waitFor('pollComplete', 5_000, () => true, since);
    t.comment(`pollComplete: ${JSON.stringify(poll)}`);
    // tsbgp: tx = max(150, FRR's rx 300); detection = FRR's mult 3 x max(150, FRR's tx 300)
    t.match(poll, { txIntervalMs: 300, detectionTimeMs: 900 }, 'negotiated intervals');
    const peer = await frrPeerWhen('shows the new remote timers', (x) => x.remoteTransmitInterval === 150 && x.remoteReceiveInterval === 150 && x.remoteDetectMultiplier === 5, 5_000);
    t.equal(peer.status, 'up', 'FRR stays up');
    const snap = await p.snapshot();
    t.match(snap, { state: 'Up', transmitIntervalMs: 150, receiveIntervalMs: 150, detectMultiplier: 5, pollActive: false }, 'tsbgp snapshot');
    t.same(p.eventsOf('down', since), [], 'no down event');
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  t.test('4b. Poll Sequence started by FRR (new intervals in vtysh)', async (t) => {
    await frrNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await waitSteadyUp(p);
    const since = p.mark();
    try {
      await frr.configurePeer(peerCfg, 'transmit-interval 200', 'receive-interval 200');
      const snap = await waitFor('tsbgp sees FRR at 200 ms', async () => {
        const s = await p.snapshot();
        return s.remoteTransmitIntervalMs === 200 && s.remoteReceiveIntervalMs === 200 && !s.pollActive ? s : undefined;
      }, { timeoutMs: 5_000, intervalMs: 100 });
      t.match(snap, { state: 'Up', remoteState: 'Up', negotiatedTxIntervalMs: 300, detectionTimeMs: 900 }, 'tsbgp: Up, tx max(300, 200), detection 3 x max(300, 200)');
      t.ok(snap.counters['rxPackets']! > 0, 'packets received');
      const peer = await frr.peer();
      t.match(peer, { status: 'up', receiveInterval: 200, transmitInterval: 200 }, 'FRR up with its new intervals');
      await sleep(1_000);
      t.same(p.eventsOf('down', since), [], 'tsbgp stayed Up through the Poll Sequence');
      t.equal((await p.snapshot()).state, 'Up', 'still Up 1 s later');
    } finally {
      await frr.configurePeer(peerCfg, 'transmit-interval 300', 'receive-interval 300');
    }
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  t.test('5. authentication: FRR 8.4 bfdd has none', async (t) => {
    const cmds = await frr.peerNodeCommands();
    t.comment(`FRR 8.4 'bfd / peer ...' commands: ${cmds.filter((c) => !/^(exit|quit|end|list|find|output|no output)/.test(c)).join(' | ')}`);
    t.notOk(cmds.some((c) => /auth|password|key/i.test(c)), 'no authentication / password / key command in the bfd peer node');
    for (const c of FRR_BFD_PEER_COMMANDS) t.ok(cmds.some((x) => x.includes(c)), `has ${c}`);
    // a session with authentication does not come up with it
    await frrNotUp();
    const p = start(t, { auth: 'keyed-sha1:1:tsbgp-bfd-secret' });
    await p.waitFor('started', 10_000);
    await sleep(3_000);
    const peer = await frr.peer();
    const drops = [...new Set(p.eventsOf('dropped').map((e) => `${String(e['source'])}:${String(e['reason'])}`))];
    t.comment(`after 3 s: FRR status ${peer.status}, remote-id ${peer.remoteId}; tsbgp events: ${p.events.map((e) => e.event).join(', ')}; drop reasons ${JSON.stringify(drops)}`);
    t.ok(drops.includes('session:AUTH_MISSING'), "tsbgp drops FRR's unauthenticated packets (AUTH_MISSING)");
    t.not(peer.status, 'up', 'FRR does not bring an authenticated session up');
    t.same(p.eventsOf('up'), [], 'tsbgp does not come up either');
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });
}
