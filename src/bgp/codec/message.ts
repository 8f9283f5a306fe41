/**
 * Any BGP message: the union of the five message types and the dispatch on the header's type
 * octet. `decodeMessage` takes exactly one whole message (use the Framer for a stream);
 * `decodeMessages` splits a buffer of back-to-back messages. No I/O.
 */
import { MessageType } from '../iana/message-type.js';
import { type CodecContext, DEFAULT_CONTEXT, maxMessageLength } from './context.js';
import { expectMessage } from './expect-message.js';
import { Framer } from './framer.js';
import { decodeKeepalive, encodeKeepalive, type KeepaliveMessage } from './keepalive.js';
import { decodeNotification, encodeNotification, type NotificationMessage } from './notification.js';
import { decodeOpen, encodeOpen, type OpenMessage } from './open.js';
import { decodeRouteRefresh, encodeRouteRefresh, type RouteRefreshMessage } from './route-refresh.js';
import { decodeUpdate, encodeUpdate, type UpdateMessage } from './update.js';

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/**
 * Decodes one whole message (header included; `msg.length` must equal the length field).
 * Throws BgpError with the NOTIFICATION to send for header and message errors; UPDATE
 * attribute problems come back as `diagnostics` (RFC 7606).
 */
export function decodeMessage(msg: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): BgpMessage {
  const type = msg.length > 18 ? msg[18]! : -1;
  switch (type) {
    case MessageType.UPDATE:
      expectMessage(msg, ctx, MessageType.UPDATE);
      return decodeUpdate(msg, ctx);
    case MessageType.OPEN:
      return decodeOpen(msg, ctx);
    case MessageType.NOTIFICATION:
      return decodeNotification(msg, ctx);
    case MessageType.ROUTE_REFRESH:
      return decodeRouteRefresh(msg, ctx);
    default:
      // KEEPALIVE, and every header error (bad marker, length, unknown type) via its checks
      expectMessage(msg, ctx, MessageType.KEEPALIVE);
      return decodeKeepalive(msg, ctx);
  }
}

/** Decodes back-to-back messages; throws on the first bad one or on trailing partial bytes. */
export function decodeMessages(bytes: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): BgpMessage[] {
  const f = new Framer({ maxMessageLength: maxMessageLength(ctx) });
  f.push(bytes);
  const out: BgpMessage[] = [];
  for (const m of f.messages()) out.push(decodeMessage(m, ctx));
  if (f.buffered !== 0) {
    // reuse the single-message checks to report the truncated tail precisely
    decodeMessage(bytes.subarray(f.streamOffset), ctx);
  }
  return out;
}

export function encodeMessage(m: BgpMessage, ctx: CodecContext = DEFAULT_CONTEXT): Uint8Array {
  switch (m.type) {
    case 'UPDATE':
      return encodeUpdate(m, ctx);
    case 'OPEN':
      return encodeOpen(m, ctx);
    case 'NOTIFICATION':
      return encodeNotification(m, ctx);
    case 'ROUTE-REFRESH':
      return encodeRouteRefresh(m, ctx);
    case 'KEEPALIVE':
      return encodeKeepalive();
  }
}
