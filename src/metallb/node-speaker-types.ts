/**
 * The types of MetalLbSpeaker (node-speaker.ts): options, events, the report of one apply and the
 * snapshot. Plain data; see node-speaker.ts for the behaviour.
 */
import type { BfdEndpointOptions } from '../bfd/bfd-endpoint.js';
import type { BfdStateName } from '../bfd/bfd-state.js';
import type { BgpStateName } from '../bgp/session/bgp-state.js';
import type { Connector } from '../bgp/transport/connection.js';
import type { Clock, RandomSource } from '../clock/clock.js';
import type { BgpError } from '../bgp/errors.js';
import type { AllocationFailure } from './allocator.js';
import type { ServiceAnnouncement } from './announce-plan.js';
import type { NodeIdentity } from './peer-session.js';

export interface MetalLbSpeakerOptions extends NodeIdentity {
  /** The node this speaker runs on (Node metadata.name): selects peers, advertisements and local endpoints. */
  readonly node: string;
  /** Serve only Services of this spec.loadBalancerClass; default: Services without one. */
  readonly loadBalancerClass?: string | undefined;
  /** Announce even when the node has the exclude-from-external-load-balancers label. Default false. */
  readonly ignoreExcludeLb?: boolean | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: RandomSource | undefined;
  readonly connector?: Connector | undefined;
  readonly defer?: ((callback: () => void) => void) | undefined;
  /** The BFD endpoint's transport, clock and ports (default UDP 3784 / 4784). */
  readonly bfd?: BfdEndpointOptions | undefined;
}

export interface PeerStateEvent {
  /** The BGPPeer's name. */
  readonly peer: string;
  readonly address: string;
  readonly from: BgpStateName;
  readonly to: BgpStateName;
  readonly reason: string;
}

export interface BfdStateEvent {
  readonly peer: string;
  readonly address: string;
  readonly from: BfdStateName;
  readonly to: BfdStateName;
  readonly diagName: string;
  readonly reason: string;
}

/** The prefixes one peer is sent changed (after an apply). */
export interface AnnouncementsEvent {
  readonly peer: string;
  readonly address: string;
  /** Every prefix this peer is sent now. */
  readonly prefixes: readonly string[];
  readonly added: readonly string[];
  readonly withdrawn: readonly string[];
  /** Paths whose attributes (communities, LOCAL_PREF, ...) changed, prefixes unchanged. */
  readonly changed: number;
}

/** A Service's announcement status on this node changed (or was seen the first time). */
export interface ServiceStatusEvent extends ServiceAnnouncement {
  readonly previous: ServiceAnnouncement['status'] | undefined;
}

export interface ApplyReport {
  /** 1 for the first configuration, +1 per apply that was accepted. */
  readonly generation: number;
  readonly peersAdded: readonly string[];
  readonly peersRemoved: readonly string[];
  /** Peers whose session settings changed: their sessions were replaced. */
  readonly peersReset: readonly string[];
  /** Peers kept as they were (at most their routes changed). */
  readonly peersKept: readonly string[];
  readonly services: number;
  readonly announced: number;
  readonly allocationFailures: readonly AllocationFailure[];
  readonly conflicts: readonly string[];
}

export interface MetalLbSpeakerEvents {
  applied: (e: ApplyReport) => void;
  peerState: (e: PeerStateEvent) => void;
  bfdState: (e: BfdStateEvent) => void;
  /** BFD tore the BGP session down (Cease / BFD Down sent). */
  bfdTeardown: (e: { readonly peer: string; readonly address: string; readonly diagName: string; readonly bgpState: BgpStateName }) => void;
  announcements: (e: AnnouncementsEvent) => void;
  serviceStatus: (e: ServiceStatusEvent) => void;
  /** A session or BFD error; the speaker keeps running. */
  error: (e: { readonly peer?: string | undefined; readonly error: BgpError }) => void;
}

export interface PeerSnapshot {
  readonly peer: string;
  readonly address: string;
  readonly state: BgpStateName;
  readonly stateForMs: number;
  readonly localAddress: string | undefined;
  readonly bfd: { readonly profile: string; readonly state: BfdStateName | 'NoSession'; readonly localAddress: string | undefined } | undefined;
  readonly prefixes: readonly string[];
}

export interface MetalLbSpeakerSnapshot {
  readonly node: string;
  readonly generation: number;
  readonly peers: readonly PeerSnapshot[];
  readonly services: readonly ServiceAnnouncement[];
  readonly allocationFailures: readonly AllocationFailure[];
}
