/**
 * `tsbgp/testing`: helpers for tests and benchmarks of code built on tsbgp: deterministic
 * message generators. (The ManualClock arrives with the session issue.)
 */
export * from './random-updates.js';
