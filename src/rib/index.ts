/**
 * `tsbgp/rib`: routing information bases, sans-I/O. The per-peer Adj-RIB-Out (desired state or
 * incremental, diffed against what was sent and packed into UPDATEs) and Adj-RIB-In (routes the
 * peer sent, with graceful-restart stale marking), which the session layer drives, and the
 * Loc-RIB: the RFC 4271 s9.1 decision process with a multipath (ECMP) set.
 */
export * from './advertisement.js';
export * from './adj-rib-out.js';
export * from './adj-rib-in.js';
export * from './decision-process.js';
export * from './loc-rib.js';
export * from './path-summary.js';
