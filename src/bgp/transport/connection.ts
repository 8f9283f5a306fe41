/**
 * The contract between the session (L2, sans-I/O) and the TCP adapter (L3). The session only sees
 * these interfaces; `tcp-transport.ts` implements them with node:net, and tests implement them in
 * memory (`tsbgp/testing`). Owns no protocol logic and never reads a clock.
 */

/** Socket-level options of one BGP connection (outbound) or one listener. */
export interface SocketOptions {
  /** Local address to bind (IPv4 or IPv6 text). Default: chosen by the kernel. */
  readonly localAddress?: string | undefined;
  /** Local port to bind for outbound connections. Default: ephemeral. */
  readonly localPort?: number | undefined;
  /**
   * IP TTL / IPv6 hop limit of outgoing packets (eBGP multihop: 1..255), read as the session's
   * reach: the peer is at most this many hops away. Default: the kernel's (64) unless
   * `ttlSecurityHops` is set, which forces 255 (a different `ttl` with it is ERR_BGP_BAD_VALUE).
   * With the native addon exactly this TTL is sent. Without it the kernel default is sent, which
   * reaches as far, so a `ttl` up to the kernel default is accepted and a larger one fails with
   * ERR_BGP_TTL_UNSUPPORTED.
   */
  readonly ttl?: number | undefined;
  /**
   * RFC 5082 GTSM: send with TTL 255 and accept only packets with TTL >= 256 - hops
   * (IP_MINTTL / IPV6_MINHOPCOUNT). `hops` is 1 for a directly connected peer; 1..254.
   * Needs the native addon: without it, connecting fails with ERR_BGP_TTL_SECURITY_UNSUPPORTED.
   */
  readonly ttlSecurityHops?: number | undefined;
  /**
   * RFC 2385 TCP-MD5 password. Needs the native addon: without it, connecting or listening fails
   * with ERR_BGP_TCP_MD5_UNSUPPORTED. Never logged, never put into events or errors.
   */
  readonly md5Password?: string | undefined;
}

export interface ConnectOptions extends SocketOptions {
  readonly peerAddress: string;
  /** Default 179. */
  readonly peerPort?: number | undefined;
  /** Give up the TCP handshake after this many ms (reported as a failure). Default 30000. */
  readonly connectTimeoutMs?: number | undefined;
}

/** Callbacks a connection reports to its owner. Each is called from the event loop, never re-entrantly. */
export interface ConnectionHandlers {
  /** The TCP handshake completed (outbound only; inbound connections are connected when handed over). */
  onConnect?(): void;
  /**
   * Bytes arrived. The chunk is owned by the receiver (it may keep a view on it). Inbound
   * connections read nothing before their handlers are installed, so no byte is lost.
   */
  onData(chunk: Uint8Array): void;
  /** The send buffer drained after `write` returned false. */
  onDrain(): void;
  /**
   * The connection is gone (peer closed, reset, connect failed, or `destroy`). Called once.
   * `error` is absent for an orderly close or `destroy()`; otherwise node:net's system error as is
   * (`code` ECONNREFUSED, ECONNRESET, EADDRINUSE...) or a BgpError ERR_BGP_CONNECT_TIMEOUT
   * (handshake not done within connectTimeoutMs) / ERR_BGP_CLOSE_TIMEOUT (`end()` took too long).
   */
  onClose(error?: Error): void;
}

/** One TCP connection carrying a BGP session. */
export interface BgpConnection {
  readonly direction: 'outbound' | 'inbound';
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Installs the handlers (once, right after the connection is created or accepted). */
  setHandlers(handlers: ConnectionHandlers): void;
  /**
   * Queues bytes. Returns false when the send buffer is above its high-water mark: the caller
   * must stop producing UPDATEs until `onDrain`. (Small control messages may still be written.)
   */
  write(bytes: Uint8Array): boolean;
  /** Bytes accepted by `write` and not yet handed to the kernel. */
  readonly bufferedBytes: number;
  /** Stops reading from the socket (the receiver is busy: TCP flow control pushes back on the peer). */
  pause?(): void;
  /** Reads again after `pause`. */
  resume?(): void;
  /** Flushes what was written, then closes (FIN). `onClose` follows. */
  end(): void;
  /** Closes at once (RST if data is pending). `onClose` follows. */
  destroy(): void;
}

/** Opens outbound connections. */
export interface Connector {
  /**
   * Starts a TCP connection. Returns at once; `onConnect` or `onClose(error)` follows. Throws a
   * BgpError synchronously for options that cannot be honoured (ERR_BGP_TCP_MD5_UNSUPPORTED,
   * ERR_BGP_TTL_SECURITY_UNSUPPORTED, ERR_BGP_TTL_UNSUPPORTED, ERR_BGP_BAD_ADDRESS).
   */
  connect(options: ConnectOptions, handlers: ConnectionHandlers): BgpConnection;
}

export interface ListenOptions {
  /** Default '::' (dual stack). */
  readonly address?: string | undefined;
  /** Default 179; 0 picks a free port (see `BgpListener.port`). */
  readonly port?: number | undefined;
  /**
   * Listener-wide RFC 5082 GTSM: the kernel drops every SYN whose TTL is below 256 - hops, from
   * any peer, and the listener sends with TTL 255. For a listener that also serves peers without
   * GTSM use `BgpListener.setPeerTtlSecurity` instead. Needs the native addon (listen rejects with
   * ERR_BGP_TTL_SECURITY_UNSUPPORTED without it).
   */
  readonly ttlSecurityHops?: number | undefined;
}

/**
 * A TCP listener. Every accepted connection is handed to `onConnection`, which decides: it
 * installs handlers and keeps it, or destroys it (unknown peer).
 */
export interface BgpListener {
  readonly address: string;
  readonly port: number;
  /** Sets (undefined removes) the TCP-MD5 key for one peer address on the listening socket. */
  setPeerPassword(peerAddress: string, password: string | undefined): void;
  /**
   * GTSM for connections from one peer, `hops` 1..254 away: only a connection whose SYN arrived
   * with TTL >= 256 - hops is handed over, and the kernel then drops its segments below that TTL
   * (undefined removes). The kernel cannot drop a single peer's SYNs on a shared listener, so
   * a failing peer sees its handshake complete and then a reset (see tcp-listener.ts).
   */
  setPeerTtlSecurity(peerAddress: string, hops: number | undefined): void;
  /** Stops listening; resolves once the port is free. Connections handed over stay open. */
  close(): Promise<void>;
}

/** Opens listeners. */
export interface Acceptor {
  /** Resolves once listening; rejects with a BgpError (ERR_BGP_LISTEN) when the address is unusable. */
  listen(options: ListenOptions, onConnection: (connection: BgpConnection) => void): Promise<BgpListener>;
}
