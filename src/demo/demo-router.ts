/**
 * A demo ToR router: a BgpSpeaker in router mode (Loc-RIB with multipath, as a ToR with
 * `maximum-paths 8`) listening on its loopback address, one passive peer per node, and BFD
 * 300 ms x 3 to every node coupled to its BGP session (a BFD Down tears the session down and the
 * node's paths leave the Loc-RIB). Everything it sees goes to the timeline.
 *
 * Owns: its speaker, BFD endpoint, couplings. Must not touch: the node processes.
 */
import { BfdEndpoint } from '../bfd/bfd-endpoint.js';
import type { BfdSession } from '../bfd/bfd-session.js';
import { type BgpBfdCoupling, coupleBgpToBfd } from '../bfd/bgp-coupling.js';
import { BgpSpeaker } from '../bgp/session/bgp-speaker.js';
import type { PrefixRoutes } from '../rib/loc-rib-types.js';
import { DEMO_NODES, NODE_ASN, ROUTER_ASN } from './demo-config.js';
import type { Timeline } from './timeline.js';

export interface RouterRow {
  readonly router: string;
  readonly neighbor: string;
  readonly node: string;
  readonly bgp: string;
  readonly bfd: string;
  readonly forMs: number;
  readonly prefixesReceived: number;
}

export class DemoRouter {
  readonly name: string;
  readonly address: string;
  readonly speaker: BgpSpeaker;
  readonly #endpoint: BfdEndpoint;
  readonly #bfd = new Map<string, { session: BfdSession; coupling: BgpBfdCoupling }>();
  readonly #timeline: Timeline;
  readonly #holdTimeSec: number;

  constructor(o: { name: string; address: string; bgpPort: number; bfdPort: number; holdTimeSec: number; timeline: Timeline }) {
    this.name = o.name;
    this.address = o.address;
    this.#timeline = o.timeline;
    this.#holdTimeSec = o.holdTimeSec;
    this.speaker = new BgpSpeaker({ asn: ROUTER_ASN, routerId: o.address, listen: { address: o.address, port: o.bgpPort }, locRib: { maximumPaths: 8 } });
    this.#endpoint = new BfdEndpoint({ singleHopPort: o.bfdPort, multihopPort: o.bfdPort });
    const nodeOf = (peer: string): string => DEMO_NODES.find((n) => n.address === peer)?.name ?? peer;
    this.speaker.on('stateChange', (e) => {
      if (e.to === 'Established' || e.from === 'Established') this.#timeline.add(this.name, `BGP ${nodeOf(e.peer)} ${e.from} -> ${e.to}${e.to === 'Established' ? '' : ` (${e.reason})`}`);
    });
    this.speaker.on('multipathChanged', (e) => {
      const hops = e.current.map((h) => h.nextHop).sort();
      this.#timeline.add(this.name, `${e.prefix}: ${hops.length} next hop${hops.length === 1 ? '' : 's'}${hops.length > 0 ? ` (${hops.map(nodeOf).join(', ')})` : ''}`);
    });
  }

  async start(withBfd: boolean): Promise<void> {
    for (const n of DEMO_NODES) {
      this.speaker.addPeer({ peerAddress: n.address, peerAsn: NODE_ASN, passive: true, localAddress: this.address, holdTimeSec: this.#holdTimeSec, acceptLoopbackNextHop: true });
    }
    await this.speaker.start();
    if (withBfd) await this.enableBfd();
  }

  async enableBfd(): Promise<void> {
    for (const n of DEMO_NODES) {
      const session = await this.#endpoint.addSession({ peerAddress: n.address, localAddress: this.address, profile: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 } });
      session.on('stateChange', (e) => this.#timeline.add(this.name, `BFD ${n.name} ${e.from} -> ${e.to}${e.to === 'Up' ? '' : ` (${e.diagName})`}`));
      const coupling = coupleBgpToBfd(this.speaker.peer(n.address)!, session);
      coupling.on('teardown', (e) => this.#timeline.add(this.name, `BFD tears BGP ${n.name} down (${e.diagName}): NOTIFICATION Cease / BFD Down`));
      this.#bfd.set(n.address, { session, coupling });
    }
  }

  /** The comparison run: no BFD at this router (like a ToR without `bfd` on the neighbors). */
  async disableBfd(): Promise<void> {
    for (const { session, coupling } of this.#bfd.values()) {
      coupling.dispose();
      await session.close({ adminDown: true });
    }
    this.#bfd.clear();
  }

  routes(ip: string): PrefixRoutes | undefined {
    return this.speaker.routes(ip);
  }

  /** The ECMP next hops of `ip` (sorted). */
  hops(ip: string): string[] {
    return (this.speaker.routes(ip)?.multipath ?? []).map((h) => h.nextHop).sort();
  }

  /** `show ip route` in the seed's words: "203.0.113.5/32 via 127.0.0.21, via 127.0.0.22". */
  showIpRoute(ip: string): string {
    const r = this.routes(ip);
    if (r === undefined) return `% Network not in table: ${ip}`;
    const b = r.best;
    return `${r.prefix} ${r.multipath.map((h) => `via ${h.nextHop}`).join(', ')}   [bgp, AS path ${b.asPath}, communities ${b.communities.join(' ') || '-'}]`;
  }

  sessions(): RouterRow[] {
    return DEMO_NODES.map((n) => {
      const s = this.speaker.peer(n.address)!.snapshot();
      return {
        router: this.name,
        neighbor: n.address,
        node: n.name,
        bgp: s.state,
        bfd: this.#bfd.get(n.address)?.session.state ?? 'off',
        forMs: s.stateForMs,
        prefixesReceived: s.adjRibIn.routes,
      };
    });
  }

  async stop(): Promise<void> {
    for (const { coupling } of this.#bfd.values()) coupling.dispose();
    await this.speaker.stop({ message: 'demo over' });
    await this.#endpoint.close();
  }
}
