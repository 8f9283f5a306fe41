/**
 * ROUTE-REFRESH message (RFC 2918 s3, with the Message Subtype of RFC 7313 s3): AFI (2 octets),
 * Message Subtype (1 octet, "Reserved" in RFC 2918), SAFI (1 octet). Owns the decode, the encode
 * and the RFC 7313 s5 length error. Does not decide whether the AFI/SAFI was negotiated or what a
 * BoRR/EoRR does to the RIB (the session does; RFC 7313 s5 says to ignore unknown subtypes).
 */
import { BgpError, notification } from '../errors.js';
import { ErrorCode, RouteRefreshErrorSubcode } from '../iana/notification-codes.js';
import { HEADER_LENGTH, MessageType } from '../iana/message-type.js';
import { ByteWriter, readU16 } from './bytes.js';
import type { CodecContext } from './context.js';
import { DEFAULT_CONTEXT, maxMessageLength } from './context.js';
import { expectMessage } from './expect-message.js';
import { finishHeader, startHeader } from './header.js';

/** RFC 7313 s3 Message Subtype values (BGP Route Refresh Subcodes registry). */
export const RouteRefreshSubtype = {
  /** 0: a normal route refresh request (RFC 2918), also sent with Enhanced Route Refresh. */
  NORMAL: 0,
  /** 1: Beginning of Route Refresh (BoRR). */
  BORR: 1,
  /** 2: End of Route Refresh (EoRR). */
  EORR: 2,
} as const;
export type RouteRefreshSubtypeName = keyof typeof RouteRefreshSubtype;

export interface RouteRefreshMessage {
  readonly type: 'ROUTE-REFRESH';
  readonly afi: number;
  readonly safi: number;
  /**
   * RFC 7313: 0 normal request, 1 BoRR, 2 EoRR. Other values are decoded and kept (the
   * receiver ignores such messages, RFC 7313 s5).
   */
  readonly subtype: number;
}

/** The body is always 4 octets: AFI, subtype, SAFI. */
const BODY_LENGTH = 4;

/**
 * Decodes a whole ROUTE-REFRESH message. Throws BgpError: the header's errors (a message shorter
 * than 23 octets is 1/2 there), and ERR_BGP_ROUTE_REFRESH_LENGTH (NOTIFICATION 7/1 ROUTE-REFRESH
 * Message Error / Invalid Message Length, data = the complete message, RFC 7313 s5) when the body
 * is not 4 octets. RFC 7313 s5 mandates that error for subtypes 1 and 2; we apply it to every
 * subtype because a longer subtype-0 body would carry RFC 5291 ORF entries, which this library
 * neither advertises nor supports, and no other subtype defines a longer body.
 */
export function decodeRouteRefresh(msg: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): RouteRefreshMessage {
  const length = expectMessage(msg, ctx, MessageType.ROUTE_REFRESH);
  const bodyLength = length - HEADER_LENGTH;
  if (bodyLength !== BODY_LENGTH) {
    throw new BgpError('ERR_BGP_ROUTE_REFRESH_LENGTH', `ROUTE-REFRESH body is ${bodyLength} octets, not ${BODY_LENGTH}`, {
      notification: notification(ErrorCode.ROUTE_REFRESH_MESSAGE_ERROR, RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH, msg.slice()),
      offset: 16,
      rfc: 'RFC 7313 s5',
    });
  }
  return {
    type: 'ROUTE-REFRESH',
    afi: readU16(msg, HEADER_LENGTH),
    subtype: msg[HEADER_LENGTH + 2]!,
    safi: msg[HEADER_LENGTH + 3]!,
  };
}

/** Encodes a whole ROUTE-REFRESH message. Throws ERR_BGP_VALUE_OUT_OF_RANGE for a bad field. */
export function encodeRouteRefresh(m: RouteRefreshMessage, ctx: CodecContext = DEFAULT_CONTEXT): Uint8Array {
  checkRange(m.afi, 0xffff, 'AFI');
  checkRange(m.safi, 0xff, 'SAFI');
  checkRange(m.subtype, 0xff, 'subtype');
  const w = new ByteWriter(HEADER_LENGTH + BODY_LENGTH);
  const start = startHeader(w, MessageType.ROUTE_REFRESH);
  w.u16(m.afi);
  w.u8(m.subtype);
  w.u8(m.safi);
  finishHeader(w, start, maxMessageLength(ctx));
  return w.finish();
}

/** A RouteRefreshMessage; `subtype` defaults to a normal request. */
export function buildRouteRefresh(afi: number, safi: number, subtype: number = RouteRefreshSubtype.NORMAL): RouteRefreshMessage {
  const m: RouteRefreshMessage = { type: 'ROUTE-REFRESH', afi, safi, subtype };
  checkRange(afi, 0xffff, 'AFI');
  checkRange(safi, 0xff, 'SAFI');
  checkRange(subtype, 0xff, 'subtype');
  return m;
}

function checkRange(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new BgpError('ERR_BGP_VALUE_OUT_OF_RANGE', `ROUTE-REFRESH ${what} ${v} is not an integer from 0 to ${max}`, {
      rfc: 'RFC 7313 s3',
    });
  }
}
