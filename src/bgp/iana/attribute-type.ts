/** BGP Path Attributes registry (RFC 4271 s5 and the RFCs that assign each type code). */
export const AttributeType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8, // RFC 1997
  ORIGINATOR_ID: 9, // RFC 4456
  CLUSTER_LIST: 10, // RFC 4456
  MP_REACH_NLRI: 14, // RFC 4760
  MP_UNREACH_NLRI: 15, // RFC 4760
  EXTENDED_COMMUNITIES: 16, // RFC 4360
  AS4_PATH: 17, // RFC 6793
  AS4_AGGREGATOR: 18, // RFC 6793
  LARGE_COMMUNITY: 32, // RFC 8092
  OTC: 35, // RFC 9234
} as const;
export type AttributeTypeName = keyof typeof AttributeType;

/** Attribute Flags (RFC 4271 s4.3). */
export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;
