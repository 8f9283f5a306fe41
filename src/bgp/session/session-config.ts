/**
 * Configuration of one BGP peer: what the session offers and accepts, its timers and transport
 * options, with defaults and validation. Every bad value is a BgpError `ERR_CONFIG_*` naming the
 * field and what is allowed. Owns no state; never touches sockets.
 */
import { BgpError } from '../errors.js';
import { parseAddress, parseIpv4 } from '../prefix/address.js';

export type AddPathMode = 'send' | 'receive' | 'both';
export type FamilyName = 'ipv4-unicast' | 'ipv6-unicast';

export interface GracefulRestartConfig {
  /** Restart Time we advertise (RFC 4724 s3): how long the peer keeps our routes; 0..4095 s. Default 120. */
  readonly restartTimeSec?: number | undefined;
  /** F bit per family: our forwarding state survives a restart. Default false. */
  readonly forwardingState?: boolean | undefined;
  /** As helper, how long to keep the peer's stale routes after it comes back, waiting for its End-of-RIB. Default 360 s. */
  readonly stalePathTimeSec?: number | undefined;
  /** RFC 8538 N bit. Default true. */
  readonly notification?: boolean | undefined;
}

/**
 * Maximum number of routes accepted from the peer per family (RFC 4486; FRR `neighbor X
 * maximum-prefix N [threshold] [restart M] [warning-only]`). Counted: every route of the family in
 * the Adj-RIB-In, stale graceful-restart ones included.
 */
export interface MaxPrefixesConfig {
  /**
   * One number: the same limit for each family in `families`, counted per family. An object: a
   * limit per family (`{ 'ipv4-unicast': 1000, 'ipv6-unicast': 200 }`); a family left out has no
   * limit. Each limit is 1..4294967295 (the RFC 4486 s4 upper bound field).
   */
  readonly limit: number | Readonly<Partial<Record<FamilyName, number>>>;
  /** `maxPrefixesWarning` fires once when a family's count reaches this percentage of its limit (again only after dropping below). 1..100, default 75. */
  readonly warningThresholdPct?: number | undefined;
  /** After the Cease, start the session again after exactly this many seconds. Without it the session stays Idle until `start()`. 1..3932100 (FRR's 65535 minutes). */
  readonly restartSec?: number | undefined;
  /** Only report (`maxPrefixesExceeded` with `action: 'warning'`); never tear the session down. Default false. Not with `restartSec`. */
  readonly warningOnly?: boolean | undefined;
}

export interface ResolvedMaxPrefixes {
  /** The limit per family; a family not listed has none. */
  readonly limits: Readonly<Partial<Record<FamilyName, number>>>;
  readonly warningThresholdPct: number;
  readonly restartSec: number | undefined;
  readonly warningOnly: boolean;
}

export interface BgpPeerConfig {
  /** The AS this session presents (the speaker's AS, or a per-peer local-AS override such as MetalLB's myASN). */
  readonly localAsn: number;
  /** Expected peer AS; omit to accept any AS within `peerAsnRange` (dynamic neighbors). */
  readonly peerAsn?: number | undefined;
  /** Accepted range when `peerAsn` is omitted: [min, max], inclusive. Default any. */
  readonly peerAsnRange?: readonly [number, number] | undefined;
  /** Our BGP Identifier (RFC 6286), dotted quad, non-zero. */
  readonly routerId: string;
  readonly peerAddress: string;
  /**
   * A name for the peer (MetalLB: the BGPPeer's name). Advertisements whose `peers` list names
   * it (or the address) go to this peer; it also appears in snapshots.
   */
  readonly name?: string | undefined;
  /** Default 179. */
  readonly peerPort?: number | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  /** Passive: never connect, only accept (RFC 4271 PassiveTcpEstablishment). */
  readonly passive?: boolean | undefined;
  /** Active-only: never accept inbound connections from this peer. */
  readonly activeOnly?: boolean | undefined;
  /** Hold Time we offer; 0 or 3..65535. Default 90. */
  readonly holdTimeSec?: number | undefined;
  /** Keepalive interval; default a third of the negotiated hold time. 0 disables keepalives. */
  readonly keepaliveTimeSec?: number | undefined;
  /** ConnectRetryTime (MetalLB connectTime). Default 120. */
  readonly connectRetryTimeSec?: number | undefined;
  /** RFC 4271 DelayOpen: wait this long for the peer's OPEN before sending ours. Default 0 (off). */
  readonly delayOpenTimeSec?: number | undefined;
  /** First IdleHoldTime after a session drop; doubles on each consecutive drop. Default 1. */
  readonly idleHoldTimeSec?: number | undefined;
  /**
   * RFC 4271 s9.2.1.1 MinRouteAdvertisementIntervalTimer: after a round of UPDATEs, the next one
   * (announcements and withdrawals) waits this long; changes in between coalesce. 0..600, default
   * 0 (off, as FRR's datacenter profile and MetalLB). The initial sync is never held back.
   */
  readonly minRouteAdvertisementIntervalSec?: number | undefined;
  /** Ceiling of the IdleHoldTime backoff. Default 120. */
  readonly maxIdleHoldTimeSec?: number | undefined;
  /** A session that stays Established this long resets the backoff. Default 60. */
  readonly idleHoldResetSec?: number | undefined;
  /** RFC 9687 SendHoldTime; default max(480, 2 x negotiated hold time). */
  readonly sendHoldTimeSec?: number | undefined;
  /** Families offered (MP capabilities). Default both IPv4 and IPv6 unicast. */
  readonly families?: readonly FamilyName[] | undefined;
  /** ADD-PATH (RFC 7911) per family. */
  readonly addPath?: Partial<Record<FamilyName, AddPathMode>> | undefined;
  /** Offer ROUTE-REFRESH (RFC 2918). Default true. */
  readonly routeRefresh?: boolean | undefined;
  /** Offer Enhanced Route Refresh (RFC 7313). Default true. */
  readonly enhancedRouteRefresh?: boolean | undefined;
  /** Offer Extended Messages (RFC 8654). Default true. */
  readonly extendedMessage?: boolean | undefined;
  /** Graceful restart (RFC 4724); omit to not advertise it. */
  readonly gracefulRestart?: GracefulRestartConfig | undefined;
  /** We are restarting (R bit set in our OPEN, RFC 4724 s3). Set by the embedder after a restart with preserved state. */
  readonly restarting?: boolean | undefined;
  /** Outgoing TTL (eBGP multihop). */
  readonly ttl?: number | undefined;
  /** RFC 5082 GTSM with this many hops (1 = directly connected). */
  readonly ttlSecurityHops?: number | undefined;
  /** RFC 2385 TCP-MD5. Never logged or emitted. */
  readonly password?: string | undefined;
  /** Send a NOTIFICATION on OPEN errors before sending our OPEN (RFC 4271 SendNOTIFICATIONwithoutOPEN). Default true. */
  readonly sendNotificationWithoutOpen?: boolean | undefined;
  /** RFC 8326 graceful shutdown: how long `stop({ gracefulShutdown })` waits after re-announcing with GRACEFUL_SHUTDOWN. Default 0 (not done). */
  readonly gracefulShutdownWaitSec?: number | undefined;
  /** Maximum-prefix limit on what the peer sends (RFC 4486); omit for none. */
  readonly maxPrefixes?: MaxPrefixesConfig | undefined;
  /**
   * Accept NEXT_HOP addresses in 127/8 from this peer (a lab on loopback, such as `npm run demo`).
   * Default false: RFC 4271 s6.3 makes them semantically incorrect, and RFC 7606 s7.3 treats
   * such routes as withdrawn.
   */
  readonly acceptLoopbackNextHop?: boolean | undefined;
}

/** The configuration with every default applied: what the FSM reads. */
export interface ResolvedPeerConfig {
  readonly localAsn: number;
  readonly peerAsn: number | undefined;
  readonly peerAsnRange: readonly [number, number];
  readonly routerId: string;
  readonly peerAddress: string;
  readonly name: string | undefined;
  readonly peerPort: number;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  readonly passive: boolean;
  readonly activeOnly: boolean;
  readonly holdTimeSec: number;
  readonly keepaliveTimeSec: number | undefined;
  readonly connectRetryTimeSec: number;
  readonly delayOpenTimeSec: number;
  readonly idleHoldTimeSec: number;
  readonly minRouteAdvertisementIntervalSec: number;
  readonly maxIdleHoldTimeSec: number;
  readonly idleHoldResetSec: number;
  readonly sendHoldTimeSec: number | undefined;
  readonly families: readonly FamilyName[];
  readonly addPath: Readonly<Partial<Record<FamilyName, AddPathMode>>>;
  readonly routeRefresh: boolean;
  readonly enhancedRouteRefresh: boolean;
  readonly extendedMessage: boolean;
  readonly gracefulRestart:
    | { readonly restartTimeSec: number; readonly forwardingState: boolean; readonly stalePathTimeSec: number; readonly notification: boolean }
    | undefined;
  readonly restarting: boolean;
  readonly ttl: number | undefined;
  readonly ttlSecurityHops: number | undefined;
  readonly password: string | undefined;
  readonly sendNotificationWithoutOpen: boolean;
  readonly gracefulShutdownWaitSec: number;
  readonly maxPrefixes: ResolvedMaxPrefixes | undefined;
  readonly acceptLoopbackNextHop: boolean;
}

export const FAMILIES: Readonly<Record<FamilyName, { readonly afi: number; readonly safi: number }>> = {
  'ipv4-unicast': { afi: 1, safi: 1 },
  'ipv6-unicast': { afi: 2, safi: 1 },
};

export function familyName(afi: number, safi: number): FamilyName | undefined {
  if (safi !== 1) return undefined;
  return afi === 1 ? 'ipv4-unicast' : afi === 2 ? 'ipv6-unicast' : undefined;
}

function configError(field: string, message: string): BgpError {
  return new BgpError('ERR_CONFIG_INVALID', `${field}: ${message}`);
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw configError(field, `must be an integer in ${min}..${max} (got ${JSON.stringify(v)})`);
  }
  return v;
}

function optInt(v: unknown, field: string, min: number, max: number): number | undefined {
  return v === undefined ? undefined : int(v, field, min, max);
}

function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw configError(field, `must be true or false (got ${JSON.stringify(v)})`);
  return v;
}

function address(v: unknown, field: string): string {
  if (typeof v !== 'string') throw configError(field, `must be an IPv4 or IPv6 address (got ${JSON.stringify(v)})`);
  try {
    parseAddress(v);
  } catch {
    throw configError(field, `must be an IPv4 or IPv6 address (got ${JSON.stringify(v)})`);
  }
  return v;
}

const ASN_MAX = 0xffffffff;
const ADD_PATH_MODES: readonly AddPathMode[] = ['send', 'receive', 'both'];

/** Applies defaults and validates. Throws BgpError ERR_CONFIG_INVALID naming the field. */
export function resolvePeerConfig(c: BgpPeerConfig): ResolvedPeerConfig {
  if (typeof c !== 'object' || c === null) throw configError('config', 'must be an object');
  const localAsn = int(c.localAsn, 'localAsn', 1, ASN_MAX);
  const peerAsn = optInt(c.peerAsn, 'peerAsn', 1, ASN_MAX);
  let peerAsnRange: readonly [number, number] = [1, ASN_MAX];
  if (c.peerAsnRange !== undefined) {
    if (!Array.isArray(c.peerAsnRange) || c.peerAsnRange.length !== 2) throw configError('peerAsnRange', 'must be [min, max]');
    const lo = int(c.peerAsnRange[0], 'peerAsnRange[0]', 1, ASN_MAX);
    const hi = int(c.peerAsnRange[1], 'peerAsnRange[1]', lo, ASN_MAX);
    peerAsnRange = [lo, hi];
  }
  if (typeof c.routerId !== 'string') throw configError('routerId', 'must be a dotted-quad BGP Identifier');
  let id: number;
  try {
    id = parseIpv4(c.routerId);
  } catch {
    throw configError('routerId', `must be a dotted-quad BGP Identifier (got ${JSON.stringify(c.routerId)})`);
  }
  if (id === 0) throw configError('routerId', 'must not be 0.0.0.0 (RFC 6286 s2.1)');
  const holdTimeSec = c.holdTimeSec === undefined ? 90 : int(c.holdTimeSec, 'holdTimeSec', 0, 65535);
  if (holdTimeSec === 1 || holdTimeSec === 2) throw configError('holdTimeSec', 'must be 0 or at least 3 seconds (RFC 4271 s4.2)');
  const keepaliveTimeSec = optInt(c.keepaliveTimeSec, 'keepaliveTimeSec', 0, 21845);
  const families = c.families ?? ['ipv4-unicast', 'ipv6-unicast'];
  if (!Array.isArray(families) || families.length === 0) throw configError('families', 'must list at least one of ipv4-unicast, ipv6-unicast');
  for (const f of families) if (!(f in FAMILIES)) throw configError('families', `unknown family ${JSON.stringify(f)} (allowed: ipv4-unicast, ipv6-unicast)`);
  const addPath: Partial<Record<FamilyName, AddPathMode>> = {};
  for (const [k, v] of Object.entries(c.addPath ?? {})) {
    if (!(k in FAMILIES)) throw configError(`addPath.${k}`, 'unknown family (allowed: ipv4-unicast, ipv6-unicast)');
    if (v === undefined) continue;
    if (!ADD_PATH_MODES.includes(v)) throw configError(`addPath.${k}`, `must be send, receive or both (got ${JSON.stringify(v)})`);
    addPath[k as FamilyName] = v;
  }
  const gr = c.gracefulRestart;
  const password = c.password;
  if (password !== undefined && (typeof password !== 'string' || password.length === 0 || Buffer.byteLength(password) > 80)) {
    throw configError('password', 'must be a non-empty string of at most 80 octets (TCP_MD5SIG_MAXKEYLEN)');
  }
  const ttl = optInt(c.ttl, 'ttl', 1, 255);
  const ttlSecurityHops = optInt(c.ttlSecurityHops, 'ttlSecurityHops', 1, 254);
  if (ttl !== undefined && ttlSecurityHops !== undefined) throw configError('ttl', 'cannot be combined with ttlSecurityHops (GTSM always sends TTL 255)');
  const passive = bool(c.passive, 'passive', false);
  const activeOnly = bool(c.activeOnly, 'activeOnly', false);
  if (passive && activeOnly) throw configError('passive', 'cannot be combined with activeOnly');
  const idleHoldTimeSec = c.idleHoldTimeSec === undefined ? 1 : int(c.idleHoldTimeSec, 'idleHoldTimeSec', 0, 3600);
  return {
    localAsn,
    peerAsn,
    peerAsnRange,
    routerId: c.routerId,
    peerAddress: address(c.peerAddress, 'peerAddress'),
    name: peerName(c.name),
    peerPort: c.peerPort === undefined ? 179 : int(c.peerPort, 'peerPort', 1, 65535),
    localAddress: c.localAddress === undefined ? undefined : address(c.localAddress, 'localAddress'),
    localPort: optInt(c.localPort, 'localPort', 1, 65535),
    passive,
    activeOnly,
    holdTimeSec,
    keepaliveTimeSec,
    connectRetryTimeSec: c.connectRetryTimeSec === undefined ? 120 : int(c.connectRetryTimeSec, 'connectRetryTimeSec', 1, 65535),
    delayOpenTimeSec: c.delayOpenTimeSec === undefined ? 0 : int(c.delayOpenTimeSec, 'delayOpenTimeSec', 0, 240),
    idleHoldTimeSec,
    minRouteAdvertisementIntervalSec: c.minRouteAdvertisementIntervalSec === undefined ? 0 : int(c.minRouteAdvertisementIntervalSec, 'minRouteAdvertisementIntervalSec', 0, 600),
    maxIdleHoldTimeSec: c.maxIdleHoldTimeSec === undefined ? Math.max(120, idleHoldTimeSec) : int(c.maxIdleHoldTimeSec, 'maxIdleHoldTimeSec', idleHoldTimeSec, 3600),
    idleHoldResetSec: c.idleHoldResetSec === undefined ? 60 : int(c.idleHoldResetSec, 'idleHoldResetSec', 0, 86400),
    sendHoldTimeSec: optInt(c.sendHoldTimeSec, 'sendHoldTimeSec', 1, 65535),
    families: [...new Set(families)],
    addPath,
    routeRefresh: bool(c.routeRefresh, 'routeRefresh', true),
    enhancedRouteRefresh: bool(c.enhancedRouteRefresh, 'enhancedRouteRefresh', true),
    extendedMessage: bool(c.extendedMessage, 'extendedMessage', true),
    gracefulRestart:
      gr === undefined
        ? undefined
        : {
            restartTimeSec: gr.restartTimeSec === undefined ? 120 : int(gr.restartTimeSec, 'gracefulRestart.restartTimeSec', 0, 4095),
            forwardingState: bool(gr.forwardingState, 'gracefulRestart.forwardingState', false),
            stalePathTimeSec: gr.stalePathTimeSec === undefined ? 360 : int(gr.stalePathTimeSec, 'gracefulRestart.stalePathTimeSec', 1, 65535),
            notification: bool(gr.notification, 'gracefulRestart.notification', true),
          },
    restarting: bool(c.restarting, 'restarting', false),
    ttl,
    ttlSecurityHops,
    password,
    sendNotificationWithoutOpen: bool(c.sendNotificationWithoutOpen, 'sendNotificationWithoutOpen', true),
    gracefulShutdownWaitSec: c.gracefulShutdownWaitSec === undefined ? 0 : int(c.gracefulShutdownWaitSec, 'gracefulShutdownWaitSec', 0, 3600),
    maxPrefixes: c.maxPrefixes === undefined ? undefined : resolveMaxPrefixes(c.maxPrefixes, families),
    acceptLoopbackNextHop: bool(c.acceptLoopbackNextHop, 'acceptLoopbackNextHop', false),
  };
}

const MAX_PREFIXES_LIMIT = 0xffffffff;

function resolveMaxPrefixes(m: MaxPrefixesConfig, families: readonly FamilyName[]): ResolvedMaxPrefixes {
  if (typeof m !== 'object' || m === null) throw configError('maxPrefixes', 'must be an object { limit, warningThresholdPct?, restartSec?, warningOnly? }');
  const limits: Partial<Record<FamilyName, number>> = {};
  if (typeof m.limit === 'number' || m.limit === undefined) {
    const n = int(m.limit, 'maxPrefixes.limit', 1, MAX_PREFIXES_LIMIT);
    for (const f of families) limits[f] = n;
  } else if (typeof m.limit === 'object' && m.limit !== null) {
    for (const [k, v] of Object.entries(m.limit)) {
      if (!(k in FAMILIES)) throw configError(`maxPrefixes.limit.${k}`, 'unknown family (allowed: ipv4-unicast, ipv6-unicast)');
      if (v !== undefined) limits[k as FamilyName] = int(v, `maxPrefixes.limit.${k}`, 1, MAX_PREFIXES_LIMIT);
    }
    if (Object.keys(limits).length === 0) throw configError('maxPrefixes.limit', 'must give a limit for at least one family');
  } else {
    throw configError('maxPrefixes.limit', `must be a number or { 'ipv4-unicast'?: n, 'ipv6-unicast'?: n } (got ${JSON.stringify(m.limit)})`);
  }
  const warningOnly = bool(m.warningOnly, 'maxPrefixes.warningOnly', false);
  const restartSec = optInt(m.restartSec, 'maxPrefixes.restartSec', 1, 65535 * 60);
  if (warningOnly && restartSec !== undefined) throw configError('maxPrefixes.restartSec', 'cannot be combined with warningOnly (nothing is torn down)');
  return {
    limits,
    warningThresholdPct: m.warningThresholdPct === undefined ? 75 : int(m.warningThresholdPct, 'maxPrefixes.warningThresholdPct', 1, 100),
    restartSec,
    warningOnly,
  };
}

function peerName(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.length > 253) throw configError('name', 'must be a non-empty string of at most 253 characters');
  return v;
}
