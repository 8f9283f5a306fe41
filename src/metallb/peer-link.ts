/**
 * One BGPPeer's live session on a node: the BgpSession inside the speaker, its BFD session and
 * the BGP-BFD coupling (src/bfd/bgp-coupling.ts), and the prefixes last sent to it.
 *
 * Owns: creating and closing the BFD session (when the peer has a bfdProfile), updating its
 * intervals in place (RFC 5880 Poll Sequence) when only the profile's timers change, and turning a
 * set of advertisements into `session.set()` plus an `announcements` event with what changed.
 * Must not touch: sockets (the endpoint and speaker own them), the plan, other peers.
 *
 * Without a sourceAddress (or node address) the BFD session waits for the BGP connection and
 * uses its local address, as FRR's bgpd does for a BFD-enabled neighbor.
 */
import type { BfdEndpoint } from '../bfd/bfd-endpoint.js';
import type { BfdSession } from '../bfd/bfd-session.js';
import { type BgpBfdCoupling, coupleBgpToBfd } from '../bfd/bgp-coupling.js';
import { BgpError } from '../bgp/errors.js';
import type { BgpSession } from '../bgp/session/bgp-session.js';
import type { Clock } from '../clock/clock.js';
import type { Advertisement } from '../rib/advertisement.js';
import type { MetalLbSpeakerEvents } from './node-speaker-types.js';
import { forFamilies, type PeerSessionSpec } from './peer-session.js';

type Emit = <K extends keyof MetalLbSpeakerEvents>(name: K, ...args: Parameters<MetalLbSpeakerEvents[K]>) => void;

function asBgpError(e: unknown, code: string): BgpError {
  return e instanceof BgpError ? e : new BgpError(code, e instanceof Error ? e.message : String(e), { cause: e });
}

export class PeerLink {
  spec: PeerSessionSpec;
  readonly session: BgpSession;
  readonly #endpoint: () => BfdEndpoint;
  readonly #emit: Emit;
  readonly #clock: Clock | undefined;
  #bfd: BfdSession | undefined;
  #coupling: BgpBfdCoupling | undefined;
  #bfdLocal: string | undefined;
  #closed = false;
  #prefixes: readonly string[] = [];

  constructor(spec: PeerSessionSpec, session: BgpSession, endpoint: () => BfdEndpoint, emit: Emit, clock: Clock | undefined) {
    this.spec = spec;
    this.session = session;
    this.#endpoint = endpoint;
    this.#emit = emit;
    this.#clock = clock;
    const peer = spec.name;
    const address = spec.config.peerAddress;
    session.on('stateChange', (e) => this.#emit('peerState', { peer, address, from: e.from, to: e.to, reason: e.reason }));
    session.on('sessionError', (e) => this.#emit('error', { peer, error: e.error }));
    session.on('established', () => {
      if (this.spec.bfd !== undefined && this.#bfd === undefined && this.#bfdLocal === undefined) {
        const local = this.#connectionLocal();
        if (local !== undefined) this.#openBfd(local);
      }
    });
    const local = spec.config.localAddress;
    if (spec.bfd !== undefined && local !== undefined) this.#openBfd(local);
  }

  get prefixes(): readonly string[] {
    return this.#prefixes;
  }

  get bfdSession(): BfdSession | undefined {
    return this.#bfd;
  }

  get bfdLocalAddress(): string | undefined {
    return this.#bfdLocal;
  }

  /** Sends exactly these routes from now on (incremental: only the difference goes out). */
  set(advertisements: readonly Advertisement[]): void {
    const mine = forFamilies(advertisements, this.spec.families);
    const result = this.session.set(mine);
    const next = mine.map((a) => a.prefix);
    const before = new Set(this.#prefixes);
    const now = new Set(next);
    const added = next.filter((p) => !before.has(p));
    const withdrawn = this.#prefixes.filter((p) => !now.has(p));
    this.#prefixes = next;
    const changed = result.changed - added.length;
    if (added.length > 0 || withdrawn.length > 0 || changed > 0) {
      this.#emit('announcements', { peer: this.spec.name, address: this.spec.config.peerAddress, prefixes: next, added, withdrawn, changed: Math.max(0, changed) });
    }
  }

  /** A reload with the same session settings: takes the new BFD profile (timers in place, anything else by a new BFD session). */
  update(spec: PeerSessionSpec): void {
    const old = this.spec.bfd;
    this.spec = spec;
    const next = spec.bfd;
    if (JSON.stringify(old ?? null) === JSON.stringify(next ?? null)) return;
    const timersOnly =
      old !== undefined &&
      next !== undefined &&
      old.multihop === next.multihop &&
      (['echoInterval', 'echoMode', 'passiveMode', 'minimumTtl'] as const).every((k) => old.profile[k] === next.profile[k]);
    if (timersOnly && this.#bfd !== undefined) {
      this.#bfd.setParameters({ transmitInterval: next.profile.transmitInterval, receiveInterval: next.profile.receiveInterval, detectMultiplier: next.profile.detectMultiplier });
      return;
    }
    const local = this.#bfdLocal ?? spec.config.localAddress ?? this.#connectionLocal();
    void this.#closeBfd().then(() => {
      if (!this.#closed && next !== undefined && local !== undefined) this.#openBfd(local);
    });
  }

  /**
   * Before the BGP session is stopped: BFD no longer acts on it (a Down from the peer after our
   * Cease must not count as a failure).
   */
  detachBfd(): void {
    this.#coupling?.dispose();
    this.#coupling = undefined;
  }

  /**
   * Closes the BFD session (AdminDown to the peer). Call after the BGP session sent its Cease:
   * a router that sees AdminDown first (BIRD 2.0) records a BFD failure instead of the
   * administrative shutdown, and may hold the peer down longer.
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#closeBfd();
  }

  /** The local address of the BGP connection, if there is one. */
  #connectionLocal(): string | undefined {
    const local = this.session.snapshot().connection?.localAddress;
    return local !== undefined && local.startsWith('::ffff:') && local.includes('.') ? local.slice(7) : local;
  }

  async #closeBfd(): Promise<void> {
    this.#coupling?.dispose();
    this.#coupling = undefined;
    const s = this.#bfd;
    this.#bfd = undefined;
    this.#bfdLocal = undefined;
    if (s !== undefined) await s.close({ adminDown: true }).catch((e: unknown) => this.#emit('error', { peer: this.spec.name, error: asBgpError(e, 'ERR_BFD') }));
  }

  #openBfd(localAddress: string): void {
    const bfd = this.spec.bfd;
    if (bfd === undefined || this.#closed) return;
    this.#bfdLocal = localAddress;
    const peer = this.spec.name;
    const address = this.spec.config.peerAddress;
    this.#endpoint()
      .addSession({ peerAddress: address, localAddress, multihop: bfd.multihop, profile: bfd.profile })
      .then(
        (s) => {
          if (this.#closed || this.#bfdLocal !== localAddress) {
            void s.close();
            return;
          }
          this.#bfd = s;
          s.on('stateChange', (e) => this.#emit('bfdState', { peer, address, from: e.from, to: e.to, diagName: e.diagName, reason: e.reason }));
          const c = coupleBgpToBfd(this.session, s, { clock: this.#clock });
          c.on('teardown', (e) => this.#emit('bfdTeardown', { peer, address, diagName: e.diagName, bgpState: e.bgpState }));
          this.#coupling = c;
        },
        (e: unknown) => {
          this.#bfdLocal = undefined;
          this.#emit('error', { peer, error: asBgpError(e, 'ERR_BFD') });
        },
      );
  }
}
