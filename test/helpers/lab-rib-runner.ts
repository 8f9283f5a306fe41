/**
 * Lab RIB runner: library `BgpSession`s (from src/, through tsx) in one process inside a lab
 * namespace, optionally wired into a `LocRib`, driven over JSON lines. Started by
 * test/helpers/lab-router.ts (`RibRunner.start`):
 *
 *   ip netns exec tsbi-TAG-n1 node --import tsx test/helpers/lab-rib-runner.ts '<RunnerConfig JSON>'
 *
 * stdout: one JSON object per line, `{"event": ...}` (ready, stateChange, established,
 * notificationSent/Received, endOfRib, sessionError, multipathChanged, locRib, adjRibIn, ok,
 * error, exiting). stdin: one command per line, `{"id": N, "cmd": ...}` (announce, withdraw,
 * locRib, adjRibIn, stop, start, exit); each command is answered with an event carrying its `id`.
 *
 * The Loc-RIB wiring (nothing in the library does it yet): on `established` the peer descriptor
 * is built from the negotiated state (peer AS, BGP Identifier, eBGP/iBGP); after every `update`,
 * `endOfRib` and `staleRoutes` event the session's Adj-RIB-In is re-synced into the Loc-RIB
 * (`update` for every route, identical ones are no-ops; `withdraw` for the ones gone); when the
 * session leaves Established, `peerDown`.
 *
 * Owns: nothing outside its own process; it opens no listener (sessions are active-only). Exits
 * on `exit`, on stdin EOF, on SIGTERM (each after a bounded graceful stop of its sessions), and by
 * itself after `lifetimeMs` (default 120 s) so it can never outlive a crashed test for long.
 */
import { createInterface } from 'node:readline';
import type { BgpSession as BgpSessionT, BgpSessionOptions } from '../../src/bgp/index.js';
import type { Advertisement, LocRib as LocRibT, PeerDescriptor, ReceivedRoute, WithdrawSpec } from '../../src/rib/index.js';

export interface RunnerSessionConfig {
  /** BgpSession options (JSON-able part). */
  readonly options: BgpSessionOptions;
  /** Announced before `start()`. */
  readonly announce?: readonly Advertisement[];
}

export interface RunnerConfig {
  readonly sessions: readonly RunnerSessionConfig[];
  /** Feed every session's Adj-RIB-In into one LocRib with these options. */
  readonly locRib?: { readonly maximumPaths?: number; readonly asPathMultipathRelax?: boolean };
  /** The runner exits by itself after this long (ms). Default 120 000. */
  readonly lifetimeMs?: number;
}

export type RunnerCommand =
  | { readonly cmd: 'announce'; readonly peer: string; readonly advertisements: readonly Advertisement[] }
  | { readonly cmd: 'withdraw'; readonly peer: string; readonly specs: readonly WithdrawSpec[] }
  | { readonly cmd: 'locRib'; readonly prefix: string }
  | { readonly cmd: 'adjRibIn'; readonly peer: string }
  | { readonly cmd: 'stop'; readonly peer: string; readonly message?: string }
  | { readonly cmd: 'start'; readonly peer: string }
  | { readonly cmd: 'exit' };

/** `locRib` answer: the LocRib view of one prefix (null when it has no path). */
export interface RunnerLocRibView {
  readonly prefix: string;
  readonly bestPeer: string;
  readonly decidedBy: string | null;
  readonly multipath: readonly { readonly nextHop: string; readonly peerAddress: string }[];
  readonly paths: readonly { readonly peerAddress: string; readonly peerAs: number; readonly nextHop: readonly string[]; readonly asPath: string; readonly origin: string; readonly med: number | null; readonly best: boolean; readonly multipath: boolean; readonly lostAt: string | null }[];
}

const out = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

const routeKey = (r: { afi: number; safi: number; prefix: string; pathId: number }): string => `${r.afi}/${r.safi}/${r.prefix}#${r.pathId}`;

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (raw === undefined) throw new Error('usage: lab-rib-runner.ts CONFIG_JSON');
  const config = JSON.parse(raw) as RunnerConfig;
  const { BgpSession } = await import('../../src/bgp/index.js');
  const { LocRib } = await import('../../src/rib/index.js');

  const locRib: LocRibT | undefined = config.locRib === undefined ? undefined : new LocRib({ maximumPaths: config.locRib.maximumPaths ?? 1, asPathMultipathRelax: config.locRib.asPathMultipathRelax ?? false });
  locRib?.on('multipathChanged', (e) => out({ event: 'multipathChanged', prefix: e.prefix, previous: e.previous, current: e.current }));

  const sessions = new Map<string, BgpSessionT>();
  const descriptors = new Map<string, PeerDescriptor>();
  const fed = new Map<string, Map<string, ReceivedRoute>>();

  /** Re-syncs one peer's Adj-RIB-In into the Loc-RIB (tables here are tiny). */
  const sync = (addr: string): void => {
    const s = sessions.get(addr);
    const peer = descriptors.get(addr);
    if (locRib === undefined || s === undefined || peer === undefined) return;
    const now = new Map<string, ReceivedRoute>();
    for (const r of s.adjRibIn.routes()) now.set(routeKey(r), r);
    const before = fed.get(addr) ?? new Map<string, ReceivedRoute>();
    for (const r of now.values()) {
      // a route without a next hop cannot be used (LocRib rejects it): report and skip
      if (r.nextHop.length === 0) {
        out({ event: 'error', message: `${addr}: ${r.prefix} has no next hop, not fed to the Loc-RIB` });
        continue;
      }
      locRib.update(peer, r);
    }
    for (const [k, r] of before) if (!now.has(k)) locRib.withdraw(addr, { afi: r.afi, safi: r.safi, prefix: r.prefix, pathId: r.pathId });
    fed.set(addr, now);
  };

  for (const sc of config.sessions) {
    const s = new BgpSession({ connectRetryTimeSec: 1, activeOnly: true, ...sc.options });
    const addr = s.peer;
    sessions.set(addr, s);
    s.on('stateChange', (e) => {
      out({ event: 'stateChange', peer: addr, from: e.from, to: e.to, reason: e.reason });
      if (e.from === 'Established' && locRib !== undefined) {
        const removed = locRib.peerDown(addr);
        descriptors.delete(addr);
        fed.delete(addr);
        out({ event: 'peerDown', peer: addr, removed });
      }
    });
    s.on('established', (e) => {
      const n = e.negotiated;
      descriptors.set(addr, { peerAddress: addr, peerAs: n.peerAsn, localAs: n.localAsn, routerId: n.peerBgpIdentifier, ibgp: !n.external });
      out({ event: 'established', peer: addr, peerAsn: n.peerAsn, peerBgpIdentifier: n.peerBgpIdentifier, external: n.external, addPath: n.addPath, families: n.families.map((f) => f.name ?? `${f.afi}/${f.safi}`) });
      sync(addr);
    });
    s.on('update', () => sync(addr));
    s.on('endOfRib', (e) => {
      out({ event: 'endOfRib', peer: addr, afi: e.afi, safi: e.safi });
      sync(addr);
    });
    s.on('staleRoutes', () => sync(addr));
    s.on('notificationSent', (e) => out({ event: 'notificationSent', peer: addr, code: e.notification.code, subcode: e.notification.subcode }));
    s.on('notificationReceived', (e) => out({ event: 'notificationReceived', peer: addr, code: e.notification.code, subcode: e.notification.subcode }));
    s.on('sessionError', (e) => out({ event: 'sessionError', peer: addr, code: e.error.code, message: e.error.message }));
    if (sc.announce !== undefined && sc.announce.length > 0) s.announce(sc.announce);
  }

  const session = (addr: string): BgpSessionT => {
    const s = sessions.get(addr);
    if (s === undefined) throw new Error(`no session with ${addr}`);
    return s;
  };

  let exiting = false;
  const exit = async (why: string): Promise<void> => {
    if (exiting) return;
    exiting = true;
    // bounded: each stop gets 3 s, then the process exits regardless
    await Promise.race([Promise.allSettled([...sessions.values()].map((s) => s.stop({ message: 'lab-rib-runner exiting' }))), new Promise((r) => setTimeout(r, 3_000))]);
    out({ event: 'exiting', why });
    process.exit(0);
  };

  const lifetime = setTimeout(() => void exit('lifetime'), config.lifetimeMs ?? 120_000);
  lifetime.unref();
  process.once('SIGTERM', () => void exit('SIGTERM'));

  const handle = async (c: RunnerCommand & { id?: number }): Promise<Record<string, unknown>> => {
    switch (c.cmd) {
      case 'announce':
        session(c.peer).announce(c.advertisements);
        return { event: 'ok' };
      case 'withdraw':
        session(c.peer).withdraw(c.specs);
        return { event: 'ok' };
      case 'locRib': {
        if (locRib === undefined) throw new Error('no Loc-RIB configured');
        const v = locRib.routes(c.prefix);
        const view: RunnerLocRibView | null =
          v === undefined
            ? null
            : {
                prefix: v.prefix,
                bestPeer: v.best.peerAddress,
                decidedBy: v.decidedBy ?? null,
                multipath: v.multipath.map((h) => ({ nextHop: h.nextHop, peerAddress: h.peerAddress })),
                paths: v.paths.map((p) => ({ peerAddress: p.peerAddress, peerAs: p.peerAs, nextHop: p.nextHop, asPath: p.asPath, origin: p.origin, med: p.med ?? null, best: p.best, multipath: p.multipath, lostAt: p.lostAt ?? null })),
              };
        return { event: 'locRib', prefix: c.prefix, view };
      }
      case 'adjRibIn':
        return { event: 'adjRibIn', peer: c.peer, routes: session(c.peer).adjRibIn.routes().map((r) => ({ prefix: r.prefix, pathId: r.pathId, nextHop: r.nextHop })) };
      case 'stop':
        await session(c.peer).stop(c.message === undefined ? {} : { message: c.message });
        return { event: 'ok' };
      case 'start':
        await session(c.peer).start();
        return { event: 'ok' };
      case 'exit':
        void exit('exit command');
        return { event: 'ok' };
    }
  };

  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    let c: RunnerCommand & { id?: number };
    try {
      c = JSON.parse(line) as RunnerCommand & { id?: number };
    } catch (e) {
      out({ event: 'error', message: `bad command line: ${(e as Error).message}` });
      return;
    }
    handle(c).then(
      (r) => out({ ...r, id: c.id }),
      (e: unknown) => out({ event: 'error', id: c.id, message: (e as Error).message }),
    );
  });
  rl.on('close', () => void exit('stdin closed'));

  for (const s of sessions.values()) await s.start();
  out({ event: 'ready', peers: [...sessions.keys()] });
}

main().catch((e: unknown) => {
  out({ event: 'error', fatal: true, message: (e as Error).stack ?? String(e) });
  process.exit(1);
});
