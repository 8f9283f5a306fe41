/**
 * `tsbgp/rib`: Adj-RIB-In, Adj-RIB-Out and Loc-RIB. Not implemented yet: they arrive with the RIB
 * issue (docs/rfc-status.md tracks it). This entry point exists so the package layout and
 * `exports` are stable; it exports nothing.
 */
export {};
