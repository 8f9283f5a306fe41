/**
 * tsbgp: a BGP and BFD protocol library for Node.js. The root entry point re-exports the BGP
 * codec; `tsbgp/bgp`, `tsbgp/bfd`, `tsbgp/rib` and `tsbgp/testing` are the subpath entry points.
 */
export * from './bgp/index.js';
