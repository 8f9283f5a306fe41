/**
 * `tsbgp/metallb`: MetalLB-compatible configuration, pure. Load IPAddressPool, BGPPeer,
 * BGPAdvertisement, BFDProfile and Community resources (and the Services, EndpointSlices, Nodes
 * and Secrets a standalone speaker reads) from multi-document YAML with MetalLB's defaults and
 * validation; assign Service IPs by MetalLB's rules; plan what one node announces to each peer as
 * library Advertisements. No sockets, timers or files.
 */
export { type ConfigIssue, MetalLbConfigError, formatIssue, isMetalLbConfigError } from './errors.js';
export { type YamlSource, type SourceDocument, splitYamlDocuments } from './yaml-documents.js';
export { type LoadResult, type ParseResult, loadMetalLbConfig, parseMetalLbConfig } from './load-config.js';
export type * from './resources.js';
export { type BgpCommunity, parseMetalLbCommunity } from './community.js';
export { type LabelSelector, type LabelSelectorRequirement, type SelectorOperator, anySelectorMatches, selectorMatches, selectorText } from './label-selector.js';
export { type AddressRange, type Ip, type IpFamily, formatIp, parseIp, parseAddressRange } from './ip-range.js';
export { formatSeconds, parseGoDurationMs } from './duration.js';
export { type Allocation, type AllocationFailure, type AllocationOptions, type ServiceAllocation, allocateServiceIps } from './allocator.js';
export {
  type AnnouncementPlan,
  type AnnouncementStatus,
  type PeerPlan,
  type PlanOptions,
  type ServiceAnnouncement,
  EXCLUDE_LB_LABEL,
  planAnnouncements,
  readyNodesFromSlices,
} from './announce-plan.js';
export { MetalLbSpeaker } from './node-speaker.js';
export type * from './node-speaker-types.js';
export { type NodeIdentity, type PeerSessionSpec, peerSessionSpec, forFamilies } from './peer-session.js';
export { PeerLink } from './peer-link.js';
