/**
 * `tsbgp/testing`: helpers for tests and benchmarks of code built on tsbgp: a ManualClock that
 * moves only when told, an in-memory network for sessions, and deterministic message generators.
 */
export * from './random-updates.js';
export * from './manual-clock.js';
export * from './memory-transport.js';
