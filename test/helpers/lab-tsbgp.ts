/**
 * Interop lab harness, tsbgp part: runs `tsbgp session` (bin/tsbgp.js, which imports dist/) inside
 * a lab namespace and talks to it over its JSON-lines interface.
 *
 * Owns: building the command line from typed options, spawning the process in a namespace
 * (`ip netns exec NS node bin/tsbgp.js session ... --events json`; `ip netns exec` execs, so the
 * child's PID is node's own), collecting its stdout events, waiting for events with a time limit,
 * writing stdin commands, signalling it by PID, and always ending it (subtest teardown, the lab's
 * close, and a PID file so down.sh can stop it after a crash).
 * Must not touch: any process other than the one it spawned.
 *
 * The CLI contract tested here (events, stdin commands, flags) is the one in the brief for the
 * session layer; `tsbgpSessionAvailable()` tells whether the built CLI has it yet.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Test } from 'tap';
import { type Lab, type LabNode, REPO_ROOT, childEnv, pidAlive, sleep } from './lab.js';

/** bin/tsbgp.js (needs `npm run build`: it imports dist/). */
export const TSBGP_BIN = join(REPO_ROOT, 'bin', 'tsbgp.js');

/**
 * Why `tsbgp session` cannot be run, or undefined when it can: dist/ not built, or the CLI does
 * not know the `session` command yet (exit 2 + "unknown command").
 */
export function tsbgpSessionAvailable(): string | undefined {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) return 'dist/ is not built (npm run build; npm test does it)';
  const r = spawnSync(process.execPath, [TSBGP_BIN, 'session', '--help'], { encoding: 'utf8', timeout: 20_000, env: childEnv() });
  if (r.status === 2 && /unknown command/i.test(r.stderr)) return 'the `tsbgp session` CLI is not implemented yet (tsbgp session --help: unknown command)';
  if (r.error !== undefined) return `cannot run ${TSBGP_BIN}: ${r.error.message}`;
  return undefined;
}

/** Flags of `tsbgp session` (names follow the CLI; see `sessionArgs`). */
export interface TsbgpSessionOptions {
  localAddress: string;
  localAs: number;
  routerId: string;
  peer: string;
  peerAs: number;
  port?: number;
  passive?: boolean;
  holdTime?: number;
  keepalive?: number;
  /** ConnectRetryTime in seconds (`--connect-retry`; the CLI's default is the RFC's 120). */
  connectRetry?: number;
  announce?: readonly string[];
  nextHop?: string;
  communities?: readonly string[];
  largeCommunities?: readonly string[];
  localPref?: number;
  med?: number;
  prepend?: number;
  gracefulRestart?: number;
  addPath?: 'send' | 'receive' | 'both';
  password?: string;
  ttlSecurity?: boolean;
  /** Appended verbatim before `--events json`. */
  extraArgs?: readonly string[];
}

/** The argument list after `session` (always ends with `--events json`). */
export function sessionArgs(o: TsbgpSessionOptions): string[] {
  const a: string[] = [
    '--local-address', o.localAddress,
    '--local-as', String(o.localAs),
    '--router-id', o.routerId,
    '--peer', o.peer,
    '--peer-as', String(o.peerAs),
  ];
  if (o.port !== undefined) a.push('--port', String(o.port));
  if (o.passive === true) a.push('--passive');
  if (o.holdTime !== undefined) a.push('--hold-time', String(o.holdTime));
  if (o.keepalive !== undefined) a.push('--keepalive', String(o.keepalive));
  if (o.connectRetry !== undefined) a.push('--connect-retry', String(o.connectRetry));
  for (const p of o.announce ?? []) a.push('--announce', p);
  if (o.nextHop !== undefined) a.push('--next-hop', o.nextHop);
  for (const c of o.communities ?? []) a.push('--community', c);
  for (const c of o.largeCommunities ?? []) a.push('--large-community', c);
  if (o.localPref !== undefined) a.push('--local-pref', String(o.localPref));
  if (o.med !== undefined) a.push('--med', String(o.med));
  if (o.prepend !== undefined) a.push('--prepend', String(o.prepend));
  if (o.gracefulRestart !== undefined) a.push('--graceful-restart', String(o.gracefulRestart));
  if (o.addPath !== undefined) a.push('--add-path', o.addPath);
  if (o.password !== undefined) a.push('--password', o.password);
  if (o.ttlSecurity === true) a.push('--ttl-security');
  a.push(...(o.extraArgs ?? []), '--events', 'json');
  return a;
}

/** One event line of `tsbgp session --events json` (`event` names the kind). */
export interface TsbgpEvent {
  event: string;
  /** Milliseconds since the process was spawned, stamped on arrival (not part of the CLI output). */
  atMs: number;
  [key: string]: unknown;
}

/** A NOTIFICATION as the events carry it. */
export interface TsbgpNotification {
  code: number;
  subcode: number;
  codeName?: string;
  subcodeName?: string;
  communication?: string;
  data?: string;
}

export interface TsbgpExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

let counter = 0;

/** A running `tsbgp session` in a lab namespace. */
export class TsbgpProcess {
  readonly pid: number;
  readonly node: LabNode;
  readonly args: readonly string[];
  /** Every event so far, in arrival order. */
  readonly events: TsbgpEvent[] = [];
  /** Lines of stdout that were not JSON (should stay empty). */
  readonly strayStdout: string[] = [];
  #stderr = '';
  #exit: TsbgpExit | undefined;
  readonly #exited: Promise<TsbgpExit>;
  readonly #child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Date.now() when the process was spawned (event `atMs` values count from here). */
  readonly startedAt = Date.now();
  readonly #lab: Lab;
  readonly #pidName: string;
  #waiters: (() => void)[] = [];

  private constructor(lab: Lab, node: LabNode, args: string[]) {
    this.#lab = lab;
    this.node = node;
    this.args = args;
    this.#child = spawn('ip', ['netns', 'exec', lab.ns(node), process.execPath, TSBGP_BIN, 'session', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: REPO_ROOT,
      env: childEnv(),
    });
    if (this.#child.pid === undefined) throw new Error('could not spawn tsbgp session');
    this.pid = this.#child.pid;
    this.#pidName = `tsbgp-${process.pid}-${++counter}`;
    lab.recordPid(this.#pidName, this.pid, 'node');
    let buf = '';
    this.#child.stdout.setEncoding('utf8');
    this.#child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line !== '') this.#line(line);
      }
    });
    this.#child.stderr.setEncoding('utf8');
    this.#child.stderr.on('data', (chunk: string) => {
      // keep the first and the last part: enough for a failure message, bounded in memory
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
    lab.onClose(`tsbgp pid ${this.pid}`, async () => {
      await this.kill();
    });
  }

  /**
   * Spawns `tsbgp session` in `node`'s namespace. The process is SIGKILLed at the end of `t`
   * (if still running) and, at the latest, when the lab closes.
   */
  static start(t: Test, lab: Lab, node: LabNode, opts: TsbgpSessionOptions): TsbgpProcess {
    const p = new TsbgpProcess(lab, node, sessionArgs(opts));
    t.teardown(() => p.kill());
    return p;
  }

  #line(line: string): void {
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      this.strayStdout.push(line);
      return;
    }
    if (typeof ev === 'object' && ev !== null && typeof (ev as { event?: unknown }).event === 'string') {
      this.events.push({ ...(ev as Record<string, unknown>), event: (ev as { event: string }).event, atMs: Date.now() - this.startedAt });
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

  /** Exit status once the process has ended. */
  get exit(): TsbgpExit | undefined {
    return this.#exit;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** Current number of events: pass it as `since` to wait only for later events. */
  mark(): number {
    return this.events.length;
  }

  /** Events of a kind (from index `since`). */
  eventsOf(kind: string, since = 0): TsbgpEvent[] {
    return this.events.slice(since).filter((e) => e.event === kind);
  }

  /**
   * Resolves with the first event (at index >= `since`) that matches; rejects after `timeoutMs`
   * or when the process exits first. The error quotes the last events and stderr.
   */
  async waitForEvent(desc: string, pred: (e: TsbgpEvent) => boolean, timeoutMs: number, since = 0): Promise<TsbgpEvent> {
    const deadline = Date.now() + timeoutMs;
    let from = since;
    // bounded: one pass per event/exit wake-up, and the deadline
    for (;;) {
      for (; from < this.events.length; from++) {
        const e = this.events[from];
        if (e !== undefined && pred(e)) return e;
      }
      if (this.#exit !== undefined) throw new Error(`tsbgp exited (${JSON.stringify(this.#exit)}) before ${desc}\n${this.describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout after ${timeoutMs} ms waiting for tsbgp ${desc}\n${this.describe()}`);
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

  /** Waits for an event of a kind, optionally matching. */
  waitFor(kind: string, timeoutMs: number, pred: (e: TsbgpEvent) => boolean = () => true, since = 0): Promise<TsbgpEvent> {
    return this.waitForEvent(`event "${kind}"`, (e) => e.event === kind && pred(e), timeoutMs, since);
  }

  /** Waits for the `established` event. */
  waitEstablished(timeoutMs = 20_000, since = 0): Promise<TsbgpEvent> {
    return this.waitFor('established', timeoutMs, () => true, since);
  }

  /** Writes one stdin command (one JSON object per line). */
  send(command: Record<string, unknown>): void {
    if (!this.running) throw new Error(`tsbgp already exited: cannot send ${JSON.stringify(command)}`);
    this.#child.stdin.write(`${JSON.stringify(command)}\n`);
  }

  /** Sends `{"dump":"adj-rib-in"}` and returns the routes of the answer. */
  async adjRibIn(timeoutMs = 5_000): Promise<TsbgpRibRoute[]> {
    const since = this.mark();
    this.send({ dump: 'adj-rib-in' });
    const ev = await this.waitFor('adjRibIn', timeoutMs, () => true, since);
    return Array.isArray(ev['routes']) ? (ev['routes'] as TsbgpRibRoute[]) : [];
  }

  /** Sends a signal to the process (by its PID, only while it runs). */
  signal(sig: NodeJS.Signals): void {
    if (this.running && pidAlive(this.pid)) process.kill(this.pid, sig);
  }

  /** Resolves with the exit status; rejects after `timeoutMs`. */
  async waitExit(timeoutMs = 10_000): Promise<TsbgpExit> {
    if (this.#exit !== undefined) return this.#exit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`tsbgp (pid ${this.pid}) did not exit within ${timeoutMs} ms\n${this.describe()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.#exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM (graceful: Cease + exit 0 per the contract), bounded wait; SIGKILL if it hangs. */
  async stop(timeoutMs = 5_000): Promise<TsbgpExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    try {
      return await this.waitExit(timeoutMs);
    } catch {
      return this.kill();
    }
  }

  /** SIGKILL (after SIGCONT, in case it was stopped) and wait for the exit (bounded). */
  async kill(): Promise<TsbgpExit> {
    if (this.#exit !== undefined) return this.#exit;
    this.signal('SIGCONT');
    this.signal('SIGKILL');
    for (let i = 0; i < 100 && this.#exit === undefined; i++) await sleep(50);
    return this.#exit ?? { code: null, signal: 'SIGKILL' };
  }

  /** The last events and stderr, for failure messages. */
  describe(lastEvents = 15): string {
    const evs = this.events.slice(-lastEvents).map((e) => `  ${JSON.stringify(e).slice(0, 400)}`).join('\n');
    const stray = this.strayStdout.length > 0 ? `\nnon-JSON stdout:\n  ${this.strayStdout.slice(-5).join('\n  ')}` : '';
    return `tsbgp pid ${this.pid} in ${this.#lab.ns(this.node)}: ${this.args.join(' ')}\nlast events:\n${evs || '  (none)'}${stray}\nstderr:\n${this.#stderr.slice(-3000) || '  (empty)'}`;
  }
}

/** One route of an `adjRibIn` event. */
export interface TsbgpRibRoute {
  prefix: string;
  pathId?: number;
  /** The route's next hop(s): one address, or IPv6 global + link-local. */
  nextHop?: string | string[];
  attributes: Record<string, unknown>[];
  stale?: boolean;
}

// ------------------------------------------------------------------------------------------------
// reading the UPDATE attribute JSON (docs/json.md)

/** The attribute of a type in a route's attribute list. */
export function attr(r: { attributes?: readonly Record<string, unknown>[] }, type: string): Record<string, unknown> | undefined {
  return (r.attributes ?? []).find((a) => a['type'] === type);
}

/** AS_PATH flattened to its ASNs. */
export function asPathOf(r: { attributes?: readonly Record<string, unknown>[] }): number[] {
  const a = attr(r, 'AS_PATH');
  const segs = Array.isArray(a?.['segments']) ? (a['segments'] as { asns?: unknown }[]) : [];
  return segs.flatMap((s) => (Array.isArray(s.asns) ? (s.asns as unknown[]).filter((x): x is number => typeof x === 'number') : []));
}

/**
 * Next hop (the global one of an IPv6 pair): the route's own `nextHop` field (Adj-RIB-In dumps),
 * else NEXT_HOP, else MP_REACH_NLRI's.
 */
export function nextHopOf(r: { nextHop?: unknown; attributes?: readonly Record<string, unknown>[] }): string | undefined {
  if (typeof r.nextHop === 'string') return r.nextHop;
  if (Array.isArray(r.nextHop) && typeof r.nextHop[0] === 'string') return r.nextHop[0];
  const nh = attr(r, 'NEXT_HOP')?.['nextHop'];
  if (typeof nh === 'string') return nh;
  const mp = attr(r, 'MP_REACH_NLRI')?.['nextHop'];
  if (typeof mp === 'string') return mp;
  if (Array.isArray(mp) && typeof mp[0] === 'string') return mp[0];
  if (typeof mp === 'object' && mp !== null) {
    const g = (mp as Record<string, unknown>)['global'];
    if (typeof g === 'string') return g;
  }
  return undefined;
}

/** COMMUNITIES / LARGE_COMMUNITY values ([] when absent). */
export function communitiesOf(r: { attributes?: readonly Record<string, unknown>[] }, type: 'COMMUNITIES' | 'LARGE_COMMUNITY' = 'COMMUNITIES'): string[] {
  const c = attr(r, type)?.['communities'];
  return Array.isArray(c) ? c.map(String) : [];
}

/** A numeric attribute field (MULTI_EXIT_DISC.med, LOCAL_PREF.localPref). */
export function numberAttr(r: { attributes?: readonly Record<string, unknown>[] }, type: 'MULTI_EXIT_DISC' | 'LOCAL_PREF'): number | undefined {
  const v = attr(r, type)?.[type === 'MULTI_EXIT_DISC' ? 'med' : 'localPref'];
  return typeof v === 'number' ? v : undefined;
}

/** The NOTIFICATION carried by a notificationSent/notificationReceived event. */
export function notificationOf(e: TsbgpEvent): TsbgpNotification | undefined {
  const n = e['notification'];
  return typeof n === 'object' && n !== null ? (n as TsbgpNotification) : undefined;
}

/** The RFC 9003 text of a NOTIFICATION event (`communication`, or `shutdownCommunication` as in docs/json.md). */
export function communicationOf(e: TsbgpEvent): string | undefined {
  const n = notificationOf(e) as (TsbgpNotification & { shutdownCommunication?: string }) | undefined;
  return n?.communication ?? n?.shutdownCommunication;
}

/** Every prefix (IPv4 `nlri` and MP_REACH_NLRI) an `update` event announces. */
export function announcedIn(e: TsbgpEvent): string[] {
  const u = (e['update'] ?? {}) as { nlri?: unknown[]; attributes?: Record<string, unknown>[] };
  const toPrefix = (x: unknown): string => (typeof x === 'string' ? x : String((x as { prefix?: unknown }).prefix));
  const out = (u.nlri ?? []).map(toPrefix);
  for (const a of u.attributes ?? []) if (a['type'] === 'MP_REACH_NLRI' && Array.isArray(a['nlri'])) out.push(...(a['nlri'] as unknown[]).map(toPrefix));
  return out;
}
