/**
 * The L3 TCP adapter: `Connector` and `Acceptor` (connection.ts) implemented with node:net, for
 * IPv4 and IPv6, with TTL, GTSM (RFC 5082) and TCP-MD5 (RFC 2385) through the native addon.
 *
 * Owns: validating connect/listen options, creating the sockets (with their options set before
 * the first SYN), and the transport-wide settings (high-water mark, end timeout). Must not touch
 * BGP protocol logic, timers other than its own connect/end timeouts, or the session's state.
 *
 * Outbound sockets that need options before the SYN (MD5, TTL, GTSM): node:net creates its fd
 * inside `connect()` (libuv creates the socket and calls connect(2) in one step), so there is no
 * moment to call setsockopt in between. The adapter therefore has the addon create an unconnected
 * socket, sets the options on it, and hands the fd to `new net.Socket({ fd })`; `socket.connect()`
 * then binds (localAddress/localPort) and connects that same fd (libuv reuses an open fd). Verified
 * on Node 20 / Linux: a SYN from such a socket carries the MD5 option and the requested TTL.
 * The socket is created with `manualStart: true` (an option node:net uses internally for the same
 * purpose) so it does not start reading before it is connected; without it, reading an unconnected
 * socket fails with ENOTCONN as soon as the event loop polls before connect(2) has been issued.
 */
import { createServer, Socket, type SocketConstructorOpts } from 'node:net';
import { BgpError } from '../errors.js';
import type { Acceptor, BgpConnection, BgpListener, ConnectionHandlers, ConnectOptions, Connector, ListenOptions } from './connection.js';
import { checkIntRange, checkTtlSecurityHops, planSocketOptions, type SocketPlan } from './socket-plan.js';
import { closeSocketFd, createSocketFd, requireNativeSocketOptions, setSocketMinTtl, setSocketTtl, setTcpMd5Key } from './socket-options.js';
import { TcpConnection } from './tcp-connection.js';
import { TcpListener, type RejectedConnection } from './tcp-listener.js';
import { parseTransportAddress, type TransportAddress } from './transport-address.js';

/** The BGP port (RFC 4271 s8.2.1). */
export const BGP_PORT = 179;
/**
 * Default write high-water mark: 128 KiB. One maximal extended message (65535 bytes, RFC 8654)
 * always fits below it, as do 32 standard 4096-byte messages, while a peer that stops reading
 * holds at most this much in process memory beyond what the kernel's socket buffer already holds.
 */
export const DEFAULT_HIGH_WATER_MARK = 128 * 1024;
/** Default for ConnectOptions.connectTimeoutMs. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** Default time a connection may take to close after `end()` before it is destroyed. */
export const DEFAULT_END_TIMEOUT_MS = 10_000;
/** setTimeout's limit. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Settings of one TcpTransport, shared by all its connections and listeners. */
export interface TcpTransportOptions {
  /** Write queue size in bytes above which `write()` returns false. Default DEFAULT_HIGH_WATER_MARK. */
  readonly highWaterMark?: number | undefined;
  /** After `end()`, destroy a connection not closed within this many ms. Default DEFAULT_END_TIMEOUT_MS. */
  readonly endTimeoutMs?: number | undefined;
  /** Told about accepted connections a listener reset instead of handing over (GTSM failures). */
  readonly onRejectedConnection?: ((rejected: RejectedConnection) => void) | undefined;
  /** Told about errors of a listening socket after it started (e.g. accept() hitting EMFILE). */
  readonly onListenerError?: ((error: Error) => void) | undefined;
}

/** Connector and Acceptor over node:net. */
export class TcpTransport implements Connector, Acceptor {
  readonly #highWaterMark: number;
  readonly #endTimeoutMs: number;
  readonly #onRejected: ((rejected: RejectedConnection) => void) | undefined;
  readonly #onListenerError: ((error: Error) => void) | undefined;

  /** Throws ERR_BGP_VALUE_OUT_OF_RANGE for a bad high-water mark or timeout. */
  constructor(options: TcpTransportOptions = {}) {
    this.#highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.#endTimeoutMs = options.endTimeoutMs ?? DEFAULT_END_TIMEOUT_MS;
    checkIntRange(this.#highWaterMark, 'highWaterMark', 1, 2 ** 30, undefined);
    checkIntRange(this.#endTimeoutMs, 'endTimeoutMs', 1, MAX_TIMEOUT_MS, undefined);
    this.#onRejected = options.onRejectedConnection;
    this.#onListenerError = options.onListenerError;
  }

  /**
   * Starts a TCP connection to `options.peerAddress` (an IP address; names are not resolved).
   * Returns at once; `onConnect` or `onClose(error)` follows (bind and connect failures included).
   * Throws BgpError synchronously: ERR_BGP_BAD_ADDRESS, ERR_BGP_VALUE_OUT_OF_RANGE,
   * ERR_BGP_BAD_VALUE, ERR_BGP_TCP_MD5_UNSUPPORTED, ERR_BGP_TTL_SECURITY_UNSUPPORTED,
   * ERR_BGP_TTL_UNSUPPORTED (see socket-plan.ts), ERR_BGP_SOCKET_OPTION (the kernel refused one).
   */
  connect(options: ConnectOptions, handlers: ConnectionHandlers): BgpConnection {
    const peer = parseTransportAddress(options.peerAddress, 'peerAddress');
    const local = options.localAddress === undefined ? undefined : parseTransportAddress(options.localAddress, 'localAddress');
    if (local && local.family !== peer.family) {
      throw new BgpError('ERR_BGP_BAD_ADDRESS', `localAddress ${local.address} is IPv${local.family} but peerAddress ${peer.address} is IPv${peer.family}`);
    }
    const peerPort = options.peerPort ?? BGP_PORT;
    checkIntRange(peerPort, 'peerPort', 1, 65535, undefined);
    if (options.localPort !== undefined) checkIntRange(options.localPort, 'localPort', 0, 65535, undefined);
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    checkIntRange(connectTimeoutMs, 'connectTimeoutMs', 1, MAX_TIMEOUT_MS, undefined);
    const plan = planSocketOptions(options, peer.family);

    const socket = this.#outboundSocket(peer, plan);
    const connection = new TcpConnection({
      direction: 'outbound',
      socket,
      remoteAddress: peer.address,
      remotePort: peerPort,
      handlers,
      connectTimeoutMs,
      endTimeoutMs: this.#endTimeoutMs,
    });
    socket.connect({
      host: peer.socketText,
      port: peerPort,
      ...(local ? { localAddress: local.socketText } : {}),
      ...(options.localPort ? { localPort: options.localPort } : {}),
    });
    return connection;
  }

  /**
   * Listens on `options.address` (default '::', dual stack) and `options.port` (default 179, 0 for
   * a free one; see `BgpListener.port`). Accepted connections are handed to `onConnection` with
   * reading paused until their handlers are installed. Rejects with BgpError: ERR_BGP_LISTEN
   * (address unusable, port taken; `cause` is node:net's error), ERR_BGP_BAD_ADDRESS,
   * ERR_BGP_VALUE_OUT_OF_RANGE, ERR_BGP_TTL_SECURITY_UNSUPPORTED, ERR_BGP_SOCKET_OPTION.
   */
  async listen(options: ListenOptions, onConnection: (connection: BgpConnection) => void): Promise<BgpListener> {
    const address = parseTransportAddress(options.address ?? '::', 'address');
    const port = options.port ?? BGP_PORT;
    checkIntRange(port, 'port', 0, 65535, undefined);
    const hops = options.ttlSecurityHops;
    if (hops !== undefined) {
      checkTtlSecurityHops(hops);
      requireNativeSocketOptions('ttl-security');
    }

    const server = createServer({ pauseOnConnect: true, noDelay: true, highWaterMark: this.#highWaterMark });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        reject(new BgpError('ERR_BGP_LISTEN', `cannot listen on ${address.socketText} port ${port}: ${error.code ?? error.message}`, { cause: error }));
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen({ host: address.socketText, port });
    });
    try {
      return new TcpListener({
        server,
        onConnection,
        endTimeoutMs: this.#endTimeoutMs,
        ttlSecurityHops: hops,
        onRejectedConnection: this.#onRejected,
        onError: this.#onListenerError,
      });
    } catch (error) {
      server.close();
      throw error;
    }
  }

  /** A socket ready for `connect()`: plain, or from the addon with the plan's options already set. */
  #outboundSocket(peer: TransportAddress, plan: SocketPlan): Socket {
    const base = { writableHighWaterMark: this.#highWaterMark };
    if (plan.nativeFeature === undefined) return new Socket(base as SocketConstructorOpts);
    const fd = createSocketFd(peer.family, plan.nativeFeature);
    try {
      if (plan.md5Password !== undefined) setTcpMd5Key(fd, peer.address, plan.md5Password);
      if (plan.ttl !== undefined) setSocketTtl(fd, plan.ttl, plan.minTtl === undefined ? 'ttl' : 'ttl-security');
      if (plan.minTtl !== undefined) setSocketMinTtl(fd, plan.minTtl);
      return new Socket({ ...base, fd, manualStart: true } as SocketConstructorOpts);
    } catch (error) {
      closeSocketFd(fd);
      throw error;
    }
  }
}

/** A TcpTransport (Connector and Acceptor over node:net). Throws like its constructor. */
export function createTcpTransport(options: TcpTransportOptions = {}): TcpTransport {
  return new TcpTransport(options);
}
