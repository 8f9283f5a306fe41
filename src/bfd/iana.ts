/**
 * BFD wire enums (RFC 5880 s4.1, IANA "Bidirectional Forwarding Detection (BFD) Parameters").
 * Owns: numeric values only. Must not hold codec logic.
 */

/** Session State (Sta) field values, RFC 5880 s4.1 (the state machine names them in bfd-state.ts). */
export const BfdStateCode = {
  ADMIN_DOWN: 0,
  DOWN: 1,
  INIT: 2,
  UP: 3,
} as const;
export type BfdStateCodeName = keyof typeof BfdStateCode;
export type BfdStateValue = (typeof BfdStateCode)[BfdStateCodeName];

/** Diagnostic (Diag) codes: see diagnostic.ts (`BfdDiag`), shared with the state machine. */

/** Authentication Types this library implements, RFC 5880 s4.1 (0 is reserved). */
export const BfdAuthType = {
  SIMPLE_PASSWORD: 1,
  KEYED_MD5: 2,
  METICULOUS_KEYED_MD5: 3,
  KEYED_SHA1: 4,
  METICULOUS_KEYED_SHA1: 5,
} as const;
export type BfdAuthTypeName = keyof typeof BfdAuthType;
export type BfdAuthTypeValue = (typeof BfdAuthType)[BfdAuthTypeName];

/** UDP destination port of single-hop BFD Control packets (RFC 5881 s4). */
export const BFD_SINGLE_HOP_CONTROL_PORT = 3784;
/** UDP destination port of multihop BFD Control packets (RFC 5883 s3). */
export const BFD_MULTIHOP_CONTROL_PORT = 4784;
