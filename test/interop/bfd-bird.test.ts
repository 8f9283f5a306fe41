/**
 * tsbgp BFD interop with BIRD 2.0.12: BIRD in netns rtr with one `protocol bfd` (interface br0,
 * 300 ms x 3, static neighbor 198.18.1.11); `tsbgp bfd` runs in n1 (198.18.1.11 -> 198.18.1.1,
 * 300 ms x 3). Checked in tsbgp's JSON events / snapshots, `birdc show bfd sessions` and BIRD's
 * log (`debug { events }`: "Session to 198.18.1.11 changed state from Up to Down").
 *
 * BIRD's `show bfd sessions` has only: State (its own), Interval (transmit interval in use, 1.000
 * while not Up) and Timeout (detection time = peer's multiplier x max(BIRD's rx, peer's tx)). So tsbgp's
 * timer changes are checked through Timeout (a new multiplier shows there), and a received
 * AdminDown shows as plain `Down` (BIRD prints no diagnostic anywhere).
 *
 *  1. Up: both sides Up; Interval 0.300 / Timeout 0.900.
 *  2. Link down detection, 10 rounds (rtr's bridge port to n1 down; tsbgp Down with diag 1 within
 *     900 ms + 50 ms + the `ip link` command's duration). Distribution printed and written to
 *     $RUN/bfd-bird-link-down.json.
 *  3. BIRD sees tsbgp stop (SIGTERM: AdminDown -> BIRD `Down` at once) and freeze (SIGSTOP: BIRD
 *     `Down` after its 900 ms detection time); after SIGCONT the session recovers.
 *  4. Poll/Final: tsbgp's setParameters (pollComplete; BIRD's Timeout follows the new multiplier)
 *     and BIRD's (`birdc configure` with 200 ms: tsbgp stays Up, its snapshot shows 200/200).
 *  5. Authentication: every RFC 5880 type BIRD has (simple, keyed/meticulous MD5 and SHA1) comes
 *     Up; a wrong keyed-SHA1 secret stays Down on both sides (BIRD logs "Authentication failed").
 *
 * Needs root + the lab (skips otherwise, fails on CI) and the built `tsbgp bfd` CLI.
 * Own lab: namespaces tsbi-bfdbird-*, run dir /tmp/tsbgp-interop/bfdbird.
 */
import t, { type Test } from 'tap';
import { Lab, daemonAvailable, labAvailable, requireOrSkip, sleep, waitFor } from '../helpers/lab.js';
import {
  BFD_DETECTION_MS,
  BFD_TSBGP_ADDR,
  BFD_TSBGP_NODE,
  DIAG,
  type BirdBfdOptions,
  type BirdBfdSession,
  BirdBfdDaemon,
  TsbgpBfdProcess,
  birdBfdLogLines,
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
const SLACK_MS = 50;
/** Bound for a daemon's Down seen by polling its CLI (~20 ms apart; one call takes 10-100 ms, more under load). */
const POLL_BOUND_MS = 1_500;

if (requireOrSkip(t, 'tsbgp BFD interop with BIRD', labAvailable() ?? daemonAvailable('bird'))) {
  const cli = tsbgpBfdAvailable();
  if (cli !== undefined) {
    if (process.env.CI) t.fail(`tsbgp BFD interop with BIRD: ${cli}`);
    else t.test('tsbgp BFD interop with BIRD', { skip: cli }, async () => {});
  } else {
    await suite();
  }
}

async function suite(): Promise<void> {
  const lab = await Lab.open(t, 'bfdbird');
  const bird = new BirdBfdDaemon(lab);
  t.comment(`BIRD ${await debVersion('bird2')} in ${lab.ns('rtr')}; run dir ${lab.runDir}`);
  await bird.start();
  t.teardown(() => bird.stop());

  const start = (t: Test, extra: Parameters<typeof defaultTsbgpBfd>[0] = {}): TsbgpBfdProcess => TsbgpBfdProcess.start(t, lab, BFD_TSBGP_NODE, defaultTsbgpBfd(extra));
  const sessionWhen = (desc: string, pred: (s: BirdBfdSession) => boolean, timeoutMs = 10_000) =>
    waitFor(`BIRD session ${desc}`, async () => {
      const s = await bird.session();
      return pred(s) ? s : undefined;
    }, { timeoutMs, intervalMs: 50 });
  const birdNotUp = () => sessionWhen('not Up', (s) => s.state !== 'Up', 5_000);
  /** BIRD's log lines for the tsbgp session written since `from` (a log length). */
  const logSince = (from: number): string[] => birdBfdLogLines(bird.logTail(200_000).slice(from), BFD_TSBGP_ADDR);
  const logLength = (): number => bird.logTail(200_000).length;

  t.test('1. Up with BIRD', async (t) => {
    await birdNotUp();
    const log0 = logLength();
    const p = start(t);
    const started = await p.waitFor('started', 10_000);
    t.equal(started['ttlEnforced'], true, 'tsbgp enforces TTL 255 on received packets (native addon)');
    await p.waitUp(10_000);
    const snap = await waitSteadyUp(p);
    const s = await sessionWhen('Up with 300 ms timers', (x) => x.state === 'Up' && x.intervalMs === 300 && x.timeoutMs === 900);
    t.match(s, { protocol: 'bfd1', interface: 'br0', state: 'Up', intervalMs: 300, timeoutMs: 900 }, 'BIRD: Up, Interval 0.300, Timeout 0.900');
    t.match(snap, { state: 'Up', remoteState: 'Up', remoteTransmitIntervalMs: 300, remoteReceiveIntervalMs: 300, remoteDetectMultiplier: 3, negotiatedTxIntervalMs: 300, detectionTimeMs: BFD_DETECTION_MS }, "tsbgp: BIRD's timers");
    t.ok(snap.remoteDiscriminator !== 0, 'tsbgp learned BIRD\'s discriminator');
    const lines = logSince(log0);
    t.comment(`BIRD log: ${JSON.stringify(lines)}`);
    t.ok(lines.some((l) => /changed state from \w+ to Up/.test(l)), 'BIRD logs the change to Up');
    t.same(p.eventsOf('down'), [], 'no down event');
    t.same(await p.stop(), { code: 0, signal: null }, 'SIGTERM: exit 0');
  });

  t.test(`2. link down detection, ${ROUNDS} rounds`, async (t) => {
    await birdNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    const rounds = await linkDownRounds(lab, p, ROUNDS, async () => (await bird.session()).state === 'Up', async () => {
      const s = await bird.session();
      return s.state === 'Down' ? s.state : undefined;
    });
    for (const r of rounds) {
      t.equal(r.daemonSaw, 'Down', `round ${r.round}: BIRD Down too`);
      t.equal(r.diag, DIAG.detectionTimeExpired, `round ${r.round}: diag 1 (${String(r.diagName)})`);
      t.ok(r.detectMs <= BFD_DETECTION_MS + SLACK_MS + r.cmdMs, `round ${r.round}: down after ${r.detectMs.toFixed(1)} ms <= ${BFD_DETECTION_MS} + ${SLACK_MS} + ${r.cmdMs.toFixed(1)} (ip link command) ms`);
      t.ok(r.detectMs >= BFD_DETECTION_MS - 300 - SLACK_MS, `round ${r.round}: not before the last packet + detection time could have passed (${r.detectMs.toFixed(1)} ms)`);
    }
    const dist = distribution(rounds.map((r) => r.detectMs));
    const cmd = distribution(rounds.map((r) => r.cmdMs));
    const rec = distribution(rounds.map((r) => r.recoverMs));
    const arr = distribution(rounds.map((r) => r.detectArrivalMs));
    t.comment(`link-down detection (ms, from right before 'ip link set p-n1 down' to tsbgp's down 'time'): min ${dist.min} / p50 ${dist.p50} / p90 ${dist.p90} / max ${dist.max} (n=${dist.n}); to the line's arrival here: ${arr.min} / ${arr.p50} / ${arr.max}; ip command ${cmd.min}-${cmd.max} ms; link up -> Up again ${rec.min}-${rec.max} ms`);
    const file = writeResults(lab, 'bfd-bird-link-down', { daemon: `bird2 ${await debVersion('bird2')}`, detectionTimeMs: BFD_DETECTION_MS, detectMs: dist, detectArrivalMs: arr, cmdMs: cmd, recoverMs: rec, rounds });
    t.comment(`RESULT bfd-bird link-down detectMs ${JSON.stringify(dist)} -> ${file}`);
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  t.test('3a. BIRD sees tsbgp stop (SIGTERM -> AdminDown)', async (t) => {
    await birdNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await sessionWhen('Up', (x) => x.state === 'Up');
    const since = p.mark();
    const log0 = logLength();
    const t0 = performance.now();
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
    const admin = p.eventsOf('stateChange', since).find((e) => e['to'] === 'AdminDown');
    t.equal(admin?.['diag'], DIAG.adminDown, 'tsbgp went AdminDown (diag 7) before exiting');
    const res = await waitTimed('BIRD Down after AdminDown', t0, async () => {
      const s = await bird.session();
      return s.state !== 'Up' ? s : undefined;
    }, 3_000, 20);
    t.comment(`BIRD ${res.value.state} ${res.elapsedMs.toFixed(0)} ms after SIGTERM (Interval ${res.value.intervalMs} ms, Timeout ${res.value.timeoutMs} ms); log ${JSON.stringify(logSince(log0))}`);
    t.equal(res.value.state, 'Down', 'BIRD shows the session Down (it has no AdminDown display for a remote AdminDown)');
    t.ok(res.windowStartMs < BFD_DETECTION_MS - 300, `at once, not by its detection timer (Down between ${res.windowStartMs.toFixed(0)} and ${res.elapsedMs.toFixed(0)} ms after SIGTERM)`);
  });

  t.test('3b. BIRD detects a frozen tsbgp (SIGSTOP)', async (t) => {
    await birdNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await waitSteadyUp(p);
    await sessionWhen('Up', (x) => x.state === 'Up' && x.timeoutMs === 900);
    const since = p.mark();
    const log0 = logLength();
    const t0 = performance.now();
    p.freeze();
    let res: { value: BirdBfdSession; elapsedMs: number; windowStartMs: number };
    try {
      res = await waitTimed('BIRD Down after SIGSTOP', t0, async () => {
        const s = await bird.session();
        return s.state !== 'Up' ? s : undefined;
      }, 3_000, 20);
    } finally {
      p.thaw();
    }
    t.comment(`BIRD ${res.value.state} ${res.elapsedMs.toFixed(0)} ms after SIGSTOP (seen by a poll ending then; changed after ${res.windowStartMs.toFixed(0)} ms); log ${JSON.stringify(logSince(log0))}`);
    t.equal(res.value.state, 'Down', 'BIRD: Down');
    // the change lies in [windowStartMs, elapsedMs] (between the last poll that saw Up and the one that saw Down)
    t.ok(res.windowStartMs <= BFD_DETECTION_MS + SLACK_MS, `still Up only while the detection time could run (last Up poll started ${res.windowStartMs.toFixed(0)} <= ${BFD_DETECTION_MS + SLACK_MS} ms)`);
    t.ok(res.elapsedMs <= POLL_BOUND_MS, `seen Down within ${POLL_BOUND_MS} ms (detection time + polling): ${res.elapsedMs.toFixed(0)} ms`);
    t.ok(res.elapsedMs >= BFD_DETECTION_MS - 300 - SLACK_MS, 'not before the detection time could have passed');
    const up = await p.waitFor('up', 10_000, () => true, since);
    const downs = p.eventsOf('down', since).map((e) => `${String(e['diagName'])} (remote ${String(e['remoteState'])})`);
    t.comment(`tsbgp after SIGCONT: down ${JSON.stringify(downs)}, up again after ${(up.recvAt - t0).toFixed(0)} ms from the freeze`);
    t.equal(downs.length, 1, 'tsbgp reports exactly one down after SIGCONT');
    await sessionWhen('Up again', (x) => x.state === 'Up');
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  t.test('4a. Poll Sequence started by tsbgp (setParameters)', async (t) => {
    await birdNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await waitSteadyUp(p);
    const since = p.mark();
    p.send({ cmd: 'setParameters', tx: 150, rx: 150, multiplier: 5 });
    const poll = await p.waitFor('pollComplete', 5_000, () => true, since);
    t.comment(`pollComplete: ${JSON.stringify(poll)}`);
    t.match(poll, { txIntervalMs: 300, detectionTimeMs: 900 }, 'negotiated: tx max(150, 300), detection 3 x max(150, 300)');
    // BIRD: Interval max(300, 150) = 300; Timeout = 5 x max(300, 150) = 1500
    const s = await sessionWhen('Timeout 1.500 (multiplier 5)', (x) => x.timeoutMs === 1500, 5_000);
    t.match(s, { state: 'Up', intervalMs: 300, timeoutMs: 1500 }, 'BIRD: Up, Interval 0.300, Timeout 1.500');
    t.match(await p.snapshot(), { state: 'Up', transmitIntervalMs: 150, receiveIntervalMs: 150, detectMultiplier: 5, pollActive: false }, 'tsbgp snapshot');
    t.same(p.eventsOf('down', since), [], 'no down event');
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  t.test('4b. Poll Sequence started by BIRD (birdc configure with 200 ms)', async (t) => {
    await birdNotUp();
    const p = start(t);
    await p.waitUp(10_000);
    await waitSteadyUp(p);
    const since = p.mark();
    try {
      const out = await bird.reconfigure({ ...defaultBfdPeer(), rxMs: 200, txMs: 200 });
      t.comment(`birdc configure: ${out.trim().split('\n').join(' | ')}`);
      const snap = await waitFor('tsbgp sees BIRD at 200 ms', async () => {
        const s = await p.snapshot();
        return s.remoteTransmitIntervalMs === 200 && s.remoteReceiveIntervalMs === 200 && !s.pollActive ? s : undefined;
      }, { timeoutMs: 5_000, intervalMs: 100 });
      t.match(snap, { state: 'Up', remoteState: 'Up', negotiatedTxIntervalMs: 300, detectionTimeMs: 900 }, 'tsbgp: Up, tx max(300, 200), detection 3 x max(300, 200)');
      const s = await bird.session();
      t.match(s, { state: 'Up', intervalMs: 300, timeoutMs: 900 }, 'BIRD: Up, Interval max(200, 300), Timeout 3 x max(200, 300)');
      await sleep(1_000);
      t.same(p.eventsOf('down', since), [], 'tsbgp stayed Up through the Poll Sequence');
      t.equal((await p.snapshot()).state, 'Up', 'still Up 1 s later');
    } finally {
      await bird.reconfigure(defaultBfdPeer());
    }
    t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
  });

  const AUTH: { bird: NonNullable<BirdBfdOptions['auth']>['type']; tsbgp: string }[] = [
    { bird: 'keyed sha1', tsbgp: 'keyed-sha1' },
    { bird: 'meticulous keyed sha1', tsbgp: 'meticulous-keyed-sha1' },
    { bird: 'keyed md5', tsbgp: 'keyed-md5' },
    { bird: 'meticulous keyed md5', tsbgp: 'meticulous-keyed-md5' },
    { bird: 'simple', tsbgp: 'simple-password' },
  ];
  const SECRET = 'tsbgp-bfd-secret';
  const KEY_ID = 7;

  t.test('5. authentication', async (t) => {
    t.teardown(async () => {
      // back to the plain config for whatever runs next
      await bird.stop();
      await bird.start();
    });
    for (const a of AUTH) {
      await t.test(`${a.tsbgp}: Up with BIRD "authentication ${a.bird}"`, async (t) => {
        await bird.stop();
        await bird.start({ ...defaultBfdPeer(), auth: { type: a.bird, keyId: KEY_ID, password: SECRET } });
        const p = start(t, { auth: `${a.tsbgp}:${KEY_ID}:${SECRET}` });
        const started = await p.waitFor('started', 10_000);
        t.same(started['auth'], { type: a.tsbgp, keyId: KEY_ID }, 'started: auth type and key id, no secret');
        t.notOk(JSON.stringify(p.events).includes(SECRET), 'the secret is not printed');
        await p.waitUp(10_000);
        const snap = await waitSteadyUp(p);
        t.same(snap.auth, { type: a.tsbgp, keyId: KEY_ID }, 'snapshot: auth');
        await sessionWhen('Up', (x) => x.state === 'Up');
        // a few seconds of authenticated packets both ways (meticulous: the sequence number advances on every packet)
        await sleep(1_500);
        const after = await p.snapshot();
        t.equal(after.state, 'Up', 'still Up');
        t.equal(after.counters['dropped'], 0, 'tsbgp dropped none of BIRD\'s packets');
        t.equal((await bird.session()).state, 'Up', 'BIRD still Up');
        t.same(p.eventsOf('down'), [], 'no down event');
        t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
      });
    }

    await t.test('keyed-sha1 with a wrong secret stays Down', async (t) => {
      await bird.stop();
      await bird.start({ ...defaultBfdPeer(), auth: { type: 'keyed sha1', keyId: KEY_ID, password: SECRET } });
      const log0 = logLength();
      const p = start(t, { auth: `keyed-sha1:${KEY_ID}:not-the-secret` });
      await p.waitFor('started', 10_000);
      await sleep(3_000);
      const s = await bird.session();
      const snap = await p.snapshot();
      const drops = [...new Set(p.eventsOf('dropped').map((e) => `${String(e['source'])}:${String(e['reason'])}`))];
      const authLog = logSince(log0).filter((l) => /Authentication failed/.test(l));
      t.comment(`after 3 s: BIRD ${s.state}; tsbgp ${snap.state}, drops ${JSON.stringify(drops)}; BIRD log: ${JSON.stringify(authLog.slice(0, 2))} (${authLog.length} lines)`);
      t.equal(s.state, 'Down', 'BIRD stays Down');
      t.equal(snap.state, 'Down', 'tsbgp stays Down');
      t.same(p.eventsOf('up'), [], 'no up event');
      t.ok(drops.includes('session:BAD_DIGEST'), "tsbgp drops BIRD's packets: BAD_DIGEST");
      t.ok(authLog.length > 0, 'BIRD logs "Authentication failed for 198.18.1.11"');
      t.same(await p.stop(), { code: 0, signal: null }, 'exit 0');
    });
  });
}
