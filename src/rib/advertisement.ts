/**
 * An advertisement as an embedder states it (prefix, next hop, origin, AS-path prepend, MED,
 * LOCAL_PREF, communities), its validation, and its translation into the path attributes sent to
 * one peer: next-hop self by default, our AS prepended for eBGP, LOCAL_PREF only for iBGP
 * (RFC 4271 s5.1.5), AS_TRANS + AS4_PATH towards a peer without 4-octet AS (RFC 6793 s4.2.2).
 * Pure functions; no state.
 */
import { BgpError } from '../bgp/errors.js';
import { AS_TRANS } from '../bgp/iana/asn.js';
import { formatIpv4, formatIpv6Words, parseAddress } from '../bgp/prefix/address.js';
import { type ParsedPrefix, parsePrefix } from '../bgp/prefix/prefix-list.js';
import { parseCommunity } from '../bgp/codec/attributes/communities.js';
import { type LargeCommunity, parseLargeCommunity } from '../bgp/codec/attributes/large-community.js';
import { AsPathSegmentType, type AsPathSegment } from '../bgp/codec/attributes/as-path-segments.js';
import type { PathAttribute } from '../bgp/codec/attributes/path-attribute.js';
import { Origin } from '../bgp/codec/attributes/origin.js';

export type OriginName = 'igp' | 'egp' | 'incomplete';

export interface Advertisement {
  /** "203.0.113.5/32" or "2001:db8::/64". */
  readonly prefix: string;
  /** RFC 7911 path identifier, for several paths of one prefix (sent only where ADD-PATH send is negotiated). */
  readonly pathId?: number | undefined;
  /** Default: next-hop self (the session's local address of the prefix's family). */
  readonly nextHop?: string | undefined;
  /** IPv6 only: a link-local next hop sent beside the global one (RFC 2545). */
  readonly nextHopLinkLocal?: string | undefined;
  /** Default igp. */
  readonly origin?: OriginName | undefined;
  /** Extra AS_PATH prepends: `count` times `asn` (default our AS). */
  readonly asPathPrepend?: { readonly count: number; readonly asn?: number | undefined } | undefined;
  readonly med?: number | undefined;
  /** Sent to iBGP peers only. Default 100 there. */
  readonly localPref?: number | undefined;
  /** "65000:100", well-known names ("NO_EXPORT", "GRACEFUL_SHUTDOWN") or decimal. */
  readonly communities?: readonly string[] | undefined;
  /** "65000:1:2". */
  readonly largeCommunities?: readonly string[] | undefined;
}

/** A validated advertisement: prefix parsed, communities as numbers. Frozen; shared freely. */
export interface NormalizedAdvertisement {
  readonly key: string;
  readonly prefix: ParsedPrefix;
  readonly prefixText: string;
  readonly afi: 1 | 2;
  readonly pathId: number;
  readonly nextHop: string | undefined;
  readonly nextHopLinkLocal: string | undefined;
  readonly origin: number;
  readonly prependCount: number;
  readonly prependAsn: number | undefined;
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly communities: readonly number[];
  readonly largeCommunities: readonly LargeCommunity[];
  /** Identity of the attribute set (everything but prefix and path id). */
  readonly attributeKey: string;
}

function advError(field: string, message: string): BgpError {
  return new BgpError('ERR_RIB_BAD_ADVERTISEMENT', `${field}: ${message}`);
}

function uint(v: unknown, field: string, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw advError(field, `must be an integer in 0..${max} (got ${JSON.stringify(v)})`);
  return v;
}

/** Canonical text of a parsed prefix, with host bits that must be zero checked. */
function canonicalPrefix(text: string): { parsed: ParsedPrefix; text: string } {
  const parsed = parsePrefix(text);
  const words = [...parsed.words];
  const bits = parsed.afi === 1 ? 32 : 128;
  for (let i = 0; i < words.length; i++) {
    const lo = i * 32;
    const keep = Math.max(0, Math.min(32, parsed.length - lo));
    const mask = keep === 0 ? 0 : keep === 32 ? 0xffffffff : (~0 << (32 - keep)) >>> 0;
    if (((words[i]! & ~mask) >>> 0) !== 0) {
      throw new BgpError('ERR_BGP_BAD_PREFIX', `bad prefix ${JSON.stringify(text)}: bits set past the /${parsed.length} (of ${bits})`);
    }
  }
  const addr = parsed.afi === 1 ? formatIpv4(words[0]!) : formatIpv6Words(words[0]!, words[1]!, words[2]!, words[3]!);
  const out = `${addr}/${parsed.length}`;
  return { parsed, text: out };
}

const ORIGINS: Readonly<Record<OriginName, number>> = { igp: Origin.IGP, egp: Origin.EGP, incomplete: Origin.INCOMPLETE };

/** Validates an advertisement. Throws ERR_RIB_BAD_ADVERTISEMENT / ERR_BGP_BAD_PREFIX / ERR_BGP_BAD_COMMUNITY naming the field. */
export function normalizeAdvertisement(a: Advertisement): NormalizedAdvertisement {
  if (typeof a !== 'object' || a === null) throw advError('advertisement', 'must be an object');
  if (typeof a.prefix !== 'string') throw advError('prefix', 'must be a prefix such as "203.0.113.5/32"');
  const { parsed, text } = canonicalPrefix(a.prefix);
  const pathId = uint(a.pathId, 'pathId', 0xffffffff) ?? 0;
  const checkNh = (v: unknown, field: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw advError(field, 'must be an IP address');
    try {
      parseAddress(v);
    } catch {
      throw advError(field, `must be an IP address (got ${JSON.stringify(v)})`);
    }
    return v;
  };
  const nextHop = checkNh(a.nextHop, 'nextHop');
  if (nextHop !== undefined && parsed.afi === 1 && nextHop.includes(':')) {
    throw advError('nextHop', `an IPv4 prefix needs an IPv4 next hop (got ${nextHop}; RFC 8950 IPv6 next hops are not offered)`);
  }
  const nextHopLinkLocal = checkNh(a.nextHopLinkLocal, 'nextHopLinkLocal');
  if (nextHopLinkLocal !== undefined && (parsed.afi !== 2 || !nextHopLinkLocal.toLowerCase().startsWith('fe80'))) {
    throw advError('nextHopLinkLocal', 'only for IPv6 prefixes, and must be an fe80::/10 address');
  }
  let origin: number = Origin.IGP;
  if (a.origin !== undefined) {
    const o = ORIGINS[a.origin];
    if (o === undefined) throw advError('origin', `must be igp, egp or incomplete (got ${JSON.stringify(a.origin)})`);
    origin = o;
  }
  let prependCount = 0;
  let prependAsn: number | undefined;
  if (a.asPathPrepend !== undefined) {
    prependCount = uint(a.asPathPrepend.count, 'asPathPrepend.count', 64) ?? 0;
    prependAsn = uint(a.asPathPrepend.asn, 'asPathPrepend.asn', 0xffffffff);
    if (prependAsn === 0) throw advError('asPathPrepend.asn', 'must not be 0');
  }
  const med = uint(a.med, 'med', 0xffffffff);
  const localPref = uint(a.localPref, 'localPref', 0xffffffff);
  const communities = [...new Set((a.communities ?? []).map((c) => parseCommunity(c)))].sort((x, y) => x - y);
  const largeSeen = new Map<string, LargeCommunity>();
  for (const c of a.largeCommunities ?? []) {
    const l = parseLargeCommunity(c);
    largeSeen.set(l.join(':'), l);
  }
  const largeCommunities = [...largeSeen.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const attributeKey = JSON.stringify([nextHop ?? null, nextHopLinkLocal ?? null, origin, prependCount, prependAsn ?? null, med ?? null, localPref ?? null, communities, largeCommunities]);
  return Object.freeze({
    key: `${text}#${pathId}`,
    prefix: parsed,
    prefixText: text,
    afi: parsed.afi,
    pathId,
    nextHop,
    nextHopLinkLocal,
    origin,
    prependCount,
    prependAsn,
    med,
    localPref,
    communities,
    largeCommunities,
    attributeKey,
  });
}

/** What the attributes depend on besides the advertisement: the session they go out on. */
export interface PeerView {
  readonly localAsn: number;
  readonly external: boolean;
  readonly fourOctetAs: boolean;
  /** Next-hop self for IPv4 prefixes. */
  readonly nextHopSelf4: string | undefined;
  /** Next-hop self for IPv6 prefixes. */
  readonly nextHopSelf6: string | undefined;
}

/**
 * The path attributes (without NLRI) for one advertisement towards one peer. IPv6 prefixes get
 * an MP_REACH_NLRI whose `nlri` is empty: the packer fills it. Throws ERR_RIB_NO_NEXT_HOP when no
 * next hop is known for the family.
 */
export function attributesFor(a: NormalizedAdvertisement, peer: PeerView, extraCommunities: readonly number[] = []): PathAttribute[] {
  const attrs: PathAttribute[] = [{ type: 'ORIGIN', origin: a.origin as 0 | 1 | 2 }];
  const asns: number[] = [];
  if (peer.external) asns.push(peer.localAsn);
  for (let i = 0; i < a.prependCount; i++) asns.push(a.prependAsn ?? peer.localAsn);
  const segments: AsPathSegment[] = asns.length === 0 ? [] : [{ type: AsPathSegmentType.AS_SEQUENCE, asns }];
  if (!peer.fourOctetAs && asns.some((x) => x > 0xffff)) {
    attrs.push({ type: 'AS_PATH', segments: segments.map((s) => ({ type: s.type, asns: s.asns.map((x) => (x > 0xffff ? AS_TRANS : x)) })) });
  } else {
    attrs.push({ type: 'AS_PATH', segments });
  }
  const nh = a.nextHop ?? (a.afi === 1 ? peer.nextHopSelf4 : peer.nextHopSelf6);
  if (nh === undefined) {
    throw new BgpError('ERR_RIB_NO_NEXT_HOP', `no ${a.afi === 1 ? 'IPv4' : 'IPv6'} next hop for ${a.prefixText}: set nextHop (the session has no local ${a.afi === 1 ? 'IPv4' : 'IPv6'} address)`);
  }
  if (a.afi === 1) attrs.push({ type: 'NEXT_HOP', nextHop: nh });
  if (a.med !== undefined) attrs.push({ type: 'MULTI_EXIT_DISC', med: a.med });
  if (!peer.external) attrs.push({ type: 'LOCAL_PREF', localPref: a.localPref ?? 100 });
  const comms = extraCommunities.length === 0 ? a.communities : [...new Set([...a.communities, ...extraCommunities])].sort((x, y) => x - y);
  if (comms.length > 0) attrs.push({ type: 'COMMUNITIES', communities: comms });
  if (a.afi === 2) {
    const nextHop = a.nextHopLinkLocal === undefined ? [nh] : [nh, a.nextHopLinkLocal];
    attrs.push({ type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop, nlri: undefined as never } as PathAttribute);
  }
  if (!peer.fourOctetAs && asns.some((x) => x > 0xffff)) attrs.push({ type: 'AS4_PATH', segments });
  if (a.largeCommunities.length > 0) attrs.push({ type: 'LARGE_COMMUNITY', communities: a.largeCommunities });
  // Canonical order: by type code (RFC 4271 s5 recommends ascending order).
  return attrs.sort((x, y) => typeCode(x) - typeCode(y));
}

const CODES: Readonly<Record<string, number>> = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  COMMUNITIES: 8,
  MP_REACH_NLRI: 14,
  AS4_PATH: 17,
  LARGE_COMMUNITY: 32,
};

function typeCode(a: PathAttribute): number {
  return CODES[a.type] ?? 255;
}
