/**
 * `tsbgp/testing`: helpers for tests and benchmarks of code built on tsbgp: a ManualClock that
 * moves only when told, in-memory networks for BGP sessions and BFD endpoints, and deterministic message generators.
 */
export * from './random-updates.js';
export * from './manual-clock.js';
export * from './memory-transport.js';
export * from './memory-bfd-network.js';
