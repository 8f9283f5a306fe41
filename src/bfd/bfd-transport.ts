/**
 * The I/O boundary of BFD: what a BfdEndpoint needs from the network, as an interface, so the
 * endpoint and its sessions stay testable on a ManualClock with an in-memory network
 * (`MemoryBfdNetwork` in `tsbgp/testing`) and run over UDP in production (`createUdpBfdTransport`).
 *
 * Owns only types. Receiving is shared: one listener per (control port, family, local address),
 * used by every session on it. Sending is per session: each session has its own sender with its
 * own UDP source port (RFC 5881 s4: 49152-65535, the same for the whole session).
 */

/** Where a received Control packet came from and how it arrived. */
export interface BfdPacketMeta {
  /** Source address (IPv6 link-local with `%zone` when the transport knows it). */
  readonly peerAddress: string;
  readonly peerPort: number;
  /** The listener's local address: the destination the packet was sent to. */
  readonly localAddress: string;
  /** Arrived on the multihop port (RFC 5883, 4784) rather than the single-hop one (3784). */
  readonly multihop: boolean;
  /**
   * The received TTL / hop limit, when the transport can read it; undefined otherwise. A transport
   * that filters by TTL in the kernel (see `BfdListenOptions.minTtl`) never delivers a packet
   * below the listener's minimum.
   */
  readonly ttl?: number | undefined;
}

export type BfdPacketHandler = (bytes: Uint8Array, meta: BfdPacketMeta) => void;

export interface BfdListenOptions {
  readonly localAddress: string;
  readonly multihop: boolean;
  /** UDP port; default 3784 (single hop) or 4784 (multihop). Tests use high ports. */
  readonly port?: number | undefined;
  /**
   * Drop packets whose TTL / hop limit is below this (single hop: 255, RFC 5881 s5; multihop:
   * the configured minimum). 0 disables the check.
   */
  readonly minTtl: number;
}

export interface BfdListener {
  /** Whether the minimum TTL is enforced (false when the transport cannot see the TTL). */
  readonly ttlEnforced: boolean;
  /** Changes the minimum TTL (the endpoint lowers/raises it as multihop sessions come and go). */
  setMinTtl(minTtl: number): void;
  /**
   * Optional: told how many sessions share the listener (after each add), so a transport can
   * spread the receive load (the UDP transport opens more SO_REUSEPORT sockets). Never throws;
   * failures go to `onError`. Resolves when the listener has grown.
   */
  setSessionCount?(count: number): Promise<void>;
  /** Optional: how many sockets receive for this listener now. */
  readonly receiveSockets?: number | undefined;
  close(): Promise<void>;
}

export interface BfdSenderOptions {
  readonly localAddress: string;
  readonly peerAddress: string;
  readonly multihop: boolean;
  /** Destination UDP port; default 3784 / 4784. */
  readonly port?: number | undefined;
  /** IP TTL / hop limit of sent packets; 255 (RFC 5881 s5, and what FRR and BIRD expect). */
  readonly ttl: number;
}

export interface BfdSender {
  /** The UDP source port, in 49152-65535 for UDP. */
  readonly sourcePort: number;
  /** Sends one Control packet; never throws (errors go to the transport's error handler). */
  send(bytes: Uint8Array): void;
  close(): Promise<void>;
}

/** A send failure or a socket error, reported to the endpoint (never thrown from `send`). */
export interface BfdTransportError {
  readonly code: string;
  readonly message: string;
  readonly localAddress?: string | undefined;
  readonly peerAddress?: string | undefined;
}

export interface BfdTransport {
  listen(options: BfdListenOptions, onPacket: BfdPacketHandler): Promise<BfdListener>;
  openSender(options: BfdSenderOptions): Promise<BfdSender>;
  /** Called with asynchronous send / socket errors. */
  onError?: ((error: BfdTransportError) => void) | undefined;
}
