/**
 * The OPEN message (RFC 4271 s4.2) with its Optional Parameters, in the classic encoding and the
 * RFC 9072 extended encoding, and the Capabilities parameter (RFC 5492 s4) delegated to
 * capabilities/capability.ts. Owns the OPEN layout and its structural errors; must not decide
 * session questions (version, peer AS, hold time, BGP Identifier, unsupported parameters or
 * capabilities): the FSM checks those on the decoded value.
 */
// binary-parser's package.json "exports" has no "types" entry, so under NodeNext resolution only
// this subpath (allowed by its "./*" export) carries type declarations; it is the CJS build.
import { Parser } from 'binary-parser/dist/binary_parser.js';
import { BgpError, notification } from '../errors.js';
import { AS_TRANS } from '../iana/asn.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType } from '../iana/message-type.js';
import { ErrorCode, OpenMessageErrorSubcode } from '../iana/notification-codes.js';
import { formatIpv4, parseIpv4 } from '../prefix/address.js';
import { ByteWriter, readU16 } from './bytes.js';
import { decodeCapabilities, encodeCapabilities, type Capability } from './capabilities/capability.js';
import { copyBytes } from './capabilities/capability-codec.js';
import { DEFAULT_CONTEXT, type CodecContext } from './context.js';
import { expectMessage } from './expect-message.js';
import { finishHeader, startHeader } from './header.js';

/** Optional Parameter Types (RFC 5492 s4; 255 is RFC 9072's extended-length marker). */
export const OptionalParameterType = {
  CAPABILITIES: 2,
  EXTENDED_LENGTH: 255,
} as const;

/** Minimum OPEN length: header + Version, My AS, Hold Time, BGP Identifier, Opt Parm Len. */
export const OPEN_MIN_LENGTH = 29;

export type OptionalParameter =
  | { readonly type: 'CAPABILITIES'; readonly capabilities: readonly Capability[] }
  | { readonly type: 'UNKNOWN'; readonly code: number; readonly data: Uint8Array };

export interface OpenMessage {
  readonly type: 'OPEN';
  /** Kept as received; the FSM answers a version other than 4 with 2/1. */
  readonly version: number;
  /** The 2-octet field: AS_TRANS (23456) for a 4-octet ASN (see `peerAsn`). */
  readonly myAutonomousSystem: number;
  readonly holdTimeSec: number;
  /** Dotted quad. */
  readonly bgpIdentifier: string;
  /** In wire order; several Capabilities parameters are kept apart (FRR sends one per capability). */
  readonly optionalParameters: readonly OptionalParameter[];
  /** RFC 9072 encoding: set by the decoder when used; on encode forces it (it is also used when needed). */
  readonly extendedOptionalParameters?: boolean | undefined;
  /**
   * RFC 9072 "Non-Ext OP Len." octet of the extended encoding, which receivers ignore and senders
   * set to 255: present only when a peer sent another non-zero value, so it re-encodes identically.
   */
  readonly nonExtOpLen?: number | undefined;
}

/** Version .. Opt Parm Len: a fixed layout, clearest declared. */
const fixedParser = new Parser()
  .endianness('big')
  .uint8('version')
  .uint16('myAutonomousSystem')
  .uint16('holdTimeSec')
  .uint32('bgpIdentifier')
  .uint8('optParmLen');

interface Fixed {
  version: number;
  myAutonomousSystem: number;
  holdTimeSec: number;
  bgpIdentifier: number;
  optParmLen: number;
}

const openError = (code: string, message: string, offset: number, rfc = 'RFC 4271 s6.2'): BgpError =>
  new BgpError(code, message, {
    notification: notification(ErrorCode.OPEN_MESSAGE_ERROR, OpenMessageErrorSubcode.UNSPECIFIC),
    offset,
    rfc,
  });

/**
 * Decodes a whole OPEN message (header included). `ctx` is not needed (an OPEN precedes every
 * negotiation) and is accepted for symmetry with the other codecs.
 *
 * Errors:
 * - header (RFC 4271 s6.1) from expectMessage/checkHeader: 1/1, 1/2 (also an OPEN over 4096
 *   octets: RFC 8654 s3 does not extend OPEN; and a buffer whose length differs from the length
 *   field), 1/3. A valid header of another type is ERR_BGP_WRONG_MESSAGE_TYPE (no NOTIFICATION).
 * - Optional Parameters length inconsistent with the message length: ERR_BGP_OPEN_OPTIONAL_PARAMETERS_LENGTH,
 *   2/0. Choice: RFC 4271 s6.1 sends 1/2 only for a header length below the OPEN minimum, which
 *   the header check already did; the length that disagrees is an OPEN field, and s6.2 says a
 *   recognized but malformed part of the OPEN is OPEN Message Error / 0 Unspecific. RFC 9072 s2
 *   adds no error of its own, so the same applies to a truncated extended header (offset 29) or
 *   an Extended Opt. Parm. Length that disagrees (offset 30).
 * - A parameter running past the Optional Parameters: ERR_BGP_OPEN_PARAMETER_OVERRUN, 2/0.
 * - Inside a Capabilities parameter (RFC 5492 s4): ERR_BGP_CAPABILITY_OVERRUN and
 *   ERR_BGP_CAPABILITY_LENGTH, 2/0 (capability.ts).
 * Version, My AS, Hold Time and BGP Identifier values are not checked (the FSM sends 2/1, 2/2,
 * 2/6, 2/3); parameter types other than 2 decode as UNKNOWN (the FSM may send 2/4).
 */
export function decodeOpen(msg: Uint8Array, _ctx?: CodecContext): OpenMessage {
  // RFC 8654 s3: the extended message size never applies to OPEN, whatever `ctx` says
  const length = expectMessage(msg, DEFAULT_CONTEXT, MessageType.OPEN);
  // checkHeader (in expectMessage) guarantees length >= OPEN_MIN_LENGTH for type 1
  const f = fixedParser.parse(msg.subarray(HEADER_LENGTH, OPEN_MIN_LENGTH)) as Fixed;
  let extended = false;
  let nonExtOpLen: number | undefined;
  let start = OPEN_MIN_LENGTH;
  let end: number;
  if (f.optParmLen !== 0 && length > OPEN_MIN_LENGTH && msg[OPEN_MIN_LENGTH] === OptionalParameterType.EXTENDED_LENGTH) {
    // RFC 9072 s2: a non-zero Non-Ext OP Len followed by Non-Ext OP Type 255 selects the
    // extended encoding; the Non-Ext OP Len value itself is ignored.
    extended = true;
    if (f.optParmLen !== 255) nonExtOpLen = f.optParmLen;
    if (length < OPEN_MIN_LENGTH + 3) {
      throw openError(
        'ERR_BGP_OPEN_OPTIONAL_PARAMETERS_LENGTH',
        `extended optional parameters header (RFC 9072) needs 3 octets, the message has ${length - OPEN_MIN_LENGTH}`,
        OPEN_MIN_LENGTH,
        'RFC 9072 s2; RFC 4271 s6.2',
      );
    }
    const extLen = readU16(msg, OPEN_MIN_LENGTH + 1);
    start = OPEN_MIN_LENGTH + 3;
    end = start + extLen;
    if (end !== length) {
      throw openError(
        'ERR_BGP_OPEN_OPTIONAL_PARAMETERS_LENGTH',
        `Extended Opt. Parm. Length ${extLen} but ${length - start} octets follow it`,
        OPEN_MIN_LENGTH + 1,
        'RFC 9072 s2; RFC 4271 s6.2',
      );
    }
  } else {
    end = start + f.optParmLen;
    if (end !== length) {
      throw openError('ERR_BGP_OPEN_OPTIONAL_PARAMETERS_LENGTH', `Opt Parm Len ${f.optParmLen} but ${length - start} octets follow it`, 28);
    }
  }
  const m: OpenMessage = {
    type: 'OPEN',
    version: f.version,
    myAutonomousSystem: f.myAutonomousSystem,
    holdTimeSec: f.holdTimeSec,
    bgpIdentifier: formatIpv4(f.bgpIdentifier),
    optionalParameters: decodeParameters(msg, start, end, extended),
  };
  if (!extended) return m;
  return nonExtOpLen === undefined ? { ...m, extendedOptionalParameters: true } : { ...m, extendedOptionalParameters: true, nonExtOpLen };
}

function decodeParameters(msg: Uint8Array, start: number, end: number, extended: boolean): OptionalParameter[] {
  const out: OptionalParameter[] = [];
  const headerLen = extended ? 3 : 2;
  let i = start;
  while (i < end) {
    if (i + headerLen > end) {
      throw openError('ERR_BGP_OPEN_PARAMETER_OVERRUN', `optional parameter at byte ${i} has no room for its ${headerLen}-octet type and length`, i);
    }
    const code = msg[i]!;
    const len = extended ? readU16(msg, i + 1) : msg[i + 1]!;
    const vStart = i + headerLen;
    const vEnd = vStart + len;
    if (vEnd > end) {
      throw openError(
        'ERR_BGP_OPEN_PARAMETER_OVERRUN',
        `optional parameter type ${code} length ${len} runs ${vEnd - end} octet(s) past the optional parameters`,
        i + 1,
      );
    }
    if (code === OptionalParameterType.CAPABILITIES) {
      out.push({ type: 'CAPABILITIES', capabilities: decodeCapabilities(msg, vStart, vEnd) });
    } else {
      out.push({ type: 'UNKNOWN', code, data: copyBytes(msg, vStart, vEnd) });
    }
    i = vEnd;
  }
  return out;
}

function badValue(message: string): BgpError {
  return new BgpError('ERR_BGP_BAD_VALUE', message);
}

function checkField(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw badValue(`OPEN ${what} ${String(v)} is not an integer from 0 to ${max}`);
  return v;
}

/**
 * Encodes a whole OPEN message. The classic encoding is used unless `extendedOptionalParameters`
 * is true or it cannot carry the parameters (more than 255 octets, a parameter over 255 octets,
 * or a first parameter of type 255), then RFC 9072's. Throws ERR_BGP_BAD_VALUE for out-of-range
 * fields, ERR_BGP_BAD_ADDRESS for a bad BGP Identifier, ERR_BGP_MESSAGE_TOO_LONG over 4096 octets.
 */
export function encodeOpen(m: OpenMessage, _ctx?: CodecContext): Uint8Array {
  const values = m.optionalParameters.map((p) => {
    if (p.type === 'UNKNOWN') return { code: checkField(p.code, 0xff, 'optional parameter type'), value: p.data };
    const vw = new ByteWriter(64);
    encodeCapabilities(p.capabilities, vw);
    return { code: OptionalParameterType.CAPABILITIES as number, value: vw.finish() };
  });
  const classicLen = values.reduce((n, v) => n + 2 + v.value.length, 0);
  const extended =
    m.extendedOptionalParameters === true ||
    classicLen > 255 ||
    values.some((v) => v.value.length > 255) ||
    values[0]?.code === OptionalParameterType.EXTENDED_LENGTH;

  const w = new ByteWriter(64 + classicLen + values.length);
  const start = startHeader(w, MessageType.OPEN);
  w.u8(checkField(m.version, 0xff, 'version'));
  w.u16(checkField(m.myAutonomousSystem, 0xffff, 'My Autonomous System'));
  w.u16(checkField(m.holdTimeSec, 0xffff, 'Hold Time'));
  w.u32(parseIpv4(m.bgpIdentifier));
  if (extended) {
    const extLen = values.reduce((n, v) => n + 3 + v.value.length, 0);
    if (extLen > 0xffff) throw badValue(`optional parameters are ${extLen} octets, more than 65535 (RFC 9072)`);
    const nonExtOpLen = m.nonExtOpLen ?? 255;
    if (!Number.isInteger(nonExtOpLen) || nonExtOpLen < 1 || nonExtOpLen > 255) {
      throw badValue(`Non-Ext OP Len ${String(nonExtOpLen)} must be 1..255 (0 would mean no optional parameters)`);
    }
    w.u8(nonExtOpLen);
    w.u8(OptionalParameterType.EXTENDED_LENGTH);
    w.u16(extLen);
    for (const v of values) {
      w.u8(v.code);
      w.u16(v.value.length);
      w.bytes(v.value);
    }
  } else {
    w.u8(classicLen);
    for (const v of values) {
      w.u8(v.code);
      w.u8(v.value.length);
      w.bytes(v.value);
    }
  }
  finishHeader(w, start, MAX_MESSAGE_LENGTH);
  return w.finish();
}

/** Every capability of every Capabilities parameter, in wire order. */
export function capabilitiesOf(open: OpenMessage): Capability[] {
  const out: Capability[] = [];
  for (const p of open.optionalParameters) if (p.type === 'CAPABILITIES') out.push(...p.capabilities);
  return out;
}

/** The speaker's ASN: the FOUR_OCTET_AS capability's when present (RFC 6793 s4.1), else My Autonomous System. */
export function peerAsn(open: OpenMessage): number {
  for (const c of capabilitiesOf(open)) if (c.type === 'FOUR_OCTET_AS') return c.asn;
  return open.myAutonomousSystem;
}

export interface BuildOpenOptions {
  /** 0..4294967295; above 65535 the 2-octet field carries AS_TRANS. */
  readonly myAsn: number;
  readonly holdTimeSec: number;
  readonly bgpIdentifier: string;
  readonly capabilities?: readonly Capability[] | undefined;
}

/**
 * A version 4 OPEN with one Capabilities parameter holding `capabilities` plus FOUR_OCTET_AS
 * (RFC 6793 s3) when missing. Throws ERR_BGP_BAD_VALUE / ERR_BGP_BAD_ADDRESS for bad arguments.
 */
export function buildOpen(o: BuildOpenOptions): OpenMessage {
  checkField(o.myAsn, 0xffffffff, 'ASN');
  checkField(o.holdTimeSec, 0xffff, 'Hold Time');
  parseIpv4(o.bgpIdentifier);
  const caps = [...(o.capabilities ?? [])];
  if (!caps.some((c) => c.type === 'FOUR_OCTET_AS')) caps.push({ type: 'FOUR_OCTET_AS', asn: o.myAsn });
  return {
    type: 'OPEN',
    version: 4,
    myAutonomousSystem: o.myAsn > 0xffff ? AS_TRANS : o.myAsn,
    holdTimeSec: o.holdTimeSec,
    bgpIdentifier: o.bgpIdentifier,
    optionalParameters: [{ type: 'CAPABILITIES', capabilities: caps }],
  };
}
