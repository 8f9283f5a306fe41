/** Address Family Numbers and SAFI Values registries (RFC 4760). */
export const Afi = {
  IPV4: 1,
  IPV6: 2,
  L2VPN: 25,
} as const;
export type AfiName = keyof typeof Afi;

export const Safi = {
  UNICAST: 1,
  MULTICAST: 2,
  MPLS_LABEL: 4,
  EVPN: 70,
  MPLS_VPN: 128,
  FLOWSPEC: 133,
} as const;
export type SafiName = keyof typeof Safi;

/** JSON names: "ipv4", "ipv6", "l2vpn"; others are plain numbers. */
export const AFI_NAMES: Readonly<Record<number, string>> = { 1: 'ipv4', 2: 'ipv6', 25: 'l2vpn' };
/** JSON names: "unicast", "multicast", ...; others are plain numbers. */
export const SAFI_NAMES: Readonly<Record<number, string>> = {
  1: 'unicast',
  2: 'multicast',
  4: 'mpls-label',
  70: 'evpn',
  128: 'mpls-vpn',
  133: 'flowspec',
};

/** One number for an (AFI, SAFI) pair: `afi * 256 + safi`. */
export function afiSafiKey(afi: number, safi: number): number {
  return afi * 256 + safi;
}
