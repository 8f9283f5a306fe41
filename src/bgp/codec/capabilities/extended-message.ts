/**
 * EXTENDED_MESSAGE capability (code 6, RFC 8654 s3): empty value. Owns only the value layout;
 * the session decides when 65535-octet messages are in use (CodecContext.extendedMessage).
 */
import { CapabilityCode } from '../../iana/capability-code.js';
import { emptyCapabilityCodec } from './capability-codec.js';

export interface ExtendedMessageCapability {
  readonly type: 'EXTENDED_MESSAGE';
}

export const extendedMessageCodec = emptyCapabilityCodec(CapabilityCode.EXTENDED_MESSAGE, 'EXTENDED_MESSAGE', 'RFC 8654 s3');
