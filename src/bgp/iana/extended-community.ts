/**
 * BGP Extended Communities registries (RFC 4360 s3, RFC 5668, RFC 7153): the type octets this
 * library decodes into typed values and the sub-types it names. Others stay opaque.
 */

/** Type high octets. Bit 0x40 (T) set = non-transitive; bit 0x80 (I) set = first come first served. */
export const ExtendedCommunityType = {
  TWO_OCTET_AS_SPECIFIC: 0x00, // RFC 4360 s3.1 (0x40: non-transitive)
  IPV4_ADDRESS_SPECIFIC: 0x01, // RFC 4360 s3.2 (0x41: non-transitive)
  FOUR_OCTET_AS_SPECIFIC: 0x02, // RFC 5668 s2 (0x42: non-transitive)
  OPAQUE: 0x03, // RFC 4360 s3.3 (0x43: non-transitive)
} as const;

/** The T bit of the type octet: set for non-transitive communities (RFC 4360 s2). */
export const EXTENDED_COMMUNITY_NON_TRANSITIVE = 0x40;

/** Sub-types shared by the AS-specific and IPv4-address-specific types. */
export const ExtendedCommunitySubtype = {
  ROUTE_TARGET: 0x02, // RFC 4360 s4
  ROUTE_ORIGIN: 0x03, // RFC 4360 s5
  /** Two-octet AS specific types only (0x00, 0x40): draft-ietf-idr-link-bandwidth. */
  LINK_BANDWIDTH: 0x04,
} as const;
