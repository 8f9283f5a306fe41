/**
 * IP address text as the TCP adapter handles it: validation of configured addresses, one
 * canonical text per address (so a peer configured as `2001:DB8::1` matches the kernel's
 * `2001:db8::1`, and a dual-stack listener's `::ffff:192.0.2.1` matches `192.0.2.1`), and the
 * IPv6 zone (`fe80::1%eth0`) kept apart. Owns no sockets; must not touch the codec's address
 * parsing rules (it only calls them).
 */
import { isIP } from 'node:net';
import { BgpError } from '../errors.js';
import { formatAddressBytes, parseAddress } from '../prefix/address.js';

/** A validated transport address. */
export interface TransportAddress {
  /** Canonical text without zone; IPv4-mapped IPv6 is given as IPv4. */
  readonly address: string;
  readonly family: 4 | 6;
  /** IPv6 zone (scope) without the `%`, for link-local addresses. */
  readonly zone: string | undefined;
  /** What to hand to node:net: `address`, plus `%zone` when there is one. */
  readonly socketText: string;
}

/**
 * Parses IPv4 or IPv6 text (optionally with an IPv6 `%zone`). Throws BgpError ERR_BGP_BAD_ADDRESS
 * naming `what` (e.g. "peerAddress") for anything else, including host names: the transport
 * never resolves names.
 */
export function parseTransportAddress(text: string, what: string): TransportAddress {
  if (typeof text !== 'string' || isIP(text) === 0) {
    throw new BgpError('ERR_BGP_BAD_ADDRESS', `${what} is not an IP address: ${JSON.stringify(text)}`);
  }
  const percent = text.indexOf('%');
  const bare = percent < 0 ? text : text.slice(0, percent);
  const zone = percent < 0 ? undefined : text.slice(percent + 1);
  const { bytes } = parseAddress(bare);
  const mapped = isIpv4Mapped(bytes);
  const address = formatAddressBytes(mapped ? bytes.subarray(12) : bytes);
  const family = bytes.length === 4 || mapped ? 4 : 6;
  const keptZone = family === 6 && zone !== undefined && zone !== '' ? zone : undefined;
  return { address, family, zone: keptZone, socketText: keptZone === undefined ? address : `${address}%${keptZone}` };
}

/**
 * Canonical text of an address reported by node:net (socket.remoteAddress and friends): IPv4-mapped
 * IPv6 becomes IPv4, IPv6 is RFC 5952 text, a zone is dropped. Text that is not an address
 * (undefined after a reset) gives ''.
 */
export function canonicalAddress(text: string | undefined): string {
  if (text === undefined || isIP(text) === 0) return '';
  return parseTransportAddress(text, 'address').address;
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  if (bytes.length !== 16 || bytes[10] !== 0xff || bytes[11] !== 0xff) return false;
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return true;
}
