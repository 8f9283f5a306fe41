/**
 * Per-session BFD authentication (RFC 5880 s6.7): the configured key, bfd.XmitAuthSeq for sending
 * and bfd.RcvAuthSeq / bfd.AuthSeqKnown for receiving.
 *
 * Owns: parsing and validating the session's auth configuration, building the Auth section of
 * each sent packet, and the reception checks in the RFC's order (A bit against bfd.AuthType, Key
 * ID, password or digest, sequence window). Must not touch sockets or timers; the secret never
 * appears in a snapshot, an event, an error or `toJSON`.
 */
import { checkAuthSequence, INITIAL_AUTH_SEQ_STATE, isMeticulous, verifyBfdAuth, type BfdAuthSeqState } from './auth.js';
import { BfdError } from './errors.js';
import { BfdAuthType, type BfdAuthTypeValue } from './iana.js';
import { BFD_MD5_DIGEST_LENGTH, BFD_PASSWORD_MAX, BFD_SHA1_DIGEST_LENGTH, type BfdAuth, type BfdControlPacket } from './packet.js';

/** Auth Type names as the CLI and configuration spell them. */
export const BFD_AUTH_TYPE_NAMES = {
  'simple-password': BfdAuthType.SIMPLE_PASSWORD,
  'keyed-md5': BfdAuthType.KEYED_MD5,
  'meticulous-keyed-md5': BfdAuthType.METICULOUS_KEYED_MD5,
  'keyed-sha1': BfdAuthType.KEYED_SHA1,
  'meticulous-keyed-sha1': BfdAuthType.METICULOUS_KEYED_SHA1,
} as const satisfies Record<string, BfdAuthTypeValue>;

export type BfdAuthTypeLabel = keyof typeof BFD_AUTH_TYPE_NAMES;

/** A session's authentication: one key (RFC 5880 allows several; one is what FRR and BIRD configure per peer). */
export interface BfdAuthConfig {
  readonly type: BfdAuthTypeLabel;
  /** Auth Key ID, 0..255. */
  readonly keyId: number;
  /** The password or key: 1..16 octets (password, MD5) or 1..20 (SHA1); a string is taken as UTF-8. */
  readonly secret: string | Uint8Array;
}

/** Why an authenticated session discarded a packet (counted per session). */
export type BfdAuthDropReason = 'AUTH_MISSING' | 'AUTH_UNEXPECTED' | 'AUTH_TYPE_MISMATCH' | 'AUTH_KEY_ID_MISMATCH' | 'BAD_PASSWORD' | 'BAD_DIGEST' | 'AUTH_SEQUENCE';

function authError(message: string): BfdError {
  return new BfdError('ERR_BFD_INVALID_ARGUMENT', `auth: ${message}`, { rfc: 'RFC 5880 s6.7' });
}

/** Checks an auth configuration; throws BfdError ERR_BFD_INVALID_ARGUMENT naming the bad field (never the secret). */
export function checkBfdAuthConfig(c: BfdAuthConfig): { type: BfdAuthTypeValue; keyId: number; key: Uint8Array } {
  if (typeof c !== 'object' || c === null) throw authError('must be an object');
  const type = Object.hasOwn(BFD_AUTH_TYPE_NAMES, c.type) ? BFD_AUTH_TYPE_NAMES[c.type] : undefined;
  if (type === undefined) throw authError(`type must be one of ${Object.keys(BFD_AUTH_TYPE_NAMES).join(', ')} (got ${JSON.stringify(c.type)})`);
  if (!Number.isInteger(c.keyId) || c.keyId < 0 || c.keyId > 255) throw authError(`keyId must be an integer in 0..255 (got ${JSON.stringify(c.keyId)})`);
  const key = typeof c.secret === 'string' ? new TextEncoder().encode(c.secret) : c.secret instanceof Uint8Array ? Uint8Array.from(c.secret) : undefined;
  if (key === undefined) throw authError('secret must be a string or a Uint8Array');
  const max = type === BfdAuthType.SIMPLE_PASSWORD ? BFD_PASSWORD_MAX : type === BfdAuthType.KEYED_MD5 || type === BfdAuthType.METICULOUS_KEYED_MD5 ? BFD_MD5_DIGEST_LENGTH : BFD_SHA1_DIGEST_LENGTH;
  if (key.length < 1 || key.length > max) throw authError(`secret must be 1..${max} octets for ${c.type} (got ${key.length})`);
  return { type, keyId: c.keyId, key };
}

export type BfdAuthCheck = { readonly ok: true } | { readonly ok: false; readonly reason: BfdAuthDropReason; readonly detail: string };

/** The authentication state of one session. */
export class SessionAuth {
  readonly type: BfdAuthTypeValue;
  readonly label: BfdAuthTypeLabel;
  readonly keyId: number;
  readonly #key: Uint8Array;
  readonly #meticulous: boolean;
  /** bfd.XmitAuthSeq */
  #xmitSeq: number;
  /** bfd.RcvAuthSeq / bfd.AuthSeqKnown */
  #rcv: BfdAuthSeqState = INITIAL_AUTH_SEQ_STATE;
  #lastAcceptedMs: number | undefined;

  /** `initialSeq` comes from the injected random source (s6.8.1: bfd.XmitAuthSeq starts random). */
  constructor(config: BfdAuthConfig, initialSeq: number) {
    const c = checkBfdAuthConfig(config);
    this.type = c.type;
    this.label = config.type;
    this.keyId = c.keyId;
    this.#key = c.key;
    this.#meticulous = c.type !== BfdAuthType.SIMPLE_PASSWORD && isMeticulous(c.type as BfdAuth['type']);
    this.#xmitSeq = initialSeq >>> 0;
  }

  /** The key for `signBfdControl` (digest types) or undefined (password: it is in the section). */
  get signingKey(): Uint8Array | undefined {
    return this.type === BfdAuthType.SIMPLE_PASSWORD ? undefined : this.#key;
  }

  /**
   * The Auth section of the next packet. bfd.XmitAuthSeq grows with every packet, for keyed and
   * meticulous types alike (s6.7.3 allows it for keyed, requires it for meticulous).
   */
  nextSection(): BfdAuth {
    if (this.type === BfdAuthType.SIMPLE_PASSWORD) return { type: BfdAuthType.SIMPLE_PASSWORD, keyId: this.keyId, password: this.#key };
    const sequence = this.#xmitSeq;
    this.#xmitSeq = (this.#xmitSeq + 1) >>> 0;
    const size = this.type === BfdAuthType.KEYED_MD5 || this.type === BfdAuthType.METICULOUS_KEYED_MD5 ? BFD_MD5_DIGEST_LENGTH : BFD_SHA1_DIGEST_LENGTH;
    return { type: this.type, keyId: this.keyId, sequence, digest: new Uint8Array(size) } as BfdAuth;
  }

  /**
   * Reception (s6.7, s6.8.6): A bit, Auth Type, Key ID, password / digest, then the sequence
   * window; the sequence state is committed only when everything passes. bfd.AuthSeqKnown is
   * cleared when nothing was accepted for twice the Detection Time (s6.8.1).
   */
  check(bytes: Uint8Array, packet: BfdControlPacket, nowMs: number, detectionTimeMs: number | undefined): BfdAuthCheck {
    const auth = packet.auth;
    if (auth === undefined) return { ok: false, reason: 'AUTH_MISSING', detail: 'A bit clear on an authenticated session' };
    if (auth.type !== this.type) return { ok: false, reason: 'AUTH_TYPE_MISMATCH', detail: `Auth Type ${auth.type}, expected ${this.type}` };
    if (auth.keyId !== this.keyId) return { ok: false, reason: 'AUTH_KEY_ID_MISMATCH', detail: `Auth Key ID ${auth.keyId}, expected ${this.keyId}` };
    const verified = verifyBfdAuth(bytes, packet, this.#key);
    if (!verified.ok) return { ok: false, reason: verified.reason === 'BAD_PASSWORD' ? 'BAD_PASSWORD' : 'BAD_DIGEST', detail: verified.reason };
    if (auth.type === BfdAuthType.SIMPLE_PASSWORD) return { ok: true };
    if (this.#rcv.known && this.#lastAcceptedMs !== undefined && detectionTimeMs !== undefined && nowMs - this.#lastAcceptedMs > 2 * detectionTimeMs) {
      this.#rcv = INITIAL_AUTH_SEQ_STATE;
    }
    const seq = checkAuthSequence(this.#rcv, auth.sequence, this.#meticulous, packet.detectMult);
    if (!seq.accept) return { ok: false, reason: 'AUTH_SEQUENCE', detail: seq.detail };
    this.#rcv = seq.next;
    this.#lastAcceptedMs = nowMs;
    return { ok: true };
  }

  toJSON(): Record<string, unknown> {
    return { type: this.label, keyId: this.keyId };
  }
}
