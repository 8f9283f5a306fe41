/**
 * The optional native addon `tsbgp_sockopt` (native/sockopt.c) and typed wrappers around it.
 *
 * Owns: finding and loading the addon (once, lazily), the reason it is unavailable, the test hook
 * that forces either state, and turning the addon's errors into BgpErrors. Must not touch a
 * socket's lifecycle (connect, listen, close belong to the TCP adapter) and never puts a TCP-MD5
 * password, or anything derived from it, into a message, a property or a log.
 *
 * Without the addon the library still speaks BGP over plain TCP; asking for TCP-MD5 or GTSM then
 * fails loudly with ERR_BGP_TCP_MD5_UNSUPPORTED / ERR_BGP_TTL_SECURITY_UNSUPPORTED, never silently.
 * The UDP functions for BFD (`createUdpSocket`, `setUdpMinTtl`) are optional: an addon built
 * before they existed still provides everything else, and `udpTtlFilterAvailable()` says whether
 * the BFD transport can filter received packets by TTL (ERR_UDP_TTL_FILTER_UNSUPPORTED otherwise).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BgpError } from '../errors.js';

/** IPv4-level and IPv6-level values of a TTL option; a dual-stack IPv6 socket has both. */
export interface TtlPair {
  readonly ipv4?: number;
  readonly ipv6?: number;
}

/**
 * The addon's exports (see native/sockopt.c for the system calls behind each). Every function
 * throws an Error with `errno`, `code`, `syscall` and `option` when the kernel refuses.
 */
export interface NativeSocketOptions {
  /** A new unconnected TCP socket fd (non-blocking, close-on-exec) for `new net.Socket({ fd })`. */
  createSocket(family: 4 | 6): number;
  /** Closes an fd from `createSocket` that was never handed to node:net. */
  closeSocket(fd: number): void;
  /** Sets (1..80 byte key) or removes (absent/empty key) the TCP-MD5 key for one peer address. */
  setTcpMd5(fd: number, peerAddress: string, key?: Uint8Array | null): void;
  /** IP_MINTTL / IPV6_MINHOPCOUNT (both on dual-stack); 0 disables. */
  setMinTtl(fd: number, minTtl: number): void;
  /** IP_TTL / IPV6_UNICAST_HOPS (both on dual-stack), 1..255, or -1 for the kernel default. */
  setTtl(fd: number, ttl: number): void;
  getMinTtl(fd: number): TtlPair;
  getTtl(fd: number): TtlPair;
  /** TCP_SAVE_SYN on a listener. */
  setSaveSyn(fd: number, on: boolean): void;
  /** TTL / hop limit of the SYN that opened an accepted socket (once), when its listener saved it. */
  getSavedSynTtl(fd: number): number | undefined;
  /** TCP_MD5SIG_MAXKEYLEN (80). */
  readonly maxKeyLength: number;
  /**
   * A new UDP socket fd (non-blocking, close-on-exec, IPV6_V6ONLY for family 6, no SO_REUSEADDR)
   * bound to address:port, with the minimum-TTL filter attached before bind when minTtl > 0, for
   * `dgram.createSocket(...).bind({ fd })`. Optional: absent from addons built before it existed.
   */
  createUdpSocket?(family: 4 | 6, address: string, port: number, minTtl: number, reusePort?: boolean): number;
  /** Replaces the minimum-TTL filter of a socket from `createUdpSocket` (0 removes it). Optional. */
  setUdpMinTtl?(fd: number, minTtl: number): void;
}

/** The addon when it has the UDP functions for BFD. */
type NativeUdpSocketOptions = NativeSocketOptions & Required<Pick<NativeSocketOptions, 'createUdpSocket' | 'setUdpMinTtl'>>;

/** What needs the addon; each has its own error code. */
export type NativeFeature = 'tcp-md5' | 'ttl-security' | 'ttl' | 'udp-ttl-filter';

/** RFC 2385 / Linux TCP_MD5SIG_MAXKEYLEN: the longest TCP-MD5 key, in bytes. */
export const TCP_MD5_MAX_KEY_BYTES = 80;

/** The addon relative to the package root, where scripts/build-native.mjs leaves it. */
const ADDON_PATH = ['native', 'build', 'Release', 'tsbgp_sockopt.node'] as const;
const PACKAGE_NAME = 'tsbgp';
/** src/bgp/transport and dist/bgp/transport are 3 levels deep; leave room for other build layouts. */
const MAX_PARENT_LEVELS = 8;
const FUNCTIONS = ['createSocket', 'closeSocket', 'setTcpMd5', 'setMinTtl', 'setTtl', 'getMinTtl', 'getTtl', 'setSaveSyn', 'getSavedSynTtl'] as const;

const FEATURES: Readonly<Record<NativeFeature, { code: string; what: string; rfc: string | undefined }>> = {
  'tcp-md5': { code: 'ERR_BGP_TCP_MD5_UNSUPPORTED', what: 'TCP-MD5 (RFC 2385)', rfc: 'RFC 2385' },
  'ttl-security': { code: 'ERR_BGP_TTL_SECURITY_UNSUPPORTED', what: 'TTL security (RFC 5082 GTSM)', rfc: 'RFC 5082' },
  ttl: { code: 'ERR_BGP_TTL_UNSUPPORTED', what: 'setting the IP TTL', rfc: undefined },
  'udp-ttl-filter': { code: 'ERR_UDP_TTL_FILTER_UNSUPPORTED', what: 'checking the TTL of received UDP packets (BFD, RFC 5881 s5)', rfc: 'RFC 5881' },
};

interface LoadState {
  readonly native: NativeSocketOptions | undefined;
  readonly reason: string | undefined;
}

let state: LoadState | undefined;

/**
 * The addon, or undefined when it is unavailable (see `nativeSocketOptionsUnavailableReason`).
 * Loaded on the first call. `TSBGP_NO_NATIVE=1` in the environment at that moment disables it.
 */
export function nativeSocketOptions(): NativeSocketOptions | undefined {
  state ??= load();
  return state.native;
}

/** Why the addon is unavailable, or undefined when it is loaded. */
export function nativeSocketOptionsUnavailableReason(): string | undefined {
  state ??= load();
  return state.reason;
}

/**
 * Test hook. `null` forces "addon unavailable", an object replaces the addon (a fake that throws
 * reaches the error paths), `undefined` forgets both and loads the real addon again on next use.
 */
export function setNativeSocketOptionsForTesting(value: NativeSocketOptions | null | undefined): void {
  if (value === undefined) state = undefined;
  else if (value === null) state = { native: undefined, reason: 'disabled for testing' };
  else state = { native: value, reason: undefined };
}

/** The addon; throws the feature's BgpError (e.g. ERR_BGP_TCP_MD5_UNSUPPORTED) when it is unavailable. */
export function requireNativeSocketOptions(feature: NativeFeature): NativeSocketOptions {
  const native = nativeSocketOptions();
  if (native) return native;
  const f = FEATURES[feature];
  throw new BgpError(
    f.code,
    `${f.what} needs the native addon tsbgp_sockopt, which is unavailable: ${nativeSocketOptionsUnavailableReason()}`,
    { rfc: f.rfc },
  );
}

/**
 * A socket option the kernel refused (code ERR_BGP_SOCKET_OPTION). Carries the OS errno, its
 * name, the system call and the option; `cause` is the addon's original error.
 */
export class SocketOptionError extends BgpError {
  /** Positive OS errno (e.g. 22), when the kernel refused. */
  readonly errno: number | undefined;
  /** Its name (e.g. "EINVAL"), or the addon's argument-error code. */
  readonly systemCode: string | undefined;
  readonly syscall: string | undefined;
  /** The option, e.g. "TCP_MD5SIG". */
  readonly option: string | undefined;

  /** `action` says what was attempted ("setting the TCP-MD5 key for peer 192.0.2.1"); never a secret. */
  constructor(action: string, cause: unknown) {
    const c = (typeof cause === 'object' && cause !== null ? cause : {}) as Partial<Record<'errno' | 'code' | 'syscall' | 'option' | 'message', unknown>>;
    const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    const systemCode = text(c.code);
    const detail = text(c.message) ?? String(cause);
    super('ERR_BGP_SOCKET_OPTION', `${action} failed: ${detail}${systemCode ? ` (${systemCode})` : ''}`, { cause });
    this.name = 'SocketOptionError';
    this.errno = typeof c.errno === 'number' ? c.errno : undefined;
    this.systemCode = systemCode;
    this.syscall = text(c.syscall);
    this.option = text(c.option);
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      ...(this.errno === undefined ? {} : { errno: this.errno }),
      ...(this.systemCode === undefined ? {} : { systemCode: this.systemCode }),
      ...(this.syscall === undefined ? {} : { syscall: this.syscall }),
      ...(this.option === undefined ? {} : { option: this.option }),
    };
  }
}

/**
 * Checks a TCP-MD5 password's length without keeping a copy: 1..80 bytes as UTF-8. Throws
 * ERR_BGP_VALUE_OUT_OF_RANGE (the message names the limit, never the password).
 */
export function checkTcpMd5Password(password: string): void {
  if (typeof password !== 'string') {
    throw new BgpError('ERR_BGP_BAD_VALUE', 'the TCP-MD5 password must be a string', { rfc: 'RFC 2385' });
  }
  if (Buffer.byteLength(password, 'utf8') > TCP_MD5_MAX_KEY_BYTES) {
    throw new BgpError('ERR_BGP_VALUE_OUT_OF_RANGE', `the TCP-MD5 password is longer than ${TCP_MD5_MAX_KEY_BYTES} bytes`, { rfc: 'RFC 2385' });
  }
}

/**
 * Sets (non-empty password) or removes (undefined or '') the TCP-MD5 key for `peerAddress`
 * (canonical text, no zone) on `fd`. Setting needs the addon (ERR_BGP_TCP_MD5_UNSUPPORTED);
 * removing without the addon does nothing, as no key can have been set. The key bytes are
 * wiped after the call.
 */
export function setTcpMd5Key(fd: number, peerAddress: string, password: string | undefined): void {
  const removing = password === undefined || password === '';
  const native = removing ? nativeSocketOptions() : requireNativeSocketOptions('tcp-md5');
  if (!native) return;
  let key: Buffer | undefined;
  if (!removing) {
    checkTcpMd5Password(password);
    key = Buffer.from(password, 'utf8');
  }
  try {
    native.setTcpMd5(fd, peerAddress, key);
  } catch (e) {
    throw new SocketOptionError(`${removing ? 'removing' : 'setting'} the TCP-MD5 key for peer ${peerAddress}`, e);
  } finally {
    key?.fill(0);
  }
}

/** Sets the sent TTL / hop limit (1..255, or 'default'). Needs the addon (ERR_BGP_TTL_UNSUPPORTED). */
export function setSocketTtl(fd: number, ttl: number | 'default', feature: NativeFeature = 'ttl'): void {
  const native = requireNativeSocketOptions(feature);
  try {
    native.setTtl(fd, ttl === 'default' ? -1 : ttl);
  } catch (e) {
    throw new SocketOptionError(`setting the IP TTL to ${ttl}`, e);
  }
}

/** Sets the GTSM minimum received TTL (0 disables). Needs the addon (ERR_BGP_TTL_SECURITY_UNSUPPORTED). */
export function setSocketMinTtl(fd: number, minTtl: number): void {
  const native = requireNativeSocketOptions('ttl-security');
  try {
    native.setMinTtl(fd, minTtl);
  } catch (e) {
    throw new SocketOptionError(`setting the minimum received TTL to ${minTtl}`, e);
  }
}

/** Turns TCP_SAVE_SYN on or off on a listener. Needs the addon (ERR_BGP_TTL_SECURITY_UNSUPPORTED). */
export function setListenerSaveSyn(fd: number, on: boolean): void {
  const native = requireNativeSocketOptions('ttl-security');
  try {
    native.setSaveSyn(fd, on);
  } catch (e) {
    throw new SocketOptionError(`${on ? 'enabling' : 'disabling'} TCP_SAVE_SYN`, e);
  }
}

/** The TTL the accepted socket's SYN arrived with, when its listener saved it (read once). */
export function readSavedSynTtl(fd: number): number | undefined {
  const native = requireNativeSocketOptions('ttl-security');
  try {
    return native.getSavedSynTtl(fd);
  } catch (e) {
    throw new SocketOptionError('reading the saved SYN', e);
  }
}

/** The socket's sent TTL / hop limit (diagnostics). Needs the addon. */
export function readSocketTtl(fd: number): TtlPair {
  const native = requireNativeSocketOptions('ttl');
  try {
    return native.getTtl(fd);
  } catch (e) {
    throw new SocketOptionError('reading the IP TTL', e);
  }
}

/** The socket's GTSM minimum received TTL (diagnostics). Needs the addon. */
export function readSocketMinTtl(fd: number): TtlPair {
  const native = requireNativeSocketOptions('ttl-security');
  try {
    return native.getMinTtl(fd);
  } catch (e) {
    throw new SocketOptionError('reading the minimum received TTL', e);
  }
}

/** True when the addon is loaded and has the UDP functions (`createUdpSocket`, `setUdpMinTtl`). */
export function udpTtlFilterAvailable(): boolean {
  return hasUdpFunctions(nativeSocketOptions());
}

/** Why UDP TTL filtering is unavailable, or undefined when it is available. */
export function udpTtlFilterUnavailableReason(): string | undefined {
  const native = nativeSocketOptions();
  if (native === undefined) return nativeSocketOptionsUnavailableReason();
  return hasUdpFunctions(native) ? undefined : 'the built addon predates createUdpSocket / setUdpMinTtl (rebuild it: "npm run install")';
}

function hasUdpFunctions(native: NativeSocketOptions | undefined): native is NativeUdpSocketOptions {
  return native !== undefined && typeof native.createUdpSocket === 'function' && typeof native.setUdpMinTtl === 'function';
}

/** The addon with its UDP functions; throws ERR_UDP_TTL_FILTER_UNSUPPORTED (a BgpError) otherwise. */
function requireUdpSocketOptions(): NativeUdpSocketOptions {
  const native = nativeSocketOptions();
  if (hasUdpFunctions(native)) return native;
  const f = FEATURES['udp-ttl-filter'];
  throw new BgpError(f.code, `${f.what} needs the native addon tsbgp_sockopt with UDP support, which is unavailable: ${udpTtlFilterUnavailableReason()}`, {
    rfc: f.rfc,
  });
}

/**
 * A new UDP socket fd bound to `address`:`port` (IPv6 may carry a `%zone`), dropping received
 * packets whose TTL / hop limit is below `minTtl` (0: no check) from the first packet on. Throws
 * ERR_UDP_TTL_FILTER_UNSUPPORTED without the addon's UDP support, and SocketOptionError
 * (ERR_BGP_SOCKET_OPTION, `systemCode` e.g. "EADDRINUSE") when the kernel refuses. The caller owns
 * the fd: hand it to `dgram` (`bind({ fd })`) or close it with `closeSocketFd`. `reusePort` sets
 * SO_REUSEPORT (several sockets of this process sharing the port; see native/sockopt.c).
 */
export function createUdpSocketFd(family: 4 | 6, address: string, port: number, minTtl: number, reusePort = false): number {
  const native = requireUdpSocketOptions();
  try {
    return native.createUdpSocket(family, address, port, minTtl, reusePort);
  } catch (e) {
    throw new SocketOptionError(`creating an IPv${family} UDP socket bound to ${family === 6 ? `[${address}]` : address}:${port}`, e);
  }
}

/** Replaces the minimum received TTL of a socket from `createUdpSocketFd` (0 removes the check). */
export function setUdpSocketMinTtl(fd: number, minTtl: number): void {
  const native = requireUdpSocketOptions();
  try {
    native.setUdpMinTtl(fd, minTtl);
  } catch (e) {
    throw new SocketOptionError(`setting the minimum received UDP TTL to ${minTtl}`, e);
  }
}

/** A new unconnected TCP socket fd; `feature` names what it is for in the "unavailable" error. */
export function createSocketFd(family: 4 | 6, feature: NativeFeature): number {
  const native = requireNativeSocketOptions(feature);
  try {
    return native.createSocket(family);
  } catch (e) {
    throw new SocketOptionError(`creating an IPv${family} TCP socket`, e);
  }
}

/** Closes an fd from `createSocketFd` that node:net never took over. Best effort: errors are ignored. */
export function closeSocketFd(fd: number): void {
  try {
    nativeSocketOptions()?.closeSocket(fd);
  } catch {
    // nothing useful can be done about a failed close of a socket that never carried traffic
  }
}

function load(): LoadState {
  if (process.env['TSBGP_NO_NATIVE'] === '1') return unavailable('disabled by TSBGP_NO_NATIVE=1');
  if (process.platform !== 'linux') return unavailable(`it supports Linux only, this is ${process.platform}`);
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  if (root === undefined) return unavailable(`the ${PACKAGE_NAME} package root was not found`);
  return loadAddonFile(join(root, ...ADDON_PATH));
}

/**
 * Loads the addon from `path` and checks it has every function; otherwise says why not.
 * (Exported for tests; the library calls it with the built path only.)
 */
export function loadAddonFile(path: string): { readonly native: NativeSocketOptions | undefined; readonly reason: string | undefined } {
  if (!existsSync(path)) {
    return unavailable(`it is not built (${path} is missing; "npm run install" in the package builds it, see its output)`);
  }
  try {
    const loaded = createRequire(import.meta.url)(path) as Partial<NativeSocketOptions>;
    const missing = FUNCTIONS.filter((f) => typeof loaded[f] !== 'function');
    if (missing.length > 0) return unavailable(`${path} lacks ${missing.join(', ')}`);
    return { native: loaded as NativeSocketOptions, reason: undefined };
  } catch (e) {
    return unavailable(`${path} cannot be loaded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function unavailable(reason: string): LoadState {
  return { native: undefined, reason };
}

/**
 * The nearest directory at or above `start` (at most 8 levels up) whose package.json names this
 * package, or undefined. (Exported for tests.)
 */
export function findPackageRoot(start: string): string | undefined {
  let dir = start;
  for (let level = 0; level < MAX_PARENT_LEVELS; level++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME) return dir;
      } catch {
        // an unreadable or non-JSON package.json is not ours; keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
