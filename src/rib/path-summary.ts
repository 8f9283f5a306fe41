/**
 * How one Loc-RIB path is shown (`show ip route`, events): the decision inputs next to the
 * attributes in text form (AS_PATH "65001 {65002,65003}", communities "65000:100" or their
 * well-known names). Pure; owns no state and makes no decision.
 */
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import type { AsPathSegment } from '../bgp/codec/attributes/as-path-segments.js';
import { formatCommunity } from '../bgp/codec/attributes/communities.js';
import { formatLargeCommunity } from '../bgp/codec/attributes/large-community.js';
import type { OriginName } from './advertisement.js';
import type { CandidatePath } from './decision-process.js';

/** One path, as `show ip route` prints it. */
export interface PathSummary {
  readonly peerAddress: string;
  readonly peerAs: number;
  readonly ibgp: boolean;
  readonly pathId: number;
  /** IPv4: [NEXT_HOP]; IPv6: [global, link-local?]. */
  readonly nextHop: readonly string[];
  /** "65001 65002 {65003,65004} (65010)": sets in braces, confederation sequences in parentheses, confederation sets in brackets. */
  readonly asPath: string;
  readonly asPathSegments: readonly AsPathSegment[];
  /** The LOCAL_PREF the decision used. */
  readonly localPref: number;
  readonly med: number | undefined;
  readonly origin: OriginName;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly originatorId: string | undefined;
  readonly clusterList: readonly string[];
  readonly igpCost: number | undefined;
  readonly stale: boolean;
  readonly attributes: readonly PathAttribute[];
}

const ORIGIN_NAMES: readonly OriginName[] = ['igp', 'egp', 'incomplete'];
const SEGMENT_TEXT: Readonly<Record<number, (asns: string) => string>> = {
  1: (s) => `{${s.replaceAll(' ', ',')}}`,
  2: (s) => s,
  3: (s) => `(${s})`,
  4: (s) => `[${s.replaceAll(' ', ',')}]`,
};

/** "65001 65002 {65003,65004} (65010) [65011,65012]". */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  return segments.map((s) => SEGMENT_TEXT[s.type]!(s.asns.join(' '))).join(' ');
}

/** The summary of a path: its decision inputs, its next hops and attributes as received. Frozen. */
export function pathSummary(c: CandidatePath, nextHop: readonly string[], attributes: readonly PathAttribute[], stale: boolean): PathSummary {
  let communities: readonly string[] = [];
  let largeCommunities: readonly string[] = [];
  let originatorId: string | undefined;
  let clusterList: readonly string[] = [];
  for (const a of attributes) {
    if (a.type === 'COMMUNITIES') communities = a.communities.map(formatCommunity);
    else if (a.type === 'LARGE_COMMUNITY') largeCommunities = a.communities.map(formatLargeCommunity);
    else if (a.type === 'ORIGINATOR_ID') originatorId = a.originatorId;
    else if (a.type === 'CLUSTER_LIST') clusterList = a.clusterList;
  }
  return Object.freeze({
    peerAddress: c.peer.peerAddress,
    peerAs: c.peer.peerAs,
    ibgp: c.peer.ibgp,
    pathId: c.pathId,
    nextHop,
    asPath: formatAsPath(c.asPath),
    asPathSegments: c.asPath,
    localPref: c.localPref,
    med: c.med,
    origin: ORIGIN_NAMES[c.origin]!,
    communities,
    largeCommunities,
    originatorId,
    clusterList,
    igpCost: c.igpCost,
    stale,
    attributes,
  });
}
