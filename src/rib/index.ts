/**
 * `tsbgp/rib`: routing information bases, sans-I/O. So far the per-peer Adj-RIB-Out (routes we
 * announce, diffed against what was sent and packed into UPDATEs) and Adj-RIB-In (routes the
 * peer sent, with graceful-restart stale marking), which the session layer drives. The Loc-RIB
 * (best path, multipath) arrives with the RIB issue (docs/rfc-status.md tracks it).
 */
export * from './advertisement.js';
export * from './adj-rib-out.js';
export * from './adj-rib-in.js';
