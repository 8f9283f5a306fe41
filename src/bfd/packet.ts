/**
 * BFD Control packet codec (RFC 5880 s4.1-s4.4), sans-I/O.
 *
 * Owns: the byte layout of the mandatory section and of the authentication section (simple
 * password, keyed / meticulous keyed MD5 and SHA1), and the reception checks of s6.8.6 that need
 * no session state, returned as named drop reasons. Must not touch sockets, timers, sessions or
 * keys: discriminator lookup, bfd.AuthType matching and digest verification belong elsewhere
 * (session; `auth.ts`).
 *
 * Canonical form: `encodeBfdControl` always writes version 1, M bit 0, the A bit from the
 * presence of `auth`, Length from the layout, and 0 in the MD5/SHA1 Reserved octet. Decoding
 * ignores that Reserved octet (s4.3/s4.4 "ignored on receipt") and bytes after Length.
 */
import { BfdError, type BfdDropReason } from './errors.js';
import { BfdAuthType, BfdStateCode, type BfdStateValue } from './iana.js';

/** Size of the mandatory section. */
export const BFD_MANDATORY_LENGTH = 24;
/** Simple password: 1 to 16 octets (s4.2). */
export const BFD_PASSWORD_MIN = 1;
export const BFD_PASSWORD_MAX = 16;
/** Digest sizes (s4.3, s4.4). */
export const BFD_MD5_DIGEST_LENGTH = 16;
export const BFD_SHA1_DIGEST_LENGTH = 20;
/** Offset of the digest field in a packet with a keyed MD5/SHA1 section. */
export const BFD_DIGEST_OFFSET = BFD_MANDATORY_LENGTH + 8;

export interface BfdSimplePasswordAuth {
  readonly type: typeof BfdAuthType.SIMPLE_PASSWORD;
  readonly keyId: number;
  /** 1 to 16 octets. */
  readonly password: Uint8Array;
}

export interface BfdKeyedMd5Auth {
  readonly type: typeof BfdAuthType.KEYED_MD5 | typeof BfdAuthType.METICULOUS_KEYED_MD5;
  readonly keyId: number;
  readonly sequence: number;
  /** 16 octets: the digest as received, or what `encodeBfdControl` writes as is. */
  readonly digest: Uint8Array;
}

export interface BfdKeyedSha1Auth {
  readonly type: typeof BfdAuthType.KEYED_SHA1 | typeof BfdAuthType.METICULOUS_KEYED_SHA1;
  readonly keyId: number;
  readonly sequence: number;
  /** 20 octets. */
  readonly digest: Uint8Array;
}

export type BfdDigestAuth = BfdKeyedMd5Auth | BfdKeyedSha1Auth;
export type BfdAuth = BfdSimplePasswordAuth | BfdDigestAuth;

/** One BFD Control packet. Intervals are in microseconds, as on the wire. */
export interface BfdControlPacket {
  /** 0-31 (9-31 reserved, kept as numbers). */
  readonly diag: number;
  readonly state: BfdStateValue;
  readonly poll: boolean;
  readonly final: boolean;
  /** C bit: Control Plane Independent. */
  readonly controlPlaneIndependent: boolean;
  readonly demand: boolean;
  /** 1-255. */
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxInterval: number;
  readonly requiredMinRxInterval: number;
  readonly requiredMinEchoRxInterval: number;
  /** Present exactly when the A bit is set. */
  readonly auth?: BfdAuth | undefined;
}

export type BfdCheckResult =
  | { readonly ok: true; readonly packet: BfdControlPacket; /** The Length field: bytes covered. */ readonly length: number }
  | { readonly ok: false; readonly reason: BfdDropReason; readonly detail: string };

/** Auth Len for an Auth Type, or the valid range; undefined for a type this library lacks. */
function authLenRange(type: number): readonly [number, number] | undefined {
  switch (type) {
    case BfdAuthType.SIMPLE_PASSWORD:
      return [3 + BFD_PASSWORD_MIN, 3 + BFD_PASSWORD_MAX];
    case BfdAuthType.KEYED_MD5:
    case BfdAuthType.METICULOUS_KEYED_MD5:
      return [8 + BFD_MD5_DIGEST_LENGTH, 8 + BFD_MD5_DIGEST_LENGTH];
    case BfdAuthType.KEYED_SHA1:
    case BfdAuthType.METICULOUS_KEYED_SHA1:
      return [8 + BFD_SHA1_DIGEST_LENGTH, 8 + BFD_SHA1_DIGEST_LENGTH];
    default:
      return undefined;
  }
}

function drop(reason: BfdDropReason, detail: string): BfdCheckResult {
  return { ok: false, reason, detail };
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * Applies the RFC 5880 s6.8.6 checks that need no session state (in the RFC's order), then the
 * structural checks of the authentication section, and decodes. Never throws.
 * Not checked here (the session's job): discriminator lookup, and the A bit against bfd.AuthType.
 */
export function checkBfdControl(bytes: Uint8Array): BfdCheckResult {
  if (bytes.length < 1) return drop('TRUNCATED', 'empty payload');
  const b0 = bytes[0]!;
  const version = b0 >>> 5;
  if (version !== 1) return drop('BAD_VERSION', `version ${version}, expected 1`);
  if (bytes.length < 4) return drop('TRUNCATED', `payload of ${bytes.length} octets cannot hold the Length field`);
  const b1 = bytes[1]!;
  const a = (b1 & 0x04) !== 0;
  const length = bytes[3]!;
  const min = a ? BFD_MANDATORY_LENGTH + 2 : BFD_MANDATORY_LENGTH;
  if (length < min) return drop('LENGTH_TOO_SHORT', `Length ${length} < ${min} (A bit ${a ? 'set' : 'clear'})`);
  if (length > bytes.length) return drop('TRUNCATED', `Length ${length} > payload of ${bytes.length} octets`);
  const detectMult = bytes[2]!;
  if (detectMult === 0) return drop('ZERO_DETECT_MULT', 'Detect Mult is 0');
  if ((b1 & 0x01) !== 0) return drop('MULTIPOINT', 'Multipoint (M) bit is set');
  const myDiscriminator = u32(bytes, 4);
  if (myDiscriminator === 0) return drop('ZERO_MY_DISCRIMINATOR', 'My Discriminator is 0');
  const yourDiscriminator = u32(bytes, 8);
  const state = (b1 >>> 6) as BfdStateValue;
  if (yourDiscriminator === 0 && state !== BfdStateCode.DOWN && state !== BfdStateCode.ADMIN_DOWN) {
    return drop('ZERO_YOUR_DISCRIMINATOR', `Your Discriminator is 0 in state ${state} (only Down or AdminDown may send 0)`);
  }
  let auth: BfdAuth | undefined;
  if (!a) {
    if (length !== BFD_MANDATORY_LENGTH) return drop('LENGTH_MISMATCH', `Length ${length} with the A bit clear, expected 24`);
  } else {
    const type = bytes[24]!;
    const authLen = bytes[25]!;
    if (authLen !== length - BFD_MANDATORY_LENGTH) {
      return drop('LENGTH_MISMATCH', `Auth Len ${authLen} but Length ${length} leaves ${length - BFD_MANDATORY_LENGTH} octets`);
    }
    const range = authLenRange(type);
    if (range === undefined) return drop('UNKNOWN_AUTH_TYPE', `Auth Type ${type}`);
    if (authLen < range[0] || authLen > range[1]) {
      const want = range[0] === range[1] ? `${range[0]}` : `${range[0]}..${range[1]}`;
      return drop('BAD_AUTH_LEN', `Auth Len ${authLen} for Auth Type ${type}, expected ${want}`);
    }
    const keyId = bytes[26]!;
    if (type === BfdAuthType.SIMPLE_PASSWORD) {
      auth = { type, keyId, password: bytes.slice(27, length) };
    } else if (type === BfdAuthType.KEYED_MD5 || type === BfdAuthType.METICULOUS_KEYED_MD5) {
      auth = { type, keyId, sequence: u32(bytes, 28), digest: bytes.slice(BFD_DIGEST_OFFSET, length) };
    } else {
      const t = type as BfdKeyedSha1Auth['type'];
      auth = { type: t, keyId, sequence: u32(bytes, 28), digest: bytes.slice(BFD_DIGEST_OFFSET, length) };
    }
  }
  const packet: BfdControlPacket = {
    diag: b0 & 0x1f,
    state,
    poll: (b1 & 0x20) !== 0,
    final: (b1 & 0x10) !== 0,
    controlPlaneIndependent: (b1 & 0x08) !== 0,
    demand: (b1 & 0x02) !== 0,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxInterval: u32(bytes, 12),
    requiredMinRxInterval: u32(bytes, 16),
    requiredMinEchoRxInterval: u32(bytes, 20),
    ...(auth === undefined ? {} : { auth }),
  };
  return { ok: true, packet, length };
}

/** Decodes a BFD Control packet; throws BfdError `ERR_BFD_DROPPED` (with `reason`) when it must be discarded. */
export function decodeBfdControl(bytes: Uint8Array): BfdControlPacket {
  const r = checkBfdControl(bytes);
  if (!r.ok) throw new BfdError('ERR_BFD_DROPPED', r.detail, { reason: r.reason });
  return r.packet;
}

function invalid(message: string, rfc = 'RFC 5880 s4.1'): BfdError {
  return new BfdError('ERR_BFD_INVALID_FIELD', message, { rfc });
}

function checkUint(name: string, v: unknown, max: number, min = 0): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  }
}

function authLength(auth: BfdAuth | undefined): number {
  if (auth === undefined) return 0;
  if (auth.type === BfdAuthType.SIMPLE_PASSWORD) return 3 + auth.password.length;
  return 8 + auth.digest.length;
}

function validate(p: BfdControlPacket): void {
  checkUint('diag', p.diag, 31);
  checkUint('state', p.state, 3);
  checkUint('detectMult', p.detectMult, 255, 1);
  checkUint('myDiscriminator', p.myDiscriminator, 0xffffffff, 1);
  checkUint('yourDiscriminator', p.yourDiscriminator, 0xffffffff);
  checkUint('desiredMinTxInterval', p.desiredMinTxInterval, 0xffffffff);
  checkUint('requiredMinRxInterval', p.requiredMinRxInterval, 0xffffffff);
  checkUint('requiredMinEchoRxInterval', p.requiredMinEchoRxInterval, 0xffffffff);
  if (p.yourDiscriminator === 0 && p.state !== BfdStateCode.DOWN && p.state !== BfdStateCode.ADMIN_DOWN) {
    throw invalid('yourDiscriminator 0 is only allowed in state Down or AdminDown', 'RFC 5880 s6.8.6');
  }
  if (p.poll && p.final) throw invalid('poll and final must not both be set', 'RFC 5880 s6.5');
  const auth = p.auth;
  if (auth === undefined) return;
  checkUint('auth.keyId', auth.keyId, 255);
  switch (auth.type) {
    case BfdAuthType.SIMPLE_PASSWORD:
      if (!(auth.password instanceof Uint8Array) || auth.password.length < BFD_PASSWORD_MIN || auth.password.length > BFD_PASSWORD_MAX) {
        throw invalid(`auth.password must be ${BFD_PASSWORD_MIN}..${BFD_PASSWORD_MAX} octets`, 'RFC 5880 s4.2');
      }
      return;
    case BfdAuthType.KEYED_MD5:
    case BfdAuthType.METICULOUS_KEYED_MD5:
    case BfdAuthType.KEYED_SHA1:
    case BfdAuthType.METICULOUS_KEYED_SHA1: {
      checkUint('auth.sequence', auth.sequence, 0xffffffff);
      const md5 = auth.type === BfdAuthType.KEYED_MD5 || auth.type === BfdAuthType.METICULOUS_KEYED_MD5;
      const want = md5 ? BFD_MD5_DIGEST_LENGTH : BFD_SHA1_DIGEST_LENGTH;
      if (!(auth.digest instanceof Uint8Array) || auth.digest.length !== want) {
        throw invalid(`auth.digest must be ${want} octets for Auth Type ${auth.type}`, md5 ? 'RFC 5880 s4.3' : 'RFC 5880 s4.4');
      }
      return;
    }
    default:
      throw invalid(`auth.type ${String((auth as { type: unknown }).type)} is not an Auth Type this library implements`);
  }
}

/**
 * Encodes a BFD Control packet in canonical form. The digest of a keyed MD5/SHA1 section is
 * written as given (use `signBfdControl` from auth.ts to compute it). Throws BfdError
 * `ERR_BFD_INVALID_FIELD` for a packet a receiver would discard or that breaks a field rule
 * (also: P and F both set, RFC 5880 s6.5).
 */
export function encodeBfdControl(p: BfdControlPacket): Uint8Array {
  validate(p);
  const length = BFD_MANDATORY_LENGTH + authLength(p.auth);
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer);
  out[0] = (1 << 5) | p.diag;
  out[1] =
    (p.state << 6) |
    (p.poll ? 0x20 : 0) |
    (p.final ? 0x10 : 0) |
    (p.controlPlaneIndependent ? 0x08 : 0) |
    (p.auth !== undefined ? 0x04 : 0) |
    (p.demand ? 0x02 : 0);
  out[2] = p.detectMult;
  out[3] = length;
  view.setUint32(4, p.myDiscriminator);
  view.setUint32(8, p.yourDiscriminator);
  view.setUint32(12, p.desiredMinTxInterval);
  view.setUint32(16, p.requiredMinRxInterval);
  view.setUint32(20, p.requiredMinEchoRxInterval);
  const auth = p.auth;
  if (auth !== undefined) {
    out[24] = auth.type;
    out[25] = length - BFD_MANDATORY_LENGTH;
    out[26] = auth.keyId;
    if (auth.type === BfdAuthType.SIMPLE_PASSWORD) {
      out.set(auth.password, 27);
    } else {
      out[27] = 0;
      view.setUint32(28, auth.sequence);
      out.set(auth.digest, BFD_DIGEST_OFFSET);
    }
  }
  return out;
}
