/**
 * IP address text <-> numbers. IPv4 is one uint32; IPv6 is four uint32 words, most significant
 * first. Text is validated with ip-address at the edges (CLI, JSON, config); formatting is
 * hand-written (RFC 5952 canonical text for IPv6) because decoders print many addresses.
 */
import { Address4, Address6 } from 'ip-address';
import { BgpError } from '../errors.js';
import { canonicalIpv4ToU32 } from '../codec/bytes.js';

export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * Parses dotted-quad IPv4 text to a uint32. Throws ERR_BGP_BAD_ADDRESS. Canonical text takes a
 * hand-written fast path (encoders call this per attribute); anything else is judged by ip-address.
 */
export function parseIpv4(text: string): number {
  const fast = canonicalIpv4ToU32(text);
  if (fast >= 0) return fast;
  if (!Address4.isValid(text) || text.includes('/')) {
    throw new BgpError('ERR_BGP_BAD_ADDRESS', `not an IPv4 address: ${JSON.stringify(text)}`);
  }
  const p = text.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

/** Parses IPv6 text (RFC 4291 forms, embedded IPv4 allowed, no zone) to 16 bytes. Throws ERR_BGP_BAD_ADDRESS. */
export function parseIpv6Bytes(text: string): Uint8Array {
  if (text.includes('/') || text.includes('%') || !Address6.isValid(text)) {
    throw new BgpError('ERR_BGP_BAD_ADDRESS', `not an IPv6 address: ${JSON.stringify(text)}`);
  }
  const arr = new Address6(text).toByteArray();
  const out = new Uint8Array(16);
  // toByteArray drops leading zero bytes (it comes from a big integer)
  out.set(arr, 16 - arr.length);
  return out;
}

/** Formats 16 bytes from `b[at]` as RFC 5952 canonical IPv6 text. */
export function formatIpv6Bytes(b: Uint8Array, at = 0): string {
  const w: number[] = new Array(8);
  for (let i = 0; i < 8; i++) w[i] = (b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!;
  return formatIpv6Words16(w);
}

/** Formats IPv6 from four uint32 words. */
export function formatIpv6Words(w0: number, w1: number, w2: number, w3: number): string {
  return formatIpv6Words16([w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff]);
}

function formatIpv6Words16(w: number[]): string {
  // RFC 5952 s4.2: compress the longest run (>= 2) of zero groups, the first one on a tie
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // RFC 5952 s5: IPv4-mapped addresses keep their dotted tail
  if (bestStart === 0 && bestLen === 5 && w[5] === 0xffff) {
    return `::ffff:${w[6]! >>> 8}.${w[6]! & 255}.${w[7]! >>> 8}.${w[7]! & 255}`;
  }
  const hex = (i: number): string => w[i]!.toString(16);
  if (bestStart < 0) return w.map((_, i) => hex(i)).join(':');
  const head = w.slice(0, bestStart).map((_, i) => hex(i)).join(':');
  const tail = w.slice(bestStart + bestLen).map((_, i) => hex(bestStart + bestLen + i)).join(':');
  return `${head}::${tail}`;
}

/** Parses IPv4 or IPv6 text; returns the family and bytes (4 or 16). */
export function parseAddress(text: string): { afi: 1 | 2; bytes: Uint8Array } {
  if (text.includes(':')) return { afi: 2, bytes: parseIpv6Bytes(text) };
  const n = parseIpv4(text);
  return { afi: 1, bytes: new Uint8Array([n >>> 24, n >>> 16, n >>> 8, n]) };
}

export function formatAddressBytes(b: Uint8Array): string {
  if (b.length === 4) return formatIpv4(((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0);
  if (b.length === 16) return formatIpv6Bytes(b, 0);
  throw new BgpError('ERR_BGP_BAD_ADDRESS', `an address has 4 or 16 bytes, not ${b.length}`);
}
