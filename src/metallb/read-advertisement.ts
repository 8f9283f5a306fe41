/**
 * BGPAdvertisement (metallb.io/v1beta1): aggregationLength (0..32, default 32),
 * aggregationLengthV6 (0..128, default 128), localPref, communities (values, `large:` values and
 * Community aliases), ipAddressPools / ipAddressPoolSelectors (neither: every pool), peers,
 * nodeSelectors, serviceSelectors. Extension: `asPrepend: {count, asn}`.
 */
import { type BgpCommunity, looksLikeCommunityValue, parseMetalLbCommunity } from './community.js';
import type { FieldReader } from './field-reader.js';
import { type LabelSelector, anySelectorMatches, readLabelSelectors } from './label-selector.js';
import type { AsPrepend, BgpAdvertisementResource, IpAddressPool } from './resources.js';

export const ADVERTISEMENT_SPEC_FIELDS = [
  'aggregationLength',
  'aggregationLengthV6',
  'localPref',
  'communities',
  'ipAddressPools',
  'ipAddressPoolSelectors',
  'nodeSelectors',
  'peers',
  'serviceSelectors',
  'asPrepend',
] as const;

/** What one document says, before pools and aliases are resolved. */
export interface ReadAdvertisement {
  readonly reader: FieldReader;
  readonly name: string;
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  readonly localPref: number | undefined;
  readonly communityTexts: readonly string[];
  readonly ipAddressPools: readonly string[];
  readonly ipAddressPoolSelectors: readonly LabelSelector[];
  readonly nodeSelectors: readonly LabelSelector[];
  readonly peers: readonly string[];
  readonly serviceSelectors: readonly LabelSelector[];
  readonly asPrepend: AsPrepend | undefined;
}

export function readBgpAdvertisement(r: FieldReader): ReadAdvertisement | undefined {
  const d = r.doc;
  const spec = r.object(d.body, 'spec', '', false) ?? {};
  r.unknownKeys(spec, 'spec', ADVERTISEMENT_SPEC_FIELDS, { aggregationLengthv6: 'did you mean aggregationLengthV6?', community: 'did you mean communities?' });
  const before = r.errorCount;
  const aggregationLength = r.int(spec, 'aggregationLength', 'spec', 0, 32) ?? 32;
  const aggregationLengthV6 = r.int(spec, 'aggregationLengthV6', 'spec', 0, 128) ?? 128;
  const lp = r.int(spec, 'localPref', 'spec', 0, 4294967295);
  const communityTexts = r.stringList(spec, 'communities', 'spec') ?? [];
  const ipAddressPools = r.stringList(spec, 'ipAddressPools', 'spec') ?? [];
  const ipAddressPoolSelectors = readLabelSelectors(r, spec, 'ipAddressPoolSelectors', 'spec');
  const nodeSelectors = readLabelSelectors(r, spec, 'nodeSelectors', 'spec');
  const peers = r.stringList(spec, 'peers', 'spec') ?? [];
  const serviceSelectors = readLabelSelectors(r, spec, 'serviceSelectors', 'spec');
  if (serviceSelectors.length > 0 && aggregationLength !== 32) r.error('spec.aggregationLength', 'cannot be combined with serviceSelectors (only 32 is allowed then)');
  if (serviceSelectors.length > 0 && aggregationLengthV6 !== 128) r.error('spec.aggregationLengthV6', 'cannot be combined with serviceSelectors (only 128 is allowed then)');
  let asPrepend: AsPrepend | undefined;
  const ap = r.object(spec, 'asPrepend', 'spec');
  if (ap !== undefined) {
    r.unknownKeys(ap, 'spec.asPrepend', ['count', 'asn']);
    const count = r.int(ap, 'count', 'spec.asPrepend', 1, 64);
    if (ap['count'] === undefined) r.error('spec.asPrepend.count', 'missing: how many times to prepend (1..64)');
    const asn = r.int(ap, 'asn', 'spec.asPrepend', 1, 4294967295);
    if (count !== undefined) asPrepend = Object.freeze({ count, asn });
  }
  if (r.errorCount > before) return undefined;
  return {
    reader: r,
    name: d.name,
    aggregationLength,
    aggregationLengthV6,
    localPref: lp === 0 ? undefined : lp,
    communityTexts,
    ipAddressPools,
    ipAddressPoolSelectors,
    nodeSelectors,
    peers,
    serviceSelectors,
    asPrepend,
  };
}

/**
 * Resolves pools, peers and community aliases; checks that the aggregation length is not shorter
 * than any address entry of a selected pool (MetalLB's rule). Undefined when something is missing.
 */
export function resolveBgpAdvertisement(
  a: ReadAdvertisement,
  pools: ReadonlyMap<string, IpAddressPool>,
  peerNames: ReadonlySet<string>,
  aliases: ReadonlyMap<string, BgpCommunity>,
): BgpAdvertisementResource | undefined {
  const r = a.reader;
  const before = r.errorCount;
  const communities: BgpCommunity[] = [];
  a.communityTexts.forEach((text, i) => {
    const field = `spec.communities[${i}]`;
    const alias = aliases.get(text);
    const c = alias ?? parseMetalLbCommunity(text);
    if (typeof c === 'string') {
      r.error(field, looksLikeCommunityValue(text) ? c : `${JSON.stringify(text)} is neither a community value (65000:100, large:1:2:3) nor the name of an alias in a Community resource`);
      return;
    }
    if (communities.some((x) => x.kind === c.kind && x.value === c.value)) r.error(field, `${JSON.stringify(text)} repeats community ${c.value}`);
    else communities.push(c);
  });
  a.ipAddressPools.forEach((p, i) => {
    if (!pools.has(p)) r.error(`spec.ipAddressPools[${i}]`, `no IPAddressPool named ${JSON.stringify(p)} (known: ${[...pools.keys()].join(', ') || 'none'})`);
  });
  a.peers.forEach((p, i) => {
    if (!peerNames.has(p)) r.error(`spec.peers[${i}]`, `no BGPPeer named ${JSON.stringify(p)} (known: ${[...peerNames].sort().join(', ') || 'none'})`);
  });
  const selected = new Set<string>();
  if (a.ipAddressPools.length === 0 && a.ipAddressPoolSelectors.length === 0) for (const p of pools.keys()) selected.add(p);
  for (const p of a.ipAddressPools) if (pools.has(p)) selected.add(p);
  for (const p of pools.values()) if (a.ipAddressPoolSelectors.length > 0 && anySelectorMatches(a.ipAddressPoolSelectors, p.labels)) selected.add(p.name);
  for (const name of selected) {
    const pool = pools.get(name)!;
    for (const range of pool.addresses) {
      const max = range.family === 4 ? a.aggregationLength : a.aggregationLengthV6;
      if (max < range.shortestPrefixLength) {
        const field = range.family === 4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6';
        r.error(field, `${max} is shorter than /${range.shortestPrefixLength} of ${JSON.stringify(range.text)} in pool ${name}: must be ${range.shortestPrefixLength}..${range.family === 4 ? 32 : 128}`);
      }
    }
  }
  if (r.errorCount > before) return undefined;
  const d = r.doc;
  return Object.freeze({
    name: a.name,
    aggregationLength: a.aggregationLength,
    aggregationLengthV6: a.aggregationLengthV6,
    localPref: a.localPref,
    communities,
    pools: [...selected].sort(),
    nodeSelectors: a.nodeSelectors,
    peers: a.peers,
    serviceSelectors: a.serviceSelectors,
    asPrepend: a.asPrepend,
    source: { document: d.index, fileName: d.fileName },
  });
}
