/**
 * IP addresses as big integers (one code path for IPv4 and IPv6), pool address entries ("CIDR"
 * or "first-last"), their covering CIDRs, overlap tests and prefix arithmetic.
 */
import { formatIpv4, formatIpv6Bytes, parseIpv4, parseIpv6Bytes } from '../bgp/prefix/address.js';

export type IpFamily = 4 | 6;

export interface Ip {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** One entry of an IPAddressPool's spec.addresses, as the inclusive range it covers. */
export interface AddressRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** The entry as written. */
  readonly text: string;
  /** The shortest prefix length among the CIDRs that exactly cover the range. */
  readonly shortestPrefixLength: number;
}

export const bitsOf = (f: IpFamily): number => (f === 4 ? 32 : 128);

/** Parses an address (no prefix length, no zone); undefined when it is not one. */
export function parseIp(text: string): Ip | undefined {
  try {
    if (text.includes(':')) {
      let v = 0n;
      for (const b of parseIpv6Bytes(text)) v = (v << 8n) | BigInt(b);
      return { family: 6, value: v };
    }
    return { family: 4, value: BigInt(parseIpv4(text)) };
  } catch {
    return undefined;
  }
}

/** Canonical text (RFC 5952 for IPv6). */
export function formatIp(ip: Ip): string {
  if (ip.family === 4) return formatIpv4(Number(ip.value));
  const b = new Uint8Array(16);
  let v = ip.value;
  for (let i = 15; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return formatIpv6Bytes(b, 0);
}

/** Canonical text of an address, or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip === undefined ? undefined : formatIp(ip);
}

/** The network address of `ip` with a `length`-bit prefix. */
export function networkOf(ip: Ip, length: number): Ip {
  const host = bitsOf(ip.family) - length;
  return { family: ip.family, value: (ip.value >> BigInt(host)) << BigInt(host) };
}

/** Parses "203.0.113.0/24", "2001:db8::/120" or "203.0.113.10-203.0.113.20" (spaces around "-" allowed). Returns the problem text on failure. */
export function parseAddressRange(text: string): AddressRange | string {
  const dash = text.indexOf('-');
  if (dash < 0) {
    const slash = text.indexOf('/');
    if (slash < 0) return `${JSON.stringify(text)} must be a CIDR ("203.0.113.0/24") or a range ("203.0.113.10-203.0.113.20")`;
    const ip = parseIp(text.slice(0, slash).trim());
    const lenText = text.slice(slash + 1).trim();
    if (ip === undefined) return `invalid CIDR ${JSON.stringify(text)}: bad address`;
    const bits = bitsOf(ip.family);
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > bits) return `invalid CIDR ${JSON.stringify(text)}: prefix length must be 0..${bits}`;
    const length = Number(lenText);
    const first = networkOf(ip, length).value;
    const last = first + (1n << BigInt(bits - length)) - 1n;
    return { family: ip.family, first, last, text, shortestPrefixLength: length };
  }
  const a = parseIp(text.slice(0, dash).trim());
  const b = parseIp(text.slice(dash + 1).trim());
  if (a === undefined) return `invalid IP range ${JSON.stringify(text)}: bad start address`;
  if (b === undefined) return `invalid IP range ${JSON.stringify(text)}: bad end address`;
  if (a.family !== b.family) return `invalid IP range ${JSON.stringify(text)}: start and end are of different families`;
  if (a.value > b.value) return `invalid IP range ${JSON.stringify(text)}: start is after end`;
  return { family: a.family, first: a.value, last: b.value, text, shortestPrefixLength: Math.min(...summarize(a.family, a.value, b.value)) };
}

/** Prefix lengths of the CIDRs that exactly cover first..last (the summarization MetalLB does for ranges). */
export function summarize(family: IpFamily, first: bigint, last: bigint): number[] {
  const bits = bitsOf(family);
  const out: number[] = [];
  let cur = first;
  while (cur <= last) {
    let size = bits;
    // grow the block while it stays aligned and inside the range
    while (size > 0) {
      const host = BigInt(bits - size + 1);
      const aligned = (cur >> host) << host === cur;
      const end = cur + (1n << host) - 1n;
      if (!aligned || end > last) break;
      size--;
    }
    out.push(size);
    cur += 1n << BigInt(bits - size);
  }
  return out;
}

export function rangesOverlap(a: AddressRange, b: AddressRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function rangeContains(r: AddressRange, ip: Ip): boolean {
  return r.family === ip.family && r.first <= ip.value && ip.value <= r.last;
}

/** IPv4 addresses ending in .0 or .255, which buggy CPE smurf protection drops (MetalLB's avoidBuggyIPs). */
export function isBuggyIp(ip: Ip): boolean {
  if (ip.family !== 4) return false;
  const last = ip.value & 0xffn;
  return last === 0n || last === 255n;
}
