/**
 * One repetition of a `fulltable` scenario, timed the same way for every implementation:
 * t_est = the session is Established, t_done = the receiver reports all N prefixes, t_idle = the
 * receiver has gone quiet (< 2 ms CPU in each of two consecutive 200 ms samples). CPU is the
 * change of /proc/PID/task/STAR/schedstat between t_est (the last 50 ms sample before it) and
 * t_idle, for receiver and sender; peak RSS is VmHWM.
 *
 * How each receiver is asked:
 * - BIRD: `show protocols n1` every 50 ms until Established; t_est is the "Since" time BIRD shows
 *   for that state (its config sets a microsecond timeformat), not when the poll noticed it; then
 *   `show protocols all n1` every 50 ms until "Routes: N imported" (t_done: up to 50 ms late).
 * - gobgpd: Established by `gobgp neighbor -j` every 50 ms (its table is empty then; t_est up to
 *   50 ms late, which favours gobgpd), then NOT
 *   polled during the transfer (the CLI walks its Adj-RIB-In and slowed it 7-10x): wait until it
 *   is idle, ask the count once, repeat if still short; t_done = start of that idle period.
 * - tsbgp: the peer process stamps `established` and `done` itself (epoch ms, same clock).
 *
 * Owns: only the waits and the figures; starting/stopping goes through the callbacks it is given.
 */
import { type FulltableLab, type PeerProcess, cpuSeconds, hwmKb, nowMs, sleep } from './fulltable-daemons.js';

export interface RepResult {
  readonly ok: boolean;
  readonly error?: string | undefined;
  /** t_est -> t_done. */
  readonly seconds: number;
  /** t_est -> t_idle. */
  readonly idleSeconds: number;
  readonly count: number;
  /** Receiver (or tsbgp peer) start -> t_est. */
  readonly estAfterStartS: number;
  /** Where t_est came from: BIRD's "Since", the 50 ms poll, or the tsbgp process. */
  readonly estSource?: 'bird-since' | 'poll' | 'tsbgp' | undefined;
  readonly receiverCpuS: number;
  readonly senderCpuS: number;
  readonly receiverHwmKb: number;
  readonly senderHwmKb: number;
  /** The tsbgp peer's own figures (process.cpuUsage from Established, VmHWM), when it is one of the two. */
  readonly peerSelf?: Record<string, unknown> | undefined;
  /** tsbgp sender: load time of this repetition's peer. */
  readonly loadS?: number | undefined;
}

export type ProgressFn = (phase: string, count: number | undefined, note?: string) => void;

export const MAX_XFER_MS = 600_000;
const EST_TIMEOUT_MS = 120_000;
const POLL_MS = 50;

/** Polls `ok` every POLL_MS until true; bounded in time and tries. */
async function pollUntil(ok: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < timeoutMs / POLL_MS + 10 && Date.now() < deadline; i++) {
    if (await ok()) return true;
    await sleep(POLL_MS);
  }
  return false;
}

/**
 * Waits until `pids` together used < `quietS` CPU (default 2 ms) in each of two consecutive 200 ms
 * samples (at most 120 s); returns t_idle, the start of that quiet period.
 */
export async function waitIdle(pids: readonly number[], progress?: ProgressFn, quietS = 0.002): Promise<number> {
  const sum = (): number => pids.reduce((s, p) => s + cpuSeconds(p), 0);
  let prev = sum();
  let quiet = 0;
  for (let i = 0; i < 600; i++) {
    await sleep(200);
    const cur = sum();
    if (cur - prev < quietS) {
      if (++quiet >= 2) break;
    } else {
      quiet = 0;
    }
    prev = cur;
    progress?.('settling', undefined, `receiver CPU ${cur.toFixed(1)} s`);
  }
  return nowMs() - 400;
}

interface Snap {
  r: number;
  s: number;
}
const snap = (rpid: number, spid: number): Snap => ({ r: cpuSeconds(rpid), s: cpuSeconds(spid) });

/**
 * CPU of receiver and sender sampled every 50 ms while waiting for Established, so the CPU window
 * starts at the last sample before t_est (at most 50 ms early, when both are nearly idle) instead
 * of when the harness noticed Established (a fast sender is half done by then).
 */
class CpuSampler {
  readonly #samples: { t: number; snap: Snap }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(rpid: number, spid: () => number) {
    const take = (): void => {
      this.#samples.push({ t: nowMs(), snap: snap(rpid, spid()) });
      if (this.#samples.length > 4000) this.#samples.splice(0, 2000);
    };
    take();
    this.#timer = setInterval(take, POLL_MS);
  }

  /** The last sample taken at or before `t` (the first one if none). */
  at(t: number): Snap {
    clearInterval(this.#timer);
    let best = this.#samples[0]!;
    for (const x of this.#samples) if (x.t <= t) best = x;
    return best.snap;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

function result(o: {
  tStart: number;
  tEst: number;
  estSource: 'bird-since' | 'poll' | 'tsbgp';
  tDone: number;
  tIdle: number;
  count: number;
  n: number;
  c0: Snap;
  c1: Snap;
  rpid: number;
  spid: number;
  error?: string | undefined;
  peerSelf?: Record<string, unknown>;
  loadS?: number;
}): RepResult {
  const ok = o.count >= o.n && o.error === undefined;
  return {
    ok,
    error: ok ? undefined : (o.error ?? `receiver reported ${o.count} of ${o.n}`),
    seconds: (o.tDone - o.tEst) / 1000,
    idleSeconds: (o.tIdle - o.tEst) / 1000,
    count: o.count,
    estAfterStartS: (o.tEst - o.tStart) / 1000,
    estSource: o.estSource,
    receiverCpuS: o.c1.r - o.c0.r,
    senderCpuS: o.c1.s - o.c0.s,
    receiverHwmKb: hwmKb(o.rpid),
    senderHwmKb: hwmKb(o.spid),
    peerSelf: o.peerSelf,
    loadS: o.loadS,
  };
}

const failed = (error: string): RepResult => ({ ok: false, error, seconds: NaN, idleSeconds: NaN, count: 0, estAfterStartS: NaN, receiverCpuS: NaN, senderCpuS: NaN, receiverHwmKb: 0, senderHwmKb: 0 });

/** Waits (50 ms polls) until BIRD's protocol n1 is Established; t_est from BIRD's "Since" when plausible, else the poll time. */
async function birdEst(lab: FulltableLab, tStart: number): Promise<{ tEst: number; estSource: 'bird-since' | 'poll' } | undefined> {
  let since: number | undefined;
  const ok = await pollUntil(async () => (since = await lab.birdEstablishedSince('rtr', 'n1')) !== undefined, EST_TIMEOUT_MS);
  const polled = nowMs();
  if (!ok) return undefined;
  // BIRD's clock is the same system clock; allow for its cached event-loop time
  if (since !== undefined && since >= tStart - 1000 && since <= polled + 20) return { tEst: Math.min(since, polled), estSource: 'bird-since' };
  return { tEst: polled, estSource: 'poll' };
}

/** Polls BIRD's imported count every 50 ms until N; returns [t_done, count]. */
async function birdUntilN(lab: FulltableLab, node: 'rtr', proto: string, n: number, tEst: number, progress: ProgressFn): Promise<[number, number]> {
  let count = 0;
  let lastShown = 0;
  await pollUntil(async () => {
    count = await lab.birdImported(node, proto);
    if (nowMs() - lastShown >= 1000) {
      lastShown = nowMs();
      progress('transfer', count, `${((nowMs() - tEst) / 1000).toFixed(1)} s since Established`);
    }
    return count >= n;
  }, MAX_XFER_MS);
  return [nowMs(), count];
}

/** recv with a daemon receiver (BIRD or gobgpd in rtr), BIRD sender `spid` in n1 already loaded. */
export async function recvDaemon(lab: FulltableLab, kind: 'bird' | 'gobgp', conf: string, n: number, spid: number, progress: ProgressFn): Promise<RepResult> {
  const tStart = nowMs();
  progress('starting receiver', undefined);
  const rpid = kind === 'bird' ? await lab.birdStart('rtr', conf) : await lab.gobgpStart('rtr', conf);
  const sampler = new CpuSampler(rpid, () => spid);
  try {
    progress('waiting for Established', undefined);
    let est: { tEst: number; estSource: 'bird-since' | 'poll' } | undefined;
    if (kind === 'bird') est = await birdEst(lab, tStart);
    else if (await pollUntil(() => lab.gobgpEstablished('rtr', '198.18.1.11'), EST_TIMEOUT_MS)) est = { tEst: nowMs(), estSource: 'poll' };
    if (est === undefined) return failed('session never Established');
    const { tEst, estSource } = est;
    const c0 = sampler.at(tEst);
    let count = 0;
    let tDone: number;
    let tIdle: number;
    if (kind === 'bird') {
      [tDone, count] = await birdUntilN(lab, 'rtr', 'n1', n, tEst, progress);
      tIdle = await waitIdle([rpid], progress);
    } else {
      // idle method: never poll gobgpd while it receives
      tIdle = tEst;
      for (let k = 0; k < 100 && nowMs() - tEst < MAX_XFER_MS; k++) {
        tIdle = await waitIdle([rpid], (phase, _c, note) => progress('transfer (gobgpd not polled)', undefined, `${((nowMs() - tEst) / 1000).toFixed(1)} s, ${note ?? phase}`));
        count = await lab.gobgpAccepted('rtr', '198.18.1.11');
        progress('transfer (gobgpd idle, asked once)', count);
        if (count >= n) break;
      }
      tDone = tIdle;
    }
    const c1 = snap(rpid, spid);
    return result({ tStart, tEst, estSource, tDone, tIdle, count, n, c0, c1, rpid, spid });
  } finally {
    sampler.stop();
    if (kind === 'bird') await lab.birdStop('rtr');
    else await lab.gobgpStop('rtr');
  }
}

/** recv with the tsbgp peer in rtr (started by `spawn`), BIRD sender `spid` in n1. */
export async function recvTsbgp(spawn: () => PeerProcess, n: number, spid: number, progress: ProgressFn): Promise<RepResult> {
  const tStart = nowMs();
  progress('starting tsbgp peer', undefined);
  const peer = spawn();
  const sampler = new CpuSampler(peer.pid, () => spid);
  try {
    const est = await peer.waitFor(['established', 'error'], EST_TIMEOUT_MS);
    if (est?.event !== 'established') return failed(`no Established: ${JSON.stringify(est ?? peer.stderr.slice(-500))}`);
    const c0 = sampler.at(est.t);
    const done = await peer.waitFor(['done'], MAX_XFER_MS);
    if (done === undefined) {
      const last = [...peer.events].reverse().find((e) => e.event === 'progress' || e.event === 'error');
      return failed(`tsbgp did not report ${n} (last: ${JSON.stringify(last)}; stderr: ${peer.stderr.slice(-300)})`);
    }
    const tIdle = await waitIdle([peer.pid], progress);
    const c1 = snap(peer.pid, spid);
    const { event: _e, t: _t, ...self } = done;
    return result({ tStart, tEst: est.t, estSource: 'tsbgp', tDone: done.t, tIdle, count: Number(done.count), n, c0, c1, rpid: peer.pid, spid, peerSelf: self });
  } finally {
    sampler.stop();
    await peer.stop();
  }
}

/**
 * send into a fresh BIRD receiver in rtr. `startSender` makes the sender connect (daemons: they
 * are up already and BIRD's start is what brings the session up; tsbgp: `start` on stdin).
 */
export async function sendToBird(
  lab: FulltableLab,
  conf: string,
  n: number,
  sender: { pid: () => number; beforeBird?: () => Promise<void>; afterBird?: () => Promise<void>; loadS?: () => number | undefined; self?: () => Record<string, unknown> | undefined },
  progress: ProgressFn,
): Promise<RepResult> {
  const tStart = nowMs();
  await sender.beforeBird?.();
  progress('starting BIRD receiver', undefined);
  const rpid = await lab.birdStart('rtr', conf);
  const spid = sender.pid();
  const sampler = new CpuSampler(rpid, () => spid);
  try {
    await sender.afterBird?.();
    progress('waiting for Established', undefined);
    const est = await birdEst(lab, tStart);
    if (est === undefined) return failed('session never Established');
    const { tEst, estSource } = est;
    const c0 = sampler.at(tEst);
    const [tDone, count] = await birdUntilN(lab, 'rtr', 'n1', n, tEst, progress);
    const tIdle = await waitIdle([rpid], progress);
    const c1 = snap(rpid, spid);
    const self = sender.self?.();
    return result({ tStart, tEst, estSource, tDone, tIdle, count, n, c0, c1, rpid, spid, ...(self === undefined ? {} : { peerSelf: self }), ...(sender.loadS?.() === undefined ? {} : { loadS: sender.loadS()! }) });
  } finally {
    sampler.stop();
    await lab.birdStop('rtr');
  }
}
