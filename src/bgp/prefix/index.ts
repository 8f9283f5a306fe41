/** Prefixes and addresses: compact numeric forms for the hot path, text at the edges. */
export * from './address.js';
export * from './prefix-list.js';
