/**
 * Flags of `tsbgp bfd`: parsing and validation into one BFD session's options. Every problem is a
 * UsageError naming the flag (exit status 2); the --auth secret never appears in a message. Owns
 * no I/O.
 */
import { isIP } from 'node:net';
import { BgpError } from '../bgp/errors.js';
import { resolveBfdProfile, type BfdProfile, type ResolvedBfdProfile } from '../bfd/bfd-config.js';
import { BfdError } from '../bfd/errors.js';
import { BFD_AUTH_TYPE_NAMES, checkBfdAuthConfig, type BfdAuthConfig, type BfdAuthTypeLabel } from '../bfd/session-auth.js';
import { UsageError } from './io.js';

export const BFD_USAGE = `usage: tsbgp bfd --local ADDRESS --peer ADDRESS [options]
  --local A              our address (source of our packets; we listen on it)
  --peer A               the peer's address (same family as --local)
  --multihop             RFC 5883 multihop session (UDP 4784) instead of single hop (RFC 5881, 3784)
  --rx MS                receive interval: Required Min RX, 10..60000 ms (default 300)
  --tx MS                transmit interval: Desired Min TX, 10..60000 ms (default 300)
  --multiplier N         detect multiplier, 2..255 (default 3)
  --passive              passive role: do not send until the peer has sent (RFC 5880 s6.1)
  --min-ttl N            lowest received TTL accepted, 1..254 (multihop only; default 254)
  --auth TYPE:KEYID:SECRET  authentication (RFC 5880 s6.7); TYPE: simple-password | keyed-md5 |
                         meticulous-keyed-md5 | keyed-sha1 | meticulous-keyed-sha1 (or simple, md5,
                         meticulous-md5, sha1, meticulous-sha1); KEYID 0..255; SECRET may contain ':'
  --port N               UDP port to listen on and send to (default 3784, multihop 4784)
  --events json|text     event output format (default text)
stdin: one JSON command per line: {"cmd": "snapshot"}, {"cmd": "adminDown"}, {"cmd": "adminUp"},
       {"cmd": "setParameters", "tx": MS, "rx": MS, "multiplier": N}, {"cmd": "shutdown"}
SIGTERM / SIGINT: the session goes AdminDown (the peer is told), exit 0`;

export interface BfdFlags {
  readonly localAddress: string;
  readonly peerAddress: string;
  readonly multihop: boolean;
  /** What the flags gave (undefined fields take the defaults). */
  readonly profile: BfdProfile;
  /** The profile with the defaults applied (for display). */
  readonly resolvedProfile: ResolvedBfdProfile;
  readonly auth: BfdAuthConfig | undefined;
  /** The UDP port for listening and sending; undefined: 3784 / 4784. */
  readonly port: number | undefined;
  readonly events: 'json' | 'text';
}

const VALUE_FLAGS = new Set(['--local', '--peer', '--rx', '--tx', '--multiplier', '--min-ttl', '--auth', '--port', '--events']);
const BOOL_FLAGS = new Set(['--multihop', '--passive']);

/** Short spellings of the Auth Types accepted by --auth. */
const AUTH_ALIASES: Readonly<Record<string, BfdAuthTypeLabel>> = {
  simple: 'simple-password',
  md5: 'keyed-md5',
  'meticulous-md5': 'meticulous-keyed-md5',
  sha1: 'keyed-sha1',
  'meticulous-sha1': 'meticulous-keyed-sha1',
};

/** The profile field each flag sets, to name the flag when resolveBfdProfile rejects a value. */
const PROFILE_FLAGS: Readonly<Record<string, string>> = {
  receiveInterval: '--rx',
  transmitInterval: '--tx',
  detectMultiplier: '--multiplier',
  minimumTtl: '--min-ttl',
};

function integer(flag: string, v: string): number {
  if (!/^\d{1,9}$/.test(v)) throw new UsageError(`${flag}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function address(flag: string, v: string): string {
  if (isIP(v.split('%')[0]!) === 0) throw new UsageError(`${flag}: expected an IPv4 or IPv6 address, got ${JSON.stringify(v)}`);
  return v;
}

/** TYPE:KEYID:SECRET; the secret (everything after the second ':') is never echoed. */
function parseAuth(v: string): BfdAuthConfig {
  const first = v.indexOf(':');
  const second = first < 0 ? -1 : v.indexOf(':', first + 1);
  if (second < 0) throw new UsageError('--auth: expected TYPE:KEYID:SECRET');
  const typeText = v.slice(0, first);
  const keyIdText = v.slice(first + 1, second);
  const secret = v.slice(second + 1);
  const type = Object.hasOwn(BFD_AUTH_TYPE_NAMES, typeText) ? (typeText as BfdAuthTypeLabel) : Object.hasOwn(AUTH_ALIASES, typeText) ? AUTH_ALIASES[typeText]! : undefined;
  if (type === undefined) {
    throw new UsageError(`--auth: unknown type ${JSON.stringify(typeText)} (${[...Object.keys(BFD_AUTH_TYPE_NAMES), ...Object.keys(AUTH_ALIASES)].join(', ')})`);
  }
  if (!/^\d{1,3}$/.test(keyIdText) || Number(keyIdText) > 255) throw new UsageError(`--auth: KEYID must be an integer in 0..255, got ${JSON.stringify(keyIdText)}`);
  const auth: BfdAuthConfig = { type, keyId: Number(keyIdText), secret };
  try {
    checkBfdAuthConfig(auth);
  } catch (e) {
    // checkBfdAuthConfig names the field and the allowed length, never the secret.
    /* c8 ignore next */
    throw new UsageError(`--auth: ${e instanceof BfdError ? e.message.replace(/^auth: /, '') : 'invalid'}`);
  }
  return auth;
}

/** Parses argv (after `bfd`). Throws UsageError naming the flag. */
export function parseBfdFlags(argv: readonly string[]): BfdFlags {
  const values = new Map<string, string>();
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
      if (arg === '--help' || arg === '-h') throw new UsageError(BFD_USAGE);
      throw new UsageError(`${arg}: unknown flag (tsbgp bfd --help)`);
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`${arg}: needs a value`);
    if (values.has(arg)) throw new UsageError(`${arg}: given more than once`);
    values.set(arg, v);
  }
  const required = (f: string): string => {
    const v = values.get(f);
    if (v === undefined) throw new UsageError(`${f}: required`);
    return v;
  };
  const localAddress = address('--local', required('--local'));
  const peerAddress = address('--peer', required('--peer'));
  if (isIP(localAddress.split('%')[0]!) !== isIP(peerAddress.split('%')[0]!)) {
    throw new UsageError(`--peer: ${peerAddress} is not of the address family of --local ${localAddress}`);
  }
  const multihop = bools.has('--multihop');
  const num = (f: string): number | undefined => (values.has(f) ? integer(f, values.get(f)!) : undefined);
  const profile: BfdProfile = {
    receiveInterval: num('--rx'),
    transmitInterval: num('--tx'),
    detectMultiplier: num('--multiplier'),
    passiveMode: bools.has('--passive') ? true : undefined,
    minimumTtl: num('--min-ttl'),
  };
  if (profile.minimumTtl !== undefined && !multihop) throw new UsageError('--min-ttl: applies to multihop sessions only (add --multihop); single hop accepts TTL 255 only');
  let resolvedProfile: ResolvedBfdProfile;
  try {
    resolvedProfile = resolveBfdProfile(profile);
  } catch (e) {
    /* c8 ignore next */
    if (!(e instanceof BgpError)) throw e;
    const field = e.message.slice(0, e.message.indexOf(':'));
    /* c8 ignore next */
    const flag = PROFILE_FLAGS[field] ?? field;
    throw new UsageError(`${flag}: ${e.message.slice(e.message.indexOf(':') + 1).trim()}`);
  }
  const port = num('--port');
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError(`--port: expected an integer in 1..65535, got ${port}`);
  const auth = values.has('--auth') ? parseAuth(values.get('--auth')!) : undefined;
  const events = values.get('--events') ?? 'text';
  if (events !== 'json' && events !== 'text') throw new UsageError(`--events: expected json or text, got ${JSON.stringify(events)}`);
  return { localAddress, peerAddress, multihop, profile, resolvedProfile, auth, port, events };
}
