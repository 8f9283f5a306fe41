/**
 * LARGE_COMMUNITY (type 32, RFC 8092): optional transitive, a list of 12-octet communities
 * (Global Administrator, Local Data Part 1, Local Data Part 2; uint32 each), written "A:B:C".
 * Owns the value's codec, the JSON form and the text helpers (CLI, config). Duplicates are kept
 * on decode so that decode -> encode is byte-identical: they do not make the attribute malformed
 * (RFC 8092 s6), and removing them (RFC 8092 s2) is the RIB's job. The header and flags check
 * belong to the UPDATE codec.
 */
import { BgpError } from '../../errors.js';
import { AttributeFlag, AttributeType } from '../../iana/attribute-type.js';
import { UpdateMessageErrorSubcode } from '../../iana/notification-codes.js';
import { attributeObject, expectArray, expectString, field, jsonError, jsonPath } from '../../json/json-util.js';
import { readU32 } from '../bytes.js';
import { Malformed, type AttributeCodec } from './attribute-codec.js';

/** [Global Administrator, Local Data Part 1, Local Data Part 2], uint32 each. */
export type LargeCommunity = readonly [number, number, number];

export interface LargeCommunityAttribute {
  readonly type: 'LARGE_COMMUNITY';
  readonly flags?: number | undefined;
  /** Communities in wire order (duplicates kept); at least one. */
  readonly communities: readonly LargeCommunity[];
}

/** Parses "65000:1:2" (three decimal uint32). Throws ERR_BGP_BAD_COMMUNITY. */
export function parseLargeCommunity(text: string): LargeCommunity {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const c = Number(m[3]);
    if (a <= 0xffffffff && b <= 0xffffffff && c <= 0xffffffff) return [a, b, c];
  }
  throw new BgpError('ERR_BGP_BAD_COMMUNITY', `not a large community: ${JSON.stringify(text)} (expected A:B:C, each 0..4294967295)`, {
    rfc: 'RFC 8092 s3',
  });
}

/** "65000:1:2". */
export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c[0]}:${c[1]}:${c[2]}`;
}

export const largeCommunityCodec: AttributeCodec<LargeCommunityAttribute> = {
  typeCode: AttributeType.LARGE_COMMUNITY,
  type: 'LARGE_COMMUNITY',
  flags: AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE,
  malformedAction: 'treat-as-withdraw',
  rfc: 'RFC 8092 s6',

  decode(b, start, end, flags) {
    const len = end - start;
    if (len === 0 || len % 12 !== 0) {
      return new Malformed(`LARGE_COMMUNITY length ${len} is ${len === 0 ? 'zero' : 'not a multiple of 12'}`, UpdateMessageErrorSubcode.ATTRIBUTE_LENGTH_ERROR);
    }
    const communities: LargeCommunity[] = new Array(len / 12);
    for (let i = 0, p = start; p < end; i++, p += 12) communities[i] = [readU32(b, p), readU32(b, p + 4), readU32(b, p + 8)];
    return { type: 'LARGE_COMMUNITY', flags, communities };
  },

  encodeValue(a, w) {
    const list = a.communities;
    if (list.length === 0) {
      throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', 'LARGE_COMMUNITY needs at least one community (an empty one is malformed)', { rfc: 'RFC 8092 s6' });
    }
    for (const c of list) {
      if (c.length !== 3 || c[0] >>> 0 !== c[0] || c[1] >>> 0 !== c[1] || c[2] >>> 0 !== c[2]) {
        throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `large community ${JSON.stringify(c)} is not three uint32`, { rfc: 'RFC 8092 s3' });
      }
    }
    w.ensure(12 * list.length);
    for (const c of list) {
      w.u32(c[0]);
      w.u32(c[1]);
      w.u32(c[2]);
    }
  },

  toJson(a) {
    return { communities: a.communities.map(formatLargeCommunity) };
  },

  fromJson(j, path) {
    const o = attributeObject(j, 'LARGE_COMMUNITY', ['communities'], path);
    const p = jsonPath(path, 'communities');
    const list = expectArray(field(o, 'communities', path), p);
    if (list.length === 0) throw jsonError(p, 'needs at least one community (RFC 8092 s6)');
    const communities = list.map((x, i) => {
      const at = jsonPath(p, i);
      try {
        return parseLargeCommunity(expectString(x, at));
      } catch (e) {
        if (e instanceof BgpError && e.code === 'ERR_BGP_BAD_JSON') throw e;
        throw jsonError(at, e instanceof Error ? e.message : String(e));
      }
    });
    return { type: 'LARGE_COMMUNITY', communities };
  },
};
