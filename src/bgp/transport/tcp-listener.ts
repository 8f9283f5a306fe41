/**
 * A BGP listener on a node:net Server: the BgpListener the session sees.
 *
 * Owns: the listening socket's per-peer TCP-MD5 keys and GTSM settings, the checks an accepted
 * connection goes through before it is handed over, and closing the listening socket. Must not
 * touch accepted connections once handed over (the session owns them) or protocol logic.
 *
 * GTSM (RFC 5082) on a listener, as verified on Linux:
 * - Listener-wide (`ListenOptions.ttlSecurityHops`): IP_MINTTL / IPV6_MINHOPCOUNT on the listening
 *   socket makes the kernel drop SYNs that arrive with a lower TTL (the peer sees a connect
 *   timeout), and accepted sockets inherit it. IP_TTL 255 on the listener makes its SYN-ACKs
 *   leave with TTL 255 (a GTSM peer drops a SYN-ACK with a lower TTL) and is inherited as well.
 * - Per peer (`setPeerTtlSecurity`): the kernel has no per-peer minimum TTL for a listener, and
 *   one listener serves peers with and without GTSM, so the SYN itself cannot be dropped. Instead
 *   the listener saves each SYN's headers (TCP_SAVE_SYN) and sends with TTL 255 (harmless for
 *   peers without GTSM); an accepted connection from a GTSM peer whose SYN arrived with a TTL
 *   below 256 - hops is reset before anything is read from it and never handed over (reported to
 *   `onRejectedConnection`); otherwise the accepted socket gets IP_MINTTL so every later segment is
 *   checked by the kernel. The peer sees its handshake complete, then a reset.
 */
import type { Server, Socket } from 'node:net';
import { BgpError } from '../errors.js';
import type { BgpConnection, BgpListener } from './connection.js';
import { nodeSocketFd } from './node-fd.js';
import { checkTtlSecurityHops, GTSM_SEND_TTL, gtsmMinTtl } from './socket-plan.js';
import {
  checkTcpMd5Password,
  nativeSocketOptions,
  readSavedSynTtl,
  requireNativeSocketOptions,
  setListenerSaveSyn,
  setSocketMinTtl,
  setSocketTtl,
  setTcpMd5Key,
} from './socket-options.js';
import { TcpConnection } from './tcp-connection.js';
import { canonicalAddress, parseTransportAddress } from './transport-address.js';

/** An accepted connection the listener reset instead of handing it over. */
export interface RejectedConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Why, in words (e.g. the GTSM TTL check). */
  readonly reason: string;
  /** The underlying error, when a socket option could not be read or set. */
  readonly error?: Error | undefined;
}

/** How a TcpListener is set up; the adapter fills it in once the server is listening. */
export interface TcpListenerInit {
  readonly server: Server;
  readonly onConnection: (connection: BgpConnection) => void;
  readonly endTimeoutMs: number;
  /** Listener-wide GTSM (already validated), or undefined. */
  readonly ttlSecurityHops: number | undefined;
  readonly onRejectedConnection?: ((rejected: RejectedConnection) => void) | undefined;
  readonly onError?: ((error: Error) => void) | undefined;
}

/** A BgpListener on a listening node:net Server. */
export class TcpListener implements BgpListener {
  readonly address: string;
  readonly port: number;
  readonly #server: Server;
  readonly #onConnection: (connection: BgpConnection) => void;
  readonly #endTimeoutMs: number;
  readonly #listenerHops: number | undefined;
  readonly #onRejected: ((rejected: RejectedConnection) => void) | undefined;
  /** Canonical peer address -> GTSM hops. */
  readonly #peerHops = new Map<string, number>();
  /** TCP_SAVE_SYN and TTL 255 are on the listening socket. */
  #gtsmReady = false;
  #closing: Promise<void> | undefined;

  /** Throws (SocketOptionError) when listener-wide GTSM cannot be applied; the caller closes the server. */
  constructor(init: TcpListenerInit) {
    this.#server = init.server;
    this.#onConnection = init.onConnection;
    this.#endTimeoutMs = init.endTimeoutMs;
    this.#listenerHops = init.ttlSecurityHops;
    this.#onRejected = init.onRejectedConnection;
    const bound = init.server.address();
    this.address = typeof bound === 'object' && bound !== null ? canonicalAddress(bound.address) : '';
    this.port = typeof bound === 'object' && bound !== null ? bound.port : 0;
    if (this.#listenerHops !== undefined) {
      const fd = this.#fd();
      setSocketMinTtl(fd, gtsmMinTtl(this.#listenerHops));
      this.#prepareGtsm(fd);
    }
    init.server.on('connection', (socket: Socket) => this.#accept(socket));
    // accept() failures (EMFILE...) are reported, never thrown: node:net keeps listening
    init.server.on('error', (error: Error) => init.onError?.(error));
  }

  /**
   * Sets the TCP-MD5 key the kernel requires on SYNs from `peerAddress` (and copies to the
   * connection it accepts); undefined or '' removes it. Setting throws ERR_BGP_TCP_MD5_UNSUPPORTED
   * without the native addon, ERR_BGP_LISTENER_CLOSED after `close()`; removing then does nothing.
   */
  setPeerPassword(peerAddress: string, password: string | undefined): void {
    const peer = parseTransportAddress(peerAddress, 'peerAddress');
    if (password === undefined || password === '') {
      if (!this.#server.listening) return;
      setTcpMd5Key(this.#fd(), peer.address, undefined);
      return;
    }
    checkTcpMd5Password(password);
    requireNativeSocketOptions('tcp-md5');
    setTcpMd5Key(this.#fd(), peer.address, password);
  }

  /**
   * GTSM for connections from `peerAddress`: accept only those whose SYN arrived with a TTL of at
   * least 256 - hops, and have the kernel check every later segment (see the module comment for
   * how). undefined removes it. Throws ERR_BGP_TTL_SECURITY_UNSUPPORTED without the native addon,
   * ERR_BGP_VALUE_OUT_OF_RANGE unless hops is 1..254, ERR_BGP_LISTENER_CLOSED after `close()`.
   */
  setPeerTtlSecurity(peerAddress: string, hops: number | undefined): void {
    const peer = parseTransportAddress(peerAddress, 'peerAddress');
    if (hops === undefined) {
      this.#peerHops.delete(peer.address);
      return;
    }
    checkTtlSecurityHops(hops);
    requireNativeSocketOptions('ttl-security');
    this.#prepareGtsm(this.#fd());
    this.#peerHops.set(peer.address, hops);
  }

  /**
   * Stops listening. Resolves once the listening socket is closed (its port is free again);
   * connections already handed over stay open, they belong to their owners.
   */
  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (!this.#server.listening) {
        resolve();
        return;
      }
      // node:net closes the listening fd synchronously here; its 'close' event would wait for
      // every accepted connection to end, which is not this listener's business.
      this.#server.close();
      setImmediate(resolve);
    });
    return this.#closing;
  }

  #fd(): number {
    const fd = this.#server.listening ? nodeSocketFd(this.#server) : undefined;
    if (fd === undefined) throw new BgpError('ERR_BGP_LISTENER_CLOSED', 'the listener is closed');
    return fd;
  }

  /** Saves SYN headers and sends with TTL 255 (SYN-ACKs included), once per listener. */
  #prepareGtsm(fd: number): void {
    if (this.#gtsmReady) return;
    setListenerSaveSyn(fd, true);
    setSocketTtl(fd, GTSM_SEND_TTL, 'ttl-security');
    this.#gtsmReady = true;
  }

  #accept(socket: Socket): void {
    const remoteAddress = canonicalAddress(socket.remoteAddress);
    const remotePort = socket.remotePort ?? 0;
    if (remoteAddress === '') {
      // reset by the peer between the kernel's accept and this event
      socket.destroy();
      this.#onRejected?.({ remoteAddress, remotePort, reason: 'the peer was gone before the connection could be accepted' });
      return;
    }
    const hops = this.#peerHops.get(remoteAddress) ?? this.#listenerHops;
    if (hops !== undefined) {
      const failure = this.#enforceGtsm(socket, hops);
      if (failure) {
        socket.resetAndDestroy();
        this.#onRejected?.({ remoteAddress, remotePort, ...failure });
        return;
      }
    }
    const connection = new TcpConnection({ direction: 'inbound', socket, endTimeoutMs: this.#endTimeoutMs });
    try {
      this.#onConnection(connection);
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  /** Checks the SYN's TTL and sets the kernel's checks on the accepted socket; a failure rejects it. */
  #enforceGtsm(socket: Socket, hops: number): { reason: string; error?: Error } | undefined {
    const minTtl = gtsmMinTtl(hops);
    const fd = nodeSocketFd(socket);
    if (fd === undefined || !nativeSocketOptions()) {
      return { reason: `GTSM (RFC 5082) cannot be applied: ${fd === undefined ? 'the socket has no fd' : 'the native addon is unavailable'}` };
    }
    try {
      const synTtl = this.#gtsmReady ? readSavedSynTtl(fd) : undefined;
      if (synTtl !== undefined && synTtl < minTtl) {
        return { reason: `GTSM (RFC 5082): the SYN arrived with TTL ${synTtl}, below the minimum ${minTtl} for a peer ${hops} hop(s) away` };
      }
      setSocketMinTtl(fd, minTtl);
      setSocketTtl(fd, GTSM_SEND_TTL, 'ttl-security');
      return undefined;
    } catch (error) {
      return { reason: 'GTSM (RFC 5082) could not be applied to the accepted socket', error: error as Error };
    }
  }
}
