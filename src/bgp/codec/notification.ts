/**
 * NOTIFICATION message (RFC 4271 s4.5): error code, subcode and data, kept exactly as received so
 * decode -> encode is byte-identical. What the data means for some codes (RFC 9003 Shutdown
 * Communication, RFC 8538 Hard Reset, RFC 4486 maximum prefixes) is derived on demand by the
 * helpers here and in shutdown-communication.ts / hard-reset.ts, never stored. Does not decide
 * when to send one or what to do on receipt (the session does).
 */
import type { NotificationSpec } from '../errors.js';
import { BgpError } from '../errors.js';
import { CeaseSubcode, ERROR_CODE_TEXT, ERROR_SUBCODE_TEXT, ErrorCode } from '../iana/notification-codes.js';
import { HEADER_LENGTH, MessageType } from '../iana/message-type.js';
import { ByteWriter, readU16, readU32 } from './bytes.js';
import type { CodecContext } from './context.js';
import { DEFAULT_CONTEXT, maxMessageLength } from './context.js';
import { expectMessage } from './expect-message.js';
import { finishHeader, startHeader } from './header.js';

export interface NotificationMessage {
  readonly type: 'NOTIFICATION';
  /** RFC 4271 s4.5 Error Code (`ErrorCode`). */
  readonly code: number;
  /** Error Subcode; its meaning depends on `code` (`CeaseSubcode`, ...). */
  readonly subcode: number;
  /** Data field, raw. */
  readonly data: Uint8Array;
}

/** Offset of the error code in the message (right after the header). */
const BODY = HEADER_LENGTH;

/**
 * The RFC text for a code and subcode, e.g. "Cease / Administrative Shutdown". Codes without
 * subcodes (4 Hold Timer Expired, 8 Send Hold Timer Expired) give just the code text when the
 * subcode is 0. Unassigned values are named by number: "Cease / subcode 42", "error code 9 / subcode 1".
 */
export function notificationName(code: number, subcode: number): string {
  const codeText = ERROR_CODE_TEXT[code];
  if (codeText === undefined) return `error code ${code} / subcode ${subcode}`;
  const subs = ERROR_SUBCODE_TEXT[code];
  if (subcode === 0 && (code === ErrorCode.HOLD_TIMER_EXPIRED || code === ErrorCode.SEND_HOLD_TIMER_EXPIRED)) return codeText;
  return `${codeText} / ${subs?.[subcode] ?? `subcode ${subcode}`}`;
}

/**
 * Decodes a whole NOTIFICATION message. Any code, subcode and data are accepted (the header
 * guarantees the 2 octets of code and subcode); only the header can fail (1/1, 1/2, 1/3).
 * `data` is a copy, so it stays valid when the receive buffer is reused.
 */
export function decodeNotification(msg: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): NotificationMessage {
  expectMessage(msg, ctx, MessageType.NOTIFICATION);
  return { type: 'NOTIFICATION', code: msg[BODY]!, subcode: msg[BODY + 1]!, data: msg.slice(BODY + 2) };
}

/**
 * Encodes a whole NOTIFICATION message. Throws BgpError ERR_BGP_VALUE_OUT_OF_RANGE for a code or
 * subcode outside 0..255 and ERR_BGP_MESSAGE_TOO_LONG when the data does not fit the maximum
 * message length of `ctx` (4096, or 65535 with RFC 8654 extended messages).
 */
export function encodeNotification(m: NotificationMessage, ctx: CodecContext = DEFAULT_CONTEXT): Uint8Array {
  checkOctet(m.code, 'error code');
  checkOctet(m.subcode, 'error subcode');
  const w = new ByteWriter(BODY + 2 + m.data.length);
  const start = startHeader(w, MessageType.NOTIFICATION);
  w.u8(m.code);
  w.u8(m.subcode);
  w.bytes(m.data);
  finishHeader(w, start, maxMessageLength(ctx));
  return w.finish();
}

/** A NotificationMessage from its parts; `data` defaults to empty. */
export function buildNotification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  checkOctet(code, 'error code');
  checkOctet(subcode, 'error subcode');
  return { type: 'NOTIFICATION', code, subcode, data };
}

/** The NOTIFICATION a BgpError says to send (`err.notification`). */
export function notificationFromSpec(spec: NotificationSpec): NotificationMessage {
  return buildNotification(spec.code, spec.subcode, spec.data);
}

/** RFC 4486 s4 data of Cease / Maximum Number of Prefixes Reached. */
export interface MaxPrefixesData {
  readonly afi: number;
  readonly safi: number;
  /** The configured prefix upper bound that was exceeded. */
  readonly upperBound: number;
}

/** True when `code`/`subcode` is Cease / Maximum Number of Prefixes Reached. */
export function isMaxPrefixes(code: number, subcode: number): boolean {
  return code === ErrorCode.CEASE && subcode === CeaseSubcode.MAXIMUM_NUMBER_OF_PREFIXES_REACHED;
}

/**
 * Reads the optional RFC 4486 s4 data (AFI 2 octets, SAFI 1 octet, prefix upper bound 4 octets).
 * Never throws: data that is not exactly 7 octets gives undefined (it is optional and free-form
 * in practice).
 */
export function decodeMaxPrefixesData(data: Uint8Array): MaxPrefixesData | undefined {
  if (data.length !== 7) return undefined;
  return { afi: readU16(data, 0), safi: data[2]!, upperBound: readU32(data, 3) };
}

/** Builds the RFC 4486 s4 data. Throws ERR_BGP_VALUE_OUT_OF_RANGE for out-of-range fields. */
export function encodeMaxPrefixesData(d: MaxPrefixesData): Uint8Array {
  checkRange(d.afi, 0xffff, 'maximum prefixes AFI', 'RFC 4486 s4');
  checkRange(d.safi, 0xff, 'maximum prefixes SAFI', 'RFC 4486 s4');
  checkRange(d.upperBound, 0xffffffff, 'maximum prefixes upper bound', 'RFC 4486 s4');
  const w = new ByteWriter(7);
  w.u16(d.afi);
  w.u8(d.safi);
  w.u32(d.upperBound);
  return w.finish();
}

function checkOctet(v: number, what: string): void {
  checkRange(v, 255, `NOTIFICATION ${what}`, 'RFC 4271 s4.5');
}

function checkRange(v: number, max: number, what: string, rfc: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new BgpError('ERR_BGP_VALUE_OUT_OF_RANGE', `${what} ${v} is not an integer from 0 to ${max}`, { rfc });
  }
}
