/** BGP Message Types registry (RFC 4271 s4.1, RFC 2918). */
export const MessageType = {
  OPEN: 1,
  UPDATE: 2,
  NOTIFICATION: 3,
  KEEPALIVE: 4,
  ROUTE_REFRESH: 5,
} as const;
export type MessageTypeName = keyof typeof MessageType;
export type MessageTypeCode = (typeof MessageType)[MessageTypeName];

/** Wire names used in JSON (`"type": "ROUTE-REFRESH"`), RFC spelling. */
export const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'OPEN',
  2: 'UPDATE',
  3: 'NOTIFICATION',
  4: 'KEEPALIVE',
  5: 'ROUTE-REFRESH',
};

/** RFC 4271 s4.1: the fixed header is 19 octets; the marker is 16 octets of 0xff. */
export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;
/** RFC 4271 s4.1 maximum message size. */
export const MAX_MESSAGE_LENGTH = 4096;
/** RFC 8654 maximum message size once extended messages are negotiated. */
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;
