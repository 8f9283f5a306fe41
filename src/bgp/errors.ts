/**
 * The library's typed error for BGP wire input and API misuse.
 *
 * Owns: the stable error `code` strings (part of the public contract) and the wire consequence
 * each error carries: the NOTIFICATION (code, subcode, data) to send, the RFC 7606 action, and
 * the byte offset where the problem was found. Must not touch sockets or sessions.
 */

/** RFC 7606 s2 error-handling approaches, plus `none` for informational diagnostics. */
export type ErrorAction = 'session-reset' | 'afi-safi-disable' | 'treat-as-withdraw' | 'attribute-discard';

/** A NOTIFICATION to send: RFC 4271 s4.5 error code, subcode and data. */
export interface NotificationSpec {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

export interface BgpErrorOptions {
  /** NOTIFICATION to send because of this error, if the error is a wire error. */
  readonly notification?: NotificationSpec | undefined;
  /** Byte offset in the message (from the first marker byte) where the error was detected. */
  readonly offset?: number | undefined;
  /** The RFC section that defines the error, e.g. "RFC 4271 s6.1". */
  readonly rfc?: string | undefined;
  /** RFC 7606 action, when the error comes from UPDATE handling. */
  readonly action?: ErrorAction | undefined;
  readonly cause?: unknown;
}

/**
 * Every error the library raises for bad wire bytes, bad JSON or bad API input.
 * `code` is stable (`ERR_BGP_*`); `notification` says what to send to the peer.
 */
export class BgpError extends Error {
  readonly code: string;
  readonly notification: NotificationSpec | undefined;
  readonly offset: number | undefined;
  readonly rfc: string | undefined;
  readonly action: ErrorAction | undefined;

  constructor(code: string, message: string, options: BgpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BgpError';
    this.code = code;
    this.notification = options.notification;
    this.offset = options.offset;
    this.rfc = options.rfc;
    this.action = options.action ?? (options.notification ? 'session-reset' : undefined);
  }

  /** One line naming the byte offset and the RFC error, as the CLI prints it. */
  describe(): string {
    const at = this.offset === undefined ? '' : ` at byte ${this.offset}`;
    const n = this.notification;
    const notif = n ? ` (NOTIFICATION ${n.code}/${n.subcode})` : '';
    const rfc = this.rfc ? ` [${this.rfc}]` : '';
    return `${this.code}${at}: ${this.message}${notif}${rfc}`;
  }

  toJSON(): Record<string, unknown> {
    const n = this.notification;
    return {
      error: this.code,
      message: this.message,
      ...(this.offset === undefined ? {} : { offset: this.offset }),
      ...(this.rfc === undefined ? {} : { rfc: this.rfc }),
      ...(this.action === undefined ? {} : { action: this.action }),
      ...(n ? { notification: { code: n.code, subcode: n.subcode, data: Buffer.from(n.data).toString('hex') } } : {}),
    };
  }
}

/** True for the library's own typed errors. */
export function isBgpError(e: unknown): e is BgpError {
  return e instanceof BgpError;
}

const EMPTY = new Uint8Array(0);

/** Builds a NotificationSpec; `data` defaults to empty. */
export function notification(code: number, subcode: number, data: Uint8Array = EMPTY): NotificationSpec {
  return { code, subcode, data };
}
