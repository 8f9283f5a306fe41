/**
 * MetalLB's community text: "65000:100" (RFC 1997, two 16-bit halves), "large:1:2:3" (RFC 8092,
 * three 32-bit parts) or the name of an alias from a Community resource. As an extension, the
 * RFC well-known names ("NO_EXPORT", "no-advertise", ...) are accepted where no alias has the name.
 */
import { formatCommunity, parseCommunity } from '../bgp/codec/attributes/communities.js';

export type BgpCommunity = { readonly kind: 'standard'; readonly value: string } | { readonly kind: 'large'; readonly value: string };

const U16 = /^\d+$/;
const U32 = /^\d+$/;

/** Parses a community value (not an alias); returns the problem text when it is not one. */
export function parseMetalLbCommunity(text: string): BgpCommunity | string {
  const parts = text.split(':');
  if (parts.length === 2) {
    if (parts.every((p) => U16.test(p) && Number(p) <= 0xffff)) return { kind: 'standard', value: `${Number(parts[0])}:${Number(parts[1])}` };
    return `invalid community value ${JSON.stringify(text)}: each part of ASN:VALUE must be 0..65535`;
  }
  if (parts.length === 4) {
    if (parts[0] !== 'large') return `invalid community value ${JSON.stringify(text)}: a large community is written large:<uint32>:<uint32>:<uint32>`;
    if (parts.slice(1).every((p) => U32.test(p) && Number(p) <= 0xffffffff)) return { kind: 'large', value: parts.slice(1).map(Number).join(':') };
    return `invalid community value ${JSON.stringify(text)}: each part of large:A:B:C must be 0..4294967295`;
  }
  if (parts.length === 1 && !/^\d+$/.test(text)) {
    try {
      return { kind: 'standard', value: formatCommunity(parseCommunity(text)) };
    } catch {
      // not a well-known name either
    }
  }
  return `invalid community format ${JSON.stringify(text)}: expected ASN:VALUE ("65000:100"), large:A:B:C ("large:65000:1:2"), a well-known name or a Community alias`;
}

/** True when the text has the shape of a value rather than of an alias name (MetalLB's ErrInvalidCommunityValue vs Format). */
export function looksLikeCommunityValue(text: string): boolean {
  const n = text.split(':').length;
  return n === 2 || n === 4;
}
