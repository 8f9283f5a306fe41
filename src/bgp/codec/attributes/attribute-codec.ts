/**
 * The contract every path attribute module fulfils: one table entry per type code (as BIRD does)
 * with the flags the RFC specifies, the value decoder and encoder, the RFC 7606 action for a
 * malformed value, and the JSON form. Owns no state; no I/O.
 */
import type { ErrorAction } from '../../errors.js';
import { AttributeFlag } from '../../iana/attribute-type.js';
import type { ByteWriter } from '../bytes.js';
import type { CodecContext } from '../context.js';
import type { JsonFields } from '../../json/json-util.js';

/** Returned by a value decoder when the value is malformed. */
export class Malformed {
  constructor(
    /** Human-readable reason, e.g. "length 3 is not 4". */
    readonly reason: string,
    /** RFC 4271 s6.3 UPDATE Message Error subcode for the NOTIFICATION (when one is sent). */
    readonly subcode: number,
    /** Overrides the codec's `malformedAction` for this case (e.g. MP_REACH AFI/SAFI unknown). */
    readonly action?: ErrorAction,
    /** Overrides the default NOTIFICATION data (the whole attribute) when the RFC says otherwise. */
    readonly data?: Uint8Array,
  ) {}
}


export interface AttributeCodec<A extends { readonly type: string; readonly flags?: number | undefined }> {
  readonly typeCode: number;
  readonly type: A['type'];
  /** The OPTIONAL and TRANSITIVE bits the RFC specifies for this attribute. */
  readonly flags: number;
  /** RFC 7606 action when the value is malformed or the OPTIONAL/TRANSITIVE bits are wrong. */
  readonly malformedAction: ErrorAction;
  /** Where that action is specified, e.g. "RFC 7606 s7.8". */
  readonly rfc: string;
  /**
   * Decodes the value in `b[start..end)`. `flags` is the attribute's flags byte. Must never
   * read outside `[start, end)` and never throw: a bad value returns `Malformed`.
   */
  decode(b: Uint8Array, start: number, end: number, flags: number, ctx: CodecContext): A | Malformed;
  /** Writes the value (not the type/flags/length header). May throw BgpError for an unencodable value. */
  encodeValue(a: A, w: ByteWriter, ctx: CodecContext): void;
  /** The attribute's own JSON fields (docs/json.md). */
  toJson(a: A): JsonFields;
  /** Builds the attribute from its JSON fields; throws BgpError ERR_BGP_BAD_JSON naming `path`. */
  fromJson(j: JsonFields, path: string): Omit<A, 'flags'>;
}

/** Default flags for a value of `length` octets: the RFC's bits plus EXTENDED_LENGTH when needed. */
export function defaultFlags(rfcFlags: number, length: number): number {
  return length > 255 ? rfcFlags | AttributeFlag.EXTENDED_LENGTH : rfcFlags;
}
