/**
 * The lab of `npm run bench -- fulltable`: the repo's scripts/lab (up.sh / down.sh / bird.sh /
 * gobgp.sh, lib.sh's lab_start for ExaBGP) run with the bench's own namespace prefix and run dir,
 * the daemons' CLIs, the tsbgp peer process, and per-process CPU / peak RSS from /proc.
 *
 * Owns: the namespaces up.sh creates under its prefix and the processes it starts; each is
 * recorded in $LAB_RUN/pids (the tsbgp peer too), so down.sh stops them by PID after a crash.
 * Must not touch: any other process (nothing is stopped by name), anything outside the lab.
 */
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { PeerConfig } from './fulltable-peer.js';

export type LabNode = 'rtr' | 'n1';

export interface CmdResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Epoch milliseconds with sub-ms resolution (the peer process stamps its events the same way). */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** Runs a command (no shell) with a time limit; never rejects. */
export function cmd(file: string, args: readonly string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<CmdResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20, env: env ?? process.env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err !== null && typeof err.code !== 'number' ? ` ${err.message}` : '') });
    });
  });
}

/** CPU time of a process in seconds, all threads (/proc/PID/task/STAR/schedstat field 1, ns on CPU). */
export function cpuSeconds(pid: number): number {
  let ns = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread gone
      }
    }
  } catch {
    return 0;
  }
  return ns / 1e9;
}

/** Peak RSS (VmHWM) in kB; 0 when the process is gone. */
export function hwmKb(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

export function pidAlive(pid: number): boolean {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** A line-oriented JSON event from the tsbgp peer, stamped on arrival too. */
export interface PeerEvent {
  readonly event: string;
  /** The peer's own epoch-ms stamp. */
  readonly t: number;
  readonly [key: string]: unknown;
}

/** The tsbgp peer process (bench/fulltable-peer). */
export class PeerProcess {
  readonly pid: number;
  readonly events: PeerEvent[] = [];
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #waiters: (() => void)[] = [];
  #exited = false;
  #stderr = '';

  constructor(child: ChildProcessByStdio<Writable, Readable, Readable>, onEvent: (e: PeerEvent) => void) {
    this.#child = child;
    this.pid = child.pid!;
    createInterface({ input: child.stdout }).on('line', (line) => {
      let e: PeerEvent;
      try {
        e = JSON.parse(line) as PeerEvent;
      } catch {
        e = { event: 'output', t: nowMs(), line };
      }
      this.events.push(e);
      onEvent(e);
      this.#wake();
    });
    child.stderr.on('data', (d: Buffer) => {
      this.#stderr = (this.#stderr + d.toString()).slice(-4000);
    });
    child.on('exit', () => {
      this.#exited = true;
      this.#wake();
    });
    child.stdin.on('error', () => undefined);
  }

  get exited(): boolean {
    return this.#exited;
  }

  get stderr(): string {
    return this.#stderr;
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  send(line: string): void {
    if (!this.#exited) this.#child.stdin.write(`${line}\n`);
  }

  /** The first event named one of `names`, waiting at most `timeoutMs`; undefined on timeout or exit. */
  async waitFor(names: readonly string[], timeoutMs: number): Promise<PeerEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (let i = 0; i < 1_000_000; i++) {
      const e = this.events.find((x) => names.includes(x.event));
      if (e !== undefined) return e;
      const left = deadline - Date.now();
      if (left <= 0 || this.#exited) return undefined;
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 1000));
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return undefined;
  }

  /** `exit` on stdin, then TERM, then KILL (by this PID only), bounded. */
  async stop(): Promise<void> {
    this.send('exit');
    for (let i = 0; i < 60 && !this.#exited; i++) await sleep(50);
    if (!this.#exited) this.#child.kill('SIGTERM');
    for (let i = 0; i < 60 && !this.#exited; i++) await sleep(50);
    if (!this.#exited) this.#child.kill('SIGKILL');
    for (let i = 0; i < 40 && !this.#exited; i++) await sleep(50);
  }

  /** Synchronous last resort (exit handlers). */
  killNow(): void {
    if (!this.#exited) this.#child.kill('SIGKILL');
  }
}

export class FulltableLab {
  readonly root: string;
  readonly run: string;
  readonly nsPrefix: string;
  readonly #labDir: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly peers = new Set<PeerProcess>();

  constructor(root: string, run: string, nsPrefix: string) {
    this.root = root;
    this.run = run;
    this.nsPrefix = nsPrefix;
    this.#labDir = join(root, 'scripts', 'lab');
    this.#env = { ...process.env, LAB_RUN: run, LAB_NS_PREFIX: nsPrefix };
  }

  ns(node: LabNode): string {
    return `${this.nsPrefix}${node}`;
  }

  get confDir(): string {
    return join(this.#labDir, 'conf', 'fulltable');
  }

  get logDir(): string {
    return join(this.run, 'logs');
  }

  /** Runs scripts/lab/SCRIPT with the bench's LAB_RUN / LAB_NS_PREFIX. */
  script(name: string, args: readonly string[], timeoutMs: number): Promise<CmdResult> {
    return cmd(join(this.#labDir, name), args, timeoutMs, this.#env);
  }

  /** A bash snippet with lib.sh sourced (lab_start etc.). Arguments arrive as $1.. */
  lib(snippet: string, args: readonly string[], timeoutMs: number): Promise<CmdResult> {
    return cmd('bash', ['-c', `set -euo pipefail; . "${join(this.#labDir, 'lib.sh')}"; ${snippet}`, 'lib', ...args], timeoutMs, this.#env);
  }

  async up(): Promise<void> {
    const r = await this.script('up.sh', [], 120_000);
    if (r.code !== 0) throw new Error(`up.sh failed (${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }

  async down(): Promise<void> {
    for (const p of this.peers) await p.stop();
    this.peers.clear();
    await this.script('down.sh', [], 120_000);
  }

  /** The recorded PID of a lab process ($RUN/pids/NAME.pid), if alive. */
  pid(name: string): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.run, 'pids', `${name}.pid`), 'utf8').trim());
      return pid > 0 && pidAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  // ---- BIRD ---------------------------------------------------------------------------------

  birdSocket(node: LabNode): string {
    return join(this.run, 'state', `bird-${node}.ctl`);
  }

  async birdStart(node: LabNode, conf: string): Promise<number> {
    const r = await this.script('bird.sh', ['start', node, conf], 60_000);
    const pid = this.pid(`${node}-bird`);
    if (r.code !== 0 || pid === undefined) throw new Error(`bird.sh start ${node} failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return pid;
  }

  async birdStop(node: LabNode): Promise<void> {
    await this.script('bird.sh', ['stop', node], 30_000);
  }

  birdc(node: LabNode, ...args: string[]): Promise<CmdResult> {
    return cmd('birdc', ['-s', this.birdSocket(node), ...args], 10_000);
  }

  /** Routes protocol PROTO imported ("Routes: N imported"), or -1 when unknown. */
  async birdImported(node: LabNode, proto: string): Promise<number> {
    const r = await this.birdc(node, 'show', 'protocols', 'all', proto);
    const m = /Routes:\s+(\d+) imported/.exec(r.stdout);
    return m === null ? -1 : Number(m[1]);
  }

  async birdEstablished(node: LabNode, proto: string): Promise<boolean> {
    const r = await this.birdc(node, 'show', 'protocols', proto);
    return /Established/.test(r.stdout);
  }

  /**
   * When PROTO became Established (epoch ms), from the "Since" column of `show protocols`; needs
   * `timeformat protocol "%F %T.%6f"` (local time) in the config. Undefined while not Established.
   */
  async birdEstablishedSince(node: LabNode, proto: string): Promise<number | undefined> {
    const r = await this.birdc(node, 'show', 'protocols', proto);
    const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6})\s+Established/.exec(r.stdout);
    if (m === null) return undefined;
    const [y, mo, d, h, mi, s, us] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
    return new Date(y, mo - 1, d, h, mi, s).getTime() + us / 1000;
  }

  /** Routes in BIRD's tables (`show route count`). */
  async birdRouteCount(node: LabNode): Promise<number> {
    const r = await this.birdc(node, 'show', 'route', 'count');
    const m = /(\d+) of \d+ routes for/.exec(r.stdout);
    return m === null ? 0 : Number(m[1]);
  }

  // ---- GoBGP --------------------------------------------------------------------------------

  gobgpTarget(node: LabNode): string {
    return `unix://${join(this.run, 'state', `gobgp-${node}.sock`)}`;
  }

  async gobgpStart(node: LabNode, conf: string): Promise<number> {
    const r = await this.script('gobgp.sh', ['start', node, conf], 60_000);
    const pid = this.pid(`${node}-gobgpd`);
    if (r.code !== 0 || pid === undefined) throw new Error(`gobgp.sh start ${node} failed: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return pid;
  }

  async gobgpStop(node: LabNode): Promise<void> {
    await this.script('gobgp.sh', ['stop', node], 30_000);
  }

  gobgp(node: LabNode, args: readonly string[], timeoutMs = 30_000): Promise<CmdResult> {
    return cmd('gobgp', ['--target', this.gobgpTarget(node), ...args], timeoutMs);
  }

  async gobgpEstablished(node: LabNode, neighbor: string): Promise<boolean> {
    const r = await this.gobgp(node, ['neighbor', neighbor, '-j'], 10_000);
    return /"session_state":(6|"established"|"ESTABLISHED")/.test(r.stdout);
  }

  /** Accepted prefixes from `neighbor` (walks gobgpd's Adj-RIB-In: do not call during a transfer). */
  async gobgpAccepted(node: LabNode, neighbor: string): Promise<number> {
    const r = await this.gobgp(node, ['neighbor', neighbor, '-j'], 60_000);
    const m = /"accepted":(\d+)/.exec(r.stdout);
    return m === null ? 0 : Number(m[1]);
  }

  async gobgpGlobalCount(node: LabNode): Promise<number> {
    const r = await this.gobgp(node, ['global', 'rib', 'summary', '-a', 'ipv4'], 60_000);
    const m = /Destination:\s*(\d+)/.exec(r.stdout);
    return m === null ? 0 : Number(m[1]);
  }

  // ---- ExaBGP -------------------------------------------------------------------------------

  #exaRoot(node: LabNode): string {
    return join(this.run, 'state', `exabgp-${node}`);
  }

  #exaPipe(node: LabNode): string {
    return `${this.nsPrefix}exa-${node}`;
  }

  /**
   * Not `exabgp.sh start`: that runs `exabgp --test` on the config first and allows 15 s for
   * start-up, too little for a 1M-route config. Same environment and pipes, through lab_start.
   */
  async exabgpStart(node: LabNode, conf: string): Promise<number> {
    const root = this.#exaRoot(node);
    const pipe = this.#exaPipe(node);
    mkdirSync(join(root, 'run'), { recursive: true });
    for (const s of ['in', 'out']) rmSync(join(root, 'run', `${pipe}.${s}`), { force: true });
    const r = await this.lib(
      'mkfifo -m 600 "$2/run/$3.in" "$2/run/$3.out"; lab_start "$1-exabgp" "$1" env exabgp_daemon_user=root exabgp_daemon_drop=false exabgp_daemon_daemonize=false exabgp_log_destination=stdout exabgp_api_cli=true exabgp_api_pipename="$3" exabgp --root "$2" "$4"',
      [node, root, pipe, conf],
      30_000,
    );
    const pid = this.pid(`${node}-exabgp`);
    if (r.code !== 0 || pid === undefined) throw new Error(`exabgp start failed: ${r.stderr.trim()}`);
    return pid;
  }

  async exabgpCliUp(node: LabNode): Promise<boolean> {
    const r = await cmd('exabgpcli', ['--root', this.#exaRoot(node), 'version'], 5_000, { ...process.env, exabgp_api_pipename: this.#exaPipe(node) });
    return /exabgp/i.test(r.stdout);
  }

  async exabgpStop(node: LabNode): Promise<void> {
    await this.lib('lab_stop "$1-exabgp"', [node], 30_000);
    rmSync(this.#exaRoot(node), { recursive: true, force: true });
  }

  // ---- tsbgp peer ---------------------------------------------------------------------------

  /**
   * Starts the tsbgp peer in NODE's namespace. `script` is the compiled peer (.js, run by node
   * directly) or the TypeScript source (run through tsx). Its PID goes into $RUN/pids so down.sh
   * stops it after a crash of the harness.
   */
  spawnPeer(node: LabNode, script: string, config: PeerConfig, onEvent: (e: PeerEvent) => void): PeerProcess {
    const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn('ip', ['netns', 'exec', this.ns(node), process.execPath, ...loader, script, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0' },
    });
    if (child.pid === undefined) throw new Error('could not start the tsbgp peer');
    const pids = join(this.run, 'pids');
    mkdirSync(pids, { recursive: true });
    const name = `${node}-tsbgp`;
    writeFileSync(join(pids, `${name}.pid`), `${child.pid}\n`);
    writeFileSync(join(pids, `${name}.cmd`), `${process.execPath}\n`);
    const p = new PeerProcess(child, onEvent);
    this.peers.add(p);
    child.on('exit', () => {
      this.peers.delete(p);
      for (const f of [`${name}.pid`, `${name}.cmd`]) if (existsSync(join(pids, f))) rmSync(join(pids, f), { force: true });
    });
    return p;
  }
}
