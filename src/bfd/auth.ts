/**
 * BFD authentication computations (RFC 5880 s6.7.2-s6.7.4), pure and synchronous.
 *
 * Owns: signing a Control packet with keyed MD5/SHA1 (digest over the whole packet with the key,
 * NUL-padded, in the digest field), verifying a received packet's password or digest, and the
 * receive sequence-number window (bfd.RcvAuthSeq / bfd.AuthSeqKnown). Must not touch sockets,
 * timers or key storage: the caller picks the key by Auth Key ID and commits the returned
 * sequence state only after the whole packet is accepted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BfdError } from './errors.js';
import { BfdAuthType } from './iana.js';
import {
  BFD_DIGEST_OFFSET,
  BFD_MD5_DIGEST_LENGTH,
  BFD_SHA1_DIGEST_LENGTH,
  encodeBfdControl,
  type BfdAuth,
  type BfdControlPacket,
} from './packet.js';

/** True for Auth Types 3 and 5: the sequence number must grow with every packet. */
export function isMeticulous(type: BfdAuth['type']): boolean {
  return type === BfdAuthType.METICULOUS_KEYED_MD5 || type === BfdAuthType.METICULOUS_KEYED_SHA1;
}

function digestSpec(type: number): { algorithm: 'md5' | 'sha1'; size: number } | undefined {
  if (type === BfdAuthType.KEYED_MD5 || type === BfdAuthType.METICULOUS_KEYED_MD5) return { algorithm: 'md5', size: BFD_MD5_DIGEST_LENGTH };
  if (type === BfdAuthType.KEYED_SHA1 || type === BfdAuthType.METICULOUS_KEYED_SHA1) return { algorithm: 'sha1', size: BFD_SHA1_DIGEST_LENGTH };
  return undefined;
}

function checkKey(key: Uint8Array, size: number, type: number): void {
  if (!(key instanceof Uint8Array) || key.length < 1 || key.length > size) {
    throw new BfdError('ERR_BFD_INVALID_KEY', `a key for Auth Type ${type} must be 1..${size} octets`, {
      rfc: size === BFD_MD5_DIGEST_LENGTH ? 'RFC 5880 s6.7.3' : 'RFC 5880 s6.7.4',
    });
  }
}

/** The digest of `packet` (its first `length` octets) with `key`, NUL-padded, in the digest field. */
function computeDigest(packet: Uint8Array, length: number, key: Uint8Array, algorithm: 'md5' | 'sha1', size: number): Buffer {
  const work = Uint8Array.from(packet.subarray(0, length));
  work.fill(0, BFD_DIGEST_OFFSET, BFD_DIGEST_OFFSET + size);
  work.set(key, BFD_DIGEST_OFFSET);
  return createHash(algorithm).update(work).digest();
}

/**
 * Encodes `packet` and, for keyed MD5/SHA1 sections, writes the digest computed with `key`
 * (RFC 5880 s6.7.3/s6.7.4 transmission; `auth.digest` of the input is ignored). A packet with a
 * simple password or without authentication is encoded as is (no key needed).
 * Throws BfdError `ERR_BFD_INVALID_KEY` for a key of 0 or more than 16 (MD5) / 20 (SHA1) octets.
 */
export function signBfdControl(packet: BfdControlPacket, key?: Uint8Array): Uint8Array {
  const auth = packet.auth;
  const spec = auth === undefined ? undefined : digestSpec(auth.type);
  if (auth === undefined || spec === undefined) return encodeBfdControl(packet);
  if (key === undefined) throw new BfdError('ERR_BFD_INVALID_KEY', `Auth Type ${auth.type} needs a key`);
  checkKey(key, spec.size, auth.type);
  const bytes = encodeBfdControl({ ...packet, auth: { ...auth, digest: new Uint8Array(spec.size) } as BfdAuth });
  bytes.set(computeDigest(bytes, bytes.length, key, spec.algorithm, spec.size), BFD_DIGEST_OFFSET);
  return bytes;
}

export type BfdAuthFailure = 'AUTH_MISSING' | 'BAD_PASSWORD' | 'BAD_DIGEST';

export type BfdAuthVerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: BfdAuthFailure };

/**
 * Checks the password or digest of a received packet (RFC 5880 s6.7.2-s6.7.4, reception), given
 * the bytes it was decoded from (as accepted by `checkBfdControl`) and the key the caller chose
 * for `packet.auth.keyId`. Key ID matching, bfd.AuthType matching and the sequence window
 * (`checkAuthSequence`) are the caller's steps. Throws BfdError `ERR_BFD_INVALID_KEY` for a key of
 * the wrong size for the packet's Auth Type (a configuration error, not wire input).
 */
export function verifyBfdAuth(bytes: Uint8Array, packet: BfdControlPacket, key: Uint8Array): BfdAuthVerifyResult {
  const auth = packet.auth;
  if (auth === undefined) return { ok: false, reason: 'AUTH_MISSING' };
  if (auth.type === BfdAuthType.SIMPLE_PASSWORD) {
    checkKey(key, 16, auth.type);
    const same = key.length === auth.password.length && timingSafeEqual(key, auth.password);
    return same ? { ok: true } : { ok: false, reason: 'BAD_PASSWORD' };
  }
  const spec = digestSpec(auth.type);
  if (spec === undefined) return { ok: false, reason: 'AUTH_MISSING' };
  checkKey(key, spec.size, auth.type);
  const length = BFD_DIGEST_OFFSET + spec.size;
  if (bytes.length < length || auth.digest.length !== spec.size) return { ok: false, reason: 'BAD_DIGEST' };
  const expected = computeDigest(bytes, length, key, spec.algorithm, spec.size);
  return timingSafeEqual(expected, auth.digest) ? { ok: true } : { ok: false, reason: 'BAD_DIGEST' };
}

/** Receive-side sequence state: bfd.AuthSeqKnown and bfd.RcvAuthSeq (RFC 5880 s6.8.1). */
export interface BfdAuthSeqState {
  readonly known: boolean;
  /** Last accepted sequence number (meaningful when `known`). */
  readonly lastReceived: number;
}

/** The state before any authenticated packet was accepted (and after the s6.8.1 reset). */
export const INITIAL_AUTH_SEQ_STATE: BfdAuthSeqState = { known: false, lastReceived: 0 };

export type BfdAuthSeqResult =
  | { readonly accept: true; /** Commit this once the digest is verified too. */ readonly next: BfdAuthSeqState }
  | { readonly accept: false; readonly detail: string; readonly next: BfdAuthSeqState };

/**
 * RFC 5880 s6.7.3/s6.7.4 sequence window, in unsigned 32-bit circular arithmetic. With a known
 * last sequence L, keyed accepts L..L+3*detectMult and meticulous L+1..L+3*detectMult, both
 * inclusive; with none known any sequence is accepted. `detectMult` is the received packet's
 * Detect Mult (1-255). On reject `next` is the unchanged state.
 */
export function checkAuthSequence(
  state: BfdAuthSeqState,
  received: number,
  meticulous: boolean,
  detectMult: number,
): BfdAuthSeqResult {
  if (!Number.isInteger(detectMult) || detectMult < 1 || detectMult > 255) {
    throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `detectMult must be an integer in 1..255, got ${detectMult}`);
  }
  if (!Number.isInteger(received) || received < 0 || received > 0xffffffff) {
    throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `sequence must be an unsigned 32-bit integer, got ${received}`);
  }
  const next: BfdAuthSeqState = { known: true, lastReceived: received };
  if (!state.known) return { accept: true, next };
  const ahead = (received - state.lastReceived) >>> 0;
  const low = meticulous ? 1 : 0;
  const high = 3 * detectMult;
  if (ahead >= low && ahead <= high) return { accept: true, next };
  return {
    accept: false,
    detail: `sequence ${received} outside ${(state.lastReceived + low) >>> 0}..${(state.lastReceived + high) >>> 0} (${meticulous ? 'meticulous' : 'keyed'})`,
    next: state,
  };
}
