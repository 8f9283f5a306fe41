/**
 * BGP Hard Reset (RFC 8538 s3): a Cease NOTIFICATION with subcode 9 whose data field carries the
 * NOTIFICATION the speaker would otherwise have sent: its error code (1 octet), subcode (1 octet)
 * and data. Owns only that data field format; it never builds whole messages.
 */
import { BgpError } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../iana/notification-codes.js';

/** The NOTIFICATION wrapped inside a Hard Reset. */
export interface HardResetInner {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export type HardResetResult = HardResetInner | { error: string };

/** True when `code`/`subcode` is a Hard Reset (Cease, subcode 9). */
export function isHardReset(code: number, subcode: number): boolean {
  return code === ErrorCode.CEASE && subcode === CeaseSubcode.HARD_RESET;
}

/**
 * Reads the inner NOTIFICATION from a Hard Reset data field. Never throws: fewer than 2 octets
 * gives `{ error }`. The inner `data` is a view into `data`.
 */
export function decodeHardReset(data: Uint8Array): HardResetResult {
  if (data.length < 2) {
    return { error: `Hard Reset data of ${data.length} octet(s) cannot hold the inner error code and subcode` };
  }
  return { code: data[0]!, subcode: data[1]!, data: data.subarray(2) };
}

/** Builds a Hard Reset data field. Throws ERR_BGP_VALUE_OUT_OF_RANGE for a code/subcode outside 0..255. */
export function encodeHardReset(inner: HardResetInner): Uint8Array {
  for (const [what, v] of [['code', inner.code], ['subcode', inner.subcode]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      throw new BgpError('ERR_BGP_VALUE_OUT_OF_RANGE', `Hard Reset inner error ${what} ${v} is not an integer from 0 to 255`, {
        rfc: 'RFC 8538 s3',
      });
    }
  }
  const out = new Uint8Array(2 + inner.data.length);
  out[0] = inner.code;
  out[1] = inner.subcode;
  out.set(inner.data, 2);
  return out;
}
