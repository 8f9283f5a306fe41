/**
 * The tsbgp side of `npm run bench -- fulltable`: one BgpSession in a process of its own, which
 * the harness starts inside a lab namespace (a node process cannot change its namespace):
 *
 *   ip netns exec tsbft-rtr node .bench-build/bench/fulltable-peer.js '<PeerConfig JSON>'
 *
 * The session is active-only (it connects to the daemon; no listener), IPv4 unicast only, hold
 * time 180 s like every daemon of the bench.
 *
 * - `recv`: keeps the Adj-RIB-In (the session does) and feeds every received UPDATE into a
 *   LocRib (`feedLocRib`), as a receiving router does (BIRD and gobgpd run best-path too). Done
 *   when the Loc-RIB holds N prefixes; the process times Established -> done itself.
 * - `send`: states the N advertisements (next-hop self, ORIGIN IGP) through the Adj-RIB-Out's
 *   `beginSet()` job in slices, reports the load time, waits for `start` on stdin, starts the
 *   session; the Adj-RIB-Out drains when Established. The harness times until BIRD reports N.
 *
 * stdout: one JSON object per line, `{"event": ..., "t": epoch ms}`: `loaded` (send), `established`,
 * `progress` (at most every 250 ms), `done` (recv: count reached N) / `drained` (send: the
 * Adj-RIB-Out has nothing pending), `error`, `exiting`. `cpuS` is process.cpuUsage() (user+system,
 * all threads) since Established, `hwmKb` the peak RSS (VmHWM of /proc/self/status).
 * stdin: `start`, `exit`. Exits on `exit`, stdin EOF, SIGTERM, and after `lifetimeMs` by itself.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { BgpSession } from '../src/bgp/session/bgp-session.js';
import type { UpdateMessage } from '../src/bgp/codec/update.js';
import { LocRib } from '../src/rib/loc-rib.js';
import type { PeerDescriptor } from '../src/rib/decision-process.js';
import type { Advertisement } from '../src/rib/advertisement.js';
import { prefixText } from './fulltable-gen.js';

export interface PeerConfig {
  readonly mode: 'recv' | 'send';
  /** Prefixes expected (recv) or announced (send). */
  readonly n: number;
  readonly localAsn: number;
  readonly peerAsn: number;
  readonly routerId: string;
  readonly localAddress: string;
  readonly peerAddress: string;
  /** The process exits by itself after this long. */
  readonly lifetimeMs: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const out = (event: string, o: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, t: now(), ...o })}\n`);
};

function hwmKb(): number {
  const m = /^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m === null ? 0 : Number(m[1]);
}

function cpuSince(base: NodeJS.CpuUsage | undefined): number {
  const c = process.cpuUsage(base);
  return (c.user + c.system) / 1e6;
}

/**
 * What the receiving router does with one UPDATE: its routes into the Loc-RIB, the whole UPDATE
 * at once (`LocRib.applyUpdate`: withdrawals, NLRI, RFC 7606 treat-as-withdraw). The one place the
 * bench touches the Loc-RIB API. (Before applyUpdate existed this was one `locRib.update(peer,
 * route)` per prefix of the UPDATE's PrefixList, with the prefix as text.)
 */
export function feedLocRib(locRib: LocRib, peer: PeerDescriptor, update: UpdateMessage): void {
  locRib.applyUpdate(peer, update);
}

/** beginSet() batches: ~2-3 ms each (bench/rib.ts); finish() slices of 100k paths. */
const SET_BATCH = 2000;

async function load(session: BgpSession, n: number): Promise<{ seconds: number; maxSliceMs: number }> {
  const t0 = performance.now();
  let maxSlice = 0;
  const job = session.adjRibOut.beginSet();
  const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));
  for (let i = 0; i < n; i += SET_BATCH) {
    const batch: Advertisement[] = [];
    for (let k = i; k < Math.min(n, i + SET_BATCH); k++) batch.push({ prefix: prefixText(k) });
    const s = performance.now();
    job.add(batch);
    maxSlice = Math.max(maxSlice, performance.now() - s);
    await yieldNow();
  }
  for (;;) {
    const s = performance.now();
    const done = job.finish(100_000);
    maxSlice = Math.max(maxSlice, performance.now() - s);
    if (done) break;
    await yieldNow();
  }
  return { seconds: (performance.now() - t0) / 1000, maxSliceMs: maxSlice };
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('usage: fulltable-peer.js CONFIG_JSON');
  const c = JSON.parse(raw) as PeerConfig;
  const session = new BgpSession({
    localAsn: c.localAsn,
    peerAsn: c.peerAsn,
    routerId: c.routerId,
    peerAddress: c.peerAddress,
    localAddress: c.localAddress,
    activeOnly: true,
    holdTimeSec: 180,
    keepaliveTimeSec: 60,
    connectRetryTimeSec: 1,
    families: ['ipv4-unicast'],
  });
  let exiting = false;
  const exit = async (why: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    out('exiting', { why, hwmKb: hwmKb() });
    const t = setTimeout(() => process.exit(0), 3000);
    t.unref();
    await session.stop().catch(() => undefined);
    process.exit(0);
  };
  setTimeout(() => void exit('lifetime'), c.lifetimeMs).unref();
  process.on('SIGTERM', () => void exit('SIGTERM'));
  let started = false;
  const startSession = (): void => {
    if (started) return;
    started = true;
    session.start().catch((e: unknown) => out('error', { message: e instanceof Error ? e.message : String(e) }));
  };
  createInterface({ input: process.stdin })
    .on('line', (line) => {
      if (line.trim() === 'start') startSession();
      else if (line.trim() === 'exit') void exit('exit');
    })
    .on('close', () => void exit('stdin closed'));

  let cpuAtEst: NodeJS.CpuUsage | undefined;
  let lastProgress = 0;
  session.on('stateChange', (e) => {
    if (e.from === 'Established' && !exiting) out('error', { message: `session left Established: ${e.reason}` });
  });
  session.on('notificationReceived', (e) => out('error', { message: `NOTIFICATION received ${e.notification.code}/${e.notification.subcode}` }));
  session.on('sessionError', (e) => out('error', { message: e.error.message }));

  if (c.mode === 'recv') {
    const locRib = new LocRib();
    let peer: PeerDescriptor | undefined;
    let done = false;
    session.on('established', (e) => {
      cpuAtEst = process.cpuUsage();
      const n = e.negotiated;
      peer = { peerAddress: c.peerAddress, peerAs: n.peerAsn, localAs: n.localAsn, routerId: n.peerBgpIdentifier, ibgp: !n.external };
      out('established');
    });
    session.on('update', (e) => {
      if (peer === undefined) return;
      feedLocRib(locRib, peer, e.update);
      if (done) return;
      const count = locRib.size;
      const t = now();
      if (count >= c.n) {
        done = true;
        out('done', { count, adjRibIn: session.adjRibIn.size, cpuS: cpuSince(cpuAtEst), hwmKb: hwmKb() });
      } else if (t - lastProgress >= 250) {
        lastProgress = t;
        out('progress', { count, adjRibIn: session.adjRibIn.size });
      }
    });
    startSession();
  } else {
    const loaded = await load(session, c.n);
    out('loaded', { seconds: loaded.seconds, maxSliceMs: loaded.maxSliceMs, routes: session.adjRibOut.size, hwmKb: hwmKb() });
    let drained = false;
    const timer = setInterval(() => {
      if (cpuAtEst === undefined) return;
      const pending = session.adjRibOut.pendingPrefixes;
      const updatesOut = session.snapshot().stats.updatesOut;
      if (pending === 0 && !drained) {
        drained = true;
        out('drained', { updatesOut, cpuS: cpuSince(cpuAtEst), hwmKb: hwmKb() });
      } else if (!drained) {
        out('progress', { pending, updatesOut });
      }
    }, 250);
    timer.unref();
    session.on('established', () => {
      cpuAtEst = process.cpuUsage();
      out('established');
    });
  }
}

main().catch((e: unknown) => {
  out('error', { message: e instanceof Error ? (e.stack ?? e.message) : String(e), fatal: true });
  process.exit(1);
});
