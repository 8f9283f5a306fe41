/**
 * The NOTIFICATION `BgpSession.stop()` sends: Cease / Administrative Shutdown with the RFC 9003
 * shutdown communication, or a Hard Reset (RFC 8538 s3) carrying that NOTIFICATION. Pure.
 */
import { type NotificationSpec, notification } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../iana/notification-codes.js';
import { encodeShutdownCommunication } from '../codec/shutdown-communication.js';
import { encodeHardReset } from '../codec/hard-reset.js';
import type { StopOptions } from './session-types.js';

/** Throws a typed error for a shutdown message over 255 octets (before anything happens). */
export function stopNotification(options: StopOptions): NotificationSpec {
  const data = options.message === undefined ? new Uint8Array(0) : encodeShutdownCommunication(options.message);
  if (!options.hardReset) return notification(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, data);
  const inner = encodeHardReset({ code: ErrorCode.CEASE, subcode: CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, data });
  return notification(ErrorCode.CEASE, CeaseSubcode.HARD_RESET, inner);
}
