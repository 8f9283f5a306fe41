/**
 * The Path Attributes field of an UPDATE (RFC 4271 s4.3): the walk over (flags, type, length,
 * value) triples with the RFC 7606 rules for the list itself (s3, s4, s5) and the per-attribute
 * table for the values (s7). Also the encoder of an attribute list. No I/O.
 */
import { AttributeFlag, AttributeType } from '../iana/attribute-type.js';
import { ErrorCode, UpdateMessageErrorSubcode } from '../iana/notification-codes.js';
import { BgpError, notification, type ErrorAction } from '../errors.js';
import type { ByteWriter } from './bytes.js';
import type { CodecContext } from './context.js';
import { Malformed } from './attributes/attribute-codec.js';
import { CODEC_BY_CODE, codecFor, type PathAttribute } from './attributes/path-attribute.js';
import type { UpdateDiagnostic } from './update-diagnostic.js';

const OT_MASK = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

/** Result of walking an attribute list. `seen` is a bitmask of type codes 1..31 present (valid or not). */
export interface DecodedAttributes {
  attributes: PathAttribute[];
  /** Bit n set when an attribute of type code n (< 32) appeared, valid or not. */
  seenMask: number;
  /** MP_REACH_NLRI or MP_UNREACH_NLRI present (their NLRI make the list unique to one message). */
  hasMp: boolean;
}

const seenStamp = new Uint32Array(256);
let stamp = 0;

/**
 * Walks `b[start..end)`; appends RFC 7606 diagnostics to `diags`. Never throws: every problem
 * becomes a diagnostic with its action.
 */
export function decodeAttributes(b: Uint8Array, start: number, end: number, ctx: CodecContext, diags: UpdateDiagnostic[]): DecodedAttributes {
  const attributes: PathAttribute[] = [];
  let seenMask = 0;
  let hasMp = false;
  if (++stamp === 0xffffffff) {
    seenStamp.fill(0);
    stamp = 1;
  }
  let p = start;
  while (p < end) {
    const at = p;
    if (end - p < 3) {
      diags.push(listError(at, `${end - p} octet(s) left: too short for an attribute header (underrun)`));
      break;
    }
    const flags = b[p]!;
    const typeCode = b[p + 1]!;
    const ext = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
    if (ext && end - p < 4) {
      diags.push(listError(at, 'extended-length attribute header truncated (underrun)', typeCode));
      break;
    }
    const length = ext ? (b[p + 2]! << 8) | b[p + 3]! : b[p + 2]!;
    const vStart = p + (ext ? 4 : 3);
    const vEnd = vStart + length;
    if (vEnd > end) {
      // RFC 7606 s4: the list cannot be parsed past this point. If the overrunning attribute is
      // MP_(UN)REACH_NLRI its NLRI cannot be located, so only a session reset is safe.
      const mp = typeCode === AttributeType.MP_REACH_NLRI || typeCode === AttributeType.MP_UNREACH_NLRI;
      diags.push(
        mp
          ? diag('session-reset', 'ERR_BGP_ATTRIBUTE_LIST_MALFORMED', `attribute type ${typeCode} length ${length} overruns the path attributes by ${vEnd - end} octet(s)`, 'RFC 7606 s4', at, typeCode, UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST)
          : listError(at, `attribute type ${typeCode} length ${length} overruns the path attributes by ${vEnd - end} octet(s)`, typeCode),
      );
      break;
    }
    p = vEnd;
    if (typeCode < 32) seenMask |= 1 << typeCode;
    if (seenStamp[typeCode] === stamp) {
      if (typeCode === AttributeType.MP_REACH_NLRI || typeCode === AttributeType.MP_UNREACH_NLRI) {
        diags.push(diag('session-reset', 'ERR_BGP_DUPLICATE_MP_ATTRIBUTE', `attribute type ${typeCode} appears more than once`, 'RFC 7606 s3(g)', at, typeCode, UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST));
      } else {
        diags.push(diag('attribute-discard', 'ERR_BGP_DUPLICATE_ATTRIBUTE', `attribute type ${typeCode} appears more than once; this occurrence is discarded`, 'RFC 7606 s3(g)', at, typeCode));
      }
      continue;
    }
    seenStamp[typeCode] = stamp;
    const codec = CODEC_BY_CODE[typeCode];
    if (codec === undefined) {
      if ((flags & AttributeFlag.OPTIONAL) === 0) {
        diags.push(diag('session-reset', 'ERR_BGP_UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE', `unrecognized well-known attribute type ${typeCode}`, 'RFC 4271 s6.3', at, typeCode, UpdateMessageErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, b.slice(at, vEnd)));
        continue;
      }
      attributes.push({ type: 'UNKNOWN', flags, typeCode, value: b.slice(vStart, vEnd) });
      continue;
    }
    if ((flags & OT_MASK) !== codec.flags) {
      diags.push(
        diag(codec.malformedAction, 'ERR_BGP_ATTRIBUTE_FLAGS', `${codec.type} flags 0x${flags.toString(16).padStart(2, '0')} conflict with the specified optional/transitive bits 0x${codec.flags.toString(16).padStart(2, '0')}`, codec.malformedAction === 'treat-as-withdraw' ? 'RFC 7606 s3(c)' : codec.rfc, at, typeCode, UpdateMessageErrorSubcode.ATTRIBUTE_FLAGS_ERROR, b.slice(at, vEnd)),
      );
      continue;
    }
    const v = codec.decode(b, vStart, vEnd, flags, ctx);
    if (v instanceof Malformed) {
      diags.push(diag(v.action ?? codec.malformedAction, 'ERR_BGP_ATTRIBUTE_MALFORMED', `${codec.type}: ${v.reason}`, codec.rfc, at, typeCode, v.subcode, v.data ?? b.slice(at, vEnd)));
      continue;
    }
    if (typeCode === AttributeType.MP_REACH_NLRI || typeCode === AttributeType.MP_UNREACH_NLRI) hasMp = true;
    attributes.push(v as PathAttribute);
  }
  return { attributes, seenMask, hasMp };
}

function listError(at: number, reason: string, typeCode?: number): UpdateDiagnostic {
  return diag('treat-as-withdraw', 'ERR_BGP_ATTRIBUTE_LIST_MALFORMED', reason, 'RFC 7606 s4', at, typeCode, UpdateMessageErrorSubcode.MALFORMED_ATTRIBUTE_LIST);
}

/** Builds a diagnostic; the NOTIFICATION is attached only for session reset. */
export function diag(action: ErrorAction, code: string, reason: string, rfc: string, offset: number, attributeType: number | undefined, subcode?: number, data?: Uint8Array): UpdateDiagnostic {
  return {
    action,
    code,
    reason,
    rfc,
    offset,
    ...(attributeType === undefined ? {} : { attributeType }),
    ...(action === 'session-reset' && subcode !== undefined ? { notification: notification(ErrorCode.UPDATE_MESSAGE_ERROR, subcode, data) } : {}),
  };
}

/**
 * Appends one attribute (header + value). Flags: the attribute's own when it has them (decoded
 * ones do), else the RFC's; EXTENDED_LENGTH is added when the value needs it and kept if set.
 */
export function encodeAttribute(a: PathAttribute, w: ByteWriter, ctx: CodecContext): void {
  const codec = codecFor(a);
  let flags: number;
  let typeCode: number;
  if (codec === undefined) {
    if (a.type !== 'UNKNOWN') throw new BgpError('ERR_BGP_BAD_ATTRIBUTE', `unknown attribute kind ${JSON.stringify((a as { type: unknown }).type)}`);
    flags = a.flags;
    typeCode = a.typeCode;
  } else {
    flags = a.flags ?? codec.flags;
    typeCode = codec.typeCode;
  }
  const at = w.pos;
  w.ensure(4);
  w.pos += 4; // room for the longest header; shifted below when the short form is used
  if (codec === undefined) w.bytes((a as { value: Uint8Array }).value);
  else codec.encodeValue(a, w, ctx);
  const length = w.pos - at - 4;
  if (length > 0xffff) throw new BgpError('ERR_BGP_ATTRIBUTE_TOO_LONG', `${a.type} value is ${length} octets, more than 65535`);
  const ext = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0 || length > 255;
  const buf = w.buf;
  if (ext) {
    buf[at] = flags | AttributeFlag.EXTENDED_LENGTH;
    buf[at + 1] = typeCode;
    buf[at + 2] = length >>> 8;
    buf[at + 3] = length;
  } else {
    buf.copyWithin(at + 3, at + 4, w.pos);
    w.pos -= 1;
    buf[at] = flags;
    buf[at + 1] = typeCode;
    buf[at + 2] = length;
  }
}

export function encodeAttributes(attributes: readonly PathAttribute[], w: ByteWriter, ctx: CodecContext): void {
  for (const a of attributes) encodeAttribute(a, w, ctx);
}
