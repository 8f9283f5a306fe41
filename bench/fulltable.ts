/**
 * `npm run bench -- fulltable [--prefixes 1000000] [--reps 1] [--scenarios recv:tsbgp,recv:gobgp,...]`
 *
 * A full IPv4 table between tsbgp and real daemons in network namespaces, side by side, in one run:
 * - receive N prefixes from BIRD (static routes exported to the peer) into tsbgp (BgpSession
 *   keeping its Adj-RIB-In and feeding a LocRib), into gobgpd and into a second BIRD;
 * - send N prefixes until a BIRD receiver reports all imported, from tsbgp (Adj-RIB-Out loaded
 *   with beginSet() in slices), from gobgpd (loaded with `gobgp mrt inject` from an MRT file) and
 *   from ExaBGP (static routes in its config). BIRD's own sending figure is the BIRD -> BIRD run.
 * Time = Established -> the receiver reports all N (see fulltable-measure.ts for how each one is
 * asked); the one-off cost of loading the sender is reported apart. Medians when --reps > 1.
 *
 * Lab: scripts/lab (up.sh etc.) with namespaces `tsbft-*` and run dir /tmp/tsbgp-fulltable
 * (LAB_NS_PREFIX / LAB_RUN override them), so it never collides with the interop tests' labs.
 * Sender in n1 (198.18.1.11, AS 65100), receiver in rtr (198.18.1.1, AS 65000), one eBGP session,
 * hold time 180 s everywhere (keepalives delayed on 2 busy cores must not drop a session).
 * Prefixes: 8,192 /24s of 100.96.0.0/11, then /32s from 100.64.0.0 (fulltable-gen.ts); the
 * project's documentation blocks cannot hold 1M prefixes. They exist only between the bench's
 * namespaces: no namespace has a default route and nothing links to the root namespace, so no
 * route leaves the lab. Inputs are generated into $LAB_RUN/gen and reused.
 *
 * Needs root, iproute2, bird2 (every scenario: sender or receiver), gobgpd + gobgp, exabgp +
 * exabgpcli; a scenario whose requirement is missing is skipped and the JSON line names it.
 * Progress goes to stderr; the table and then one JSON line `{"bench":"fulltable",...}` to stdout.
 * Every wait is bounded; the lab (namespaces and the processes it started, by PID) is torn down
 * on exit, error, SIGINT and SIGTERM.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FulltableLab, type PeerEvent, type PeerProcess, nowMs, pidAlive, sleep } from './fulltable-daemons.js';
import { ensureInputs, MAX_PREFIXES } from './fulltable-gen.js';
import { type RepResult, recvDaemon, recvTsbgp, sendToBird, waitIdle } from './fulltable-measure.js';
import type { PeerConfig } from './fulltable-peer.js';
import { SCENARIOS, type Scenario, type ScenarioOutcome, jsonLine, printTable } from './fulltable-report.js';

interface Args {
  prefixes: number;
  reps: number;
  scenarios: Scenario[];
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { prefixes: 1_000_000, reps: 1, scenarios: [...SCENARIOS] };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--prefixes' || flag === '--reps') {
      const x = Number(v);
      if (!Number.isInteger(x) || x < 1) throw new Error(`${flag} needs a positive integer`);
      if (flag === '--prefixes') {
        if (x > MAX_PREFIXES) throw new Error(`--prefixes at most ${MAX_PREFIXES}`);
        a.prefixes = x;
      } else {
        if (x > 20) throw new Error('--reps at most 20');
        a.reps = x;
      }
    } else if (flag === '--scenarios') {
      const list = v.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
      for (const s of list) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`unknown scenario ${s}; known: ${SCENARIOS.join(', ')}`);
      a.scenarios = SCENARIOS.filter((s) => list.includes(s));
    } else {
      throw new Error(`unknown flag ${flag} (--prefixes N, --reps R, --scenarios ${SCENARIOS.join(',')})`);
    }
  }
  return a;
}

function hasBin(name: string): boolean {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  return dirs.some((d) => {
    try {
      accessSync(join(d, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Why a scenario cannot run here, or undefined. */
function missing(s: Scenario, isRoot: boolean): string | undefined {
  if (!isRoot) return 'needs root (network namespaces)';
  const need = ['ip', 'bird', 'birdc'];
  if (s.endsWith(':gobgp')) need.push('gobgpd', 'gobgp');
  if (s === 'send:exabgp') need.push('exabgp', 'exabgpcli');
  const absent = need.filter((b) => !hasBin(b));
  return absent.length === 0 ? undefined : `not installed: ${absent.join(', ')}`;
}

function repoRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(d, 'scripts', 'lab', 'lib.sh'))) return d;
    d = dirname(d);
  }
  throw new Error('cannot find the repository root (scripts/lab/lib.sh)');
}

/** The peer script next to this file: compiled .js (npm run bench) or .ts (run through tsx). */
function peerScript(): string {
  const self = fileURLToPath(import.meta.url);
  return join(dirname(self), self.endsWith('.ts') ? 'fulltable-peer.ts' : 'fulltable-peer.js');
}

/** Progress on stderr: at most one line per second per phase change, with the elapsed time. */
function progressFor(scenario: string, rep: number, reps: number): (phase: string, count: number | undefined, note?: string) => void {
  const t0 = nowMs();
  let lastPhase = '';
  let last = 0;
  return (phase, count, note) => {
    const t = nowMs();
    if (phase === lastPhase && t - last < 1000) return;
    lastPhase = phase;
    last = t;
    const c = count === undefined ? '' : ` ${count.toLocaleString('en')} prefixes`;
    process.stderr.write(`[fulltable ${((t - t0) / 1000).toFixed(1).padStart(6)} s] ${scenario}${reps > 1 ? ` rep ${rep}/${reps}` : ''}: ${phase}${c}${note === undefined ? '' : ` (${note})`}\n`);
  };
}

/**
 * After a sender reports the whole table it may still be busy (BIRD preparing its exports, gobgpd
 * digesting the injected paths): wait until it is idle (< 5% of a core; bounded, 120 s) so that
 * work does not land in the first repetition's transfer time.
 */
async function settle(pid: number, p: ReturnType<typeof progressFor>): Promise<void> {
  const t0 = nowMs();
  // 10 ms per 200 ms: an idle ExaBGP still uses ~3 ms per 200 ms (its reactor loop)
  await waitIdle([pid], (_phase, _c, note) => p('sender settling', undefined, note?.replace('receiver', 'sender')), 0.01);
  p(`sender idle after ${((nowMs() - t0) / 1000).toFixed(1)} s more`, undefined);
}

const RECV_PEER = { localAsn: 65000, peerAsn: 65100, routerId: '198.18.0.1', localAddress: '198.18.1.1', peerAddress: '198.18.1.11' };
const SEND_PEER = { localAsn: 65100, peerAsn: 65000, routerId: '198.18.0.11', localAddress: '198.18.1.11', peerAddress: '198.18.1.1' };

async function runAll(lab: FulltableLab, args: Args, outcomes: Map<Scenario, ScenarioOutcome>): Promise<void> {
  const n = args.prefixes;
  const conf = (f: string): string => join(lab.confDir, f);
  const log = progressFor('setup', 1, 1);
  log('generating inputs', n);
  const gen = ensureInputs(join(lab.run, 'gen'), n, conf('exabgp-n1.head'), { routerId: '198.18.0.11', address: '198.18.1.11', asn: 65100 });
  log(gen.seconds > 0 ? `inputs generated in ${gen.seconds.toFixed(1)} s` : 'inputs reused from the cache', undefined, dirname(gen.mrt));
  log('bringing the lab up', undefined);
  await lab.up();
  const peerScriptPath = peerScript();
  const lifetimeMs = 900_000;
  const runs = (s: Scenario): RepResult[] => outcomes.get(s)!.runs;
  const todo = (prefix: string): Scenario[] => args.scenarios.filter((s) => s.startsWith(prefix) && outcomes.get(s)!.skipped === undefined);
  const spawnPeer = (node: 'rtr' | 'n1', cfg: Omit<PeerConfig, 'n' | 'lifetimeMs'>, progress: ReturnType<typeof progressFor>): PeerProcess =>
    lab.spawnPeer(node, peerScriptPath, { ...cfg, n, lifetimeMs }, (e: PeerEvent) => {
      if (e.event === 'progress') progress('transfer (tsbgp reports)', typeof e['count'] === 'number' ? e['count'] : undefined, e['pending'] === undefined ? undefined : `${String(e['pending'])} prefixes pending in the Adj-RIB-Out`);
      else if (e.event === 'error') progress('tsbgp peer', undefined, String(e['message']));
    });

  // ---- receive: one BIRD sender in n1 for all receivers ----
  const recv = todo('recv:');
  if (recv.length > 0) {
    const p = progressFor('recv', 1, 1);
    const birdConf = join(lab.run, 'gen', `bird-n1-${n}.conf`);
    writeFileSync(birdConf, readFileSync(conf('bird-n1.conf.in'), 'utf8').replace('"@ROUTES@"', JSON.stringify(gen.birdInclude)));
    p('loading the BIRD sender', undefined);
    const t0 = nowMs();
    const spid = await lab.birdStart('n1', birdConf);
    let c = 0;
    for (let i = 0; i < 1500 && nowMs() - t0 < 300_000; i++) {
      c = await lab.birdRouteCount('n1');
      if (c >= n) break;
      p('loading the BIRD sender', c);
      await sleep(200);
    }
    if (c < n) throw new Error(`the BIRD sender holds ${c} of ${n} routes after 300 s`);
    const loadS = (nowMs() - t0) / 1000;
    p(`BIRD sender loaded in ${loadS.toFixed(2)} s; waiting for it to go idle`, c);
    await settle(spid, p);
    outcomes.get(recv[0]!)!.loadS = loadS;
    outcomes.get(recv[0]!)!.loadWhat = 'BIRD sender (protocol static, N route lines)';
    for (const s of recv) {
      for (let rep = 1; rep <= args.reps; rep++) {
        const progress = progressFor(s, rep, args.reps);
        let r: RepResult;
        if (s === 'recv:tsbgp') r = await recvTsbgp(() => spawnPeer('rtr', { mode: 'recv', ...RECV_PEER }, progress), n, spid, progress);
        else r = await recvDaemon(lab, s === 'recv:bird' ? 'bird' : 'gobgp', conf(s === 'recv:bird' ? 'bird-rtr.conf' : 'gobgp-rtr.toml'), n, spid, progress);
        progress(r.ok ? `done: ${r.seconds.toFixed(2)} s` : `FAILED: ${r.error}`, r.count);
        runs(s).push(r);
        await sleep(1000);
      }
    }
    await lab.birdStop('n1');
  }

  // ---- send: each sender in n1, a fresh BIRD receiver in rtr per repetition ----
  const birdRtr = conf('bird-rtr.conf');
  for (const s of todo('send:')) {
    const p = progressFor(s, 1, 1);
    let spid = 0;
    const t0 = nowMs();
    if (s === 'send:gobgp') {
      spid = await lab.gobgpStart('n1', conf('gobgp-n1.toml'));
      const t1 = nowMs();
      p('gobgp mrt inject', undefined, 'one call; no progress until it returns');
      const inj = await lab.gobgp('n1', ['mrt', 'inject', 'global', gen.mrt], 600_000);
      if (inj.code !== 0) throw new Error(`gobgp mrt inject failed: ${inj.stderr.trim()}`);
      let c = 0;
      for (let i = 0; i < 100 && nowMs() - t1 < 660_000; i++) {
        c = await lab.gobgpGlobalCount('n1');
        if (c >= n) break;
        await sleep(200);
      }
      if (c < n) throw new Error(`gobgpd holds ${c} of ${n} routes after mrt inject`);
      outcomes.get(s)!.loadS = (nowMs() - t1) / 1000;
      outcomes.get(s)!.loadWhat = 'gobgpd (gobgp mrt inject global FILE)';
    } else if (s === 'send:exabgp') {
      spid = await lab.exabgpStart('n1', gen.exabgpConfig);
      let up = false;
      for (let i = 0; i < 600 && !up && nowMs() - t0 < 600_000; i++) {
        up = await lab.exabgpCliUp('n1');
        if (!up) {
          if (!pidAlive(spid)) throw new Error(`exabgp exited, see ${lab.logDir}/n1-exabgp.log`);
          p('ExaBGP parsing its config', undefined, `${((nowMs() - t0) / 1000).toFixed(0)} s`);
          await sleep(500);
        }
      }
      if (!up) throw new Error('ExaBGP CLI not up after 600 s');
      outcomes.get(s)!.loadS = (nowMs() - t0) / 1000;
      outcomes.get(s)!.loadWhat = 'ExaBGP (static routes in its config, until its CLI answers)';
    }
    if (s !== 'send:tsbgp') {
      p(`sender loaded in ${outcomes.get(s)!.loadS!.toFixed(2)} s; waiting for it to go idle`, undefined);
      await settle(spid, p);
    }
    for (let rep = 1; rep <= args.reps; rep++) {
      const progress = progressFor(s, rep, args.reps);
      let r: RepResult;
      if (s === 'send:tsbgp') {
        let peer: PeerProcess | undefined;
        let loadS: number | undefined;
        try {
          r = await sendToBird(
            lab,
            birdRtr,
            n,
            {
              pid: () => peer!.pid,
              beforeBird: async () => {
                progress('tsbgp loads the table (beginSet slices)', undefined);
                peer = spawnPeer('n1', { mode: 'send', ...SEND_PEER }, progress);
                const loaded = await peer.waitFor(['loaded', 'error'], 600_000);
                if (loaded?.event !== 'loaded') throw new Error(`tsbgp peer did not load: ${JSON.stringify(loaded)} ${peer.stderr.slice(-300)}`);
                loadS = Number(loaded['seconds']);
                progress(`tsbgp loaded in ${loadS.toFixed(2)} s`, Number(loaded['routes']));
              },
              afterBird: async () => peer!.send('start'),
              loadS: () => loadS,
              self: () => {
                const d = peer?.events.find((e) => e.event === 'drained');
                return d === undefined ? undefined : { drainedAfterEstS: Number(((d.t - peer!.events.find((e) => e.event === 'established')!.t) / 1000).toFixed(3)), cpuS: d['cpuS'], hwmKb: d['hwmKb'], updatesOut: d['updatesOut'] };
              },
            },
            progress,
          );
        } finally {
          await peer?.stop();
        }
        if (loadS !== undefined) {
          const o = outcomes.get(s)!;
          o.loadS = Math.min(o.loadS ?? Infinity, loadS);
          o.loadWhat = 'tsbgp (Adj-RIB-Out beginSet() in 2000-route batches; fastest rep)';
        }
      } else {
        r = await sendToBird(lab, birdRtr, n, { pid: () => spid }, progress);
      }
      progress(r.ok ? `done: ${r.seconds.toFixed(2)} s` : `FAILED: ${r.error}`, r.count);
      runs(s).push(r);
      await sleep(1000);
    }
    if (s === 'send:gobgp') await lab.gobgpStop('n1');
    else if (s === 'send:exabgp') await lab.exabgpStop('n1');
  }
}

export async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(3));
  const isRoot = process.getuid?.() === 0;
  const outcomes = new Map<Scenario, ScenarioOutcome>();
  for (const s of args.scenarios) {
    const why = missing(s, isRoot);
    outcomes.set(s, why === undefined ? { runs: [] } : { skipped: why, runs: [] });
    if (why !== undefined) process.stderr.write(`fulltable: skipping ${s}: ${why}\n`);
  }
  const run = process.env['LAB_RUN'] ?? '/tmp/tsbgp-fulltable';
  const nsPrefix = process.env['LAB_NS_PREFIX'] ?? 'tsbft-';
  const meta = { node: process.version, cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', prefixes: args.prefixes, reps: args.reps, labRun: run, nsPrefix };
  const runnable = [...outcomes.values()].some((o) => o.skipped === undefined);
  let error: string | undefined;
  if (runnable) {
    const lab = new FulltableLab(repoRoot(), run, nsPrefix);
    mkdirSync(run, { recursive: true });
    const lock = join(run, 'bench.lock');
    if (existsSync(lock)) {
      const owner = Number(readFileSync(lock, 'utf8'));
      if (owner > 0 && owner !== process.pid && pidAlive(owner)) throw new Error(`another fulltable run (pid ${owner}) uses ${run}; set LAB_RUN and LAB_NS_PREFIX to run beside it`);
    }
    writeFileSync(lock, String(process.pid));
    let labUp = true;
    const downSync = (): void => {
      if (!labUp) return;
      labUp = false;
      for (const p of lab.peers) p.killNow();
      spawnSync(join(lab.root, 'scripts', 'lab', 'down.sh'), [], { env: { ...process.env, LAB_RUN: run, LAB_NS_PREFIX: nsPrefix }, stdio: 'ignore', timeout: 120_000 });
      rmSync(lock, { force: true });
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      process.stderr.write(`fulltable: ${sig}: tearing the lab down\n`);
      downSync();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('exit', downSync);
    try {
      await runAll(lab, args, outcomes);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      process.stderr.write(`fulltable: ERROR: ${error}\n`);
    } finally {
      process.stderr.write('[fulltable] tearing the lab down\n');
      for (const p of lab.peers) await p.stop();
      if (labUp) {
        labUp = false;
        await lab.down();
        rmSync(lock, { force: true });
      }
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    process.stderr.write(`[fulltable] logs: ${lab.logDir}\n`);
  }
  const t = printTable(args.prefixes, args.reps, outcomes);
  console.log(jsonLine({ ...meta, ...(error === undefined ? {} : { error }) }, outcomes, t));
  if (error !== undefined) process.exitCode = 1;
}
