/**
 * EXTENDED_COMMUNITIES (type 16, RFC 4360): optional transitive, a list of 8-octet communities.
 * Owns the value's codec, the typed decoding of the common kinds, their JSON and text forms
 * (CLI, config). Acting on route targets or link bandwidth belongs to policy/RIB code; the
 * attribute header and flags check belong to the UPDATE codec.
 *
 * Each community is: type octet (bit 0x80 = IANA "first come first served", bit 0x40 = T,
 * set for NON-transitive), sub-type octet, 6 octets of value. Decoded kinds:
 *
 *   type 0x00 / 0x40  two-octet AS specific (RFC 4360 s3.1): 2-octet ASN, 4-octet value
 *                     (sub-type 0x04 = link bandwidth, draft-ietf-idr-link-bandwidth: 2-octet
 *                     ASN, IEEE float32 bandwidth in bytes per second)
 *   type 0x01 / 0x41  IPv4 address specific (RFC 4360 s3.2): IPv4 address, 2-octet value
 *   type 0x02 / 0x42  four-octet AS specific (RFC 5668 s2): 4-octet ASN, 2-octet value
 *   anything else     opaque: the 8 octets as received
 *
 * Every bit survives decode -> encode and decode -> JSON -> encode: a small ASN received in the
 * four-octet type stays four-octet ("asn4"), and a link bandwidth that JSON cannot carry exactly
 * (NaN with any payload, +-Infinity, -0) is kept as "opaque".
 *
 * JSON (docs/json.md): the attribute is {"communities": [ ... ]}, one object per community in
 * wire order. "transitive" is always written; it mirrors the T bit (false = type 0x4X):
 *
 *   {"type":"route-target","asn":65000,"value":100,"transitive":true}
 *       two-octet AS specific, sub-type 0x02. asn 0..65535, value 0..4294967295.
 *   {"type":"route-target","address":"192.0.2.1","value":5,"transitive":true}
 *       IPv4 address specific, sub-type 0x02. value 0..65535.
 *   {"type":"route-target","asn4":4200000000,"value":5,"transitive":true}
 *       four-octet AS specific, sub-type 0x02. asn4 0..4294967295, value 0..65535.
 *   {"type":"route-origin", ...}
 *       the same three shapes with sub-type 0x03.
 *   {"type":"specific","subtype":9,"asn":65000,"value":7,"transitive":false}
 *       any other sub-type of those three types; the key asn / address / asn4 picks the type.
 *   {"type":"link-bandwidth","asn":65000,"bytesPerSecond":125000000,"transitive":false}
 *       sub-type 0x04 of type 0x40 (the draft's non-transitive type) or 0x00 (transitive: true).
 *       bytesPerSecond is a float32; on input it is rounded to float32 and must stay finite.
 *   {"type":"opaque","hex":"0300000000000002"}
 *       all 8 octets, type octet first (its 0x40 bit is the T bit).
 *
 * On input "transitive" may be left out: it defaults to true, except for link-bandwidth where
 * it defaults to false. Any 8 octets may be given as "opaque"; decoding yields the typed form.
 *
 * Text forms (parseExtendedCommunity / formatExtendedCommunity):
 *   rt:65000:100         route target, two-octet AS specific (transitive)
 *   rt:4200000000:5      route target, four-octet AS specific (chosen when the ASN > 65535)
 *   rt:65000L:5          route target, four-octet AS specific with a small ASN ("L" suffix)
 *   rt:192.0.2.1:5       route target, IPv4 address specific
 *   ro:...               route origin, the same forms
 *   lb:65000:125000000   link bandwidth (non-transitive type 0x40), bytes per second
 *   hex:0300000000000002 any community as its 8 octets (formatting uses it for everything else)
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { EXTENDED_COMMUNITY_NON_TRANSITIVE, ExtendedCommunitySubtype, ExtendedCommunityType } from '../../iana/extended-community.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import {
  attributeObject,
  bytesFromJson,
  expectArray,
  expectBoolean,
  expectInt,
  expectObject,
  expectString,
  field,
  ipv4FromJson,
  jsonError,
  jsonPath,
  onlyKeys,
  type JsonFields,
  type JsonObject,
} from '../../json/json-util.js';
import { formatIpv4, parseIpv4 } from '../../prefix/address.js';
import { ByteWriter, fromHex, readU16, readU32, toHex } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

/** Type 0x00 / 0x40 (RFC 4360 s3.1). */
export interface TwoOctetAsSpecificCommunity {
  readonly kind: 'two-octet-as-specific';
  /** False when the T bit is set (type 0x40). */
  readonly transitive: boolean;
  /** 0x02 route target, 0x03 route origin, others as received (decoding turns 0x04 into link-bandwidth or opaque). */
  readonly subtype: number;
  /** Global Administrator, 0..65535. */
  readonly asn: number;
  /** Local Administrator, 0..4294967295. */
  readonly value: number;
}

/** Type 0x01 / 0x41 (RFC 4360 s3.2). */
export interface Ipv4AddressSpecificCommunity {
  readonly kind: 'ipv4-address-specific';
  readonly transitive: boolean;
  readonly subtype: number;
  /** Global Administrator, dotted quad. */
  readonly address: string;
  /** Local Administrator, 0..65535. */
  readonly value: number;
}

/** Type 0x02 / 0x42 (RFC 5668 s2). */
export interface FourOctetAsSpecificCommunity {
  readonly kind: 'four-octet-as-specific';
  readonly transitive: boolean;
  readonly subtype: number;
  /** Global Administrator, 0..4294967295 (may be small: the type, not the value, decides). */
  readonly asn4: number;
  /** Local Administrator, 0..65535. */
  readonly value: number;
}

/** Type 0x40 (or 0x00) sub-type 0x04, draft-ietf-idr-link-bandwidth. */
export interface LinkBandwidthCommunity {
  readonly kind: 'link-bandwidth';
  /** False for the draft's type 0x40; true for the transitive variant 0x00. */
  readonly transitive: boolean;
  /** 0..65535. */
  readonly asn: number;
  /** IEEE float32 value in bytes per second (finite when decoded; rounded to float32 on encode). */
  readonly bytesPerSecond: number;
}

/** Any other community, or one whose typed form could not carry every bit. */
export interface OpaqueExtendedCommunity {
  readonly kind: 'opaque';
  /** All 8 octets, type octet first. */
  readonly bytes: Uint8Array;
}

export type ExtendedCommunity =
  | TwoOctetAsSpecificCommunity
  | Ipv4AddressSpecificCommunity
  | FourOctetAsSpecificCommunity
  | LinkBandwidthCommunity
  | OpaqueExtendedCommunity;

export interface ExtendedCommunitiesAttribute {
  readonly type: 'EXTENDED_COMMUNITIES';
  readonly flags?: number | undefined;
  /** Communities in wire order (duplicates kept); at least one. */
  readonly communities: readonly ExtendedCommunity[];
}

const T = EXTENDED_COMMUNITY_NON_TRANSITIVE;
const RT = ExtendedCommunitySubtype.ROUTE_TARGET;
const RO = ExtendedCommunitySubtype.ROUTE_ORIGIN;
const LB = ExtendedCommunitySubtype.LINK_BANDWIDTH;
const RFC = 'RFC 4360 s3';

// float32 <-> bits; both views share one buffer, so byte order does not matter
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Decodes the 8-octet community at `b[p]`; the caller guarantees the 8 octets are there. */
export function decodeExtendedCommunity(b: Uint8Array, p: number): ExtendedCommunity {
  const t = b[p]!;
  const subtype = b[p + 1]!;
  const transitive = (t & T) === 0;
  switch (t & ~T) {
    case ExtendedCommunityType.TWO_OCTET_AS_SPECIFIC: {
      const asn = readU16(b, p + 2);
      const value = readU32(b, p + 4);
      if (subtype !== LB) return { kind: 'two-octet-as-specific', transitive, subtype, asn, value };
      U32[0] = value;
      const bytesPerSecond = F32[0]!;
      // NaN payloads, infinities and -0 do not survive JSON: keep their bits
      if (Number.isFinite(bytesPerSecond) && value !== 0x80000000) return { kind: 'link-bandwidth', transitive, asn, bytesPerSecond };
      break;
    }
    case ExtendedCommunityType.IPV4_ADDRESS_SPECIFIC:
      return { kind: 'ipv4-address-specific', transitive, subtype, address: formatIpv4(readU32(b, p + 2)), value: readU16(b, p + 6) };
    case ExtendedCommunityType.FOUR_OCTET_AS_SPECIFIC:
      return { kind: 'four-octet-as-specific', transitive, subtype, asn4: readU32(b, p + 2), value: readU16(b, p + 6) };
  }
  return { kind: 'opaque', bytes: b.slice(p, p + 8) };
}

function bad(message: string): BgpError {
  return new BgpError('ERR_BGP_BAD_ATTRIBUTE', message, { rfc: RFC });
}

function checkU8(v: number, what: string): void {
  if ((v & 0xff) !== v) throw bad(`extended community ${what} ${v} is not 0..255`);
}
function checkU16(v: number, what: string): void {
  if ((v & 0xffff) !== v) throw bad(`extended community ${what} ${v} is not 0..65535`);
}
function checkU32(v: number, what: string): void {
  if (v >>> 0 !== v) throw bad(`extended community ${what} ${v} is not 0..4294967295`);
}

/** Writes one community (8 octets). Throws ERR_BGP_BAD_ATTRIBUTE for out-of-range fields. */
function writeCommunity(c: ExtendedCommunity, w: ByteWriter): void {
  switch (c.kind) {
    case 'two-octet-as-specific':
      checkU8(c.subtype, 'sub-type');
      checkU16(c.asn, 'ASN');
      checkU32(c.value, 'value');
      w.u8(c.transitive === false ? T : 0);
      w.u8(c.subtype);
      w.u16(c.asn);
      w.u32(c.value);
      return;
    case 'ipv4-address-specific': {
      checkU8(c.subtype, 'sub-type');
      checkU16(c.value, 'value');
      const address = parseIpv4(c.address);
      w.u8(ExtendedCommunityType.IPV4_ADDRESS_SPECIFIC | (c.transitive === false ? T : 0));
      w.u8(c.subtype);
      w.u32(address);
      w.u16(c.value);
      return;
    }
    case 'four-octet-as-specific':
      checkU8(c.subtype, 'sub-type');
      checkU32(c.asn4, 'ASN');
      checkU16(c.value, 'value');
      w.u8(ExtendedCommunityType.FOUR_OCTET_AS_SPECIFIC | (c.transitive === false ? T : 0));
      w.u8(c.subtype);
      w.u32(c.asn4);
      w.u16(c.value);
      return;
    case 'link-bandwidth':
      checkU16(c.asn, 'ASN');
      if (typeof c.bytesPerSecond !== 'number') throw bad('link bandwidth bytesPerSecond is not a number');
      F32[0] = c.bytesPerSecond;
      w.u8(c.transitive === true ? 0 : T);
      w.u8(LB);
      w.u16(c.asn);
      w.u32(U32[0]!);
      return;
    case 'opaque':
      if (!(c.bytes instanceof Uint8Array) || c.bytes.length !== 8) throw bad('an opaque extended community has exactly 8 octets');
      w.bytes(c.bytes);
      return;
    default:
      throw bad(`unknown extended community kind ${JSON.stringify((c as { kind?: unknown }).kind)}`);
  }
}

/** The 8 octets of one community. Throws ERR_BGP_BAD_ATTRIBUTE for out-of-range fields. */
export function encodeExtendedCommunity(c: ExtendedCommunity): Uint8Array {
  const w = new ByteWriter(8);
  writeCommunity(c, w);
  return w.finish();
}

// ---- JSON ----

function subtypeJson(subtype: number): JsonObject {
  if (subtype === RT) return { type: 'route-target' };
  if (subtype === RO) return { type: 'route-origin' };
  return { type: 'specific', subtype };
}

/** The JSON object of one community (shapes in the comment at the top of this file). */
export function extendedCommunityToJson(c: ExtendedCommunity): JsonObject {
  switch (c.kind) {
    case 'two-octet-as-specific':
      return { ...subtypeJson(c.subtype), asn: c.asn, value: c.value, transitive: c.transitive };
    case 'ipv4-address-specific':
      return { ...subtypeJson(c.subtype), address: c.address, value: c.value, transitive: c.transitive };
    case 'four-octet-as-specific':
      return { ...subtypeJson(c.subtype), asn4: c.asn4, value: c.value, transitive: c.transitive };
    case 'link-bandwidth':
      return { type: 'link-bandwidth', asn: c.asn, bytesPerSecond: c.bytesPerSecond, transitive: c.transitive };
    case 'opaque':
      return { type: 'opaque', hex: toHex(c.bytes) };
  }
}

const JSON_TYPES = ['route-target', 'route-origin', 'specific', 'link-bandwidth', 'opaque'];
const ADMIN_KEYS = ['asn', 'address', 'asn4'] as const;

/** Reads one community's JSON object; throws ERR_BGP_BAD_JSON naming `path`. */
export function extendedCommunityFromJson(j: unknown, path: string): ExtendedCommunity {
  const o = expectObject(j, path);
  const type = expectString(field(o, 'type', path), jsonPath(path, 'type'));
  const transitiveOr = (dflt: boolean): boolean =>
    o['transitive'] === undefined ? dflt : expectBoolean(o['transitive'], jsonPath(path, 'transitive'));
  switch (type) {
    case 'route-target':
    case 'route-origin':
    case 'specific': {
      const specific = type === 'specific';
      const admins = ADMIN_KEYS.filter((k) => k in o);
      if (admins.length !== 1) throw jsonError(path, 'needs exactly one of "asn" (two-octet AS), "address" (IPv4) or "asn4" (four-octet AS)');
      onlyKeys(o, ['type', ...(specific ? ['subtype'] : []), admins[0]!, 'value', 'transitive'], path);
      const subtype = specific ? expectInt(field(o, 'subtype', path), jsonPath(path, 'subtype'), 0, 255) : type === 'route-target' ? RT : RO;
      const transitive = transitiveOr(true);
      const vPath = jsonPath(path, 'value');
      switch (admins[0]) {
        case 'asn':
          return {
            kind: 'two-octet-as-specific',
            transitive,
            subtype,
            asn: expectInt(o['asn'], jsonPath(path, 'asn'), 0, 0xffff),
            value: expectInt(field(o, 'value', path), vPath, 0, 0xffffffff),
          };
        case 'address':
          return {
            kind: 'ipv4-address-specific',
            transitive,
            subtype,
            address: ipv4FromJson(o['address'], jsonPath(path, 'address')),
            value: expectInt(field(o, 'value', path), vPath, 0, 0xffff),
          };
        default:
          return {
            kind: 'four-octet-as-specific',
            transitive,
            subtype,
            asn4: expectInt(o['asn4'], jsonPath(path, 'asn4'), 0, 0xffffffff),
            value: expectInt(field(o, 'value', path), vPath, 0, 0xffff),
          };
      }
    }
    case 'link-bandwidth': {
      onlyKeys(o, ['type', 'asn', 'bytesPerSecond', 'transitive'], path);
      const asn = expectInt(field(o, 'asn', path), jsonPath(path, 'asn'), 0, 0xffff);
      const bPath = jsonPath(path, 'bytesPerSecond');
      const raw = field(o, 'bytesPerSecond', path);
      if (typeof raw !== 'number' || !Number.isFinite(Math.fround(raw))) throw jsonError(bPath, 'expected a number that fits a float32');
      return { kind: 'link-bandwidth', transitive: transitiveOr(false), asn, bytesPerSecond: Math.fround(raw) + 0 };
    }
    case 'opaque': {
      onlyKeys(o, ['type', 'hex'], path);
      const hPath = jsonPath(path, 'hex');
      const bytes = bytesFromJson(field(o, 'hex', path), hPath);
      if (bytes.length !== 8) throw jsonError(hPath, `an extended community is 8 octets (16 hex digits), not ${bytes.length}`);
      return { kind: 'opaque', bytes };
    }
    default:
      throw jsonError(jsonPath(path, 'type'), `unknown extended community type ${JSON.stringify(type)} (known: ${JSON_TYPES.join(', ')})`);
  }
}

// ---- text (CLI, config) ----

function badText(text: string, why: string): BgpError {
  return new BgpError(
    'ERR_BGP_BAD_COMMUNITY',
    `not an extended community: ${JSON.stringify(text)}: ${why} (forms: rt:ASN:N, rt:ASNL:N, rt:A.B.C.D:N, ro:..., lb:ASN:BYTES_PER_SECOND, hex:16 hex digits)`,
    { rfc: RFC },
  );
}

function decimalText(s: string, max: number): number {
  if (!/^\d{1,10}$/.test(s)) return -1;
  const n = Number(s);
  return n <= max ? n : -1;
}

/** Parses the text forms listed at the top of this file. Throws ERR_BGP_BAD_COMMUNITY. */
export function parseExtendedCommunity(text: string): ExtendedCommunity {
  const colon = text.indexOf(':');
  const prefix = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (colon < 0) throw badText(text, 'missing "rt:", "ro:", "lb:" or "hex:"');
  if (prefix === 'hex') {
    if (!/^[0-9a-fA-F]{16}$/.test(rest)) throw badText(text, 'expected 16 hex digits');
    return decodeExtendedCommunity(fromHex(rest), 0);
  }
  const last = rest.lastIndexOf(':');
  if (last < 0) throw badText(text, 'expected ADMINISTRATOR:VALUE');
  const admin = rest.slice(0, last);
  const valueText = rest.slice(last + 1);
  if (prefix === 'lb') {
    const asn = decimalText(admin, 0xffff);
    if (asn < 0) throw badText(text, 'the ASN must be 0..65535');
    if (!/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(valueText)) throw badText(text, 'the bandwidth must be a decimal number of bytes per second');
    const bytesPerSecond = Math.fround(Number(valueText));
    if (!Number.isFinite(bytesPerSecond)) throw badText(text, 'the bandwidth does not fit a float32');
    return { kind: 'link-bandwidth', transitive: false, asn, bytesPerSecond };
  }
  if (prefix !== 'rt' && prefix !== 'ro') throw badText(text, `unknown prefix "${prefix}:"`);
  const subtype = prefix === 'rt' ? RT : RO;
  if (admin.includes('.')) {
    let address: string;
    try {
      address = formatIpv4(parseIpv4(admin));
    } catch {
      throw badText(text, 'bad IPv4 address');
    }
    const value = decimalText(valueText, 0xffff);
    if (value < 0) throw badText(text, 'the value after an IPv4 address must be 0..65535');
    return { kind: 'ipv4-address-specific', transitive: true, subtype, address, value };
  }
  const long = admin.endsWith('L') || admin.endsWith('l');
  const asn = decimalText(long ? admin.slice(0, -1) : admin, 0xffffffff);
  if (asn < 0) throw badText(text, 'the ASN must be 0..4294967295');
  if (long || asn > 0xffff) {
    const value = decimalText(valueText, 0xffff);
    if (value < 0) throw badText(text, 'the value after a four-octet ASN must be 0..65535');
    return { kind: 'four-octet-as-specific', transitive: true, subtype, asn4: asn, value };
  }
  const value = decimalText(valueText, 0xffffffff);
  if (value < 0) throw badText(text, 'the value after a two-octet ASN must be 0..4294967295');
  return { kind: 'two-octet-as-specific', transitive: true, subtype, asn, value };
}

/**
 * Text form: "rt:"/"ro:" for transitive route targets/origins, "lb:" for the non-transitive link
 * bandwidth (when not negative), "hex:" with the 8 octets for everything else. parseExtendedCommunity reads it back.
 */
export function formatExtendedCommunity(c: ExtendedCommunity): string {
  switch (c.kind) {
    case 'two-octet-as-specific':
      if (c.transitive && (c.subtype === RT || c.subtype === RO)) return `${c.subtype === RT ? 'rt' : 'ro'}:${c.asn}:${c.value}`;
      break;
    case 'ipv4-address-specific':
      if (c.transitive && (c.subtype === RT || c.subtype === RO)) return `${c.subtype === RT ? 'rt' : 'ro'}:${c.address}:${c.value}`;
      break;
    case 'four-octet-as-specific':
      if (c.transitive && (c.subtype === RT || c.subtype === RO)) {
        return `${c.subtype === RT ? 'rt' : 'ro'}:${c.asn4}${c.asn4 > 0xffff ? '' : 'L'}:${c.value}`;
      }
      break;
    case 'link-bandwidth':
      if (!c.transitive && c.bytesPerSecond >= 0 && c.bytesPerSecond < Infinity && !Object.is(c.bytesPerSecond, -0)) return `lb:${c.asn}:${c.bytesPerSecond}`;
      break;
  }
  return `hex:${toHex(encodeExtendedCommunity(c))}`;
}

// ---- the attribute ----

export const extendedCommunitiesCodec: AttributeCodec<ExtendedCommunitiesAttribute> = {
  typeCode: AttributeType.EXTENDED_COMMUNITIES,
  type: 'EXTENDED_COMMUNITIES',
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.14',

  decode(b, start, end, flags) {
    const len = end - start;
    if (len === 0 || (len & 7) !== 0) {
      return new Malformed(
        `EXTENDED_COMMUNITIES length ${len} is ${len === 0 ? 'zero' : 'not a multiple of 8'}`,
        UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
      );
    }
    const communities: ExtendedCommunity[] = new Array(len >> 3);
    for (let i = 0, p = start; p < end; i++, p += 8) communities[i] = decodeExtendedCommunity(b, p);
    return { type: 'EXTENDED_COMMUNITIES', flags, communities };
  },

  encodeValue(a, w) {
    if (a.communities.length === 0) {
      throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', 'EXTENDED_COMMUNITIES needs at least one community (an empty one is malformed)', {
        rfc: 'RFC 7606 s7.14',
      });
    }
    w.ensure(8 * a.communities.length);
    for (const c of a.communities) writeCommunity(c, w);
  },

  toJson(a): JsonFields {
    return { communities: a.communities.map(extendedCommunityToJson) };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'EXTENDED_COMMUNITIES', ['communities'], path);
    const p = jsonPath(path, 'communities');
    const list = expectArray(field(o, 'communities', path), p);
    if (list.length === 0) throw jsonError(p, 'needs at least one community (RFC 7606 s7.14)');
    return { type: 'EXTENDED_COMMUNITIES', communities: list.map((x, i) => extendedCommunityFromJson(x, jsonPath(p, i))) };
  },
};
