/**
 * Hand assembly of BGP wire bytes for hand-derived test vectors, straight from the RFC layouts.
 * Deliberately independent of src/ (no encoder reuse), so a vector checks the codec rather than
 * repeating it.
 */
export const u8 = (n: number): string => (n & 0xff).toString(16).padStart(2, '0');
export const u16 = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0');
export const u32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
export const len = (hex: string): number => hex.length / 2;

/** RFC 4271 s4.1 header + body. */
export function message(type: number, body: string, lengthOverride?: number): string {
  return 'ff'.repeat(16) + u16(lengthOverride ?? 19 + len(body)) + u8(type) + body;
}

/** RFC 4271 s4.3 path attribute: flags, type, 1- or 2-octet length (by the EXTENDED_LENGTH flag), value. */
export function attr(flags: number, type: number, value: string, lengthOverride?: number): string {
  const l = lengthOverride ?? len(value);
  return u8(flags) + u8(type) + ((flags & 0x10) !== 0 ? u16(l) : u8(l)) + value;
}

/** RFC 4271 s4.3 prefix: length octet + the minimum number of address octets. */
export function prefix4(text: string, pathId?: number): string {
  const [a, l] = text.split('/') as [string, string];
  const bits = Number(l);
  const octets = a.split('.').map(Number);
  const nb = (bits + 7) >> 3;
  return (pathId === undefined ? '' : u32(pathId)) + u8(bits) + octets.slice(0, nb).map(u8).join('');
}

export function ipv4(text: string): string {
  return text.split('.').map((x) => u8(Number(x))).join('');
}

/** 16 octets of an IPv6 address written fully in 8 groups or with one '::'. */
export function ipv6(text: string): string {
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => u16(parseInt(g, 16))).join('');
}

export function prefix6(text: string, pathId?: number): string {
  const [a, l] = text.split('/') as [string, string];
  const bits = Number(l);
  return (pathId === undefined ? '' : u32(pathId)) + u8(bits) + ipv6(a).slice(0, ((bits + 7) >> 3) * 2);
}

/** RFC 4271 s4.3 UPDATE body: withdrawn routes length + routes, total attribute length + attributes, NLRI. */
export function update(withdrawn: string, attributes: string, nlri: string, o: { wLen?: number; aLen?: number; length?: number } = {}): string {
  return message(2, u16(o.wLen ?? len(withdrawn)) + withdrawn + u16(o.aLen ?? len(attributes)) + attributes + nlri, o.length);
}

// the common attributes
export const ORIGIN_IGP = attr(0x40, 1, '00');
export const asPath4 = (...asns: number[]): string => attr(0x40, 2, asns.length ? u8(2) + u8(asns.length) + asns.map(u32).join('') : '');
export const asPath2 = (...asns: number[]): string => attr(0x40, 2, asns.length ? u8(2) + u8(asns.length) + asns.map(u16).join('') : '');
export const nextHop = (ip: string): string => attr(0x40, 3, ipv4(ip));
export const med = (n: number): string => attr(0x80, 4, u32(n));
export const localPref = (n: number): string => attr(0x40, 5, u32(n));
export const communities = (...c: number[]): string => attr(0xc0, 8, c.map(u32).join(''));
export const comm = (a: number, b: number): number => ((a << 16) | b) >>> 0;
