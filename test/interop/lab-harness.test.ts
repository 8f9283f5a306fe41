/**
 * Self-test of the interop harness (test/helpers/lab*.ts), independent of tsbgp: each daemon in
 * rtr runs with the session-interop config the tsbgp tests use, and a known-good BGP speaker
 * (BIRD, in n1, impersonating the tsbgp eBGP peer 198.18.1.11 / AS 65001) stands in for tsbgp.
 * So this file checks the daemon configs and every harness query against real daemons: session
 * state, routes with their attributes in both directions and both families (IPv6 over the IPv4
 * session), the shutdown communication as each daemon shows it, graceful-restart staleness, the
 * route-refresh and admin-down commands, and freezing by PID. When a tsbgp session test fails,
 * this file tells whether the harness or tsbgp is at fault.
 *
 * Needs root and the lab packages (skips otherwise; fails on CI). Own lab: tag "harness".
 * Runs by default only while `tsbgp session` does not exist; afterwards with TSBGP_LAB_SELFTEST=1.
 */
import t, { type Test } from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { Lab, daemonAvailable, labAvailable, requireOrSkip, waitFor, sleep } from '../helpers/lab.js';
import {
  type BirdDaemon,
  type DaemonKind,
  type ExabgpDaemon,
  type LabDaemon,
  DAEMON,
  DAEMON_ROUTES,
  PEERS,
  createDaemon,
  packageVersion,
  waitEstablished,
  waitLearned,
  waitNotEstablished,
  waitReady,
} from '../helpers/lab-daemons.js';
import { parseBirdLogShutdown, parseBirdProtocol, parseBirdRoutes } from '../helpers/lab-parse.js';
import { tsbgpSessionAvailable } from '../helpers/lab-tsbgp.js';

const KINDS: readonly DaemonKind[] = ['frr', 'bird', 'gobgp', 'exabgp', 'openbgpd'];
const N1 = PEERS.ebgp;

/** Routes the stand-in announces (what tsbgp announces in the session tests). */
const STANDIN_V4 = { prefix: '203.0.113.5/32', med: 15, communities: ['65001:5'], large: ['65001:5:5'], asPath: [65001, 65001, 65001] };
const STANDIN_V6 = { prefix: '2001:db8:200::/48', med: 16, communities: ['65001:6'], large: ['65001:6:6'], asPath: [65001] };

/** BIRD in n1 as a stand-in for tsbgp's eBGP role. */
function standinConfig(): string {
  return `# harness self-test: BIRD in n1 standing in for tsbgp (AS ${N1.asn})
router id ${N1.routerId};
log stderr all;
protocol device { scan time 10; }
protocol static S4 { ipv4; route ${STANDIN_V4.prefix} blackhole; }
protocol static S6 { ipv6; route ${STANDIN_V6.prefix} blackhole; }
filter out4 { if proto != "S4" then reject; bgp_med = ${STANDIN_V4.med}; bgp_community.add((65001,5)); bgp_large_community.add((65001,5,5)); bgp_path.prepend(65001); bgp_path.prepend(65001); accept; }
filter out6 { if proto != "S6" then reject; bgp_med = ${STANDIN_V6.med}; bgp_community.add((65001,6)); bgp_large_community.add((65001,6,6)); accept; }
protocol bgp rtr {
  local ${N1.address} as ${N1.asn}; neighbor ${DAEMON.v4} as 65000;
  hold time 9; keepalive time 3; connect retry time 1; connect delay time 1; error wait time 1, 2;
  graceful restart on;
  ipv4 { import all; export filter out4; next hop self; };
  ipv6 { import all; export filter out6; next hop address ${N1.address6}; };
}
`;
}

class Standin {
  readonly lab: Lab;
  readonly conf: string;
  constructor(lab: Lab) {
    this.lab = lab;
    this.conf = `${lab.confDir}/standin-bird-n1.conf`;
  }
  async start(): Promise<void> {
    writeFileSync(this.conf, standinConfig());
    await this.lab.scriptOk('bird.sh', ['start', 'n1', this.conf]);
  }
  stop(): Promise<string> {
    return this.lab.scriptOk('bird.sh', ['stop', 'n1']);
  }
  birdc(...args: string[]): Promise<string> {
    return this.lab.scriptOk('bird.sh', ['cli', 'n1', ...args]);
  }
  async protocol(): Promise<ReturnType<typeof parseBirdProtocol>> {
    return parseBirdProtocol(await this.birdc('show', 'protocols', 'all', 'rtr'), 'rtr');
  }
  async routes(table: 'master4' | 'master6'): Promise<ReturnType<typeof parseBirdRoutes>> {
    return parseBirdRoutes(await this.birdc('show', 'route', 'all', 'table', table));
  }
  /** SIGKILL by the PID bird.sh recorded (the kernel closes its TCP session: a restart for the peer). */
  crash(): void {
    const pid = this.lab.recordedPid('n1-bird');
    if (pid === undefined) throw new Error('stand-in BIRD not running');
    process.kill(pid, 'SIGKILL');
  }
}

const reason = labAvailable();
/**
 * Once `tsbgp session` exists, test/interop/session-*.test.ts exercise every harness function
 * against the same daemons, so this ~45 s self-test only runs on request (TSBGP_LAB_SELFTEST=1),
 * e.g. to tell a harness or daemon problem from a tsbgp one; before that it is the lab's only check.
 */
const optIn = tsbgpSessionAvailable() === undefined && process.env['TSBGP_LAB_SELFTEST'] !== '1'
  ? 'the tsbgp session suites cover the harness now; TSBGP_LAB_SELFTEST=1 runs this self-test'
  : undefined;
if (optIn !== undefined) {
  t.test('interop harness self-test', { skip: optIn }, async () => {});
} else if (requireOrSkip(t, 'interop harness self-test', reason)) {
  const lab = await Lab.open(t, 'harness');
  for (const kind of KINDS) {
    const missing = daemonAvailable(kind);
    if (!requireOrSkip(t, `${kind} harness`, missing)) continue;
    await t.test(`${kind}: harness against a BIRD stand-in for tsbgp`, (t) => harnessChecks(t, lab, kind));
  }
}

async function harnessChecks(t: Test, lab: Lab, kind: DaemonKind): Promise<void> {
  const d: LabDaemon = createDaemon(kind, lab);
  const standin = new Standin(lab);
  t.comment(`${d.label} ${await packageVersion(d.packageName)}`);
  await d.start();
  t.teardown(async () => {
    d.thaw();
    await standin.stop().catch(() => undefined);
    await d.stop();
  });

  // every configured neighbor parses, nobody is there yet
  for (const p of d.peers) {
    const n = await waitReady(d, p.address, 15_000);
    t.notOk(n.established, `${p.role} (${p.address}): ${n.state}, ready for a session`);
  }

  await standin.start();
  await waitEstablished(d, N1.address, 20_000);
  t.pass(`${d.label} Established with the stand-in`);

  // routes stand-in -> daemon, as the daemon shows them
  const v4 = await waitLearned(d, 'ipv4', STANDIN_V4.prefix, N1.address);
  t.match(v4, { nextHop: N1.address, asPath: STANDIN_V4.asPath, med: STANDIN_V4.med, communities: STANDIN_V4.communities, largeCommunities: STANDIN_V4.large, origin: 'IGP' }, 'IPv4 route with attributes');
  const v6 = await waitLearned(d, 'ipv6', STANDIN_V6.prefix, N1.address);
  t.match(v6, { nextHop: N1.address6, asPath: STANDIN_V6.asPath, med: STANDIN_V6.med, communities: STANDIN_V6.communities, largeCommunities: STANDIN_V6.large }, 'IPv6 route (MP-BGP over the IPv4 session)');

  // routes daemon -> stand-in: checks the daemon config (both families, attributes, next hops)
  for (const r of DAEMON_ROUTES) {
    const table = r.afi === 'ipv4' ? 'master4' : 'master6';
    const got = await waitFor(`stand-in has ${r.prefix}`, async () => (await standin.routes(table)).find((x) => x.prefix === r.prefix && x.protocol === 'rtr'), { timeoutMs: 10_000 });
    t.match(got, { nextHop: r.nextHop, asPath: [65000], communities: [...r.communities], largeCommunities: [...r.largeCommunities], ...(r.med === undefined ? {} : { med: r.med }) }, `${d.label} sends ${r.prefix} as configured`);
  }

  // ROUTE-REFRESH from the daemon: the session survives it
  if (d.requestRefresh !== undefined) {
    await d.requestRefresh(N1.address);
    await sleep(500);
    t.ok((await d.neighbor(N1.address)).established, 'still Established after the daemon sent ROUTE-REFRESH');
  }

  // shutdown communication stand-in -> daemon
  const msg = `harness: stand-in shutdown (${kind})`;
  await standin.birdc('disable', 'rtr', JSON.stringify(msg));
  await waitNotEstablished(d, N1.address, 10_000);
  if (kind === 'exabgp') {
    // ExaBGP 4.2.21 cannot decode a Cease carrying a shutdown communication (it answers 1/0)
    const log = (d as ExabgpDaemon).apiLog();
    t.match(log.downReason.get(N1.address) ?? '', /can not decode|notification/i, `ExaBGP quirk: ${log.downReason.get(N1.address)}`);
  } else {
    t.equal(await waitFor('shutdown message', () => d.lastShutdownMessage(N1.address), { timeoutMs: 5_000 }), msg, `${d.label} shows the received shutdown communication`);
  }
  await standin.birdc('enable', 'rtr');
  await waitEstablished(d, N1.address, 20_000);

  // graceful restart: crash the stand-in, the daemon keeps its routes (stale) where it is a helper
  if (kind === 'frr' || kind === 'bird' || kind === 'gobgp') {
    await waitLearned(d, 'ipv4', STANDIN_V4.prefix, N1.address);
    standin.crash();
    await waitNotEstablished(d, N1.address, 10_000);
    const kept = await waitLearned(d, 'ipv4', STANDIN_V4.prefix, N1.address, () => true, 3_000);
    if (kind === 'bird') {
      t.ok((await (d as BirdDaemon).protocol(N1.address)).gracefulRestartActive, 'BIRD: "Neighbor graceful restart active"');
      t.pass(`BIRD keeps ${kept.prefix} (BIRD 2.0.12 does not mark stale routes in show route)`);
    } else {
      t.equal(kept.stale, true, `${d.label} keeps ${kept.prefix}, marked stale`);
    }
    await standin.start();
    await waitEstablished(d, N1.address, 20_000);
    await waitLearned(d, 'ipv4', STANDIN_V4.prefix, N1.address, (r) => r.stale !== true, 10_000);
    t.pass('route fresh again after the stand-in came back');
  }

  // admin shutdown daemon -> stand-in, with a shutdown communication
  if (d.adminDown !== undefined) {
    const down = `harness: ${kind} admin down`;
    await d.adminDown(N1.address, down);
    const got = await waitFor('stand-in logs the NOTIFICATION', () => parseBirdLogShutdown(lab.logTail('n1-bird', 20_000), 'rtr'), { timeoutMs: 10_000 });
    t.same(got, { subcode: 'shutdown', message: down }, `stand-in received "${down}"`);
    await d.adminUp(N1.address);
    await waitEstablished(d, N1.address, 20_000);
  }

  // freeze / thaw by PID
  const pids = await d.freeze();
  t.ok(pids.length > 0 && pids.every((pid) => /^\S+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))), `frozen: ${pids.join(', ')}`);
  d.thaw();
  t.ok(pids.every((pid) => !/^\S+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))), 'thawed');
  t.ok((await d.neighbor(N1.address)).established, 'session survived a short freeze');
}
