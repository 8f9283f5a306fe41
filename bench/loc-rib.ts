/**
 * `npm run bench -- locrib [--routes 1000000] [--per-update 800] [--slice 2000] [--no-listeners]`
 *
 * The Loc-RIB of a receiving router taking a full table:
 * 1. peer A: `routes` IPv4 routes (8,192 /24s, the rest /32s), one attribute set, in UPDATEs of
 *    `per-update` prefixes, each encoded and then decoded with the codec (as off the wire) and
 *    applied with `LocRib.applyUpdate` (the decode is outside the timed call).
 * 2. peer B: the same prefixes with a worse path (longer AS_PATH), so every prefix holds two paths.
 * 3. peerDownInSlices(A) in slices of `slice` paths: B's paths take over everywhere.
 * Per phase: us/route (time inside the Loc-RIB calls only, listeners included), the longest single
 * call (ms) and the events fired. Memory: heap + array buffers after a full GC, minus the figure
 * before phase 1, over the routes (phase 2: over the paths). A counting listener is attached to
 * both events unless `--no-listeners` (a router programs its FIB from them). The longest GC pause
 * of each phase is printed beside the longest call: on a full table those are most of it.
 * Ends with one JSON line {"bench":"locrib",...}.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { availableParallelism, cpus } from 'node:os';
import { codecContext } from '../src/bgp/codec/context.js';
import { type UpdateMessage, decodeUpdate, encodeUpdate } from '../src/bgp/codec/update.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import { LocRib } from '../src/rib/loc-rib.js';
import type { PeerDescriptor } from '../src/rib/decision-process.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Args {
  routes: number;
  perUpdate: number;
  slice: number;
  listeners: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { routes: 1_000_000, perUpdate: 800, slice: 2000, listeners: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-listeners') {
      a.listeners = false;
      continue;
    }
    const v = Number(argv[i + 1]);
    if (!Number.isFinite(v) || v < 1) throw new Error(`${argv[i]} needs a number >= 1`);
    if (argv[i] === '--routes') a.routes = Math.floor(v);
    else if (argv[i] === '--per-update') a.perUpdate = Math.floor(v);
    else if (argv[i] === '--slice') a.slice = Math.floor(v);
    else throw new Error(`unknown flag ${argv[i]}`);
    i++;
  }
  return a;
}

const now = (): number => performance.now();

/** GC pauses as the runtime reports them (delivered asynchronously: read after a tick). */
const gcPauses: number[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });

/** The longest GC pause since index `from` (after letting the observer catch up). */
async function longestGc(from: number): Promise<number> {
  await flushGc();
  return gcPauses.slice(from).reduce((a, b) => Math.max(a, b), 0);
}

/** Lets the observer deliver what is pending; returns the index the next phase starts at. */
async function flushGc(): Promise<number> {
  await new Promise((r) => setTimeout(r, 20));
  return gcPauses.length;
}
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function memory(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const TWENTY_FOURS = 8192;

/** Route i as (address, length): 8,192 /24s from 20.0.0.0, then /32s from 100.0.0.0. */
function words(routes: number): number[] {
  const w: number[] = new Array<number>(routes * 2);
  for (let i = 0; i < routes; i++) {
    const slash24 = i < TWENTY_FOURS;
    w[2 * i] = slash24 ? (0x14000000 + i * 256) >>> 0 : (0x64000000 + (i - TWENTY_FOURS)) >>> 0;
    w[2 * i + 1] = slash24 ? 24 : 32;
  }
  return w;
}

function attributes(nextHop: string, asns: number[]): PathAttribute[] {
  return [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ type: 2, asns }] },
    { type: 'NEXT_HOP', nextHop },
    { type: 'MULTI_EXIT_DISC', med: 0 },
    { type: 'COMMUNITIES', communities: [65000 * 65536 + 100] },
  ];
}

/** The whole table as encoded UPDATEs of `per` prefixes. */
function encodeTable(all: number[], per: number, attrs: PathAttribute[]): Uint8Array[] {
  const ctx = codecContext({ external: true });
  const out: Uint8Array[] = [];
  for (let o = 0; o < all.length; o += per * 2) {
    const m: UpdateMessage = { type: 'UPDATE', withdrawn: PrefixList.empty(1), attributes: attrs, nlri: new PrefixList(1, false, all.slice(o, o + per * 2)) };
    out.push(encodeUpdate(m, ctx));
  }
  return out;
}

/** The pre-applyUpdate way (bench/fulltable-peer.ts feedLocRib): one `update` per route. */
function feedPerRoute(rib: LocRib, peer: PeerDescriptor, u: UpdateMessage): void {
  const nh = u.attributes.find((a) => a.type === 'NEXT_HOP');
  const nextHop = [nh!.nextHop];
  const list = u.nlri;
  for (let i = 0; i < list.length; i++) rib.update(peer, { afi: 1, safi: 1, prefix: list.text(i), pathId: list.pathId(i), nextHop, attributes: u.attributes });
}

interface Phase {
  usPerRoute: number;
  seconds: number;
  longestMs: number;
  events: number;
}

function applyAll(rib: LocRib, peer: PeerDescriptor, msgs: Uint8Array[], routes: number, counter: { n: number }): Phase {
  const ctx = codecContext({ external: true });
  const bulk = typeof (rib as { applyUpdate?: unknown }).applyUpdate === 'function';
  let inside = 0;
  let longest = 0;
  const e0 = counter.n;
  for (const bytes of msgs) {
    const u = decodeUpdate(bytes, ctx);
    const t0 = now();
    if (bulk) rib.applyUpdate(peer, u);
    else feedPerRoute(rib, peer, u);
    const dt = now() - t0;
    inside += dt;
    if (dt > longest) longest = dt;
  }
  return { usPerRoute: (inside * 1000) / routes, seconds: inside / 1000, longestMs: longest, events: counter.n - e0 };
}

async function peerDown(rib: LocRib, peer: PeerDescriptor, slice: number, counter: { n: number }): Promise<Phase & { removed: number; slices: number }> {
  const e0 = counter.n;
  const job = rib.peerDownInSlices(peer);
  let inside = 0;
  let longest = 0;
  let slices = 0;
  for (;;) {
    const t0 = now();
    const more = job.step(slice);
    const dt = now() - t0;
    slices++;
    inside += dt;
    if (dt > longest) longest = dt;
    if (!more) break;
    await new Promise((r) => setImmediate(r));
  }
  return { usPerRoute: (inside * 1000) / Math.max(1, job.removed), seconds: inside / 1000, longestMs: longest, events: counter.n - e0, removed: job.removed, slices };
}

export async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(3));
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`locrib bench: ${args.routes} IPv4 routes (${Math.min(TWENTY_FOURS, args.routes)} /24s, rest /32s), ${args.perUpdate} per UPDATE; node ${process.version}, ${availableParallelism()} cores (${cpu})`);
  const a: PeerDescriptor = { peerAddress: '192.0.2.1', peerAs: 65001, localAs: 64512, routerId: '10.0.0.1', ibgp: false };
  const b: PeerDescriptor = { peerAddress: '192.0.2.2', peerAs: 65002, localAs: 64512, routerId: '10.0.0.2', ibgp: false };
  const all = words(args.routes);
  const msgsA = encodeTable(all, args.perUpdate, attributes(a.peerAddress, [65001, 65100, 65200]));
  const msgsB = encodeTable(all, args.perUpdate, attributes(b.peerAddress, [65002, 65300, 65100, 65200]));
  all.length = 0;
  const rib = new LocRib({ maximumPaths: 8 });
  const counter = { n: 0 };
  if (args.listeners) {
    rib.on('bestPathChanged', () => counter.n++);
    rib.on('multipathChanged', () => counter.n++);
  }
  const m0 = memory();

  let g = await flushGc();
  const p1 = applyAll(rib, a, msgsA, args.routes, counter);
  const gc1 = await longestGc(g);
  const m1 = memory();
  const bytes1 = (m1 - m0) / args.routes;
  console.log(`phase 1 (peer A, empty table): ${round(p1.usPerRoute, 3)} us/route (${round(p1.seconds, 3)} s), longest applyUpdate ${round(p1.longestMs)} ms (longest GC pause ${round(gc1)} ms), ${p1.events} events; ${round(bytes1, 1)} B/route; size ${rib.size}`);

  g = await flushGc();
  const p2 = applyAll(rib, b, msgsB, args.routes, counter);
  const gc2 = await longestGc(g);
  const m2 = memory();
  const bytes2 = (m2 - m0) / rib.pathCount;
  console.log(`phase 2 (peer B, worse path):  ${round(p2.usPerRoute, 3)} us/route (${round(p2.seconds, 3)} s), longest applyUpdate ${round(p2.longestMs)} ms (longest GC pause ${round(gc2)} ms), ${p2.events} events; ${round(bytes2, 1)} B/path (${rib.pathCount} paths)`);

  g = await flushGc();
  const p3 = await peerDown(rib, a, args.slice, counter);
  const gc3 = await longestGc(g);
  const m3 = memory();
  const bytes3 = (m3 - m0) / Math.max(1, rib.pathCount);
  console.log(`phase 3 (peerDown A, slices of ${args.slice}): ${round(p3.usPerRoute, 3)} us/route (${round(p3.seconds, 3)} s), longest step ${round(p3.longestMs)} ms (longest GC pause ${round(gc3)} ms) over ${p3.slices} steps, ${p3.events} events; ${p3.removed} removed; ${round(bytes3, 1)} B/route after`);
  const best = rib.routes('100.0.0.5');
  if (best?.best.peerAddress !== b.peerAddress || rib.pathCount !== args.routes) throw new Error(`unexpected final state: ${rib.pathCount} paths, best ${best?.best.peerAddress}`);

  console.log(
    JSON.stringify({
      bench: 'locrib',
      node: process.version,
      routes: args.routes,
      perUpdate: args.perUpdate,
      listeners: args.listeners,
      usPerRoute: { fullTable: round(p1.usPerRoute, 3), secondPeer: round(p2.usPerRoute, 3), peerDown: round(p3.usPerRoute, 3) },
      longestMs: { fullTable: round(p1.longestMs), secondPeer: round(p2.longestMs), peerDown: round(p3.longestMs) },
      longestGcMs: { fullTable: round(gc1), secondPeer: round(gc2), peerDown: round(gc3) },
      bytesPerRoute: { onePeer: round(bytes1, 1), twoPeersPerPath: round(bytes2, 1), afterPeerDown: round(bytes3, 1) },
      events: { fullTable: p1.events, secondPeer: p2.events, peerDown: p3.events },
    }),
  );
}
