/**
 * Interop lab harness, RIB part: runs library `BgpSession`s (and optionally a `LocRib` fed from
 * their Adj-RIB-Ins) inside a lab namespace through test/helpers/lab-rib-runner.ts, and reads the
 * ECMP state of the daemons (FRR `show ip route` / `show bgp` JSON, BIRD `show route all`, the
 * kernel FIB of a namespace). Used by test/interop/rib-ecmp-*.test.ts.
 *
 * Why a child process: the test process runs in the root namespace, which has no link into the
 * lab, and a node process cannot change its network namespace; so the sessions run in
 * `ip netns exec NS node --import tsx lab-rib-runner.ts` (src/ directly, no build needed), and
 * talk to the test over JSON lines. The child runs uninstrumented (childEnv), like every lab child.
 *
 * Owns: the runner processes it spawns (PID recorded in the lab's pid dir, so down.sh stops one
 * after a crash; SIGKILLed at the end of the subtest and when the lab closes).
 * Must not touch: any other process; anything outside the lab's namespaces and run dir.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Test } from 'tap';
import { type Lab, type LabNode, NODE_ADDR, REPO_ROOT, childEnv, pidAlive, run, runOk, sleep } from './lab.js';
import type { RunnerCommand, RunnerConfig, RunnerLocRibView } from './lab-rib-runner.js';

export type { RunnerConfig, RunnerLocRibView } from './lab-rib-runner.js';

export const RIB_RUNNER = join(REPO_ROOT, 'test', 'helpers', 'lab-rib-runner.ts');

export interface RunnerEvent {
  event: string;
  /** ms since spawn, stamped on arrival. */
  atMs: number;
  [key: string]: unknown;
}

let counter = 0;

/** A running lab-rib-runner in a lab namespace. */
export class RibRunner {
  readonly pid: number;
  readonly node: LabNode;
  readonly events: RunnerEvent[] = [];
  readonly startedAt = Date.now();
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #lab: Lab;
  #stderr = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #waiters: (() => void)[] = [];
  #nextId = 1;

  private constructor(lab: Lab, node: LabNode, config: RunnerConfig) {
    this.#lab = lab;
    this.node = node;
    this.#child = spawn('ip', ['netns', 'exec', lab.ns(node), process.execPath, '--import', 'tsx', RIB_RUNNER, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
      env: childEnv(),
    });
    if (this.#child.pid === undefined) throw new Error('could not spawn lab-rib-runner');
    this.pid = this.#child.pid;
    const pidName = `ribrunner-${process.pid}-${++counter}`;
    lab.recordPid(pidName, this.pid, 'node');
    let buf = '';
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === '') continue;
        try {
          const ev = JSON.parse(line) as Record<string, unknown>;
          this.events.push({ ...ev, event: String(ev['event']), atMs: Date.now() - this.startedAt });
        } catch {
          this.events.push({ event: 'stray', line, atMs: Date.now() - this.startedAt });
        }
        this.#wake();
      }
    });
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-32_000);
    });
    this.#child.stdin.on('error', () => {
      // ended while we wrote; reported through the exit
    });
    this.#child.on('close', (code, signal) => {
      this.#exit = { code, signal };
      lab.forgetPid(pidName);
      this.#wake();
    });
    lab.onClose(`rib runner pid ${this.pid}`, () => this.kill().then(() => undefined));
  }

  /** Spawns the runner in `node`'s namespace; it is ended at the end of `t` at the latest. */
  static start(t: Test, lab: Lab, node: LabNode, config: RunnerConfig): RibRunner {
    const r = new RibRunner(lab, node, config);
    t.teardown(() => r.stop());
    return r;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  mark(): number {
    return this.events.length;
  }

  /** First event from index `since` matching `pred`; rejects after `timeoutMs` or on exit. */
  async waitForEvent(desc: string, pred: (e: RunnerEvent) => boolean, timeoutMs: number, since = 0): Promise<RunnerEvent> {
    const deadline = Date.now() + timeoutMs;
    let from = since;
    for (;;) {
      for (; from < this.events.length; from++) {
        const e = this.events[from];
        if (e !== undefined && pred(e)) return e;
        if (e?.event === 'error' && e['fatal'] === true) throw new Error(`runner failed before ${desc}\n${this.describe()}`);
      }
      if (this.#exit !== undefined) throw new Error(`runner exited (${JSON.stringify(this.#exit)}) before ${desc}\n${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout after ${timeoutMs} ms waiting for ${desc}\n${this.describe()}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== wake);
          resolve();
        }, left);
        this.#waiters.push(wake);
      });
    }
  }

  /** Waits for the `established` event of `peer`. */
  waitEstablished(peer: string, timeoutMs = 20_000, since = 0): Promise<RunnerEvent> {
    return this.waitForEvent(`session with ${peer} Established`, (e) => e.event === 'established' && e['peer'] === peer, timeoutMs, since);
  }

  /** Sends a command and resolves with its answer (rejects on an `error` answer or after `timeoutMs`). */
  async command(c: RunnerCommand, timeoutMs = 10_000): Promise<RunnerEvent> {
    if (!this.running) throw new Error(`runner exited: cannot send ${JSON.stringify(c)}`);
    const id = this.#nextId++;
    const since = this.mark();
    this.#child.stdin.write(`${JSON.stringify({ ...c, id })}\n`);
    const ev = await this.waitForEvent(`answer to ${c.cmd} #${id}`, (e) => e['id'] === id, timeoutMs, since);
    if (ev.event === 'error') throw new Error(`runner: ${c.cmd} failed: ${String(ev['message'])}`);
    return ev;
  }

  async locRib(prefix: string): Promise<RunnerLocRibView | null> {
    const ev = await this.command({ cmd: 'locRib', prefix });
    return (ev['view'] ?? null) as RunnerLocRibView | null;
  }

  /** `exit` (graceful stop of the sessions: Cease), bounded; SIGKILL if it hangs. */
  async stop(timeoutMs = 6_000): Promise<void> {
    if (!this.running) return;
    try {
      this.#child.stdin.write(`${JSON.stringify({ cmd: 'exit', id: 0 })}\n`);
    } catch {
      // closed already
    }
    for (let i = 0; i < timeoutMs / 50 && this.running; i++) await sleep(50);
    await this.kill();
  }

  /** SIGKILL by PID (only while it runs), bounded wait for the exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    if (pidAlive(this.pid)) process.kill(this.pid, 'SIGKILL');
    for (let i = 0; i < 100 && this.running; i++) await sleep(50);
  }

  describe(last = 20): string {
    const evs = this.events.slice(-last).map((e) => `  ${JSON.stringify(e).slice(0, 500)}`).join('\n');
    return `rib runner pid ${this.pid} in ${this.#lab.ns(this.node)}\nlast events:\n${evs || '  (none)'}\nstderr:\n${this.#stderr.slice(-3000) || '  (empty)'}`;
  }
}

// ------------------------------------------------------------------------------------------------
// reading ECMP state from the daemons and the kernel

/** Next hops FRR's zebra shows for `prefix` (`show ip route PREFIX json`): the active ones of the selected route. */
export function frrRibNextHops(json: unknown, prefix: string): string[] {
  const entries = (json as Record<string, unknown>)[prefix];
  if (!Array.isArray(entries)) return [];
  const sel = (entries as Record<string, unknown>[]).find((e) => e['selected'] === true) ?? (entries[0] as Record<string, unknown> | undefined);
  const hops = Array.isArray(sel?.['nexthops']) ? (sel['nexthops'] as Record<string, unknown>[]) : [];
  return hops.filter((h) => h['active'] === true && typeof h['ip'] === 'string').map((h) => h['ip'] as string).sort();
}

/** One path of FRR's `show bgp ipv4 unicast PREFIX json`. */
export interface FrrBgpPath {
  nextHop: string | undefined;
  peer: string | undefined;
  addpathRxId: number | undefined;
  best: boolean;
  multipath: boolean;
  valid: boolean;
}

export function frrBgpPaths(json: unknown): FrrBgpPath[] {
  const paths = (json as { paths?: unknown }).paths;
  if (!Array.isArray(paths)) return [];
  return (paths as Record<string, unknown>[]).map((p) => {
    const nh = Array.isArray(p['nexthops']) ? (p['nexthops'] as Record<string, unknown>[])[0] : undefined;
    const peer = p['peer'] as Record<string, unknown> | undefined;
    const best = p['bestpath'] as Record<string, unknown> | undefined;
    return {
      nextHop: typeof nh?.['ip'] === 'string' ? nh['ip'] : undefined,
      peer: typeof peer?.['peerId'] === 'string' ? peer['peerId'] : undefined,
      addpathRxId: typeof p['addpathRxId'] === 'number' ? p['addpathRxId'] : undefined,
      best: best?.['overall'] === true,
      multipath: p['multipath'] === true,
      valid: p['valid'] === true,
    };
  });
}

/** Gateways of the kernel route for `dst` in a namespace (`ip -j route show`), sorted; [] when none. */
export async function kernelNextHops(lab: Lab, node: LabNode, dst: string): Promise<string[]> {
  const r = await run('ip', ['-n', lab.ns(node), '-j', 'route', 'show', dst], { timeoutMs: 5_000 });
  if (r.code !== 0 || r.stdout.trim() === '') return [];
  const routes = JSON.parse(r.stdout) as { gateway?: string; nexthops?: { gateway?: string }[] }[];
  const out: string[] = [];
  for (const rt of routes) {
    if (Array.isArray(rt.nexthops)) for (const h of rt.nexthops) if (h.gateway !== undefined) out.push(h.gateway);
    if (rt.gateway !== undefined) out.push(rt.gateway);
  }
  return out.sort();
}

/** Sorted copy, for comparing next-hop sets. */
export const sorted = (xs: readonly string[]): string[] => [...xs].sort();

// ------------------------------------------------------------------------------------------------
// FRR / BIRD with a test's own config, in any lab node (through scripts/lab/frr.sh, bird.sh)

/** Writes zebra.conf + bgpd.conf to $RUN/conf/frr-NODE and starts FRR in `node` (frr.sh). Stopped when the lab closes. */
export async function startFrr(lab: Lab, node: LabNode, bgpdConf: string): Promise<void> {
  const dir = join(lab.confDir, `frr-${node}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'zebra.conf'), `hostname ${node}\n!\n`);
  writeFileSync(join(dir, 'bgpd.conf'), bgpdConf);
  await lab.scriptOk('frr.sh', ['start', node, dir]);
}

/** vtysh against FRR in `node` (from the root namespace, over its vty sockets). */
export function vtysh(lab: Lab, node: LabNode, ...commands: string[]): Promise<string> {
  return runOk('vtysh', ['--vty_socket', join(lab.runDir, 'state', `frr-${node}`), ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 10_000 });
}

export async function vtyshJson(lab: Lab, node: LabNode, command: string): Promise<unknown> {
  return JSON.parse(await vtysh(lab, node, command)) as unknown;
}

/** Writes $RUN/conf/bird-NODE.conf and starts BIRD in `node` (bird.sh). Stopped when the lab closes. */
export async function startBird(lab: Lab, node: LabNode, conf: string): Promise<void> {
  const f = join(lab.confDir, `bird-${node}.conf`);
  mkdirSync(lab.confDir, { recursive: true });
  writeFileSync(f, conf);
  await lab.scriptOk('bird.sh', ['start', node, f]);
}

export function birdc(lab: Lab, node: LabNode, ...args: string[]): Promise<string> {
  return runOk('birdc', ['-s', join(lab.runDir, 'state', `bird-${node}.ctl`), ...args], { timeoutMs: 10_000 });
}

/** The `show protocols NAME` line of a protocol (Name Proto Table State Since Info), '' when missing. */
export async function birdProtocolLine(lab: Lab, node: LabNode, proto: string): Promise<string> {
  const out = await birdc(lab, node, 'show', 'protocols', proto);
  return out.split('\n').find((l) => l.startsWith(`${proto} `))?.trim() ?? '';
}

/** FRR's state of neighbor `addr` (`bgpState`), '' when unknown. */
export async function frrBgpState(lab: Lab, node: LabNode, addr: string): Promise<string> {
  const j = (await vtyshJson(lab, node, `show bgp neighbors ${addr} json`)) as Record<string, { bgpState?: string }>;
  return j[addr]?.bgpState ?? '';
}

/** The ECMP scenario both router tests run (rib-ecmp-frr / rib-ecmp-bird): ASes, prefixes, n3's second next hop. */
export const ECMP_SCENARIO = {
  routerAs: 64500,
  speakerAs: 64512,
  ecmpPrefix: '203.0.113.5/32',
  addPathPrefix: '203.0.113.7/32',
  /** A second address on n3's link, the next hop of its second ADD-PATH path. */
  n3Second: '198.18.1.23',
} as const;

/** Session options of the tsbgp speaker on node `n` towards the router (eBGP, IPv4 only, ADD-PATH send when asked). */
export function ecmpSpeakerOptions(n: { readonly v4: string; readonly routerId: string }, addPath: boolean) {
  return {
    localAsn: ECMP_SCENARIO.speakerAs,
    peerAsn: ECMP_SCENARIO.routerAs,
    routerId: n.routerId,
    peerAddress: NODE_ADDR.rtr.v4,
    localAddress: n.v4,
    holdTimeSec: 9,
    families: ['ipv4-unicast' as const],
    ...(addPath ? { addPath: { 'ipv4-unicast': 'send' as const } } : {}),
  };
}
