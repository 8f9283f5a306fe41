/**
 * MP_REACH_NLRI (type 14, RFC 4760 s3): optional non-transitive. IPv4 and IPv6 unicast and
 * multicast are decoded (next hop: IPv4; IPv6 global; IPv6 global + link-local; IPv6 next hop for
 * IPv4 NLRI per RFC 8950); other AFI/SAFIs are kept as raw next hop and NLRI octets.
 * RFC 7606 s7.11 / s5.3: a bad next-hop length or bad NLRI -> session reset (subcode Optional
 * Attribute Error, RFC 4760 s7).
 */
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { BgpError } from '../../errors.js';
import { formatIpv4, formatIpv6Bytes, parseAddress } from '../../prefix/address.js';
import { PrefixList } from '../../prefix/prefix-list.js';
import { afiFromJson, afiToJson, bytesFromJson, bytesToJson, expectArray, expectInt, expectObject, expectString, jsonError, safiFromJson, safiToJson } from '../../json/json-util.js';
import { hasAddPath } from '../context.js';
import { decodeNlri, encodeNlri, isNlriError } from '../nlri.js';
import { type AttributeCodec, Malformed } from './attribute-codec.js';

interface MpReachBase {
  readonly type: 'MP_REACH_NLRI';
  readonly flags?: number | undefined;
  readonly afi: number;
  readonly safi: number;
  /** The octet after the next hop (SNPA count in RFC 2858, reserved in RFC 4760); kept when non-zero. */
  readonly reserved?: number | undefined;
}

/** IPv4/IPv6 unicast or multicast: decoded next hop(s) and prefixes. */
export interface MpReachNlriDecoded extends MpReachBase {
  /** One address, or an IPv6 global address followed by a link-local one. */
  readonly nextHop: readonly string[];
  readonly nlri: PrefixList;
}

/** Any other AFI/SAFI: raw next hop and NLRI octets. */
export interface MpReachNlriRaw extends MpReachBase {
  readonly nextHopData: Uint8Array;
  readonly nlriData: Uint8Array;
}

export type MpReachNlriAttribute = MpReachNlriDecoded | MpReachNlriRaw;

/** AFI/SAFIs whose NLRI this library decodes into prefixes. */
export function isPrefixFamily(afi: number, safi: number): afi is 1 | 2 {
  return (afi === 1 || afi === 2) && (safi === 1 || safi === 2);
}

export function isDecodedMpReach(a: MpReachNlriAttribute): a is MpReachNlriDecoded {
  return (a as MpReachNlriDecoded).nlri !== undefined;
}

const OPT_ERR = UpdateMessageErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR;

export const mpReachNlriCodec: AttributeCodec<MpReachNlriAttribute> = {
  typeCode: AttributeType.MP_REACH_NLRI,
  type: 'MP_REACH_NLRI',
  flags: AttributeFlag.OPTIONAL,
  malformedAction: 'session-reset',
  rfc: 'RFC 7606 s7.11',
  decode(b, start, end, flags, ctx) {
    if (end - start < 5) return new Malformed(`length ${end - start} is less than 5 (AFI, SAFI, next hop length, reserved)`, OPT_ERR);
    const afi = (b[start]! << 8) | b[start + 1]!;
    const safi = b[start + 2]!;
    const nhLen = b[start + 3]!;
    const nhStart = start + 4;
    if (nhStart + nhLen + 1 > end) return new Malformed(`next hop length ${nhLen} overruns the attribute`, OPT_ERR);
    const reserved = b[nhStart + nhLen]!;
    const nlriStart = nhStart + nhLen + 1;
    const base = { type: 'MP_REACH_NLRI' as const, flags, afi, safi, ...(reserved !== 0 ? { reserved } : {}) };
    if (!isPrefixFamily(afi, safi)) {
      return { ...base, nextHopData: b.slice(nhStart, nhStart + nhLen), nlriData: b.slice(nlriStart, end) };
    }
    let nextHop: string[];
    if (nhLen === 4 && afi === 1) {
      nextHop = [formatIpv4(((b[nhStart]! << 24) | (b[nhStart + 1]! << 16) | (b[nhStart + 2]! << 8) | b[nhStart + 3]!) >>> 0)];
    } else if (nhLen === 16) {
      nextHop = [formatIpv6Bytes(b, nhStart)];
    } else if (nhLen === 32) {
      nextHop = [formatIpv6Bytes(b, nhStart), formatIpv6Bytes(b, nhStart + 16)];
    } else {
      return new Malformed(`next hop length ${nhLen} is not valid for AFI ${afi} SAFI ${safi}`, OPT_ERR);
    }
    const nlri = decodeNlri(b, nlriStart, end, afi, hasAddPath(ctx, afi, safi));
    if (isNlriError(nlri)) return new Malformed(`NLRI: ${nlri.reason}`, OPT_ERR);
    return { ...base, nextHop, nlri };
  },
  encodeValue(a, w) {
    w.u16(a.afi);
    w.u8(a.safi);
    if (isDecodedMpReach(a)) {
      const hops = a.nextHop.map((t) => parseAddress(t));
      const len = hops.reduce((n, h) => n + h.bytes.length, 0);
      const ok = (hops.length === 1 && (len === 4 ? a.afi === 1 : len === 16)) || (hops.length === 2 && len === 32);
      if (!ok) {
        throw new BgpError('ERR_BGP_BAD_NEXT_HOP', `MP_REACH_NLRI next hop must be one address (IPv4 for AFI 1, or IPv6) or IPv6 global + link-local; got ${a.nextHop.join(', ')}`, { rfc: 'RFC 4760 s3, RFC 8950' });
      }
      if (a.nlri.afi !== a.afi) throw new BgpError('ERR_BGP_BAD_PREFIX', `MP_REACH_NLRI for AFI ${a.afi} carries prefixes of AFI ${a.nlri.afi}`);
      w.u8(len);
      for (const h of hops) w.bytes(h.bytes);
      w.u8(a.reserved ?? 0);
      encodeNlri(a.nlri, w);
    } else {
      w.u8(a.nextHopData.length);
      w.bytes(a.nextHopData);
      w.u8(a.reserved ?? 0);
      w.bytes(a.nlriData);
    }
  },
  toJson(a) {
    const head = { afi: afiToJson(a.afi), safi: safiToJson(a.safi), ...(a.reserved ? { reserved: a.reserved } : {}) };
    if (isDecodedMpReach(a)) return { ...head, nextHop: [...a.nextHop], nlri: a.nlri.toJSON() };
    return { ...head, nextHopData: bytesToJson(a.nextHopData), nlriData: bytesToJson(a.nlriData) };
  },
  fromJson(j, path) {
    const afi = afiFromJson(j.afi, `${path}.afi`);
    const safi = safiFromJson(j.safi, `${path}.safi`);
    const reserved = j.reserved === undefined ? undefined : expectInt(j.reserved, `${path}.reserved`, 0, 255);
    const base = { type: 'MP_REACH_NLRI' as const, afi, safi, ...(reserved ? { reserved } : {}) };
    if (!isPrefixFamily(afi, safi)) {
      return { ...base, nextHopData: bytesFromJson(j.nextHopData, `${path}.nextHopData`), nlriData: bytesFromJson(j.nlriData ?? '', `${path}.nlriData`) };
    }
    const nextHop = expectArray(j.nextHop, `${path}.nextHop`).map((h, i) => expectString(h, `${path}.nextHop[${i}]`));
    return { ...base, nextHop, nlri: prefixListFromJson(j.nlri ?? [], `${path}.nlri`, afi) };
  },
};

/** Prefixes in JSON: ["203.0.113.0/24"] or, with ADD-PATH, [{"prefix": "...", "pathId": 1}]. */
export function prefixListFromJson(j: unknown, path: string, afi: 1 | 2): PrefixList {
  const items = expectArray(j, path);
  const addPath = items.length > 0 && typeof items[0] === 'object';
  const entries = items.map((it, i) => {
    if (addPath) {
      const o = expectObject(it, `${path}[${i}]`);
      return { prefix: expectString(o.prefix, `${path}[${i}].prefix`), pathId: expectInt(o.pathId, `${path}[${i}].pathId`, 0, 0xffffffff) };
    }
    return expectString(it, `${path}[${i}]`);
  });
  try {
    return PrefixList.from(afi, entries, addPath);
  } catch (e) {
    throw jsonError(path, (e as Error).message);
  }
}
