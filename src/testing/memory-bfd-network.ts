/**
 * An in-memory network for BFD endpoints, driven by a Clock: datagrams are delivered after a
 * fixed latency through clock timers, so a scenario on a ManualClock is exact and repeatable.
 *
 * Owns: routing datagrams by destination (address, port) to listeners, source ports for senders,
 * TTL as data (a sender's TTL arrives in the meta and listeners enforce their minimum), and the
 * failure knobs tests need: cut a link both ways or one way, freeze an address (it neither sends
 * nor receives), inject arbitrary bytes. Must not know BFD packet contents.
 */
import type { Clock } from '../clock/clock.js';
import type {
  BfdListener,
  BfdListenOptions,
  BfdPacketHandler,
  BfdSender,
  BfdSenderOptions,
  BfdTransport,
  BfdTransportError,
} from '../bfd/bfd-transport.js';
import { BFD_MULTIHOP_CONTROL_PORT, BFD_SINGLE_HOP_CONTROL_PORT } from '../bfd/iana.js';
import { BfdError } from '../bfd/errors.js';

interface MemoryListener {
  readonly localAddress: string;
  readonly port: number;
  readonly multihop: boolean;
  minTtl: number;
  readonly onPacket: BfdPacketHandler;
}

/** One datagram as it crossed the network (for assertions). */
export interface MemoryDatagram {
  readonly atMs: number;
  readonly from: string;
  readonly fromPort: number;
  readonly to: string;
  readonly toPort: number;
  readonly ttl: number;
  readonly bytes: Uint8Array;
  readonly delivered: boolean;
}

export interface MemoryBfdNetworkOptions {
  /** One-way delay in ms (default 0: delivered on the next clock turn at the same instant). */
  readonly latencyMs?: number;
  /** Keep the last N datagrams in `log` (default 0: no log). */
  readonly logSize?: number;
}

export class MemoryBfdNetwork {
  readonly #clock: Clock;
  readonly #latencyMs: number;
  readonly #logSize: number;
  readonly #listeners = new Map<string, MemoryListener>();
  readonly #cut = new Set<string>();
  readonly #frozen = new Set<string>();
  #nextPort = 49152;
  readonly log: MemoryDatagram[] = [];

  constructor(clock: Clock, options: MemoryBfdNetworkOptions = {}) {
    this.#clock = clock;
    this.#latencyMs = options.latencyMs ?? 0;
    this.#logSize = options.logSize ?? 0;
  }

  /** A transport for one endpoint; endpoints on one network reach each other by address. */
  transport(): BfdTransport {
    const net = this;
    const t: BfdTransport = {
      onError: undefined,
      listen(options: BfdListenOptions, onPacket: BfdPacketHandler): Promise<BfdListener> {
        try {
          return Promise.resolve(net.#listen(options, onPacket));
        } catch (e) {
          return Promise.reject(e as Error);
        }
      },
      openSender(options: BfdSenderOptions): Promise<BfdSender> {
        try {
          return Promise.resolve(net.#openSender(options, (e) => t.onError?.(e)));
        } catch (e) {
          return Promise.reject(e as Error);
        }
      },
    };
    return t;
  }

  /** Drops everything between `a` and `b` (both directions), or only a -> b with `oneWay`. */
  cutLink(a: string, b: string, oneWay = false): void {
    this.#cut.add(`${a}>${b}`);
    if (!oneWay) this.#cut.add(`${b}>${a}`);
  }

  restoreLink(a: string, b: string): void {
    this.#cut.delete(`${a}>${b}`);
    this.#cut.delete(`${b}>${a}`);
  }

  /** The host at `address` stops: sends nothing, receives nothing (a SIGSTOPped process). */
  freeze(address: string): void {
    this.#frozen.add(address);
  }

  thaw(address: string): void {
    this.#frozen.delete(address);
  }

  /** Delivers raw bytes as if sent from (from, fromPort) with `ttl` (default 255). */
  inject(from: string, to: string, bytes: Uint8Array, options: { readonly fromPort?: number; readonly toPort?: number; readonly ttl?: number } = {}): void {
    this.#send(from, options.fromPort ?? 49151, to, options.toPort ?? BFD_SINGLE_HOP_CONTROL_PORT, options.ttl ?? 255, bytes);
  }

  #listen(options: BfdListenOptions, onPacket: BfdPacketHandler): BfdListener {
    const port = options.port ?? (options.multihop ? BFD_MULTIHOP_CONTROL_PORT : BFD_SINGLE_HOP_CONTROL_PORT);
    const key = `${options.localAddress}|${port}`;
    if (this.#listeners.has(key)) {
      throw new BfdError('ERR_BFD_BIND_FAILED', `${options.localAddress}:${port}: EADDRINUSE`);
    }
    const l: MemoryListener = { localAddress: options.localAddress, port, multihop: options.multihop, minTtl: options.minTtl, onPacket };
    this.#listeners.set(key, l);
    return {
      ttlEnforced: true,
      setMinTtl: (minTtl: number) => {
        l.minTtl = minTtl;
      },
      close: () => {
        if (this.#listeners.get(key) === l) this.#listeners.delete(key);
        return Promise.resolve();
      },
    };
  }

  #openSender(options: BfdSenderOptions, onError: (e: BfdTransportError) => void): BfdSender {
    const sourcePort = this.#nextPort++;
    if (sourcePort > 65535) throw new BfdError('ERR_BFD_BIND_FAILED', 'no free source port');
    const port = options.port ?? (options.multihop ? BFD_MULTIHOP_CONTROL_PORT : BFD_SINGLE_HOP_CONTROL_PORT);
    let open = true;
    return {
      sourcePort,
      send: (bytes: Uint8Array) => {
        if (!open) {
          onError({ code: 'ERR_BFD_SEND_FAILED', message: 'sender is closed', localAddress: options.localAddress, peerAddress: options.peerAddress });
          return;
        }
        this.#send(options.localAddress, sourcePort, options.peerAddress, port, options.ttl, Uint8Array.from(bytes));
      },
      close: () => {
        open = false;
        return Promise.resolve();
      },
    };
  }

  #send(from: string, fromPort: number, to: string, toPort: number, ttl: number, bytes: Uint8Array): void {
    const blocked = this.#frozen.has(from) || this.#cut.has(`${from}>${to}`);
    this.#record({ atMs: this.#clock.now(), from, fromPort, to, toPort, ttl, bytes, delivered: !blocked });
    if (blocked) return;
    this.#clock.setTimer(this.#clock.now() + this.#latencyMs, () => {
      if (this.#frozen.has(to) || this.#cut.has(`${from}>${to}`)) return;
      const l = this.#listeners.get(`${to}|${toPort}`);
      if (l === undefined) return;
      if (ttl < l.minTtl) return; // what the kernel filter does
      l.onPacket(bytes, { peerAddress: from, peerPort: fromPort, localAddress: to, multihop: l.multihop, ttl });
    });
  }

  #record(d: MemoryDatagram): void {
    if (this.#logSize === 0) return;
    this.log.push(d);
    if (this.log.length > this.#logSize) this.log.splice(0, this.log.length - this.#logSize);
  }
}
