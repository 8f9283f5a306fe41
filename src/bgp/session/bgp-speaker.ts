/**
 * A BGP speaker: many peers (BgpSession) behind one listener. Routes each inbound connection to
 * the session configured for its address, or creates a session for a dynamic neighbor (a prefix
 * and an AS range, like FRR's `bgp listen range`), and closes anything else. Re-emits every
 * session event (each payload names its `peer`).
 *
 * Owns: the peer table and the listener. Must not touch: node:net directly (Acceptor/Connector),
 * real time (Clock), the FSM's internals.
 */
import { EventEmitter } from 'eventemitter3';
import type { Clock, RandomSource } from '../../clock/clock.js';
import { BgpError } from '../errors.js';
import { parseAddress } from '../prefix/address.js';
import { parsePrefix } from '../prefix/prefix-list.js';
import type { Acceptor, BgpConnection, BgpListener, Connector } from '../transport/connection.js';
import { BgpSession, type SessionSnapshot, type StopOptions } from './bgp-session.js';
import type { BgpSessionEvents } from './session-events.js';
import type { BgpPeerConfig } from './session-config.js';
import type { LocRib } from '../../rib/loc-rib.js';
import type { LocRibEvents, PrefixRoutes } from '../../rib/loc-rib-types.js';
import { SpeakerLocRib, type SpeakerLocRibOption } from './speaker-loc-rib.js';

/** A peer's configuration inside a speaker: the speaker's AS and router id apply unless overridden (local-AS override). */
export type SpeakerPeerConfig = Omit<BgpPeerConfig, 'localAsn' | 'routerId'> & {
  readonly localAsn?: number | undefined;
  readonly routerId?: string | undefined;
  /**
   * Start this peer with the speaker (default true). False leaves starting to its owner, e.g. a
   * BFD coupling with `waitForBfdUp` that starts BGP once BFD is Up.
   */
  readonly startWithSpeaker?: boolean | undefined;
};

/** Dynamic neighbors: any peer whose address is in `prefix` and whose AS is in `peerAsnRange` may connect (passively). */
export interface DynamicNeighbors {
  readonly prefix: string;
  readonly peerAsnRange?: readonly [number, number] | undefined;
  /** Settings for sessions created this way (peer address, AS and passive are set by the speaker). */
  readonly template?: Omit<SpeakerPeerConfig, 'peerAddress' | 'peerAsn' | 'peerAsnRange' | 'passive'> | undefined;
  /** Cap on sessions created from this range. Default 256. */
  readonly limit?: number | undefined;
}

export interface BgpSpeakerOptions {
  readonly asn: number;
  readonly routerId: string;
  /** Listening address and port; `false` for a speaker that only connects out. Default '::' port 179. */
  readonly listen?: { readonly address?: string | undefined; readonly port?: number | undefined } | false | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: RandomSource | undefined;
  readonly connector?: Connector | undefined;
  readonly acceptor?: Acceptor | undefined;
  readonly defer?: ((callback: () => void) => void) | undefined;
  /**
   * Router mode: every peer's received routes feed one Loc-RIB (this one, or a new one with these
   * options; `sliceRoutes`, default 4000, bounds the paths removed per turn of the event loop when
   * a peer goes down). See `locRib`, `routes()` and the `bestPathChanged` / `multipathChanged`
   * events. Bad options throw ERR_CONFIG_INVALID.
   */
  readonly locRib?: SpeakerLocRibOption | undefined;
}

export interface ConnectionRejectedEvent {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly reason: string;
}

export interface PeerEvent {
  readonly peer: string;
}

/** Session events (each names its `peer`), the speaker's own, and in router mode the Loc-RIB's. */
export interface BgpSpeakerEvents extends BgpSessionEvents, LocRibEvents {
  peerAdded: (e: PeerEvent) => void;
  peerRemoved: (e: PeerEvent) => void;
  connectionRejected: (e: ConnectionRejectedEvent) => void;
}

export interface SpeakerSnapshot {
  readonly asn: number;
  readonly routerId: string;
  readonly listening: { readonly address: string; readonly port: number } | undefined;
  readonly peers: readonly SessionSnapshot[];
}

const SESSION_EVENTS: readonly (keyof BgpSessionEvents)[] = [
  'stateChange',
  'established',
  'update',
  'notificationSent',
  'notificationReceived',
  'routeRefresh',
  'endOfRib',
  'staleRoutes',
  'sessionError',
  'maxPrefixesWarning',
  'maxPrefixesExceeded',
];

/** "::ffff:198.18.1.1" -> "198.18.1.1"; other addresses unchanged (lower case). */
export function normalizePeerAddress(a: string): string {
  const l = a.toLowerCase();
  return l.startsWith('::ffff:') && l.includes('.') ? l.slice(7) : l;
}

function inPrefix(address: string, prefix: string): boolean {
  const p = parsePrefix(prefix);
  const a = parseAddress(address);
  if (a.afi !== p.afi) return false;
  let bits = p.length;
  for (let i = 0; i < p.words.length && bits > 0; i++) {
    const b = a.bytes;
    const w = ((b[4 * i]! << 24) | (b[4 * i + 1]! << 16) | (b[4 * i + 2]! << 8) | b[4 * i + 3]!) >>> 0;
    const take = Math.min(32, bits);
    const mask = take === 32 ? 0xffffffff : (~0 << (32 - take)) >>> 0;
    if (((w & mask) >>> 0) !== ((p.words[i]! & mask) >>> 0)) return false;
    bits -= take;
  }
  return true;
}

export class BgpSpeaker extends EventEmitter<BgpSpeakerEvents> {
  readonly options: BgpSpeakerOptions;
  readonly #peers = new Map<string, BgpSession>();
  readonly #dynamic: { spec: DynamicNeighbors; count: number }[] = [];
  readonly #dynamicPeers = new Set<string>();
  #listener: BgpListener | undefined;
  #started = false;
  /** Peers added with `startWithSpeaker: false`. */
  readonly #ownerStarted = new Set<BgpSession>();
  readonly #router: SpeakerLocRib | undefined;

  constructor(options: BgpSpeakerOptions) {
    super();
    this.options = options;
    if (options.locRib !== undefined) {
      const router = new SpeakerLocRib(options.locRib, options.defer, (peer, error) => this.emit('sessionError', { peer, error }));
      router.locRib.on('bestPathChanged', (e) => this.emit('bestPathChanged', e));
      router.locRib.on('multipathChanged', (e) => this.emit('multipathChanged', e));
      this.#router = router;
    }
  }

  /** Router mode: the Loc-RIB every peer's routes feed (undefined without the `locRib` option). */
  get locRib(): LocRib | undefined {
    return this.#router?.locRib;
  }

  /**
   * Router mode: `show ip route X` over all peers (`LocRib.routes`): a prefix (exact match) or an
   * address (longest match), with the best path and the multipath (ECMP) next hops. Throws
   * ERR_BGP_NO_LOC_RIB without the `locRib` option.
   */
  routes(prefixOrAddress: string, safi = 1): PrefixRoutes | undefined {
    if (this.#router === undefined) throw new BgpError('ERR_BGP_NO_LOC_RIB', 'routes() needs the speaker option locRib (router mode)');
    return this.#router.locRib.routes(prefixOrAddress, safi);
  }

  /** Adds a peer; started at once when the speaker runs. Throws ERR_CONFIG_INVALID (bad config) or ERR_CONFIG_DUPLICATE_PEER. */
  addPeer(config: SpeakerPeerConfig): BgpSession {
    const key = normalizePeerAddress(config.peerAddress);
    if (this.#peers.has(key)) throw new BgpError('ERR_CONFIG_DUPLICATE_PEER', `peerAddress: ${config.peerAddress} is already configured`);
    const { startWithSpeaker, ...peerConfig } = config;
    if (startWithSpeaker !== undefined && typeof startWithSpeaker !== 'boolean') throw new BgpError('ERR_CONFIG_INVALID', 'startWithSpeaker: must be true or false');
    const session = new BgpSession({
      ...peerConfig,
      localAsn: config.localAsn ?? this.options.asn,
      routerId: config.routerId ?? this.options.routerId,
      clock: this.options.clock,
      random: this.options.random,
      connector: this.options.connector,
      defer: this.options.defer,
    });
    // the Loc-RIB first, so a listener of the speaker's events sees it up to date
    this.#router?.attach(session);
    const forward = this.emit.bind(this) as (name: string, payload: unknown) => boolean;
    for (const name of SESSION_EVENTS) (session.on as (n: string, fn: (e: unknown) => void) => unknown).call(session, name, (e: unknown) => forward(name, e));
    this.#peers.set(key, session);
    if (startWithSpeaker === false) this.#ownerStarted.add(session);
    if (this.#listener !== undefined) this.#applySocketOptions(session);
    this.emit('peerAdded', { peer: session.peer });
    if (this.#started && startWithSpeaker !== false) void session.start().catch((e: unknown) => this.#startFailed(session, e));
    return session;
  }

  /** Stops and removes a peer (Cease / Peer De-configured would be 6/3; we send Administrative Shutdown with the message). */
  async removePeer(peerAddress: string, options: StopOptions = {}): Promise<void> {
    const key = normalizePeerAddress(peerAddress);
    const s = this.#peers.get(key);
    if (s === undefined) return;
    await s.stop(options);
    this.#peers.delete(key);
    this.#ownerStarted.delete(s);
    this.#dynamicPeers.delete(key);
    if (this.#listener !== undefined && s.config.password !== undefined) this.#listener.setPeerPassword(s.config.peerAddress, undefined);
    this.#router?.detach(s);
    s.removeAllListeners();
    this.emit('peerRemoved', { peer: s.peer });
  }

  /** Accepts sessions from a range of addresses (dynamic neighbors). */
  addDynamicNeighbors(spec: DynamicNeighbors): void {
    parsePrefix(spec.prefix); // validates
    this.#dynamic.push({ spec, count: 0 });
  }

  peer(address: string): BgpSession | undefined {
    return this.#peers.get(normalizePeerAddress(address));
  }

  peers(): BgpSession[] {
    return [...this.#peers.values()];
  }

  get listening(): { address: string; port: number } | undefined {
    return this.#listener === undefined ? undefined : { address: this.#listener.address, port: this.#listener.port };
  }

  /** Listens (unless `listen: false`) and starts every peer. Rejects with the first typed error (listen failure, an unsupported socket option). */
  async start(): Promise<void> {
    if (this.#started) return;
    if (this.options.listen !== false) {
      const acceptor = this.options.acceptor ?? (await import('../transport/tcp-transport.js')).createTcpTransport();
      const l = this.options.listen ?? {};
      this.#listener = await acceptor.listen({ address: l.address ?? '::', port: l.port ?? 179 }, (c) => this.#onConnection(c));
      for (const s of this.#peers.values()) this.#applySocketOptions(s);
    }
    this.#started = true;
    const results = await Promise.allSettled([...this.#peers.values()].filter((s) => !this.#ownerStarted.has(s)).map((s) => s.start()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /** Stops every peer (with the shutdown message) and closes the listener. */
  async stop(options: StopOptions = {}): Promise<void> {
    this.#started = false;
    await Promise.all([...this.#peers.values()].map((s) => s.stop(options)));
    const l = this.#listener;
    this.#listener = undefined;
    if (l !== undefined) await l.close();
  }

  snapshot(): SpeakerSnapshot {
    return {
      asn: this.options.asn,
      routerId: this.options.routerId,
      listening: this.listening,
      peers: [...this.#peers.values()].map((s) => s.snapshot()),
    };
  }

  #applySocketOptions(s: BgpSession): void {
    const l = this.#listener!;
    if (s.config.password !== undefined) l.setPeerPassword(s.config.peerAddress, s.config.password);
    if (s.config.ttlSecurityHops !== undefined) l.setPeerTtlSecurity(s.config.peerAddress, s.config.ttlSecurityHops);
  }

  #startFailed(s: BgpSession, e: unknown): void {
    const error = e instanceof BgpError ? e : new BgpError('ERR_BGP_START', e instanceof Error ? e.message : String(e), { cause: e });
    this.emit('sessionError', { peer: s.peer, error });
  }

  #onConnection(c: BgpConnection): void {
    const remote = normalizePeerAddress(c.remoteAddress);
    const s = this.#peers.get(remote);
    if (s !== undefined) {
      if (!s.acceptConnection(c)) this.emit('connectionRejected', { remoteAddress: remote, remotePort: c.remotePort, reason: `session for ${s.peer} refused it (state ${s.state})` });
      return;
    }
    const d = this.#dynamic.find((x) => inPrefix(remote, x.spec.prefix));
    if (d === undefined) {
      c.destroy();
      this.emit('connectionRejected', { remoteAddress: remote, remotePort: c.remotePort, reason: 'not a configured peer' });
      return;
    }
    if (d.count >= (d.spec.limit ?? 256)) {
      c.destroy();
      this.emit('connectionRejected', { remoteAddress: remote, remotePort: c.remotePort, reason: `dynamic neighbor limit ${d.spec.limit ?? 256} reached for ${d.spec.prefix}` });
      return;
    }
    d.count++;
    const session = this.addPeer({ ...(d.spec.template ?? {}), peerAddress: remote, peerAsnRange: d.spec.peerAsnRange, passive: true });
    this.#dynamicPeers.add(remote);
    session.on('stateChange', (e) => {
      // A dynamic session lives as long as its connection: once it drops, it is removed.
      if (e.to === 'Idle' && e.from !== 'Idle' && this.#dynamicPeers.has(remote)) {
        d.count--;
        this.#dynamicPeers.delete(remote);
        void this.removePeer(remote);
      }
    });
    void session.start().then(() => {
      if (!session.acceptConnection(c)) this.emit('connectionRejected', { remoteAddress: remote, remotePort: c.remotePort, reason: 'dynamic session refused it' });
    });
  }
}
