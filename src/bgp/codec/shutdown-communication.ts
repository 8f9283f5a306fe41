/**
 * BGP Administrative Shutdown Communication (RFC 9003, which obsoletes RFC 8203): the data of a
 * Cease NOTIFICATION with subcode 2 (Administrative Shutdown) or 4 (Administrative Reset) may
 * start with a length octet and that many octets of UTF-8 text (at most 255 since RFC 9003; RFC
 * 8203 allowed 128). Owns only the data field format; it never builds whole messages.
 */
import { BgpError } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../iana/notification-codes.js';

/** RFC 9003 s2: the length octet limits the text to 255 octets. */
export const MAX_SHUTDOWN_COMMUNICATION_OCTETS = 255;

export type ShutdownCommunicationResult = { message: string; rest: Uint8Array } | { error: string };

// fatal: invalid UTF-8 throws instead of turning into U+FFFD; ignoreBOM: keep a leading
// U+FEFF in the text so that encoding the text again gives the same octets.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** True when `code`/`subcode` is a NOTIFICATION whose data may carry a Shutdown Communication. */
export function mayCarryShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.CEASE &&
    (subcode === CeaseSubcode.ADMINISTRATIVE_SHUTDOWN || subcode === CeaseSubcode.ADMINISTRATIVE_RESET)
  );
}

/**
 * Reads a Shutdown Communication from the start of a NOTIFICATION data field. Never throws:
 * an empty field, a length beyond the data, or invalid UTF-8 gives `{ error }` (RFC 9003 s4: the
 * receiver logs it, the session goes down as it would anyway). `rest` holds any octets after
 * the text (a view into `data`).
 */
export function decodeShutdownCommunication(data: Uint8Array): ShutdownCommunicationResult {
  if (data.length === 0) return { error: 'no Shutdown Communication: the data field is empty' };
  const length = data[0]!;
  if (1 + length > data.length) {
    return { error: `Shutdown Communication length ${length} overruns the ${data.length - 1} octets that follow it` };
  }
  let message: string;
  try {
    message = utf8Decoder.decode(data.subarray(1, 1 + length));
  } catch {
    return { error: `Shutdown Communication of ${length} octets is not valid UTF-8` };
  }
  return { message, rest: data.subarray(1 + length) };
}

/**
 * Builds the data field: the length octet, the UTF-8 text, then `rest`. Throws BgpError
 * ERR_BGP_SHUTDOWN_COMMUNICATION_TOO_LONG when the text is longer than 255 octets of UTF-8, and
 * ERR_BGP_SHUTDOWN_COMMUNICATION_INVALID when it holds a lone surrogate (no UTF-8 form).
 */
export function encodeShutdownCommunication(message: string, rest: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(message)) {
    throw new BgpError('ERR_BGP_SHUTDOWN_COMMUNICATION_INVALID', 'Shutdown Communication holds a lone UTF-16 surrogate, which has no UTF-8 form', {
      rfc: 'RFC 9003 s2',
    });
  }
  const text = utf8Encoder.encode(message);
  if (text.length > MAX_SHUTDOWN_COMMUNICATION_OCTETS) {
    throw new BgpError(
      'ERR_BGP_SHUTDOWN_COMMUNICATION_TOO_LONG',
      `Shutdown Communication is ${text.length} octets of UTF-8, more than the ${MAX_SHUTDOWN_COMMUNICATION_OCTETS} allowed`,
      { rfc: 'RFC 9003 s2' },
    );
  }
  const out = new Uint8Array(1 + text.length + rest.length);
  out[0] = text.length;
  out.set(text, 1);
  out.set(rest, 1 + text.length);
  return out;
}
