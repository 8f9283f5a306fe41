/**
 * The public shapes of a BgpSession: its options, `stop()` options, counters and the snapshot a
 * new subscriber asks for. Types only.
 */
import type { Clock, RandomSource } from '../../clock/clock.js';
import type { Connector } from '../transport/connection.js';
import type { BgpStateName } from './bgp-state.js';
import type { TimerName } from './fsm.js';
import type { BgpPeerConfig } from './session-config.js';
import type { PrefixCountsSnapshot } from './max-prefixes.js';

export interface BgpSessionOptions extends BgpPeerConfig {
  /** Default: the real clock. Tests pass a ManualClock. */
  readonly clock?: Clock | undefined;
  /** Uniform [0, 1) for RFC 4271 s10 jitter. Default Math.random. */
  readonly random?: RandomSource | undefined;
  /** Opens outbound TCP connections. Default: node:net (`createTcpTransport()`), loaded lazily. */
  readonly connector?: Connector | undefined;
  /** Runs a callback soon, letting I/O in between (long inputs are processed in slices). Default setImmediate. */
  readonly defer?: ((callback: () => void) => void) | undefined;
  /** Keep the routes the peer sends (Adj-RIB-In; needed for graceful-restart stale marking). Default true. */
  readonly keepAdjRibIn?: boolean | undefined;
  /** Next-hop self addresses; default the local address of the TCP connection (IPv4-mapped for IPv6 prefixes over IPv4). */
  readonly nextHopSelf?: { readonly ipv4?: string | undefined; readonly ipv6?: string | undefined } | undefined;
}

export interface StopOptions {
  /** RFC 9003 shutdown communication sent with Cease / Administrative Shutdown (at most 255 octets of UTF-8). */
  readonly message?: string | undefined;
  /** RFC 8326: re-announce every route with GRACEFUL_SHUTDOWN and wait this long first (default config.gracefulShutdownWaitSec). */
  readonly gracefulShutdownWaitSec?: number | undefined;
  /** Send Cease / Hard Reset (RFC 8538) instead of Administrative Shutdown: the peer drops our routes even when it would keep them. */
  readonly hardReset?: boolean | undefined;
}

export interface SessionStats {
  messagesIn: number;
  messagesOut: number;
  updatesIn: number;
  updatesOut: number;
  notificationsIn: number;
  notificationsOut: number;
  bytesIn: number;
  bytesOut: number;
  establishedTransitions: number;
}

export interface SessionSnapshot {
  readonly peer: string;
  readonly state: BgpStateName;
  /** Milliseconds since the last state change (on the session's clock). */
  readonly stateForMs: number;
  readonly lastError: string | undefined;
  readonly connectRetryCounter: number;
  /** Consecutive drops counted by the IdleHold backoff. */
  readonly flaps: number;
  /** Remaining milliseconds of the running timers. */
  readonly timers: Readonly<Partial<Record<TimerName, number>>>;
  readonly negotiated: Record<string, unknown> | undefined;
  readonly stats: Readonly<SessionStats>;
  readonly adjRibIn: { readonly routes: number; readonly stale: number };
  /** Adj-RIB-In routes per family (`ipv4-unicast`, `ipv6-unicast`, else `afi/safi`) with the maximum-prefix limit (RFC 4486), if any. */
  readonly prefixes: PrefixCountsSnapshot;
  readonly adjRibOut: { readonly routes: number; readonly pending: number };
  readonly connection: { readonly localAddress: string; readonly localPort: number; readonly remoteAddress: string; readonly remotePort: number; readonly direction: string } | undefined;
}
