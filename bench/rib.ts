/**
 * `npm run bench -- rib [--routes 1000000] [--sets 16] [--churn-s 10] [--churn-rate 100000]`
 *
 * The Adj-RIB-Out at full-table scale (issue 5, benchmarks 1 and 2):
 * 1. set(): `routes` IPv4 /32 advertisements with `sets` distinct attribute sets (MED x
 *    community), stated through beginSet() in batches of 2000 with finish() slices of 100k paths,
 *    as a speaker does to keep the event loop free. Time, and the longest single slice (the first
 *    batch, which runs cold code, reported apart).
 * 2. Memory per route: heap + array buffers after a full GC, minus before, over `routes` (the
 *    input advertisements are generated per batch and dropped, so they are not counted).
 * 3. Packing: drain everything into 4096-octet UPDATEs (and again with ADD-PATH); prefixes/s,
 *    messages, bytes, longest drain call at the session's 64 KiB budget.
 * 4. Receive: the same UPDATEs decoded and applied to an Adj-RIB-In (us/route, B/route).
 * 5. Churn on the full table: `churn-rate` operations/s (half withdraw, half re-announce of
 *    random routes, in 10 ms ticks) for `churn-s` seconds, each tick drained into a loopback TCP
 *    socket; latency from the first call of a tick to the peer's socket having read all of its
 *    bytes (p50 / p99 / max), and whether the rate was sustained.
 * Ends with one JSON line {"bench":"rib",...}. Targets (issue 5): <= 64 B/route, packing >= 15 M
 * prefixes/s.
 */
import { createServer, connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { availableParallelism, cpus } from 'node:os';
import { codecContext } from '../src/bgp/codec/context.js';
import { decodeUpdate } from '../src/bgp/codec/update.js';
import { AdjRibIn } from '../src/rib/adj-rib-in.js';
import { AdjRibOut, type DrainView } from '../src/rib/adj-rib-out.js';
import type { Advertisement } from '../src/rib/advertisement.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Args {
  routes: number;
  sets: number;
  churnS: number;
  churnRate: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { routes: 1_000_000, sets: 16, churnS: 10, churnRate: 100_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < 0) throw new Error(`${argv[i]} needs a number`);
    if (argv[i] === '--routes') a.routes = Math.floor(v);
    else if (argv[i] === '--sets') a.sets = Math.max(1, Math.floor(v));
    else if (argv[i] === '--churn-s') a.churnS = v;
    else if (argv[i] === '--churn-rate') a.churnRate = Math.floor(v);
    else throw new Error(`unknown flag ${argv[i]}`);
  }
  return a;
}

const now = (): number => performance.now();
/** Advertisements per beginSet().add() call: about 2-3 ms each here, well inside the ~10 ms rule. */
const SET_BATCH = 2000;

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Route i: 10.0.0.0 + i as a /32 (an in-memory table; nothing goes on a network but loopback). */
function prefixOf(i: number): string {
  const a = (0x0a000000 + i) >>> 0;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/32`;
}

function advertisement(i: number, sets: number, variant = 0): Advertisement {
  const k = (i + variant) % sets;
  return { prefix: prefixOf(i), med: k, communities: [`65000:${100 + (k % 4)}`] };
}

function view(addPath: boolean): DrainView {
  return {
    localAsn: 65000,
    external: true,
    fourOctetAs: true,
    nextHopSelf4: '198.18.0.1',
    nextHopSelf6: undefined,
    sendContext: codecContext({ external: true, ...(addPath ? { addPath: ['ipv4'] } : {}) }),
    afis: new Set([1]),
  };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function fill(rib: AdjRibOut, args: Args): { seconds: number; maxSliceMs: number; firstSliceMs: number } {
  const t0 = now();
  let maxSlice = 0;
  let firstSlice = -1;
  const job = rib.beginSet();
  for (let i = 0; i < args.routes; i += SET_BATCH) {
    const batch: Advertisement[] = [];
    for (let k = i; k < Math.min(args.routes, i + SET_BATCH); k++) batch.push(advertisement(k, args.sets));
    const s = now();
    job.add(batch);
    // the first batch runs cold code (interpreter, lazy compilation): reported on its own
    if (firstSlice < 0) firstSlice = now() - s;
    else maxSlice = Math.max(maxSlice, now() - s);
  }
  for (;;) {
    const s = now();
    const done = job.finish(100_000);
    maxSlice = Math.max(maxSlice, now() - s);
    if (done) break;
  }
  return { seconds: (now() - t0) / 1000, maxSliceMs: maxSlice, firstSliceMs: Math.max(0, firstSlice) };
}

function pack(rib: AdjRibOut, addPath: boolean): { seconds: number; prefixes: number; messages: number; bytes: number; maxDrainMs: number } {
  const v = view(addPath);
  let prefixes = 0;
  let messages = 0;
  let bytes = 0;
  let maxDrain = 0;
  const t0 = now();
  for (let guard = 0; guard < 1_000_000; guard++) {
    const s = now();
    const r = rib.drain(v, 64 * 1024);
    maxDrain = Math.max(maxDrain, now() - s);
    prefixes += r.announced;
    messages += r.messages.length;
    bytes += r.bytes;
    if (!r.more) break;
  }
  return { seconds: (now() - t0) / 1000, prefixes, messages, bytes, maxDrainMs: maxDrain };
}

/**
 * The receiving side: the table's UPDATEs (drained again after a resync) decoded and applied to an
 * Adj-RIB-In, as a session does. Time per route for decode and for apply, memory per route.
 */
function receive(rib: AdjRibOut, routes: number): { decodeUsPerRoute: number; applyUsPerRoute: number; bytesPerRoute: number; size: number } {
  rib.sessionDown();
  rib.resync();
  const v = view(false);
  const messages: Uint8Array[] = [];
  for (let guard = 0; guard < 1_000_000; guard++) {
    const r = rib.drain(v, 1 << 20);
    for (const m of r.messages) messages.push(m.slice());
    if (!r.more) break;
  }
  const before = memory();
  const inRib = new AdjRibIn();
  let decodeMs = 0;
  let applyMs = 0;
  for (const m of messages) {
    const t0 = now();
    const u = decodeUpdate(m, v.sendContext);
    const t1 = now();
    inRib.apply(u);
    applyMs += now() - t1;
    decodeMs += t1 - t0;
  }
  messages.length = 0;
  const after = memory();
  return { decodeUsPerRoute: round((decodeMs * 1000) / routes, 3), applyUsPerRoute: round((applyMs * 1000) / routes, 3), bytesPerRoute: round((after - before) / routes, 1), size: inRib.size };
}

async function churn(rib: AdjRibOut, args: Args): Promise<Record<string, unknown>> {
  const server = createServer();
  let received = 0;
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  client.setNoDelay(true);
  await new Promise<void>((resolve) => client.once('connect', resolve));
  const peer = await accepted;
  const pending: { until: number; t0: number }[] = [];
  const latencies: number[] = [];
  peer.on('data', (chunk: Buffer) => {
    received += chunk.length;
    const t = now();
    while (pending.length > 0 && pending[0]!.until <= received) latencies.push(t - pending.shift()!.t0);
  });

  const v = view(false);
  const opsPerTick = Math.max(2, Math.round(args.churnRate / 100));
  const ticks = Math.round(args.churnS * 100);
  let sent = 0;
  let ops = 0;
  let behind = 0;
  let rand = 12345;
  const next = (): number => {
    rand = (Math.imul(rand, 1103515245) + 12345) >>> 0;
    return rand % args.routes;
  };
  const start = now();
  for (let tick = 0; tick < ticks; tick++) {
    const due = start + tick * 10;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else behind++;
    const t0 = now();
    const victims: number[] = [];
    for (let k = 0; k < opsPerTick / 2; k++) victims.push(next());
    rib.withdraw(victims.map(prefixOf));
    rib.announce(victims.map((i) => advertisement(i, args.sets, tick)));
    ops += victims.length * 2;
    for (let guard = 0; guard < 1000; guard++) {
      const r = rib.drain(v, 256 * 1024);
      for (const m of r.messages) {
        client.write(m);
        sent += m.length;
      }
      if (!r.more) break;
    }
    pending.push({ until: sent, t0 });
  }
  const elapsed = (now() - start) / 1000;
  for (let i = 0; i < 200 && pending.length > 0; i++) await new Promise((r) => setTimeout(r, 10));
  client.destroy();
  peer.destroy();
  server.close();
  latencies.sort((a, b) => a - b);
  return {
    seconds: round(elapsed),
    opsPerSec: Math.round(ops / elapsed),
    targetOpsPerSec: args.churnRate,
    ticksBehind: behind,
    ticks,
    bytesSent: sent,
    latencyMs: { p50: round(pct(latencies, 50)), p99: round(pct(latencies, 99)), max: round(latencies.at(-1) ?? 0) },
  };
}

export async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(3));
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`rib bench: ${args.routes} IPv4 /32 routes, ${args.sets} attribute sets; node ${process.version}, ${availableParallelism()} cores (${cpu})`);

  const before = memory();
  const rib = new AdjRibOut();
  const filled = fill(rib, args);
  const after = memory();
  const perRoute = (after - before) / args.routes;
  console.log(
    `set():      ${round(filled.seconds, 3)} s (${round(args.routes / filled.seconds / 1e6)} M routes/s), longest slice ${round(filled.maxSliceMs)} ms (the first, cold: ${round(filled.firstSliceMs)} ms); ${rib.attributeSets} attribute sets`,
  );
  console.log(`memory:     ${round(perRoute, 1)} B/route (heap + array buffers; table arrays ${round(rib.tableBytes / args.routes, 1)} B/route)  target <= 64`);

  const p = pack(rib, false);
  console.log(
    `packing:    ${round(p.prefixes / p.seconds / 1e6)} M prefixes/s (${p.prefixes} prefixes in ${p.messages} UPDATEs, ${round(p.bytes / 1e6)} MB, ${round(p.seconds * 1000)} ms; longest 64 KiB drain ${round(p.maxDrainMs)} ms)  target >= 15`,
  );
  rib.sessionDown();
  rib.resync();
  const pa = pack(rib, true);
  console.log(`  ADD-PATH: ${round(pa.prefixes / pa.seconds / 1e6)} M prefixes/s (${pa.messages} UPDATEs, ${round(pa.bytes / 1e6)} MB)`);

  const rx = receive(rib, args.routes);
  console.log(`Adj-RIB-In: ${rx.size} routes received: decode ${rx.decodeUsPerRoute} us/route, apply ${rx.applyUsPerRoute} us/route, ${rx.bytesPerRoute} B/route`);

  let churned: Record<string, unknown> | undefined;
  if (args.churnS > 0) {
    churned = await churn(rib, args);
    const l = churned.latencyMs as { p50: number; p99: number; max: number };
    console.log(
      `churn:      ${churned.opsPerSec} ops/s for ${churned.seconds} s (target ${args.churnRate}; ${churned.ticksBehind}/${churned.ticks} ticks started late) on ${rib.size} routes; call -> peer socket read p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'rib',
      node: process.version,
      cores: availableParallelism(),
      routes: args.routes,
      attributeSets: rib.attributeSets,
      set: { seconds: round(filled.seconds, 3), routesPerSec: Math.round(args.routes / filled.seconds), maxSliceMs: round(filled.maxSliceMs), firstSliceMs: round(filled.firstSliceMs) },
      bytesPerRoute: round(perRoute, 1),
      tableBytesPerRoute: round(rib.tableBytes / args.routes, 1),
      packing: { prefixesPerSec: Math.round(p.prefixes / p.seconds), messages: p.messages, bytes: p.bytes, ms: round(p.seconds * 1000), maxDrainMs: round(p.maxDrainMs) },
      packingAddPath: { prefixesPerSec: Math.round(pa.prefixes / pa.seconds), messages: pa.messages, bytes: pa.bytes },
      adjRibIn: rx,
      churn: churned ?? null,
    }),
  );
}
