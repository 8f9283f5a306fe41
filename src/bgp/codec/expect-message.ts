/**
 * The checks every `decodeX(msg, ctx)` runs before reading a body: the buffer holds exactly one
 * whole message whose header passes RFC 4271 s6.1 (`checkHeader`) and whose type is the one the
 * decoder reads. Shared by the KEEPALIVE, NOTIFICATION and ROUTE-REFRESH decoders (helper
 * "notification"; the lead may fold it into header.ts). Reads only; no I/O.
 */
import { BgpError, notification } from '../errors.js';
import { ErrorCode, MessageHeaderErrorSubcode } from '../iana/notification-codes.js';
import { HEADER_LENGTH, MESSAGE_TYPE_NAMES } from '../iana/message-type.js';
import type { CodecContext } from './context.js';
import { maxMessageLength } from './context.js';
import { checkHeader } from './header.js';

/**
 * Checks that `msg` is one whole message of type `type`; returns its length (= `msg.length`).
 * Throws BgpError: the header's own errors (1/1, 1/2, 1/3); ERR_BGP_BAD_MESSAGE_LENGTH (1/2)
 * when the buffer is shorter than a header or its length differs from the length field;
 * ERR_BGP_WRONG_MESSAGE_TYPE (no NOTIFICATION: the caller dispatched to the wrong decoder).
 */
export function expectMessage(msg: Uint8Array, ctx: CodecContext, type: number): number {
  if (msg.length < HEADER_LENGTH) {
    throw new BgpError('ERR_BGP_BAD_MESSAGE_LENGTH', `buffer of ${msg.length} octets is shorter than the ${HEADER_LENGTH}-octet header`, {
      notification: notification(ErrorCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH, msg.slice(16, 18)),
      offset: msg.length,
      rfc: 'RFC 4271 s4.1',
    });
  }
  const h = checkHeader(msg, 0, maxMessageLength(ctx));
  if (h.length !== msg.length) {
    throw new BgpError('ERR_BGP_BAD_MESSAGE_LENGTH', `length field says ${h.length} octets but the buffer holds ${msg.length}`, {
      notification: notification(ErrorCode.MESSAGE_HEADER_ERROR, MessageHeaderErrorSubcode.BAD_MESSAGE_LENGTH, msg.slice(16, 18)),
      offset: 16,
      rfc: 'RFC 4271 s4.1',
    });
  }
  if (h.type !== type) {
    throw new BgpError(
      'ERR_BGP_WRONG_MESSAGE_TYPE',
      `message type ${h.type} (${MESSAGE_TYPE_NAMES[h.type] ?? 'unknown'}) given to the ${MESSAGE_TYPE_NAMES[type] ?? type} decoder`,
      { offset: 18 },
    );
  }
  return h.length;
}
