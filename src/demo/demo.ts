/**
 * `tsbgp demo` (`npm run demo`): the seed guide's MetalLB BGP-mode cluster and its failover drill
 * on one machine, without root or external daemons. Two ToR routers (tsbgp's own Loc-RIB with
 * multipath, BFD 300 ms x 3) run in this process; three node speakers (`tsbgp speaker`) run as
 * child processes on 127.0.0.21-23. It shows the Service's EXTERNAL-IP, the sessions and each
 * router's ECMP view; then drains node-23 (its endpoint goes unready in the YAML the speakers
 * watch), hard-fails node-22 (SIGSTOP: no packets, no TCP close) with BFD, and repeats that
 * failure without BFD, where only the hold time (9 s by default) finds it.
 *
 * Owns: the temporary directory, the child processes it spawned, the routers, the report.
 * Exit status 0 when every step reached the expected next hops (and BFD beat 1 s), 1 otherwise.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allocateServiceIps, loadMetalLbConfig } from '../metallb/index.js';
import { type CliIo, UsageError } from '../cli/io.js';
import { DEMO_NODES, DEMO_ROUTERS, DEMO_SERVICE_IP, type DemoClusterState, demoClusterYaml } from './demo-config.js';
import { DemoNode } from './demo-node.js';
import { type DrillResult, drillTable, serviceTable, sessionTable } from './demo-report.js';
import { DemoRouter } from './demo-router.js';
import { Timeline, formatMs, formatTimeline } from './timeline.js';

export const DEMO_USAGE = `usage: tsbgp demo [--json] [--hold-time S] [--port N] [--bfd-port N]
  The MetalLB BGP-mode failover drill on loopback (no root): 2 routers, 3 node speakers, Service web.
  --json          one JSON document at the end instead of the live report
  --hold-time S   BGP hold time of the node sessions, 3..60 (default 9; the seed uses 90)
  --port N        BGP port of the routers, 1024..16384 (default 10179)
  --bfd-port N    BFD UDP port, 1024..65535 (default 13784)`;

interface DemoFlags {
  readonly json: boolean;
  readonly holdTimeSec: number;
  readonly bgpPort: number;
  readonly bfdPort: number;
}

function intFlag(v: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`--${name}: expected ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

function parseDemoFlags(argv: string[]): DemoFlags | 'help' {
  let v;
  try {
    v = parseArgs({ args: argv, options: { json: { type: 'boolean', default: false }, 'hold-time': { type: 'string' }, port: { type: 'string' }, 'bfd-port': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (tsbgp demo --help)`);
  }
  if (v.help) return 'help';
  return { json: v.json, holdTimeSec: intFlag(v['hold-time'], 'hold-time', 3, 60, 9), bgpPort: intFlag(v.port, 'port', 1024, 16384, 10179), bfdPort: intFlag(v['bfd-port'], 'bfd-port', 1024, 65535, 13784) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function demoCommand(argv: string[], io: CliIo): Promise<number> {
  const flags = parseDemoFlags(argv);
  if (flags === 'help') {
    io.stdout.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  const out = (s: string): void => {
    if (!flags.json) io.stdout.write(`${s}\n`);
  };
  const timeline = new Timeline();
  const dir = await mkdtemp(join(tmpdir(), 'tsbgp-demo-'));
  const configFile = join(dir, 'cluster.yaml');
  let state: DemoClusterState = { bgpPort: flags.bgpPort, holdTimeSec: flags.holdTimeSec, readyNodes: DEMO_NODES.map((n) => n.name), bfd: true };
  const writeConfig = async (next: DemoClusterState): Promise<void> => {
    state = next;
    // write and rename, as an editor or a ConfigMap update does: the speakers never read half a file
    await writeFile(`${configFile}.tmp`, demoClusterYaml(next));
    await rename(`${configFile}.tmp`, configFile);
  };
  const cli = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/tsbgp.js');
  const routers = DEMO_ROUTERS.map((r) => new DemoRouter({ ...r, bgpPort: flags.bgpPort, bfdPort: flags.bfdPort, holdTimeSec: flags.holdTimeSec, timeline }));
  const nodes = DEMO_NODES.map((n) => new DemoNode({ ...n, configFile, bfdPort: flags.bfdPort, cli, timeline }));
  let aborted = false;
  const offSignal = io.onSignal?.(() => {
    aborted = true;
  });
  const addr = (name: string): string => DEMO_NODES.find((n) => n.name === name)!.address;
  const hopsOk = (want: readonly string[]): boolean => routers.every((r) => r.hops(DEMO_SERVICE_IP).join() === want.map(addr).sort().join());
  /** Polls (every 5 ms, bounded) until `cond`; false on timeout or Ctrl-C. */
  const until = async (cond: () => boolean, timeoutMs: number): Promise<boolean> => {
    const end = timeline.now() + timeoutMs;
    while (!cond()) {
      if (aborted || timeline.now() > end || nodes.some((n) => n.pid === undefined)) return false;
      await sleep(5);
    }
    return true;
  };
  const results: DrillResult[] = [];
  const drill = async (failure: string, detectedBy: string, act: () => Promise<void>, want: string[], timeoutMs: number, detectText?: RegExp): Promise<DrillResult> => {
    const before = routers[0]!.hops(DEMO_SERVICE_IP);
    const from = timeline.entries.length;
    const t0 = timeline.now();
    timeline.add('demo', failure);
    await act();
    const reached = await until(() => hopsOk(want), timeoutMs);
    const fresh = timeline.entries.slice(from);
    const hopEntries = routers.map((r) => [...fresh].reverse().find((e) => e.source === r.name && e.text.startsWith(`${DEMO_SERVICE_IP}/32`)));
    const routeMs = reached && hopEntries.every((e) => e !== undefined) ? Math.max(...hopEntries.map((e) => e!.atMs)) - t0 : undefined;
    const detections = detectText === undefined ? [] : routers.map((r) => fresh.find((e) => e.source === r.name && detectText.test(e.text)));
    const detectedMs = detections.length > 0 && detections.every((e) => e !== undefined) ? Math.max(...detections.map((e) => e!.atMs)) - t0 : undefined;
    const r: DrillResult = { failure, detectedBy, detectedMs, routeMs, hopsBefore: before, hopsAfter: routers[0]!.hops(DEMO_SERVICE_IP), expected: want.map(addr), ok: reached };
    results.push(r);
    return r;
  };
  const showRoutes = (): void => {
    for (const r of routers) out(`  ${r.name}# show ip route ${DEMO_SERVICE_IP}\n  ${r.showIpRoute(DEMO_SERVICE_IP)}`);
  };
  const indent = (s: string): string => s.trimEnd().replace(/^/gm, '  ');
  let ok = false;
  let failure: string | undefined;
  try {
    await writeConfig(state);
    out(`tsbgp demo: the MetalLB BGP-mode cluster of the seed guide on loopback (config: ${configFile})`);
    out(`  routers tor1 127.0.0.11, tor2 127.0.0.12 (AS 65000, multipath); nodes node-21..23 127.0.0.21-23 (AS 65100)`);
    out(`  BGP port ${flags.bgpPort}, BFD port ${flags.bfdPort}, hold time ${flags.holdTimeSec} s (short for the demo; the seed uses 90 s)\n`);
    for (const r of routers) await r.start(true);
    for (const n of nodes) n.start();
    const all = DEMO_NODES.map((n) => n.name);
    const up = await until(() => hopsOk(all) && routers.every((r) => r.sessions().every((s) => s.bgp === 'Established' && s.bfd === 'Up')), 20_000);
    if (!up) throw new Error(`the cluster did not come up within 20 s${nodes.map((n) => (n.stderr === '' ? '' : `\n${n.name}: ${n.stderr.trim()}`)).join('')}`);
    timeline.add('demo', 'cluster up: 3 next hops at both routers, all sessions Established, BFD Up');
    const { config } = loadMetalLbConfig({ text: demoClusterYaml(state), fileName: configFile });
    const alloc = allocateServiceIps(config).assigned.get('default/web');
    out(`1. kubectl get svc web   (the speakers' allocation, MetalLB's rules)`);
    out(indent(serviceTable([{ namespace: 'default', name: 'web', ip: alloc?.ips.join(',') ?? '<pending>', ports: '443/TCP' }])));
    out(`\n2. BGP and BFD sessions, as the routers see them`);
    out(indent(sessionTable(routers.flatMap((r) => r.sessions()))));
    out(`\n3. The routers' view: ECMP over the three nodes with an endpoint`);
    showRoutes();

    out(`\n4. Drain node-23: its endpoint is no longer ready (the YAML changes; the speakers re-read it)`);
    const drain = await drill('node-23 drained (endpoint not ready)', 'speaker withdraws (UPDATE)', () => writeConfig({ ...state, readyNodes: ['node-21', 'node-22'] }), ['node-21', 'node-22'], 10_000);
    out(`  two next hops ${drain.routeMs === undefined ? 'NOT reached' : `after ${formatMs(drain.routeMs)}`} (file written -> both routers updated; includes the speakers' 150 ms file-watch debounce)`);
    showRoutes();

    out(`\n5. Hard-fail node-22: SIGSTOP (no packets, no TCP close), BFD 300 ms x 3`);
    const node22 = nodes[1]!;
    const bfdRun = await drill('node-22 frozen, BFD 300 ms x 3', 'BFD Down (Control Detection Time Expired)', async () => node22.freeze(), ['node-21'], 5_000, /^BFD node-22 Up -> Down/);
    out(`  BFD Down after ${bfdRun.detectedMs === undefined ? '?' : formatMs(bfdRun.detectedMs)}, one next hop after ${bfdRun.routeMs === undefined ? 'NOT reached' : formatMs(bfdRun.routeMs)}`);
    showRoutes();
    timeline.add('demo', 'node-22 thawed (SIGCONT): it reconnects');
    node22.thaw();
    if (!(await until(() => hopsOk(['node-21', 'node-22']), 20_000))) throw new Error('node-22 did not come back within 20 s');

    out(`\n6. The same failure without BFD (bfdProfile removed from the BGPPeers, BFD off at the routers)`);
    const gen = node22.generation;
    await writeConfig({ ...state, bfd: false });
    if (!(await until(() => nodes.every((n) => n.generation > gen), 5_000))) throw new Error('the speakers did not reload the config without BFD');
    for (const r of routers) await r.disableBfd();
    await sleep(300);
    const holdRun = await drill(`node-22 frozen, no BFD`, `hold timer (${flags.holdTimeSec} s)`, async () => node22.freeze(), ['node-21'], flags.holdTimeSec * 1000 + 5_000, /^BGP node-22 Established -> Idle/);
    out(`  hold timer expired after ${holdRun.detectedMs === undefined ? '?' : formatMs(holdRun.detectedMs)}, one next hop after ${holdRun.routeMs === undefined ? 'NOT reached' : formatMs(holdRun.routeMs)}`);
    showRoutes();
    node22.thaw();

    ok = results.every((r) => r.ok) && bfdRun.routeMs !== undefined && bfdRun.routeMs < 1000;
    out(`\n7. The drill`);
    out(indent(drillTable(results)));
    if (bfdRun.routeMs !== undefined && holdRun.routeMs !== undefined) out(`  BFD found the frozen node ${(holdRun.routeMs / bfdRun.routeMs).toFixed(0)}x sooner than the ${flags.holdTimeSec} s hold time (the seed's 90 s would be ~10x longer still).`);
    out(`\nTimeline (s since start)\n${formatTimeline(timeline.entries)}`);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
    io.stderr.write(`tsbgp demo: ${failure}\n`);
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const r of routers) await r.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    offSignal?.();
  }
  if (aborted) failure ??= 'interrupted';
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify({ demo: 'metallb-failover', ok: ok && failure === undefined, error: failure ?? null, serviceIp: DEMO_SERVICE_IP, holdTimeSec: flags.holdTimeSec, bfd: { receiveIntervalMs: 300, transmitIntervalMs: 300, detectMultiplier: 3 }, drill: results, timeline: timeline.entries })}\n`,
    );
  } else {
    out(ok && failure === undefined ? `\nOK: every step converged as expected (${formatMs(timeline.now())} in all).` : `\nFAILED: ${failure ?? 'a step did not converge as expected (see the drill table)'}`);
  }
  return ok && failure === undefined ? 0 : 1;
}
