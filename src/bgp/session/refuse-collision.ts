/**
 * RFC 4271 s6.8: a connection that collides with an Established session is closed with
 * NOTIFICATION Cease / Connection Collision Resolution (6/7). Writes it and ends the connection;
 * returns the NOTIFICATION for the session's `notificationSent` event.
 */
import { CeaseSubcode, ErrorCode } from '../iana/notification-codes.js';
import { encodeMessage } from '../codec/message.js';
import { buildNotification, type NotificationMessage } from '../codec/notification.js';
import type { BgpConnection } from '../transport/connection.js';

export function refuseCollision(connection: BgpConnection): NotificationMessage {
  const n = buildNotification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION);
  connection.setHandlers({ onData: () => {}, onDrain: () => {}, onClose: () => {} });
  connection.write(encodeMessage(n));
  connection.end();
  return n;
}
