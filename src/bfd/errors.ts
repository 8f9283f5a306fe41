/**
 * BFD errors and drop reasons.
 *
 * Owns: the stable `ERR_BFD_*` codes of {@link BfdError} (API misuse, and wire input given to a
 * throwing API such as `decodeBfdControl`), and the named reasons a received BFD Control packet
 * is discarded for (RFC 5880 s6.8.6 checks that need no session state, plus the structural checks
 * of the authentication section, s4.2-s4.4). Must not touch sockets, timers or sessions.
 *
 * Expected bad input (a packet to discard) is data: `checkBfdControl` returns a drop reason.
 * Only the throwing conveniences wrap it in a BfdError (code `ERR_BFD_DROPPED`, `reason` set).
 */

/** Why a received BFD Control packet is discarded, with the RFC text that says so. */
export const BFD_DROP_REASONS = {
  /** Version field is not 1 (RFC 5880 s6.8.6). */
  BAD_VERSION: 'RFC 5880 s6.8.6',
  /** Payload too short to hold the Length field, or shorter than the Length field (s6.8.6). */
  TRUNCATED: 'RFC 5880 s6.8.6',
  /** Length field below 24 (A bit clear) or 26 (A bit set) (s6.8.6). */
  LENGTH_TOO_SHORT: 'RFC 5880 s6.8.6',
  /** Detect Mult is zero (s6.8.6). */
  ZERO_DETECT_MULT: 'RFC 5880 s6.8.6',
  /** Multipoint (M) bit set (s6.8.6). */
  MULTIPOINT: 'RFC 5880 s6.8.6',
  /** My Discriminator is zero (s6.8.6). */
  ZERO_MY_DISCRIMINATOR: 'RFC 5880 s6.8.6',
  /** Your Discriminator is zero and State is neither Down nor AdminDown (s6.8.6). */
  ZERO_YOUR_DISCRIMINATOR: 'RFC 5880 s6.8.6',
  /**
   * Length field does not match the A bit: 24 with A clear, 24 + Auth Len with A set
   * (s4.1 Length: "length of the BFD Control packet"; s4.2-s4.4 fix Auth Len per type).
   */
  LENGTH_MISMATCH: 'RFC 5880 s4.1',
  /** A bit set with an Auth Type this library cannot authenticate (0 reserved, 6-255) (s4.1, s6.7). */
  UNKNOWN_AUTH_TYPE: 'RFC 5880 s4.1',
  /** Auth Len wrong for the Auth Type: 4..19 for simple password, 24 MD5, 28 SHA1 (s4.2-s4.4). */
  BAD_AUTH_LEN: 'RFC 5880 s4.2-s4.4',
} as const;

/** A named reason to discard a received BFD Control packet. */
export type BfdDropReason = keyof typeof BFD_DROP_REASONS;

export interface BfdErrorOptions {
  /** The drop reason, when the error reports bad wire input. */
  readonly reason?: BfdDropReason | undefined;
  /** The RFC section that defines the rule, e.g. "RFC 5880 s6.8.6". */
  readonly rfc?: string | undefined;
  readonly cause?: unknown;
}

/**
 * The library's typed BFD error. `code` is stable:
 * - `ERR_BFD_DROPPED`: wire input that must be discarded (`reason` says why);
 * - `ERR_BFD_INVALID_FIELD`: a packet given to the encoder breaks a field rule;
 * - `ERR_BFD_INVALID_KEY`: an authentication key of the wrong size;
 * - `ERR_BFD_INVALID_ARGUMENT`: any other bad argument.
 */
export class BfdError extends Error {
  readonly code: string;
  readonly reason: BfdDropReason | undefined;
  readonly rfc: string | undefined;

  constructor(code: string, message: string, options: BfdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BfdError';
    this.code = code;
    this.reason = options.reason;
    this.rfc = options.rfc ?? (options.reason === undefined ? undefined : BFD_DROP_REASONS[options.reason]);
  }

  toJSON(): Record<string, unknown> {
    return {
      error: this.code,
      message: this.message,
      ...(this.reason === undefined ? {} : { reason: this.reason }),
      ...(this.rfc === undefined ? {} : { rfc: this.rfc }),
    };
  }
}

/** True for the library's BFD errors. */
export function isBfdError(e: unknown): e is BfdError {
  return e instanceof BfdError;
}
