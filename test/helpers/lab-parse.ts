/**
 * Interop lab harness, parsing part: turns each daemon's own CLI output (JSON or text) into one
 * common shape, so tests can ask every daemon the same questions ("which routes did you learn
 * from 198.18.1.11, with which attributes?", "is the session Established?").
 *
 * Owns: the neutral `LabRoute` / `NeighborInfo` shapes and pure parsers for FRR (vtysh JSON),
 * BIRD (birdc text), GoBGP (gobgp -j), OpenBGPD (bgpctl -j) and ExaBGP (the JSON lines its API
 * process receives, plus `exabgpcli show neighbor summary`).
 * Must not touch: processes, files, the network. Everything here is a pure function of text, so
 * test/interop/lab-parse.test.ts checks it without root, with outputs captured from the lab.
 *
 * Output formats were taken from the Debian 12 packages: FRR 8.4.4, BIRD 2.0.12, GoBGP 3.10,
 * ExaBGP 4.2.21, OpenBGPD 7.7.
 */

/** One path in a daemon's RIB, in neutral form. */
export interface LabRoute {
  /** Prefix as the daemon prints it (canonical for the prefixes the tests use). */
  prefix: string;
  /** Address of the neighbor the path was learned from; undefined for locally originated paths. */
  peer?: string;
  /** The (global) next hop. */
  nextHop?: string;
  /** AS_PATH flattened: every ASN of every segment in order (the tests use AS_SEQUENCE only). */
  asPath: number[];
  origin?: 'IGP' | 'EGP' | 'INCOMPLETE';
  med?: number;
  localPref?: number;
  /** "ASN:VALUE" (numeric; a daemon's well-known names are kept as it prints them). */
  communities: string[];
  /** "GA:LD1:LD2". */
  largeCommunities: string[];
  /** True/false when the daemon shows graceful-restart staleness; undefined when it does not. */
  stale?: boolean;
  /** Whether the daemon selected it as best, when it says. */
  best?: boolean;
}

/** A daemon's view of one BGP neighbor. */
export interface NeighborInfo {
  /** The daemon's own state word (Established, Active, start/Connect, ...). */
  state: string;
  established: boolean;
  /**
   * True when the daemon is waiting for the session and will take (or make) a new connection
   * now: not Established and not in a back-off/idle that refuses connections.
   */
  ready: boolean;
}

const ORIGINS = ['IGP', 'EGP', 'INCOMPLETE'] as const;

function originOf(v: unknown): LabRoute['origin'] {
  if (typeof v === 'number') return ORIGINS[v];
  if (typeof v !== 'string') return undefined;
  const s = v.toUpperCase();
  if (s === 'I' || s === 'IGP') return 'IGP';
  if (s === 'E' || s === 'EGP') return 'EGP';
  if (s === '?' || s === 'INCOMPLETE') return 'INCOMPLETE';
  return undefined;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const asNumber = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const asString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Parses a space-separated AS path text ("65001 65001 {65002,65003}") into ASNs. */
export function parseAsPathText(s: string): number[] {
  return (s.match(/\d+/g) ?? []).map(Number);
}

// ------------------------------------------------------------------------------------------------
// FRR (vtysh JSON)

/** `show bgp neighbors ADDR json` */
export function parseFrrNeighbor(json: unknown, addr: string): NeighborInfo & { lastShutdownDescription?: string; lastNotificationReason?: string } {
  const n = asRecord(asRecord(json)[addr]);
  const state = asString(n['bgpState']) ?? 'Unknown';
  const out: NeighborInfo & { lastShutdownDescription?: string; lastNotificationReason?: string } = {
    state,
    established: state === 'Established',
    // FRR takes an incoming connection in Active/Connect; Idle is its start-timer back-off
    ready: state === 'Active' || state === 'Connect',
  };
  const desc = asString(n['lastShutdownDescription']);
  if (desc !== undefined) out.lastShutdownDescription = desc;
  const reason = asString(n['lastNotificationReason']);
  if (reason !== undefined) out.lastNotificationReason = reason;
  return out;
}

/** `show bgp ipv4|ipv6 unicast json`: prefix -> [{peerId, stale, ...}] (no communities here). */
export function parseFrrTable(json: unknown): { prefix: string; peer?: string; stale: boolean }[] {
  const routes = asRecord(asRecord(json)['routes']);
  const out: { prefix: string; peer?: string; stale: boolean }[] = [];
  for (const [prefix, paths] of Object.entries(routes)) {
    for (const p of asArray(paths)) {
      const r = asRecord(p);
      const peer = asString(r['peerId']);
      out.push({ prefix, ...(peer !== undefined && peer !== '(unspec)' ? { peer } : {}), stale: r['stale'] === true });
    }
  }
  return out;
}

/** `show bgp ipv4|ipv6 unicast PREFIX json`: every path, with attributes. */
export function parseFrrPrefixDetail(json: unknown): LabRoute[] {
  const d = asRecord(json);
  const prefix = asString(d['prefix']) ?? '';
  return asArray(d['paths']).map((p): LabRoute => {
    const path = asRecord(p);
    const aspath = asRecord(path['aspath']);
    const segs = asArray(aspath['segments']);
    const asPath = segs.length > 0
      ? segs.flatMap((s) => asArray(asRecord(s)['list']).filter((x): x is number => typeof x === 'number'))
      : parseAsPathText(asString(aspath['string']) ?? '');
    const peerObj = asRecord(path['peer']);
    const peerId = asString(peerObj['peerId']);
    const hops = asArray(path['nexthops']).map(asRecord);
    const global = hops.find((h) => asString(h['scope']) !== 'link-local') ?? hops[0];
    const best = path['bestpath'];
    const r: LabRoute = {
      prefix,
      asPath,
      communities: asArray(asRecord(path['community'])['list']).map(String),
      largeCommunities: asArray(asRecord(path['largeCommunity'])['list']).map(String),
      stale: path['stale'] === true,
      best: typeof best === 'object' && best !== null ? asRecord(best)['overall'] === true : best === true,
    };
    if (peerId !== undefined && peerId !== '(unspec)' && peerId !== '0.0.0.0' && peerId !== '::') r.peer = peerId;
    const nh = global === undefined ? undefined : asString(global['ip']);
    if (nh !== undefined) r.nextHop = nh;
    const origin = originOf(path['origin']);
    if (origin !== undefined) r.origin = origin;
    const med = asNumber(path['metric'] ?? path['med']);
    if (med !== undefined) r.med = med;
    const lp = asNumber(path['locPrf'] ?? path['localpref'] ?? path['localPref']);
    if (lp !== undefined) r.localPref = lp;
    return r;
  });
}

// ------------------------------------------------------------------------------------------------
// BIRD (birdc text)

export interface BirdProtocolInfo extends NeighborInfo {
  /** Protocol state column: up, start, down, ... */
  protoState: string;
  /** Info column, e.g. "Established" or "Active        Received: Administrative shutdown". */
  info: string;
  /** The "Message:" line (shutdown communication received, or the one given to `disable`). */
  message?: string;
  /** "Neighbor graceful restart active" was shown. */
  gracefulRestartActive: boolean;
}

/** `show protocols all NAME` for one BGP protocol. */
export function parseBirdProtocol(text: string, name: string): BirdProtocolInfo {
  const lines = text.split('\n');
  const row = lines.find((l) => l.startsWith(`${name} `));
  if (row === undefined) throw new Error(`BIRD: no protocol ${name} in:\n${text.slice(0, 500)}`);
  // Name Proto Table State Since Info ; Since is one token (time) or two (date time)
  const cols = row.trim().split(/\s+/);
  const protoState = cols[3] ?? '';
  const infoMatch = /^\S+\s+\S+\s+\S+\s+\S+\s+(?:\d{4}-\d\d-\d\d\s+)?\S+\s*(.*)$/.exec(row.trim());
  const info = (infoMatch?.[1] ?? '').trim();
  const bgpStateLine = lines.find((l) => /^\s+BGP state:/.test(l));
  const bgpState = bgpStateLine === undefined ? (protoState === 'down' ? 'Down' : 'Unknown') : bgpStateLine.replace(/^\s+BGP state:\s*/, '').trim();
  const msgLine = lines.find((l) => /^\s+Message:/.test(l));
  const out: BirdProtocolInfo = {
    state: bgpState,
    established: bgpState === 'Established',
    // BIRD takes incoming connections in Active/Connect/OpenSent; Idle (error wait) refuses them
    ready: protoState === 'start' && (bgpState === 'Active' || bgpState === 'Connect'),
    protoState,
    info,
    gracefulRestartActive: lines.some((l) => /Neighbor graceful restart active/.test(l)),
  };
  if (msgLine !== undefined) out.message = msgLine.replace(/^\s+Message:\s*/, '').trim();
  return out;
}

/**
 * The last NOTIFICATION Cease/Administrative Shutdown (or Reset) BIRD logged as received on
 * protocol `name` (`<RMT> NAME: Received: Administrative shutdown: "text"`), or undefined.
 * `message` is the shutdown communication when there was one.
 */
export function parseBirdLogShutdown(log: string, name: string): { subcode: 'shutdown' | 'reset'; message?: string } | undefined {
  const re = new RegExp(`\\b${name}: Received: Administrative (shutdown|reset)(?:: "(.*)")?\\s*$`);
  let last: { subcode: 'shutdown' | 'reset'; message?: string } | undefined;
  for (const line of log.split('\n')) {
    const m = re.exec(line);
    if (m === null) continue;
    last = { subcode: m[1] === 'reset' ? 'reset' : 'shutdown', ...(m[2] === undefined ? {} : { message: m[2] }) };
  }
  return last;
}

/** A route as `show route all` prints it, plus the protocol that holds it. */
export interface BirdRoute extends LabRoute {
  protocol: string;
}

/**
 * `show route all [table T]` (BIRD 2.0). Routes start with "PREFIX  TYPE [PROTO TIME ...] * (PREF)"
 * (further routes of the same prefix with whitespace instead of the prefix); attribute lines
 * start with a tab.
 */
export function parseBirdRoutes(text: string): BirdRoute[] {
  const out: BirdRoute[] = [];
  let prefix = '';
  let cur: BirdRoute | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('Table ') || line.startsWith('BIRD ')) continue;
    if (line.startsWith('\t')) {
      if (cur === undefined) continue;
      const m = /^\t(BGP\.\w+|Type|via)[:\s]\s*(.*)$/.exec(line);
      if (m === null) continue;
      const [, key, value = ''] = m;
      switch (key) {
        case 'BGP.origin': { const o = originOf(value.trim()); if (o !== undefined) cur.origin = o; break; }
        case 'BGP.as_path': cur.asPath = parseAsPathText(value); break;
        case 'BGP.next_hop': { const nh = value.trim().split(/\s+/)[0]; if (nh) cur.nextHop = nh; break; }
        case 'BGP.med': cur.med = Number(value); break;
        case 'BGP.local_pref': cur.localPref = Number(value); break;
        case 'BGP.community':
          cur.communities = [...value.matchAll(/\((\d+),\s*(\d+)\)/g)].map((c) => `${c[1]}:${c[2]}`);
          break;
        case 'BGP.large_community':
          cur.largeCommunities = [...value.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((c) => `${c[1]}:${c[2]}:${c[3]}`);
          break;
        default:
          break;
      }
      continue;
    }
    const m = /^(\S+)?\s+\S+\s+\[(\S+)\s+[^\]]*?(?:\s+from\s+(\S+))?\]\s*(\*)?/.exec(line);
    if (m === null) continue;
    if (m[1] !== undefined) prefix = m[1];
    cur = { prefix, protocol: m[2] ?? '', asPath: [], communities: [], largeCommunities: [], best: m[4] === '*' };
    if (m[3] !== undefined) cur.peer = m[3];
    out.push(cur);
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// GoBGP (gobgp -j)

/** GoBGP's API session states (apipb.PeerState.SessionState). */
export const GOBGP_SESSION_STATES = ['UNKNOWN', 'IDLE', 'CONNECT', 'ACTIVE', 'OPENSENT', 'OPENCONFIRM', 'ESTABLISHED'] as const;

/** `gobgp -j neighbor ADDR` */
export function parseGobgpNeighbor(json: unknown): NeighborInfo {
  const st = asRecord(asRecord(json)['state'])['session_state'];
  const state = typeof st === 'number' ? GOBGP_SESSION_STATES[st] ?? String(st) : typeof st === 'string' ? st.toUpperCase() : 'UNKNOWN';
  return { state, established: state === 'ESTABLISHED', ready: state === 'ACTIVE' || state === 'CONNECT' };
}

/** `gobgp -j global rib -a ipv4|ipv6`: prefix -> paths with raw attributes. */
export function parseGobgpRib(json: unknown): LabRoute[] {
  const out: LabRoute[] = [];
  for (const [prefix, paths] of Object.entries(asRecord(json))) {
    for (const p of asArray(paths)) {
      const path = asRecord(p);
      const r: LabRoute = { prefix, asPath: [], communities: [], largeCommunities: [], stale: path['stale'] === true, best: path['best'] === true };
      const peer = asString(path['neighbor-ip']);
      if (peer !== undefined && peer !== '<nil>' && peer !== '') r.peer = peer;
      for (const a of asArray(path['attrs'])) {
        const attr = asRecord(a);
        switch (attr['type']) {
          case 1: { const o = originOf(attr['value']); if (o !== undefined) r.origin = o; break; }
          case 2:
            r.asPath = asArray(attr['as_paths']).flatMap((s) => asArray(asRecord(s)['asns']).filter((x): x is number => typeof x === 'number'));
            break;
          case 3: case 14: { const nh = asString(attr['nexthop']); if (nh !== undefined) r.nextHop = nh; break; }
          case 4: { const m = asNumber(attr['metric']); if (m !== undefined) r.med = m; break; }
          case 5: { const lp = asNumber(attr['value']); if (lp !== undefined) r.localPref = lp; break; }
          case 8:
            r.communities = asArray(attr['communities']).filter((c): c is number => typeof c === 'number').map((c) => `${Math.floor(c / 65536)}:${c % 65536}`);
            break;
          case 32:
            r.largeCommunities = asArray(attr['value']).map((v) => {
              const c = asRecord(v);
              return `${String(c['ASN'] ?? c['global_admin'])}:${String(c['LocalData1'] ?? c['local_data1'])}:${String(c['LocalData2'] ?? c['local_data2'])}`;
            });
            break;
          default:
            break;
        }
      }
      out.push(r);
    }
  }
  return out;
}

/**
 * The last shutdown communication gobgpd logged for a neighbor: GoBGP keeps it only in its log
 * (`level=warning msg="received notification" Code=6 Communicated-Reason="..." ... Key=ADDR`),
 * not in `gobgp neighbor`.
 */
export function parseGobgpLogShutdown(log: string, addr: string): string | undefined {
  let last: string | undefined;
  for (const line of log.split('\n')) {
    if (!line.includes('received notification') || (!line.includes(`Key=${addr} `) && !line.endsWith(`Key=${addr}`))) continue;
    const m = /Communicated-Reason="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m?.[1] !== undefined) last = m[1].replace(/\\(.)/g, '$1');
  }
  return last;
}

// ------------------------------------------------------------------------------------------------
// OpenBGPD (bgpctl -j)

/** `bgpctl -j show neighbor ADDR` */
export function parseOpenbgpdNeighbor(json: unknown): NeighborInfo & { lastShutdownReason?: string; lastErrorReceived?: string } {
  const n = asRecord(asArray(asRecord(json)['neighbors'])[0]);
  const state = asString(n['state']) ?? 'Unknown';
  const out: NeighborInfo & { lastShutdownReason?: string; lastErrorReceived?: string } = {
    state,
    established: state === 'Established',
    // Idle is OpenBGPD's idle-hold back-off (30 s, doubling after each NOTIFICATION); it takes an
    // incoming connection then only while fewer than 2 errors were counted. The harness kicks it
    // out of Idle with `bgpctl neighbor X up` (OpenbgpdDaemon.kick).
    ready: state === 'Active' || state === 'Connect',
  };
  const reason = asString(n['last_shutdown_reason']);
  if (reason !== undefined) out.lastShutdownReason = reason;
  const err = asString(n['last_error_received']);
  if (err !== undefined) out.lastErrorReceived = err;
  return out;
}

/** `bgpctl -j show rib detail` (or without detail). */
export function parseOpenbgpdRib(json: unknown): LabRoute[] {
  return asArray(asRecord(json)['rib']).map((e): LabRoute => {
    const x = asRecord(e);
    const nb = asRecord(x['neighbor']);
    const remote = asString(nb['remote_addr']);
    const r: LabRoute = {
      prefix: asString(x['prefix']) ?? '',
      asPath: parseAsPathText(asString(x['aspath']) ?? ''),
      communities: asArray(x['communities']).map(String),
      largeCommunities: asArray(x['large_communities']).map(String),
      best: x['best'] === true,
    };
    if (remote !== undefined && remote !== '???' && asString(nb['description']) !== 'LOCAL') r.peer = remote;
    const nh = asString(x['exit_nexthop']);
    if (nh !== undefined) r.nextHop = nh;
    const o = originOf(x['origin']);
    if (o !== undefined) r.origin = o;
    const med = asNumber(x['metric']);
    if (med !== undefined) r.med = med;
    const lp = asNumber(x['localpref']);
    if (lp !== undefined) r.localPref = lp;
    if (typeof x['stale'] === 'boolean') r.stale = x['stale'];
    return r;
  });
}

// ------------------------------------------------------------------------------------------------
// ExaBGP (API JSON lines, exabgpcli)

/**
 * `exabgpcli show neighbor summary`: peer -> its up/down column (a duration, or "down") and state
 * word. ExaBGP 4.2 keeps showing "established" in the state column after the session went down
 * (up/down says "down" then), so both are kept.
 */
export function parseExabgpSummary(text: string): Map<string, { upDown: string; state: string }> {
  const out = new Map<string, { upDown: string; state: string }>();
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 4 && /^[0-9a-f.:]+$/i.test(cols[0] ?? '') && /^\d+$/.test(cols[1] ?? '')) out.set(cols[0] ?? '', { upDown: cols[2] ?? '', state: cols[3] ?? '' });
  }
  return out;
}

export function exabgpNeighborInfo(summary: Map<string, { upDown: string; state: string }>, addr: string): NeighborInfo {
  const row = summary.get(addr);
  const established = row !== undefined && row.state === 'established' && row.upDown !== 'down';
  // ExaBGP listens all the time (exabgp.tcp.bind) and reconnects about once a second
  return { state: row === undefined ? 'down' : established ? 'established' : row.upDown === 'down' ? 'down' : row.state, established, ready: !established };
}

/** One NOTIFICATION ExaBGP reported through its API. */
export interface ExabgpNotification {
  direction: string;
  code: number;
  subcode: number;
  /** Data as hex, without ExaBGP's "0x". */
  data: string;
  /** RFC 9003 shutdown communication decoded from the data, when code 6 / subcode 2 or 4. */
  communication?: string;
}

/**
 * Replays the JSON lines ExaBGP 4.2 writes to an API process (`encoder json`, `receive { parsed;
 * update; notification; refresh; }`, `neighbor-changes`) into per-peer state: the Adj-RIB-In,
 * the session state, NOTIFICATIONs, ROUTE-REFRESHes and End-of-RIBs received.
 */
export class ExabgpApiLog {
  /** peer -> prefix -> route */
  readonly adjRibIn = new Map<string, Map<string, LabRoute>>();
  /** peer -> last state ("up", "down", "connected") */
  readonly state = new Map<string, string>();
  /** peer -> last "down" reason */
  readonly downReason = new Map<string, string>();
  /** peer -> every "down" reason, oldest first */
  readonly downReasons = new Map<string, string[]>();
  readonly notifications = new Map<string, ExabgpNotification[]>();
  /** peer -> ROUTE-REFRESH messages received (as ExaBGP printed them) */
  readonly refreshes = new Map<string, unknown[]>();
  /** peer -> "ipv4 unicast" style families whose End-of-RIB arrived */
  readonly endOfRib = new Map<string, string[]>();

  /** Feeds the file content (whole lines; a partial last line is ignored and must be re-fed). */
  static from(text: string): ExabgpApiLog {
    const log = new ExabgpApiLog();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        continue; // a line being written right now
      }
      log.feed(msg);
    }
    return log;
  }

  feed(msg: unknown): void {
    const m = asRecord(msg);
    const nb = asRecord(m['neighbor']);
    const peer = asString(asRecord(nb['address'])['peer']);
    if (peer === undefined) return;
    switch (m['type']) {
      case 'state': {
        const st = asString(nb['state']) ?? '';
        this.state.set(peer, st);
        if (st === 'down') {
          const reason = asString(nb['reason']) ?? '';
          this.downReason.set(peer, reason);
          this.downReasons.set(peer, [...(this.downReasons.get(peer) ?? []), reason]);
          this.adjRibIn.delete(peer); // ExaBGP keeps no routes of a session that went down
        }
        break;
      }
      case 'notification': {
        const n = asRecord(nb['notification']);
        const data = (asString(n['data']) ?? '').replace(/^0x/i, '');
        const code = asNumber(n['code']) ?? -1;
        const subcode = asNumber(n['subcode']) ?? -1;
        const note: ExabgpNotification = { direction: asString(nb['direction']) ?? '', code, subcode, data };
        if (code === 6 && (subcode === 2 || subcode === 4) && data.length >= 2) {
          const len = parseInt(data.slice(0, 2), 16);
          const bytes = Buffer.from(data.slice(2, 2 + 2 * len), 'hex');
          if (bytes.length === len) note.communication = bytes.toString('utf8');
        }
        const list = this.notifications.get(peer) ?? [];
        list.push(note);
        this.notifications.set(peer, list);
        break;
      }
      case 'refresh': {
        const list = this.refreshes.get(peer) ?? [];
        list.push(nb['message'] ?? nb);
        this.refreshes.set(peer, list);
        break;
      }
      case 'update': {
        const message = asRecord(nb['message']);
        const eor = asRecord(message['eor']);
        if (Object.keys(eor).length > 0) {
          const list = this.endOfRib.get(peer) ?? [];
          list.push(`${String(eor['afi'])} ${String(eor['safi'])}`);
          this.endOfRib.set(peer, list);
          break;
        }
        this.#update(peer, asRecord(message['update']));
        break;
      }
      default:
        break;
    }
  }

  #update(peer: string, u: Record<string, unknown>): void {
    const rib = this.adjRibIn.get(peer) ?? new Map<string, LabRoute>();
    this.adjRibIn.set(peer, rib);
    for (const fam of Object.values(asRecord(u['withdraw']))) {
      for (const w of asArray(fam)) {
        const p = asString(asRecord(w)['nlri']);
        if (p !== undefined) rib.delete(p);
      }
    }
    const a = asRecord(u['attribute']);
    for (const byNextHop of Object.values(asRecord(u['announce']))) {
      // ExaBGP lists an NLRI under each next hop of a (global, link-local) pair: take the global
      const entries = Object.entries(asRecord(byNextHop)).sort(([x], [y]) => Number(x.startsWith('fe80')) - Number(y.startsWith('fe80')));
      for (const [nextHop, nlris] of entries) {
        for (const n of asArray(nlris)) {
          const prefix = asString(asRecord(n)['nlri']);
          if (prefix === undefined || (rib.has(prefix) && rib.get(prefix)?.nextHop !== nextHop && nextHop.startsWith('fe80'))) continue;
          const r: LabRoute = {
            prefix,
            peer,
            nextHop,
            asPath: asArray(a['as-path']).flat(2).filter((x): x is number => typeof x === 'number'),
            communities: asArray(a['community']).map((c) => asArray(c).join(':')),
            largeCommunities: asArray(a['large-community']).map((c) => asArray(c).join(':')),
          };
          const o = originOf(a['origin']);
          if (o !== undefined) r.origin = o;
          const med = asNumber(a['med']);
          if (med !== undefined) r.med = med;
          const lp = asNumber(a['local-preference']);
          if (lp !== undefined) r.localPref = lp;
          rib.set(prefix, r);
        }
      }
    }
  }
}
