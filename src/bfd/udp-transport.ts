/**
 * The production BFD transport: BFD Control packets over UDP with node:dgram, single hop on port
 * 3784 (RFC 5881) and multihop on 4784 (RFC 5883), IPv4 and IPv6.
 *
 * Owns: the listener sockets (one per `listen` call; the endpoint shares them between sessions)
 * and their minimum received TTL, the per-session sender sockets with their random source port in
 * 49152-65535 (RFC 5881 s4) and their sent TTL / hop limit (255, RFC 5881 s5), and turning socket
 * failures into BfdErrors (bind) or `onError` reports (send, socket errors). Must not touch BFD
 * packet contents, sessions or timers.
 *
 * The TTL check on receive (RFC 5881 s5: single hop accepts only TTL 255; RFC 5883 s5: multihop
 * enforces a configured minimum) needs the native addon's UDP support (`createUdpSocket`, a BPF
 * socket filter in the kernel; Linux IP_MINTTL does not apply to UDP). Without it, listeners work
 * with `ttlEnforced: false` and the endpoint decides what that means. Sending with TTL 255 needs
 * no addon (`dgram.Socket.setTTL` sets IP_TTL / IPV6_UNICAST_HOPS).
 */
import { randomInt } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { closeSocketFd, createUdpSocketFd, setUdpSocketMinTtl, udpTtlFilterAvailable } from '../bgp/transport/socket-options.js';
import type {
  BfdListener,
  BfdListenOptions,
  BfdPacketHandler,
  BfdSender,
  BfdSenderOptions,
  BfdTransport,
  BfdTransportError,
} from './bfd-transport.js';
import { BfdError } from './errors.js';
import { BFD_MULTIHOP_CONTROL_PORT, BFD_SINGLE_HOP_CONTROL_PORT } from './iana.js';

/** Lowest UDP source port of BFD Control packets (RFC 5881 s4). */
export const BFD_SOURCE_PORT_MIN = 49152;
/** Highest UDP source port of BFD Control packets (RFC 5881 s4). */
export const BFD_SOURCE_PORT_MAX = 65535;
/** How many random source ports `openSender` tries before giving up (ERR_BFD_NO_SOURCE_PORT). */
export const BFD_SOURCE_PORT_ATTEMPTS = 64;

export interface UdpBfdTransportOptions {
  /**
   * 'auto' (default): listeners drop packets below their minimum TTL in the kernel when the native
   * addon has UDP support (`ttlEnforced: true`), and work without the check otherwise
   * (`ttlEnforced: false`). 'off': never use the addon; every listener has `ttlEnforced: false`.
   */
  readonly ttlFilter?: 'auto' | 'off' | undefined;
  /** Initial value of the transport's `onError` (it can be replaced later). */
  readonly onError?: ((error: BfdTransportError) => void) | undefined;
  /**
   * Picks a sender's source port; default: uniformly at random in 49152-65535. Each pick that is
   * in use (EADDRINUSE) is followed by another, at most BFD_SOURCE_PORT_ATTEMPTS in all. For tests.
   */
  readonly pickSourcePort?: (() => number) | undefined;
  /**
   * A listener opens one more receive socket (SO_REUSEPORT, same address and port) per this many
   * sessions; default BFD_SESSIONS_PER_RECEIVE_SOCKET. Needs the native addon; without it a
   * listener is one socket.
   */
  readonly sessionsPerReceiveSocket?: number | undefined;
  /** Most receive sockets per listener; default BFD_MAX_RECEIVE_SOCKETS. 1 turns the spreading off. */
  readonly maxReceiveSockets?: number | undefined;
}

/**
 * Why a listener is several sockets: libuv reads at most 32 datagrams from one readable UDP
 * socket per event-loop iteration. When other work runs in ~8 ms slices (a BGP session decoding a
 * full table) the loop turns ~100 times a second, so one socket takes ~3,000-4,000 packets/s, and
 * 1000 sessions at 50 ms send 20,000/s: the receive buffer overflows and sessions go Down while
 * their peers are fine (measured: bench/README.md, BFD). With one socket per 64 sessions the
 * kernel spreads the peers over the group by 4-tuple hash, and each socket gets its own 32.
 */
export const BFD_SESSIONS_PER_RECEIVE_SOCKET = 64;
/** Default cap of receive sockets per listener (2048 sessions at the default spread). */
export const BFD_MAX_RECEIVE_SOCKETS = 32;

interface ReceiveScaling {
  readonly sessionsPerReceiveSocket: number;
  readonly maxReceiveSockets: number;
}

/** The UDP BfdTransport, with what it can tell about itself. */
export interface UdpBfdTransport extends BfdTransport {
  /**
   * Whether listeners opened now enforce their minimum TTL (`ttlFilter` is 'auto' and the native
   * addon with UDP support is loaded). Read at each `listen`; a listener keeps what it started with.
   */
  readonly ttlFilterAvailable: boolean;
}

/**
 * A socket failure while setting up a listener or a sender. `code` is one of:
 * - `ERR_BFD_BIND_FAILED`: the bind was refused (`systemCode` e.g. "EADDRINUSE", "EADDRNOTAVAIL");
 * - `ERR_BFD_NO_SOURCE_PORT`: every source port tried was in use;
 * - `ERR_BFD_SOCKET_OPTION`: the TTL / minimum TTL could not be set.
 * `cause` is the underlying error.
 */
export class BfdSocketError extends BfdError {
  /** The OS error name (e.g. "EADDRINUSE"), when there is one. */
  readonly systemCode: string | undefined;
  readonly localAddress: string;
  /** The local port concerned (the listener's port, or the last source port tried). */
  readonly port: number | undefined;

  constructor(code: string, message: string, details: { localAddress: string; port?: number | undefined; cause?: unknown; rfc?: string | undefined }) {
    super(code, message, { cause: details.cause, rfc: details.rfc });
    this.name = 'BfdSocketError';
    this.systemCode = systemCodeOf(details.cause);
    this.localAddress = details.localAddress;
    this.port = details.port;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      ...(this.systemCode === undefined ? {} : { systemCode: this.systemCode }),
      localAddress: this.localAddress,
      ...(this.port === undefined ? {} : { port: this.port }),
    };
  }
}

/** Creates the UDP transport. See UdpBfdTransportOptions for the TTL filter and its fallback. */
export function createUdpBfdTransport(options: UdpBfdTransportOptions = {}): UdpBfdTransport {
  const ttlFilter = options.ttlFilter ?? 'auto';
  if (ttlFilter !== 'auto' && ttlFilter !== 'off') {
    throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `ttlFilter must be 'auto' or 'off', not ${String(ttlFilter)}`);
  }
  const pickSourcePort = options.pickSourcePort ?? (() => randomInt(BFD_SOURCE_PORT_MIN, BFD_SOURCE_PORT_MAX + 1));
  const scaling: ReceiveScaling = {
    sessionsPerReceiveSocket: positiveInt(options.sessionsPerReceiveSocket ?? BFD_SESSIONS_PER_RECEIVE_SOCKET, 'sessionsPerReceiveSocket', 1_000_000),
    maxReceiveSockets: positiveInt(options.maxReceiveSockets ?? BFD_MAX_RECEIVE_SOCKETS, 'maxReceiveSockets', 1024),
  };

  const transport: UdpBfdTransport = {
    onError: options.onError,
    get ttlFilterAvailable(): boolean {
      return ttlFilter === 'auto' && udpTtlFilterAvailable();
    },
    listen: (listenOptions, onPacket) => listen(transport, listenOptions, onPacket, scaling),
    openSender: (senderOptions) => openSender(transport, senderOptions, pickSourcePort),
  };
  return transport;
}

/**
 * Reports an error to the transport's handler: `code` is the OS error name (e.g. "EMSGSIZE"), else
 * Node's code (e.g. "ERR_SOCKET_DGRAM_NOT_RUNNING"), else `fallbackCode`. The handler's own
 * exceptions are not caught.
 */
function report(transport: BfdTransport, error: unknown, fallbackCode: string, where: { localAddress: string; peerAddress?: string | undefined }): void {
  const own = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const code = systemCodeOf(error) ?? (typeof own === 'string' ? own : fallbackCode);
  const message = error instanceof Error ? error.message : String(error);
  transport.onError?.({ code, message, localAddress: where.localAddress, peerAddress: where.peerAddress });
}

async function listen(transport: UdpBfdTransport, options: BfdListenOptions, onPacket: BfdPacketHandler, scaling: ReceiveScaling): Promise<BfdListener> {
  const { localAddress, multihop } = options;
  const family = addressFamily(localAddress, 'localAddress');
  const port = checkPort(options.port ?? (multihop ? BFD_MULTIHOP_CONTROL_PORT : BFD_SINGLE_HOP_CONTROL_PORT));
  checkMinTtl(options.minTtl);
  if (typeof onPacket !== 'function') throw new BfdError('ERR_BFD_INVALID_ARGUMENT', 'onPacket must be a function');

  const ttlEnforced = transport.ttlFilterAvailable;
  // A group of SO_REUSEPORT sockets needs the addon (Node 20's dgram cannot set the option).
  const grouped = ttlEnforced && scaling.maxReceiveSockets > 1;
  if (grouped) {
    // SO_REUSEPORT would let us join another process's group (same user) and share its traffic
    // silently. A plain bind first keeps the EADDRINUSE check of a single socket.
    try {
      closeSocketFd(createUdpSocketFd(family, localAddress, port, 0, false));
    } catch (e) {
      throw bindFailed(localAddress, port, e);
    }
  }
  let minTtl = options.minTtl;
  const where = { localAddress };
  const onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    onPacket(msg, { peerAddress: rinfo.address, peerPort: rinfo.port, localAddress, multihop, ttl: undefined });
  };

  const sockets: { socket: Socket; fd: number | undefined }[] = [];
  const openOne = async (): Promise<void> => {
    let fd: number | undefined;
    if (ttlEnforced) {
      try {
        fd = createUdpSocketFd(family, localAddress, port, minTtl, grouped);
      } catch (e) {
        throw bindFailed(localAddress, port, e);
      }
    }
    const socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
    try {
      await bindSocket(socket, fd === undefined ? { address: localAddress, port, exclusive: true } : { fd });
    } catch (e) {
      // dgram never took the fd over when opening it failed (it throws before owning it)
      if (fd !== undefined) closeSocketFd(fd);
      await closeQuietly(socket);
      throw bindFailed(localAddress, port, e);
    }
    raiseReceiveBuffer(socket);
    socket.on('message', onMessage);
    socket.on('error', (e) => report(transport, e, 'ERR_BFD_SOCKET', where));
    sockets.push({ socket, fd });
    // a minimum TTL changed while this socket was being bound
    if (fd !== undefined && minTtl !== options.minTtl) setUdpSocketMinTtl(fd, minTtl);
  };
  await openOne();

  let closing: Promise<void> | undefined;
  let growing: Promise<void> = Promise.resolve();
  let wanted = 1;
  let scaleFailed = false;
  return {
    ttlEnforced,
    get receiveSockets(): number {
      return sockets.length;
    },
    setMinTtl(newMinTtl: number): void {
      checkMinTtl(newMinTtl);
      // after close the fd numbers may already belong to other sockets: leave them alone
      if (!ttlEnforced || closing !== undefined) return;
      minTtl = newMinTtl;
      for (const { fd } of sockets) {
        try {
          if (fd !== undefined) setUdpSocketMinTtl(fd, newMinTtl);
        } catch (e) {
          throw new BfdSocketError('ERR_BFD_SOCKET_OPTION', `setting the minimum received TTL of the BFD listener on ${hostPort(localAddress, port)} to ${newMinTtl} failed: ${messageOf(e)}`, {
            localAddress,
            port,
            cause: e,
          });
        }
      }
    },
    setSessionCount(count: number): Promise<void> {
      if (!grouped || closing !== undefined || scaleFailed) return growing;
      const target = Math.min(scaling.maxReceiveSockets, Math.max(1, Math.ceil(count / scaling.sessionsPerReceiveSocket)));
      if (target <= wanted) return growing;
      wanted = target;
      growing = growing.then(async () => {
        while (sockets.length < wanted && closing === undefined && !scaleFailed) {
          try {
            await openOne();
          } catch (e) {
            // the sockets already open keep working; report once and stop growing
            scaleFailed = true;
            report(transport, e, 'ERR_BFD_BIND_FAILED', where);
          }
        }
      });
      return growing;
    },
    close(): Promise<void> {
      closing ??= growing.then(() => Promise.all(sockets.map(({ socket }) => closeQuietly(socket)))).then(() => undefined);
      return closing;
    },
  };
}

async function openSender(transport: BfdTransport, options: BfdSenderOptions, pickSourcePort: () => number): Promise<BfdSender> {
  const { localAddress, peerAddress } = options;
  const family = addressFamily(localAddress, 'localAddress');
  if (addressFamily(peerAddress, 'peerAddress') !== family) {
    throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `localAddress ${localAddress} and peerAddress ${peerAddress} are not of the same address family`);
  }
  const destinationPort = checkPort(options.port ?? (options.multihop ? BFD_MULTIHOP_CONTROL_PORT : BFD_SINGLE_HOP_CONTROL_PORT));
  const ttl = options.ttl;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 255) throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `ttl must be an integer from 1 to 255, not ${String(ttl)}`);

  const { socket, sourcePort } = await bindSourcePort(family, localAddress, pickSourcePort);
  try {
    socket.setTTL(ttl);
  } catch (e) {
    await closeQuietly(socket);
    throw new BfdSocketError('ERR_BFD_SOCKET_OPTION', `setting the TTL of the BFD sender on ${hostPort(localAddress, sourcePort)} to ${ttl} failed: ${messageOf(e)}`, {
      localAddress,
      port: sourcePort,
      cause: e,
      rfc: 'RFC 5881 s5',
    });
  }

  const where = { localAddress, peerAddress };
  // anything arriving on the sender's port is ignored (dgram drops messages nobody listens to)
  socket.on('error', (e) => report(transport, e, 'ERR_BFD_SOCKET', where));
  let closing: Promise<void> | undefined;
  // sends not yet handed to the kernel (dgram sends asynchronously): close() waits for them, so
  // the AdminDown a closing session sends last is not dropped
  let inFlight = 0;
  let drained: (() => void) | undefined;
  return {
    sourcePort,
    send(bytes: Uint8Array): void {
      if (closing !== undefined) {
        report(transport, new Error(`the BFD sender ${hostPort(localAddress, sourcePort)} -> ${hostPort(peerAddress, destinationPort)} is closed`), 'ERR_BFD_SENDER_CLOSED', where);
        return;
      }
      let failure: unknown;
      try {
        // a copy: dgram reads the bytes only after an asynchronous address lookup
        inFlight++;
        socket.send(Buffer.from(bytes), destinationPort, peerAddress, (e) => {
          if (--inFlight === 0) drained?.();
          if (e) report(transport, e, 'ERR_BFD_SEND_FAILED', where);
        });
        return;
      } catch (e) {
        failure = e;
        if (--inFlight === 0) drained?.();
      }
      report(transport, failure, 'ERR_BFD_SEND_FAILED', where);
    },
    close(): Promise<void> {
      // bounded: a send the kernel never completes does not hold the close up for more than 200 ms
      closing ??= (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => ((drained = r), setTimeout(r, 200).unref()))).then(() => closeQuietly(socket));
      return closing;
    },
  };
}

/** A socket bound to `localAddress` and a random free source port, trying a bounded number of ports. */
async function bindSourcePort(family: 4 | 6, localAddress: string, pickSourcePort: () => number): Promise<{ socket: Socket; sourcePort: number }> {
  let lastPort: number | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < BFD_SOURCE_PORT_ATTEMPTS; attempt++) {
    const port = pickSourcePort();
    if (!Number.isInteger(port) || port < BFD_SOURCE_PORT_MIN || port > BFD_SOURCE_PORT_MAX) {
      throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `pickSourcePort gave ${String(port)}, not a port in ${BFD_SOURCE_PORT_MIN}-${BFD_SOURCE_PORT_MAX}`, { rfc: 'RFC 5881 s4' });
    }
    const socket = createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
    try {
      await bindSocket(socket, { address: localAddress, port, exclusive: true });
      return { socket, sourcePort: port };
    } catch (e) {
      await closeQuietly(socket);
      if (systemCodeOf(e) !== 'EADDRINUSE') throw bindFailed(localAddress, port, e);
      lastPort = port;
      lastError = e;
    }
  }
  throw new BfdSocketError(
    'ERR_BFD_NO_SOURCE_PORT',
    `no free UDP source port for a BFD sender on ${localAddress}: ${BFD_SOURCE_PORT_ATTEMPTS} random ports in ${BFD_SOURCE_PORT_MIN}-${BFD_SOURCE_PORT_MAX} were in use (EADDRINUSE)`,
    { localAddress, port: lastPort, cause: lastError, rfc: 'RFC 5881 s4' },
  );
}

/**
 * One listener serves every session on its address: at 1000 sessions x 50 ms that is 20,000
 * packets/s, and the default receive buffer (about 200 KiB, a few hundred datagrams) overflows
 * during a 20 ms pause of the event loop. Ask for 4 MiB; the kernel caps it at net.core.rmem_max
 * (a refusal is harmless: the default stays).
 */
export const BFD_LISTENER_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

function raiseReceiveBuffer(socket: Socket): void {
  try {
    if (socket.getRecvBufferSize() < BFD_LISTENER_RECEIVE_BUFFER_BYTES) socket.setRecvBufferSize(BFD_LISTENER_RECEIVE_BUFFER_BYTES);
  } catch {
    // keep the default
  }
}

/** Binds and resolves once listening; rejects with the bind error (synchronous or emitted). */
function bindSocket(socket: Socket, options: { address: string; port: number; exclusive: boolean } | { fd: number }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    socket.once('error', onError);
    try {
      socket.bind(options, () => {
        socket.off('error', onError);
        resolve();
      });
    } catch (e) {
      socket.off('error', onError);
      reject(e);
    }
  });
}

/** Closes a dgram socket; resolves when it is closed (at once when it already was). */
function closeQuietly(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed
      resolve();
    }
  });
}

function bindFailed(localAddress: string, port: number, cause: unknown): BfdSocketError {
  const code = systemCodeOf(cause);
  return new BfdSocketError('ERR_BFD_BIND_FAILED', `binding a BFD UDP socket to ${hostPort(localAddress, port)} failed${code === undefined ? '' : ` (${code})`}: ${messageOf(cause)}`, {
    localAddress,
    port,
    cause,
  });
}

function addressFamily(address: string, name: string): 4 | 6 {
  const family = typeof address === 'string' ? isIP(address) : 0;
  if (family === 4 || family === 6) return family;
  throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `${name} must be an IPv4 or IPv6 address, not ${String(address)}`);
}

function checkPort(port: number): number {
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `port must be an integer from 1 to 65535, not ${String(port)}`);
}

function positiveInt(value: number, name: string, max: number): number {
  if (Number.isInteger(value) && value >= 1 && value <= max) return value;
  throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `${name} must be an integer from 1 to ${max}, not ${String(value)}`);
}

function checkMinTtl(minTtl: number): void {
  if (!Number.isInteger(minTtl) || minTtl < 0 || minTtl > 255) {
    throw new BfdError('ERR_BFD_INVALID_ARGUMENT', `minTtl must be an integer from 0 to 255, not ${String(minTtl)}`);
  }
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The OS error name of a Node or addon error ("EADDRINUSE"), or of a SocketOptionError's cause. */
function systemCodeOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const { code, systemCode } = e as { code?: unknown; systemCode?: unknown };
  if (typeof systemCode === 'string') return systemCode;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
