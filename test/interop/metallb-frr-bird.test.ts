/**
 * The MetalLB seed against real routers: FRR 8.4 and BIRD 2.0 as the two ToRs, three tsbgp
 * speakers (`tsbgp speaker`, MetalLB BGP mode) in three node namespaces running the seed's YAML
 * (test/helpers/metallb-lab.ts `seedYaml`: pool 203.0.113.0/24, BGPPeers tor1 198.18.0.1 and tor2
 * 198.18.0.2, myASN 65100, peerASN 65000, BFDProfile 300 ms x 3, community 65000:100, Service
 * web; holdTime 90s as the seed's tor1, so only BFD can drop a frozen node fast). Topology and
 * daemons: test/helpers/lab-metallb.ts, configs scripts/lab/conf/metallb/.
 *
 *  a. Local, ready endpoints on node-21 and node-22 only (node-23's is not ready, as in the seed's
 *     verification): FRR's `show ip route IP/32 json` is selected + installed with next hops
 *     exactly {.21, .22}; `show bgp ipv4 unicast IP/32 json` has the paths with community
 *     65000:100; BIRD's `show route IP/32 all` has the two routes (community too) and the kernel
 *     route in tor2 (merge paths) the same two next hops.
 *  b. cluster.yaml rewritten (temp file + rename, as an editor does) with externalTrafficPolicy
 *     Cluster: all three next hops on both routers; back to Local: two again. No session was reset
 *     (no peerState leaving Established in any speaker; FRR's connectionsDropped unchanged).
 *  c. SIGSTOP node-22's speaker (its own PID): FRR's route loses .22 in < 1 s (polled every
 *     ~50 ms) and `show bfd peer 198.18.0.22 json` says down; BIRD drops it too (its BFD 300 ms x
 *     3). SIGCONT: both routers back to {.21, .22} (bounded).
 *  d. SIGTERM the speakers: exit 0, FRR logs Cease/Administrative Shutdown from each node, BIRD's
 *     sessions end with "Received: Administrative shutdown" (the speaker sends its Cease before
 *     BFD AdminDown: BIRD 2.0.12 takes an AdminDown it reads first as "BFD session down"). The
 *     daemons, speakers and namespaces go at the end even when an assertion failed.
 *
 * FRR's drop in c is timed from zebra's own log (`debug zebra rib`, ms timestamps) and checked
 * against the polls that bracket it: polling alone overstates it by up to one poll (~50-100 ms),
 * while the BFD detection time after a freeze is 600-900 ms.
 *
 * Needs root, FRR (with bfdd) and BIRD (skips otherwise, fails on CI) and the built CLI.
 * Namespaces tsbi-mlb-*, run dir /tmp/tsbgp-interop/metallb (logs kept there).
 */
import t from 'tap';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonAvailable, labAvailable, requireOrSkip, run, runOk, sleep, waitFor } from '../helpers/lab.js';
import { seedYaml } from '../helpers/metallb-lab.js';
import { TSBGP_BIN } from '../helpers/lab-tsbgp.js';
import { frrRibNextHops } from '../helpers/lab-router.js';
import { parseBirdRoutes, type BirdRoute } from '../helpers/lab-parse.js';
import { frrBfdStateChanges, frrNotifications, parseFrrLog } from '../helpers/lab-bgp-bfd.js';
import { packageVersion } from '../helpers/lab-daemons.js';
import { parseBirdBfdSessions } from '../helpers/lab-bfd.js';
import { MLB_RUN_DIR, MetalLbTopology, NODES, SpeakerProcess, Tor1Frr, Tor2Bird, eventWall, tsbgpSpeakerAvailable, type NodeName } from '../helpers/lab-metallb.js';

/** The requirement: FRR drops a frozen node's next hop within this. */
const DROP_BOUND_MS = 1_000;
/**
 * Bound for the first poll that sees the drop: the drop itself is timed from the daemons' logs
 * (ms timestamps); a poll adds up to one interval plus its own duration (vtysh: 20-80 ms).
 */
const POLL_BOUND_MS = 1_500;
/** Poll interval (start to start) of FRR's and tor2's routes while a node is frozen. */
const POLL_MS = 50;
/** The seed, with node-23's endpoint not ready (the seed's verification shows two next hops). */
const READY: readonly NodeName[] = ['node-21', 'node-22'];
const HOLD_TIME = '90s';
const COMMUNITY = '65000:100';

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const addrsOf = (nodes: readonly NodeName[]): string[] => sorted(nodes.map((n) => NODES[n]));
const LOCAL_HOPS = addrsOf(READY);
const CLUSTER_HOPS = addrsOf(Object.keys(NODES) as NodeName[]);

const WHAT = 'MetalLB speakers with FRR and BIRD as the ToRs';
const missing = labAvailable() ?? daemonAvailable('frr') ?? daemonAvailable('bird') ?? (existsSync('/usr/lib/frr/bfdd') ? undefined : 'frr: /usr/lib/frr/bfdd missing');
if (requireOrSkip(t, WHAT, missing)) {
  const cli = tsbgpSpeakerAvailable();
  if (cli !== undefined) {
    if (process.env.CI) t.fail(`${WHAT}: ${cli}`);
    else t.test(WHAT, { skip: cli }, async () => {});
  } else {
    await suite();
  }
}

async function suite(): Promise<void> {
  const tStart = Date.now();
  const topo = await MetalLbTopology.open(t);
  const configFile = join(MLB_RUN_DIR, 'cluster.yaml');
  /** Writes cluster.yaml as an editor does: a temp file renamed over it. */
  const writeConfig = (policy: 'Local' | 'Cluster'): void => {
    mkdirSync(MLB_RUN_DIR, { recursive: true });
    const tmp = `${configFile}.tmp`;
    writeFileSync(tmp, seedYaml({ policy, ready: READY, holdTime: HOLD_TIME }));
    renameSync(tmp, configFile);
  };
  /** web's IP as `tsbgp allocate` computes it from cluster.yaml (the speakers use the same allocator). */
  const allocatedIp = async (): Promise<string | undefined> => {
    const out = JSON.parse(await runOk(process.execPath, [TSBGP_BIN, 'allocate', '--config', configFile, '--json'], { timeoutMs: 20_000 })) as { services: { namespace: string; name: string; externalIPs: string[] }[] };
    return out.services.find((s) => s.namespace === 'default' && s.name === 'web')?.externalIPs[0];
  };
  writeConfig('Local');
  const ip = await allocatedIp();
  if (ip === undefined) throw new Error('tsbgp allocate gave default/web no IP');
  const prefix = `${ip}/32`;

  const frr = new Tor1Frr(topo);
  const bird = new Tor2Bird(topo);
  await frr.start();
  topo.onClose('FRR tor1', () => frr.stop());
  await bird.start();
  topo.onClose('BIRD tor2', () => bird.stop());
  t.comment(`FRR ${await packageVersion('frr')} in ${topo.ns('tor1')}, BIRD ${await packageVersion('bird2')} in ${topo.ns('tor2')}; web = ${ip} (tsbgp allocate); run dir ${MLB_RUN_DIR}; lab + daemons up in ${Date.now() - tStart} ms`);

  const nodes = Object.keys(NODES) as NodeName[];
  const tSpeakers = Date.now();
  // no --node-address: the kernel picks each session's source; the router ID must be given then
  const speakers = Object.fromEntries(nodes.map((n) => [n, SpeakerProcess.start(topo, n, configFile, ['--router-id', NODES[n]])])) as Record<NodeName, SpeakerProcess>;
  const all = nodes.map((n) => speakers[n]);

  // ---- readers ------------------------------------------------------------------------------
  const frrHops = async (): Promise<string[]> => frrRibNextHops(await frr.json(`show ip route ${prefix} json`), prefix);
  /** BIRD's routes for the /32 (`show route P all`; none when it answers "Network not found"). */
  const birdRoutes = async (): Promise<BirdRoute[]> => {
    const r = await run('birdc', ['-s', bird.socket, 'show', 'route', prefix, 'all'], { timeoutMs: 10_000 });
    if (r.stdout.includes('Network not found')) return [];
    if (r.code !== 0) throw new Error(`birdc show route ${prefix} all: exit ${r.code ?? r.signal}: ${r.stdout}${r.stderr}`);
    return parseBirdRoutes(r.stdout);
  };
  const birdHops = async (): Promise<string[]> => sorted((await birdRoutes()).map((r) => r.nextHop ?? '?'));
  const kernelHops = (): Promise<string[]> => bird.kernelNextHops(prefix);
  /** Waits until FRR's RIB, BIRD's routes and tor2's kernel route all have exactly `hops`. */
  const routersShow = async (hops: readonly string[], timeoutMs: number): Promise<number> => {
    const t0 = Date.now();
    const want = JSON.stringify(hops);
    let last = '';
    try {
      await waitFor(`both routers with next hops ${want}`, async () => {
        const [f, b, k] = await Promise.all([frrHops(), birdHops(), kernelHops()]);
        last = `FRR ${JSON.stringify(f)}, BIRD ${JSON.stringify(b)}, tor2 kernel ${JSON.stringify(k)}`;
        return JSON.stringify(f) === want && JSON.stringify(b) === want && JSON.stringify(k) === want;
      }, { timeoutMs, intervalMs: 100 });
    } catch (e) {
      throw new Error(`${(e as Error).message}\nlast: ${last}`);
    }
    return Date.now() - t0;
  };
  /** peerState events leaving Established from index `since` of each speaker. */
  const resets = (marks: readonly number[]): string[] =>
    all.flatMap((s, i) => s.eventsOf('peerState', marks[i]).filter((e) => e['from'] === 'Established').map((e) => `${s.node} ${String(e['peer'])}: Established -> ${String(e['to'])} (${String(e['reason'])})`));
  /** Each speaker's event timeline (ms from `t0`), for failure output and comments. */
  const timeline = (t0: number, marks?: readonly number[]): string =>
    all
      .map((s, i) => {
        const lines = s.events
          .slice(marks?.[i] ?? 0)
          .filter((e) => ['peerState', 'bfdState', 'bfdTeardown', 'announcements', 'applied', 'configRejected', 'error'].includes(e.event))
          .map((e) => {
            const { event, time, recvWall, ...rest } = e;
            void time, void recvWall;
            return `  ${String(eventWall(e) - t0).padStart(6)} ms ${event} ${JSON.stringify(rest).slice(0, 240)}`;
          });
        return `${s.node}:${lines.length === 0 ? ' (nothing)' : `\n${lines.join('\n')}`}`;
      })
      .join('\n');
  const describeAll = async (): Promise<string> => `${all.map((s) => s.describe(12)).join('\n')}\n${await frr.describe(prefix)}\n${await bird.describe(prefix)}`;
  /** Runs `fn`; on failure prints the speakers', FRR's and BIRD's state before rethrowing. */
  const explain = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      t.comment(await describeAll());
      throw e;
    }
  };
  /** Every speaker has both peers Established and BFD Up (its snapshot), FRR and BIRD have every node Established. */
  const allUp = async (timeoutMs: number): Promise<void> => {
    await waitFor('every speaker: tor1 and tor2 Established, BFD Up', async () => {
      for (const s of all) {
        const snap = await s.snapshot();
        const peers = (snap['peers'] ?? []) as { peer: string; state: string; bfd?: { state?: string } }[];
        if (peers.length !== 2 || !peers.every((p) => p.state === 'Established' && p.bfd?.state === 'Up')) return false;
      }
      const n = await frr.neighbors();
      if (!Object.values(NODES).every((a) => n[a]?.state === 'Established')) return false;
      for (const node of nodes) if (!(await bird.protocolLine(node)).includes('Established')) return false;
      return true;
    }, { timeoutMs, intervalMs: 200 });
  };

  await t.test('a. Local: ECMP over exactly the nodes with ready endpoints', (t) =>
    explain(async () => {
      await allUp(30_000);
      const upMs = Date.now() - tSpeakers;
      const routeMs = await routersShow(LOCAL_HOPS, 15_000);
      t.comment(`all sessions Established + BFD Up ${upMs} ms after the speakers started; routers showed ${JSON.stringify(LOCAL_HOPS)} ${routeMs} ms later`);
      t.comment(`startup timeline (ms from the speakers' start):\n${timeline(tSpeakers)}`);

      const entry = await frr.ribEntry(prefix);
      t.equal(entry?.['protocol'], 'bgp', `FRR: ${prefix} from bgp`);
      t.equal(entry?.['selected'], true, 'FRR: selected');
      t.equal(entry?.['installed'], true, 'FRR: installed');
      t.same(await frrHops(), LOCAL_HOPS, `FRR show ip route ${prefix}: next hops ${LOCAL_HOPS.join(', ')}`);
      const bgp = (await frr.json(`show bgp ipv4 unicast ${prefix} json`)) as { paths?: Record<string, unknown>[] };
      const paths = bgp.paths ?? [];
      const pathHops = sorted(paths.map((p) => String((p['nexthops'] as { ip?: string }[] | undefined)?.[0]?.ip)));
      t.same(pathHops, LOCAL_HOPS, 'FRR BGP: one path per announcing node');
      for (const p of paths) {
        const nh = String((p['nexthops'] as { ip?: string }[] | undefined)?.[0]?.ip);
        t.match(String((p['community'] as { string?: string } | undefined)?.string), new RegExp(`(^| )${COMMUNITY}( |$)`), `FRR BGP: path via ${nh} carries community ${COMMUNITY}`);
        t.same((p['aspath'] as { string?: string } | undefined)?.string, '65100', `FRR BGP: path via ${nh} AS_PATH 65100`);
      }
      t.equal(paths.filter((p) => p['multipath'] === true || (p['bestpath'] as { overall?: boolean } | undefined)?.overall === true).length, 2, 'FRR BGP: both paths best or multipath');

      const br = await birdRoutes();
      t.same(sorted(br.map((r) => r.nextHop ?? '?')), LOCAL_HOPS, `BIRD show route ${prefix} all: next hops ${LOCAL_HOPS.join(', ')}`);
      t.same(sorted(br.map((r) => r.protocol)), ['node_21', 'node_22'], 'BIRD: one route from each of node_21, node_22');
      for (const r of br) t.ok(r.communities.includes(COMMUNITY), `BIRD: route via ${r.nextHop} carries ${COMMUNITY} (${r.communities.join(' ')})`);
      t.same(await kernelHops(), LOCAL_HOPS, `tor2 kernel route (merge paths): next hops ${LOCAL_HOPS.join(', ')}`);
      for (const s of all) {
        const st = s.eventsOf('serviceStatus').at(-1);
        t.match(st, { service: 'default/web', ips: [ip], status: s.node === 'node-23' ? 'noLocalEndpoints' : 'announced' }, `${s.node}: serviceStatus ${String(st?.['status'])}`);
      }
    }),
  );

  await t.test('b. Cluster announces from every node, Local again from two; no session reset', (t) =>
    explain(async () => {
      const marks = all.map((s) => s.mark());
      const frrBefore = await frr.neighbors();
      /** BIRD's `show protocols` line per node: state and the time it entered it (Since). */
      const birdSessions = async (): Promise<string[]> => Promise.all(nodes.map(async (n) => (await bird.protocolLine(n)).split(/\s+/).slice(3, 6).join(' ')));
      const birdBefore = await birdSessions();
      const t0 = Date.now();
      writeConfig('Cluster');
      for (const [i, s] of all.entries()) await s.waitFor('applied (Cluster)', (e) => e.event === 'applied', 10_000, marks[i]);
      const appliedMs = Date.now() - t0;
      await routersShow(CLUSTER_HOPS, 10_000);
      t.comment(`Cluster: every speaker applied it ${appliedMs} ms after the rename, both routers showed ${JSON.stringify(CLUSTER_HOPS)} ${Date.now() - t0} ms after it`);
      t.pass(`Cluster: FRR, BIRD and tor2's kernel route have next hops ${CLUSTER_HOPS.join(', ')}`);
      t.match(speakers['node-23'].eventsOf('serviceStatus', marks[2]).at(-1), { service: 'default/web', ips: [ip], status: 'announced' }, 'node-23: announced under Cluster');
      t.equal(await allocatedIp(), ip, 'Cluster: the Service keeps its IP (tsbgp allocate)');

      const marks2 = all.map((s) => s.mark());
      const t1 = Date.now();
      writeConfig('Local');
      for (const [i, s] of all.entries()) await s.waitFor('applied (Local)', (e) => e.event === 'applied', 10_000, marks2[i]);
      const applied2Ms = Date.now() - t1;
      await routersShow(LOCAL_HOPS, 10_000);
      t.comment(`Local again: every speaker applied it ${applied2Ms} ms after the rename, both routers showed ${JSON.stringify(LOCAL_HOPS)} ${Date.now() - t1} ms after it`);
      t.pass(`Local: FRR, BIRD and tor2's kernel route have next hops ${LOCAL_HOPS.join(', ')}`);
      t.match(speakers['node-23'].eventsOf('serviceStatus', marks2[2]).at(-1), { service: 'default/web', status: 'noLocalEndpoints' }, 'node-23: noLocalEndpoints under Local');

      t.comment(`speakers during the changes (ms from the first rename):\n${timeline(t0, marks)}`);
      t.same(resets(marks), [], 'no speaker session left Established during the policy changes');
      for (const [i, s] of all.entries()) {
        const applied = s.eventsOf('applied', marks[i]);
        t.ok(applied.every((a) => (a['peersReset'] as unknown[] | undefined)?.length === 0 && (a['peersRemoved'] as unknown[] | undefined)?.length === 0), `${s.node}: every reload kept both peers (${applied.map((a) => JSON.stringify({ kept: a['peersKept'], reset: a['peersReset'] })).join(' ')})`);
      }
      const frrAfter = await frr.neighbors();
      for (const a of Object.values(NODES)) t.same({ state: frrAfter[a]?.state, dropped: frrAfter[a]?.dropped }, { state: 'Established', dropped: frrBefore[a]?.dropped }, `FRR: ${a} stayed Established, connectionsDropped unchanged (${frrBefore[a]?.dropped})`);
      t.same(await birdSessions(), birdBefore, `BIRD: node_21..23 still up since the same moment (${birdBefore.join(' | ')})`);
    }),
  );

  await t.test('c. node-22 frozen: FRR drops it in < 1 s (BFD), BIRD too; back after SIGCONT', (t) =>
    explain(async () => {
      const frozen = speakers['node-22'];
      const addr = NODES['node-22'];
      const rest = LOCAL_HOPS.filter((a) => a !== addr);
      await allUp(30_000);
      await routersShow(LOCAL_HOPS, 10_000);
      const bfdPeer = async (): Promise<Record<string, unknown>> => (await frr.json(`show bfd peer ${addr} json`)) as Record<string, unknown>;
      t.equal((await bfdPeer())['status'], 'up', `FRR show bfd peer ${addr}: up before the freeze`);
      const bfdMark = frrBfdStateChanges(frr.bfddLog(), addr).length;
      const marks = all.map((s) => s.mark());

      /**
       * Polls `probe` (one poll starts every POLL_MS, or when the previous one ended if it took
       * longer) until it is true. The change happened between `lastNotMs` (start of the last poll
       * that did not see it) and `seenMs` (end of the first that did), both ms from t0.
       */
      const pollUntil = async (desc: string, t0: number, probe: () => Promise<boolean>, timeoutMs: number): Promise<{ seenMs: number; lastNotMs: number; polls: number; maxPollMs: number }> => {
        let lastNot = 0;
        let maxPollMs = 0;
        const maxTries = Math.ceil(timeoutMs / POLL_MS) + 1;
        for (let i = 0; i < maxTries; i++) {
          const started = performance.now() - t0;
          const seen = await probe();
          const ended = performance.now() - t0;
          maxPollMs = Math.max(maxPollMs, ended - started);
          if (seen) return { seenMs: ended, lastNotMs: lastNot, polls: i + 1, maxPollMs };
          lastNot = started;
          if (ended > timeoutMs) break;
          await sleep(Math.max(0, POLL_MS - (ended - started)));
        }
        throw new Error(`timeout after ${timeoutMs} ms: ${desc}`);
      };

      const wall0 = Date.now();
      const t0 = performance.now();
      frozen.signal('SIGSTOP');
      let frrDrop: Awaited<ReturnType<typeof pollUntil>>;
      let birdDrop: Awaited<ReturnType<typeof pollUntil>>;
      let frrAfter: string[] = [];
      let kernelAfter: string[] = [];
      try {
        [frrDrop, birdDrop] = await Promise.all([
          pollUntil(`FRR drops ${addr} from ${prefix}`, t0, async () => {
            frrAfter = await frrHops();
            return !frrAfter.includes(addr);
          }, 5_000),
          pollUntil(`tor2's kernel route drops ${addr}`, t0, async () => {
            kernelAfter = await kernelHops();
            return !kernelAfter.includes(addr);
          }, 5_000),
        ]);
      } catch (e) {
        frozen.signal('SIGCONT');
        throw e;
      }
      const bfdDown = await bfdPeer();
      const birdAfter = await birdHops();
      const birdProto = await bird.protocolLine('node-22');
      const birdBfd = parseBirdBfdSessions(await bird.birdc('show', 'bfd', 'sessions')).find((x) => x.address === addr);
      const frrBfd = frrBfdStateChanges(frr.bfddLog(), addr).slice(bfdMark).find((c) => c.from === 'up');
      const frrNote = frrNotifications(frr.bgpdLog(), addr).find((n) => n.sent && n.wall >= wall0);
      // zebra (`debug zebra rib`): the RIB entry of the /32 replaced by BGP's, now without node-22
      const zebraUpdate = parseFrrLog(frr.zebraLog()).find((l) => l.wall >= wall0 && l.text.includes(`${prefix}: Updating route`));
      const zebraMs = zebraUpdate === undefined ? Number.NaN : zebraUpdate.wall - wall0;
      const birdExpiredMsOf = (l: { wall: number } | undefined): number => (l === undefined ? Number.NaN : l.wall - wall0);
      // BIRD logs with ms in the same local-time format FRR uses, except for '-' in the date
      const birdExpired = parseFrrLog(bird.log().replace(/^(\d{4})-(\d{2})-(\d{2}) /gm, '$1/$2/$3 ')).find((l) => l.wall >= wall0 && l.text.includes(`Session to ${addr} expired`));
      t.comment(
        `SIGSTOP node-22 (pid ${frozen.pid}) at t0:\n` +
          `  FRR: zebra updated ${prefix} (without ${addr}) at ${zebraMs.toFixed(0)} ms (log); route without ${addr} seen by polling at ${frrDrop.seenMs.toFixed(0)} ms (the last poll that still had it started at ${frrDrop.lastNotMs.toFixed(0)} ms; ${frrDrop.polls} polls, longest ${frrDrop.maxPollMs.toFixed(0)} ms); ` +
          `bfdd log: ${frrBfd === undefined ? '?' : `up -> ${frrBfd.to} at ${(frrBfd.wall - wall0).toFixed(0)} ms (${frrBfd.reason})`}, bgpd log: NOTIFICATION ${frrNote === undefined ? '?' : `${frrNote.code}/${frrNote.subcode} (${frrNote.name}) sent at ${(frrNote.wall - wall0).toFixed(0)} ms`}\n` +
          `  BIRD: tor2 kernel route without ${addr} seen at ${birdDrop.seenMs.toFixed(0)} ms (last with it ${birdDrop.lastNotMs.toFixed(0)} ms; ${birdDrop.polls} polls, longest ${birdDrop.maxPollMs.toFixed(0)} ms); ` +
          `log: BFD session expired at ${birdExpiredMsOf(birdExpired).toFixed(0)} ms; protocol: ${birdProto}`,
      );
      t.ok(zebraMs < DROP_BOUND_MS, `FRR dropped node-22 from ${prefix} ${zebraMs.toFixed(0)} ms after the freeze (zebra's log) < ${DROP_BOUND_MS} ms`);
      t.ok(frrDrop.lastNotMs < DROP_BOUND_MS, `FRR polling: no poll started at or after ${DROP_BOUND_MS} ms still had ${addr} (last at ${frrDrop.lastNotMs.toFixed(0)} ms)`);
      t.ok(frrDrop.seenMs < POLL_BOUND_MS, `FRR polling: ${prefix} without ${addr} seen at ${frrDrop.seenMs.toFixed(0)} ms < ${POLL_BOUND_MS} ms`);
      t.ok(zebraMs <= frrDrop.seenMs + 20 && zebraMs >= frrDrop.lastNotMs - 20, `zebra's log time lies between the polls (${frrDrop.lastNotMs.toFixed(0)} .. ${frrDrop.seenMs.toFixed(0)} ms)`);
      t.same(frrAfter, rest, `FRR: next hops now ${rest.join(', ')}`);
      t.equal(bfdDown['status'], 'down', `FRR show bfd peer ${addr}: down (${String(bfdDown['diagnostic'])})`);
      t.match(frrBfd, { to: 'down', reason: 'control-expired' }, 'FRR bfdd: down by detection time expiry');
      t.match(frrNote, { code: 6, subcode: 10 }, 'FRR bgpd: sent Cease/BFD Down');
      t.ok(birdExpiredMsOf(birdExpired) < DROP_BOUND_MS, `BIRD: BFD session to ${addr} expired ${birdExpiredMsOf(birdExpired).toFixed(0)} ms after the freeze (its log) < ${DROP_BOUND_MS} ms`);
      t.ok(birdDrop.seenMs < POLL_BOUND_MS, `BIRD: tor2's kernel route without ${addr} seen at ${birdDrop.seenMs.toFixed(0)} ms < ${POLL_BOUND_MS} ms`);
      t.same(kernelAfter, rest, `tor2 kernel: next hops now ${rest.join(', ')}`);
      t.same(birdAfter, rest, `BIRD show route: next hops now ${rest.join(', ')}`);
      t.match(birdProto, /BFD session down/, 'BIRD: node_22 went down for BFD');
      t.not(birdBfd?.state, 'Up', `BIRD show bfd sessions: ${addr} ${String(birdBfd?.state)}`);

      frozen.signal('SIGCONT');
      const t1 = Date.now();
      const backMs = await routersShow(LOCAL_HOPS, 30_000);
      await allUp(30_000);
      t.comment(`SIGCONT: both routers back to ${JSON.stringify(LOCAL_HOPS)} after ${Date.now() - t1} ms (${backMs} ms polling)\nspeakers from SIGSTOP:\n${timeline(wall0, marks)}`);
      t.pass('after SIGCONT: both routers have node-21 and node-22 again');
      t.same(resets(marks).filter((r) => !r.startsWith('node-22 ')), [], 'only node-22 lost its sessions');
    }),
  );

  await t.test('d. SIGTERM: speakers send Cease and exit 0', (t) =>
    explain(async () => {
      const wall0 = Date.now();
      const exits = await Promise.all(all.map((s) => s.stop()));
      for (const [i, s] of all.entries()) {
        t.same(exits[i], { code: 0, signal: null }, `${s.node}: exit 0`);
        t.same(s.strayStdout, [], `${s.node}: stdout was JSON lines only`);
        t.ok(s.eventsOf('shutdown').length === 1, `${s.node}: shutdown event`);
      }
      for (const node of nodes) {
        const a = NODES[node];
        const note = await waitFor(`FRR logs a NOTIFICATION from ${a}`, () => frrNotifications(frr.bgpdLog(), a).find((n) => !n.sent && n.wall >= wall0 - 1000), { timeoutMs: 5_000, intervalMs: 100 });
        t.match(note, { code: 6, subcode: 2 }, `FRR: Cease/Administrative Shutdown received from ${node}`);
        const line = await waitFor(`BIRD ${node} not Established`, async () => {
          const l = await bird.protocolLine(node);
          return l.includes('Established') ? undefined : l;
        }, { timeoutMs: 5_000, intervalMs: 100 });
        t.pass(`BIRD ${node}: session ended (${line.replace(/\s+/g, ' ')})`);
        // Cease before BFD AdminDown: BIRD 2.0.12 would record "Error: BFD session down" otherwise
        t.match(line, /Received: Administrative shutdown/, `BIRD ${node}: ended by the speaker's Cease`);
      }
      t.comment(`whole scenario ${Date.now() - tStart} ms`);
    }),
  );
}
