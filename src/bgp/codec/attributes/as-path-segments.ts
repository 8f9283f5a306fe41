/**
 * AS path segments, shared by AS_PATH (2- or 4-octet ASNs by context) and AS4_PATH (always 4):
 * RFC 4271 s4.3, RFC 5065 (confederation segments), RFC 6793, RFC 7606 s7.2 malformation rules.
 */
import { BgpError } from '../../errors.js';
import { expectArray, expectInt, expectObject, jsonError, namedFromJson, onlyKeys } from '../../json/json-util.js';
import type { ByteWriter } from '../bytes.js';

export const AsPathSegmentType = {
  AS_SET: 1,
  AS_SEQUENCE: 2,
  AS_CONFED_SEQUENCE: 3,
  AS_CONFED_SET: 4,
} as const;
export type AsPathSegmentTypeCode = (typeof AsPathSegmentType)[keyof typeof AsPathSegmentType];
const SEGMENT_NAMES: Record<number, string> = { 1: 'AS_SET', 2: 'AS_SEQUENCE', 3: 'AS_CONFED_SEQUENCE', 4: 'AS_CONFED_SET' };

export interface AsPathSegment {
  readonly type: AsPathSegmentTypeCode;
  readonly asns: readonly number[];
}


/** Decodes segments from `b[start..end)`; returns a reason string when malformed (RFC 7606 s7.2). */
export function decodeSegments(b: Uint8Array, start: number, end: number, asnOctets: 2 | 4): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  let p = start;
  while (p < end) {
    if (end - p < 2) return `underrun: ${end - p} octet left after the last segment`;
    const type = b[p]!;
    const count = b[p + 1]!;
    if (type < 1 || type > 4) return `unrecognized segment type ${type}`;
    if (count === 0) return 'segment length is zero';
    const need = count * asnOctets;
    if (p + 2 + need > end) return `overrun: segment of ${count} ASNs needs ${need} octets, ${end - p - 2} remain`;
    const asns: number[] = new Array(count);
    let q = p + 2;
    if (asnOctets === 4) {
      for (let i = 0; i < count; i++, q += 4) asns[i] = ((b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!) >>> 0;
    } else {
      for (let i = 0; i < count; i++, q += 2) asns[i] = (b[q]! << 8) | b[q + 1]!;
    }
    segments.push({ type: type as AsPathSegmentTypeCode, asns });
    p = q;
  }
  return segments;
}

/**
 * Encodes segments; a segment longer than 255 ASNs is split into several of the same type
 * (RFC 4271 s5.1.2 for sequences; for sets a split changes meaning, so it is refused).
 */
export function encodeSegments(segments: readonly AsPathSegment[], w: ByteWriter, asnOctets: 2 | 4): void {
  for (const s of segments) {
    if (s.asns.length === 0) throw new BgpError('ERR_BGP_BAD_AS_PATH', 'an AS path segment cannot be empty', { rfc: 'RFC 7606 s7.2' });
    if (s.asns.length > 255 && (s.type === 1 || s.type === 4)) {
      throw new BgpError('ERR_BGP_BAD_AS_PATH', `an AS_SET holds at most 255 ASNs (got ${s.asns.length})`);
    }
    for (let from = 0; from < s.asns.length; from += 255) {
      const part = s.asns.slice(from, from + 255);
      w.u8(s.type);
      w.u8(part.length);
      for (const asn of part) {
        if (asnOctets === 2) {
          if (asn > 0xffff) {
            throw new BgpError('ERR_BGP_ASN_NEEDS_FOUR_OCTETS', `ASN ${asn} does not fit a 2-octet AS path; use AS_TRANS with AS4_PATH (RFC 6793)`, {
              rfc: 'RFC 6793 s4.2.2',
            });
          }
          w.u16(asn);
        } else {
          w.u32(asn);
        }
      }
    }
  }
}

export function segmentsToJson(segments: readonly AsPathSegment[]): unknown[] {
  return segments.map((s) => ({ type: SEGMENT_NAMES[s.type], asns: [...s.asns] }));
}

export function segmentsFromJson(j: unknown, path: string): AsPathSegment[] {
  return expectArray(j, path).map((sj, i) => {
    const p = `${path}[${i}]`;
    const o = expectObject(sj, p);
    onlyKeys(o, ['type', 'asns'], p);
    const type = namedFromJson(o.type, `${p}.type`, SEGMENT_NAMES, 4, 'segment type');
    if (type < 1) throw jsonError(`${p}.type`, 'segment type is 1..4');
    const asns = expectArray(o.asns, `${p}.asns`).map((a, k) => expectInt(a, `${p}.asns[${k}]`, 0, 0xffffffff));
    return { type: type as AsPathSegmentTypeCode, asns };
  });
}

/** Number of ASNs that count for path length (RFC 4271 s9.1.2.2: a set counts 1, confederation segments 0). */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) n += s.type === 2 ? s.asns.length : s.type === 1 ? 1 : 0;
  return n;
}
