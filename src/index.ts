/**
 * tsbgp: a BGP and BFD protocol library for Node.js. The root entry point re-exports the BGP
 * codec and session layer, the MetalLB-compatible speaker, BFD (the BFD state machine's `step` as `bfdStep`), the RIB and the clock; `tsbgp/bgp`, `tsbgp/bfd`, `tsbgp/rib`, `tsbgp/metallb` and `tsbgp/testing` are the subpath entry points.
 */
export * from './bgp/index.js';
export * from './rib/index.js';
export * from './clock/index.js';
export * from './bfd/index.js';
export * from './metallb/index.js';
