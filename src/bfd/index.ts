/**
 * `tsbgp/bfd`: BFD (RFC 5880 / 5881 / 5883). Not implemented yet: the control packet codec, the
 * state machine and the UDP transport arrive with the BFD issue (docs/rfc-status.md tracks it).
 * This entry point exists so the package layout and `exports` are stable; it exports nothing.
 */
export {};
