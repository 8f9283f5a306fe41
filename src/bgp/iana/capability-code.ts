/** Capability Codes registry (RFC 5492 and the RFCs that assign each code). */
export const CapabilityCode = {
  MULTIPROTOCOL: 1, // RFC 4760
  ROUTE_REFRESH: 2, // RFC 2918
  OUTBOUND_ROUTE_FILTERING: 3, // RFC 5291
  EXTENDED_NEXT_HOP: 5, // RFC 8950
  EXTENDED_MESSAGE: 6, // RFC 8654
  BGPSEC: 7, // RFC 8205
  MULTIPLE_LABELS: 8, // RFC 8277
  BGP_ROLE: 9, // RFC 9234
  GRACEFUL_RESTART: 64, // RFC 4724
  FOUR_OCTET_AS: 65, // RFC 6793
  ADD_PATH: 69, // RFC 7911
  ENHANCED_ROUTE_REFRESH: 70, // RFC 7313
  LONG_LIVED_GRACEFUL_RESTART: 71, // RFC 9494
  FQDN: 73, // draft-walton-bgp-hostname-capability
  SOFTWARE_VERSION: 75, // draft-abraitis-bgp-version-capability
  ROUTE_REFRESH_CISCO: 128, // pre-standard route refresh, still sent by some stacks
} as const;
export type CapabilityCodeName = keyof typeof CapabilityCode;
