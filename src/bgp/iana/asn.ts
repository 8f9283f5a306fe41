/** Special-purpose AS numbers (IANA registry). */

/** AS_TRANS (RFC 6793): stands in for a 4-octet ASN in 2-octet fields (OPEN, AS_PATH, AGGREGATOR). */
export const AS_TRANS = 23456;
