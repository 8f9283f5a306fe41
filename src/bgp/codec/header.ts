/**
 * The 19-octet BGP message header (RFC 4271 s4.1) and its s6.1 checks. Hand-written: it runs
 * once per message on the hot path. No I/O.
 */
import { BgpError, notification } from '../errors.js';
import { ErrorCode, MessageHeaderErrorSubcode } from '../iana/notification-codes.js';
import { HEADER_LENGTH, MARKER_LENGTH } from '../iana/message-type.js';
import type { ByteWriter } from './bytes.js';

/** Minimum and maximum total length per message type (RFC 4271 s6.1, RFC 2918, RFC 7313). */
const MIN_LENGTH: Readonly<Record<number, number>> = { 1: 29, 2: 23, 3: 21, 4: 19, 5: 23 };

/**
 * Checks the header of the message starting at `b[at]`, given that `available` octets are there
 * (at least 19). Returns the total message length. Throws the RFC 4271 s6.1 error:
 * 1/1 Connection Not Synchronized (bad marker), 1/2 Bad Message Length (data: the length field),
 * 1/3 Bad Message Type (data: the type field).
 */
export function checkHeader(b: Uint8Array, at: number, maxLength: number): { length: number; type: number } {
  if (b.length - at < HEADER_LENGTH) {
    throw new BgpError('ERR_BGP_BAD_MESSAGE_LENGTH', `${Math.max(0, b.length - at)} octets are too few for the ${HEADER_LENGTH}-octet header`, {
      notification: notification(ErrorCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH, b.slice(at + 16, at + 18)),
      offset: Math.max(0, b.length - at),
      rfc: 'RFC 4271 s4.1',
    });
  }
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (b[at + i] !== 0xff) {
      throw new BgpError('ERR_BGP_BAD_MARKER', `marker octet ${i} is 0x${b[at + i]!.toString(16).padStart(2, '0')}, not 0xff`, {
        notification: notification(ErrorCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.CONNECTION_NOT_SYNCHRONIZED),
        offset: i,
        rfc: 'RFC 4271 s6.1',
      });
    }
  }
  const length = (b[at + 16]! << 8) | b[at + 17]!;
  const type = b[at + 18]!;
  const badLength = (why: string): BgpError =>
    new BgpError('ERR_BGP_BAD_MESSAGE_LENGTH', `message length ${length} ${why}`, {
      notification: notification(ErrorCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH, b.slice(at + 16, at + 18)),
      offset: 16,
      rfc: 'RFC 4271 s6.1',
    });
  if (length < HEADER_LENGTH) throw badLength(`is less than the header (${HEADER_LENGTH})`);
  if (length > maxLength) throw badLength(`exceeds the maximum ${maxLength}${maxLength === 4096 ? ' (extended messages not negotiated)' : ''}`);
  const min = MIN_LENGTH[type];
  if (min === undefined) {
    throw new BgpError('ERR_BGP_BAD_MESSAGE_TYPE', `message type ${type} is not defined`, {
      notification: notification(ErrorCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.BAD_MESSAGE_TYPE, new Uint8Array([type])),
      offset: 18,
      rfc: 'RFC 4271 s6.1',
    });
  }
  if (length < min) throw badLength(`is too short for a message of type ${type} (minimum ${min})`);
  if (type === 4 && length !== HEADER_LENGTH) throw badLength('is not 19, the only KEEPALIVE length');
  return { length, type };
}

/** Writes a header with a zero length; `finishHeader` patches the length once the body is written. */
export function startHeader(w: ByteWriter, type: number): number {
  const start = w.pos;
  w.ensure(HEADER_LENGTH);
  w.buf.fill(0xff, w.pos, w.pos + MARKER_LENGTH);
  w.pos += MARKER_LENGTH;
  w.u16(0);
  w.u8(type);
  return start;
}

/** Patches the length field of the message that started at `start`; checks it against `maxLength`. */
export function finishHeader(w: ByteWriter, start: number, maxLength: number): void {
  const length = w.pos - start;
  if (length > maxLength) {
    throw new BgpError('ERR_BGP_MESSAGE_TOO_LONG', `encoded message is ${length} octets, more than the maximum ${maxLength}`, {
      rfc: maxLength > 4096 ? 'RFC 8654' : 'RFC 4271 s4.1',
    });
  }
  w.setU16(start + 16, length);
}
