/**
 * `npm run bench -- bfd [--sessions 100,1000] [--duration 20] [--variants none,chunked,unchunked,worker]
 *  [--port 47840] [--block MESSAGES] [--block-ms 90] [--chunk-ms 8] [--warmup 3] [--max-receive-sockets N]`
 *
 * N BFD sessions at 50 ms x 3 over UDP on loopback between two tsbgp endpoints: the measured one
 * ("A", all sessions on 127.0.0.1, in this process or in a worker thread) and a peer ("B",
 * session k on 127.1.x.y) in a child process of its own, as the router at the other end would be.
 * Per N and variant, a fresh pair of endpoints is brought Up, left 'warmup' seconds, then measured
 * for 'duration' seconds:
 * - none: A in this process, nothing else running;
 * - chunked: A in this process, which also decodes a continuous BGP UPDATE stream in slices of at
 *   most ~chunk-ms ms, yielding with setImmediate between slices (as a BGP session should);
 * - unchunked: the same in blocks of `block` messages (default: ~block-ms ms worth) at once;
 * - worker: A in a worker_threads Worker while this thread decodes in unchunked blocks.
 * Figures: TX lateness (send time minus the FSM's transmit deadline, see bfd-worker.ts), false
 * Downs (A and B), CPU and event-loop delay. Ends with one JSON line {"bench":"bfd",...}.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { decodeUpdate } from '../src/bgp/codec/update.js';
import { Framer } from '../src/bgp/codec/framer.js';
import { DEFAULT_CONTEXT } from '../src/bgp/codec/context.js';
import { buildStream, type Stream } from './stream.js';
import { BfdSide, udpRcvbufErrors, type SideCommand, type SideOptions, type WindowStats } from './bfd-worker.js';

const VARIANTS = ['none', 'chunked', 'unchunked', 'worker'] as const;
type Variant = (typeof VARIANTS)[number];

const TX_MS = 50;
const DETECT_MULT = 3;

interface Args {
  sessions: number[];
  durationS: number;
  variants: Variant[];
  port: number;
  block: number | undefined;
  blockMs: number;
  chunkMs: number;
  warmupS: number;
  rcvbuf: number | undefined;
  maxReceiveSockets: number | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sessions: [100, 1000], durationS: 20, variants: [...VARIANTS], port: 47840, block: undefined, blockMs: 90, chunkMs: 8, warmupS: 3, rcvbuf: undefined, maxReceiveSockets: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[++i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    const num = (): number => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag}: not a positive number: ${v}`);
      return n;
    };
    if (flag === '--sessions') a.sessions = v.split(',').map((s) => Math.floor(Number(s)));
    else if (flag === '--duration') a.durationS = num();
    else if (flag === '--variants') a.variants = v.split(',') as Variant[];
    else if (flag === '--port') a.port = Math.floor(num());
    else if (flag === '--block') a.block = Math.floor(num());
    else if (flag === '--block-ms') a.blockMs = num();
    else if (flag === '--chunk-ms') a.chunkMs = num();
    else if (flag === '--warmup') a.warmupS = num();
    else if (flag === '--rcvbuf') a.rcvbuf = Math.floor(num());
    else if (flag === '--max-receive-sockets') a.maxReceiveSockets = Math.floor(num());
    else throw new Error(`unknown flag ${flag}`);
  }
  for (const v of a.variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}; known: ${VARIANTS.join(', ')}`);
  for (const n of a.sessions) if (!(n >= 1 && n <= 60_000)) throw new Error(`bad session count ${n}`);
  return a;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The BGP load: decodes an UPDATE stream round and round, as a receiving session would. */
class UpdateLoad {
  readonly #stream: Stream;
  #framer = new Framer();
  messages = 0;
  prefixes = 0;
  /** Longest and total time of one synchronous slice (ms). */
  sliceMaxMs = 0;
  sliceTotalMs = 0;
  slices = 0;
  #running = false;
  #stopped: Promise<void> | undefined;

  constructor(stream: Stream) {
    this.#stream = stream;
    this.#framer.push(stream.bytes);
  }

  /** Decodes up to `max` messages, stopping early once `untilMs` (performance.now) has passed. */
  decode(max: number, untilMs = Infinity): number {
    let n = 0;
    let prefixes = 0;
    while (n < max) {
      let m = this.#framer.next();
      if (m === undefined) {
        this.#framer = new Framer();
        this.#framer.push(this.#stream.bytes);
        m = this.#framer.next()!;
      }
      const u = decodeUpdate(m, DEFAULT_CONTEXT);
      prefixes += u.nlri.length;
      n++;
      if ((n & 31) === 0 && performance.now() >= untilMs) break;
    }
    this.messages += n;
    this.prefixes += prefixes;
    return n;
  }

  /** Runs continuously: each slice is `messages` messages or `sliceMs` ms, then setImmediate. */
  start(messages: number, sliceMs: number): void {
    this.#running = true;
    this.#stopped = new Promise<void>((resolve) => {
      const slice = (): void => {
        if (!this.#running) return resolve();
        const t0 = performance.now();
        this.decode(messages, t0 + sliceMs);
        const dt = performance.now() - t0;
        this.slices++;
        this.sliceTotalMs += dt;
        if (dt > this.sliceMaxMs) this.sliceMaxMs = dt;
        setImmediate(slice);
      };
      setImmediate(slice);
    });
  }

  stop(): Promise<void> {
    this.#running = false;
    return this.#stopped ?? Promise.resolve();
  }
}

/** A side answering SideCommands, wherever it runs. */
interface SideHandle {
  call(c: SideCommand): Promise<unknown>;
  dispose(): Promise<void>;
}

function localHandle(side: BfdSide): SideHandle {
  return {
    async call(c) {
      if (c.cmd === 'waitAllUp') return side.waitAllUp(c.timeoutMs);
      if (c.cmd === 'begin') return side.begin();
      if (c.cmd === 'end') return side.end();
      return side.close();
    },
    dispose: async () => undefined,
  };
}

/** RPC over a worker's or child's message channel; resolves once the side reported ready. */
function remoteHandle(
  post: (m: unknown) => void,
  on: (h: (m: { id: number; result?: unknown; error?: string }) => void) => void,
  onExit: (h: (code: number | null) => void) => void,
  dispose: () => Promise<void>,
  label: string,
): Promise<SideHandle> {
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  return new Promise<SideHandle>((resolveReady, rejectReady) => {
    pending.set(0, { resolve: () => resolveReady(handle), reject: rejectReady });
    on((m) => {
      const p = pending.get(m.id);
      if (p === undefined) return;
      pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(`${label}: ${m.error}`));
      else p.resolve(m.result);
    });
    onExit((code) => {
      for (const p of pending.values()) p.reject(new Error(`${label} exited (${code}) with a command pending`));
      pending.clear();
    });
    const handle: SideHandle = {
      call(c) {
        const id = next++;
        return new Promise((resolve, reject) => {
          pending.set(id, { resolve, reject });
          post({ id, ...c });
        });
      },
      dispose,
    };
  });
}

const workerUrl = new URL('./bfd-worker.js', import.meta.url);

function startPeerProcess(options: SideOptions): Promise<SideHandle> {
  const child: ChildProcess = fork(workerUrl, ['--bfd-peer', JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return remoteHandle(
    (m) => child.send(m as object),
    (h) => child.on('message', h as (m: unknown) => void),
    (h) => child.once('exit', h),
    async () => {
      // the child disconnects and exits by itself after 'close'; kill it only if it hangs
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
    'peer process',
  );
}

function startWorkerSide(options: SideOptions): Promise<SideHandle> {
  const w = new Worker(workerUrl, { workerData: { role: 'bfd-side', options } });
  const exited = new Promise<void>((r) => w.once('exit', () => r()));
  return remoteHandle(
    (m) => w.postMessage(m),
    (h) => w.on('message', h),
    (h) => w.once('exit', h),
    async () => {
      const t = setTimeout(() => void w.terminate(), 5000);
      await exited;
      clearTimeout(t);
    },
    'BFD worker',
  );
}

interface VariantResult {
  /** The measured side (A). */
  a: WindowStats;
  /** The peer (B), in its own process. */
  b: WindowStats;
  /** This (main) thread when BFD runs in a worker; A's figures otherwise. */
  mainEventLoopDelayMs: { p99: number; max: number };
  mainCpuPct: number;
  load: { messagesPerSec: number; prefixesPerSec: number; sliceMaxMs: number; sliceMeanMs: number } | null;
  /** false Downs seen by A plus those seen by B. */
  falseDowns: number;
  /** Linux UDP RcvbufErrors during the window (system-wide: datagrams dropped for a full socket receive buffer). */
  kernelRcvbufDrops: number | null;
  upSetupS: number;
}

async function runVariant(args: Args, n: number, variant: Variant, stream: Stream, blockMessages: number): Promise<VariantResult> {
  const base = { sessions: n, port: args.port, txMs: TX_MS, detectMultiplier: DETECT_MULT, rcvbuf: args.rcvbuf, maxReceiveSockets: args.maxReceiveSockets };
  const t0 = performance.now();
  const peer = await startPeerProcess({ ...base, side: 'B' });
  let a: SideHandle | undefined;
  try {
    a = variant === 'worker' ? await startWorkerSide({ ...base, side: 'A' }) : localHandle(await BfdSide.start({ ...base, side: 'A' }));
    await a.call({ cmd: 'waitAllUp', timeoutMs: 120_000 });
    await peer.call({ cmd: 'waitAllUp', timeoutMs: 30_000 });
    const upSetupS = (performance.now() - t0) / 1000;
    await sleep(args.warmupS * 1000);
    const load = variant === 'none' ? undefined : new UpdateLoad(stream);
    const eld = monitorEventLoopDelay({ resolution: 10 });
    eld.enable();
    const cpu0 = process.cpuUsage();
    const w0 = performance.now();
    const kdrop0 = udpRcvbufErrors();
    await a.call({ cmd: 'begin' });
    await peer.call({ cmd: 'begin' });
    if (variant === 'chunked') load!.start(100_000, args.chunkMs);
    else if (load !== undefined) load.start(blockMessages, Infinity);
    await sleep(args.durationS * 1000);
    await load?.stop();
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(cpu0);
    eld.disable();
    const aStats = (await a.call({ cmd: 'end' })) as WindowStats;
    const bStats = (await peer.call({ cmd: 'end' })) as WindowStats;
    const kdrop1 = udpRcvbufErrors();
    return {
      a: aStats,
      b: bStats,
      mainEventLoopDelayMs: { p99: Math.max(0, Math.round(eld.percentile(99) / 1e3) / 1e3 - 10), max: Math.max(0, Math.round(eld.max / 1e3) / 1e3 - 10) },
      mainCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 1000) / 10,
      load:
        load === undefined
          ? null
          : {
              messagesPerSec: Math.round(load.messages / (wall / 1000)),
              prefixesPerSec: Math.round(load.prefixes / (wall / 1000)),
              sliceMaxMs: Math.round(load.sliceMaxMs * 10) / 10,
              sliceMeanMs: Math.round((load.sliceTotalMs / Math.max(1, load.slices)) * 10) / 10,
            },
      falseDowns: aStats.falseDowns + bStats.falseDowns,
      kernelRcvbufDrops: kdrop0 === undefined || kdrop1 === undefined ? null : kdrop1 - kdrop0,
      upSetupS: Math.round(upSetupS * 10) / 10,
    };
  } finally {
    if (a !== undefined) {
      await a.call({ cmd: 'close' }).catch((e: unknown) => console.error(String(e)));
      await a.dispose();
    }
    await peer.call({ cmd: 'close' }).catch((e: unknown) => console.error(String(e)));
    await peer.dispose();
  }
}

function recommend(results: Record<string, Partial<Record<Variant, VariantResult>>>): string {
  // An N at which BFD alone (variant none) already flaps is past what this machine sustains: it says
  // nothing about chunking versus a worker, so it is left out of the comparison (and said so).
  const allNs = Object.keys(results);
  const ns = allNs.filter((n) => results[n]!.none === undefined || results[n]!.none.falseDowns === 0);
  const over = allNs.filter((n) => !ns.includes(n));
  const overText = over.length > 0 ? `At N = ${over.join(', ')} BFD flaps even without load (CPU / socket buffers of this machine): not compared. ` : '';
  if (ns.length === 0) return overText + 'No N held without load: nothing to compare.';
  const all = (v: Variant): VariantResult[] => ns.map((n) => results[n]![v]).filter((r): r is VariantResult => r !== undefined);
  const chunked = all('chunked');
  const worker = all('worker');
  const unchunked = all('unchunked');
  if (chunked.length === 0 || worker.length === 0) return 'run the chunked and worker variants to get a recommendation';
  const downs = (rs: VariantResult[]): number => rs.reduce((s, r) => s + r.falseDowns, 0);
  const p99 = (rs: VariantResult[]): number => Math.max(...rs.map((r) => r.a.txLatenessMs.p99));
  const max = (rs: VariantResult[]): number => Math.max(...rs.map((r) => r.a.txLatenessMs.max));
  const un = unchunked.length > 0 ? `unchunked in-process load: ${downs(unchunked)} false Downs, TX lateness p99 up to ${p99(unchunked)} ms. ` : '';
  const c = `chunked in-process: ${downs(chunked)} false Downs, p99 ${p99(chunked)} ms, max ${max(chunked)} ms; `;
  const w = `worker thread: ${downs(worker)} false Downs, p99 ${p99(worker)} ms, max ${max(worker)} ms. `;
  let verdict: string;
  if (downs(chunked) === 0 && downs(worker) === 0) {
    verdict =
      p99(worker) < p99(chunked) / 2
        ? 'Both hold; the worker thread keeps BFD timing far tighter, so run BFD in a worker at these rates, and still chunk BGP work (keepalives and the hold timer share the loop).'
        : 'Both hold with similar timing: chunking (<= ~20 ms per slice) is enough in-process; a worker thread adds a thread and message passing for little gain.';
  } else if (downs(chunked) === 0) {
    verdict = 'Only chunking held: keep BFD in-process and chunk every piece of work.';
  } else if (downs(worker) === 0) {
    verdict = 'Only the worker thread held: run BFD in a worker thread.';
  } else {
    verdict = 'Neither held at the largest N: BFD needs a thread (or process) of its own with spare CPU, and fewer sessions per process.';
  }
  return `${overText}Compared at N = ${ns.join(', ')}: ${un}${c}${w}${verdict}`;
}

function fmtRow(n: number, v: Variant, r: VariantResult): string {
  const l = r.a.txLatenessMs;
  const cells = [
    String(n).padStart(5),
    v.padEnd(9),
    `${r.a.falseDowns}/${r.b.falseDowns}`.padStart(9),
    String(r.a.flappedSessions + r.b.flappedSessions).padStart(7),
    `${l.p50}`.padStart(7),
    `${l.p99}`.padStart(8),
    `${l.max}`.padStart(8),
    String(r.a.sendsLateOverInterval).padStart(7),
    `${r.a.eventLoopDelayMs.p99}/${r.a.eventLoopDelayMs.max}`.padStart(15),
    `${r.a.cpuPct}`.padStart(6),
    `${r.b.cpuPct}`.padStart(6),
    String(r.kernelRcvbufDrops ?? '-').padStart(6),
    r.load === null ? '        -' : `${(r.load.prefixesPerSec / 1e6).toFixed(1)}M ${r.load.sliceMaxMs}ms`.padStart(14),
  ];
  return cells.join(' ');
}

export async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(3));
  console.log(
    `bfd bench: ${args.sessions.join(', ')} sessions at ${TX_MS} ms x ${DETECT_MULT}, ${args.durationS} s per variant (warm-up ${args.warmupS} s), variants ${args.variants.join(', ')}; node ${process.version}, ${availableParallelism()} cores`,
  );
  const stream = buildStream({ messages: 20_000, attributeSets: 2000, seed: 1 });
  // calibrate the unchunked block: messages per block-ms
  const cal = new UpdateLoad(stream);
  cal.decode(20_000);
  let perMs = 0;
  for (let i = 0; i < 3; i++) {
    const tc = performance.now();
    cal.decode(20_000);
    perMs = Math.max(perMs, 20_000 / (performance.now() - tc)); // best of 3: the machine is noisy
  }
  const blockMessages = args.block ?? Math.max(1000, Math.round(perMs * args.blockMs));
  if (args.rcvbuf !== undefined) console.log(`experiment: SO_RCVBUF ${args.rcvbuf} on every UDP socket (dgram.Socket#bind patched)`);
  console.log(`UPDATE decode: ${Math.round(perMs * 1000)} messages/s alone; unchunked block = ${blockMessages} messages (~${(blockMessages / perMs).toFixed(0)} ms); chunked slices <= ${args.chunkMs} ms`);
  const header = '    N variant   downs A/B flapped  p50 ms   p99 ms   max ms >50 ms  A loop p99/max  A cpu% B cpu% kdrops  load pfx/s slice';
  const results: Record<string, Partial<Record<Variant, VariantResult>>> = {};
  for (const n of args.sessions) {
    results[n] = {};
    console.log(header);
    for (const v of args.variants) {
      const r = await runVariant(args, n, v, stream, blockMessages);
      results[n][v] = r;
      console.log(fmtRow(n, v, r) + (v === 'worker' ? `  (main thread loop p99/max ${r.mainEventLoopDelayMs.p99}/${r.mainEventLoopDelayMs.max} ms)` : ''));
      if (r.falseDowns > 0) console.log(`        downs by diag: A ${JSON.stringify(r.a.downsByDiag)} B ${JSON.stringify(r.b.downsByDiag)}; kernel receive-buffer drops ${r.kernelRcvbufDrops}, A dropped ${r.a.droppedPackets}, rx ${r.a.rxPackets}, tx ${r.a.txPackets}`);
    }
  }
  const recommendation = recommend(results);
  console.log(`recommendation: ${recommendation}`);
  console.log(
    JSON.stringify({
      bench: 'bfd',
      node: process.version,
      cores: availableParallelism(),
      txIntervalMs: TX_MS,
      detectMultiplier: DETECT_MULT,
      durationS: args.durationS,
      blockMessages,
      chunkMs: args.chunkMs,
      rcvbuf: args.rcvbuf ?? null,
      maxReceiveSockets: args.maxReceiveSockets ?? null,
      results,
      recommendation,
    }),
  );
}
