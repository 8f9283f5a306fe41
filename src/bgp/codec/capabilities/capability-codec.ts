/**
 * The contract every capability module fulfils (RFC 5492 s4): one table entry per capability
 * code with the value decoder and encoder and the JSON form, plus small helpers the modules
 * share (empty capabilities, range checks, AFI/SAFI tuples). Owns no state; no I/O. Must not know
 * about optional parameters or the OPEN message (open.ts owns those).
 */
import { BgpError } from '../../errors.js';
import type { ByteWriter } from '../bytes.js';
import { expectBoolean, onlyKeys, type JsonFields, type JsonObject } from '../../json/json-util.js';

/** Returned by a value decoder when the value's length does not fit the capability's layout. */
export class CapabilityMalformed {
  constructor(
    /** Human-readable reason, e.g. "length 3 is not 4". */
    readonly reason: string,
  ) {}
}

export interface CapabilityCodec<C extends { readonly type: string }> {
  /** Capability Code (IANA registry). */
  readonly code: number;
  /** IANA registry key name, the `type` discriminant in memory and JSON. */
  readonly type: C['type'];
  /** The RFC that defines the capability value, e.g. "RFC 6793 s3". */
  readonly rfc: string;
  /**
   * Decodes the value in `b[start..end)`. Must never read outside `[start, end)` and never
   * throw: a value whose length does not fit the layout returns `CapabilityMalformed`.
   */
  decode(b: Uint8Array, start: number, end: number): C | CapabilityMalformed;
  /** Writes the value (not the code/length octets). Throws BgpError for an unencodable value. */
  encodeValue(c: C, w: ByteWriter): void;
  /** JSON form without `type` (capabilityToJson adds it first). */
  toJson(c: C): JsonFields;
  /** Builds the capability from its JSON object (`type` included); throws ERR_BGP_BAD_JSON naming `path`. */
  fromJson(j: JsonObject, path: string): C;
}

/**
 * A copy of `b[start..end)` as a plain Uint8Array. Not `b.slice()`: messages may be Node Buffers
 * (ByteWriter.finish, sockets), whose `slice` is a view sharing memory with the whole message.
 */
export function copyBytes(b: Uint8Array, start = 0, end = b.length): Uint8Array {
  return new Uint8Array(b.subarray(start, end));
}

/** "length N is not M" helper for decoders. */
export function badLength(length: number, expected: string): CapabilityMalformed {
  return new CapabilityMalformed(`length ${length} is not ${expected}`);
}

/** Throws ERR_BGP_BAD_VALUE unless `v` is an integer in [0, max]; used by encoders on in-memory values. */
export function checkUint(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new BgpError('ERR_BGP_BAD_VALUE', `${what} ${String(v)} is not an integer from 0 to ${max}`);
  }
  return v;
}

/** An optional boolean JSON field (missing = false). */
export function optionalBoolean(o: JsonObject, key: string, path: string): boolean {
  return key in o ? expectBoolean(o[key], `${path}.${key}`) : false;
}

/** Codec for a capability whose value is empty (RFC 2918, RFC 7313, RFC 8654, Cisco route refresh). */
export function emptyCapabilityCodec<T extends string>(code: number, type: T, rfc: string): CapabilityCodec<{ readonly type: T }> {
  return {
    code,
    type,
    rfc,
    decode(_b, start, end) {
      return end === start ? { type } : badLength(end - start, '0');
    },
    encodeValue() {},
    toJson() {
      return {};
    },
    fromJson(j, path) {
      onlyKeys(j, ['type'], path);
      return { type };
    },
  };
}
