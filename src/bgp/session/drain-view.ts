/**
 * What the Adj-RIB-Out needs to build UPDATEs for one established session: the negotiated view
 * (AS, eBGP or iBGP, 4-octet AS, codec context, families) and next-hop self. Next-hop self is the
 * local address of the TCP connection; an IPv6 prefix over an IPv4 session gets the IPv4-mapped
 * form, as FRR sends. Pure.
 */
import { parseAddress } from '../prefix/address.js';
import type { DrainView } from '../../rib/adj-rib-out.js';
import type { Negotiated } from './negotiate.js';

export interface NextHopSelf {
  readonly ipv4?: string | undefined;
  readonly ipv6?: string | undefined;
}

export function drainView(n: Negotiated, localAddress: string | undefined, override: NextHopSelf, extraCommunities: readonly number[]): DrainView {
  const mapped = localAddress !== undefined && localAddress.toLowerCase().startsWith('::ffff:') && localAddress.includes('.');
  const fam = localAddress === undefined ? undefined : mapped ? 1 : parseAddress(localAddress).afi;
  const local4 = fam === 1 ? (mapped ? localAddress!.slice(7) : localAddress) : undefined;
  const v4 = override.ipv4 ?? local4;
  const v6 = override.ipv6 ?? (fam === 2 ? localAddress : v4 === undefined ? undefined : `::ffff:${v4}`);
  return {
    localAsn: n.localAsn,
    external: n.external,
    fourOctetAs: n.fourOctetAs,
    nextHopSelf4: v4,
    nextHopSelf6: v6,
    sendContext: n.sendContext,
    afis: new Set(n.families.filter((f) => f.safi === 1).map((f) => f.afi)),
    extraCommunities,
  };
}
