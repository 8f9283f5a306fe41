/**
 * Interop lab harness, BFD part: a BFD daemon in namespace `rtr` (FRR 8.4 bfdd or BIRD 2.0.12)
 * with a static single-hop session to `tsbgp bfd` running in a node namespace (n1), the parsers
 * for the daemons' BFD status output, and a runner for the `tsbgp bfd` CLI.
 *
 * Owns: the BFD daemon configs (FRR bfdd.conf + the zebra/bgpd configs frr.sh needs; BIRD's
 * `protocol bfd`), starting/stopping them through scripts/lab (bfdd is started with lib.sh's
 * lab_start as `rtr-bfdd`, so down.sh stops it by recorded PID after a crash), parsing
 * `vtysh -c 'show bfd peers json'` and `birdc show bfd sessions`, and `TsbgpBfdProcess`
 * (spawn, JSON-line events with arrival times, stdin commands, signals by PID, always ended).
 * Must not touch: processes it did not start, anything outside the lab's namespaces and run dir.
 *
 * Facts used here (found in the lab; the test files quote the exact outputs):
 *  - FRR and BIRD ignore single-hop BFD packets whose TTL is not 255 (RFC 5881).
 *  - FRR 8.4 bfdd needs zebra for the interface (it logs "specified interface br0 ... doesn't
 *    exist" at start, harmlessly) and has NO authentication: `bfd / peer ...` offers only
 *    detect-multiplier, receive/transmit-interval, echo*, minimum-ttl, passive-mode, profile,
 *    shutdown (see FRR_BFD_PEER_COMMANDS). It shows peer and remote timers in `show bfd peers json`.
 *  - BIRD 2.0.12 `show bfd sessions` prints only the local state, the transmit interval in use
 *    (Up: max(its Desired Min TX, the peer's Required Min RX); 1.000 while not Up) and the
 *    detection time (peer's Detect Mult x max(its Required Min RX, the peer's Desired Min TX);
 *    0.000 after an expiry); no diagnostics and no `all` variant (`show bfd sessions all` is a
 *    syntax error). A received AdminDown shows as plain `Down`.
 */
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Test } from 'tap';
import { type Lab, type LabNode, LAB_SCRIPTS, NODE_ADDR, REPO_ROOT, childEnv, pidAlive, run, runOk, sleep, waitFor } from './lab.js';

// ------------------------------------------------------------------------------------------------
// the plan

/** The daemon's side (rtr) and tsbgp's side (n1) of the session. */
export const BFD_DAEMON_NODE: LabNode = 'rtr';
export const BFD_TSBGP_NODE: LabNode = 'n1';
export const BFD_DAEMON_ADDR = NODE_ADDR.rtr.v4;
export const BFD_TSBGP_ADDR = NODE_ADDR.n1.v4;
/** rtr's interface towards the nodes (a bridge), and its bridge port to n1 (scripts/lab/up.sh). */
export const BFD_DAEMON_IFACE = 'br0';
export const BFD_DAEMON_PORT_TO_N1 = 'p-n1';
/** Timers on both sides: 300 ms x 3 -> 900 ms detection time. */
export const BFD_TIMERS = { rxMs: 300, txMs: 300, multiplier: 3 } as const;
export const BFD_DETECTION_MS = BFD_TIMERS.rxMs * BFD_TIMERS.multiplier;

/** RFC 5880 s4.1 diagnostic codes used by the tests. */
export const DIAG = { none: 0, detectionTimeExpired: 1, neighborSignaledDown: 3, adminDown: 7 } as const;

// ------------------------------------------------------------------------------------------------
// parsing (pure; test/interop/bfd-lab-parse.test.ts runs these on saved outputs)

/** One peer of FRR's `show bfd peers json`, intervals in ms. */
export interface FrrBfdPeer {
  peer: string;
  local: string | undefined;
  interface: string | undefined;
  multihop: boolean;
  /** 'up' | 'down' | 'init' | 'shutdown' (FRR's words). */
  status: string;
  /** FRR's words, e.g. 'ok', 'control detection time expired', 'neighbor signaled session down', 'administratively down'. */
  diagnostic: string;
  remoteDiagnostic: string;
  id: number;
  remoteId: number;
  receiveInterval: number;
  transmitInterval: number;
  detectMultiplier: number;
  remoteReceiveInterval: number;
  remoteTransmitInterval: number;
  remoteDetectMultiplier: number;
  /** Seconds in the current state (uptime while up, downtime otherwise), when shown. */
  uptime: number | undefined;
  downtime: number | undefined;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** `show bfd peers json` (an array of peers) -> normalized peers. Throws on another shape. */
export function parseFrrBfdPeers(json: unknown): FrrBfdPeer[] {
  if (!Array.isArray(json)) throw new Error(`show bfd peers json: expected an array, got ${JSON.stringify(json).slice(0, 200)}`);
  return json.map((raw: unknown) => {
    const p = (raw ?? {}) as Record<string, unknown>;
    const peer = str(p['peer']);
    if (peer === undefined) throw new Error(`show bfd peers json: a peer without "peer": ${JSON.stringify(p).slice(0, 200)}`);
    return {
      peer,
      local: str(p['local']),
      interface: str(p['interface']),
      multihop: p['multihop'] === true,
      status: str(p['status']) ?? 'unknown',
      diagnostic: str(p['diagnostic']) ?? '',
      remoteDiagnostic: str(p['remote-diagnostic']) ?? '',
      id: num(p['id']),
      remoteId: num(p['remote-id']),
      receiveInterval: num(p['receive-interval']),
      transmitInterval: num(p['transmit-interval']),
      detectMultiplier: num(p['detect-multiplier']),
      remoteReceiveInterval: num(p['remote-receive-interval']),
      remoteTransmitInterval: num(p['remote-transmit-interval']),
      remoteDetectMultiplier: num(p['remote-detect-multiplier']),
      uptime: typeof p['uptime'] === 'number' ? p['uptime'] : undefined,
      downtime: typeof p['downtime'] === 'number' ? p['downtime'] : undefined,
    };
  });
}

/** One row of BIRD's `show bfd sessions`. */
export interface BirdBfdSession {
  /** The `protocol bfd` instance the row belongs to (e.g. bfd1). */
  protocol: string;
  address: string;
  interface: string;
  /** BIRD's words: Down, Init, Up, AdminDown. */
  state: string;
  since: string;
  /** Transmit interval in use (1000 while not Up), ms. */
  intervalMs: number;
  /** Detection time, ms (0 before anything was received and after an expiry). */
  timeoutMs: number;
}

/**
 * `birdc show bfd sessions`:
 * ```
 * BIRD 2.0.12 ready.
 * bfd1:
 * IP address                Interface  State      Since         Interval  Timeout
 * 198.18.1.11               br0        Up         08:56:09.835    0.300    0.900
 * ```
 */
export function parseBirdBfdSessions(text: string): BirdBfdSession[] {
  const out: BirdBfdSession[] = [];
  let protocol = '';
  for (const line of text.split('\n')) {
    const proto = /^(\S+):\s*$/.exec(line);
    if (proto !== null) {
      protocol = proto[1]!;
      continue;
    }
    // the Since column is a time (hh:mm:ss.mmm) or a date + time, depending on BIRD's timeformat
    const m = /^(\S+)\s+(\S+)\s+(Down|Init|Up|AdminDown)\s+(.+?)\s+(\d+\.\d+)\s+(\d+\.\d+)\s*$/.exec(line);
    if (m === null) continue;
    out.push({
      protocol,
      address: m[1]!,
      interface: m[2]!,
      state: m[3]!,
      since: m[4]!,
      intervalMs: Math.round(Number(m[5]) * 1000),
      timeoutMs: Math.round(Number(m[6]) * 1000),
    });
  }
  return out;
}

/** BIRD's log lines about BFD sessions of `address` (state changes with `debug { events }`, auth failures). */
export function birdBfdLogLines(log: string, address: string): string[] {
  return log.split('\n').filter((l) => l.includes(address) && /(changed state|Authentication failed|bfd)/i.test(l));
}

/** Percentile (nearest rank) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** min / p50 / p90 / max of a list, rounded to 0.1 ms. */
export function distribution(values: readonly number[]): { n: number; min: number; p50: number; p90: number; max: number } {
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { n: values.length, min: r(Math.min(...values)), p50: r(percentile(values, 50)), p90: r(percentile(values, 90)), max: r(Math.max(...values)) };
}

// ------------------------------------------------------------------------------------------------
// config generators (facts from the daemons' manuals and the lab; no third-party config copied)

export interface BfdPeerConfig {
  peer: string;
  local: string;
  iface: string;
  rxMs: number;
  txMs: number;
  multiplier: number;
}

export const defaultBfdPeer = (): BfdPeerConfig => ({
  peer: BFD_TSBGP_ADDR,
  local: BFD_DAEMON_ADDR,
  iface: BFD_DAEMON_IFACE,
  rxMs: BFD_TIMERS.rxMs,
  txMs: BFD_TIMERS.txMs,
  multiplier: BFD_TIMERS.multiplier,
});

/** The `peer ...` line that selects an FRR bfdd peer (config and vtysh). */
export const frrPeerLine = (p: BfdPeerConfig): string => `peer ${p.peer} local-address ${p.local} interface ${p.iface}`;

/** FRR: { zebra.conf, bgpd.conf (an empty BGP instance: frr.sh starts and probes bgpd), bfdd.conf } */
export function frrBfdConfig(peers: readonly BfdPeerConfig[] = [defaultBfdPeer()]): Record<string, string> {
  const bfdd = [
    '! tsbgp BFD interop: FRR bfdd in rtr, static single-hop peers, generated by test/helpers/lab-bfd.ts',
    'hostname rtr',
    '!',
    'bfd',
    ...peers.flatMap((p) => [
      ` ${frrPeerLine(p)}`,
      `  receive-interval ${p.rxMs}`,
      `  transmit-interval ${p.txMs}`,
      `  detect-multiplier ${p.multiplier}`,
      '  no shutdown',
      ' !',
    ]),
    '!',
  ];
  return {
    'zebra.conf': 'hostname rtr\n!\n',
    'bgpd.conf': `hostname rtr\n!\nrouter bgp 65000\n bgp router-id ${NODE_ADDR.rtr.routerId}\n!\n`,
    'bfdd.conf': `${bfdd.join('\n')}\n`,
  };
}

export interface BirdBfdOptions extends BfdPeerConfig {
  /** BIRD 2.0 interface option: `authentication keyed sha1; password "SECRET" { id N; };` */
  auth?: { type: 'simple' | 'keyed md5' | 'meticulous keyed md5' | 'keyed sha1' | 'meticulous keyed sha1'; keyId: number; password: string };
}

/** BIRD 2: bird.conf with one `protocol bfd` and a static neighbor. */
export function birdBfdConfig(o: BirdBfdOptions = defaultBfdPeer()): string {
  return [
    '# tsbgp BFD interop: BIRD 2 in rtr, one static single-hop session, generated by test/helpers/lab-bfd.ts',
    `router id ${NODE_ADDR.rtr.routerId};`,
    'log stderr all;',
    'protocol device { scan time 10; }',
    'protocol bfd bfd1 {',
    '    debug { events };',
    `    interface "${o.iface}" {`,
    `        min rx interval ${o.rxMs} ms;`,
    `        min tx interval ${o.txMs} ms;`,
    `        multiplier ${o.multiplier};`,
    ...(o.auth === undefined ? [] : [`        authentication ${o.auth.type};`, `        password "${o.auth.password}" { id ${o.auth.keyId}; };`]),
    '    };',
    `    neighbor ${o.peer} dev "${o.iface}" local ${o.local};`,
    '}',
    '',
  ].join('\n');
}

// ------------------------------------------------------------------------------------------------
// daemons

/** What `bfd / peer ...` accepts in FRR 8.4 vtysh (no authentication among them). */
export const FRR_BFD_PEER_COMMANDS = ['detect-multiplier', 'receive-interval', 'transmit-interval', 'echo-mode', 'minimum-ttl', 'passive-mode', 'profile', 'shutdown'];

const bashLib = (lab: Lab, script: string): Promise<string> =>
  runOk('bash', ['-c', `set -euo pipefail; . "${join(LAB_SCRIPTS, 'lib.sh')}"; ${script}`], { env: lab.env, timeoutMs: 30_000 });

/** FRR 8.4: zebra + bgpd through scripts/lab/frr.sh, bfdd started here (frr.sh has no bfdd). */
export class FrrBfdDaemon {
  readonly label = 'FRR bfdd';
  readonly lab: Lab;
  readonly confDir: string;
  constructor(lab: Lab) {
    this.lab = lab;
    this.confDir = join(lab.confDir, 'frr-bfd');
  }

  get stateDir(): string {
    return join(this.lab.runDir, 'state', 'frr-rtr');
  }

  async start(peers: readonly BfdPeerConfig[] = [defaultBfdPeer()]): Promise<void> {
    mkdirSync(this.confDir, { recursive: true });
    for (const [f, text] of Object.entries(frrBfdConfig(peers))) writeFileSync(join(this.confDir, f), text, { mode: 0o644 });
    await this.lab.scriptOk('frr.sh', ['start', 'rtr', this.confDir]);
    if (this.lab.recordedPid('rtr-bfdd') === undefined) {
      const D = this.stateDir;
      await bashLib(
        this.lab,
        `lab_start rtr-bfdd rtr /usr/lib/frr/bfdd -f "${join(this.confDir, 'bfdd.conf')}" -i "${D}/bfdd.pid" --bfdctl "${D}/bfdd.sock" -z "${D}/zserv.api" --vty_socket "${D}" -P 0 --log stdout --log-level info`,
      );
    }
    await waitFor('bfdd vty socket', () => existsSync(join(this.stateDir, 'bfdd.vty')), { timeoutMs: 10_000, intervalMs: 100 });
    await waitFor('vtysh show bfd peers', async () => (await this.peers()).length > 0, { timeoutMs: 10_000, intervalMs: 100 });
  }

  async stop(): Promise<void> {
    await bashLib(this.lab, 'lab_stop rtr-bfdd');
    await this.lab.scriptOk('frr.sh', ['stop', 'rtr']);
  }

  /** The recorded bfdd PID (alive and still bfdd), if any. */
  get bfddPid(): number | undefined {
    return this.lab.recordedPid('rtr-bfdd');
  }

  vtysh(...commands: string[]): Promise<string> {
    return runOk('vtysh', ['--vty_socket', this.stateDir, ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 10_000 });
  }

  async peersJson(): Promise<unknown> {
    return JSON.parse(await this.vtysh('show bfd peers json')) as unknown;
  }

  async peers(): Promise<FrrBfdPeer[]> {
    return parseFrrBfdPeers(await this.peersJson());
  }

  async peer(addr: string = BFD_TSBGP_ADDR): Promise<FrrBfdPeer> {
    const p = (await this.peers()).find((x) => x.peer === addr);
    if (p === undefined) throw new Error(`FRR has no BFD peer ${addr}`);
    return p;
  }

  /** Runs configuration lines under `bfd / peer ...`. */
  async configurePeer(p: BfdPeerConfig, ...cmds: string[]): Promise<void> {
    await this.vtysh('configure terminal', 'bfd', frrPeerLine(p), ...cmds);
  }

  /** What vtysh lists as commands in the `bfd / peer` node (`list`), one per line. */
  async peerNodeCommands(p: BfdPeerConfig = defaultBfdPeer()): Promise<string[]> {
    const out = await this.vtysh('configure terminal', 'bfd', frrPeerLine(p), 'list');
    return out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  }

  logTail(maxChars = 5000): string {
    return this.lab.logTail('rtr-bfdd', maxChars);
  }

  async describe(): Promise<string> {
    const peers = await this.vtysh('show bfd peers').catch((e: Error) => e.message);
    return `FRR show bfd peers:\n${peers}\nbfdd log:\n${this.logTail(2000)}`;
  }
}

/** BIRD 2.0 with one `protocol bfd`, through scripts/lab/bird.sh. */
export class BirdBfdDaemon {
  readonly label = 'BIRD bfd';
  readonly lab: Lab;
  constructor(lab: Lab) {
    this.lab = lab;
  }

  get confFile(): string {
    return join(this.lab.confDir, 'bird-bfd-rtr.conf');
  }

  #write(o: BirdBfdOptions): void {
    mkdirSync(this.lab.confDir, { recursive: true });
    writeFileSync(this.confFile, birdBfdConfig(o), { mode: 0o644 });
  }

  async start(o: BirdBfdOptions = defaultBfdPeer()): Promise<void> {
    this.#write(o);
    await this.lab.scriptOk('bird.sh', ['start', 'rtr', this.confFile]);
  }

  async stop(): Promise<void> {
    await this.lab.scriptOk('bird.sh', ['stop', 'rtr']);
  }

  /** Rewrites the config and runs `birdc configure` (BIRD applies new timers with a Poll Sequence). */
  async reconfigure(o: BirdBfdOptions): Promise<string> {
    this.#write(o);
    const out = await this.birdc('configure');
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`birdc configure: ${out}`);
    return out;
  }

  birdc(...args: string[]): Promise<string> {
    return runOk('birdc', ['-s', join(this.lab.runDir, 'state', 'bird-rtr.ctl'), ...args], { timeoutMs: 10_000 });
  }

  async sessionsText(): Promise<string> {
    return this.birdc('show', 'bfd', 'sessions');
  }

  async sessions(): Promise<BirdBfdSession[]> {
    return parseBirdBfdSessions(await this.sessionsText());
  }

  async session(addr: string = BFD_TSBGP_ADDR): Promise<BirdBfdSession> {
    const s = (await this.sessions()).find((x) => x.address === addr);
    if (s === undefined) throw new Error(`BIRD has no BFD session with ${addr}`);
    return s;
  }

  logTail(maxChars = 20_000): string {
    return this.lab.logTail('rtr-bird', maxChars);
  }

  async describe(): Promise<string> {
    const s = await this.sessionsText().catch((e: Error) => e.message);
    return `BIRD show bfd sessions:\n${s}\nBIRD log:\n${this.logTail(2000)}`;
  }
}

/**
 * `ip -n <rtr ns> link set p-n1 up|down`: the daemon's side of the link to n1. Returns when the
 * command was spawned (Date.now(), to compare with the CLI's `time` stamps) and how long it took.
 */
export async function setDaemonLink(lab: Lab, up: boolean): Promise<{ startedWall: number; durationMs: number }> {
  const startedWall = Date.now();
  const t0 = performance.now();
  await runOk('ip', ['-n', lab.ns(BFD_DAEMON_NODE), 'link', 'set', BFD_DAEMON_PORT_TO_N1, up ? 'up' : 'down'], { timeoutMs: 5_000 });
  return { startedWall, durationMs: performance.now() - t0 };
}

/**
 * When tsbgp printed an event: its `time` field (ISO, ms; stamped by the CLI as it prints), else
 * the arrival time here. Both are Date.now() clocks of the same machine.
 */
export function eventWallTime(e: TsbgpBfdEvent): number {
  const t = typeof e['time'] === 'string' ? Date.parse(e['time']) : Number.NaN;
  return Number.isFinite(t) ? t : e.recvWall;
}

export * from './lab-bfd-cli.js';
import { type TsbgpBfdEvent, type TsbgpBfdSnapshot, TsbgpBfdProcess } from './lab-bfd-cli.js';

// ------------------------------------------------------------------------------------------------
// steps shared by the BFD interop tests

/**
 * Waits until tsbgp's session is Up with the steady-state timers: no Poll Sequence running and
 * the Detection Time it should have (the peer advertises 1 s while not Up and switches to its
 * configured interval with a Poll Sequence after Up: cutting the link before that would measure
 * a 3 s detection time).
 */
export async function waitSteadyUp(p: TsbgpBfdProcess, detectionMs: number = BFD_DETECTION_MS, timeoutMs = 10_000): Promise<TsbgpBfdSnapshot> {
  let last: TsbgpBfdSnapshot | undefined;
  try {
    return await waitFor('tsbgp bfd Up with steady timers', async () => {
      last = await p.snapshot();
      return last.state === 'Up' && !last.pollActive && last.detectionTimeMs === detectionMs ? last : undefined;
    }, { timeoutMs, intervalMs: 100 });
  } catch (e) {
    throw new Error(`${(e as Error).message}\nlast snapshot: ${JSON.stringify(last)}\n${p.describe()}`);
  }
}

export interface LinkDownRound {
  round: number;
  /**
   * Date.now() right before `ip link set down` was spawned -> the `time` tsbgp stamped on its
   * `down` line (when the library reported the Down; the pipe to this process is not included).
   */
  detectMs: number;
  /** The same, to the arrival of the line here (includes stdout pipe + this event loop). */
  detectArrivalMs: number;
  /** How long the `ip link set down` command took (the link went down somewhere inside it). */
  cmdMs: number;
  diag: unknown;
  diagName: unknown;
  /** Link back up -> tsbgp `up` again. */
  recoverMs: number;
  /** What `daemonDown` returned while the link was down (the daemon's own view of the cut). */
  daemonSaw: string | undefined;
}

/**
 * `rounds` times: waits for a steady Up on both sides, takes the daemon's port to n1 down, waits
 * for tsbgp's `down` (bounded), brings the port up again and waits for `up` (bounded). The link is
 * up again when this returns or throws. `daemonUp` reports whether the daemon has the session Up;
 * `daemonDown`, polled (bounded, 2 s) after tsbgp's `down` while the link is still down, returns
 * the daemon's description of the session once it is down there too (e.g. FRR's diagnostic).
 */
export async function linkDownRounds(
  lab: Lab,
  p: TsbgpBfdProcess,
  rounds: number,
  daemonUp: () => Promise<boolean>,
  daemonDown?: () => Promise<string | undefined>,
): Promise<LinkDownRound[]> {
  const out: LinkDownRound[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      await waitSteadyUp(p);
      await waitFor('the daemon reports the session Up', daemonUp, { timeoutMs: 10_000, intervalMs: 100 });
      // vary the phase of the cut against the peer's transmit timer
      await sleep(50 + ((i * 97) % 300));
      const since = p.mark();
      const { startedWall, durationMs } = await setDaemonLink(lab, false);
      let down: TsbgpBfdEvent;
      let daemonSaw: string | undefined;
      try {
        down = await p.waitFor('down', 3_000, () => true, since);
        if (daemonDown !== undefined) daemonSaw = await waitFor('the daemon reports the session down', daemonDown, { timeoutMs: 2_000, intervalMs: 50 }).catch((e: Error) => `not down: ${e.message}`);
      } finally {
        // always restore the link, even when the down event did not come
        await setDaemonLink(lab, true);
      }
      const upAt = performance.now();
      const up = await p.waitFor('up', 10_000, () => true, since);
      out.push({ round: i + 1, detectMs: eventWallTime(down) - startedWall, detectArrivalMs: down.recvWall - startedWall, cmdMs: durationMs, diag: down['diag'], diagName: down['diagName'], recoverMs: up.recvAt - upAt, daemonSaw });
    }
  } finally {
    await setDaemonLink(lab, true).catch(() => undefined);
  }
  return out;
}

/** Writes a results file into the lab's run dir (kept after the run) and returns the path. */
export function writeResults(lab: Lab, name: string, data: unknown): string {
  const f = join(lab.runDir, `${name}.json`);
  mkdirSync(lab.runDir, { recursive: true });
  writeFileSync(f, `${JSON.stringify(data, null, 2)}\n`);
  return f;
}

/** The version of an installed Debian package (dpkg-query), or 'unknown'. */
export async function debVersion(pkg: string): Promise<string> {
  const r = await run('dpkg-query', ['-W', '-f', '${Version}', pkg], { timeoutMs: 5_000 });
  return r.code === 0 ? r.stdout.trim() : 'unknown';
}
