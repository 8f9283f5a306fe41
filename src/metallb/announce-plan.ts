/**
 * What node X announces, as a pure function: for each BGPPeer selected for X (peer
 * nodeSelectors), the advertisements of every allocated Service IP whose pool has a
 * BGPAdvertisement selecting X (advertisement nodeSelectors), that peer (peers) and the Service
 * (serviceSelectors), aggregated and with communities, large communities, LOCAL_PREF and
 * AS-path prepend. externalTrafficPolicy Cluster: announced from every such node (unless the
 * Service's EndpointSlices show no ready endpoint at all, MetalLB's "noEndpoints"); Local: only
 * while X has a ready endpoint ("noLocalEndpoints").
 */
import type { Advertisement } from '../rib/advertisement.js';
import type { Allocation } from './allocator.js';
import { type Ip, formatIp, networkOf, parseIp } from './ip-range.js';
import { anySelectorMatches } from './label-selector.js';
import type { BgpAdvertisementResource, BgpPeer, MetalLbConfig, ServiceResource } from './resources.js';

/** The label that keeps a node from announcing (MetalLB honours it unless --ignore-exclude-lb). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface PlanOptions {
  /** Nodes with a ready endpoint, by service key; default: from the config's EndpointSlices. */
  readonly readyNodes?: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  /** This node's labels; default: its Node resource's, plus kubernetes.io/hostname=<node>. */
  readonly nodeLabels?: Readonly<Record<string, string>> | undefined;
  /** Announce even when the node has the exclude-from-external-load-balancers label. Default false. */
  readonly ignoreExcludeLb?: boolean | undefined;
}

export type AnnouncementStatus = 'announced' | 'noLocalEndpoints' | 'noEndpoints' | 'nodeExcluded' | 'noAdvertisement' | 'notAllocated';

export interface ServiceAnnouncement {
  readonly service: string;
  readonly ips: readonly string[];
  readonly status: AnnouncementStatus;
  /** The BGPPeers this node announces the service to (sorted). */
  readonly peers: readonly string[];
}

export interface PeerPlan {
  /** The peer's validated configuration (for opening its session). */
  readonly peer: BgpPeer;
  /** One per announced prefix, sorted (IPv4 first, then by address and length). */
  readonly advertisements: readonly Advertisement[];
}

export interface AnnouncementPlan {
  readonly node: string;
  /** Every BGPPeer selected for this node, by name; a peer may have nothing to announce. */
  readonly peers: readonly PeerPlan[];
  /** Every LoadBalancer Service of the config (allocated or not), by key. */
  readonly services: readonly ServiceAnnouncement[];
  /** Prefixes announced to one peer by advertisements that disagree on LOCAL_PREF or AS-path prepend: the first (by name) wins. */
  readonly conflicts: readonly string[];
}

/** Nodes with a ready endpoint per service key, and the services that have EndpointSlices at all. */
export function readyNodesFromSlices(config: MetalLbConfig): { ready: Map<string, Set<string>>; known: Set<string> } {
  const ready = new Map<string, Set<string>>();
  const known = new Set<string>();
  for (const slice of config.endpointSlices) {
    const key = `${slice.namespace}/${slice.serviceName}`;
    known.add(key);
    const set = ready.get(key) ?? new Set<string>();
    ready.set(key, set);
    for (const e of slice.endpoints) if (e.ready && e.nodeName !== undefined) set.add(e.nodeName);
  }
  return { ready, known };
}

interface Building {
  readonly ip: Ip;
  readonly length: number;
  readonly advName: string;
  readonly communities: Set<string>;
  readonly large: Set<string>;
  localPref: number | undefined;
  asPrepend: BgpAdvertisementResource['asPrepend'];
}

function status(s: ServiceResource, node: string, ready: ReadonlyMap<string, ReadonlySet<string>>, known: ReadonlySet<string>): AnnouncementStatus | undefined {
  const nodes = ready.get(s.key);
  if (s.externalTrafficPolicy === 'Local') return nodes?.has(node) === true ? undefined : 'noLocalEndpoints';
  if (known.has(s.key) && (nodes === undefined || nodes.size === 0)) return 'noEndpoints';
  return undefined;
}

/** The announcements of `node`. Pure. */
export function planAnnouncements(config: MetalLbConfig, allocation: Allocation, node: string, options: PlanOptions = {}): AnnouncementPlan {
  const labels = options.nodeLabels ?? { 'kubernetes.io/hostname': node, ...config.nodes.find((n) => n.name === node)?.labels };
  const excluded = options.ignoreExcludeLb !== true && Object.prototype.hasOwnProperty.call(labels, EXCLUDE_LB_LABEL);
  const fromSlices = readyNodesFromSlices(config);
  const ready = options.readyNodes ?? fromSlices.ready;
  const known = options.readyNodes === undefined ? fromSlices.known : new Set(options.readyNodes.keys());
  const peers = config.peers.filter((p) => anySelectorMatches(p.nodeSelectors, labels));
  const advs = config.advertisements.filter((a) => anySelectorMatches(a.nodeSelectors, labels));
  const perPeer = new Map<string, Map<string, Building>>(peers.map((p) => [p.name, new Map()]));
  const conflicts: string[] = [];
  const services: ServiceAnnouncement[] = [];
  for (const s of config.services) {
    if (s.type !== 'LoadBalancer') continue;
    const alloc = allocation.assigned.get(s.key);
    if (alloc === undefined) {
      services.push({ service: s.key, ips: [], status: 'notAllocated', peers: [] });
      continue;
    }
    const why = excluded ? 'nodeExcluded' : status(s, node, ready, known);
    if (why !== undefined) {
      services.push({ service: s.key, ips: alloc.ips, status: why, peers: [] });
      continue;
    }
    const to = new Set<string>();
    for (const adv of advs) {
      if (!adv.pools.includes(alloc.pool) || !anySelectorMatches(adv.serviceSelectors, s.labels)) continue;
      for (const peer of peers) {
        if (adv.peers.length > 0 && !adv.peers.includes(peer.name)) continue;
        to.add(peer.name);
        const table = perPeer.get(peer.name)!;
        for (const text of alloc.ips) {
          const ip = parseIp(text)!;
          const length = ip.family === 4 ? adv.aggregationLength : adv.aggregationLengthV6;
          const net = networkOf(ip, length);
          const prefix = `${formatIp(net)}/${length}`;
          const b = table.get(prefix);
          const std = adv.communities.filter((c) => c.kind === 'standard').map((c) => c.value);
          const large = adv.communities.filter((c) => c.kind === 'large').map((c) => c.value);
          if (b === undefined) {
            table.set(prefix, { ip: net, length, advName: adv.name, communities: new Set(std), large: new Set(large), localPref: adv.localPref, asPrepend: adv.asPrepend });
            continue;
          }
          for (const c of std) b.communities.add(c);
          for (const c of large) b.large.add(c);
          // an advertisement that sets nothing yields to one that does; two that set different values conflict
          if (b.localPref === undefined && adv.localPref !== undefined) b.localPref = adv.localPref;
          if (b.asPrepend === undefined && adv.asPrepend !== undefined) b.asPrepend = adv.asPrepend;
          const bp = JSON.stringify(b.asPrepend ?? null);
          const ap = JSON.stringify(adv.asPrepend ?? b.asPrepend ?? null);
          if ((adv.localPref !== undefined && b.localPref !== adv.localPref) || bp !== ap) {
            const msg = `${prefix} to ${peer.name}: BGPAdvertisement ${adv.name} (localPref ${adv.localPref ?? 'unset'}, asPrepend ${ap}) disagrees with ${b.advName} (localPref ${b.localPref ?? 'unset'}, asPrepend ${bp}); ${b.advName} is used`;
            if (!conflicts.includes(msg)) conflicts.push(msg);
          }
        }
      }
    }
    services.push({ service: s.key, ips: alloc.ips, status: to.size === 0 ? 'noAdvertisement' : 'announced', peers: [...to].sort() });
  }
  const peerPlans: PeerPlan[] = peers.map((peer) => {
    const entries = [...perPeer.get(peer.name)!.entries()].sort(([, x], [, y]) => x.ip.family - y.ip.family || (x.ip.value < y.ip.value ? -1 : x.ip.value > y.ip.value ? 1 : x.length - y.length));
    const advertisements = entries.map(([prefix, b]): Advertisement => {
      const a: { -readonly [K in keyof Advertisement]: Advertisement[K] } = { prefix };
      if (b.communities.size > 0) a.communities = [...b.communities].sort(byNumbers);
      if (b.large.size > 0) a.largeCommunities = [...b.large].sort(byNumbers);
      if (b.localPref !== undefined) a.localPref = b.localPref;
      if (b.asPrepend !== undefined) a.asPathPrepend = b.asPrepend.asn === undefined ? { count: b.asPrepend.count } : { count: b.asPrepend.count, asn: b.asPrepend.asn };
      return Object.freeze(a);
    });
    return { peer, advertisements };
  });
  return { node, peers: peerPlans, services, conflicts };
}

/** "65000:100" < "65000:20" numerically, part by part; names (NO_EXPORT) after numbers. */
function byNumbers(a: string, b: string): number {
  const pa = a.split(':').map(Number);
  const pb = b.split(':').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1;
    const y = pb[i] ?? -1;
    if (Number.isNaN(x) || Number.isNaN(y)) return a < b ? -1 : a > b ? 1 : 0;
    if (x !== y) return x - y;
  }
  return 0;
}
