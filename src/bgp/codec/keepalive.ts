/**
 * KEEPALIVE message (RFC 4271 s4.4): the 19-octet header and nothing else. Owns its decode and
 * encode; the header checks (including "length must be 19", RFC 4271 s6.1) live in header.ts.
 * No timers here: when to send a KEEPALIVE is the session's business.
 */
import { HEADER_LENGTH, MARKER_LENGTH, MessageType } from '../iana/message-type.js';
import type { CodecContext } from './context.js';
import { DEFAULT_CONTEXT } from './context.js';
import { expectMessage } from './expect-message.js';

export interface KeepaliveMessage {
  readonly type: 'KEEPALIVE';
}

const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: 'KEEPALIVE' as const });

/** Decodes a whole KEEPALIVE message. Throws BgpError (1/1, 1/2, 1/3) for a bad header. */
export function decodeKeepalive(msg: Uint8Array, ctx: CodecContext = DEFAULT_CONTEXT): KeepaliveMessage {
  expectMessage(msg, ctx, MessageType.KEEPALIVE);
  return KEEPALIVE;
}

/** The 19 octets of a KEEPALIVE (a new array each call, so callers may keep or mutate it). */
export function encodeKeepalive(): Uint8Array {
  const b = new Uint8Array(HEADER_LENGTH);
  b.fill(0xff, 0, MARKER_LENGTH);
  b[17] = HEADER_LENGTH;
  b[18] = MessageType.KEEPALIVE;
  return b;
}
