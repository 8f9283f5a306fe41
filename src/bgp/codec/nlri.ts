/**
 * NLRI (RFC 4271 s4.3) and ADD-PATH NLRI (RFC 7911 s3) <-> PrefixList. The hottest loop of the
 * library: hand-written reads into one Uint32Array per list, no per-prefix allocation.
 * Returns a string reason instead of throwing so the caller decides the RFC 7606 consequence.
 */
import { PrefixList, type PrefixAfi } from '../prefix/prefix-list.js';
import type { ByteWriter } from './bytes.js';

/** Scratch space for one list: a 65535-octet message holds at most 65535 prefixes. */
let scratch = new Uint32Array(65536 * 2);

function ensureScratch(words: number): Uint32Array {
  if (scratch.length < words) scratch = new Uint32Array(words);
  return scratch;
}

/** Copies the first k scratch words into a plain array (see PrefixList on why not a typed array). */
function copyOut(src: Uint32Array, k: number): number[] {
  const a: number[] = new Array<number>(k);
  for (let i = 0; i < k; i++) a[i] = src[i]!;
  return a;
}

/** Why an NLRI field could not be parsed, with the offset of the bad prefix. */
export interface NlriError {
  readonly reason: string;
  readonly offset: number;
}

export function isNlriError(x: PrefixList | NlriError): x is NlriError {
  return (x as NlriError).reason !== undefined;
}

/** Decodes the NLRI octets `b[start..end)` of family `afi`. */
export function decodeNlri(b: Uint8Array, start: number, end: number, afi: PrefixAfi, addPath: boolean): PrefixList | NlriError {
  if (start === end) return PrefixList.empty(afi, addPath);
  return afi === 1 ? (addPath ? decodeGeneric(b, start, end, 1, true) : decodeIpv4(b, start, end)) : decodeGeneric(b, start, end, 2, addPath);
}

function decodeIpv4(b: Uint8Array, start: number, end: number): PrefixList | NlriError {
  // at most (end - start) prefixes (a /0 takes one octet)
  const out = ensureScratch((end - start) * 2);
  let p = start;
  let k = 0;
  while (p < end) {
    const len = b[p]!;
    if (len > 32) return { reason: `IPv4 prefix length ${len} is more than 32`, offset: p };
    const q = p + 1;
    let addr: number;
    switch ((len + 7) >> 3) {
      case 0:
        addr = 0;
        p = q;
        break;
      case 1:
        if (q + 1 > end) return overrun(p, len, end);
        addr = b[q]! << 24;
        p = q + 1;
        break;
      case 2:
        if (q + 2 > end) return overrun(p, len, end);
        addr = (b[q]! << 24) | (b[q + 1]! << 16);
        p = q + 2;
        break;
      case 3:
        if (q + 3 > end) return overrun(p, len, end);
        addr = (b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8);
        p = q + 3;
        break;
      default:
        if (q + 4 > end) return overrun(p, len, end);
        addr = (b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!;
        p = q + 4;
    }
    out[k] = addr >>> 0;
    out[k + 1] = len;
    k += 2;
  }
  return new PrefixList(1, false, copyOut(out, k));
}

function overrun(p: number, len: number, end: number): NlriError {
  return { reason: `prefix of length ${len} needs ${(len + 7) >> 3} octets but only ${end - p - 1} remain`, offset: p };
}

function decodeGeneric(b: Uint8Array, start: number, end: number, afi: PrefixAfi, addPath: boolean): PrefixList | NlriError {
  const addrWords = afi === 1 ? 1 : 4;
  const maxBits = afi === 1 ? 32 : 128;
  const stride = addrWords + 1 + (addPath ? 1 : 0);
  const out = ensureScratch((end - start) * stride);
  let p = start;
  let k = 0;
  while (p < end) {
    let pathId = 0;
    if (addPath) {
      if (p + 4 > end) return { reason: `ADD-PATH path identifier needs 4 octets but only ${end - p} remain`, offset: p };
      pathId = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
      p += 4;
      if (p === end) return { reason: 'ADD-PATH path identifier without a prefix', offset: p };
    }
    const len = b[p]!;
    if (len > maxBits) return { reason: `${afi === 1 ? 'IPv4' : 'IPv6'} prefix length ${len} is more than ${maxBits}`, offset: p };
    const nb = (len + 7) >> 3;
    if (p + 1 + nb > end) return overrun(p, len, end);
    let q = p + 1;
    for (let w = 0; w < addrWords; w++) {
      let v = 0;
      for (let i = 0; i < 4; i++) {
        const idx = w * 4 + i;
        v = (v << 8) | (idx < nb ? b[q + idx]! : 0);
      }
      out[k + w] = v >>> 0;
    }
    q += nb;
    out[k + addrWords] = len;
    if (addPath) out[k + addrWords + 1] = pathId;
    k += stride;
    p = q;
  }
  return new PrefixList(afi, addPath, copyOut(out, k));
}

/** Appends the NLRI encoding of `list` (path identifiers included when `list.addPath`). */
export function encodeNlri(list: PrefixList, w: ByteWriter): void {
  const n = list.length;
  if (n === 0) return;
  const words = list.words;
  const stride = list.stride;
  const addrWords = list.afi === 1 ? 1 : 4;
  // worst case per entry: 4 (path id) + 1 + 16
  w.ensure(n * (addrWords * 4 + 5));
  const buf = w.buf;
  let pos = w.pos;
  if (list.afi === 1 && !list.addPath) {
    for (let i = 0, o = 0; i < n; i++, o += 2) {
      const addr = words[o]!;
      const len = words[o + 1]!;
      buf[pos++] = len;
      if (len > 0) buf[pos++] = addr >>> 24;
      if (len > 8) buf[pos++] = addr >>> 16;
      if (len > 16) buf[pos++] = addr >>> 8;
      if (len > 24) buf[pos++] = addr;
    }
  } else {
    for (let i = 0, o = 0; i < n; i++, o += stride) {
      if (list.addPath) {
        const id = words[o + addrWords + 1]!;
        buf[pos++] = id >>> 24;
        buf[pos++] = id >>> 16;
        buf[pos++] = id >>> 8;
        buf[pos++] = id;
      }
      const len = words[o + addrWords]!;
      buf[pos++] = len;
      const nb = (len + 7) >> 3;
      for (let j = 0; j < nb; j++) buf[pos++] = words[o + (j >> 2)]! >>> (24 - 8 * (j & 3));
    }
  }
  w.pos = pos;
}
