/**
 * tsbgp BGP + BFD interop with FRR 8.4: FRR (zebra + bgpd + bfdd) in netns rtr has a BGP neighbor
 * 198.18.1.11 (passive) with `neighbor X bfd` + `bfd profile fast` (300 ms x 3) and a static bfdd
 * peer with the same key; hold time 90 s on both sides. `tsbgp session --hold-time 90 --bfd`
 * (300/300/3) runs in n1 and announces 203.0.113.11/32. Run twice, each time with a fresh FRR:
 * A with --bfd-wait (BGP only while BFD is Up), B without.
 *
 *  1. BGP Established and BFD Up on both sides (hold 90 s, 300 ms x 3 on FRR's neighbor); the
 *     FRR attach bounce (lab README gotcha 9) is recorded. What FRR 8.4 does: when bgpd first
 *     attaches to an Up BFD session (at the first Established; always in A, not seen in B), bfdd
 *     deletes and re-creates the session (Down diag 3 on the wire, Up again ~300 ms later) AND
 *     bgpd itself sends Cease/BFD Down at once. Asserted: tsbgp never tears BGP down for the
 *     bounce (no bfdTeardown, no NOTIFICATION on the Established session; a diag-3 Down that
 *     comes while BGP is Established is absorbed: bfdBounceAbsorbed); at most one flap, which
 *     is FRR's Cease/BFD Down (bgpd log) right after the first Established; BGP then stays up.
 *  2. Link down (rtr's bridge port to n1, at t0): tsbgp's BFD Down diag 1, notificationSent
 *     Cease/10 and BGP out of Established < 1 s after t0; FRR's bfdd down (control-expired),
 *     bgpd NOTIFICATION Cease/BFD Down and ADJCHANGE Down < 1 s after t0 (FRR's own log, ms
 *     timestamps; cross-checked by polling `show bgp neighbors X json` every 20 ms); the
 *     negotiated hold time was 90 s.
 *  3. Link up: BFD Up and BGP Established again on both sides (bounded; in A BFD comes first).
 *  4. SIGSTOP of tsbgp (a hung control plane, the kernel still ACKs TCP): FRR's bfdd, then bgpd
 *     drop BGP < 1 s after the stop; after SIGCONT both sides re-establish.
 *  5. SIGTERM: Cease/Administrative Shutdown, exit 0.
 *
 * Needs root + the lab (skips otherwise, fails on CI) and the built `tsbgp session` CLI.
 * Own lab: namespaces tsbi-bgpbfd-*, run dir /tmp/tsbgp-interop/bgpbfd (FRR logs kept there).
 */
import t, { type Test } from 'tap';
import { existsSync } from 'node:fs';
import { Lab, daemonAvailable, labAvailable, requireOrSkip, sleep, waitFor } from '../helpers/lab.js';
import { TsbgpProcess, type TsbgpEvent, notificationOf, tsbgpSessionAvailable } from '../helpers/lab-tsbgp.js';
import { BFD_DETECTION_MS, BFD_TSBGP_ADDR, BFD_TSBGP_NODE, type FrrBfdPeer, debVersion, setDaemonLink, waitTimed } from '../helpers/lab-bfd.js';
import { BGPBFD_HOLD_SEC, BGPBFD_PREFIX, FrrBgpBfd, frrAdjChanges, frrBfdStateChanges, frrNotifications, parseFrrLog, tsbgpBgpBfdOptions } from '../helpers/lab-bgp-bfd.js';

/** The requirement: both sides drop BGP within this after the failure. */
const DROP_BOUND_MS = 1_000;
/** Bound for FRR's drop as seen by polling vtysh (each call 10-100 ms). */
const POLL_BOUND_MS = 1_500;

const WHAT = 'tsbgp BGP + BFD interop with FRR';
const missing = labAvailable() ?? daemonAvailable('frr') ?? (existsSync('/usr/lib/frr/bfdd') ? undefined : 'frr: /usr/lib/frr/bfdd missing');
if (requireOrSkip(t, WHAT, missing)) {
  const cli = tsbgpSessionAvailable();
  if (cli !== undefined) {
    if (process.env.CI) t.fail(`${WHAT}: ${cli}`);
    else t.test(WHAT, { skip: cli }, async () => {});
  } else {
    await suite();
  }
}

/** Date.now() of an event: its `time` stamp (CLI, ms), else its arrival. */
function wallOf(p: TsbgpProcess, e: TsbgpEvent): number {
  const w = typeof e['time'] === 'string' ? Date.parse(e['time']) : Number.NaN;
  return Number.isFinite(w) ? w : p.startedAt + e.atMs;
}

/** A compact line per event, with ms relative to `t0` (Date.now()). */
function timeline(p: TsbgpProcess, since: number, t0: number, kinds: readonly string[] = ['stateChange', 'established', 'bfdStateChange', 'bfdTeardown', 'bfdBounceAbsorbed', 'bfdDownIgnored', 'notificationSent', 'notificationReceived']): string {
  return p.events
    .slice(since)
    .filter((e) => kinds.includes(e.event))
    .map((e) => {
      const { event, time, atMs, peer, ...rest } = e;
      void time, void atMs, void peer;
      const n = notificationOf(e);
      const body = n !== undefined ? `${n.code}/${n.subcode} ${n.subcodeName ?? ''} ${n.communication ?? ''}`.trim() : JSON.stringify(rest).slice(0, 200);
      return `  ${(wallOf(p, e) - t0).toFixed(0).padStart(7)} ms ${event} ${body}`;
    })
    .join('\n');
}

async function suite(): Promise<void> {
  const lab = await Lab.open(t, 'bgpbfd');
  t.comment(`FRR ${await debVersion('frr')} bgpd + bfdd in ${lab.ns('rtr')}; run dir ${lab.runDir}`);
  // --bfd-wait: BGP starts (and restarts) only while BFD is Up, so the first Established comes
  // with the BFD session already Up: then FRR 8.4 always bounces it when bgpd attaches.
  // Without it BGP usually reaches Established before BFD is Up (BFD starts at 1 s intervals).
  await t.test('A. tsbgp --bfd --bfd-wait', (t) => scenario(t, lab, true));
  await t.test('B. tsbgp --bfd (BGP not held for BFD)', (t) => scenario(t, lab, false));
}

/** One FRR start (fresh bgpd + bfdd, so bgpd attaches to BFD anew) and one tsbgp session. */
async function scenario(t: Test, lab: Lab, wait: boolean): Promise<void> {
  const frr = new FrrBgpBfd(lab);
  await frr.start();
  t.teardown(() => frr.stop());

  const frrBfdWhen = (desc: string, pred: (p: FrrBfdPeer) => boolean, timeoutMs = 15_000) =>
    waitFor(`FRR BFD peer ${desc}`, async () => {
      const x = await frr.bfd.peer(BFD_TSBGP_ADDR);
      return pred(x) ? x : undefined;
    }, { timeoutMs, intervalMs: 50 });
  const frrBgpWhen = (desc: string, pred: (state: string) => boolean, timeoutMs = 30_000) =>
    waitFor(`FRR BGP neighbor ${desc}`, async () => {
      const s = await frr.bgpState();
      return pred(s) ? s : undefined;
    }, { timeoutMs, intervalMs: 100 });
  /** tsbgp's BFD session snapshot ({"dump":"snapshot"}). */
  const bfdSnapshot = async (p: TsbgpProcess): Promise<Record<string, unknown>> => {
    const since = p.mark();
    p.send({ dump: 'snapshot' });
    const ev = await p.waitFor('snapshot', 5_000, () => true, since);
    const sessions = ((ev['bfd'] as { sessions?: unknown[] } | undefined)?.sessions ?? []) as Record<string, unknown>[];
    return sessions[0] ?? {};
  };
  /** Both sides Established, BFD Up with the steady 300 ms timers (no Poll Sequence running). */
  const steady = async (p: TsbgpProcess, since: number): Promise<void> => {
    await p.waitEstablished(30_000, since);
    await frrBgpWhen('Established', (s) => s === 'Established');
    await frrBfdWhen('up', (x) => x.status === 'up');
    await waitFor('tsbgp BFD Up with steady timers', async () => {
      const s = await bfdSnapshot(p);
      return s['state'] === 'Up' && s['pollActive'] === false && s['detectionTimeMs'] === BFD_DETECTION_MS ? s : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
  };

  const p = TsbgpProcess.start(t, lab, BFD_TSBGP_NODE, tsbgpBgpBfdOptions(wait ? ['--bfd-wait'] : []));
  const fail = async (t: Test, e: unknown): Promise<never> => {
    t.comment(p.describe(40));
    t.comment(await frr.describe());
    throw e;
  };

  let established: TsbgpEvent | undefined;

  /** Log positions now (to find what FRR logs after a failure). */
  const frrLogMark = () => ({ bfd: frrBfdStateChanges(frr.bfddLog()).length, notes: frrNotifications(frr.bgpdLog()).length, adj: frrAdjChanges(frr.bgpdLog()).length });
  /**
   * FRR's drop of the BGP session after `mark`, from its own logs (ms timestamps): bfdd's state
   * change up -> down, bgpd's NOTIFICATION Cease/BFD Down sent, bgpd's ADJCHANGE Down.
   */
  const frrDrop = async (mark: ReturnType<typeof frrLogMark>) => {
    const adj = await waitFor('FRR ADJCHANGE Down in the bgpd log', () => frrAdjChanges(frr.bgpdLog()).slice(mark.adj).find((a) => !a.up), { timeoutMs: 3_000, intervalMs: 50 });
    const note = frrNotifications(frr.bgpdLog()).slice(mark.notes).find((n) => n.sent);
    const bfd = frrBfdStateChanges(frr.bfddLog()).slice(mark.bfd).find((c) => c.from === 'up');
    return { adj, note, bfd };
  };

  await t.test('1. BGP Established + BFD Up on both sides; FRR attach bounce', async (t) => {
    try {
      const first = await p.waitEstablished(30_000);
      const estWall = wallOf(p, first);
      const neg = first['negotiated'] as Record<string, unknown>;
      t.equal(neg['holdTimeSec'], BGPBFD_HOLD_SEC, `negotiated hold time ${BGPBFD_HOLD_SEC} s`);
      await steady(p, 0);
      // let FRR's attach bounce (if any) play out: until the coupling's attach window (3 s) of the
      // last Established has passed and both sides are steady again (bounded: 3 rounds)
      for (let i = 0; i < 3; i++) {
        const last = p.eventsOf('established').at(-1)!;
        const wait = wallOf(p, last) + 4_000 - Date.now();
        if (wait <= 0) break;
        await sleep(wait);
        await steady(p, p.events.indexOf(last));
      }
      established = p.eventsOf('established').at(-1)!;
      const nb = await frr.neighborJson();
      t.equal(nb['bgpState'], 'Established', 'FRR: Established');
      t.comment(`FRR neighbor: hold ${String(nb['bgpTimerHoldTimeMsecs'])} ms, keepalive ${String(nb['bgpTimerKeepAliveIntervalMsecs'])} ms, peerBfdInfo ${JSON.stringify(nb['peerBfdInfo'])}`);
      t.equal(nb['bgpTimerHoldTimeMsecs'], BGPBFD_HOLD_SEC * 1000, 'FRR: hold time 90 s');
      t.match(nb['peerBfdInfo'], { status: 'Up', detectMultiplier: 3, rxMinInterval: 300, txMinInterval: 300 }, 'FRR bgpd: BFD Up on the neighbor, 300 ms x 3');
      t.equal((await frr.bfd.peer(BFD_TSBGP_ADDR)).status, 'up', 'FRR bfdd: up');

      const frrBfd = frrBfdStateChanges(frr.bfddLog());
      const frrNotes = frrNotifications(frr.bgpdLog());
      const adj = frrAdjChanges(frr.bgpdLog());
      t.comment(`tsbgp timeline (ms from the first established):\n${timeline(p, 0, estWall)}`);
      t.comment(`FRR bfdd (ms from the first established): ${frrBfd.map((c) => `${(c.wall - estWall).toFixed(0)} ${c.from}->${c.to} ${c.reason}`.trim()).join(' | ') || '(nothing logged)'}; session-delete at ${parseFrrLog(frr.bfddLog()).filter((l) => l.text.includes('session-delete')).map((l) => (l.wall - estWall).toFixed(0)).join(', ') || '-'}`);
      t.comment(`FRR bgpd (ms from the first established): ${[...adj.map((a) => ({ wall: a.wall, s: `ADJCHANGE ${a.up ? 'Up' : 'Down'} ${a.reason}`.trim() })), ...frrNotes.map((n) => ({ wall: n.wall, s: `NOTIFICATION ${n.sent ? 'sent' : 'received'} ${n.code}/${n.subcode} (${n.name})` }))].sort((a, b) => a.wall - b.wall).map((x) => `${(x.wall - estWall).toFixed(0)} ${x.s}`).join(' | ')}`);

      // tsbgp's side of the bounce: a Down with diag 3 right after Established; absorbed when BGP
      // was still Established then (FRR's own NOTIFICATION can arrive before or after its BFD Down)
      let bgpState = 'Idle';
      const bfdDowns: { e: TsbgpEvent; bgpState: string }[] = [];
      for (const e of p.events) {
        if (e.event === 'stateChange') bgpState = String(e['to']);
        if (e.event === 'bfdStateChange' && e['from'] === 'Up') bfdDowns.push({ e, bgpState });
      }
      const absorbed = p.eventsOf('bfdBounceAbsorbed');
      t.comment(`FRR attach bounce seen by tsbgp: ${bfdDowns.length === 0 ? 'none' : bfdDowns.map(({ e, bgpState }) => `Up->${String(e['to'])} diag ${String(e['diag'])} (${String(e['diagName'])}) at ${(wallOf(p, e) - estWall).toFixed(0)} ms, BGP ${bgpState}`).join(', ')}; bfdBounceAbsorbed ${absorbed.length}${absorbed.length > 0 ? ` ${JSON.stringify(absorbed.map(({ downAtMs, upAtMs }) => ({ downAtMs, upAtMs })))}` : ''}`);
      for (const { e } of bfdDowns) t.equal(e['diag'], 3, `tsbgp: the bounce is a Down with diag 3 (${String(e['diagName'])})`);
      t.equal(absorbed.length, bfdDowns.filter((d) => d.bgpState === 'Established').length, 'tsbgp: every bounce that came while BGP was Established was absorbed');
      t.same(p.eventsOf('bfdTeardown'), [], 'tsbgp: no bfdTeardown (tsbgp never tore BGP down for the bounce)');

      // BGP flaps after the first Established: none, or (FRR 8.4) FRR's own Cease/BFD Down on its bounce
      const leaves = p.eventsOf('stateChange').filter((e) => e['from'] === 'Established');
      const received = p.eventsOf('notificationReceived');
      if (leaves.length > 0) {
        t.comment(
          `BGP FLAPPED after the first Established: tsbgp left Established ${leaves.map((e) => `at ${(wallOf(p, e) - estWall).toFixed(0)} ms (${String(e['reason'])})`).join(', ')}; ` +
            `NOTIFICATIONs received from FRR: ${received.map((e) => `${notificationOf(e)?.code}/${notificationOf(e)?.subcode} at ${(wallOf(p, e) - estWall).toFixed(0)} ms`).join(', ')}; ` +
            `re-established at ${p.eventsOf('established').slice(1).map((e) => (wallOf(p, e) - estWall).toFixed(0)).join(', ')} ms`,
        );
      }
      t.ok(leaves.length <= 1, `at most one flap, by FRR's attach bounce (${leaves.length})`);
      for (const l of leaves) {
        // FRR closes the connection after its NOTIFICATION: tsbgp reads it, or a write fails first (EPIPE)
        t.match(String(l['reason']), /received NOTIFICATION 6\/10|TCP connection closed|ECONNRESET|EPIPE/, `the flap: FRR's Cease/BFD Down, not tsbgp's own decision (${String(l['reason'])})`);
        const frrSent = frrNotes.find((n) => n.sent && n.code === 6 && n.subcode === 10);
        t.ok(frrSent !== undefined && Math.abs(frrSent.wall - wallOf(p, l)) < 200, 'FRR bgpd logged NOTIFICATION sent 6/10 (Cease/BFD Down) at the flap');
        t.ok(wallOf(p, l) - estWall < 200, `the flap came with FRR's attach bounce, right after the first Established (${(wallOf(p, l) - estWall).toFixed(0)} ms)`);
      }
      // tsbgp sent nothing on the Established connection: Cease/7 refuses a colliding connection;
      // a Cease/10 may go to a colliding connection once BGP is held Idle for BFD (--bfd-wait)
      const firstLeave = leaves[0] === undefined ? Number.POSITIVE_INFINITY : p.events.indexOf(leaves[0]);
      const badSent = p.eventsOf('notificationSent').filter((e) => {
        const n = notificationOf(e);
        return !(n?.code === 6 && n.subcode === 7) && !(n?.code === 6 && n.subcode === 10 && p.events.indexOf(e) > firstLeave);
      });
      t.same(badSent.map(notificationOf), [], 'tsbgp: sent no NOTIFICATION on its Established session');
      t.equal(p.eventsOf('established').length, leaves.length + 1, 'tsbgp: Established again after each flap');
      t.equal(adj.filter((a) => a.up).length, leaves.length + 1, 'FRR: as many ADJCHANGE Up');
      const rib = await frr.bgp.vtyshJson(`show bgp ipv4 unicast ${BGPBFD_PREFIX} json`);
      t.match(rib, { prefix: BGPBFD_PREFIX }, `FRR learned ${BGPBFD_PREFIX}`);
    } catch (e) {
      await fail(t, e);
    }
  });

  await t.test('2. link down: both sides drop BGP in < 1 s (hold time 90 s)', async (t) => {
    try {
      await steady(p, 0);
      await sleep(200);
      const since = p.mark();
      const mark = frrLogMark();
      const t0perf = performance.now();
      const { startedWall: t0, durationMs } = await setDaemonLink(lab, false);
      let frrPoll: { value: string; elapsedMs: number; windowStartMs: number } | undefined;
      try {
        frrPoll = await waitTimed('FRR BGP leaves Established', t0perf, async () => {
          const s = await frr.bgpState();
          return s !== 'Established' ? s : undefined;
        }, 5_000, 20);
        const sent = await p.waitFor('notificationSent', 5_000, () => true, since);
        const left = await p.waitFor('stateChange', 5_000, (e) => e['from'] === 'Established', since);
        const n = notificationOf(sent);
        t.match(n, { code: 6, subcode: 10 }, `tsbgp: notificationSent Cease/10 (${n?.subcodeName ?? ''})`);
        const tsbgpSentMs = wallOf(p, sent) - t0;
        const tsbgpLeftMs = wallOf(p, left) - t0;
        const bfdDown = await p.waitFor('bfdStateChange', 2_000, (e) => e['from'] === 'Up', since).catch(() => undefined);
        const teardown = await p.waitFor('bfdTeardown', 2_000, () => true, since).catch(() => undefined);
        t.ok(bfdDown, 'tsbgp: BFD left Up');
        t.equal(bfdDown?.['diag'], 1, `tsbgp: BFD diag 1 (${String(bfdDown?.['diagName'])})`);
        t.ok(teardown, 'tsbgp: bfdTeardown');
        // FRR: its own logs (ms timestamps) for the moment; polling as a cross-check
        const { adj, note, bfd } = await frrDrop(mark);
        const frrLogMs = adj.wall - t0;
        const nb = await frr.neighborJson();
        t.comment(
          `link down at t0 (ip command ${durationMs.toFixed(1)} ms): tsbgp BFD down ${bfdDown === undefined ? '?' : (wallOf(p, bfdDown) - t0).toFixed(0)} ms, ` +
            `NOTIFICATION Cease/10 sent ${tsbgpSentMs.toFixed(0)} ms, BGP left Established ${tsbgpLeftMs.toFixed(0)} ms; ` +
            `FRR bfdd down ${bfd === undefined ? '?' : `${(bfd.wall - t0).toFixed(0)} ms (${bfd.reason})`}, bgpd NOTIFICATION sent ${note === undefined ? '?' : `${(note.wall - t0).toFixed(0)} ms (${note.code}/${note.subcode} ${note.name})`}, ` +
            `ADJCHANGE Down "${adj.reason}" ${frrLogMs.toFixed(0)} ms, seen by polling ${frrPoll.elapsedMs.toFixed(0)} ms (still Established at ${frrPoll.windowStartMs.toFixed(0)} ms); ` +
            `lastResetDueTo "${String(nb['lastResetDueTo'])}"`,
        );
        t.comment(`tsbgp timeline from t0:\n${timeline(p, since, t0)}`);
        t.ok(tsbgpSentMs < DROP_BOUND_MS, `tsbgp: Cease/10 ${tsbgpSentMs.toFixed(0)} ms < ${DROP_BOUND_MS} ms after t0`);
        t.ok(tsbgpLeftMs < DROP_BOUND_MS, `tsbgp: left Established ${tsbgpLeftMs.toFixed(0)} ms < ${DROP_BOUND_MS} ms after t0`);
        t.ok(frrLogMs < DROP_BOUND_MS, `FRR: BGP Down (bgpd ADJCHANGE) ${frrLogMs.toFixed(0)} ms < ${DROP_BOUND_MS} ms after t0`);
        t.ok(frrPoll.windowStartMs < DROP_BOUND_MS, `FRR: the last poll that saw Established started ${frrPoll.windowStartMs.toFixed(0)} ms < ${DROP_BOUND_MS} ms after t0`);
        t.ok(frrPoll.elapsedMs < POLL_BOUND_MS, `FRR: seen not Established by polling within ${POLL_BOUND_MS} ms (${frrPoll.elapsedMs.toFixed(0)} ms)`);
        t.match(note, { code: 6, subcode: 10 }, 'FRR: bgpd sent Cease/BFD Down');
        t.ok(note !== undefined && note.wall - t0 < DROP_BOUND_MS, 'FRR: ... < 1 s after t0');
        t.match(bfd, { to: 'down', reason: 'control-expired' }, 'FRR: bfdd down by control detection time expiry');
        t.equal((established?.['negotiated'] as Record<string, unknown> | undefined)?.['holdTimeSec'], BGPBFD_HOLD_SEC, 'the hold time in force was 90 s');
      } finally {
        await setDaemonLink(lab, true);
      }
    } catch (e) {
      await fail(t, e);
    }
  });

  await t.test(wait ? '3. link up: BFD Up, then BGP Established again on both sides' : '3. link up: BFD Up and BGP Established again on both sides', async (t) => {
    try {
      const since = p.mark();
      const t0 = Date.now();
      const up = await p.waitFor('bfdStateChange', 15_000, (e) => e['to'] === 'Up', since);
      const est = await p.waitEstablished(30_000, since);
      await steady(p, since);
      t.comment(`after link up: tsbgp BFD Up ${(wallOf(p, up) - t0).toFixed(0)} ms, BGP Established ${(wallOf(p, est) - t0).toFixed(0)} ms\n${timeline(p, since, t0)}`);
      // --bfd-wait holds BGP until BFD is Up; without it BGP restarts on its own timers
      if (wait) t.ok(wallOf(p, up) <= wallOf(p, est), 'BFD Up before BGP Established');
      t.equal((est['negotiated'] as Record<string, unknown>)['holdTimeSec'], BGPBFD_HOLD_SEC, 'hold time 90 s again');
      established = est;
    } catch (e) {
      await fail(t, e);
    }
  });

  await t.test('4. SIGSTOP tsbgp: FRR drops BGP in < 1 s', async (t) => {
    try {
      await steady(p, 0);
      // past the coupling's attach window of the last Established
      await sleep(Math.max(200, wallOf(p, established!) + 4_000 - Date.now()));
      const since = p.mark();
      const mark = frrLogMark();
      const t0 = Date.now();
      const t0perf = performance.now();
      p.signal('SIGSTOP');
      let frrPoll: { value: string; elapsedMs: number; windowStartMs: number };
      try {
        frrPoll = await waitTimed('FRR BGP leaves Established', t0perf, async () => {
          const s = await frr.bgpState();
          return s !== 'Established' ? s : undefined;
        }, 5_000, 20);
      } finally {
        p.signal('SIGCONT');
      }
      const { adj, note, bfd } = await frrDrop(mark);
      const frrLogMs = adj.wall - t0;
      t.comment(`SIGSTOP at t0: FRR bfdd down ${bfd === undefined ? '?' : `${(bfd.wall - t0).toFixed(0)} ms (${bfd.reason})`}, bgpd NOTIFICATION sent ${note === undefined ? '?' : `${(note.wall - t0).toFixed(0)} ms (${note.code}/${note.subcode} ${note.name})`}, ADJCHANGE Down ${frrLogMs.toFixed(0)} ms, seen by polling ${frrPoll.elapsedMs.toFixed(0)} ms (still Established at ${frrPoll.windowStartMs.toFixed(0)} ms)`);
      t.ok(frrLogMs < DROP_BOUND_MS, `FRR: BGP Down (bgpd ADJCHANGE) ${frrLogMs.toFixed(0)} ms < ${DROP_BOUND_MS} ms after SIGSTOP`);
      t.ok(frrPoll.windowStartMs < DROP_BOUND_MS, `FRR: last poll that saw Established started ${frrPoll.windowStartMs.toFixed(0)} ms < ${DROP_BOUND_MS} ms`);
      t.match(note, { code: 6, subcode: 10 }, 'FRR: bgpd sent Cease/BFD Down');
      t.match(bfd, { to: 'down', reason: 'control-expired' }, 'FRR: bfdd down by control detection time expiry');
      // after SIGCONT: tsbgp leaves Established (FRR's Cease/BFD Down, or its own BFD Down) and both come back
      const left = await p.waitFor('stateChange', 10_000, (e) => e['from'] === 'Established', since);
      const est = await p.waitEstablished(30_000, since);
      await steady(p, since);
      t.comment(`tsbgp after SIGCONT (ms from SIGSTOP):\n${timeline(p, since, t0)}`);
      t.ok(left, 'tsbgp left Established after SIGCONT');
      established = est;
    } catch (e) {
      await fail(t, e);
    }
  });

  await t.test('5. clean stop', async (t) => {
    const since = p.mark();
    const exit = await p.stop();
    t.same(exit, { code: 0, signal: null }, 'SIGTERM: exit 0');
    const n = p.eventsOf('notificationSent', since).map(notificationOf)[0];
    t.match(n, { code: 6, subcode: 2 }, 'Cease/Administrative Shutdown on stop');
    await frrBgpWhen('not Established after stop', (s) => s !== 'Established', 5_000);
    t.same(p.strayStdout, [], 'no non-JSON stdout');
  });
}
