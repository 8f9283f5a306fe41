/**
 * A BFD endpoint: the system-wide part of RFC 5880 that many sessions share.
 *
 * Owns: discriminator allocation (random, non-zero, unique), demultiplexing received packets
 * (s6.3: by Your Discriminator, or by (peer, local address, interface, single/multi hop) while the
 * peer does not know ours yet), the shared listeners (one per local address and hop mode, with
 * the TTL rule of RFC 5881 s5 / RFC 5883 s5), the drop counters, and creating / closing
 * sessions. Must not run a session's state machine (BfdSession does) nor touch sockets directly
 * (the BfdTransport does).
 */
import { EventEmitter } from 'eventemitter3';
import { isIP } from 'node:net';
import type { Clock, RandomSource } from '../clock/clock.js';
import { systemClock } from '../clock/system-clock.js';
import { resolveBfdProfile, type BfdProfile } from './bfd-config.js';
import { BfdSession, type BfdSessionKey, type BfdSessionSnapshot } from './bfd-session.js';
import type { BfdListener, BfdPacketMeta, BfdTransport, BfdTransportError } from './bfd-transport.js';
import { BfdError, type BfdDropReason } from './errors.js';
import { bfdParamsFromProfile, initialBfdState } from './fsm.js';
import { BFD_MULTIHOP_CONTROL_PORT, BFD_SINGLE_HOP_CONTROL_PORT } from './iana.js';
import { checkBfdControl } from './packet.js';
import { SessionAuth, type BfdAuthConfig } from './session-auth.js';

/** RFC 5881 s5: single-hop packets are sent with TTL 255 and accepted only with TTL 255. */
export const BFD_SINGLE_HOP_TTL = 255;

/** What a session is asked for. */
export interface BfdSessionOptions {
  readonly peerAddress: string;
  readonly localAddress: string;
  /** RFC 5883 multihop (UDP 4784) instead of single hop (3784). */
  readonly multihop?: boolean | undefined;
  /** Interface name (part of the session key; IPv6 link-local peers). */
  readonly interface?: string | undefined;
  /** MetalLB BFDProfile semantics (ms); defaults 300 / 300 / x3. `minimumTtl` applies to multihop. */
  readonly profile?: BfdProfile | undefined;
  readonly auth?: BfdAuthConfig | undefined;
  /** Start administratively down. */
  readonly adminDown?: boolean | undefined;
}

export interface BfdEndpointOptions {
  /** Default: UDP (`createUdpBfdTransport()`), loaded on first use. */
  readonly transport?: BfdTransport | undefined;
  readonly clock?: Clock | undefined;
  readonly random?: RandomSource | undefined;
  /** UDP destination/listen ports; defaults 3784 and 4784 (tests and unprivileged demos change them). */
  readonly singleHopPort?: number | undefined;
  readonly multihopPort?: number | undefined;
}

/** Why the endpoint dropped a packet before any session saw it. */
export type BfdEndpointDropReason = BfdDropReason | 'NO_SESSION' | 'WRONG_PEER' | 'TTL';

export interface BfdEndpointEvents {
  sessionAdded: (session: BfdSession) => void;
  sessionRemoved: (session: BfdSession) => void;
  /** A packet was discarded before reaching a session. */
  dropped: (e: { readonly reason: BfdEndpointDropReason; readonly detail: string; readonly peerAddress: string; readonly localAddress: string }) => void;
  /** Asynchronous transport trouble (a send failed, a socket errored). */
  transportError: (e: BfdTransportError) => void;
  /** Once per listener whose transport cannot enforce the TTL rule (no native addon). */
  warning: (e: { readonly code: string; readonly message: string }) => void;
}

export interface BfdEndpointSnapshot {
  readonly sessions: readonly BfdSessionSnapshot[];
  readonly listeners: readonly { readonly localAddress: string; readonly multihop: boolean; readonly port: number; readonly minTtl: number; readonly ttlEnforced: boolean; readonly receiveSockets: number; readonly sessions: number }[];
  readonly dropped: Readonly<Record<string, number>>;
}

interface ListenerEntry {
  readonly key: string;
  readonly localAddress: string;
  readonly multihop: boolean;
  readonly port: number;
  listener: BfdListener | undefined;
  ready: Promise<BfdListener>;
  minTtl: number;
  readonly sessions: Set<BfdSession>;
}

const U32 = 0x1_0000_0000;

function sessionKeyString(k: BfdSessionKey): string {
  return `${k.multihop ? 'mh' : 'sh'}|${k.localAddress}|${k.peerAddress}|${k.interface ?? ''}`;
}

function argError(message: string): BfdError {
  return new BfdError('ERR_BFD_INVALID_ARGUMENT', message);
}

/** Strips an IPv6 zone for comparison when the session was configured without one. */
function sameAddress(configured: string, received: string): boolean {
  if (configured === received) return true;
  const pct = received.indexOf('%');
  if (pct >= 0 && !configured.includes('%')) return configured === received.slice(0, pct);
  // IPv4-mapped IPv6 source on a dual-stack socket.
  return received.startsWith('::ffff:') && configured === received.slice(7);
}

export class BfdEndpoint extends EventEmitter<BfdEndpointEvents> {
  readonly #clock: Clock;
  readonly #random: RandomSource;
  readonly #singleHopPort: number;
  readonly #multihopPort: number;
  #transport: BfdTransport | undefined;
  readonly #byDiscr = new Map<number, BfdSession>();
  readonly #byKey = new Map<string, BfdSession>();
  readonly #listeners = new Map<string, ListenerEntry>();
  readonly #dropped = new Map<string, number>();
  /** Each session's minimum received TTL (255 single hop; the profile's minimumTtl multihop). */
  readonly #minTtl = new Map<BfdSession, number>();
  #closing = false;

  constructor(options: BfdEndpointOptions = {}) {
    super();
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#transport = options.transport;
    this.#singleHopPort = options.singleHopPort ?? BFD_SINGLE_HOP_CONTROL_PORT;
    this.#multihopPort = options.multihopPort ?? BFD_MULTIHOP_CONTROL_PORT;
    for (const [name, port] of [['singleHopPort', this.#singleHopPort], ['multihopPort', this.#multihopPort]] as const) {
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw argError(`${name} must be an integer in 1..65535 (got ${JSON.stringify(port)})`);
    }
    if (this.#transport !== undefined) this.#hookErrors(this.#transport);
  }

  get sessions(): readonly BfdSession[] {
    return [...this.#byKey.values()];
  }

  /** The session for a key, if any. */
  findSession(key: { readonly peerAddress: string; readonly localAddress: string; readonly multihop?: boolean; readonly interface?: string }): BfdSession | undefined {
    return this.#byKey.get(sessionKeyString({ ...key, multihop: key.multihop ?? false }));
  }

  /**
   * Creates a session, opens its sender (own UDP source port) and joins the shared listener for
   * its local address. Throws BgpError ERR_CONFIG_INVALID for a bad profile, BfdError
   * ERR_BFD_INVALID_ARGUMENT for bad addresses, auth or a duplicate key, and the transport's
   * typed error when a socket cannot be bound.
   */
  async addSession(options: BfdSessionOptions): Promise<BfdSession> {
    if (this.#closing) throw new BfdError('ERR_BFD_CLOSED', 'the endpoint is closed');
    if (typeof options !== 'object' || options === null) throw argError('session options must be an object');
    const { peerAddress, localAddress } = options;
    const pf = isIP(String(peerAddress).split('%')[0]!);
    const lf = isIP(String(localAddress).split('%')[0]!);
    if (pf === 0) throw argError(`peerAddress must be an IPv4 or IPv6 address (got ${JSON.stringify(peerAddress)})`);
    if (lf === 0) throw argError(`localAddress must be an IPv4 or IPv6 address (got ${JSON.stringify(localAddress)})`);
    if (pf !== lf) throw argError(`peerAddress ${peerAddress} and localAddress ${localAddress} are of different families`);
    const multihop = options.multihop ?? false;
    if (typeof multihop !== 'boolean') throw argError('multihop must be true or false');
    const profile = resolveBfdProfile(options.profile);
    const key: BfdSessionKey = { peerAddress, localAddress, multihop, interface: options.interface };
    const keyString = sessionKeyString(key);
    if (this.#byKey.has(keyString)) throw argError(`a session for ${peerAddress} from ${localAddress}${multihop ? ' (multihop)' : ''} already exists`);
    const localDiscr = this.#allocateDiscriminator();
    const auth = options.auth === undefined ? undefined : new SessionAuth(options.auth, Math.floor(this.#random() * U32));
    const fsm = initialBfdState({ ...bfdParamsFromProfile(profile, localDiscr), adminDown: options.adminDown ?? false }, this.#clock.now());
    const minTtl = multihop ? profile.minimumTtl : BFD_SINGLE_HOP_TTL;
    const transport = await this.#getTransport();
    const port = multihop ? this.#multihopPort : this.#singleHopPort;
    // Reserve the key and discriminator while the sockets open, so a concurrent add fails cleanly.
    const placeholder = {} as BfdSession;
    this.#byKey.set(keyString, placeholder);
    this.#byDiscr.set(localDiscr, placeholder);
    let entry: ListenerEntry | undefined;
    try {
      entry = this.#joinListener(transport, localAddress, multihop, port);
      await entry.ready;
      const sender = await transport.openSender({ localAddress, peerAddress, multihop, port, ttl: BFD_SINGLE_HOP_TTL });
      const session = new BfdSession({
        key,
        fsm,
        profile,
        sender,
        auth,
        clock: this.#clock,
        random: this.#random,
        onClose: (s) => this.#remove(s, keyString, entry!),
      });
      this.#byKey.set(keyString, session);
      this.#byDiscr.set(localDiscr, session);
      entry.sessions.add(session);
      this.#minTtl.set(session, minTtl);
      this.#updateMinTtl(entry);
      // grows in the background; the session already receives on the sockets open now
      void entry.listener?.setSessionCount?.(entry.sessions.size);
      this.emit('sessionAdded', session);
      return session;
    } catch (e) {
      this.#byKey.delete(keyString);
      this.#byDiscr.delete(localDiscr);
      if (entry !== undefined && entry.sessions.size === 0) await this.#closeListener(entry);
      throw e;
    }
  }

  /** Closes every session (each tells its peer AdminDown) and every listener. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#byKey.values()].filter((s) => s instanceof BfdSession).map((s) => s.close()));
    await Promise.all([...this.#listeners.values()].map((e) => this.#closeListener(e)));
  }

  snapshot(): BfdEndpointSnapshot {
    return {
      sessions: this.sessions.filter((s) => s instanceof BfdSession).map((s) => s.snapshot()),
      listeners: [...this.#listeners.values()].map((e) => ({
        localAddress: e.localAddress,
        multihop: e.multihop,
        port: e.port,
        minTtl: e.minTtl,
        ttlEnforced: e.listener?.ttlEnforced ?? false,
        receiveSockets: e.listener?.receiveSockets ?? (e.listener === undefined ? 0 : 1),
        sessions: e.sessions.size,
      })),
      dropped: Object.fromEntries(this.#dropped),
    };
  }

  async #getTransport(): Promise<BfdTransport> {
    if (this.#transport === undefined) {
      const { createUdpBfdTransport } = await import('./udp-transport.js');
      this.#transport ??= createUdpBfdTransport();
      this.#hookErrors(this.#transport);
    }
    return this.#transport;
  }

  #hookErrors(t: BfdTransport): void {
    const previous = t.onError;
    t.onError = (e) => {
      previous?.(e);
      this.emit('transportError', e);
    };
  }

  #allocateDiscriminator(): number {
    for (let i = 0; i < 1000; i++) {
      const d = Math.floor(this.#random() * U32) >>> 0;
      if (d !== 0 && !this.#byDiscr.has(d)) return d;
    }
    // A random source that keeps colliding (e.g. a constant in a test): fall back to a scan.
    for (let d = 1; d < U32; d++) if (!this.#byDiscr.has(d)) return d;
    throw new BfdError('ERR_BFD_NO_DISCRIMINATOR', 'no free local discriminator');
  }

  #joinListener(transport: BfdTransport, localAddress: string, multihop: boolean, port: number): ListenerEntry {
    const key = `${multihop ? 'mh' : 'sh'}|${localAddress}|${port}`;
    const existing = this.#listeners.get(key);
    if (existing !== undefined) return existing;
    const minTtl = multihop ? 255 : BFD_SINGLE_HOP_TTL;
    const entry: ListenerEntry = { key, localAddress, multihop, port, listener: undefined, ready: undefined as unknown as Promise<BfdListener>, minTtl, sessions: new Set() };
    entry.ready = transport.listen({ localAddress, multihop, port, minTtl }, (bytes, meta) => this.#onPacket(entry, bytes, meta)).then(
      (l) => {
        entry.listener = l;
        if (!l.ttlEnforced) {
          this.emit('warning', {
            code: 'BFD_TTL_NOT_ENFORCED',
            message: `BFD on ${localAddress}:${port}: received TTL is not checked (the native addon is unavailable); RFC ${multihop ? '5883' : '5881'} TTL protection is off`,
          });
        }
        if (l.ttlEnforced && entry.minTtl !== minTtl) l.setMinTtl(entry.minTtl);
        return l;
      },
      (e: unknown) => {
        this.#listeners.delete(key);
        throw e;
      },
    );
    this.#listeners.set(key, entry);
    return entry;
  }

  /** Multihop listeners accept the lowest minimum TTL among their sessions. */
  #updateMinTtl(entry: ListenerEntry): void {
    if (!entry.multihop) return;
    let min = 255;
    for (const s of entry.sessions) min = Math.min(min, this.#minTtl.get(s) ?? 255);
    if (min !== entry.minTtl) {
      entry.minTtl = min;
      entry.listener?.setMinTtl(min);
    }
  }

  async #closeListener(entry: ListenerEntry): Promise<void> {
    if (this.#listeners.get(entry.key) === entry) this.#listeners.delete(entry.key);
    const l = await entry.ready.catch(() => undefined);
    await l?.close();
  }

  async #remove(session: BfdSession, keyString: string, entry: ListenerEntry): Promise<void> {
    if (this.#byKey.get(keyString) === session) this.#byKey.delete(keyString);
    if (this.#byDiscr.get(session.localDiscriminator) === session) this.#byDiscr.delete(session.localDiscriminator);
    entry.sessions.delete(session);
    this.#minTtl.delete(session);
    this.emit('sessionRemoved', session);
    if (entry.sessions.size === 0) await this.#closeListener(entry);
    else this.#updateMinTtl(entry);
  }

  #drop(reason: BfdEndpointDropReason, detail: string, meta: BfdPacketMeta): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + 1);
    if (this.listenerCount('dropped') > 0) this.emit('dropped', { reason, detail, peerAddress: meta.peerAddress, localAddress: meta.localAddress });
  }

  #onPacket(entry: ListenerEntry, bytes: Uint8Array, meta: BfdPacketMeta): void {
    if (meta.ttl !== undefined && meta.ttl < entry.minTtl) return this.#drop('TTL', `TTL ${meta.ttl} below ${entry.minTtl}`, meta);
    const checked = checkBfdControl(bytes);
    if (!checked.ok) return this.#drop(checked.reason, checked.detail, meta);
    const p = checked.packet;
    let session: BfdSession | undefined;
    if (p.yourDiscriminator !== 0) {
      session = this.#byDiscr.get(p.yourDiscriminator);
      if (!(session instanceof BfdSession)) return this.#drop('NO_SESSION', `no session with discriminator ${p.yourDiscriminator}`, meta);
      if (!sameAddress(session.key.peerAddress, meta.peerAddress) || session.key.multihop !== entry.multihop) {
        return this.#drop('WRONG_PEER', `discriminator ${p.yourDiscriminator} belongs to ${session.key.peerAddress}`, meta);
      }
      const min = this.#minTtl.get(session) ?? BFD_SINGLE_HOP_TTL;
      if (meta.ttl !== undefined && meta.ttl < min) return this.#drop('TTL', `TTL ${meta.ttl} below the session's minimum ${min}`, meta);
    } else {
      for (const s of entry.sessions) {
        if (sameAddress(s.key.peerAddress, meta.peerAddress)) {
          session = s;
          break;
        }
      }
      if (session === undefined) return this.#drop('NO_SESSION', `no session for ${meta.peerAddress} on ${meta.localAddress}`, meta);
    }
    session.receive(checked.length === bytes.length ? bytes : bytes.subarray(0, checked.length), p);
  }
}
