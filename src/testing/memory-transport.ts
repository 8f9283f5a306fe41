/**
 * An in-memory network for tests: Connector / Acceptor implementations whose bytes travel through
 * a task queue the test runs explicitly (`run()`), so scenarios with sessions on a ManualClock are
 * exact and need no sockets. Connections model a send buffer with a high-water mark and can be
 * frozen (the receiving side stops reading, as a SIGSTOPped peer would), which is what the send
 * hold timer and backpressure tests need.
 */
import type { BgpConnection, BgpListener, ConnectOptions, ConnectionHandlers, Connector, ListenOptions } from '../bgp/transport/connection.js';

type Task = () => void;

export class MemoryConnection implements BgpConnection {
  readonly direction: 'outbound' | 'inbound';
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  peer!: MemoryConnection;
  #handlers: ConnectionHandlers | undefined;
  /** Chunks that arrived before handlers were set or while paused. */
  #inbox: Uint8Array[] = [];
  #paused = false;
  /** Bytes written by this side not yet delivered to the peer. */
  #inFlight = 0;
  #blocked = false;
  closed = false;
  /** The receiving side of this connection stops reading (a frozen process). */
  frozen = false;
  /** Every chunk written, for assertions. */
  readonly written: Uint8Array[] = [];

  constructor(
    readonly net: MemoryNetwork,
    init: { direction: 'outbound' | 'inbound'; localAddress: string; localPort: number; remoteAddress: string; remotePort: number },
  ) {
    this.direction = init.direction;
    this.localAddress = init.localAddress;
    this.localPort = init.localPort;
    this.remoteAddress = init.remoteAddress;
    this.remotePort = init.remotePort;
  }

  setHandlers(handlers: ConnectionHandlers): void {
    this.#handlers = handlers;
    this.net.schedule(() => this.#flushInbox());
  }

  get bufferedBytes(): number {
    return this.#inFlight;
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed) return false;
    const copy = bytes.slice();
    this.written.push(copy);
    this.#inFlight += copy.length;
    this.net.schedule(() => this.#deliver(copy));
    if (this.#inFlight > this.net.highWaterMark) this.#blocked = true;
    return !this.#blocked;
  }

  #deliver(chunk: Uint8Array): void {
    if (this.closed && this.peer.closed) return;
    if (this.peer.frozen) {
      this.net.stalled.push(() => this.#deliver(chunk));
      return;
    }
    this.#inFlight -= chunk.length;
    this.peer.receive(chunk);
    if (this.#blocked && this.#inFlight <= this.net.highWaterMark / 2) {
      this.#blocked = false;
      if (!this.closed) this.#handlers?.onDrain();
    }
  }

  /** Called by the other side. */
  receive(chunk: Uint8Array): void {
    if (this.closed) return;
    this.#inbox.push(chunk);
    this.#flushInbox();
  }

  #flushInbox(): void {
    while (this.#handlers !== undefined && !this.#paused && !this.closed && this.#inbox.length > 0) this.#handlers.onData(this.#inbox.shift()!);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.net.schedule(() => this.#flushInbox());
  }

  end(): void {
    if (this.closed) return;
    // FIN after what is queued: deliver in order, then close both ends.
    this.net.schedule(() => this.#closeBoth(undefined));
  }

  destroy(): void {
    if (this.closed) return;
    this.#closeBoth(undefined);
  }

  /** Simulates a reset from the network (e.g. the peer's kernel). */
  reset(message = 'ECONNRESET'): void {
    this.#closeBoth(new Error(message));
  }

  #closeBoth(err: Error | undefined): void {
    for (const side of [this, this.peer]) {
      if (side.closed) continue;
      side.closed = true;
      const h = side.#handlers;
      this.net.schedule(() => h?.onClose(err));
    }
  }
}

interface MemoryListenerEntry {
  readonly address: string;
  readonly port: number;
  readonly onConnection: (c: BgpConnection) => void;
}

export class MemoryNetwork {
  #tasks: Task[] = [];
  /** Deliveries held back by a frozen receiver (released by `thaw`). */
  stalled: Task[] = [];
  #listeners = new Map<string, MemoryListenerEntry>();
  #nextPort = 40000;
  readonly connections: MemoryConnection[] = [];
  highWaterMark: number;

  constructor(options: { highWaterMark?: number } = {}) {
    this.highWaterMark = options.highWaterMark ?? 256 * 1024;
  }

  /** Schedules a task (the sessions' `defer` option can be this). */
  readonly schedule = (task: Task): void => {
    this.#tasks.push(task);
  };

  /** Runs queued tasks until none are left (bounded). Returns how many ran. */
  run(maxTasks = 1_000_000): number {
    let n = 0;
    while (this.#tasks.length > 0) {
      if (n++ >= maxTasks) throw new Error(`MemoryNetwork.run: more than ${maxTasks} tasks (a livelock?)`);
      const t = this.#tasks.shift()!;
      t();
    }
    return n;
  }

  /** Releases deliveries held by frozen receivers. */
  thaw(): void {
    for (const c of this.connections) c.frozen = false;
    const s = this.stalled;
    this.stalled = [];
    for (const t of s) this.schedule(t);
  }

  async listen(options: ListenOptions, onConnection: (c: BgpConnection) => void): Promise<BgpListener> {
    const address = options.address ?? '::';
    const port = options.port === 0 || options.port === undefined ? this.#nextPort++ : options.port;
    const key = `${address}|${port}`;
    if (this.#listeners.has(key)) throw new Error(`EADDRINUSE ${key}`);
    this.#listeners.set(key, { address, port, onConnection });
    return {
      address,
      port,
      setPeerPassword: () => {},
      setPeerTtlSecurity: () => {},
      close: async () => {
        this.#listeners.delete(key);
      },
    };
  }

  /** A connector whose connections originate from `localAddress`. */
  connector(localAddress: string): Connector {
    return {
      connect: (o: ConnectOptions, handlers: ConnectionHandlers): BgpConnection => {
        const port = o.localPort ?? this.#nextPort++;
        const client = new MemoryConnection(this, {
          direction: 'outbound',
          localAddress: o.localAddress ?? localAddress,
          localPort: port,
          remoteAddress: o.peerAddress,
          remotePort: o.peerPort ?? 179,
        });
        client.setHandlers(handlers);
        this.connections.push(client);
        this.schedule(() => {
          if (client.closed) return;
          const l = this.#listeners.get(`${o.peerAddress}|${o.peerPort ?? 179}`) ?? this.#listeners.get(`::|${o.peerPort ?? 179}`);
          if (l === undefined) {
            client.closed = true;
            handlers.onClose(new Error(`connect ECONNREFUSED ${o.peerAddress}:${o.peerPort ?? 179}`));
            return;
          }
          const server = new MemoryConnection(this, {
            direction: 'inbound',
            localAddress: o.peerAddress,
            localPort: o.peerPort ?? 179,
            remoteAddress: client.localAddress,
            remotePort: port,
          });
          client.peer = server;
          server.peer = client;
          this.connections.push(server);
          handlers.onConnect?.();
          l.onConnection(server);
        });
        return client;
      },
    };
  }
}
