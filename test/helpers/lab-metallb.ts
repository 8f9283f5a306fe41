/**
 * Interop lab harness, MetalLB part: the seed's topology with real routers (used by
 * test/interop/metallb-frr-bird.test.ts).
 *
 *        netns tsbi-mlb-sw: bridge br0 (no address), one port per host below
 *   tor1     tsbi-mlb-tor1     eth0 198.18.0.1/24    FRR 8.4 zebra + bgpd + bfdd, AS 65000
 *   tor2     tsbi-mlb-tor2     eth0 198.18.0.2/24    BIRD 2.0, AS 65000 (kernel: merge paths)
 *   node-21  tsbi-mlb-node-21  eth0 198.18.0.21/24   `tsbgp speaker --node node-21`, AS 65100
 *   node-22  tsbi-mlb-node-22  eth0 198.18.0.22/24   `tsbgp speaker --node node-22`
 *   node-23  tsbi-mlb-node-23  eth0 198.18.0.23/24   `tsbgp speaker --node node-23`
 *
 * The addresses are the seed's (test/helpers/metallb-lab.ts TORS / NODES). The daemons' configs
 * are static files in scripts/lab/conf/metallb/ and start through scripts/lab/frr.sh and bird.sh
 * (bfdd through lib.sh's lab_start), which work for any host name whose namespace
 * `$LAB_NS_PREFIX<host>` exists.
 *
 * Why not `Lab` (lab.ts): Lab.open builds up.sh's fixed topology (rtr + n1..n4 on 198.18.1.0/24)
 * and its tag ties the namespace prefix to the run dir; this scenario needs the seed's addresses
 * and hosts. It reuses lab.ts's pieces instead: run/runOk/waitFor, childEnv, the PID files
 * ($RUN/pids, so down.sh's lab_stop_all stops every recorded process after a crash), the lock
 * scheme and the SIGTERM cleanup.
 *
 * Owns: namespaces tsbi-mlb-* that it created (marker files $RUN/created-ns-HOST; deleted only
 * when `ip netns pids` is empty), the run dir /tmp/tsbgp-interop/metallb (lock
 * /tmp/tsbgp-interop/metallb.lock), the daemons and speakers it starts (by recorded PID only).
 * Must not touch: any other namespace or process.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Test } from 'tap';
import { INTEROP_RUN_ROOT, LabBookkeeping, LAB_SCRIPTS, REPO_ROOT, childEnv, pidAlive, pidCmdline, run, runOk, sleep, waitFor, type RunOptions } from './lab.js';
import { NODES, TORS, type NodeName } from './metallb-lab.js';
import { TSBGP_BIN } from './lab-tsbgp.js';

export { NODES, TORS, type NodeName } from './metallb-lab.js';
export type TorName = keyof typeof TORS;
export type HostName = TorName | NodeName;

export const MLB_NS_PREFIX = 'tsbi-mlb-';
export const MLB_RUN_DIR = join(INTEROP_RUN_ROOT, 'metallb');
const LOCK_FILE = join(INTEROP_RUN_ROOT, 'metallb.lock');
/** scripts/lab/conf/metallb: tor1-frr/{zebra,bgpd,bfdd}.conf, tor2-bird.conf */
export const MLB_CONF_DIR = join(LAB_SCRIPTS, 'conf', 'metallb');
/** The bridge namespace's host name (tsbi-mlb-sw). */
const SWITCH = 'sw';
const HOSTS: Readonly<Record<HostName, string>> = { ...TORS, ...NODES };

/** Why `tsbgp speaker` cannot run here (dist/ not built, command unknown), or undefined. */
export function tsbgpSpeakerAvailable(): string | undefined {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'speaker.js'))) return 'dist/ is not built or has no speaker command (npm run build)';
  const r = spawnSync(process.execPath, [TSBGP_BIN, 'speaker', '--help'], { encoding: 'utf8', timeout: 20_000, env: childEnv() });
  if (r.error !== undefined) return `cannot run ${TSBGP_BIN}: ${r.error.message}`;
  if (r.status !== 0) return `tsbgp speaker --help: exit ${r.status}: ${r.stderr.slice(0, 200)}`;
  return undefined;
}

/** The seed's topology in namespaces (see the module comment). */
export class MetalLbTopology {
  readonly runDir = MLB_RUN_DIR;
  readonly env: NodeJS.ProcessEnv = childEnv({ LAB_RUN: MLB_RUN_DIR, LAB_NS_PREFIX: MLB_NS_PREFIX, KEEP_RUN: '1' });
  readonly #book = new LabBookkeeping(MLB_RUN_DIR, 'metallb lab');
  #closed = false;
  #signalHandler: (() => void) | undefined;

  private constructor() {}

  /** Takes the lock, removes a leftover of a crashed run, builds the topology; `close` runs at the end of `t`. */
  static async open(t: Test): Promise<MetalLbTopology> {
    const topo = new MetalLbTopology();
    await lock();
    t.teardown(() => topo.close());
    topo.#installSignalCleanup();
    try {
      await topo.#teardown();
      await topo.#build();
    } catch (e) {
      await topo.close();
      throw e;
    }
    return topo;
  }

  ns(host: HostName | typeof SWITCH): string {
    return `${MLB_NS_PREFIX}${host}`;
  }

  get logDir(): string {
    return join(this.runDir, 'logs');
  }

  logTail(name: string, maxChars = 3000): string {
    try {
      return readFileSync(join(this.logDir, `${name}.log`), 'utf8').slice(-maxChars);
    } catch {
      return '';
    }
  }

  /** Runs scripts/lab/NAME with this topology's LAB_RUN / LAB_NS_PREFIX; rejects unless it exits 0. */
  async scriptOk(name: string, args: readonly string[], opts: Omit<RunOptions, 'env'> = {}): Promise<string> {
    const r = await run('bash', [join(LAB_SCRIPTS, name), ...args], { ...opts, env: this.env, timeoutMs: opts.timeoutMs ?? 60_000 });
    if (r.code !== 0) throw new Error(`scripts/lab/${name} ${args.join(' ')}: exit ${r.code ?? r.signal}\n${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Runs a lib.sh snippet (lab_start, lab_stop, ...) with this topology's environment. */
  libOk(script: string): Promise<string> {
    return runOk('bash', ['-c', `set -euo pipefail; . "${join(LAB_SCRIPTS, 'lib.sh')}"; ${script}`], { env: this.env, timeoutMs: 30_000 });
  }

  /** Records a PID (name.pid + name.cmd, as lib.sh does) so down.sh stops it after a crash. */
  recordPid(name: string, pid: number, program: string): void {
    this.#book.recordPid(name, pid, program);
  }

  forgetPid(name: string): void {
    this.#book.forgetPid(name);
  }

  onClose(desc: string, fn: () => Promise<void> | void): void {
    this.#book.onClose(desc, fn);
  }

  /** Cleanups (last first), then stop every recorded PID and delete the namespaces; unlocks. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#book.runCleanups();
    try {
      await this.#teardown();
    } catch (e) {
      process.stderr.write(`metallb lab: teardown failed: ${(e as Error).message}\n`);
    }
    this.#removeSignalCleanup();
    unlock();
  }

  // ---- topology --------------------------------------------------------------------------------

  async #build(): Promise<void> {
    mkdirSync(join(this.runDir, 'logs'), { recursive: true });
    const ip = (...args: string[]): Promise<string> => runOk('ip', args, { timeoutMs: 10_000 });
    const addNs = async (host: string): Promise<string> => {
      const ns = `${MLB_NS_PREFIX}${host}`;
      await ip('netns', 'add', ns);
      writeFileSync(join(this.runDir, `created-ns-${host}`), '');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      return ns;
    };
    const sw = await addNs(SWITCH);
    await ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0');
    await ip('-n', sw, 'link', 'set', 'br0', 'up');
    for (const [host, addr] of Object.entries(HOSTS)) {
      const ns = await addNs(host);
      // both ends created inside the namespaces: nothing touches the root namespace
      await ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p-${host}`, 'netns', sw);
      await ip('-n', sw, 'link', 'set', `p-${host}`, 'master', 'br0');
      await ip('-n', sw, 'link', 'set', `p-${host}`, 'up');
      await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
    }
    for (const addr of Object.values(NODES)) {
      for (const tor of Object.keys(TORS) as TorName[]) {
        await waitFor(`ping ${tor} -> ${addr}`, async () => (await run('ip', ['netns', 'exec', this.ns(tor), 'ping', '-c1', '-W1', addr], { timeoutMs: 3_000 })).code === 0, { timeoutMs: 5_000, intervalMs: 100 });
      }
    }
  }

  /** down.sh (lab_stop_all: every recorded PID), then the namespaces this topology created. */
  async #teardown(): Promise<void> {
    if (!existsSync(this.runDir)) return;
    const r = await run('bash', [join(LAB_SCRIPTS, 'down.sh')], { env: this.env, timeoutMs: 60_000 });
    if (r.code !== 0) process.stderr.write(`metallb lab: down.sh exit ${r.code ?? r.signal}: ${r.stderr}\n`);
    const markers = readdirSync(this.runDir).filter((f) => f.startsWith('created-ns-'));
    // the hosts first, the switch last
    markers.sort((a, b) => Number(a === `created-ns-${SWITCH}`) - Number(b === `created-ns-${SWITCH}`));
    for (const m of markers) {
      const ns = `${MLB_NS_PREFIX}${m.slice('created-ns-'.length)}`;
      const list = await run('ip', ['netns', 'list'], { timeoutMs: 5_000 });
      if (list.stdout.split('\n').some((l) => l.split(/\s+/)[0] === ns)) {
        const pids = (await run('ip', ['netns', 'pids', ns], { timeoutMs: 5_000 })).stdout.trim();
        if (pids !== '') {
          process.stderr.write(`metallb lab: netns ${ns} still has processes ${pids.replace(/\n/g, ' ')} (not started by this lab?): leaving it\n`);
          continue;
        }
        await runOk('ip', ['netns', 'del', ns], { timeoutMs: 10_000 });
      }
      rmSync(join(this.runDir, m), { force: true });
    }
  }

  /** tap's timeout SIGTERM skips teardowns: stop the recorded PIDs and delete the namespaces synchronously. */
  #installSignalCleanup(): void {
    const handler = (): void => {
      this.#removeSignalCleanup();
      if (!this.#closed) {
        this.#closed = true;
        const script = `bash "${join(LAB_SCRIPTS, 'down.sh')}"; for m in "$LAB_RUN"/created-ns-*; do [ -e "$m" ] || continue; ns="$LAB_NS_PREFIX\${m##*/created-ns-}"; [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && ip netns del "$ns" 2>/dev/null; rm -f "$m"; done`;
        spawnSync('bash', ['-c', script], { env: this.env, timeout: 30_000, stdio: 'ignore' });
        unlock();
      }
      process.kill(process.pid, 'SIGTERM');
    };
    this.#signalHandler = handler;
    process.once('SIGTERM', handler);
  }

  #removeSignalCleanup(): void {
    if (this.#signalHandler !== undefined) process.removeListener('SIGTERM', this.#signalHandler);
    this.#signalHandler = undefined;
  }
}

async function lock(): Promise<void> {
  mkdirSync(INTEROP_RUN_ROOT, { recursive: true });
  // bounded: 240 tries of 0.5 s, as lab.ts
  for (let i = 0; i < 240; i++) {
    try {
      const fd = openSync(LOCK_FILE, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || !pidAlive(owner)) {
      rmSync(LOCK_FILE, { force: true });
      continue;
    }
    await sleep(500);
  }
  throw new Error(`the metallb lab is locked by another run (${LOCK_FILE}); gave up after 120 s`);
}

function unlock(): void {
  try {
    if (Number(readFileSync(LOCK_FILE, 'utf8').trim()) === process.pid) rmSync(LOCK_FILE, { force: true });
  } catch {
    // already gone
  }
}

// ------------------------------------------------------------------------------------------------
// tor1: FRR (zebra + bgpd + bfdd)

export class Tor1Frr {
  readonly topo: MetalLbTopology;
  readonly confDir = join(MLB_CONF_DIR, 'tor1-frr');
  constructor(topo: MetalLbTopology) {
    this.topo = topo;
  }

  get stateDir(): string {
    return join(this.topo.runDir, 'state', 'frr-tor1');
  }

  /** zebra + bgpd (frr.sh), then bfdd (lab_start tor1-bfdd); bounded waits for the vty sockets. */
  async start(): Promise<void> {
    await this.topo.scriptOk('frr.sh', ['start', 'tor1', this.confDir]);
    const D = this.stateDir;
    await this.topo.libOk(
      `lab_start tor1-bfdd tor1 /usr/lib/frr/bfdd -f "${join(this.confDir, 'bfdd.conf')}" -i "${D}/bfdd.pid" --bfdctl "${D}/bfdd.sock" -z "${D}/zserv.api" --vty_socket "${D}" -P 0 --log stdout --log-level debug`,
    );
    await waitFor('tor1 bfdd vty socket', () => existsSync(join(D, 'bfdd.vty')), { timeoutMs: 10_000, intervalMs: 100 });
    await waitFor('tor1 vtysh show bfd peers', async () => (await run('vtysh', ['--vty_socket', D, '-c', 'show bfd peers json'], { timeoutMs: 5_000 })).code === 0, { timeoutMs: 10_000, intervalMs: 100 });
  }

  async stop(): Promise<void> {
    await this.topo.libOk('lab_stop tor1-bfdd');
    await this.topo.scriptOk('frr.sh', ['stop', 'tor1']);
  }

  vtysh(...commands: string[]): Promise<string> {
    return runOk('vtysh', ['--vty_socket', this.stateDir, ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 10_000 });
  }

  async json(command: string): Promise<unknown> {
    return JSON.parse(await this.vtysh(command)) as unknown;
  }

  /** `show ip route PREFIX json`: the selected entry (or undefined). */
  async ribEntry(prefix: string): Promise<Record<string, unknown> | undefined> {
    const j = (await this.json(`show ip route ${prefix} json`)) as Record<string, unknown>;
    const entries = j[prefix];
    if (!Array.isArray(entries)) return undefined;
    return (entries as Record<string, unknown>[]).find((e) => e['selected'] === true) ?? (entries[0] as Record<string, unknown> | undefined);
  }

  /** `show bgp neighbors json`: address -> { bgpState, connectionsEstablished, connectionsDropped }. */
  async neighbors(): Promise<Record<string, { state: string; established: number; dropped: number }>> {
    const j = (await this.json('show bgp neighbors json')) as Record<string, Record<string, unknown>>;
    const out: Record<string, { state: string; established: number; dropped: number }> = {};
    for (const [addr, n] of Object.entries(j)) out[addr] = { state: String(n['bgpState']), established: Number(n['connectionsEstablished'] ?? 0), dropped: Number(n['connectionsDropped'] ?? 0) };
    return out;
  }

  bgpdLog(maxChars = 200_000): string {
    return this.topo.logTail('tor1-bgpd', maxChars);
  }

  bfddLog(maxChars = 200_000): string {
    return this.topo.logTail('tor1-bfdd', maxChars);
  }

  zebraLog(maxChars = 200_000): string {
    return this.topo.logTail('tor1-zebra', maxChars);
  }

  async describe(prefix: string): Promise<string> {
    const out = await this.vtysh('show bgp summary', `show ip route ${prefix}`, `show bgp ipv4 unicast ${prefix}`, 'show bfd peers brief').catch((e: Error) => e.message);
    return `tor1 (FRR):\n${out.slice(0, 5000)}\nbgpd log:\n${this.bgpdLog(2000)}\nbfdd log:\n${this.bfddLog(1500)}`;
  }
}

// ------------------------------------------------------------------------------------------------
// tor2: BIRD

export class Tor2Bird {
  readonly topo: MetalLbTopology;
  readonly confFile = join(MLB_CONF_DIR, 'tor2-bird.conf');
  constructor(topo: MetalLbTopology) {
    this.topo = topo;
  }

  async start(): Promise<void> {
    await this.topo.scriptOk('bird.sh', ['start', 'tor2', this.confFile]);
  }

  async stop(): Promise<void> {
    await this.topo.scriptOk('bird.sh', ['stop', 'tor2']);
  }

  /** BIRD's control socket. */
  get socket(): string {
    return join(this.topo.runDir, 'state', 'bird-tor2.ctl');
  }

  birdc(...args: string[]): Promise<string> {
    return runOk('birdc', ['-s', this.socket, ...args], { timeoutMs: 10_000 });
  }

  /** BIRD protocol name of a node (node-21 -> node_21). */
  static protocol(node: NodeName): string {
    return node.replace('-', '_');
  }

  /** The `show protocols` line of a protocol ('' when missing). */
  async protocolLine(node: NodeName): Promise<string> {
    const p = Tor2Bird.protocol(node);
    const out = await this.birdc('show', 'protocols', p);
    return out.split('\n').find((l) => l.startsWith(`${p} `))?.trim() ?? '';
  }

  /** Gateways of the kernel route for `dst` in tor2's namespace (sorted; [] when none). */
  async kernelNextHops(dst: string): Promise<string[]> {
    const r = await run('ip', ['-n', this.topo.ns('tor2'), '-j', 'route', 'show', dst], { timeoutMs: 5_000 });
    if (r.code !== 0 || r.stdout.trim() === '') return [];
    const routes = JSON.parse(r.stdout) as { gateway?: string; nexthops?: { gateway?: string }[] }[];
    const out: string[] = [];
    for (const rt of routes) {
      for (const h of rt.nexthops ?? []) if (h.gateway !== undefined) out.push(h.gateway);
      if (rt.gateway !== undefined) out.push(rt.gateway);
    }
    return out.sort();
  }

  log(maxChars = 200_000): string {
    return this.topo.logTail('tor2-bird', maxChars);
  }

  async describe(prefix: string): Promise<string> {
    const p = await this.birdc('show', 'protocols').catch((e: Error) => e.message);
    const r = await this.birdc('show', 'route', prefix, 'all').catch((e: Error) => e.message);
    const b = await this.birdc('show', 'bfd', 'sessions').catch((e: Error) => e.message);
    const k = await run('ip', ['-n', this.topo.ns('tor2'), 'route', 'show', prefix], { timeoutMs: 5_000 });
    return `tor2 (BIRD):\n${p}\n${r}\n${b}\nkernel: ${k.stdout}\nlog:\n${this.log(1500)}`;
  }
}

// ------------------------------------------------------------------------------------------------
// tsbgp speaker in a node namespace

export interface SpeakerEvent {
  event: string;
  /** Date.now() on arrival here (the CLI also stamps `time`, ISO with ms). */
  recvWall: number;
  [key: string]: unknown;
}

/** Date.now() of an event: the CLI's `time` stamp, else its arrival. */
export function eventWall(e: SpeakerEvent): number {
  const w = typeof e['time'] === 'string' ? Date.parse(e['time']) : Number.NaN;
  return Number.isFinite(w) ? w : e.recvWall;
}

let counter = 0;

/** `tsbgp speaker --config FILE --node NAME --events json` in the node's namespace. */
export class SpeakerProcess {
  readonly node: NodeName;
  /** PID of the node process (`ip netns exec` execs, so it is the spawned child's own PID). */
  readonly pid: number;
  readonly events: SpeakerEvent[] = [];
  readonly strayStdout: string[] = [];
  #stderr = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #topo: MetalLbTopology;
  #waiters: (() => void)[] = [];

  private constructor(topo: MetalLbTopology, node: NodeName, configFile: string, extraArgs: readonly string[]) {
    this.#topo = topo;
    this.node = node;
    this.#child = spawn('ip', ['netns', 'exec', topo.ns(node), process.execPath, TSBGP_BIN, 'speaker', '--config', configFile, '--node', node, ...extraArgs, '--events', 'json'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
      env: childEnv(),
    });
    if (this.#child.pid === undefined) throw new Error('could not spawn tsbgp speaker');
    this.pid = this.#child.pid;
    const pidName = `speaker-${node}-${process.pid}-${++counter}`;
    topo.recordPid(pidName, this.pid, 'node');
    let buf = '';
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buf += chunk;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === '') continue;
        try {
          const ev = JSON.parse(line) as Record<string, unknown>;
          if (typeof ev['event'] !== 'string') throw new Error('no event');
          this.events.push({ ...ev, event: ev['event'], recvWall: Date.now() });
        } catch {
          this.strayStdout.push(line);
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
      topo.forgetPid(pidName);
      this.#wake();
    });
    topo.onClose(`speaker ${node} pid ${this.pid}`, () => this.kill().then(() => undefined));
  }

  /** Spawns the speaker; it is killed when the topology closes at the latest. */
  static start(topo: MetalLbTopology, node: NodeName, configFile: string, extraArgs: readonly string[] = []): SpeakerProcess {
    return new SpeakerProcess(topo, node, configFile, extraArgs);
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.#exit;
  }

  get stderr(): string {
    return this.#stderr;
  }

  mark(): number {
    return this.events.length;
  }

  eventsOf(kind: string, since = 0): SpeakerEvent[] {
    return this.events.slice(since).filter((e) => e.event === kind);
  }

  /** First event at index >= `since` matching `pred`; rejects after `timeoutMs` or on exit. */
  async waitFor(desc: string, pred: (e: SpeakerEvent) => boolean, timeoutMs: number, since = 0): Promise<SpeakerEvent> {
    const deadline = Date.now() + timeoutMs;
    let from = since;
    for (;;) {
      for (; from < this.events.length; from++) {
        const e = this.events[from];
        if (e !== undefined && pred(e)) return e;
      }
      if (this.#exit !== undefined) throw new Error(`speaker ${this.node} exited (${JSON.stringify(this.#exit)}) before ${desc}\n${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout after ${timeoutMs} ms waiting for speaker ${this.node}: ${desc}\n${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== wake);
          resolve();
        }, left);
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        this.#waiters.push(wake);
      });
    }
  }

  send(command: Record<string, unknown>): void {
    if (!this.running) throw new Error(`speaker ${this.node} already exited`);
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** {"dump":"snapshot"} -> the snapshot event. */
  async snapshot(timeoutMs = 5_000): Promise<SpeakerEvent> {
    const since = this.mark();
    this.send({ dump: 'snapshot' });
    return this.waitFor('snapshot', (e) => e.event === 'snapshot', timeoutMs, since);
  }

  /** Sends `sig` to the node process, only while it runs and /proc/PID/cmdline still names tsbgp. */
  signal(sig: NodeJS.Signals): void {
    if (!this.running || !pidAlive(this.pid)) return;
    if (!pidCmdline(this.pid).includes(TSBGP_BIN)) throw new Error(`pid ${this.pid} is no longer the speaker (${pidCmdline(this.pid)})`);
    process.kill(this.pid, sig);
  }

  /** SIGTERM (Cease + exit 0 by the CLI's contract), bounded; SIGKILL if it hangs. */
  async stop(timeoutMs = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#exit !== undefined) return this.#exit;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    for (let i = 0; i < timeoutMs / 50 && this.#exit === undefined; i++) await sleep(50);
    return this.#exit ?? this.kill();
  }

  async kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#exit !== undefined) return this.#exit;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    for (let i = 0; i < 100 && this.#exit === undefined; i++) await sleep(50);
    return this.#exit ?? { code: null, signal: 'SIGKILL' };
  }

  describe(last = 15): string {
    const evs = this.events.filter((e) => e.event !== 'snapshot').slice(-last).map((e) => `  ${JSON.stringify(e).slice(0, 400)}`).join('\n');
    const stray = this.strayStdout.length > 0 ? `\nnon-JSON stdout:\n  ${this.strayStdout.slice(-5).join('\n  ')}` : '';
    return `speaker ${this.node} pid ${this.pid} in ${this.#topo.ns(this.node)}\nlast events:\n${evs || '  (none)'}${stray}\nstderr:\n${this.#stderr.slice(-2000) || '  (empty)'}`;
  }
}

