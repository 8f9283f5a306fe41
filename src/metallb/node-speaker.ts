/**
 * MetalLbSpeaker: what MetalLB's speaker does on one node in BGP mode, on tsbgp. Give it a
 * MetalLbConfig (from YAML or a watch adapter) with `apply()`: it assigns Service IPs, plans this
 * node's announcements, and brings the sessions in line: a BGPPeer selected for the node gets a
 * session (and a BFD session when it names a BFDProfile), a peer no longer selected is shut down
 * with Cease, a peer whose session settings changed is replaced, and every other peer only gets
 * `set()` with its new routes: a route change never resets a session.
 *
 * Owns: the BgpSpeaker (outbound only), the BFD endpoint (created when a peer first needs BFD),
 * the PeerLinks, the last accepted configuration, allocation and plan. Must not touch: files,
 * signals, the Kubernetes API (the CLI and adapters feed it), real time (the injected clock).
 *
 * A configuration that cannot run (a peer without router ID, an unknown BFDProfile, a VRF) is
 * rejected whole with MetalLbConfigError before anything changes: the last good one stays.
 * Applies are serialized; each returns its report.
 */
import { EventEmitter } from 'eventemitter3';
import { BfdEndpoint } from '../bfd/bfd-endpoint.js';
import { BgpError } from '../bgp/errors.js';
import { BgpSpeaker } from '../bgp/session/bgp-speaker.js';
import { resolvePeerConfig } from '../bgp/session/session-config.js';
import { type Allocation, allocateServiceIps } from './allocator.js';
import { type AnnouncementPlan, type ServiceAnnouncement, planAnnouncements } from './announce-plan.js';
import { type ConfigIssue, MetalLbConfigError } from './errors.js';
import type { ApplyReport, MetalLbSpeakerEvents, MetalLbSpeakerOptions, MetalLbSpeakerSnapshot } from './node-speaker-types.js';
import { PeerLink } from './peer-link.js';
import { type PeerSessionSpec, peerSessionSpec } from './peer-session.js';
import type { MetalLbConfig } from './resources.js';

const DECONFIGURED = 'MetalLB BGPPeer no longer selected for this node';
const RESET = 'MetalLB BGPPeer session settings changed';

export class MetalLbSpeaker extends EventEmitter<MetalLbSpeakerEvents> {
  readonly options: MetalLbSpeakerOptions;
  /** The BGP speaker under the node's sessions (no listener; every peer names its own AS and router ID). */
  readonly speaker: BgpSpeaker;
  readonly #links = new Map<string, PeerLink>();
  #endpoint: BfdEndpoint | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #generation = 0;
  #config: MetalLbConfig | undefined;
  #allocation: Allocation | undefined;
  #plan: AnnouncementPlan | undefined;
  readonly #status = new Map<string, ServiceAnnouncement>();
  #started = false;
  #stopped = false;

  constructor(options: MetalLbSpeakerOptions) {
    super();
    if (typeof options?.node !== 'string' || options.node === '') throw new BgpError('ERR_CONFIG_INVALID', 'node: the node name is required');
    this.options = options;
    this.speaker = new BgpSpeaker({
      asn: 0,
      routerId: '0.0.0.0',
      listen: false,
      clock: options.clock,
      random: options.random,
      connector: options.connector,
      defer: options.defer,
    });
  }

  get config(): MetalLbConfig | undefined {
    return this.#config;
  }

  get allocation(): Allocation | undefined {
    return this.#allocation;
  }

  get plan(): AnnouncementPlan | undefined {
    return this.#plan;
  }

  /** The BFD endpoint, once a peer needed BFD. */
  get bfdEndpoint(): BfdEndpoint | undefined {
    return this.#endpoint;
  }

  link(peerName: string): PeerLink | undefined {
    return this.#links.get(peerName);
  }

  /**
   * Makes `config` the running configuration. Rejects with MetalLbConfigError (nothing changed)
   * when a selected peer cannot run; otherwise resolves with what changed.
   */
  apply(config: MetalLbConfig): Promise<ApplyReport> {
    const run = this.#queue.then(() => this.#apply(config));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Starts the sessions (those of an apply before start, and every later one at once). */
  async start(): Promise<void> {
    if (this.#stopped) throw new BgpError('ERR_BGP_STOPPED', 'the speaker was stopped');
    this.#started = true;
    await this.speaker.start();
  }

  /** Sends Cease / Administrative Shutdown with `message` to every peer, then closes BFD (AdminDown). */
  async stop(message = 'tsbgp speaker stopped'): Promise<void> {
    this.#stopped = true;
    await this.#queue;
    const links = [...this.#links.values()];
    for (const l of links) l.detachBfd();
    await this.speaker.stop({ message });
    await Promise.all(links.map((l) => l.close()));
    await this.#endpoint?.close();
  }

  snapshot(): MetalLbSpeakerSnapshot {
    return {
      node: this.options.node,
      generation: this.#generation,
      peers: [...this.#links.values()].map((l) => {
        const s = l.session.snapshot();
        const bfd = l.spec.bfd;
        return {
          peer: l.spec.name,
          address: l.spec.config.peerAddress,
          state: s.state,
          stateForMs: s.stateForMs,
          localAddress: s.connection?.localAddress,
          bfd: bfd === undefined ? undefined : { profile: bfd.profileName, state: l.bfdSession?.state ?? 'NoSession', localAddress: l.bfdLocalAddress },
          prefixes: l.prefixes,
        };
      }),
      services: this.#plan?.services ?? [],
      allocationFailures: this.#allocation?.failures ?? [],
    };
  }

  async #apply(config: MetalLbConfig): Promise<ApplyReport> {
    if (this.#stopped) throw new BgpError('ERR_BGP_STOPPED', 'the speaker was stopped');
    const previous = this.#allocation === undefined ? undefined : new Map([...this.#allocation.assigned].map(([k, a]) => [k, a.ips]));
    const allocation = allocateServiceIps(config, { previous, loadBalancerClass: this.options.loadBalancerClass });
    const plan = planAnnouncements(config, allocation, this.options.node, { ignoreExcludeLb: this.options.ignoreExcludeLb });
    const specs = this.#specs(config, plan);
    this.#config = config;
    this.#allocation = allocation;
    this.#plan = plan;
    this.#generation++;
    const added: string[] = [];
    const removed: string[] = [];
    const reset: string[] = [];
    const kept: string[] = [];
    for (const [name, link] of [...this.#links]) {
      const next = specs.get(name);
      if (next !== undefined && next.key === link.spec.key) continue;
      (next === undefined ? removed : reset).push(name);
      await this.#remove(name, link, next === undefined ? DECONFIGURED : RESET);
    }
    for (const pp of plan.peers) {
      const spec = specs.get(pp.peer.name)!;
      let link = this.#links.get(spec.name);
      if (link === undefined) {
        if (!reset.includes(spec.name)) added.push(spec.name);
        const session = this.speaker.addPeer(spec.config);
        link = new PeerLink(spec, session, () => this.#bfd(), this.#forward, this.options.clock);
        this.#links.set(spec.name, link);
      } else {
        kept.push(spec.name);
        link.update(spec);
      }
      link.set(pp.advertisements);
    }
    for (const s of plan.services) {
      const before = this.#status.get(s.service);
      if (before !== undefined && before.status === s.status && before.ips.join() === s.ips.join() && before.peers.join() === s.peers.join()) continue;
      this.#status.set(s.service, s);
      this.emit('serviceStatus', { ...s, previous: before?.status });
    }
    for (const key of [...this.#status.keys()]) if (!plan.services.some((s) => s.service === key)) this.#status.delete(key);
    const report: ApplyReport = {
      generation: this.#generation,
      peersAdded: added,
      peersRemoved: removed,
      peersReset: reset,
      peersKept: kept,
      services: plan.services.length,
      announced: plan.services.filter((s) => s.status === 'announced').length,
      allocationFailures: allocation.failures,
      conflicts: plan.conflicts,
    };
    this.emit('applied', report);
    return report;
  }

  /** Session specs of the planned peers; throws MetalLbConfigError before anything changes. */
  #specs(config: MetalLbConfig, plan: AnnouncementPlan): Map<string, PeerSessionSpec> {
    const issues: ConfigIssue[] = [];
    const specs = new Map<string, PeerSessionSpec>();
    for (const { peer } of plan.peers) {
      const spec = peerSessionSpec(peer, config, this.options);
      if (Array.isArray(spec)) {
        issues.push(...spec);
        continue;
      }
      const where = { document: peer.source.document, fileName: peer.source.fileName, kind: 'BGPPeer', name: peer.name };
      try {
        resolvePeerConfig({ ...spec.config, localAsn: spec.config.localAsn!, routerId: spec.config.routerId! });
      } catch (e) {
        issues.push({ ...where, field: 'spec', message: e instanceof Error ? e.message : String(e) });
        continue;
      }
      specs.set(peer.name, spec);
    }
    if (issues.length > 0) throw new MetalLbConfigError(issues);
    return specs;
  }

  async #remove(name: string, link: PeerLink, message: string): Promise<void> {
    this.#links.delete(name);
    // Cease first, then BFD AdminDown (see PeerLink.close)
    link.detachBfd();
    await this.speaker.removePeer(link.spec.config.peerAddress, { message });
    await link.close();
    if (link.prefixes.length > 0) this.emit('announcements', { peer: name, address: link.spec.config.peerAddress, prefixes: [], added: [], withdrawn: link.prefixes, changed: 0 });
  }

  readonly #forward = ((name: string, ...args: unknown[]) => (this.emit as (n: string, ...a: unknown[]) => boolean)(name, ...args)) as ConstructorParameters<typeof PeerLink>[3];

  #bfd(): BfdEndpoint {
    if (this.#endpoint === undefined) {
      this.#endpoint = new BfdEndpoint({ clock: this.options.clock, random: this.options.random, ...this.options.bfd });
      this.#endpoint.on('transportError', (e) => this.emit('error', { error: new BgpError('ERR_BFD_TRANSPORT', e.message) }));
    }
    return this.#endpoint;
  }
}
