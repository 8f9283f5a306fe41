/**
 * The seed's topology in memory: two ToR routers (BgpSpeaker router mode with multipath, BFD to
 * every node) and MetalLbSpeakers for nodes, on one ManualClock, the in-memory TCP network and the
 * in-memory BFD network. No sockets, no real time.
 */
import { BfdEndpoint } from '../../src/bfd/bfd-endpoint.js';
import { coupleBgpToBfd } from '../../src/bfd/bgp-coupling.js';
import { BgpSpeaker } from '../../src/bgp/session/bgp-speaker.js';
import { loadMetalLbConfig, type MetalLbConfig } from '../../src/metallb/index.js';
import { MetalLbSpeaker } from '../../src/metallb/node-speaker.js';
import { ManualClock } from '../../src/testing/manual-clock.js';
import { MemoryBfdNetwork } from '../../src/testing/memory-bfd-network.js';
import { MemoryNetwork } from '../../src/testing/memory-transport.js';
import { mulberry32 } from '../../src/testing/random-updates.js';

export const TORS = { tor1: '198.18.0.1', tor2: '198.18.0.2' } as const;
export const NODES = { 'node-21': '198.18.0.21', 'node-22': '198.18.0.22', 'node-23': '198.18.0.23' } as const;
export type NodeName = keyof typeof NODES;

export interface SeedOptions {
  readonly policy?: 'Local' | 'Cluster';
  /** Nodes with a ready endpoint of `web` (default all three). */
  readonly ready?: readonly NodeName[];
  readonly holdTime?: string;
  readonly bfd?: { readonly rx: number; readonly tx: number; readonly multiplier: number } | false;
  /** Extra YAML documents. */
  readonly extra?: string;
  /** tor2's nodeSelector (matchLabels), if any. */
  readonly tor2Selector?: Readonly<Record<string, string>>;
}

/** The seed's YAML: pool 203.0.113.0/24, tor1 and tor2 with BFD 300 ms x 3, community 65000:100, Service web. */
export function seedYaml(o: SeedOptions = {}): string {
  const ready = new Set(o.ready ?? Object.keys(NODES));
  const bfd = o.bfd === undefined ? { rx: 300, tx: 300, multiplier: 3 } : o.bfd;
  const peer = (name: string, address: string, selector?: Readonly<Record<string, string>>): string => `---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: ${name}, namespace: metallb-system }
spec:
  myASN: 65100
  peerASN: 65000
  peerAddress: ${address}
  holdTime: ${o.holdTime ?? '9s'}
  connectTime: 5s
${bfd === false ? '' : '  bfdProfile: tor-bfd\n'}${selector === undefined ? '' : `  nodeSelectors: [{ matchLabels: ${JSON.stringify(selector)} }]\n`}`;
  return `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: prod-pool, namespace: metallb-system }
spec: { addresses: [203.0.113.0/24] }
${bfd === false ? '' : `---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: tor-bfd, namespace: metallb-system }
spec: { receiveInterval: ${bfd.rx}, transmitInterval: ${bfd.tx}, detectMultiplier: ${bfd.multiplier} }
`}${peer('tor1', TORS.tor1)}${peer('tor2', TORS.tor2, o.tor2Selector)}---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: prod-adv, namespace: metallb-system }
spec: { ipAddressPools: [prod-pool], communities: ["65000:100"] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: LoadBalancer, externalTrafficPolicy: ${o.policy ?? 'Local'}, selector: { app: web }, ports: [{ port: 443, protocol: TCP }] }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints:
${Object.keys(NODES)
  .map((n, i) => `  - { addresses: ["10.244.${i + 1}.5"], nodeName: ${n}, conditions: { ready: ${ready.has(n)} } }`)
  .join('\n')}
${o.extra ?? ''}`;
}

export function seedConfig(o: SeedOptions = {}): MetalLbConfig {
  return loadMetalLbConfig({ text: seedYaml(o), fileName: 'seed.yaml' }).config;
}

export interface MetalLbLab {
  readonly clock: ManualClock;
  readonly net: MemoryNetwork;
  readonly bfdNet: MemoryBfdNetwork;
  readonly tors: Record<keyof typeof TORS, BgpSpeaker>;
  readonly nodes: Record<NodeName, MetalLbSpeaker>;
  run(ms?: number): Promise<void>;
  /** The ToR's ECMP next hops for the Service IP (sorted). */
  hops(tor: keyof typeof TORS, ip: string): string[];
  close(): Promise<void>;
}

export async function metalLbLab(
  config: MetalLbConfig,
  options: { readonly torHoldTimeSec?: number; readonly torBfd?: boolean; /** false: nodes get only a router ID (sessions and BFD use the connection's address) */ readonly nodeAddress?: boolean } = {},
): Promise<MetalLbLab> {
  const clock = new ManualClock(0);
  const net = new MemoryNetwork();
  const bfdNet = new MemoryBfdNetwork(clock);
  let seed = 1;
  const torEndpoints: BfdEndpoint[] = [];
  const tors = {} as Record<keyof typeof TORS, BgpSpeaker>;
  for (const [name, address] of Object.entries(TORS) as [keyof typeof TORS, string][]) {
    const tor = new BgpSpeaker({
      asn: 65000,
      routerId: address,
      listen: { address, port: 179 },
      clock,
      random: mulberry32(seed++),
      defer: net.schedule,
      acceptor: net,
      connector: net.connector(address),
      locRib: { maximumPaths: 8 },
    });
    const endpoint = new BfdEndpoint({ transport: bfdNet.transport(), clock, random: mulberry32(seed++) });
    torEndpoints.push(endpoint);
    for (const nodeAddress of Object.values(NODES)) {
      const s = tor.addPeer({ peerAddress: nodeAddress, peerAsn: 65100, passive: true, localAddress: address, holdTimeSec: options.torHoldTimeSec ?? 9 });
      if (options.torBfd !== false) {
        const b = await endpoint.addSession({ peerAddress: nodeAddress, localAddress: address, profile: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 } });
        coupleBgpToBfd(s, b, { clock });
      }
    }
    await tor.start();
    tors[name] = tor;
  }
  const nodes = {} as Record<NodeName, MetalLbSpeaker>;
  for (const [node, address] of Object.entries(NODES) as [NodeName, string][]) {
    nodes[node] = new MetalLbSpeaker({
      node,
      ...(options.nodeAddress === false ? { routerId: address } : { nodeAddress: address }),
      clock,
      random: mulberry32(seed++),
      defer: net.schedule,
      connector: net.connector(address),
      bfd: { transport: bfdNet.transport(), clock, random: mulberry32(seed++) },
    });
  }
  const run = async (ms = 0): Promise<void> => {
    const steps = Math.max(20, Math.ceil(ms / 50));
    for (let i = 0; i < steps; i++) {
      net.run();
      clock.advance(ms / steps);
      net.run();
      await new Promise((r) => setImmediate(r));
    }
  };
  return {
    clock,
    net,
    bfdNet,
    tors,
    nodes,
    run,
    hops: (tor, ip) => (tors[tor].routes(ip)?.multipath ?? []).map((h) => h.nextHop).sort(),
    close: async () => {
      for (const n of Object.values(nodes)) await n.stop();
      for (const tor of Object.values(tors)) await tor.stop();
      for (const e of torEndpoints) await e.close();
    },
  };
}
