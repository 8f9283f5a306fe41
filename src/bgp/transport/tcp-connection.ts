/**
 * One BGP connection over a node:net Socket: the BgpConnection the session sees.
 *
 * Owns: the socket's events turned into ConnectionHandlers calls (onConnect, onData, onDrain, and
 * onClose exactly once), the connect and end timeouts, holding inbound data back until handlers
 * are installed, and write backpressure reporting. Must not touch socket options (TTL, GTSM, MD5
 * are set by the adapter before the socket is handed here) or any BGP protocol logic.
 *
 * Errors passed to onClose: node:net's system errors unchanged (`code` ECONNREFUSED, ECONNRESET,
 * EADDRINUSE, ETIMEDOUT...), or a BgpError ERR_BGP_CONNECT_TIMEOUT (handshake not done within
 * connectTimeoutMs) / ERR_BGP_CLOSE_TIMEOUT (the peer did not close within endTimeoutMs of `end()`).
 * A close the owner asked for (`destroy()`) or an orderly close by the peer carries no error.
 */
import type { Socket } from 'node:net';
import { BgpError } from '../errors.js';
import type { BgpConnection, ConnectionHandlers } from './connection.js';
import { canonicalAddress } from './transport-address.js';

/** How a TcpConnection is set up; the adapter fills it in. */
export interface TcpConnectionInit {
  readonly direction: 'outbound' | 'inbound';
  /**
   * The socket. Outbound: created, `connect()` is called right after construction. Inbound:
   * accepted with reading paused (pauseOnConnect), so nothing is read before `setHandlers`.
   */
  readonly socket: Socket;
  /** Outbound: the peer as configured (inbound connections read it from the socket). */
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  /** Outbound only: handlers given to `connect()`. */
  readonly handlers?: ConnectionHandlers | undefined;
  /** Outbound only: give up the handshake after this many ms. */
  readonly connectTimeoutMs?: number | undefined;
  /** After `end()`, destroy the socket if it is not closed within this many ms. */
  readonly endTimeoutMs: number;
}

/** A BgpConnection on a node:net Socket. */
export class TcpConnection implements BgpConnection {
  readonly direction: 'outbound' | 'inbound';
  #socket: Socket;
  #handlers: ConnectionHandlers | undefined;
  #localAddress = '';
  #localPort = 0;
  #remoteAddress: string;
  #remotePort: number;
  /** First error the socket reported; handed to onClose. */
  #error: Error | undefined;
  /** The socket is closed; onClose was called or waits for handlers. */
  #closed = false;
  #closeReported = false;
  #ending = false;
  /** write() returned false and onDrain has not followed yet. */
  #needDrain = false;
  #connectTimer: NodeJS.Timeout | undefined;
  #endTimer: NodeJS.Timeout | undefined;
  readonly #endTimeoutMs: number;

  constructor(init: TcpConnectionInit) {
    this.direction = init.direction;
    this.#socket = init.socket;
    this.#endTimeoutMs = init.endTimeoutMs;
    this.#remoteAddress = init.remoteAddress ?? canonicalAddress(init.socket.remoteAddress);
    this.#remotePort = init.remotePort ?? init.socket.remotePort ?? 0;
    this.#handlers = init.handlers;
    const socket = init.socket;
    socket.setNoDelay(true);
    // 'error' always has a listener: an unhandled 'error' event would crash the process.
    socket.on('error', (error: Error) => {
      this.#error ??= error;
    });
    socket.on('close', () => this.#onSocketClose());
    socket.on('drain', () => this.#onSocketDrain());
    if (init.direction === 'inbound') {
      this.#rememberLocal();
    } else {
      socket.once('connect', () => this.#onSocketConnect());
      if (init.connectTimeoutMs !== undefined) {
        const ms = init.connectTimeoutMs;
        this.#connectTimer = setTimeout(() => {
          this.#connectTimer = undefined;
          socket.destroy(
            new BgpError('ERR_BGP_CONNECT_TIMEOUT', `TCP connection to ${this.#remoteAddress} port ${this.#remotePort} not established within ${ms} ms`),
          );
        }, ms);
      }
    }
    if (this.#handlers) this.#startReading();
  }

  get localAddress(): string {
    return this.#localAddress;
  }

  get localPort(): number {
    return this.#localPort;
  }

  get remoteAddress(): string {
    return this.#remoteAddress;
  }

  get remotePort(): number {
    return this.#remotePort;
  }

  /** Bytes accepted by `write` and not yet handed to the kernel (0 once closed). */
  get bufferedBytes(): number {
    return this.#closed ? 0 : this.#socket.writableLength;
  }

  /**
   * Installs (or replaces) the handlers. Inbound data held back until now flows from here on; a
   * close that happened before is reported to these handlers from the event loop.
   */
  setHandlers(handlers: ConnectionHandlers): void {
    const first = this.#handlers === undefined;
    this.#handlers = handlers;
    if (this.#closed) {
      if (!this.#closeReported) setImmediate(() => this.#reportClose());
      return;
    }
    if (first) this.#startReading();
  }

  /**
   * Queues bytes; false once the queue is at or above the transport's high-water mark (then
   * `onDrain` follows when it has been handed to the kernel). The bytes must not be modified
   * afterwards. After `end()`, `destroy()` or a close they are discarded and false is returned;
   * no onDrain follows, onClose does.
   */
  write(bytes: Uint8Array): boolean {
    // writableEnded: the peer's FIN made node:net end our side too (allowHalfOpen is off)
    if (this.#closed || this.#ending || this.#socket.destroyed || this.#socket.writableEnded) return false;
    const belowMark = this.#socket.write(bytes);
    if (!belowMark) this.#needDrain = true;
    return belowMark;
  }

  /**
   * Flushes what was written, then sends FIN; onClose follows once the peer has closed too. If
   * that takes longer than the transport's end timeout (a peer that neither reads nor closes),
   * the socket is destroyed and onClose gets ERR_BGP_CLOSE_TIMEOUT.
   */
  end(): void {
    if (this.#closed || this.#ending) return;
    this.#ending = true;
    this.#socket.end();
    const ms = this.#endTimeoutMs;
    this.#endTimer = setTimeout(() => {
      this.#endTimer = undefined;
      this.#socket.destroy(new BgpError('ERR_BGP_CLOSE_TIMEOUT', `connection with ${this.#remoteAddress} not closed within ${ms} ms of end()`));
    }, ms);
  }

  /**
   * Closes at once. When node:net still holds unsent bytes the connection is reset (RST), so the
   * peer does not mistake a truncated stream for an orderly close; otherwise a FIN is sent. The
   * kernel resets by itself when received data was left unread. onClose follows, without error.
   */
  destroy(): void {
    if (this.#closed || this.#socket.destroyed) return;
    if (!this.#socket.connecting && this.#socket.writableLength > 0) this.#socket.resetAndDestroy();
    else this.#socket.destroy();
  }

  #startReading(): void {
    this.#socket.on('data', (chunk: Buffer) => this.#handlers?.onData(chunk));
    // an inbound socket was accepted paused; an outbound one starts reading when connected
    if (this.direction === 'inbound') this.#socket.resume();
  }

  #rememberLocal(): void {
    this.#localAddress = canonicalAddress(this.#socket.localAddress);
    this.#localPort = this.#socket.localPort ?? 0;
  }

  #onSocketConnect(): void {
    this.#clearConnectTimer();
    this.#rememberLocal();
    this.#handlers?.onConnect?.();
  }

  #onSocketDrain(): void {
    if (!this.#needDrain || this.#closed) return;
    this.#needDrain = false;
    this.#handlers?.onDrain();
  }

  #onSocketClose(): void {
    this.#clearConnectTimer();
    if (this.#endTimer !== undefined) clearTimeout(this.#endTimer);
    this.#endTimer = undefined;
    this.#closed = true;
    if (this.#handlers) this.#reportClose();
  }

  #reportClose(): void {
    if (this.#closeReported || !this.#handlers) return;
    this.#closeReported = true;
    this.#handlers.onClose(this.#error);
  }

  #clearConnectTimer(): void {
    if (this.#connectTimer !== undefined) clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }
}
