/**
 * tsbgp: a BGP and BFD protocol library for Node.js. The root entry point re-exports the BGP
 * codec and session layer, the RIB and the clock; `tsbgp/bgp`, `tsbgp/bfd`, `tsbgp/rib` and `tsbgp/testing` are the subpath entry points.
 */
export * from './bgp/index.js';
export * from './rib/index.js';
export * from './clock/index.js';
