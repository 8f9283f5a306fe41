/**
 * Flags of `tsbgp session`: parsing and validation into a speaker + peer configuration and the
 * routes to announce. Every problem is a UsageError naming the flag (exit status 2). Owns no I/O.
 */
import { BgpError } from '../bgp/errors.js';
import { parseAddress, parseIpv4 } from '../bgp/prefix/address.js';
import type { AddPathMode, FamilyName, MaxPrefixesConfig } from '../bgp/session/session-config.js';
import type { SpeakerPeerConfig } from '../bgp/session/bgp-speaker.js';
import { type Advertisement, normalizeAdvertisement } from '../rib/advertisement.js';
import { resolveBfdProfile, type BfdProfile } from '../bfd/bfd-config.js';
import { UsageError } from './io.js';

export const SESSION_USAGE = `usage: tsbgp session --local-as N --peer ADDRESS --peer-as N [options]
  --local-address A      source address (and listening address); default: any
  --router-id ID         BGP Identifier; default --local-address when IPv4
  --port N               peer's TCP port and our listening port (default 179)
  --listen-port N        listening port when it differs from --port (0 = do not listen)
  --passive              never connect; wait for the peer
  --hold-time S          offered hold time: 0 or 3..65535 (default 90)
  --keepalive S          keepalive interval (default hold/3)
  --connect-retry S      ConnectRetryTime (default 120)
  --mrai S               MinRouteAdvertisementInterval between rounds of UPDATEs (default 0)
  --announce PREFIX      announce PREFIX (repeatable; IPv4 or IPv6)
  --next-hop A           next hop of the announced routes of A's family (default: next-hop self)
  --community A:B        standard community (repeatable; well-known names accepted)
  --large-community A:B:C  large community (repeatable)
  --local-pref N         LOCAL_PREF (sent to iBGP peers only)
  --med N                MULTI_EXIT_DISC
  --prepend N            prepend our AS N more times
  --graceful-restart S   advertise graceful restart with restart time S (RFC 4724)
  --add-path MODE        send | receive | both, for IPv4 and IPv6 unicast (RFC 7911)
  --password SECRET      TCP-MD5 (RFC 2385); needs the native addon
  --ttl-security         GTSM (RFC 5082); needs the native addon
  --ttl N                outgoing TTL (eBGP multihop)
  --family F             ipv4 | ipv6 | both (default both)
  --max-prefixes N[:RESTART_SEC]  at most N routes per family from the peer (RFC 4486): more is
                         Cease 6/1 and the session stays down, or restarts after RESTART_SEC
  --max-prefixes-threshold PCT    warn at PCT % of N (default 75)
  --max-prefixes-warning-only     only warn above N, never tear down
  --events json|text     event output format (default text)
  --bfd                  run BFD with the peer (RFC 5881 single hop; needs --local-address) and
                         tear BGP down with Cease / BFD Down when it fails (RFC 5882, RFC 9384)
  --bfd-rx MS / --bfd-tx MS / --bfd-multiplier N   BFD profile (default 300 / 300 / 3; imply --bfd)
  --bfd-multihop         RFC 5883 multihop BFD (UDP 4784)
  --bfd-passive          BFD passive role: wait for the peer's first packet
  --bfd-wait             do not start BGP until BFD is Up; stay down while BFD is down
  --bfd-port N           BFD UDP port, both ends (default 3784, multihop 4784)
stdin: one JSON command per line: {"announce": {...}}, {"withdraw": {...}}, {"routeRefresh": {...}},
       {"dump": "adj-rib-in" | "adj-rib-out" | "snapshot"}, {"shutdown": {"message": "..."}}`;

export interface SessionFlags {
  readonly asn: number;
  readonly routerId: string;
  readonly listen: { address: string; port: number } | false;
  readonly peer: SpeakerPeerConfig;
  readonly announce: readonly Advertisement[];
  /** Route attributes given by flags, applied to --announce routes and as defaults of stdin announces. */
  readonly routeDefaults: Omit<Advertisement, 'prefix'> & { readonly nextHop4?: string | undefined; readonly nextHop6?: string | undefined };
  readonly events: 'json' | 'text';
  /** BFD for the peer, when asked for. */
  readonly bfd?: SessionBfdFlags | undefined;
}

export interface SessionBfdFlags {
  readonly profile: BfdProfile;
  readonly multihop: boolean;
  readonly waitForBfdUp: boolean;
  readonly port: number | undefined;
}

const VALUE_FLAGS = new Set([
  '--local-address',
  '--local-as',
  '--router-id',
  '--peer',
  '--peer-as',
  '--port',
  '--listen-port',
  '--hold-time',
  '--keepalive',
  '--connect-retry',
  '--mrai',
  '--announce',
  '--next-hop',
  '--community',
  '--large-community',
  '--local-pref',
  '--med',
  '--prepend',
  '--graceful-restart',
  '--add-path',
  '--password',
  '--ttl',
  '--family',
  '--events',
  '--bfd-rx',
  '--bfd-tx',
  '--bfd-multiplier',
  '--bfd-port',
  '--max-prefixes',
  '--max-prefixes-threshold',
]);
const BOOL_FLAGS = new Set(['--passive', '--ttl-security', '--bfd', '--bfd-multihop', '--bfd-passive', '--bfd-wait', '--max-prefixes-warning-only']);
const REPEATABLE = new Set(['--announce', '--community', '--large-community']);

function intFlag(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`${flag}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return Number(v);
}

function addressFlag(flag: string, v: string): string {
  try {
    parseAddress(v);
  } catch {
    throw new UsageError(`${flag}: expected an IPv4 or IPv6 address, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Parses argv (after `session`). Throws UsageError naming the flag. */
export function parseSessionFlags(argv: readonly string[]): SessionFlags {
  const values = new Map<string, string[]>();
  const bools = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (BOOL_FLAGS.has(arg)) {
      if (inline !== undefined) throw new UsageError(`${arg}: takes no value`);
      bools.add(arg);
      continue;
    }
    if (!VALUE_FLAGS.has(arg)) {
      if (arg === '--help' || arg === '-h') throw new UsageError(SESSION_USAGE.split('\n')[0]!);
      throw new UsageError(`${arg}: unknown flag (tsbgp session --help)`);
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`${arg}: needs a value`);
    const list = values.get(arg) ?? [];
    if (list.length > 0 && !REPEATABLE.has(arg)) throw new UsageError(`${arg}: given more than once`);
    list.push(v);
    values.set(arg, list);
  }
  const one = (f: string): string | undefined => values.get(f)?.[0];
  const required = (f: string): string => {
    const v = one(f);
    if (v === undefined) throw new UsageError(`${f}: required`);
    return v;
  };
  const asn = intFlag('--local-as', required('--local-as'), 1, 0xffffffff);
  const peerAddress = addressFlag('--peer', required('--peer'));
  const peerAsn = intFlag('--peer-as', required('--peer-as'), 1, 0xffffffff);
  const localAddress = one('--local-address') === undefined ? undefined : addressFlag('--local-address', one('--local-address')!);
  let routerId = one('--router-id');
  if (routerId === undefined) {
    if (localAddress === undefined || localAddress.includes(':')) throw new UsageError('--router-id: required unless --local-address is IPv4');
    routerId = localAddress;
  }
  try {
    if (parseIpv4(routerId) === 0) throw new Error('zero');
  } catch {
    throw new UsageError(`--router-id: expected a non-zero dotted quad, got ${JSON.stringify(routerId)}`);
  }
  const port = one('--port') === undefined ? 179 : intFlag('--port', one('--port')!, 1, 65535);
  const listenPort = one('--listen-port') === undefined ? port : intFlag('--listen-port', one('--listen-port')!, 0, 65535);
  const holdTimeSec = one('--hold-time') === undefined ? undefined : intFlag('--hold-time', one('--hold-time')!, 0, 65535);
  if (holdTimeSec === 1 || holdTimeSec === 2) throw new UsageError('--hold-time: must be 0 or at least 3 seconds (RFC 4271 s4.2)');
  const keepaliveTimeSec = one('--keepalive') === undefined ? undefined : intFlag('--keepalive', one('--keepalive')!, 0, 21845);
  const connectRetryTimeSec = one('--connect-retry') === undefined ? undefined : intFlag('--connect-retry', one('--connect-retry')!, 1, 65535);
  const grSec = one('--graceful-restart') === undefined ? undefined : intFlag('--graceful-restart', one('--graceful-restart')!, 0, 4095);
  const addPathText = one('--add-path');
  if (addPathText !== undefined && !['send', 'receive', 'both'].includes(addPathText)) throw new UsageError(`--add-path: expected send, receive or both, got ${JSON.stringify(addPathText)}`);
  const familyText = one('--family') ?? 'both';
  if (!['ipv4', 'ipv6', 'both'].includes(familyText)) throw new UsageError(`--family: expected ipv4, ipv6 or both, got ${JSON.stringify(familyText)}`);
  const families: FamilyName[] = familyText === 'ipv4' ? ['ipv4-unicast'] : familyText === 'ipv6' ? ['ipv6-unicast'] : ['ipv4-unicast', 'ipv6-unicast'];
  const addPath: Partial<Record<FamilyName, AddPathMode>> = {};
  if (addPathText !== undefined) for (const f of families) addPath[f] = addPathText as AddPathMode;
  const password = one('--password');
  if (password !== undefined && (password.length === 0 || Buffer.byteLength(password) > 80)) throw new UsageError('--password: must be 1..80 octets');
  const ttl = one('--ttl') === undefined ? undefined : intFlag('--ttl', one('--ttl')!, 1, 255);
  const ttlSecurity = bools.has('--ttl-security');
  if (ttl !== undefined && ttlSecurity) throw new UsageError('--ttl: cannot be combined with --ttl-security');
  const events = one('--events') ?? 'text';
  if (events !== 'json' && events !== 'text') throw new UsageError(`--events: expected json or text, got ${JSON.stringify(events)}`);

  const nextHop = one('--next-hop') === undefined ? undefined : addressFlag('--next-hop', one('--next-hop')!);
  const communities = values.get('--community') ?? [];
  const largeCommunities = values.get('--large-community') ?? [];
  const localPref = one('--local-pref') === undefined ? undefined : intFlag('--local-pref', one('--local-pref')!, 0, 0xffffffff);
  const med = one('--med') === undefined ? undefined : intFlag('--med', one('--med')!, 0, 0xffffffff);
  const prepend = one('--prepend') === undefined ? undefined : intFlag('--prepend', one('--prepend')!, 0, 64);
  const routeDefaults = {
    nextHop4: nextHop !== undefined && !nextHop.includes(':') ? nextHop : undefined,
    nextHop6: nextHop !== undefined && nextHop.includes(':') ? nextHop : undefined,
    communities,
    largeCommunities,
    localPref,
    med,
    asPathPrepend: prepend === undefined ? undefined : { count: prepend },
  };
  // Validate the route attributes once, naming the flag.
  for (const [flag, adv] of [
    ['--community', { prefix: '0.0.0.0/0', communities }],
    ['--large-community', { prefix: '0.0.0.0/0', largeCommunities }],
  ] as const) {
    try {
      normalizeAdvertisement(adv);
    } catch (e) {
      throw new UsageError(`${flag}: ${e instanceof BgpError ? e.message : String(e)}`);
    }
  }
  const bfd = parseBfdFlags(values, bools, localAddress);
  const maxPrefixes = parseMaxPrefixesFlags(values, bools);
  const announce: Advertisement[] = [];
  for (const p of values.get('--announce') ?? []) {
    const adv = withDefaults({ prefix: p }, routeDefaults);
    try {
      normalizeAdvertisement(adv);
    } catch (e) {
      throw new UsageError(`--announce: ${e instanceof BgpError ? e.message : String(e)}`);
    }
    announce.push(adv);
  }
  return {
    asn,
    routerId,
    listen: listenPort === 0 ? false : { address: localAddress ?? '::', port: listenPort },
    peer: {
      peerAddress,
      peerAsn,
      peerPort: port,
      localAddress,
      passive: bools.has('--passive'),
      holdTimeSec,
      keepaliveTimeSec,
      connectRetryTimeSec,
      minRouteAdvertisementIntervalSec: one('--mrai') === undefined ? undefined : intFlag('--mrai', one('--mrai')!, 0, 600),
      families,
      addPath,
      gracefulRestart: grSec === undefined ? undefined : { restartTimeSec: grSec, forwardingState: true },
      password,
      ttl,
      ttlSecurityHops: ttlSecurity ? 1 : undefined,
      maxPrefixes,
    },
    announce,
    routeDefaults,
    events,
    bfd,
  };
}

/** The --bfd* flags: undefined when none is given. */
function parseBfdFlags(values: ReadonlyMap<string, string[]>, bools: ReadonlySet<string>, localAddress: string | undefined): SessionBfdFlags | undefined {
  const any = bools.has('--bfd') || [...values.keys(), ...bools].some((f) => f.startsWith('--bfd-'));
  if (!any) return undefined;
  const flag = bools.has('--bfd') ? '--bfd' : [...values.keys(), ...bools].find((f) => f.startsWith('--bfd-'))!;
  if (localAddress === undefined) throw new UsageError(`${flag}: needs --local-address (BFD binds its UDP sockets to it)`);
  const one = (f: string): string | undefined => values.get(f)?.[0];
  const profile: BfdProfile = {
    receiveInterval: one('--bfd-rx') === undefined ? undefined : intFlag('--bfd-rx', one('--bfd-rx')!, 10, 60000),
    transmitInterval: one('--bfd-tx') === undefined ? undefined : intFlag('--bfd-tx', one('--bfd-tx')!, 10, 60000),
    detectMultiplier: one('--bfd-multiplier') === undefined ? undefined : intFlag('--bfd-multiplier', one('--bfd-multiplier')!, 2, 255),
    passiveMode: bools.has('--bfd-passive'),
  };
  resolveBfdProfile(profile); // the ranges above are the profile's; this cannot fail, but keeps them in step
  return {
    profile,
    multihop: bools.has('--bfd-multihop'),
    waitForBfdUp: bools.has('--bfd-wait'),
    port: one('--bfd-port') === undefined ? undefined : intFlag('--bfd-port', one('--bfd-port')!, 1, 65535),
  };
}

/** The --max-prefixes* flags: undefined without --max-prefixes. */
function parseMaxPrefixesFlags(values: ReadonlyMap<string, string[]>, bools: ReadonlySet<string>): MaxPrefixesConfig | undefined {
  const text = values.get('--max-prefixes')?.[0];
  const threshold = values.get('--max-prefixes-threshold')?.[0];
  const warningOnly = bools.has('--max-prefixes-warning-only');
  if (text === undefined) {
    if (threshold !== undefined) throw new UsageError('--max-prefixes-threshold: needs --max-prefixes');
    if (warningOnly) throw new UsageError('--max-prefixes-warning-only: needs --max-prefixes');
    return undefined;
  }
  const m = /^(\d+)(?::(\d+))?$/.exec(text);
  const limit = m === null ? NaN : Number(m[1]);
  const restartSec = m?.[2] === undefined ? undefined : Number(m[2]);
  if (m === null || limit < 1 || limit > 0xffffffff || (restartSec !== undefined && (restartSec < 1 || restartSec > 65535 * 60))) {
    throw new UsageError(`--max-prefixes: expected N[:RESTART_SEC] with N in 1..4294967295 and RESTART_SEC in 1..3932100, got ${JSON.stringify(text)}`);
  }
  if (warningOnly && restartSec !== undefined) throw new UsageError('--max-prefixes-warning-only: cannot be combined with a restart time in --max-prefixes');
  return {
    limit,
    warningThresholdPct: threshold === undefined ? undefined : intFlag('--max-prefixes-threshold', threshold, 1, 100),
    restartSec,
    warningOnly,
  };
}

/** An advertisement with the flag defaults filled in where it says nothing. */
export function withDefaults(a: Advertisement, d: SessionFlags['routeDefaults']): Advertisement {
  const v6 = a.prefix.includes(':');
  return {
    ...a,
    nextHop: a.nextHop ?? (v6 ? d.nextHop6 : d.nextHop4),
    communities: a.communities ?? d.communities,
    largeCommunities: a.largeCommunities ?? d.largeCommunities,
    localPref: a.localPref ?? d.localPref,
    med: a.med ?? d.med,
    asPathPrepend: a.asPathPrepend ?? d.asPathPrepend,
  };
}
