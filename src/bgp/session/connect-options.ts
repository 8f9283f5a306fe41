/**
 * Where and how a session's outbound TCP connection goes, from the peer configuration: the
 * transport's ConnectOptions (endpoints, TTL / GTSM, TCP-MD5, handshake timeout). Pure.
 */
import type { ConnectOptions } from '../transport/connection.js';
import type { ResolvedPeerConfig } from './session-config.js';

/** The handshake gives up after the ConnectRetryTime, at most 30 s. */
export function connectOptions(c: ResolvedPeerConfig): ConnectOptions {
  return {
    peerAddress: c.peerAddress,
    peerPort: c.peerPort,
    localAddress: c.localAddress,
    localPort: c.localPort,
    ttl: c.ttl,
    ttlSecurityHops: c.ttlSecurityHops,
    md5Password: c.password,
    connectTimeoutMs: Math.min(30_000, c.connectRetryTimeSec * 1000),
  };
}
