/**
 * The demo's cluster: the seed guide's MetalLB configuration (pool 203.0.113.0/24, BGPPeers tor1
 * and tor2, BGPAdvertisement with community 65000:100 and local-pref 100, BFDProfile 300 ms x 3,
 * Service web with externalTrafficPolicy Local) moved onto loopback: routers at 127.0.0.11 and
 * .12, nodes at 127.0.0.21-23, BGP and BFD on unprivileged ports. Pure text generation.
 *
 * Differences from the seed, each needed on one machine and said in the YAML: peerPort and the
 * BFD port are high ports (no root); holdTime is short (9 s by default) so the no-BFD comparison
 * finishes; connectTime 2 s so a node that was frozen reconnects quickly; the Service asks for
 * 203.0.113.5 (the address the guide's `show ip route 203.0.113.5` uses).
 */
export const DEMO_ROUTERS = [
  { name: 'tor1', address: '127.0.0.11' },
  { name: 'tor2', address: '127.0.0.12' },
] as const;

export const DEMO_NODES = [
  { name: 'node-21', address: '127.0.0.21' },
  { name: 'node-22', address: '127.0.0.22' },
  { name: 'node-23', address: '127.0.0.23' },
] as const;

export const DEMO_SERVICE_IP = '203.0.113.5';
export const NODE_ASN = 65100;
export const ROUTER_ASN = 65000;

export interface DemoClusterState {
  readonly bgpPort: number;
  readonly holdTimeSec: number;
  /** Nodes with a ready endpoint of web. */
  readonly readyNodes: readonly string[];
  /** BFD profile on the BGPPeers. */
  readonly bfd: boolean;
}

export function demoClusterYaml(s: DemoClusterState): string {
  const peers = DEMO_ROUTERS.map(
    (r) => `---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: ${r.name}, namespace: metallb-system }
spec:
  myASN: ${NODE_ASN}
  peerASN: ${ROUTER_ASN}
  peerAddress: ${r.address}
  peerPort: ${s.bgpPort}        # demo: an unprivileged port instead of 179
  holdTime: ${s.holdTimeSec}s   # demo: short, so the failure without BFD ends soon (seed: 90s)
  connectTime: 2s
${s.bfd ? '  bfdProfile: tor-bfd\n' : '  # no bfdProfile: the comparison run without BFD\n'}`,
  ).join('');
  const endpoints = DEMO_NODES.map(
    (n, i) => `  - addresses: ["10.244.${i + 1}.5"]
    nodeName: ${n.name}
    conditions: { ready: ${s.readyNodes.includes(n.name)} }`,
  ).join('\n');
  return `# tsbgp demo: the MetalLB seed guide's BGP-mode cluster on loopback (written by npm run demo)
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: prod-pool, namespace: metallb-system }
spec:
  addresses: [203.0.113.0/24]
  autoAssign: true
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: tor-bfd, namespace: metallb-system }
spec: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 }
${peers}---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: prod-adv, namespace: metallb-system }
spec:
  ipAddressPools: [prod-pool]
  aggregationLength: 32
  communities: ["65000:100"]
  localPref: 100
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  annotations: { metallb.universe.tf/loadBalancerIPs: ${DEMO_SERVICE_IP} }
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: { app: web }
  ports: [{ port: 443, targetPort: 8443, protocol: TCP }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-7f9c2, namespace: default, labels: { kubernetes.io/service-name: web } }
addressType: IPv4
endpoints:
${endpoints}
---
apiVersion: v1
kind: List
items:
${DEMO_NODES.map((n) => `  - { apiVersion: v1, kind: Node, metadata: { name: ${n.name}, labels: { kubernetes.io/hostname: ${n.name} } } }`).join('\n')}
`;
}
