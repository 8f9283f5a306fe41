/**
 * `tsbgp bfd`: runs one BFD session (RFC 5880 / 5881 / 5883) from flags, prints one event per
 * line (JSON with `--events json`, short human lines otherwise) and takes JSON commands on stdin
 * (snapshot, adminDown, adminUp, setParameters, shutdown). SIGTERM / SIGINT take the session
 * AdminDown (the peer is told), close the endpoint and exit 0.
 *
 * Dropped packets are aggregated: at most one line per (source, reason) per second, with a count.
 * The --auth secret is never printed (snapshots carry only the Auth Type and Key ID).
 */
import { BgpError } from '../bgp/errors.js';
import { expectInt, expectObject, expectString, onlyKeys } from '../bgp/json/json-util.js';
import { BfdEndpoint, type BfdEndpointOptions } from '../bfd/bfd-endpoint.js';
import type { BfdSession } from '../bfd/bfd-session.js';
import { BfdError } from '../bfd/errors.js';
import { BFD_MULTIHOP_CONTROL_PORT, BFD_SINGLE_HOP_CONTROL_PORT } from '../bfd/iana.js';
import { parseBfdFlags, type BfdFlags } from './bfd-flags.js';
import { type CliIo, lines } from './io.js';

type Json = Record<string, unknown>;

/** How long dropped packets of one reason are counted before the next line (ms). */
export const BFD_DROP_REPORT_INTERVAL_MS = 1000;

/** Test seam: transport / clock overrides (the CLI itself uses UDP and the system clock). */
export interface BfdCommandOverrides {
  readonly endpoint?: Partial<BfdEndpointOptions> | undefined;
}

export async function bfdCommand(argv: string[], io: CliIo, overrides: BfdCommandOverrides = {}): Promise<number> {
  const flags = parseBfdFlags(argv);
  const port = flags.port ?? (flags.multihop ? BFD_MULTIHOP_CONTROL_PORT : BFD_SINGLE_HOP_CONTROL_PORT);
  const endpoint = new BfdEndpoint({ singleHopPort: port, multihopPort: port, ...overrides.endpoint });
  const print = printer(io, flags.events);
  // Endpoint events that come while the session is set up (the TTL warning) follow the `started` line.
  let early: Json[] | undefined = [];
  const emit = (e: Json): void => (early === undefined ? print(e) : void early.push(e));
  const drops = new DropReporter(emit);
  endpoint.on('warning', (e) => emit({ event: 'warning', code: e.code, message: e.message }));
  endpoint.on('transportError', (e) => emit({ event: 'transportError', ...e }));
  endpoint.on('dropped', (e) => drops.add('endpoint', e.reason, e.detail, e.peerAddress));

  let stopping: Promise<void> | undefined;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const starting = endpoint.addSession({
    peerAddress: flags.peerAddress,
    localAddress: flags.localAddress,
    multihop: flags.multihop,
    profile: flags.profile,
    auth: flags.auth,
  });
  const shutdown = (why: string): void => {
    if (stopping !== undefined) return;
    stopping = (async () => {
      // A signal while the session is being set up: stop once it is (or failed).
      if ((await starting.then(() => true, () => false)) === false) return;
      print({ event: 'shutdown', reason: why });
      await endpoint.close();
      drops.flush();
    })().then(
      () => resolveDone(0),
      /* c8 ignore next 4 */
      (e: unknown) => {
        print(errorJson(e));
        resolveDone(1);
      },
    );
  };
  const unsubscribe = io.onSignal?.((signal) => shutdown(signal));

  let session: BfdSession;
  try {
    session = await starting;
  } catch (e) {
    early = undefined;
    print(errorJson(e));
    io.stderr.write(`tsbgp bfd: ${describe(e)}\n`);
    drops.flush();
    await endpoint.close().catch(() => {});
    unsubscribe?.();
    return 1;
  }
  subscribe(session, print, drops);
  const snap = session.snapshot();
  print({
    event: 'started',
    peer: flags.peerAddress,
    local: flags.localAddress,
    multihop: flags.multihop,
    port,
    localDiscriminator: snap.localDiscriminator,
    sourcePort: snap.sourcePort,
    profile: profileJson(flags),
    auth: snap.auth,
    ttlEnforced: endpoint.snapshot().listeners.every((l) => l.ttlEnforced),
  });
  for (const e of early) print(e);
  early = undefined;

  void (async () => {
    for await (const line of lines(io.stdin)) {
      if (stopping !== undefined) break;
      if (line.trim() === '') continue;
      try {
        runCommand(line, session, endpoint, print, shutdown);
      } catch (e) {
        print(errorJson(e, 'ERR_CLI_BAD_COMMAND'));
      }
    }
  })().catch((e: unknown) => {
    // The stdin stream is torn down when the command ends ("Premature close"): not an error then.
    if (stopping === undefined) print(errorJson(e));
  });

  const code = await done;
  unsubscribe?.();
  return code;
}

function profileJson(flags: BfdFlags): Json {
  const p = flags.resolvedProfile;
  return {
    receiveInterval: p.receiveInterval,
    transmitInterval: p.transmitInterval,
    detectMultiplier: p.detectMultiplier,
    passiveMode: p.passiveMode,
    ...(flags.multihop ? { minimumTtl: p.minimumTtl } : {}),
  };
}

function describe(e: unknown): string {
  if (e instanceof BgpError || e instanceof BfdError) return `${e.code}: ${e.message}`;
  /* c8 ignore next */
  return e instanceof Error ? e.message : String(e);
}

function errorJson(e: unknown, fallback = 'ERR_CLI'): Json {
  if (e instanceof BgpError || e instanceof BfdError) return { event: 'error', code: e.code, message: e.message };
  /* c8 ignore next */
  return { event: 'error', code: fallback, message: e instanceof Error ? e.message : String(e) };
}

function printer(io: CliIo, format: 'json' | 'text'): (e: Json) => void {
  return (e) => {
    const time = new Date().toISOString();
    if (format === 'json') io.stdout.write(`${JSON.stringify({ ...e, time })}\n`);
    else io.stdout.write(`${time} ${textLine(e)}\n`);
  };
}

/** A short human line for an event. */
function textLine(e: Json): string {
  const s = (k: string): string => String(e[k]);
  switch (e.event) {
    case 'started': {
      const auth = e.auth as { type: string; keyId: number } | null;
      return `started: ${s('local')} -> ${s('peer')} port ${s('port')} (${e.multihop === true ? 'multihop' : 'single hop'}), discriminator ${s('localDiscriminator')}, source port ${s('sourcePort')}${auth === null ? '' : `, auth ${auth.type} key ${auth.keyId}`}`;
    }
    case 'stateChange':
      return `${s('from')} -> ${s('to')} (diag ${s('diagName')}, remote ${s('remoteState')}): ${s('reason')}`;
    case 'up':
      return `UP (from ${s('from')})`;
    case 'down':
      return `DOWN -> ${s('to')} (diag ${s('diagName')}, remote ${s('remoteState')}): ${s('reason')}`;
    case 'pollComplete':
      // detectionTimeMs is known once the peer has been heard, which a completed poll implies
      /* c8 ignore next */
      return `poll sequence complete: tx interval ${s('txIntervalMs')} ms, detection time ${e.detectionTimeMs === undefined ? '-' : `${s('detectionTimeMs')} ms`}`;
    case 'dropped':
      return `dropped ${s('count')} packet(s) (${s('source')}): ${s('reason')}: ${s('detail')}`;
    case 'warning':
    case 'transportError':
    case 'error':
      return `${s('event')} ${s('code')}: ${s('message')}`;
    case 'shutdown':
      return `shutdown (${s('reason')})`;
    default: {
      const { event, ...rest } = e;
      return `${String(event)} ${JSON.stringify(rest)}`;
    }
  }
}

function subscribe(session: BfdSession, print: (e: Json) => void, drops: DropReporter): void {
  session.on('stateChange', (e) => print({ event: 'stateChange', from: e.from, to: e.to, diag: e.diag, diagName: e.diagName, reason: e.reason, remoteState: e.remoteState }));
  session.on('up', (e) => print({ event: 'up', from: e.from }));
  session.on('down', (e) => print({ event: 'down', to: e.to, diag: e.diag, diagName: e.diagName, remoteState: e.remoteState, reason: e.reason }));
  session.on('pollComplete', (e) => print({ event: 'pollComplete', txIntervalMs: e.txIntervalMs, detectionTimeMs: e.detectionTimeMs }));
  session.on('dropped', (e) => drops.add('session', e.reason, e.detail, session.key.peerAddress));
}

/**
 * Rate limit of `dropped` lines: the first drop of a (source, reason) is printed at once; the
 * following ones are counted and printed as one line (with the count and the last detail) per
 * BFD_DROP_REPORT_INTERVAL_MS while they keep coming.
 */
class DropReporter {
  readonly #print: (e: Json) => void;
  readonly #pending = new Map<string, { count: number; last: Json; timer: NodeJS.Timeout }>();

  constructor(print: (e: Json) => void) {
    this.#print = print;
  }

  add(source: 'endpoint' | 'session', reason: string, detail: string, from: string): void {
    const key = `${source}|${reason}`;
    const line: Json = { event: 'dropped', source, reason, detail, from };
    const p = this.#pending.get(key);
    if (p !== undefined) {
      p.count++;
      p.last = line;
      return;
    }
    this.#print({ ...line, count: 1 });
    this.#arm(key, line);
  }

  #arm(key: string, line: Json): void {
    const timer = setTimeout(() => {
      const p = this.#pending.get(key)!;
      this.#pending.delete(key);
      if (p.count === 0) return;
      this.#print({ ...p.last, count: p.count });
      this.#arm(key, p.last);
    }, BFD_DROP_REPORT_INTERVAL_MS);
    timer.unref();
    this.#pending.set(key, { count: 0, last: line, timer });
  }

  /** Prints what is still counted and stops the timers. */
  flush(): void {
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      if (p.count > 0) this.#print({ ...p.last, count: p.count });
    }
    this.#pending.clear();
  }
}

const COMMANDS = 'snapshot, adminDown, adminUp, setParameters, shutdown';

function badCommand(message: string): BgpError {
  return new BgpError('ERR_CLI_BAD_COMMAND', message);
}

function runCommand(line: string, session: BfdSession, endpoint: BfdEndpoint, print: (e: Json) => void, shutdown: (why: string) => void): void {
  let cmd: unknown;
  try {
    cmd = JSON.parse(line);
  } catch {
    throw badCommand(`not JSON: ${line.slice(0, 80)}`);
  }
  const o = expectObject(cmd, 'command');
  if (o.cmd === undefined) throw badCommand(`a command is an object {"cmd": NAME, ...} (${COMMANDS})`);
  const name = expectString(o.cmd, 'cmd');
  switch (name) {
    case 'snapshot': {
      onlyKeys(o, ['cmd'], '');
      const { sessions: _sessions, ...rest } = endpoint.snapshot();
      print({ event: 'snapshot', session: session.snapshot(), endpoint: rest });
      return;
    }
    case 'adminDown':
      onlyKeys(o, ['cmd'], '');
      session.adminDown();
      return;
    case 'adminUp':
      onlyKeys(o, ['cmd'], '');
      session.adminUp();
      return;
    case 'setParameters': {
      onlyKeys(o, ['cmd', 'tx', 'rx', 'multiplier'], '');
      const transmitInterval = o.tx === undefined ? undefined : expectInt(o.tx, 'tx', 10, 60000);
      const receiveInterval = o.rx === undefined ? undefined : expectInt(o.rx, 'rx', 10, 60000);
      const detectMultiplier = o.multiplier === undefined ? undefined : expectInt(o.multiplier, 'multiplier', 2, 255);
      if (transmitInterval === undefined && receiveInterval === undefined && detectMultiplier === undefined) {
        throw badCommand('setParameters: needs at least one of "tx", "rx", "multiplier"');
      }
      session.setParameters({
        ...(transmitInterval === undefined ? {} : { transmitInterval }),
        ...(receiveInterval === undefined ? {} : { receiveInterval }),
        ...(detectMultiplier === undefined ? {} : { detectMultiplier }),
      });
      return;
    }
    case 'shutdown':
      onlyKeys(o, ['cmd'], '');
      shutdown('shutdown command');
      return;
    default:
      throw badCommand(`unknown command ${JSON.stringify(name)} (${COMMANDS})`);
  }
}
