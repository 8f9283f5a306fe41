/**
 * The validated MetalLB configuration and Kubernetes objects, defaults applied: what the loader
 * returns and the allocator and announcement planner read. Plain frozen data.
 */
import type { ResolvedBfdProfile } from '../bfd/bfd-config.js';
import type { AddPathMode } from '../bgp/session/session-config.js';
import type { BgpCommunity } from './community.js';
import type { AddressRange, IpFamily } from './ip-range.js';
import type { LabelSelector } from './label-selector.js';

/** Where a resource was defined (for messages). */
export interface ResourceSource {
  readonly document: number;
  readonly fileName?: string | undefined;
}

export interface IpAddressPool {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** In the order written. */
  readonly addresses: readonly AddressRange[];
  /** Default true: services get addresses from this pool without asking for it. */
  readonly autoAssign: boolean;
  /** Default false: skip IPv4 addresses ending in .0 or .255. */
  readonly avoidBuggyIPs: boolean;
  /** The families the pool has addresses of. */
  readonly families: readonly IpFamily[];
  readonly source: ResourceSource;
}

export type DynamicAsnMode = 'internal' | 'external';
export type AddPathFamily = 'ipv4-unicast' | 'ipv6-unicast';

export interface BgpPeer {
  readonly name: string;
  /** metallb.io/v1beta1 or metallb.io/v1beta2. */
  readonly apiVersion: string;
  readonly myASN: number;
  /** Absent when dynamicASN is used. */
  readonly peerASN: number | undefined;
  readonly dynamicASN: DynamicAsnMode | undefined;
  /** Canonical address text. */
  readonly peerAddress: string;
  /** Default 179. */
  readonly peerPort: number;
  readonly sourceAddress: string | undefined;
  /** Default 90, or 3 x keepaliveTime when only that is given. 0 or 3..65535. */
  readonly holdTimeSec: number;
  /** Default holdTime / 3. */
  readonly keepaliveTimeSec: number;
  /** Default 120 (RFC 4271 ConnectRetryTime; MetalLB leaves it to the BGP daemon). */
  readonly connectTimeSec: number;
  readonly routerID: string | undefined;
  /** TCP-MD5 password (from `password` or the basic-auth Secret named by `passwordSecret`). Never log. */
  readonly password: string | undefined;
  readonly bfdProfile: string | undefined;
  readonly enableGracefulRestart: boolean;
  readonly ebgpMultiHop: boolean;
  readonly vrf: string | undefined;
  readonly dualStackAddressFamily: boolean;
  /** Empty: every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** Extension (`spec.addPath`): RFC 7911 ADD-PATH per family; empty when not set. */
  readonly addPath: Readonly<Partial<Record<AddPathFamily, AddPathMode>>>;
  readonly source: ResourceSource;
}

export interface BfdProfileResource extends ResolvedBfdProfile {
  readonly name: string;
  readonly source: ResourceSource;
}

/** Extension (`spec.asPrepend`): prepend `asn` (default the session's myASN) `count` times. */
export interface AsPrepend {
  readonly count: number;
  readonly asn: number | undefined;
}

export interface BgpAdvertisementResource {
  readonly name: string;
  /** Default 32. */
  readonly aggregationLength: number;
  /** Default 128. */
  readonly aggregationLengthV6: number;
  /** undefined when 0 / not set (MetalLB sends no LOCAL_PREF of its own then). */
  readonly localPref: number | undefined;
  /** Aliases resolved; in the order written, without duplicates. */
  readonly communities: readonly BgpCommunity[];
  /** The pools this advertisement applies to (named, selected by label, or all when neither is given), sorted. */
  readonly pools: readonly string[];
  /** Empty: every node. */
  readonly nodeSelectors: readonly LabelSelector[];
  /** BGPPeer names; empty: every peer. */
  readonly peers: readonly string[];
  /** Empty: every service. */
  readonly serviceSelectors: readonly LabelSelector[];
  readonly asPrepend: AsPrepend | undefined;
  readonly source: ResourceSource;
}

export type ExternalTrafficPolicy = 'Cluster' | 'Local';
export type IpFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export interface ServicePort {
  readonly protocol: string;
  readonly port: number;
}

export interface ServiceResource {
  readonly namespace: string;
  readonly name: string;
  /** "namespace/name". */
  readonly key: string;
  readonly type: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly externalTrafficPolicy: ExternalTrafficPolicy;
  readonly ipFamilyPolicy: IpFamilyPolicy;
  /** From spec.ipFamilies, else the families of spec.clusterIPs, else [4]. */
  readonly ipFamilies: readonly IpFamily[];
  readonly ports: readonly ServicePort[];
  readonly selector: Readonly<Record<string, string>>;
  readonly loadBalancerClass: string | undefined;
  /** spec.loadBalancerIP (deprecated in Kubernetes), as written. */
  readonly loadBalancerIP: string | undefined;
  /** metallb.io/loadBalancerIPs or metallb.universe.tf/loadBalancerIPs, as written. */
  readonly loadBalancerIPsAnnotation: string | undefined;
  /** metallb.io/address-pool or metallb.universe.tf/address-pool. */
  readonly addressPool: string | undefined;
  /** metallb.io/allow-shared-ip or metallb.universe.tf/allow-shared-ip. */
  readonly sharingKey: string | undefined;
  /** status.loadBalancer.ingress[].ip: what was assigned before (kept when still valid). */
  readonly statusIPs: readonly string[];
  readonly source: ResourceSource;
}

export interface Endpoint {
  readonly nodeName: string | undefined;
  /** conditions.ready; Kubernetes reads an absent value as true. */
  readonly ready: boolean;
  readonly addresses: readonly string[];
}

export interface EndpointSliceResource {
  readonly namespace: string;
  readonly name: string;
  /** The kubernetes.io/service-name label. */
  readonly serviceName: string;
  readonly endpoints: readonly Endpoint[];
}

export interface NodeResource {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface MetalLbConfig {
  /** Sorted by name (the order auto-assignment tries them). */
  readonly pools: readonly IpAddressPool[];
  readonly peers: readonly BgpPeer[];
  readonly bfdProfiles: readonly BfdProfileResource[];
  readonly advertisements: readonly BgpAdvertisementResource[];
  /** Community aliases from Community resources. */
  readonly communityAliases: ReadonlyMap<string, BgpCommunity>;
  /** Sorted by namespace/name. */
  readonly services: readonly ServiceResource[];
  readonly endpointSlices: readonly EndpointSliceResource[];
  readonly nodes: readonly NodeResource[];
}
