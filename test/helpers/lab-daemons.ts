/**
 * Interop lab harness, daemon part: the five BGP daemons in namespace `rtr` (AS 65000), each
 * configured to peer with tsbgp running in the node namespaces, behind one `LabDaemon` interface.
 *
 * Owns: the session-interop peering plan (`PEERS`: which tsbgp role runs in which node, with which
 * AS, timers and password), the routes every daemon announces (`DAEMON_ROUTES`), the config
 * generators for FRR, BIRD, GoBGP, ExaBGP and OpenBGPD (written to $RUN/conf; also used by
 * scripts/lab/session-conf.ts for manual runs), starting/stopping each daemon through the lab's
 * scripts (frr.sh, bird.sh, ...), querying the daemon's own CLI (JSON where it has it) and
 * freezing/thawing it by recorded PID (SIGSTOP/SIGCONT).
 * Must not touch: processes it did not start (PIDs come from the lab's pid files only), anything
 * outside the lab's namespaces and run dir.
 *
 * Peering plan (every daemon, same addresses; the daemon connects out as well as listening, so
 * tsbgp can be tested as the active and as the passive side):
 *
 *   role  node  tsbgp address   tsbgp AS  daemon timers        used for
 *   ebgp  n1    198.18.1.11     65001     hold 9 / keepalive 3  active, passive, routes, shutdown,
 *                                                               route refresh, graceful restart
 *   ibgp  n2    198.18.1.12     65000     hold 9 / keepalive 3  LOCAL_PREF, iBGP AS_PATH
 *   hold  n3    198.18.1.13     65003     hold 3 / keepalive 1  hold timer expiry (daemon frozen)
 *   md5   n4    198.18.1.14     65004     hold 9 / keepalive 3  TCP-MD5 (FRR only)
 *
 * Daemon quirks this file works around (details in scripts/lab/README.md):
 *  - FRR: `no bgp ebgp-requires-policy`; `timers connect 1`; runs as user frr (frr.sh).
 *  - BIRD: explicit import/export (RFC 8212); `connect delay time 1`, `error wait time 1, 2`
 *    (defaults 5 s and 60-300 s would stall the tests after every NOTIFICATION); iBGP needs
 *    `direct` and `gateway direct` in the channels (there is no IGP table); IPv6 over an IPv4
 *    session needs `next hop address`.
 *  - GoBGP: routes only through the CLI (`origin igp`); after a session it stays IDLE for a fixed
 *    5 s and then connects out only after 5-10 s (nothing in the config shortens either).
 *  - ExaBGP: listens only with exabgp.tcp.bind set; received routes only through an API process.
 *  - OpenBGPD: `allow from/to any`; on Linux it sends ::1 as the IPv6 next hop over an IPv4 eBGP
 *    session, so eBGP neighbors are `multihop 2` with `set nexthop no-modify` for inet6 and the
 *    IPv6 networks carry `nexthop 2001:db8:1::1`; it idles 30 s (doubling) after a NOTIFICATION,
 *    so `kick` runs `bgpctl neighbor X up`; it forks (parent, session engine, RDE), so freezing
 *    it stops the children too.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Lab, type LabNode, NODE_ADDR, LAB_SCRIPTS, run, runOk, waitFor, childPids, signalPid, pidAlive, pidState } from './lab.js';
import {
  type LabRoute,
  type NeighborInfo,
  parseFrrNeighbor,
  parseFrrTable,
  parseFrrPrefixDetail,
  parseBirdProtocol,
  parseBirdRoutes,
  parseBirdLogShutdown,
  parseGobgpNeighbor,
  parseGobgpRib,
  parseGobgpLogShutdown,
  parseOpenbgpdNeighbor,
  parseOpenbgpdRib,
  parseExabgpSummary,
  exabgpNeighborInfo,
  ExabgpApiLog,
} from './lab-parse.js';

export type DaemonKind = 'frr' | 'bird' | 'gobgp' | 'exabgp' | 'openbgpd';
export type Afi = 'ipv4' | 'ipv6';

/** The daemon's AS and addresses (namespace rtr). */
export const DAEMON_ASN = 65000;
export const DAEMON = NODE_ADDR.rtr;

export type PeerRole = 'ebgp' | 'ibgp' | 'hold' | 'md5';

/** One tsbgp peer as the daemon sees it. */
export interface TsbgpPeer {
  readonly role: PeerRole;
  readonly node: LabNode;
  readonly address: string;
  readonly address6: string;
  readonly routerId: string;
  readonly asn: number;
  /** Hold time / keepalive the DAEMON offers (s). */
  readonly holdTime: number;
  readonly keepalive: number;
  /** TCP-MD5 password the daemon requires. */
  readonly password?: string;
}

const peer = (role: PeerRole, node: LabNode, asn: number, holdTime: number, keepalive: number, password?: string): TsbgpPeer => ({
  role,
  node,
  address: NODE_ADDR[node].v4,
  address6: NODE_ADDR[node].v6,
  routerId: NODE_ADDR[node].routerId,
  asn,
  holdTime,
  keepalive,
  ...(password === undefined ? {} : { password }),
});

/** The peering plan (see the module comment). */
export const PEERS: Readonly<Record<PeerRole, TsbgpPeer>> = {
  ebgp: peer('ebgp', 'n1', 65001, 9, 3),
  ibgp: peer('ibgp', 'n2', 65000, 9, 3),
  hold: peer('hold', 'n3', 65003, 3, 1),
  md5: peer('md5', 'n4', 65004, 9, 3, 'tsbgp-interop-md5'),
};

/** A route every daemon announces to every tsbgp peer. */
export interface DaemonRoute {
  readonly prefix: string;
  readonly afi: Afi;
  /** Next hop the daemon is configured to send (IPv6 routes: its global address). */
  readonly nextHop: string;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  /** MULTI_EXIT_DISC; undefined = the daemon's default (FRR and OpenBGPD send 0, others none). */
  readonly med?: number;
  /** LOCAL_PREF, sent to iBGP peers only. */
  readonly localPref?: number;
}

export const DAEMON_ROUTES: readonly DaemonRoute[] = [
  { prefix: '203.0.113.192/26', afi: 'ipv4', nextHop: DAEMON.v4, communities: ['65000:100'], largeCommunities: ['65000:1:2'], med: 50, localPref: 300 },
  { prefix: '203.0.113.224/27', afi: 'ipv4', nextHop: DAEMON.v4, communities: [], largeCommunities: [] },
  { prefix: '2001:db8:100::/48', afi: 'ipv6', nextHop: DAEMON.v6, communities: ['65000:600'], largeCommunities: ['65000:6:6'], med: 60, localPref: 300 },
  { prefix: '2001:db8:101::/48', afi: 'ipv6', nextHop: DAEMON.v6, communities: [], largeCommunities: [] },
];

/** FRR dynamic neighbors (`bgp listen range`): any address in `range`, any eBGP AS. */
export interface DynamicPeers {
  /** e.g. 198.18.1.0/24 */
  readonly range: string;
  readonly holdTime: number;
  readonly keepalive: number;
}

/** What a generated configuration contains. */
export interface SessionConfigOptions {
  /** tsbgp peers to configure. Default: `defaultPeers(kind)` (ebgp, ibgp, hold; FRR also md5). */
  peers?: readonly TsbgpPeer[];
  /**
   * FRR only: accept sessions from any address of a range as dynamic neighbors. A dynamic
   * neighbor is deleted when its session ends, so a new session is accepted at once (no Idle
   * back-off in between): the flap soak uses it.
   */
  dynamic?: DynamicPeers;
  /** Run dir holding the ExaBGP API log (ExaBGP only). */
  runDir?: string;
}

/** Peers configured by default for a daemon kind (md5 only where the tests use it). */
export function defaultPeers(kind: DaemonKind): TsbgpPeer[] {
  return kind === 'frr' ? [PEERS.ebgp, PEERS.ibgp, PEERS.hold, PEERS.md5] : [PEERS.ebgp, PEERS.ibgp, PEERS.hold];
}

const isIbgp = (p: TsbgpPeer): boolean => p.asn === DAEMON_ASN;
const lines = (...ls: (string | false | undefined)[]): string => `${ls.filter((l): l is string => typeof l === 'string').join('\n')}\n`;

// ------------------------------------------------------------------------------------------------
// config generators (facts from each daemon's manual; no third-party config copied)

/** FRR: { 'zebra.conf', 'bgpd.conf' } */
export function frrConfig(opts: SessionConfigOptions = {}): Record<string, string> {
  const peers = opts.peers ?? defaultPeers('frr');
  const attrs = (r: DaemonRoute, name: string): string[] => [
    `route-map ${name} permit 10`,
    ...r.communities.map((c) => ` set community ${c}`),
    ...r.largeCommunities.map((c) => ` set large-community ${c}`),
    ...(r.med === undefined ? [] : [` set metric ${r.med}`]),
    ...(r.localPref === undefined ? [] : [` set local-preference ${r.localPref}`]),
    '!',
  ];
  const withAttrs = DAEMON_ROUTES.filter((r) => r.communities.length > 0);
  const bgpd = lines(
    '! tsbgp session interop: FRR in rtr (AS 65000), generated by test/helpers/lab-daemons.ts',
    'hostname rtr',
    '!',
    ...withAttrs.flatMap((r, i) => attrs(r, `ATTRS-${i}`)),
    '! only our own routes go out (nothing learned from one tsbgp peer reaches another)',
    'bgp as-path access-list LOCAL-ONLY seq 5 permit ^$',
    'route-map LOCAL-ONLY permit 10',
    ' match as-path LOCAL-ONLY',
    '!',
    `router bgp ${DAEMON_ASN}`,
    ` bgp router-id ${DAEMON.routerId}`,
    ' no bgp ebgp-requires-policy',
    ' no bgp network import-check',
    ' bgp graceful-restart',
    ' bgp graceful-restart restart-time 120',
    ' bgp graceful-restart stalepath-time 300',
    ...(opts.dynamic === undefined
      ? []
      : [
          ' neighbor DYNAMIC peer-group',
          ' neighbor DYNAMIC remote-as external',
          ` neighbor DYNAMIC timers ${opts.dynamic.keepalive} ${opts.dynamic.holdTime}`,
          ' neighbor DYNAMIC advertisement-interval 0',
          ` bgp listen range ${opts.dynamic.range} peer-group DYNAMIC`,
        ]),
    ...peers.flatMap((p) => [
      ` neighbor ${p.address} remote-as ${p.asn}`,
      ` neighbor ${p.address} description tsbgp-${p.role}`,
      ` neighbor ${p.address} timers ${p.keepalive} ${p.holdTime}`,
      ` neighbor ${p.address} timers connect 1`,
      ` neighbor ${p.address} advertisement-interval 0`,
      ...(p.password === undefined ? [] : [` neighbor ${p.address} password ${p.password}`]),
    ]),
    ' !',
    ' address-family ipv4 unicast',
    ...DAEMON_ROUTES.filter((r) => r.afi === 'ipv4').map((r) => `  network ${r.prefix}${withAttrs.includes(r) ? ` route-map ATTRS-${withAttrs.indexOf(r)}` : ''}`),
    ...peers.map((p) => `  neighbor ${p.address} route-map LOCAL-ONLY out`),
    ...(opts.dynamic === undefined ? [] : ['  neighbor DYNAMIC route-map LOCAL-ONLY out']),
    ' exit-address-family',
    ' !',
    ' address-family ipv6 unicast',
    ...DAEMON_ROUTES.filter((r) => r.afi === 'ipv6').map((r) => `  network ${r.prefix}${withAttrs.includes(r) ? ` route-map ATTRS-${withAttrs.indexOf(r)}` : ''}`),
    ...peers.flatMap((p) => [`  neighbor ${p.address} activate`, `  neighbor ${p.address} route-map LOCAL-ONLY out`]),
    ...(opts.dynamic === undefined ? [] : ['  neighbor DYNAMIC activate', '  neighbor DYNAMIC route-map LOCAL-ONLY out']),
    ' exit-address-family',
    '!',
  );
  return { 'zebra.conf': lines('! zebra for the session interop tests', 'hostname rtr', '!'), 'bgpd.conf': bgpd };
}

/** BIRD protocol name for a peer. */
export const birdProtocol = (p: TsbgpPeer): string => `tsbgp_${p.node}`;

/** BIRD 2: bird.conf */
export function birdConfig(opts: SessionConfigOptions = {}): string {
  const peers = opts.peers ?? defaultPeers('bird');
  const filter = (afi: Afi): string[] => {
    const proto = afi === 'ipv4' ? 'S4' : 'S6';
    return [
      `filter tsbgp_out_${afi} {`,
      `    if proto != "${proto}" then reject;`,
      ...DAEMON_ROUTES.filter((r) => r.afi === afi && r.communities.length > 0).flatMap((r) => [
        `    if net = ${r.prefix} then {`,
        ...(r.med === undefined ? [] : [`        bgp_med = ${r.med};`]),
        ...(r.localPref === undefined ? [] : [`        bgp_local_pref = ${r.localPref};`]),
        ...r.communities.map((c) => `        bgp_community.add((${c.replace(':', ',')}));`),
        ...r.largeCommunities.map((c) => `        bgp_large_community.add((${c.replace(/:/g, ',')}));`),
        '    }',
      ]),
      '    accept;',
      '}',
    ];
  };
  return lines(
    '# tsbgp session interop: BIRD 2 in rtr (AS 65000), generated by test/helpers/lab-daemons.ts',
    `router id ${DAEMON.routerId};`,
    'log stderr all;',
    'protocol device { scan time 10; }',
    `protocol static S4 { ipv4; ${DAEMON_ROUTES.filter((r) => r.afi === 'ipv4').map((r) => `route ${r.prefix} blackhole;`).join(' ')} }`,
    `protocol static S6 { ipv6; ${DAEMON_ROUTES.filter((r) => r.afi === 'ipv6').map((r) => `route ${r.prefix} blackhole;`).join(' ')} }`,
    ...filter('ipv4'),
    ...filter('ipv6'),
    ...peers.flatMap((p) => [
      `protocol bgp ${birdProtocol(p)} {`,
      `    description "tsbgp ${p.role}";`,
      `    local ${DAEMON.v4} as ${DAEMON_ASN};`,
      `    neighbor ${p.address} as ${p.asn};`,
      ...(isIbgp(p) ? ['    direct;'] : []),
      `    hold time ${p.holdTime}; keepalive time ${p.keepalive};`,
      '    connect delay time 1; connect retry time 1; error wait time 1, 2;',
      '    graceful restart on; graceful restart time 120;',
      ...(p.password === undefined ? [] : [`    password "${p.password}";`]),
      // iBGP resolves next hops recursively by default, and there is no IGP table here
      `    ipv4 { import all; export filter tsbgp_out_ipv4; next hop self;${isIbgp(p) ? ' gateway direct;' : ''} };`,
      `    ipv6 { import all; export filter tsbgp_out_ipv6; next hop address ${DAEMON.v6};${isIbgp(p) ? ' gateway direct;' : ''} };`,
      '}',
    ]),
  );
}

/** GoBGP: gobgpd.toml (routes are added with the CLI, see `gobgpRouteArgs`). */
export function gobgpConfig(opts: SessionConfigOptions = {}): string {
  const peers = opts.peers ?? defaultPeers('gobgp');
  return lines(
    '# tsbgp session interop: gobgpd in rtr (AS 65000), generated by test/helpers/lab-daemons.ts',
    '[global.config]',
    `  as = ${DAEMON_ASN}`,
    `  router-id = "${DAEMON.routerId}"`,
    '  port = 179',
    `  local-address-list = ["${DAEMON.v4}"]`,
    ...peers.flatMap((p) => [
      '',
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = "${p.address}"`,
      `    peer-as = ${p.asn}`,
      `    description = "tsbgp-${p.role}"`,
      ...(p.password === undefined ? [] : [`    auth-password = "${p.password}"`]),
      '  [neighbors.timers.config]',
      '    connect-retry = 1',
      `    hold-time = ${p.holdTime}`,
      `    keepalive-interval = ${p.keepalive}`,
      '  [neighbors.transport.config]',
      `    local-address = "${DAEMON.v4}"`,
      '  [neighbors.graceful-restart.config]',
      '    enabled = true',
      '    restart-time = 120',
      ...(['ipv4-unicast', 'ipv6-unicast'] as const).flatMap((f) => [
        '  [[neighbors.afi-safis]]',
        '    [neighbors.afi-safis.config]',
        `      afi-safi-name = "${f}"`,
        '    [neighbors.afi-safis.mp-graceful-restart.config]',
        '      enabled = true',
      ]),
    ]),
  );
}

/** `gobgp global rib add ...` argument lists that install DAEMON_ROUTES. */
export function gobgpRouteArgs(): string[][] {
  return DAEMON_ROUTES.map((r) => [
    'global', 'rib', 'add', '-a', r.afi, r.prefix, 'origin', 'igp',
    ...(r.afi === 'ipv6' ? ['nexthop', r.nextHop] : []),
    ...(r.med === undefined ? [] : ['med', String(r.med)]),
    ...(r.localPref === undefined ? [] : ['local-pref', String(r.localPref)]),
    ...(r.communities.length === 0 ? [] : ['community', r.communities.join(',')]),
    ...(r.largeCommunities.length === 0 ? [] : ['large-community', r.largeCommunities.join(',')]),
  ]);
}

/** File the ExaBGP API process appends its JSON lines to. */
export const exabgpApiLogFile = (runDir: string): string => join(runDir, 'exabgp-api.jsonl');

/** ExaBGP 4.2: exabgp.conf */
export function exabgpConfig(opts: SessionConfigOptions = {}): string {
  const peers = opts.peers ?? defaultPeers('exabgp');
  const runDir = opts.runDir ?? '/tmp/tsbgp-lab';
  const route = (r: DaemonRoute, ibgp: boolean): string =>
    [
      `        route ${r.prefix} next-hop ${r.afi === 'ipv4' ? 'self' : r.nextHop}`,
      ...(r.med === undefined ? [] : [`med ${r.med}`]),
      ...(ibgp && r.localPref !== undefined ? [`local-preference ${r.localPref}`] : []),
      ...(r.communities.length === 0 ? [] : [`community [ ${r.communities.join(' ')} ]`]),
      ...(r.largeCommunities.length === 0 ? [] : [`large-community [ ${r.largeCommunities.join(' ')} ]`]),
    ].join(' ') + ';';
  return lines(
    '# tsbgp session interop: ExaBGP 4.2 in rtr (AS 65000), generated by test/helpers/lab-daemons.ts',
    '# Received messages reach the tests through the API process (one JSON object per line).',
    'process recorder {',
    `    run ${join(LAB_SCRIPTS, 'exabgp-api-recorder.sh')} ${exabgpApiLogFile(runDir)};`,
    '    encoder json;',
    '}',
    ...peers.flatMap((p) => [
      `neighbor ${p.address} {`,
      `    description "tsbgp-${p.role}";`,
      `    router-id ${DAEMON.routerId};`,
      `    local-address ${DAEMON.v4};`,
      `    local-as ${DAEMON_ASN};`,
      `    peer-as ${p.asn};`,
      `    hold-time ${p.holdTime};`,
      ...(p.password === undefined ? [] : [`    md5-password "${p.password}";`]),
      '    capability {',
      '        route-refresh;',
      '        graceful-restart 120;',
      '    }',
      '    family {',
      '        ipv4 unicast;',
      '        ipv6 unicast;',
      '    }',
      '    api {',
      '        processes [ recorder ];',
      '        neighbor-changes;',
      '        receive { parsed; update; notification; refresh; }',
      '    }',
      '    static {',
      ...DAEMON_ROUTES.map((r) => route(r, isIbgp(p))),
      '    }',
      '}',
    ]),
  );
}

/** OpenBGPD 7.7: bgpd.conf (the control socket comes from -D ctlsock=..., see openbgpd.sh). */
export function openbgpdConfig(opts: SessionConfigOptions = {}): string {
  const peers = opts.peers ?? defaultPeers('openbgpd');
  const set = (r: DaemonRoute): string => {
    const parts = [
      ...(r.afi === 'ipv6' ? [`nexthop ${r.nextHop}`] : []),
      ...r.communities.map((c) => `community ${c}`),
      ...r.largeCommunities.map((c) => `large-community ${c}`),
      ...(r.med === undefined ? [] : [`med ${r.med}`]),
      ...(r.localPref === undefined ? [] : [`localpref ${r.localPref}`]),
    ];
    return parts.length === 0 ? '' : ` set { ${parts.join(' ')} }`;
  };
  return lines(
    '# tsbgp session interop: OpenBGPD in rtr (AS 65000), generated by test/helpers/lab-daemons.ts',
    `AS ${DAEMON_ASN}`,
    `router-id ${DAEMON.routerId}`,
    `listen on ${DAEMON.v4}`,
    'fib-update no',
    'socket $ctlsock',
    'connect-retry 1',
    ...DAEMON_ROUTES.map((r) => `network ${r.prefix}${set(r)}`),
    ...peers.flatMap((p) => [
      `neighbor ${p.address} {`,
      `    remote-as ${p.asn}`,
      `    descr "tsbgp-${p.role}"`,
      `    local-address ${DAEMON.v4}`,
      `    holdtime ${p.holdTime}`,
      '    holdtime min 3',
      // see the module comment: the only way to send a usable IPv6 next hop over an IPv4 eBGP session
      ...(isIbgp(p) ? [] : ['    multihop 2']),
      '    announce IPv4 unicast',
      '    announce IPv6 unicast',
      '    announce refresh yes',
      '    announce enhanced refresh yes',
      ...(p.password === undefined ? [] : [`    tcp md5sig password ${p.password}`]),
      '}',
    ]),
    'allow from any',
    'allow to any',
    ...peers.filter((p) => !isIbgp(p)).map((p) => `match to ${p.address} inet6 set nexthop no-modify`),
  );
}

// ------------------------------------------------------------------------------------------------
// the daemons

/** What every daemon wrapper offers the tests. */
export interface LabDaemon {
  readonly kind: DaemonKind;
  /** Human name, e.g. "FRR". */
  readonly label: string;
  /** Debian package whose version is reported. */
  readonly packageName: string;
  readonly peers: readonly TsbgpPeer[];
  /** Writes the config and starts the daemon in rtr (through scripts/lab/<daemon>.sh). */
  start(): Promise<void>;
  stop(): Promise<void>;
  neighbor(addr: string): Promise<NeighborInfo>;
  /** Every path of the daemon's RIB for one family (learned ones have `peer`). */
  routes(afi: Afi): Promise<LabRoute[]>;
  /** The RFC 9003 shutdown communication the daemon last received from `addr`, as it shows it. */
  lastShutdownMessage(addr: string): Promise<string | undefined>;
  /** Makes the daemon send ROUTE-REFRESH to `addr` (undefined: the daemon cannot). */
  readonly requestRefresh?: (addr: string) => Promise<void>;
  /**
   * Administratively shuts the session down: NOTIFICATION Cease/Administrative Shutdown with
   * `message` as RFC 9003 shutdown communication. Undefined when the daemon cannot send one.
   */
  readonly adminDown?: (addr: string, message: string) => Promise<void>;
  /** Undoes `adminDown`. */
  adminUp(addr: string): Promise<void>;
  /**
   * Gets the neighbor out of a back-off that would refuse or delay the next session (called by
   * `waitReady` when the neighbor is not ready). Undefined when the daemon needs none.
   */
  readonly kick?: (addr: string) => Promise<void>;
  /** SIGSTOP every process of the daemon that speaks BGP (waits until they are stopped); returns the PIDs. */
  freeze(): Promise<number[]>;
  /** SIGCONT what `freeze` stopped. */
  thaw(): void;
  /** Tail of the daemon's log, for failure messages. */
  logTail(): string;
}

abstract class BaseDaemon implements LabDaemon {
  abstract readonly kind: DaemonKind;
  abstract readonly label: string;
  abstract readonly packageName: string;
  readonly lab: Lab;
  readonly peers: readonly TsbgpPeer[];
  #frozen: number[] = [];

  constructor(lab: Lab, peers?: readonly TsbgpPeer[]) {
    this.lab = lab;
    this.peers = peers ?? [];
    // a frozen daemon must never outlive a failed test: thaw before down.sh stops it
    lab.onClose(`thaw daemon`, () => this.thaw());
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract neighbor(addr: string): Promise<NeighborInfo>;
  abstract routes(afi: Afi): Promise<LabRoute[]>;
  abstract lastShutdownMessage(addr: string): Promise<string | undefined>;
  abstract adminUp(addr: string): Promise<void>;
  /** Names of the lab pid files of the BGP process(es). */
  protected abstract readonly pidNames: readonly string[];
  protected abstract readonly logName: string;
  /** Whether children of the recorded PIDs must be frozen too (forking daemons). */
  protected readonly freezeChildren: boolean = false;

  async freeze(): Promise<number[]> {
    const pids: number[] = [];
    for (const name of this.pidNames) {
      const pid = this.lab.recordedPid(name);
      if (pid === undefined) throw new Error(`${this.label}: no running process recorded as ${name}`);
      pids.push(pid);
      if (this.freezeChildren) pids.push(...childPids(pid));
    }
    for (const pid of pids) if (signalPid(pid, 'SIGSTOP')) this.#frozen.push(pid);
    // the signal is delivered asynchronously: wait (bounded) until every PID shows state T
    await waitFor(`${this.label} stopped (${pids.join(', ')})`, () => pids.every((pid) => pidState(pid) === 'T'), { timeoutMs: 3_000, intervalMs: 20 });
    return pids;
  }

  thaw(): void {
    for (const pid of this.#frozen.splice(0)) if (pidAlive(pid)) signalPid(pid, 'SIGCONT');
  }

  logTail(): string {
    return this.lab.logTail(this.logName);
  }

  protected writeConf(name: string, text: string): string {
    mkdirSync(this.lab.confDir, { recursive: true });
    const f = join(this.lab.confDir, name);
    writeFileSync(f, text);
    return f;
  }
}

/** FRR 8.4 (zebra + bgpd), queried with vtysh JSON. */
export class FrrDaemon extends BaseDaemon {
  readonly kind = 'frr';
  readonly label = 'FRR';
  readonly packageName = 'frr';
  protected readonly pidNames = ['rtr-bgpd'];
  protected readonly logName = 'rtr-bgpd';

  readonly dynamic: DynamicPeers | undefined;

  constructor(lab: Lab, peers: readonly TsbgpPeer[] = defaultPeers('frr'), dynamic?: DynamicPeers) {
    super(lab, peers);
    this.dynamic = dynamic;
  }

  get #vtySocketDir(): string {
    return join(this.lab.runDir, 'state', 'frr-rtr');
  }

  async start(): Promise<void> {
    const dir = join(this.lab.confDir, 'frr-rtr');
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(frrConfig({ peers: this.peers, ...(this.dynamic === undefined ? {} : { dynamic: this.dynamic }) }))) writeFileSync(join(dir, f), text);
    await this.lab.scriptOk('frr.sh', ['start', 'rtr', dir]);
  }

  async stop(): Promise<void> {
    await this.lab.scriptOk('frr.sh', ['stop', 'rtr']);
  }

  /** Runs vtysh commands (each `-c`), returns stdout. */
  vtysh(...commands: string[]): Promise<string> {
    return runOk('vtysh', ['--vty_socket', this.#vtySocketDir, ...commands.flatMap((c) => ['-c', c])], { timeoutMs: 10_000 });
  }

  async vtyshJson(command: string): Promise<unknown> {
    return JSON.parse(await this.vtysh(command)) as unknown;
  }

  /** Configuration lines under `router bgp 65000`. */
  async configure(...cmds: string[]): Promise<void> {
    await this.vtysh('configure terminal', `router bgp ${DAEMON_ASN}`, ...cmds);
  }

  async neighbor(addr: string): Promise<NeighborInfo> {
    return parseFrrNeighbor(await this.vtyshJson(`show bgp neighbors ${addr} json`), addr);
  }

  /** The raw `show bgp neighbors ADDR json` object for ADDR. */
  async neighborJson(addr: string): Promise<Record<string, unknown>> {
    const j = (await this.vtyshJson(`show bgp neighbors ${addr} json`)) as Record<string, unknown>;
    return (j[addr] ?? {}) as Record<string, unknown>;
  }

  async routes(afi: Afi): Promise<LabRoute[]> {
    const table = parseFrrTable(await this.vtyshJson(`show bgp ${afi} unicast json`));
    const prefixes = [...new Set(table.map((r) => r.prefix))];
    const details = await Promise.all(prefixes.map(async (p) => parseFrrPrefixDetail(await this.vtyshJson(`show bgp ${afi} unicast ${p} json`))));
    return details.flat();
  }

  async lastShutdownMessage(addr: string): Promise<string | undefined> {
    return parseFrrNeighbor(await this.vtyshJson(`show bgp neighbors ${addr} json`), addr).lastShutdownDescription;
  }

  readonly requestRefresh = async (addr: string): Promise<void> => {
    await this.vtysh(`clear bgp ${addr} soft in`);
  };

  async adminDown(addr: string, message: string): Promise<void> {
    await this.configure(`neighbor ${addr} shutdown message ${message}`);
  }

  async adminUp(addr: string): Promise<void> {
    await this.configure(`no neighbor ${addr} shutdown`);
  }
}

/** BIRD 2.0, queried with birdc (text). */
export class BirdDaemon extends BaseDaemon {
  readonly kind = 'bird';
  readonly label = 'BIRD';
  readonly packageName = 'bird2';
  protected readonly pidNames = ['rtr-bird'];
  protected readonly logName = 'rtr-bird';

  constructor(lab: Lab, peers: readonly TsbgpPeer[] = defaultPeers('bird')) {
    super(lab, peers);
  }

  async start(): Promise<void> {
    await this.lab.scriptOk('bird.sh', ['start', 'rtr', this.writeConf('bird-rtr.conf', birdConfig({ peers: this.peers }))]);
  }

  async stop(): Promise<void> {
    await this.lab.scriptOk('bird.sh', ['stop', 'rtr']);
  }

  birdc(...args: string[]): Promise<string> {
    return runOk('birdc', ['-s', join(this.lab.runDir, 'state', 'bird-rtr.ctl'), ...args], { timeoutMs: 10_000 });
  }

  #proto(addr: string): string {
    const p = this.peers.find((x) => x.address === addr);
    if (p === undefined) throw new Error(`BIRD: no protocol for ${addr}`);
    return birdProtocol(p);
  }

  async protocol(addr: string): Promise<ReturnType<typeof parseBirdProtocol>> {
    const name = this.#proto(addr);
    return parseBirdProtocol(await this.birdc('show', 'protocols', 'all', name), name);
  }

  neighbor(addr: string): Promise<NeighborInfo> {
    return this.protocol(addr);
  }

  async routes(afi: Afi): Promise<LabRoute[]> {
    const byProto = new Map(this.peers.map((p) => [birdProtocol(p), p.address]));
    return parseBirdRoutes(await this.birdc('show', 'route', 'all', 'table', afi === 'ipv4' ? 'master4' : 'master6')).map(({ protocol, ...r }) => {
      const peerAddr = byProto.get(protocol);
      return peerAddr === undefined ? r : { ...r, peer: peerAddr };
    });
  }

  async lastShutdownMessage(addr: string): Promise<string | undefined> {
    const p = await this.protocol(addr);
    if (/Received: Administrative (shutdown|reset)/i.test(p.info) && p.message !== undefined) return p.message;
    // the Info column changes with the next connection attempt: BIRD's log keeps it
    return parseBirdLogShutdown(this.logTail(), this.#proto(addr))?.message;
  }

  readonly requestRefresh = async (addr: string): Promise<void> => {
    await this.birdc('reload', 'in', this.#proto(addr));
  };

  async adminDown(addr: string, message: string): Promise<void> {
    await this.birdc('disable', this.#proto(addr), JSON.stringify(message));
  }

  async adminUp(addr: string): Promise<void> {
    await this.birdc('enable', this.#proto(addr));
  }

  override logTail(): string {
    return this.lab.logTail(this.logName, 20_000);
  }
}

/** GoBGP 3.10 (gobgpd), queried with `gobgp -j`. */
export class GobgpDaemon extends BaseDaemon {
  readonly kind = 'gobgp';
  readonly label = 'GoBGP';
  readonly packageName = 'gobgpd';
  protected readonly pidNames = ['rtr-gobgpd'];
  protected readonly logName = 'rtr-gobgpd';

  constructor(lab: Lab, peers: readonly TsbgpPeer[] = defaultPeers('gobgp')) {
    super(lab, peers);
  }

  async start(): Promise<void> {
    await this.lab.scriptOk('gobgp.sh', ['start', 'rtr', this.writeConf('gobgpd-rtr.toml', gobgpConfig({ peers: this.peers }))]);
    for (const args of gobgpRouteArgs()) await this.gobgp(...args);
  }

  async stop(): Promise<void> {
    await this.lab.scriptOk('gobgp.sh', ['stop', 'rtr']);
  }

  gobgp(...args: string[]): Promise<string> {
    return runOk('gobgp', ['--target', `unix://${join(this.lab.runDir, 'state', 'gobgp-rtr.sock')}`, ...args], { timeoutMs: 10_000 });
  }

  async neighbor(addr: string): Promise<NeighborInfo> {
    return parseGobgpNeighbor(JSON.parse(await this.gobgp('-j', 'neighbor', addr)));
  }

  async routes(afi: Afi): Promise<LabRoute[]> {
    return parseGobgpRib(JSON.parse(await this.gobgp('-j', 'global', 'rib', '-a', afi)));
  }

  lastShutdownMessage(addr: string): Promise<string | undefined> {
    return Promise.resolve(parseGobgpLogShutdown(this.lab.logTail(this.logName, 200_000), addr));
  }

  /**
   * GoBGP 3.10: `disable --reason` sends Cease/2 WITHOUT the text; only the deprecated `shutdown
   * --reason` puts the shutdown communication in (both leave the neighbor disabled).
   */
  async adminDown(addr: string, message: string): Promise<void> {
    await this.gobgp('neighbor', addr, 'shutdown', '--reason', message);
  }

  async adminUp(addr: string): Promise<void> {
    await this.gobgp('neighbor', addr, 'enable');
  }
}

/** ExaBGP 4.2, queried through exabgpcli and the JSON its API process records. */
export class ExabgpDaemon extends BaseDaemon {
  readonly kind = 'exabgp';
  readonly label = 'ExaBGP';
  readonly packageName = 'exabgp';
  protected readonly pidNames = ['rtr-exabgp'];
  protected readonly logName = 'rtr-exabgp';

  constructor(lab: Lab, peers: readonly TsbgpPeer[] = defaultPeers('exabgp')) {
    super(lab, peers);
  }

  async start(): Promise<void> {
    const conf = this.writeConf('exabgp-rtr.conf', exabgpConfig({ peers: this.peers, runDir: this.lab.runDir }));
    writeFileSync(exabgpApiLogFile(this.lab.runDir), '');
    // ExaBGP only listens when exabgp.tcp.bind is set; the env reaches it through exabgp.sh
    const r = await run('bash', [join(LAB_SCRIPTS, 'exabgp.sh'), 'start', 'rtr', conf], {
      env: { ...this.lab.env, exabgp_tcp_bind: DAEMON.v4, exabgp_tcp_port: '179' },
      timeoutMs: 60_000,
    });
    if (r.code !== 0) throw new Error(`exabgp.sh start: exit ${r.code ?? r.signal}\n${r.stderr}`);
  }

  async stop(): Promise<void> {
    await this.lab.scriptOk('exabgp.sh', ['stop', 'rtr']);
  }

  cli(...args: string[]): Promise<string> {
    return this.lab.scriptOk('exabgp.sh', ['cli', 'rtr', ...args], { timeoutMs: 15_000 });
  }

  /** What ExaBGP reported to its API process so far. */
  apiLog(): ExabgpApiLog {
    const f = exabgpApiLogFile(this.lab.runDir);
    return ExabgpApiLog.from(existsSync(f) ? readFileSync(f, 'utf8') : '');
  }

  async neighbor(addr: string): Promise<NeighborInfo> {
    return exabgpNeighborInfo(parseExabgpSummary(await this.cli('show', 'neighbor', 'summary')), addr);
  }

  routes(afi: Afi): Promise<LabRoute[]> {
    const out: LabRoute[] = [];
    for (const rib of this.apiLog().adjRibIn.values()) for (const r of rib.values()) if (r.prefix.includes(':') === (afi === 'ipv6')) out.push(r);
    return Promise.resolve(out);
  }

  lastShutdownMessage(addr: string): Promise<string | undefined> {
    const notes = (this.apiLog().notifications.get(addr) ?? []).filter((n) => n.direction === 'receive' && n.communication !== undefined);
    return Promise.resolve(notes.at(-1)?.communication);
  }

  readonly requestRefresh = async (addr: string): Promise<void> => {
    await this.cli('neighbor', addr, 'announce', 'route-refresh', 'ipv4', 'unicast');
    await this.cli('neighbor', addr, 'announce', 'route-refresh', 'ipv6', 'unicast');
  };

  // no adminDown: ExaBGP 4.2.21 `neighbor ADDR teardown 2` closes the TCP connection with a FIN
  // and sends no NOTIFICATION (then reconnects at once), so there is no way to make it send Cease

  adminUp(_addr: string): Promise<void> {
    return Promise.resolve();
  }
}

/** OpenBGPD 7.7 portable, queried with `bgpctl -j`. */
export class OpenbgpdDaemon extends BaseDaemon {
  readonly kind = 'openbgpd';
  readonly label = 'OpenBGPD';
  readonly packageName = 'openbgpd';
  protected readonly pidNames = ['rtr-openbgpd'];
  protected readonly logName = 'rtr-openbgpd';
  protected override readonly freezeChildren = true;

  constructor(lab: Lab, peers: readonly TsbgpPeer[] = defaultPeers('openbgpd')) {
    super(lab, peers);
  }

  async start(): Promise<void> {
    await this.lab.scriptOk('openbgpd.sh', ['start', 'rtr', this.writeConf('openbgpd-rtr.conf', openbgpdConfig({ peers: this.peers }))]);
  }

  async stop(): Promise<void> {
    await this.lab.scriptOk('openbgpd.sh', ['stop', 'rtr']);
  }

  bgpctl(...args: string[]): Promise<string> {
    return runOk('bgpctl', ['-s', join(this.lab.runDir, 'state', 'openbgpd-rtr.sock'), ...args], { timeoutMs: 10_000 });
  }

  async neighbor(addr: string): Promise<NeighborInfo> {
    return parseOpenbgpdNeighbor(JSON.parse(await this.bgpctl('-j', 'show', 'neighbor', addr)));
  }

  async routes(afi: Afi): Promise<LabRoute[]> {
    return parseOpenbgpdRib(JSON.parse(await this.bgpctl('-j', 'show', 'rib', 'detail', afi === 'ipv4' ? 'inet' : 'inet6')));
  }

  async lastShutdownMessage(addr: string): Promise<string | undefined> {
    return parseOpenbgpdNeighbor(JSON.parse(await this.bgpctl('-j', 'show', 'neighbor', addr))).lastShutdownReason;
  }

  readonly requestRefresh = async (addr: string): Promise<void> => {
    await this.bgpctl('neighbor', addr, 'refresh');
  };

  /**
   * OpenBGPD puts a neighbor into Idle for its IdleHoldTime (30 s, doubled after every session
   * that ended with an error or NOTIFICATION) and takes a "fast reconnect" only while fewer than
   * two errors were counted; `bgpctl neighbor X up` starts the session at once (Connect/Active).
   */
  readonly kick = async (addr: string): Promise<void> => {
    const n = await this.neighbor(addr);
    if (n.state === 'Idle') await this.bgpctl('neighbor', addr, 'up');
  };

  async adminDown(addr: string, message: string): Promise<void> {
    await this.bgpctl('neighbor', addr, 'down', message);
  }

  async adminUp(addr: string): Promise<void> {
    await this.bgpctl('neighbor', addr, 'up');
  }
}

/** A daemon wrapper of the given kind with the default peering plan. */
export function createDaemon(kind: DaemonKind, lab: Lab, peers?: readonly TsbgpPeer[]): LabDaemon {
  switch (kind) {
    case 'frr': return new FrrDaemon(lab, peers);
    case 'bird': return new BirdDaemon(lab, peers);
    case 'gobgp': return new GobgpDaemon(lab, peers);
    case 'exabgp': return new ExabgpDaemon(lab, peers);
    case 'openbgpd': return new OpenbgpdDaemon(lab, peers);
  }
}

// ------------------------------------------------------------------------------------------------
// polling helpers shared by the tests

/** Waits until the daemon reports the session with `addr` Established. */
export function waitEstablished(d: LabDaemon, addr: string, timeoutMs = 20_000): Promise<NeighborInfo> {
  return waitFor(`${d.label} Established with ${addr}`, async () => {
    const n = await d.neighbor(addr);
    return n.established ? n : undefined;
  }, { timeoutMs });
}

/** Waits until the daemon reports the session with `addr` not Established. */
export function waitNotEstablished(d: LabDaemon, addr: string, timeoutMs = 20_000): Promise<NeighborInfo> {
  return waitFor(`${d.label} no longer Established with ${addr}`, async () => {
    const n = await d.neighbor(addr);
    return n.established ? undefined : n;
  }, { timeoutMs });
}

/**
 * Waits until the daemon is ready for a new session with `addr` (see NeighborInfo.ready); when it
 * is not, calls the daemon's `kick` (at most once a second).
 */
export function waitReady(d: LabDaemon, addr: string, timeoutMs = 20_000): Promise<NeighborInfo> {
  let lastKick = 0;
  return waitFor(`${d.label} ready for a session with ${addr}`, async () => {
    const n = await d.neighbor(addr);
    if (n.ready) return n;
    if (d.kick !== undefined && Date.now() - lastKick >= 1_000) {
      lastKick = Date.now();
      await d.kick(addr);
    }
    return undefined;
  }, { timeoutMs, intervalMs: 100 });
}

/** The daemon's paths for `prefix` learned from `peerAddr`. */
export async function learned(d: LabDaemon, afi: Afi, prefix: string, peerAddr: string): Promise<LabRoute[]> {
  return (await d.routes(afi)).filter((r) => r.prefix === prefix && r.peer === peerAddr);
}

/** Waits until the daemon has a path for `prefix` from `peerAddr` that satisfies `pred`. */
export function waitLearned(d: LabDaemon, afi: Afi, prefix: string, peerAddr: string, pred: (r: LabRoute) => boolean = () => true, timeoutMs = 15_000): Promise<LabRoute> {
  let seen = '';
  return waitFor(`${d.label} has ${prefix} from ${peerAddr}`, async () => {
    const rs = await learned(d, afi, prefix, peerAddr);
    seen = JSON.stringify(rs);
    return rs.find(pred) ?? (seen === '[]' ? undefined : Promise.reject(new Error(`paths so far: ${seen}`)));
  }, { timeoutMs });
}

/** Waits until the daemon has no path for `prefix` from `peerAddr`. */
export function waitNotLearned(d: LabDaemon, afi: Afi, prefix: string, peerAddr: string, timeoutMs = 15_000): Promise<true> {
  return waitFor(`${d.label} no longer has ${prefix} from ${peerAddr}`, async () => ((await learned(d, afi, prefix, peerAddr)).length === 0 ? true : undefined), { timeoutMs });
}

/** The installed Debian package version (dpkg-query), or 'unknown'. */
export async function packageVersion(pkg: string): Promise<string> {
  const r = await run('dpkg-query', ['-W', '-f', '${Version}', pkg], { timeoutMs: 5_000 });
  return r.code === 0 ? r.stdout.trim() : 'unknown';
}
