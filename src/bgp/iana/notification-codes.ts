/**
 * BGP Error (Notification) Codes and Subcodes registries: RFC 4271 s4.5 and s6, RFC 4486
 * (Cease subcodes), RFC 5492, RFC 6608 (FSM error subcodes), RFC 7313, RFC 8538 (Hard Reset),
 * RFC 9234 (Role Mismatch), RFC 9384 (BFD Down), RFC 9687 (Send Hold Timer Expired).
 */
export const ErrorCode = {
  MESSAGE_HEADER_ERROR: 1,
  OPEN_MESSAGE_ERROR: 2,
  UPDATE_MESSAGE_ERROR: 3,
  HOLD_TIMER_EXPIRED: 4,
  FINITE_STATE_MACHINE_ERROR: 5,
  CEASE: 6,
  ROUTE_REFRESH_MESSAGE_ERROR: 7,
  SEND_HOLD_TIMER_EXPIRED: 8,
} as const;
export type ErrorCodeName = keyof typeof ErrorCode;

export const MessageHeaderErrorSubcode = {
  /** RFC 4271 s4.5 (registered by RFC Errata 4493). */
  UNSPECIFIC: 0,
  CONNECTION_NOT_SYNCHRONIZED: 1,
  BAD_MESSAGE_LENGTH: 2,
  BAD_MESSAGE_TYPE: 3,
} as const;

export const OpenMessageErrorSubcode = {
  UNSPECIFIC: 0,
  UNSUPPORTED_VERSION_NUMBER: 1,
  BAD_PEER_AS: 2,
  BAD_BGP_IDENTIFIER: 3,
  UNSUPPORTED_OPTIONAL_PARAMETER: 4,
  /** Deprecated (RFC 4271 s4.5): Authentication Failure. */
  DEPRECATED_5: 5,
  UNACCEPTABLE_HOLD_TIME: 6,
  UNSUPPORTED_CAPABILITY: 7,
  DEPRECATED_8: 8,
  DEPRECATED_9: 9,
  DEPRECATED_10: 10,
  ROLE_MISMATCH: 11,
} as const;

export const UpdateMessageErrorSubcode = {
  /** RFC 4271 s4.5 (registered by RFC Errata 4493). */
  UNSPECIFIC: 0,
  MALFORMED_ATTRIBUTE_LIST: 1,
  UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: 2,
  MISSING_WELL_KNOWN_ATTRIBUTE: 3,
  ATTRIBUTE_FLAGS_ERROR: 4,
  ATTRIBUTE_LENGTH_ERROR: 5,
  INVALID_ORIGIN_ATTRIBUTE: 6,
  /** Deprecated: AS Routing Loop. */
  DEPRECATED_7: 7,
  INVALID_NEXT_HOP_ATTRIBUTE: 8,
  OPTIONAL_ATTRIBUTE_ERROR: 9,
  INVALID_NETWORK_FIELD: 10,
  MALFORMED_AS_PATH: 11,
} as const;

/** RFC 6608. */
export const FsmErrorSubcode = {
  UNSPECIFIED_ERROR: 0,
  RECEIVE_UNEXPECTED_MESSAGE_IN_OPENSENT_STATE: 1,
  RECEIVE_UNEXPECTED_MESSAGE_IN_OPENCONFIRM_STATE: 2,
  RECEIVE_UNEXPECTED_MESSAGE_IN_ESTABLISHED_STATE: 3,
} as const;

/** RFC 4486, RFC 8538, RFC 9384. */
export const CeaseSubcode = {
  MAXIMUM_NUMBER_OF_PREFIXES_REACHED: 1,
  ADMINISTRATIVE_SHUTDOWN: 2,
  PEER_DE_CONFIGURED: 3,
  ADMINISTRATIVE_RESET: 4,
  CONNECTION_REJECTED: 5,
  OTHER_CONFIGURATION_CHANGE: 6,
  CONNECTION_COLLISION_RESOLUTION: 7,
  OUT_OF_RESOURCES: 8,
  HARD_RESET: 9,
  BFD_DOWN: 10,
} as const;

/** RFC 7313. */
export const RouteRefreshErrorSubcode = {
  INVALID_MESSAGE_LENGTH: 1,
} as const;

const byValue = (o: Record<string, number>): Record<number, string> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));

/** Name of an error code (e.g. `CEASE`), or undefined when unassigned. */
export const ERROR_CODE_NAMES: Readonly<Record<number, string>> = byValue(ErrorCode);

/**
 * Subcode names per error code; codes 4 and 8 have only subcode 0 (`UNSPECIFIC`). Subcode 0 is
 * named `UNSPECIFIC` for every code (RFC 4271 s4.5) except FSM errors (`UNSPECIFIED_ERROR`, RFC 6608).
 */
export const ERROR_SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: byValue(MessageHeaderErrorSubcode),
  2: byValue(OpenMessageErrorSubcode),
  3: byValue(UpdateMessageErrorSubcode),
  4: { 0: 'UNSPECIFIC' },
  5: byValue(FsmErrorSubcode),
  // 0 is "Reserved" in these two registries; RFC 4271 s4.5 still calls a zero subcode Unspecific
  6: { 0: 'UNSPECIFIC', ...byValue(CeaseSubcode) },
  7: { 0: 'UNSPECIFIC', ...byValue(RouteRefreshErrorSubcode) },
  8: { 0: 'UNSPECIFIC' },
};

/** The RFC's own text for each error code, e.g. "Cease" (used in log lines and `notificationName`). */
export const ERROR_CODE_TEXT: Readonly<Record<number, string>> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired',
};

/** The RFC's own text for each subcode, per error code (e.g. 6 -> 2 -> "Administrative Shutdown"). */
export const ERROR_SUBCODE_TEXT: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: { 0: 'Unspecific', 1: 'Connection Not Synchronized', 2: 'Bad Message Length', 3: 'Bad Message Type' },
  2: {
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    5: 'Deprecated (Authentication Failure)',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    8: 'Deprecated (8)',
    9: 'Deprecated (9)',
    10: 'Deprecated (10)',
    11: 'Role Mismatch',
  },
  3: {
    0: 'Unspecific',
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    7: 'Deprecated (AS Routing Loop)',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  4: { 0: 'Unspecific' },
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    0: 'Unspecific',
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: { 0: 'Unspecific', 1: 'Invalid Message Length' },
  8: { 0: 'Unspecific' },
};
