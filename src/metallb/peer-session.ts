/**
 * One BGPPeer as this node's session: the BgpSpeaker peer configuration (timers, password,
 * source address, ADD-PATH, graceful restart, eBGP multihop, families), the BFD session spec
 * from its BFDProfile, and the key that tells whether a reload changed the session (a changed key
 * resets the session; advertisements alone never do).
 *
 * Owns: the mapping rules below. Must not touch: sockets, timers, the speaker.
 *
 * Rules (MetalLB's, where it has them):
 * - local AS: spec.myASN; peer AS: spec.peerASN, or dynamicASN internal (= myASN) / external
 *   (any AS, checked against the OPEN like an FRR `remote-as external`).
 * - router ID: spec.routerID, else the speaker's routerId, else the node's IPv4 address, else an
 *   IPv4 sourceAddress; none of these is an error naming spec.routerID.
 * - source address: spec.sourceAddress, else the node's address when it is of the peer's family
 *   (the address MetalLB's speaker announces as next hop), else the kernel's choice.
 * - families: both with spec.dualStackAddressFamily, else the peer address's family only; the
 *   advertisements of other families are not sent to this peer.
 * - ebgpMultiHop: TTL 255 and RFC 5883 multihop BFD; enableGracefulRestart: RFC 4724 with
 *   restart time 120 s and the forwarding state kept (the node keeps forwarding while its speaker
 *   restarts), as MetalLB's FRR mode configures it.
 */
import type { ResolvedBfdProfile } from '../bfd/bfd-config.js';
import type { SpeakerPeerConfig } from '../bgp/session/bgp-speaker.js';
import type { FamilyName } from '../bgp/session/session-config.js';
import type { Advertisement } from '../rib/advertisement.js';
import { type ConfigIssue } from './errors.js';
import type { BgpPeer, MetalLbConfig } from './resources.js';

/** Where this node is: what the node's speaker knows about itself. */
export interface NodeIdentity {
  /** The node's address (Kubernetes status.hostIP): default source of sessions and router ID. */
  readonly nodeAddress?: string | undefined;
  /** The BGP Identifier for peers without spec.routerID. */
  readonly routerId?: string | undefined;
}

export interface PeerSessionSpec {
  readonly name: string;
  readonly config: SpeakerPeerConfig;
  readonly families: readonly FamilyName[];
  /** The BFD profile (by value) when the peer names one. */
  readonly bfd: { readonly profileName: string; readonly profile: ResolvedBfdProfile; readonly multihop: boolean } | undefined;
  /** Equal keys: the running session can stay (BFD changes never reset it). Holds the password: compare, never print. */
  readonly key: string;
}

const isIpv4 = (a: string | undefined): a is string => a !== undefined && /^\d+\.\d+\.\d+\.\d+$/.test(a);
const familyOf = (a: string): FamilyName => (a.includes(':') ? 'ipv6-unicast' : 'ipv4-unicast');

function issue(peer: BgpPeer, field: string, message: string): ConfigIssue {
  return { document: peer.source.document, fileName: peer.source.fileName, kind: 'BGPPeer', name: peer.name, field, message };
}

/** The session spec of `peer` on this node, or the issues that keep it from running. */
export function peerSessionSpec(peer: BgpPeer, config: MetalLbConfig, node: NodeIdentity): PeerSessionSpec | ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const routerId = peer.routerID ?? node.routerId ?? (isIpv4(node.nodeAddress) ? node.nodeAddress : undefined) ?? (isIpv4(peer.sourceAddress) ? peer.sourceAddress : undefined);
  if (routerId === undefined) {
    issues.push(issue(peer, 'spec.routerID', 'no BGP router ID: set spec.routerID, or give the speaker a router ID or an IPv4 node address (tsbgp speaker --router-id / --node-address)'));
  }
  const family = familyOf(peer.peerAddress);
  const localAddress = peer.sourceAddress ?? (node.nodeAddress !== undefined && familyOf(node.nodeAddress) === family ? node.nodeAddress : undefined);
  let bfd: PeerSessionSpec['bfd'];
  if (peer.bfdProfile !== undefined) {
    const p = config.bfdProfiles.find((x) => x.name === peer.bfdProfile);
    if (p === undefined) issues.push(issue(peer, 'spec.bfdProfile', `BFDProfile ${JSON.stringify(peer.bfdProfile)} does not exist`));
    else {
      const { name: _n, source: _s, ...profile } = p;
      bfd = { profileName: p.name, profile, multihop: peer.ebgpMultiHop };
    }
  }
  if (issues.length > 0 || routerId === undefined) return issues;
  const families: FamilyName[] = peer.dualStackAddressFamily ? ['ipv4-unicast', 'ipv6-unicast'] : [family];
  const addPath: Partial<Record<FamilyName, 'send' | 'receive' | 'both'>> = {};
  for (const f of families) if (peer.addPath[f] !== undefined) addPath[f] = peer.addPath[f];
  const config_: SpeakerPeerConfig = {
    name: peer.name,
    localAsn: peer.myASN,
    routerId,
    peerAddress: peer.peerAddress,
    peerPort: peer.peerPort,
    ...(peer.peerASN !== undefined ? { peerAsn: peer.peerASN } : peer.dynamicASN === 'internal' ? { peerAsn: peer.myASN } : { peerAsnRange: [1, 0xffffffff] as const }),
    ...(localAddress !== undefined ? { localAddress } : {}),
    holdTimeSec: peer.holdTimeSec,
    keepaliveTimeSec: peer.keepaliveTimeSec,
    connectRetryTimeSec: peer.connectTimeSec,
    families,
    ...(Object.keys(addPath).length > 0 ? { addPath } : {}),
    ...(peer.enableGracefulRestart ? { gracefulRestart: { restartTimeSec: 120, forwardingState: true } } : {}),
    ...(peer.ebgpMultiHop ? { ttl: 255 } : {}),
    ...(peer.password !== undefined ? { password: peer.password } : {}),
    // a node speaker only connects out, like MetalLB's; it never listens
    activeOnly: true,
  };
  return { name: peer.name, config: config_, families, bfd, key: JSON.stringify(config_) };
}

/** The advertisements of the session's families (an IPv4-only session gets no IPv6 prefixes). */
export function forFamilies(advertisements: readonly Advertisement[], families: readonly FamilyName[]): Advertisement[] {
  const v4 = families.includes('ipv4-unicast');
  const v6 = families.includes('ipv6-unicast');
  return advertisements.filter((a) => (a.prefix.includes(':') ? v6 : v4));
}
