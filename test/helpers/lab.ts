/**
 * Interop lab harness, core part: the TypeScript side of `scripts/lab` (network namespaces with
 * real BGP daemons, see scripts/lab/README.md).
 *
 * Owns: the lab's addresses as constants, the "can this machine run the lab?" check
 * (`labAvailable`), one private lab per test file (`Lab.open`: a lock, `up.sh` with a per-file
 * namespace prefix and run dir, `down.sh` at teardown), running commands with a time limit, the
 * bounded `waitFor` poll, and PID bookkeeping (`$RUN/pids/NAME.pid` + `.cmd`, the same files
 * `scripts/lab/lib.sh` uses, so `down.sh` can clean up after a crashed test run).
 * Must not touch: anything outside its own namespaces and run dir; processes it did not start
 * (every signal goes to a PID recorded by the lab, after checking /proc/PID/cmdline still names
 * the program that was started).
 *
 * Concurrency (tap runs test files in parallel): every test file opens its own lab with its own
 * tag. The tag selects the namespace prefix (`tsbi-<tag>-`: tsbi-frr-rtr, tsbi-frr-n1, ...) and the
 * run dir (/tmp/tsbgp-interop/<tag>), so files never share a namespace, a socket or a PID file,
 * and the same addresses can be reused in every lab. A lock file per tag
 * (/tmp/tsbgp-interop/<tag>.lock) serialises two runs of the SAME file (two developers, or a
 * stray run next to CI); it names its owner's PID and is taken over when that PID is gone.
 * capture.sh uses the prefix `tsb-` and /tmp/tsbgp-lab, so it never collides with the tests.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

/** Repository root (this file is test/helpers/lab.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** scripts/lab: up.sh, down.sh, the per-daemon start scripts. */
export const LAB_SCRIPTS = join(REPO_ROOT, 'scripts', 'lab');
/** Parent of every per-file run dir and lock file. */
export const INTEROP_RUN_ROOT = '/tmp/tsbgp-interop';

export type LabNode = 'rtr' | 'n1' | 'n2' | 'n3' | 'n4';
export const LAB_NODES: readonly LabNode[] = ['rtr', 'n1', 'n2', 'n3', 'n4'];

/** Addresses up.sh configures (scripts/lab/lib.sh is the source of truth). */
export const NODE_ADDR: Readonly<Record<LabNode, { readonly v4: string; readonly v6: string; readonly routerId: string }>> = {
  rtr: { v4: '198.18.1.1', v6: '2001:db8:1::1', routerId: '198.18.0.1' },
  n1: { v4: '198.18.1.11', v6: '2001:db8:1::11', routerId: '198.18.0.11' },
  n2: { v4: '198.18.1.12', v6: '2001:db8:1::12', routerId: '198.18.0.12' },
  n3: { v4: '198.18.1.13', v6: '2001:db8:1::13', routerId: '198.18.0.13' },
  n4: { v4: '198.18.1.14', v6: '2001:db8:1::14', routerId: '198.18.0.14' },
};

// ------------------------------------------------------------------------------------------------
// running commands

/**
 * The environment for every process the harness starts: the test's own, without tap's coverage
 * instrumentation. Under tap, NODE_OPTIONS carries `--import=.../@tapjs/processinfo/...` and
 * tap's child_process wrapper adds it back to every spawn, so a node child such as `tsbgp session`
 * would be instrumented and add src/ coverage; `_TAPJS_PROCESSINFO_COVERAGE_=0` is the switch
 * processinfo honours to record no coverage in a process. Coverage must not depend on whether the
 * lab could run on a machine (it cannot without root), so lab children never count.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_V8_COVERAGE'];
  const opts = (env['NODE_OPTIONS'] ?? '').split(/\s+/).filter((o) => o !== '' && !o.includes('@tapjs/processinfo'));
  if (opts.length > 0) env['NODE_OPTIONS'] = opts.join(' ');
  else delete env['NODE_OPTIONS'];
  env['_TAPJS_PROCESSINFO_COVERAGE_'] = '0';
  return { ...env, ...extra };
}

export interface RunResult {
  /** Exit code; null when the command was killed (timeout) or could not start. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when the time limit killed it. */
  timedOut: boolean;
}

export interface RunOptions {
  /** Default: `childEnv()` (no coverage instrumentation). */
  env?: NodeJS.ProcessEnv;
  /** Hard limit; the command gets SIGKILL after it. Default 15 s. */
  timeoutMs?: number;
  cwd?: string;
}

/** Runs a command (no shell) with a time limit. Never rejects: inspect `code`. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeout = opts.timeoutMs ?? 15_000;
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: opts.env ?? childEnv(), timeout, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, cwd: opts.cwd, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: NodeJS.Signals }) | null;
        const code = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
        resolve({
          code,
          signal: e?.signal ?? null,
          stdout: String(stdout),
          stderr: e !== null && typeof e.code === 'string' ? `${String(stderr)}${e.message}` : String(stderr),
          timedOut: e?.killed === true && e.signal === 'SIGKILL',
        });
      },
    );
  });
}

/** Like `run`, but rejects (with the command, exit status and stderr) unless it exits 0. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const what = r.timedOut ? `timed out after ${opts.timeoutMs ?? 15_000} ms` : `exit ${r.code ?? r.signal}`;
    throw new Error(`${cmd} ${args.join(' ')}: ${what}\n${r.stderr.trim()}\n${r.stdout.trim()}`.trim());
  }
  return r.stdout;
}

// ------------------------------------------------------------------------------------------------
// waiting

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface WaitOptions {
  timeoutMs: number;
  /** Poll interval, default 200 ms. */
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns a value that is not undefined/null/false, and returns it.
 * Bounded in time (`timeoutMs`) and in tries (timeout / interval + 1). A probe that throws counts
 * as "not yet"; the last error or value is quoted in the timeout error, which names `desc`.
 */
export async function waitFor<T>(
  desc: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: WaitOptions,
): Promise<T> {
  const interval = opts.intervalMs ?? 200;
  const deadline = Date.now() + opts.timeoutMs;
  const maxTries = Math.ceil(opts.timeoutMs / interval) + 1;
  let last = 'no result yet';
  for (let i = 0; i < maxTries; i++) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && v !== false) return v;
      last = `last result: ${String(v)}`;
    } catch (e) {
      last = `last error: ${(e as Error).message}`;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timeout after ${opts.timeoutMs} ms waiting for ${desc} (${last.slice(0, 2000)})`);
}

// ------------------------------------------------------------------------------------------------
// processes by PID

/** The one-letter state of a PID from /proc/PID/stat (R, S, D, T, Z, ...), '' when gone. */
export function pidState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return '';
  }
}

/** Alive = exists and is not a zombie (lib.sh's pid_alive). */
export function pidAlive(pid: number): boolean {
  const state = pidState(pid);
  return state !== '' && state !== 'Z' && state !== 'X';
}

/** The command line of a PID, NULs as spaces ('' when gone). */
export function pidCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}

/** Direct children of `pid` (from /proc/PID/stat of every process; bounded by the process table). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** Sends `sig` to `pid` if it is alive; returns whether it was sent. */
export function signalPid(pid: number, sig: NodeJS.Signals): boolean {
  if (!pidAlive(pid)) return false;
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------------------------------------
// availability

const which = (bin: string): boolean =>
  spawnSync('sh', ['-c', `command -v "$1" >/dev/null 2>&1 || test -x "$1"`, 'sh', bin]).status === 0;

/**
 * Why the lab cannot run here, or undefined when it can: Linux, root, `ip netns` working, bash.
 * Tests skip with this reason (and fail instead when CI is set: CI runs as root and must run them).
 */
export function labAvailable(): string | undefined {
  if (process.platform !== 'linux') return `the interop lab needs Linux network namespaces (platform is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'the interop lab needs root (network namespaces, port 179); run as root, as CI does';
  if (!which('bash')) return 'bash is missing';
  if (!which('ip') || spawnSync('ip', ['netns', 'list']).status !== 0) return '`ip netns` does not work here (iproute2 missing or no netns support)';
  if (!which('ping')) return 'ping is missing (apt-get install iputils-ping; up.sh checks the links with it)';
  return undefined;
}

/** Binaries each daemon kind needs (lab scripts use the same paths). */
export const DAEMON_BINARIES = {
  frr: ['/usr/lib/frr/zebra', '/usr/lib/frr/bgpd', 'vtysh'],
  bird: ['bird', 'birdc'],
  gobgp: ['gobgpd', 'gobgp'],
  exabgp: ['exabgp', 'exabgpcli'],
  openbgpd: ['bgpd', 'bgpctl'],
} as const;

/** Why `kind` cannot run here (a binary is missing), or undefined. */
export function daemonAvailable(kind: keyof typeof DAEMON_BINARIES): string | undefined {
  const missing = DAEMON_BINARIES[kind].filter((b) => !which(b));
  return missing.length === 0 ? undefined : `${kind}: missing ${missing.join(', ')} (CI installs: frr bird2 gobgpd exabgp openbgpd)`;
}

/**
 * Registers "skip (or fail on CI) because ..." when `reason` is set; returns true when the caller
 * should go on. `what` names the skipped tests.
 */
export function requireOrSkip(t: Test, what: string, reason: string | undefined): boolean {
  if (reason === undefined) return true;
  if (process.env.CI) t.fail(`${what}: ${reason} (CI must be able to run the interop lab)`);
  else t.test(what, { skip: reason }, async () => {});
  return false;
}

// ------------------------------------------------------------------------------------------------
// the lab

/** A private lab (namespaces + run dir) for one test file. */
/**
 * The bookkeeping of one lab run: PID files (name.pid + name.cmd under runDir/pids, as lib.sh
 * writes them) so down.sh can stop what a crashed run left, and cleanups run last first.
 */
export class LabBookkeeping {
  readonly #runDir: string;
  readonly #label: string;
  readonly #cleanups: { desc: string; fn: () => Promise<void> | void }[] = [];

  constructor(runDir: string, label: string) {
    this.#runDir = runDir;
    this.#label = label;
  }

  recordPid(name: string, pid: number, program: string): void {
    const dir = join(this.#runDir, 'pids');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.pid`), `${pid}\n`);
    writeFileSync(join(dir, `${name}.cmd`), `${program}\n`);
  }

  forgetPid(name: string): void {
    rmSync(join(this.#runDir, 'pids', `${name}.pid`), { force: true });
    rmSync(join(this.#runDir, 'pids', `${name}.cmd`), { force: true });
  }

  onClose(desc: string, fn: () => Promise<void> | void): void {
    this.#cleanups.push({ desc, fn });
  }

  /** Runs every cleanup (last registered first); a failing one is reported and the rest still run. */
  async runCleanups(): Promise<void> {
    for (let c = this.#cleanups.pop(); c !== undefined; c = this.#cleanups.pop()) {
      try {
        await c.fn();
      } catch (e) {
        process.stderr.write(`${this.#label}: cleanup "${c.desc}" failed: ${(e as Error).message}\n`);
      }
    }
  }
}

export class Lab {
  readonly tag: string;
  /** Namespace name prefix, e.g. `tsbi-frr-`. */
  readonly nsPrefix: string;
  /** Run dir (LAB_RUN for the scripts): pids/, state/, logs/, conf/. */
  readonly runDir: string;
  /** Environment for the lab scripts. */
  readonly env: NodeJS.ProcessEnv;
  readonly #lockFile: string;
  readonly #book: LabBookkeeping;
  #closed = false;
  #signalHandler: (() => void) | undefined;

  private constructor(tag: string) {
    if (!/^[a-z0-9]{1,8}$/.test(tag)) throw new Error(`lab tag must be 1-8 of [a-z0-9]: ${tag}`);
    this.tag = tag;
    this.nsPrefix = `tsbi-${tag}-`;
    this.runDir = join(INTEROP_RUN_ROOT, tag);
    this.#lockFile = join(INTEROP_RUN_ROOT, `${tag}.lock`);
    this.env = childEnv({ LAB_RUN: this.runDir, LAB_NS_PREFIX: this.nsPrefix, KEEP_RUN: '1' });
    this.#book = new LabBookkeeping(this.runDir, `lab ${tag}`);
  }

  /**
   * Takes the tag's lock, builds the topology (up.sh, which first tears down a leftover lab of
   * the same tag) and registers `close()` as a teardown of `t`. Rejects when up.sh fails.
   */
  static async open(t: Test, tag: string): Promise<Lab> {
    const lab = new Lab(tag);
    await lab.#lock();
    t.teardown(() => lab.close());
    lab.#installSignalCleanup();
    const r = await lab.script('up.sh', [], { timeoutMs: 60_000 });
    if (r.code !== 0) {
      await lab.close();
      throw new Error(`scripts/lab/up.sh failed (exit ${r.code ?? r.signal}):\n${r.stderr}`);
    }
    mkdirSync(lab.confDir, { recursive: true });
    return lab;
  }

  /** Namespace name of a lab node. */
  ns(node: LabNode): string {
    return `${this.nsPrefix}${node}`;
  }

  /** Where generated daemon configs go. */
  get confDir(): string {
    return join(this.runDir, 'conf');
  }

  /** Directory of daemon logs ($RUN/logs/NAME.log, written by lab_start). */
  get logDir(): string {
    return join(this.runDir, 'logs');
  }

  /** Runs scripts/lab/NAME with the lab's environment. */
  script(name: string, args: readonly string[], opts: Omit<RunOptions, 'env'> = {}): Promise<RunResult> {
    return run('bash', [join(LAB_SCRIPTS, name), ...args], { ...opts, env: this.env, timeoutMs: opts.timeoutMs ?? 60_000 });
  }

  /** Runs scripts/lab/NAME and rejects with its stderr unless it exits 0. */
  async scriptOk(name: string, args: readonly string[], opts: Omit<RunOptions, 'env'> = {}): Promise<string> {
    const r = await this.script(name, args, opts);
    if (r.code !== 0) throw new Error(`scripts/lab/${name} ${args.join(' ')}: exit ${r.code ?? r.signal}\n${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Runs a command inside a node's namespace (`ip netns exec`). */
  exec(node: LabNode, cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.ns(node), cmd, ...args], opts);
  }

  /** The last `maxChars` of $RUN/logs/NAME.log ('' when missing). */
  logTail(name: string, maxChars = 3000): string {
    try {
      const s = readFileSync(join(this.logDir, `${name}.log`), 'utf8');
      return s.slice(-maxChars);
    } catch {
      return '';
    }
  }

  /**
   * The PID recorded as NAME (by lab_start or `recordPid`), if it is alive and still runs the
   * program that was recorded; undefined otherwise.
   */
  recordedPid(name: string): number | undefined {
    const pidFile = join(this.runDir, 'pids', `${name}.pid`);
    if (!existsSync(pidFile)) return undefined;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1 || !pidAlive(pid)) return undefined;
    let prog = '';
    try {
      prog = readFileSync(join(this.runDir, 'pids', `${name}.cmd`), 'utf8').trim();
    } catch {
      // no program recorded: accept the PID as is (lib.sh does the same)
    }
    const base = prog.split('/').pop() ?? '';
    if (base !== '' && !pidCmdline(pid).includes(base)) return undefined;
    return pid;
  }

  /** Records a PID the harness started, so down.sh (lab_stop_all) can stop it after a crash. */
  recordPid(name: string, pid: number, program: string): void {
    this.#book.recordPid(name, pid, program);
  }

  /** Forgets a PID recorded with `recordPid` (after the process ended). */
  forgetPid(name: string): void {
    this.#book.forgetPid(name);
  }

  /** Registers a cleanup that `close()` runs (last registered first) before down.sh. */
  onClose(desc: string, fn: () => Promise<void> | void): void {
    this.#book.onClose(desc, fn);
  }

  /** Runs the cleanups, then down.sh (stops every recorded PID, deletes the namespaces), then unlocks. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#book.runCleanups();
    const r = await this.script('down.sh', [], { timeoutMs: 60_000 });
    if (r.code !== 0) process.stderr.write(`lab ${this.tag}: down.sh exit ${r.code ?? r.signal}: ${r.stderr}\n`);
    this.#removeSignalCleanup();
    this.#unlock();
  }

  // ---- lock ------------------------------------------------------------------------------------

  async #lock(): Promise<void> {
    mkdirSync(INTEROP_RUN_ROOT, { recursive: true });
    // bounded: 240 tries of 0.5 s (two minutes), then give up with the owner's PID in the message
    for (let i = 0; i < 240; i++) {
      try {
        const fd = openSync(this.#lockFile, 'wx');
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      let owner = NaN;
      try {
        owner = Number(readFileSync(this.#lockFile, 'utf8').trim());
      } catch {
        continue; // released between open and read
      }
      if (!Number.isInteger(owner) || !pidAlive(owner)) {
        rmSync(this.#lockFile, { force: true }); // stale: its owner is gone
        continue;
      }
      await sleep(500);
    }
    throw new Error(`lab ${this.tag} is locked by another test run (${this.#lockFile}); gave up after 120 s`);
  }

  #unlock(): void {
    try {
      if (Number(readFileSync(this.#lockFile, 'utf8').trim()) === process.pid) rmSync(this.#lockFile, { force: true });
    } catch {
      // already gone
    }
  }

  /**
   * tap kills a test process that exceeds its timeout with SIGTERM, which skips teardowns: tear
   * the lab down synchronously then (down.sh stops only recorded PIDs), and re-raise.
   */
  #installSignalCleanup(): void {
    const handler = (): void => {
      this.#removeSignalCleanup();
      if (!this.#closed) {
        this.#closed = true;
        spawnSync('bash', [join(LAB_SCRIPTS, 'down.sh')], { env: this.env, timeout: 30_000, stdio: 'ignore' });
        this.#unlock();
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
