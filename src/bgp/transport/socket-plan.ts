/**
 * What a connection's SocketOptions (TTL, GTSM, TCP-MD5) ask of its socket, decided before any
 * socket exists, so every option that cannot be honoured fails synchronously with a typed error.
 *
 * Owns: validating those options and the TTL policy below. Must not touch sockets (the adapter
 * applies the plan) and never puts the TCP-MD5 password into a message.
 *
 * TTL policy. `ttl` is the reach of the session (eBGP multihop: the peer is at most `ttl` hops
 * away). With the native addon the socket sends exactly `ttl`. Without it the kernel default
 * (net.ipv4.ip_default_ttl / the IPv6 hop_limit, normally 64) is sent, which reaches every peer a
 * smaller `ttl` reaches; the only difference is that packets could travel further than asked,
 * which is harmless for BGP (GTSM, not the sent TTL, is the security mechanism). So a `ttl` up to
 * the kernel default is honoured without the addon, and a larger one fails with
 * ERR_BGP_TTL_UNSUPPORTED rather than leaving a distant peer unreachable.
 * `ttlSecurityHops` (RFC 5082) sends with TTL 255 and makes the kernel drop everything that
 * arrives with a TTL below 256 - hops; it cannot be emulated, so it needs the addon.
 */
import { readFileSync } from 'node:fs';
import { BgpError } from '../errors.js';
import type { SocketOptions } from './connection.js';
import { checkTcpMd5Password, nativeSocketOptions, nativeSocketOptionsUnavailableReason, requireNativeSocketOptions, type NativeFeature } from './socket-options.js';

/** RFC 5082 s3: a GTSM speaker sends every packet with this TTL. */
export const GTSM_SEND_TTL = 255;
/** Used when the kernel's default cannot be read (Linux ships 64 for IPv4 and IPv6). */
export const FALLBACK_DEFAULT_TTL = 64;

/** What to do to one outbound socket. */
export interface SocketPlan {
  /** Non-empty TCP-MD5 password to install for the peer, or undefined. */
  readonly md5Password: string | undefined;
  /** TTL to set with the addon, or undefined to keep the kernel default. */
  readonly ttl: number | undefined;
  /** GTSM minimum received TTL (256 - hops), or undefined. */
  readonly minTtl: number | undefined;
  /** The feature that makes the addon necessary, or undefined when node:net alone will do. */
  readonly nativeFeature: NativeFeature | undefined;
}

/**
 * Validates `options` for a socket of `family` and decides what to set. Throws BgpError:
 * ERR_BGP_VALUE_OUT_OF_RANGE / ERR_BGP_BAD_VALUE for bad values, ERR_BGP_TCP_MD5_UNSUPPORTED,
 * ERR_BGP_TTL_SECURITY_UNSUPPORTED or ERR_BGP_TTL_UNSUPPORTED when the addon is needed and missing.
 */
export function planSocketOptions(options: SocketOptions, family: 4 | 6): SocketPlan {
  const { ttl, ttlSecurityHops } = options;
  const password = options.md5Password === '' ? undefined : options.md5Password;
  if (ttl !== undefined) checkIntRange(ttl, 'ttl', 1, 255, undefined);
  if (ttlSecurityHops !== undefined) checkTtlSecurityHops(ttlSecurityHops);
  if (password !== undefined) checkTcpMd5Password(password);
  if (ttl !== undefined && ttlSecurityHops !== undefined && ttl !== GTSM_SEND_TTL) {
    throw new BgpError('ERR_BGP_BAD_VALUE', `ttl ${ttl} contradicts ttlSecurityHops, which sends with TTL ${GTSM_SEND_TTL}`, { rfc: 'RFC 5082 s3' });
  }

  if (password !== undefined) requireNativeSocketOptions('tcp-md5');
  if (ttlSecurityHops !== undefined) {
    requireNativeSocketOptions('ttl-security');
    return { md5Password: password, ttl: GTSM_SEND_TTL, minTtl: gtsmMinTtl(ttlSecurityHops), nativeFeature: password === undefined ? 'ttl-security' : 'tcp-md5' };
  }
  let plannedTtl: number | undefined;
  if (ttl !== undefined) {
    if (nativeSocketOptions()) {
      plannedTtl = ttl;
    } else {
      const kernel = kernelDefaultTtl(family);
      if (ttl > kernel) {
        throw new BgpError(
          'ERR_BGP_TTL_UNSUPPORTED',
          `ttl ${ttl} exceeds the kernel default ${kernel}, and setting the IP TTL needs the native addon tsbgp_sockopt, which is unavailable: ${nativeSocketOptionsUnavailableReason()}`,
        );
      }
    }
  }
  const nativeFeature = password !== undefined ? 'tcp-md5' : plannedTtl !== undefined ? 'ttl' : undefined;
  return { md5Password: password, ttl: plannedTtl, minTtl: undefined, nativeFeature };
}

/** Throws ERR_BGP_VALUE_OUT_OF_RANGE unless `hops` is an integer 1..254 (min TTL 255..2). */
export function checkTtlSecurityHops(hops: number): void {
  checkIntRange(hops, 'ttlSecurityHops', 1, 254, 'RFC 5082');
}

/** RFC 5082 s3: the lowest TTL accepted from a peer `hops` away. */
export function gtsmMinTtl(hops: number): number {
  return 256 - hops;
}

const kernelDefaults = new Map<4 | 6, number>();

/**
 * The TTL (IPv4) or hop limit (IPv6) the kernel sends with when none is set, read once from
 * /proc/sys; FALLBACK_DEFAULT_TTL when it cannot be read.
 */
export function kernelDefaultTtl(family: 4 | 6): number {
  let value = kernelDefaults.get(family);
  if (value === undefined) {
    value = readProcInt(family === 4 ? '/proc/sys/net/ipv4/ip_default_ttl' : '/proc/sys/net/ipv6/conf/default/hop_limit') ?? FALLBACK_DEFAULT_TTL;
    kernelDefaults.set(family, value);
  }
  return value;
}

function readProcInt(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) && n >= 1 && n <= 255 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Throws ERR_BGP_VALUE_OUT_OF_RANGE unless `value` is an integer in [min, max]. */
export function checkIntRange(value: number, what: string, min: number, max: number, rfc: string | undefined): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BgpError('ERR_BGP_VALUE_OUT_OF_RANGE', `${what} ${String(value)} is not an integer from ${min} to ${max}`, { rfc });
  }
}
