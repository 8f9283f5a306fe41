/**
 * Interop lab harness, BFD part 2: `TsbgpBfdProcess`, the `tsbgp bfd` CLI run inside a lab
 * namespace (spawn through `ip netns exec`, JSON-line events with arrival times, stdin commands,
 * signals by PID, always ended), with its options and event types. Split from lab-bfd.ts (the
 * plan, parsers, daemon configs and shared steps), which re-exports everything here.
 * Must not touch: processes it did not start, anything outside the lab's namespaces and run dir.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Test } from 'tap';
import { type Lab, type LabNode, LAB_SCRIPTS, NODE_ADDR, REPO_ROOT, childEnv, pidAlive, run, runOk, sleep, waitFor } from './lab.js';
import { BFD_DAEMON_ADDR, BFD_TIMERS, BFD_TSBGP_ADDR } from './lab-bfd.js';

/** bin/tsbgp.js (needs `npm run build`: it imports dist/). */
export const TSBGP_BIN = join(REPO_ROOT, 'bin', 'tsbgp.js');

/** Why `tsbgp bfd` cannot be run, or undefined when it can. */
export function tsbgpBfdAvailable(): string | undefined {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'bfd.js'))) return 'dist/cli/bfd.js is not built (npm run build; npm test does it)';
  const r = spawnSync(process.execPath, [TSBGP_BIN, 'bfd', '--help'], { encoding: 'utf8', timeout: 20_000, env: childEnv() });
  if (r.error !== undefined) return `cannot run ${TSBGP_BIN}: ${r.error.message}`;
  if (/unknown command/i.test(r.stderr)) return 'the `tsbgp bfd` CLI is not implemented yet (tsbgp bfd --help: unknown command)';
  return undefined;
}

export interface TsbgpBfdOptions {
  local: string;
  peer: string;
  multihop?: boolean;
  rxMs?: number;
  txMs?: number;
  multiplier?: number;
  passive?: boolean;
  minTtl?: number;
  /** TYPE:KEYID:SECRET */
  auth?: string;
  port?: number;
}

export function bfdArgs(o: TsbgpBfdOptions): string[] {
  const a = ['--local', o.local, '--peer', o.peer];
  if (o.multihop === true) a.push('--multihop');
  if (o.rxMs !== undefined) a.push('--rx', String(o.rxMs));
  if (o.txMs !== undefined) a.push('--tx', String(o.txMs));
  if (o.multiplier !== undefined) a.push('--multiplier', String(o.multiplier));
  if (o.passive === true) a.push('--passive');
  if (o.minTtl !== undefined) a.push('--min-ttl', String(o.minTtl));
  if (o.auth !== undefined) a.push('--auth', o.auth);
  if (o.port !== undefined) a.push('--port', String(o.port));
  a.push('--events', 'json');
  return a;
}

/** The default session of the BFD tests: n1 -> rtr, 300 ms x 3. */
export const defaultTsbgpBfd = (extra: Partial<TsbgpBfdOptions> = {}): TsbgpBfdOptions => ({
  local: BFD_TSBGP_ADDR,
  peer: BFD_DAEMON_ADDR,
  rxMs: BFD_TIMERS.rxMs,
  txMs: BFD_TIMERS.txMs,
  multiplier: BFD_TIMERS.multiplier,
  ...extra,
});

/** One event line of `tsbgp bfd --events json`. */
export interface TsbgpBfdEvent {
  event: string;
  /** performance.now() of this (test) process when the line arrived. */
  recvAt: number;
  /** Date.now() when the line arrived. */
  recvWall: number;
  [key: string]: unknown;
}

/** The `session` part of a `snapshot` event (BfdSessionSnapshot). */
export interface TsbgpBfdSnapshot {
  state: string;
  remoteState: string;
  localDiscriminator: number;
  remoteDiscriminator: number;
  detectMultiplier: number;
  remoteDetectMultiplier: number;
  transmitIntervalMs: number;
  receiveIntervalMs: number;
  remoteTransmitIntervalMs: number;
  remoteReceiveIntervalMs: number;
  negotiatedTxIntervalMs: number;
  detectionTimeMs: number | undefined;
  pollActive: boolean;
  auth: { type: string; keyId: number } | null;
  counters: Record<string, number>;
  [key: string]: unknown;
}

let counter = 0;

/** A running `tsbgp bfd` in a lab namespace. */
export class TsbgpBfdProcess {
  readonly pid: number;
  readonly node: LabNode;
  readonly args: readonly string[];
  readonly events: TsbgpBfdEvent[] = [];
  readonly strayStdout: string[] = [];
  #stderr = '';
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  readonly #lab: Lab;
  readonly #pidName: string;
  #waiters: (() => void)[] = [];
  #frozen = false;

  private constructor(lab: Lab, node: LabNode, args: string[]) {
    this.#lab = lab;
    this.node = node;
    this.args = args;
    // `ip netns exec` execs: the child's PID is node's own
    this.#child = spawn('ip', ['netns', 'exec', lab.ns(node), process.execPath, TSBGP_BIN, 'bfd', ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO_ROOT, env: childEnv() });
    if (this.#child.pid === undefined) throw new Error('could not spawn tsbgp bfd');
    this.pid = this.#child.pid;
    this.#pidName = `tsbgp-bfd-${process.pid}-${++counter}`;
    lab.recordPid(this.#pidName, this.pid, 'node');
    let buf = '';
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => {
      const now = performance.now();
      const wall = Date.now();
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== '') this.#line(line, now, wall);
      }
    });
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => {
      this.#stderr = this.#stderr.length > 64_000 ? `${this.#stderr.slice(0, 16_000)}\n...\n${this.#stderr.slice(-32_000)}${chunk}` : this.#stderr + chunk;
    });
    this.#child.stdin.on('error', () => {
      // the process ended while we wrote; the exit is reported elsewhere
    });
    this.#exited = new Promise((resolve) => {
      this.#child.on('close', (code, signal) => {
        this.#exit = { code, signal };
        lab.forgetPid(this.#pidName);
        this.#wake();
        resolve(this.#exit);
      });
    });
    lab.onClose(`tsbgp bfd pid ${this.pid}`, async () => {
      await this.kill();
    });
  }

  /** Spawns `tsbgp bfd` in `node`; SIGKILLed at the end of `t` if still running (and when the lab closes). */
  static start(t: Test, lab: Lab, node: LabNode, opts: TsbgpBfdOptions): TsbgpBfdProcess {
    const p = new TsbgpBfdProcess(lab, node, bfdArgs(opts));
    t.teardown(() => p.kill());
    return p;
  }

  #line(line: string, now: number, wall: number): void {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      this.strayStdout.push(line);
      return;
    }
    if (typeof ev === 'object' && ev !== null && typeof (ev as { event?: unknown }).event === 'string') {
      this.events.push({ ...(ev as Record<string, unknown>), event: (ev as { event: string }).event, recvAt: now, recvWall: wall });
    } else {
      this.strayStdout.push(line);
    }
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  get stderr(): string {
    return this.#stderr;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.#exit;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  mark(): number {
    return this.events.length;
  }

  eventsOf(kind: string, since = 0): TsbgpBfdEvent[] {
    return this.events.slice(since).filter((e) => e.event === kind);
  }

  /** First event (index >= since) matching `pred`; rejects after `timeoutMs` or when the process exits first. */
  async waitForEvent(desc: string, pred: (e: TsbgpBfdEvent) => boolean, timeoutMs: number, since = 0): Promise<TsbgpBfdEvent> {
    const deadline = performance.now() + timeoutMs;
    let from = since;
    for (;;) {
      for (; from < this.events.length; from++) {
        const e = this.events[from];
        if (e !== undefined && pred(e)) return e;
      }
      if (this.#exit !== undefined) throw new Error(`tsbgp bfd exited (${JSON.stringify(this.#exit)}) before ${desc}\n${this.describe()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timeout after ${timeoutMs} ms waiting for tsbgp bfd ${desc}\n${this.describe()}`);
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

  waitFor(kind: string, timeoutMs: number, pred: (e: TsbgpBfdEvent) => boolean = () => true, since = 0): Promise<TsbgpBfdEvent> {
    return this.waitForEvent(`event "${kind}"`, (e) => e.event === kind && pred(e), timeoutMs, since);
  }

  waitUp(timeoutMs = 10_000, since = 0): Promise<TsbgpBfdEvent> {
    return this.waitFor('up', timeoutMs, () => true, since);
  }

  send(command: Record<string, unknown>): void {
    if (!this.running) throw new Error(`tsbgp bfd already exited: cannot send ${JSON.stringify(command)}`);
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** {"cmd":"snapshot"} -> the session snapshot. */
  async snapshot(timeoutMs = 5_000): Promise<TsbgpBfdSnapshot> {
    const since = this.mark();
    this.send({ cmd: 'snapshot' });
    const ev = await this.waitFor('snapshot', timeoutMs, () => true, since);
    const s = ev['session'];
    if (typeof s !== 'object' || s === null) throw new Error(`snapshot event without a session: ${JSON.stringify(ev).slice(0, 500)}`);
    return s as TsbgpBfdSnapshot;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running && pidAlive(this.pid)) process.kill(this.pid, sig);
  }

  /** SIGSTOP: the process stops sending and answering (a silent failure). */
  freeze(): void {
    this.signal('SIGSTOP');
    this.#frozen = true;
  }

  thaw(): void {
    this.signal('SIGCONT');
    this.#frozen = false;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  async waitExit(timeoutMs = 10_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#exit !== undefined) return this.#exit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`tsbgp bfd (pid ${this.pid}) did not exit within ${timeoutMs} ms\n${this.describe()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM (AdminDown to the peer, exit 0 per the contract), bounded; SIGKILL if it hangs. */
  async stop(timeoutMs = 5_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#exit !== undefined) return this.#exit;
    this.thaw();
    this.signal('SIGTERM');
    try {
      return await this.waitExit(timeoutMs);
    } catch {
      return this.kill();
    }
  }

  async kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.#exit !== undefined) return this.#exit;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    for (let i = 0; i < 100 && this.#exit === undefined; i++) await sleep(50);
    return this.#exit ?? { code: null, signal: 'SIGKILL' };
  }

  describe(lastEvents = 15): string {
    const evs = this.events.slice(-lastEvents).map((e) => `  ${JSON.stringify(e).slice(0, 500)}`).join('\n');
    const stray = this.strayStdout.length > 0 ? `\nnon-JSON stdout:\n  ${this.strayStdout.slice(-5).join('\n  ')}` : '';
    return `tsbgp bfd pid ${this.pid} in ${this.#lab.ns(this.node)}: ${this.args.join(' ').replace(/(--auth \S+:\d+:)\S+/, '$1***')}\nlast events:\n${evs || '  (none)'}${stray}\nstderr:\n${this.#stderr.slice(-3000) || '  (empty)'}`;
  }
}

/**
 * Polls `probe` until it returns a value and returns it with timing relative to `t0`
 * (performance.now()): the change happened after the previous probe (which did not see it)
 * started and before the probe that saw it ended, so it lies in [windowStartMs, elapsedMs].
 */
export async function waitTimed<T>(
  desc: string,
  t0: number,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<{ value: T; elapsedMs: number; windowStartMs: number }> {
  let prevStart = t0;
  let seenStart = t0;
  let seenEnd = t0;
  const value = await waitFor(desc, async () => {
    const started = performance.now();
    const v = await probe();
    if (v !== undefined && v !== false) {
      seenEnd = performance.now();
      seenStart = started;
    } else {
      prevStart = started;
    }
    return v;
  }, { timeoutMs, intervalMs });
  return { value, elapsedMs: seenEnd - t0, windowStartMs: (seenStart > prevStart ? prevStart : t0) - t0 };
}

