/**
 * COMMUNITIES (type 8, RFC 1997): optional transitive, a list of uint32 communities, written
 * "ASN:VALUE" (high and low 16 bits) or by their well-known name (src/bgp/iana/community.ts).
 * Owns the value's codec, the JSON form and the text helpers used by the CLI and config;
 * acting on NO_EXPORT and friends belongs to policy, the header and flags check to the UPDATE codec.
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { WELL_KNOWN_COMMUNITY_NAMES, WellKnownCommunity } from '../../iana/community.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectArray, expectInt, field, jsonError, jsonPath } from '../../json/json-util.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

export interface CommunitiesAttribute {
  readonly type: 'COMMUNITIES';
  readonly flags?: number | undefined;
  /** uint32 communities in wire order (duplicates kept); at least one. */
  readonly communities: readonly number[];
}

const WELL_KNOWN = WellKnownCommunity as Readonly<Record<string, number>>;

/**
 * Parses community text: "65000:100" (two decimal 16-bit halves), a well-known name
 * ("NO_EXPORT", "GRACEFUL_SHUTDOWN"; case and "-"/"_" are not significant, so "no-export" works)
 * or a decimal uint32 ("4294967041"). Throws ERR_BGP_BAD_COMMUNITY.
 */
export function parseCommunity(text: string): number {
  const colon = text.indexOf(':');
  if (colon >= 0) {
    const hi = decimal(text.slice(0, colon), 0xffff);
    const lo = decimal(text.slice(colon + 1), 0xffff);
    if (hi >= 0 && lo >= 0) return ((hi << 16) | lo) >>> 0;
  } else {
    const n = decimal(text, 0xffffffff);
    if (n >= 0) return n;
    const named = WELL_KNOWN[text.toUpperCase().replace(/-/g, '_')];
    if (named !== undefined) return named;
  }
  throw new BgpError(
    'ERR_BGP_BAD_COMMUNITY',
    `not a community: ${JSON.stringify(text)} (expected ASN:VALUE with each part 0..65535, a well-known name such as NO_EXPORT, or a number)`,
    { rfc: 'RFC 1997' },
  );
}

/** "65000:100", or the well-known name ("NO_EXPORT") when the value has one. */
export function formatCommunity(n: number): string {
  return WELL_KNOWN_COMMUNITY_NAMES.get(n) ?? `${n >>> 16}:${n & 0xffff}`;
}

/** A decimal integer of at most 10 digits in [0, max], or -1. */
function decimal(s: string, max: number): number {
  if (s.length === 0 || s.length > 10) return -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  const n = Number(s);
  return n <= max ? n : -1;
}

export const communitiesCodec: AttributeCodec<CommunitiesAttribute> = {
  typeCode: AttributeType.COMMUNITIES,
  type: 'COMMUNITIES',
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 7606 s7.8',

  decode(b, start, end, flags) {
    const len = end - start;
    if (len === 0 || (len & 3) !== 0) {
      return new Malformed(`COMMUNITIES length ${len} is ${len === 0 ? 'zero' : 'not a multiple of 4'}`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    }
    const communities: number[] = new Array(len >> 2);
    for (let i = 0, p = start; p < end; i++, p += 4) communities[i] = readU32(b, p);
    return { type: 'COMMUNITIES', flags, communities };
  },

  encodeValue(a, w) {
    const list = a.communities;
    if (list.length === 0) {
      throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', 'COMMUNITIES needs at least one community (an empty one is malformed)', { rfc: 'RFC 7606 s7.8' });
    }
    for (const c of list) {
      if (c >>> 0 !== c) throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `community ${c} is not a uint32`, { rfc: 'RFC 1997' });
    }
    w.ensure(4 * list.length);
    for (const c of list) w.u32(c);
  },

  toJson(a) {
    return { communities: a.communities.map(formatCommunity) };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'COMMUNITIES', ['communities'], path);
    const p = jsonPath(path, 'communities');
    const list = expectArray(field(o, 'communities', path), p);
    if (list.length === 0) throw jsonError(p, 'needs at least one community (RFC 7606 s7.8)');
    const communities = list.map((x, i) => {
      const at = jsonPath(p, i);
      if (typeof x === 'number') return expectInt(x, at, 0, 0xffffffff);
      if (typeof x !== 'string') throw jsonError(at, 'expected "ASN:VALUE", a well-known community name or a number');
      try {
        return parseCommunity(x);
      } catch (e) {
        throw jsonError(at, e instanceof Error ? e.message : String(e));
      }
    });
    return { type: 'COMMUNITIES', communities };
  },
};
