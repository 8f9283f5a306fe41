/**
 * One side of the `bfd` benchmark: a BfdEndpoint with N single-hop sessions over the UDP
 * transport, its sender wrapped to time every periodic transmission against the FSM's deadline,
 * and a small command protocol so the side can run in this thread, in a worker_threads Worker
 * (workerData.role === 'bfd-side') or in a child process (argv `--bfd-peer '<json options>'`).
 *
 * Addresses: the measured side ("A") has every session on 127.0.0.1; the peer side ("B") has
 * session k on 127.1.x.y (one listener each), so A shares one listener between all its sessions,
 * as a router with many peers on one interface does. Loopback accepts all of 127/8.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { BfdEndpoint } from '../src/bfd/bfd-endpoint.js';
import type { BfdSession } from '../src/bfd/bfd-session.js';
import type { BfdSender, BfdTransport } from '../src/bfd/bfd-transport.js';
import { createUdpBfdTransport } from '../src/bfd/udp-transport.js';
import { Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';

let rcvbufPatched = false;

/** See SideOptions.rcvbuf. */
function patchRecvBuffer(bytes: number): void {
  if (rcvbufPatched) return;
  rcvbufPatched = true;
  const bind = Socket.prototype.bind as (this: Socket, ...a: unknown[]) => Socket;
  (Socket.prototype as unknown as { bind: unknown }).bind = function (this: Socket, ...a: unknown[]): Socket {
    this.once('listening', () => {
      try {
        this.setRecvBufferSize(bytes);
      } catch {
        // not fatal for the experiment
      }
    });
    return bind.apply(this, a);
  };
}

/** Linux UDP RcvbufErrors (datagrams the kernel dropped for a full receive buffer), system-wide; undefined elsewhere. */
export function udpRcvbufErrors(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    const v = Number(values[names.indexOf('RcvbufErrors')]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface SideOptions {
  /** 'A' (all sessions on 127.0.0.1) or 'B' (session k on peerAddress(k)). */
  readonly side: 'A' | 'B';
  readonly sessions: number;
  readonly port: number;
  readonly txMs: number;
  readonly detectMultiplier: number;
  /**
   * Experiment, not library behaviour: when set, every UDP socket this process binds gets this
   * SO_RCVBUF (bytes; Linux caps it at net.core.rmem_max) by patching dgram.Socket#bind, to show
   * what a larger receive buffer on the shared listener changes.
   */
  readonly rcvbuf?: number | undefined;
  /** The listener's cap of SO_REUSEPORT receive sockets (1: one socket, the behaviour before the spread). */
  readonly maxReceiveSockets?: number | undefined;
}

export interface Quantiles {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export interface WindowStats {
  readonly wallS: number;
  readonly sessions: number;
  /** Sessions Up at the end of the window. */
  readonly upAtEnd: number;
  /** downTransitions during the window (every session was Up at its start). */
  readonly falseDowns: number;
  /** Distinct sessions with at least one Down. */
  readonly flappedSessions: number;
  /** Downs by diag name (Control Detection Time Expired: we missed the peer; Neighbor Signaled Session Down: the peer missed us). */
  readonly downsByDiag: Record<string, number>;
  /** Periodic transmissions timed (sessions Up, Final answers excluded). */
  readonly periodicSends: number;
  /** Send time minus the FSM's transmit deadline, ms. */
  readonly txLatenessMs: Quantiles;
  /** Periodic sends later than one whole interval (txMs). */
  readonly sendsLateOverInterval: number;
  readonly eventLoopDelayMs: Quantiles;
  /** process.cpuUsage (user+system, all threads of the process) over wall time, % of one core. */
  readonly cpuPct: number;
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly droppedPackets: number;
  readonly transportErrors: number;
}

export function peerAddress(k: number): string {
  return `127.1.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}

const BIN_US = 10; // histogram bin: 10 us
const BINS = 200_000; // up to 2 s

/** A fixed-bin latency histogram (10 us bins, clamped at 2 s; the max is kept exactly). */
class LatencyHistogram {
  readonly bins = new Uint32Array(BINS);
  count = 0;
  max = 0;
  over = 0;

  constructor(readonly overMs: number) {}

  record(ms: number): void {
    const v = ms < 0 ? 0 : ms;
    this.bins[Math.min(BINS - 1, Math.floor((v * 1000) / BIN_US))]!++;
    this.count++;
    if (v > this.max) this.max = v;
    if (v > this.overMs) this.over++;
  }

  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BINS; i++) {
      seen += this.bins[i]!;
      if (seen >= target) return Math.min(this.max, ((i + 1) * BIN_US) / 1000); // upper edge of the bin
    }
    return this.max;
  }

  quantiles(): Quantiles {
    return { p50: round(this.quantile(0.5)), p99: round(this.quantile(0.99)), p999: round(this.quantile(0.999)), max: round(this.max) };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

interface SenderRecord {
  session: BfdSession | undefined;
  /** The session's transmit deadline as the FSM set it in the step of the previous send. */
  nextDeadline: number | undefined;
}

const STATE_UP = 3;
const FLAG_FINAL = 0x10;

/**
 * Wraps the UDP transport: every send is timed. A send is a periodic transmission when the
 * packet's F bit is clear (Finals answer Polls at once, off the schedule); its deadline is the
 * FSM's `timers.transmit` read right after the previous send (BfdSession commits the step, and
 * so the next deadline, before it performs the step's send). Only sessions Up (state in the
 * packet) are timed, so the 1 s slow rate and handshakes are not mixed in.
 */
class TimedTransport implements BfdTransport {
  onError: BfdTransport['onError'];
  readonly records = new Map<string, SenderRecord>();
  readonly histogram: LatencyHistogram;
  measuring = false;

  constructor(
    readonly inner: BfdTransport,
    txMs: number,
  ) {
    this.histogram = new LatencyHistogram(txMs);
    inner.onError = (e) => this.onError?.(e);
  }

  listen: BfdTransport['listen'] = (options, onPacket) => this.inner.listen(options, onPacket);

  async openSender(options: Parameters<BfdTransport['openSender']>[0]): Promise<BfdSender> {
    const s = await this.inner.openSender(options);
    const rec: SenderRecord = { session: undefined, nextDeadline: undefined };
    this.records.set(options.peerAddress, rec);
    const onSend = (bytes: Uint8Array): void => {
      const now = performance.now();
      const session = rec.session;
      if (session === undefined) return;
      const b1 = bytes[1]!;
      if (this.measuring && (b1 & FLAG_FINAL) === 0 && b1 >> 6 === STATE_UP && rec.nextDeadline !== undefined) {
        this.histogram.record(now - rec.nextDeadline);
      }
      rec.nextDeadline = session.fsmState.timers.transmit;
    };
    return {
      sourcePort: s.sourcePort,
      send(bytes: Uint8Array): void {
        onSend(bytes);
        s.send(bytes);
      },
      close: () => s.close(),
    };
  }
}

interface Baseline {
  t: number;
  cpu: NodeJS.CpuUsage;
  down: number[];
  rx: number;
  tx: number;
  dropped: number;
  transportErrors: number;
}

/** One endpoint with N sessions, timed. */
export class BfdSide {
  readonly #transport: TimedTransport;
  readonly #endpoint: BfdEndpoint;
  readonly #sessions: BfdSession[] = [];
  readonly #downsByDiag = new Map<string, number>();
  #transportErrors = 0;
  #eld: IntervalHistogram | undefined;
  #base: Baseline | undefined;

  private constructor(readonly options: SideOptions) {
    this.#transport = new TimedTransport(createUdpBfdTransport({ maxReceiveSockets: options.maxReceiveSockets }), options.txMs);
    this.#endpoint = new BfdEndpoint({ transport: this.#transport, singleHopPort: options.port });
    this.#endpoint.on('transportError', () => this.#transportErrors++);
    this.#endpoint.on('warning', () => undefined); // TTL not enforced without the addon: irrelevant on loopback
  }

  static async start(options: SideOptions): Promise<BfdSide> {
    if (options.rcvbuf !== undefined) patchRecvBuffer(options.rcvbuf);
    const side = new BfdSide(options);
    const profile = { transmitInterval: options.txMs, receiveInterval: options.txMs, detectMultiplier: options.detectMultiplier };
    const batch = 50;
    for (let k0 = 0; k0 < options.sessions; k0 += batch) {
      const adds: Promise<void>[] = [];
      for (let k = k0; k < Math.min(options.sessions, k0 + batch); k++) {
        const local = options.side === 'A' ? '127.0.0.1' : peerAddress(k);
        const peer = options.side === 'A' ? peerAddress(k) : '127.0.0.1';
        adds.push(
          side.#endpoint.addSession({ peerAddress: peer, localAddress: local, profile }).then((s) => {
            side.#transport.records.get(peer)!.session = s;
            s.on('down', (e) => {
              if (side.#base !== undefined) side.#downsByDiag.set(e.diagName, (side.#downsByDiag.get(e.diagName) ?? 0) + 1);
            });
            side.#sessions.push(s);
          }),
        );
      }
      await Promise.all(adds);
    }
    return side;
  }

  upCount(): number {
    let n = 0;
    for (const s of this.#sessions) if (s.state === 'Up') n++;
    return n;
  }

  /** Resolves once every session is Up and no Poll Sequence runs (the 50 ms rate is in effect). */
  async waitAllUp(timeoutMs: number): Promise<number> {
    const t0 = performance.now();
    for (;;) {
      if (this.#sessions.every((s) => s.state === 'Up' && !s.fsmState.pollActive)) return performance.now() - t0;
      if (performance.now() - t0 > timeoutMs) throw new Error(`side ${this.options.side}: only ${this.upCount()} of ${this.#sessions.length} sessions Up after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  #totals(): { rx: number; tx: number; dropped: number } {
    let rx = 0;
    let tx = 0;
    let dropped = 0;
    for (const s of this.#sessions) {
      const c = s.snapshot().counters;
      rx += c.rxPackets;
      tx += c.txPackets;
      dropped += c.dropped;
    }
    for (const v of Object.values(this.#endpoint.snapshot().dropped)) dropped += v;
    return { rx, tx, dropped };
  }

  begin(): void {
    this.#transport.histogram.bins.fill(0);
    Object.assign(this.#transport.histogram, { count: 0, max: 0, over: 0 });
    this.#transport.measuring = true;
    this.#downsByDiag.clear();
    this.#eld = monitorEventLoopDelay({ resolution: 10 });
    this.#eld.enable();
    this.#base = {
      t: performance.now(),
      cpu: process.cpuUsage(),
      down: this.#sessions.map((s) => s.snapshot().counters.downTransitions),
      ...this.#totals(),
      transportErrors: this.#transportErrors,
    };
  }

  end(): WindowStats {
    const b = this.#base;
    if (b === undefined) throw new Error('end() before begin()');
    const wallMs = performance.now() - b.t;
    const cpu = process.cpuUsage(b.cpu);
    this.#transport.measuring = false;
    const eld = this.#eld!;
    eld.disable();
    let falseDowns = 0;
    let flapped = 0;
    this.#sessions.forEach((s, i) => {
      const d = s.snapshot().counters.downTransitions - b.down[i]!;
      falseDowns += d;
      if (d > 0) flapped++;
    });
    const t = this.#totals();
    const h = this.#transport.histogram;
    // the histogram records the whole sampling interval (10 ms) plus the delay: report the delay
    const ns = (v: number): number => round(Math.max(0, v / 1e6 - 10));
    const stats: WindowStats = {
      wallS: round(wallMs / 1000),
      sessions: this.#sessions.length,
      upAtEnd: this.upCount(),
      falseDowns,
      flappedSessions: flapped,
      downsByDiag: Object.fromEntries(this.#downsByDiag),
      periodicSends: h.count,
      txLatenessMs: h.quantiles(),
      sendsLateOverInterval: h.over,
      eventLoopDelayMs: { p50: ns(eld.percentile(50)), p99: ns(eld.percentile(99)), p999: ns(eld.percentile(99.9)), max: ns(eld.max) },
      cpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 1000) / 10,
      rxPackets: t.rx - b.rx,
      txPackets: t.tx - b.tx,
      droppedPackets: t.dropped - b.dropped,
      transportErrors: this.#transportErrors - b.transportErrors,
    };
    this.#base = undefined;
    return stats;
  }

  close(): Promise<void> {
    return this.#endpoint.close();
  }
}

/** The commands a remote side answers. */
export type SideCommand = { cmd: 'waitAllUp'; timeoutMs: number } | { cmd: 'begin' } | { cmd: 'end' } | { cmd: 'close' };

/** Serves SideCommands over a message channel: {id, ...command} in, {id, result} or {id, error} out. */
function serve(options: SideOptions, send: (m: unknown) => void, onMessage: (h: (m: { id: number } & SideCommand) => void) => void, done: () => void): void {
  const ready = BfdSide.start(options);
  ready.then(
    () => send({ id: 0, result: 'ready' }),
    (e: unknown) => send({ id: 0, error: String((e as Error)?.stack ?? e) }),
  );
  onMessage((m) => {
    void (async () => {
      try {
        const side = await ready;
        let result: unknown;
        if (m.cmd === 'waitAllUp') result = await side.waitAllUp(m.timeoutMs);
        else if (m.cmd === 'begin') side.begin();
        else if (m.cmd === 'end') result = side.end();
        else if (m.cmd === 'close') await side.close();
        send({ id: m.id, result });
        if (m.cmd === 'close') done();
      } catch (e) {
        send({ id: m.id, error: String((e as Error)?.stack ?? e) });
      }
    })();
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'bfd-side' && parentPort !== null) {
  const port = parentPort;
  serve(
    (workerData as { options: SideOptions }).options,
    (m) => port.postMessage(m),
    (h) => port.on('message', h),
    () => port.close(),
  );
} else if (isMainThread && process.argv[2] === '--bfd-peer' && process.send !== undefined) {
  serve(
    JSON.parse(process.argv[3]!) as SideOptions,
    (m) => process.send!(m),
    (h) => process.on('message', h as (m: unknown) => void),
    () => process.disconnect(),
  );
}
