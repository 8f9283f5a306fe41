/**
 * One framed BGP message as the FSM input it is (RFC 4271 s8.1 events 19-28, plus ROUTE-REFRESH):
 * decode errors become the matching error events, an UPDATE whose RFC 7606 outcome is a session
 * reset becomes UpdateMsgErr. Pure; the session applies collision detection to OPENs.
 */
import { BgpError } from '../errors.js';
import { MessageType } from '../iana/message-type.js';
import type { CodecContext } from '../codec/context.js';
import { type BgpMessage, decodeMessage } from '../codec/message.js';
import { buildNotification } from '../codec/notification.js';
import { sessionResetNotification } from '../codec/update-diagnostic.js';
import type { FsmEvent } from './fsm-event.js';

export function asBgpError(e: unknown): BgpError {
  if (e instanceof BgpError) return e;
  return new BgpError('ERR_BGP_INTERNAL', e instanceof Error ? e.message : String(e), { cause: e });
}

/** The FSM event for one whole message (header included), decoded with the receive context. */
export function messageEvent(msg: Uint8Array, ctx: CodecContext): FsmEvent {
  const type = msg[18]!;
  let m: BgpMessage;
  try {
    m = decodeMessage(msg, ctx);
  } catch (e) {
    const error = asBgpError(e);
    switch (type) {
      case MessageType.OPEN:
        return { type: 'bgpOpenMsgErr', error };
      case MessageType.UPDATE:
        return { type: 'updateMsgErr', error };
      case MessageType.ROUTE_REFRESH:
        return { type: 'routeRefreshMsgErr', error };
      case MessageType.NOTIFICATION:
        // Never answer a NOTIFICATION with one (RFC 4271 s6): take what can be read.
        return { type: 'notifMsg', notification: buildNotification(msg[19] ?? 0, msg[20] ?? 0, msg.subarray(21)) };
      default:
        return { type: 'bgpHeaderErr', error };
    }
  }
  switch (m.type) {
    case 'OPEN':
      return { type: 'bgpOpen', open: m };
    case 'UPDATE': {
      const reset = sessionResetNotification(m.diagnostics);
      if (reset !== undefined) {
        const d = m.diagnostics!.find((x) => x.action === 'session-reset')!;
        return { type: 'updateMsgErr', error: new BgpError('ERR_BGP_UPDATE_SESSION_RESET', d.reason, { notification: reset, rfc: 'RFC 7606', action: 'session-reset' }) };
      }
      return { type: 'updateMsg', update: m };
    }
    case 'NOTIFICATION':
      return { type: 'notifMsg', notification: m };
    case 'KEEPALIVE':
      return { type: 'keepAliveMsg' };
    case 'ROUTE-REFRESH':
      return { type: 'routeRefreshMsg', message: m };
  }
}
