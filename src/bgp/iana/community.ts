/** BGP Well-known Communities registry (RFC 1997, RFC 7611, RFC 7999, RFC 8326, RFC 9494, ...). */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000, // RFC 8326
  ACCEPT_OWN: 0xffff0001, // RFC 7611
  ROUTE_FILTER_TRANSLATED_V4: 0xffff0002,
  ROUTE_FILTER_V4: 0xffff0003,
  ROUTE_FILTER_TRANSLATED_V6: 0xffff0004,
  ROUTE_FILTER_V6: 0xffff0005,
  LLGR_STALE: 0xffff0006, // RFC 9494
  NO_LLGR: 0xffff0007, // RFC 9494
  ACCEPT_OWN_NEXTHOP: 0xffff0008,
  STANDBY_PE: 0xffff0009,
  BLACKHOLE: 0xffff029a, // RFC 7999
  NO_EXPORT: 0xffffff01, // RFC 1997
  NO_ADVERTISE: 0xffffff02, // RFC 1997
  NO_EXPORT_SUBCONFED: 0xffffff03, // RFC 1997
  NOPEER: 0xffffff04, // RFC 3765
} as const;
export type WellKnownCommunityName = keyof typeof WellKnownCommunity;

export const WELL_KNOWN_COMMUNITY_NAMES: ReadonlyMap<number, WellKnownCommunityName> = new Map(
  Object.entries(WellKnownCommunity).map(([k, v]) => [v, k as WellKnownCommunityName]),
);
