/**
 * Checks across resources that MetalLB makes when it builds its configuration: two
 * BGPAdvertisements that can announce the same prefix to the same peer from the same node must
 * agree on LOCAL_PREF (and, for tsbgp's extension, on asPrepend); BFD echo mode cannot serve a
 * pool with IPv6 addresses.
 */
import { anySelectorMatches } from './label-selector.js';
import type { BfdProfileResource, BgpAdvertisementResource, BgpPeer, IpAddressPool, NodeResource } from './resources.js';

export type Report = (adv: BgpAdvertisementResource, field: string, message: string) => void;

/** True when the two advertisements can reach a common node (judged on the known Nodes, else on their selectors). */
function nodesOverlap(a: BgpAdvertisementResource, b: BgpAdvertisementResource, nodes: readonly NodeResource[]): boolean {
  if (a.nodeSelectors.length === 0 || b.nodeSelectors.length === 0) return true;
  if (nodes.length === 0) return JSON.stringify(a.nodeSelectors) === JSON.stringify(b.nodeSelectors);
  return nodes.some((n) => anySelectorMatches(a.nodeSelectors, n.labels) && anySelectorMatches(b.nodeSelectors, n.labels));
}

function peersOverlap(a: BgpAdvertisementResource, b: BgpAdvertisementResource): boolean {
  if (a.peers.length === 0 || b.peers.length === 0) return true;
  return a.peers.some((p) => b.peers.includes(p));
}

/** True when, for some family of `pool`, both advertisements announce prefixes of the same length. */
function sameAggregation(a: BgpAdvertisementResource, b: BgpAdvertisementResource, pool: IpAddressPool): boolean {
  return pool.families.some((f) => (f === 4 ? a.aggregationLength === b.aggregationLength : a.aggregationLengthV6 === b.aggregationLengthV6));
}

const prependText = (a: BgpAdvertisementResource): string => (a.asPrepend === undefined ? 'none' : `${a.asPrepend.count} x ${a.asPrepend.asn ?? 'myASN'}`);

export function checkAdvertisementConflicts(
  advs: readonly BgpAdvertisementResource[],
  pools: ReadonlyMap<string, IpAddressPool>,
  peers: readonly BgpPeer[],
  bfdProfiles: readonly BfdProfileResource[],
  nodes: readonly NodeResource[],
  report: Report,
): void {
  for (let i = 0; i < advs.length; i++) {
    const b = advs[i]!;
    for (let j = 0; j < i; j++) {
      const a = advs[j]!;
      if (a.serviceSelectors.length > 0 || b.serviceSelectors.length > 0) continue;
      const lpDiffers = (a.localPref ?? 0) !== (b.localPref ?? 0);
      const prependDiffers = prependText(a) !== prependText(b);
      if (!lpDiffers && !prependDiffers) continue;
      if (!peersOverlap(a, b) || !nodesOverlap(a, b, nodes)) continue;
      const pool = b.pools.map((p) => pools.get(p)!).find((p) => a.pools.includes(p.name) && sameAggregation(a, b, p));
      if (pool === undefined) continue;
      if (lpDiffers) {
        report(b, 'spec.localPref', `${b.localPref ?? 0} conflicts with localPref ${a.localPref ?? 0} of BGPAdvertisement ${a.name} (document ${a.source.document}): both announce pool ${pool.name} with the same aggregation length to the same peers and nodes`);
      } else {
        report(b, 'spec.asPrepend', `${prependText(b)} conflicts with asPrepend ${prependText(a)} of BGPAdvertisement ${a.name} (document ${a.source.document}): both announce pool ${pool.name} with the same aggregation length to the same peers and nodes`);
      }
    }
  }
  const echo = new Set(bfdProfiles.filter((p) => p.echoMode).map((p) => p.name));
  if (echo.size === 0) return;
  for (const adv of advs) {
    const v6 = adv.pools.find((p) => pools.get(p)!.families.includes(6));
    if (v6 === undefined) continue;
    const to = peers.filter((p) => (adv.peers.length === 0 || adv.peers.includes(p.name)) && p.bfdProfile !== undefined && echo.has(p.bfdProfile));
    if (to.length > 0) report(adv, 'spec', `announces IPv6 pool ${v6} to BGPPeer ${to[0]!.name}, whose BFDProfile ${to[0]!.bfdProfile} has echoMode: BFD echo is not possible there`);
  }
}
