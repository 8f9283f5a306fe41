/**
 * An advertisement as an embedder states it (prefix, next hop, origin, AS-path prepend, MED,
 * LOCAL_PREF, communities standard / extended / large, aggregation, a peers filter), its
 * validation, merging two advertisements of one path, and its translation into the path
 * attributes sent to one peer: next-hop self by default, our AS prepended for eBGP, LOCAL_PREF
 * only for iBGP (RFC 4271 s5.1.5), AS_TRANS + AS4_PATH towards a peer without 4-octet AS
 * (RFC 6793 s4.2.2). Pure functions; no state.
 */
import { BgpError } from '../bgp/errors.js';
import { AS_TRANS } from '../bgp/iana/asn.js';
import { formatIpv4, formatIpv6Words, parseAddress } from '../bgp/prefix/address.js';
import { canonicalIpv4ToU32 } from '../bgp/codec/bytes.js';
import { type ParsedPrefix, parsePrefix } from '../bgp/prefix/prefix-list.js';
import { parseCommunity } from '../bgp/codec/attributes/communities.js';
import { type LargeCommunity, parseLargeCommunity } from '../bgp/codec/attributes/large-community.js';
import { type ExtendedCommunity, formatExtendedCommunity, parseExtendedCommunity } from '../bgp/codec/attributes/extended-communities.js';
import { AsPathSegmentType, type AsPathSegment } from '../bgp/codec/attributes/as-path-segments.js';
import { type PathAttribute, attributeTypeCode } from '../bgp/codec/attributes/path-attribute.js';
import { Origin } from '../bgp/codec/attributes/origin.js';

export type OriginName = 'igp' | 'egp' | 'incomplete';

export interface Advertisement {
  /** "203.0.113.5/32" or "2001:db8::/64". */
  readonly prefix: string;
  /**
   * RFC 7911 path identifier (sent only where ADD-PATH send is negotiated). Without it a path is
   * identified by its prefix and next hop, and gets a stable automatic id: announcing one prefix
   * via two next hops makes two paths (ECMP), announcing it again via the same next hop replaces.
   */
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
  /** RFC 4360 text forms: "rt:65000:100", "ro:192.0.2.1:7", "lb:65000:125000000", "hex:...". */
  readonly extendedCommunities?: readonly string[] | undefined;
  /**
   * Announce the covering prefix of this length instead (MetalLB's aggregationLength): a /32
   * with 24 announces its /24. For IPv4 prefixes; `aggregationLengthV6` for IPv6 ones. A length
   * longer than the prefix's own changes nothing.
   */
  readonly aggregationLength?: number | undefined;
  readonly aggregationLengthV6?: number | undefined;
  /** Only to these peers (addresses or names, as the Adj-RIB-Out was told its peer); default all. */
  readonly peers?: readonly string[] | undefined;
}

/** A validated advertisement: prefix parsed, communities as numbers. Frozen; shared freely. */
export interface NormalizedAdvertisement {
  readonly key: string;
  /** The announced prefix (the covering prefix when aggregated). */
  readonly prefix: ParsedPrefix;
  readonly prefixText: string;
  readonly afi: 1 | 2;
  /** The given path id, or 0 when automatic (`explicitPathId` false). */
  readonly pathId: number;
  readonly explicitPathId: boolean;
  readonly nextHop: string | undefined;
  readonly nextHopLinkLocal: string | undefined;
  readonly origin: number;
  readonly prependCount: number;
  readonly prependAsn: number | undefined;
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  readonly communities: readonly number[];
  readonly largeCommunities: readonly LargeCommunity[];
  readonly extendedCommunities: readonly ExtendedCommunity[];
  /** Sorted and unique; undefined: every peer. */
  readonly peers: readonly string[] | undefined;
  /** Identity of the attribute set (everything but prefix, path id and peers). */
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

/** Canonical text of a parsed prefix, with host bits that must be zero checked; `aggregate` shortens it first. */
function canonicalPrefix(text: string, aggregate?: number): { parsed: ParsedPrefix; text: string } {
  let parsed = parsePrefix(text);
  if (aggregate !== undefined && aggregate < parsed.length) parsed = coveringPrefix(parsed, aggregate);
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

/** The prefix of `length` bits that covers `p` (host bits cleared). */
function coveringPrefix(p: ParsedPrefix, length: number): ParsedPrefix {
  const words = p.words.map((w, i) => {
    const keep = Math.max(0, Math.min(32, length - i * 32));
    return keep === 0 ? 0 : keep === 32 ? w : (w & (~0 << (32 - keep))) >>> 0;
  });
  return { afi: p.afi, words, length };
}

const ORIGINS: Readonly<Record<OriginName, number>> = { igp: Origin.IGP, egp: Origin.EGP, incomplete: Origin.INCOMPLETE };

/** Validates an advertisement. Throws ERR_RIB_BAD_ADVERTISEMENT / ERR_BGP_BAD_PREFIX / ERR_BGP_BAD_COMMUNITY naming the field. */
export function normalizeAdvertisement(a: Advertisement): NormalizedAdvertisement {
  if (typeof a !== 'object' || a === null) throw advError('advertisement', 'must be an object');
  if (typeof a.prefix !== 'string') throw advError('prefix', 'must be a prefix such as "203.0.113.5/32"');
  const isV6 = a.prefix.includes(':');
  const aggregate = uint(isV6 ? a.aggregationLengthV6 : a.aggregationLength, isV6 ? 'aggregationLengthV6' : 'aggregationLength', isV6 ? 128 : 32);
  const otherAggregate = isV6 ? a.aggregationLength : a.aggregationLengthV6;
  uint(otherAggregate, isV6 ? 'aggregationLength' : 'aggregationLengthV6', isV6 ? 32 : 128);
  const { parsed, text } = canonicalPrefix(a.prefix, aggregate);
  const explicitPathId = a.pathId !== undefined;
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
  const largeCommunities = uniqueLarge((a.largeCommunities ?? []).map((c) => parseLargeCommunity(c)));
  const extendedCommunities = uniqueExtended((listOf(a.extendedCommunities, 'extendedCommunities') ?? []).map((c) => parseExtendedCommunity(String(c))));
  let peers: string[] | undefined;
  const peerList = listOf(a.peers, 'peers');
  if (peerList !== undefined) {
    if (peerList.some((x) => typeof x !== 'string' || x === '')) throw advError('peers', 'must be a list of peer addresses or names');
    peers = [...new Set(peerList as string[])].sort();
  }
  return buildNormalized(parsed, text, pathId, explicitPathId, peers, {
    nextHop,
    nextHopLinkLocal,
    origin,
    prependCount,
    prependAsn,
    med,
    localPref,
    communities,
    largeCommunities,
    extendedCommunities,
  });
}

export type AttributeFields = Pick<
  NormalizedAdvertisement,
  'nextHop' | 'nextHopLinkLocal' | 'origin' | 'prependCount' | 'prependAsn' | 'med' | 'localPref' | 'communities' | 'largeCommunities' | 'extendedCommunities'
>;

function buildNormalized(parsed: ParsedPrefix, text: string, pathId: number, explicitPathId: boolean, peers: readonly string[] | undefined, f: AttributeFields): NormalizedAdvertisement {
  const { nextHop, nextHopLinkLocal, origin, prependCount, prependAsn, med, localPref, communities, largeCommunities, extendedCommunities } = f;
  const attributeKey = JSON.stringify([
    nextHop ?? null,
    nextHopLinkLocal ?? null,
    origin,
    prependCount,
    prependAsn ?? null,
    med ?? null,
    localPref ?? null,
    communities,
    largeCommunities,
    extendedCommunities.map(formatExtendedCommunity),
  ]);
  return Object.freeze({
    key: explicitPathId ? `${text}#${pathId}` : `${text}@${nextHop ?? 'self'}`,
    prefix: parsed,
    prefixText: text,
    afi: parsed.afi,
    pathId,
    explicitPathId,
    nextHop,
    nextHopLinkLocal,
    origin,
    prependCount,
    prependAsn,
    med,
    localPref,
    communities,
    largeCommunities,
    extendedCommunities,
    peers,
    attributeKey,
  });
}

function listOf(v: unknown, field: string): readonly unknown[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw advError(field, 'must be a list');
  return v;
}

/** Unique, sorted by global administrator, then the two local data parts. */
function uniqueLarge(list: readonly LargeCommunity[]): LargeCommunity[] {
  const seen = new Map<string, LargeCommunity>();
  for (const c of list) seen.set(c.join(':'), c);
  return [...seen.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
}

/** Unique by their 8 octets' text form, sorted by it. */
function uniqueExtended(list: readonly ExtendedCommunity[]): ExtendedCommunity[] {
  const seen = new Map<string, ExtendedCommunity>();
  for (const c of list) seen.set(formatExtendedCommunity(c), c);
  return [...seen.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)).map((e) => e[1]);
}

/**
 * Two advertisements of one path (same prefix and path id, or same prefix and next hop) stated in
 * one `set` / `announce` call: MetalLB announces a Service IP once, with the communities of every
 * BGPAdvertisement that selects it. Communities (all three kinds) are merged; anything else that
 * differs is a conflict (ERR_RIB_CONFLICTING_ADVERTISEMENTS naming the field), as MetalLB's
 * validation rejects two localPrefs for one IP. `a` is what the path has so far (e.g. an
 * interned attribute set); the result keeps `b`'s prefix, path id and peers.
 */
export function mergeAdvertisements(a: AttributeFields, b: NormalizedAdvertisement): NormalizedAdvertisement {
  for (const f of ['nextHop', 'nextHopLinkLocal', 'origin', 'prependCount', 'prependAsn', 'med', 'localPref'] as const) {
    if (a[f] !== b[f]) {
      throw new BgpError(
        'ERR_RIB_CONFLICTING_ADVERTISEMENTS',
        `two advertisements of ${b.prefixText}${b.explicitPathId ? ` path ${b.pathId}` : ''} differ in ${f} (${JSON.stringify(a[f] ?? null)} and ${JSON.stringify(b[f] ?? null)}); only communities are merged`,
      );
    }
  }
  const communities = [...new Set([...a.communities, ...b.communities])].sort((x, y) => x - y);
  const largeCommunities = uniqueLarge([...a.largeCommunities, ...b.largeCommunities]);
  const extendedCommunities = uniqueExtended([...a.extendedCommunities, ...b.extendedCommunities]);
  return buildNormalized(b.prefix, b.prefixText, b.pathId, b.explicitPathId, b.peers, { ...b, communities, largeCommunities, extendedCommunities });
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

/** What `attributesFor` reads: an advertisement's attributes, its family and (for errors) its prefix. */
export type AdvertisedAttributes = AttributeFields & Pick<NormalizedAdvertisement, 'afi' | 'prefixText'>;

/**
 * The path attributes (without NLRI) for one advertisement towards one peer. IPv6 prefixes get
 * an MP_REACH_NLRI whose `nlri` is empty: the packer fills it. Throws ERR_RIB_NO_NEXT_HOP when no
 * next hop is known for the family.
 */
export function attributesFor(a: AdvertisedAttributes, peer: PeerView, extraCommunities: readonly number[] = []): PathAttribute[] {
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
  if (a.extendedCommunities.length > 0) attrs.push({ type: 'EXTENDED_COMMUNITIES', communities: a.extendedCommunities });
  if (!peer.fourOctetAs && asns.some((x) => x > 0xffff)) attrs.push({ type: 'AS4_PATH', segments });
  if (a.largeCommunities.length > 0) attrs.push({ type: 'LARGE_COMMUNITY', communities: a.largeCommunities });
  // Canonical order: by type code (RFC 4271 s5 recommends ascending order).
  return attrs.sort((x, y) => attributeTypeCode(x) - attributeTypeCode(y));
}

/**
 * Speeds up normalizing many advertisements that share attributes (a full table has a handful
 * of attribute sets): the attribute part of an advertisement is normalized once per distinct raw
 * form and reused. `attributesOf` answers only for inputs whose every field has the type the
 * normalizer accepts (anything else goes the slow way, which reports the error). Bounded: the
 * cache is emptied when it reaches `maxEntries`.
 */
export class AdvertisementCache {
  readonly #byRaw = new Map<string, NormalizedAdvertisement>();
  readonly #maxEntries: number;

  constructor(maxEntries = 4096) {
    this.#maxEntries = maxEntries;
  }

  /**
   * The raw form of `a`'s attributes (family included), or undefined when a field has an
   * unexpected type or text with control characters (the separators), which the slow path judges.
   */
  rawKey(a: Advertisement, v6: boolean): string | undefined {
    const p = a.asPathPrepend;
    if (p !== undefined && (typeof p !== 'object' || p === null)) return undefined;
    let key = v6 ? '6' : '4';
    for (const v of [a.nextHop, a.nextHopLinkLocal, a.origin]) {
      if (v === undefined) key += SEP_UNDEFINED;
      else if (typeof v === 'string' && !CONTROL.test(v)) key += SEP_FIELD + v;
      else return undefined;
    }
    for (const v of [p?.count, p?.asn, a.med, a.localPref]) {
      if (v === undefined) key += SEP_UNDEFINED;
      else if (typeof v === 'number') key += SEP_FIELD + v;
      else return undefined;
    }
    for (const list of [a.communities, a.largeCommunities, a.extendedCommunities, a.peers]) {
      if (list === undefined) {
        key += SEP_UNDEFINED;
        continue;
      }
      if (!Array.isArray(list)) return undefined;
      key += SEP_FIELD;
      for (const v of list) {
        if (typeof v !== 'string' || CONTROL.test(v)) return undefined;
        key += SEP_ITEM + v;
      }
    }
    return key;
  }

  /** A normalized advertisement with the same attributes as `a` (its prefix is another's), or undefined. */
  get(raw: string): NormalizedAdvertisement | undefined {
    return this.#byRaw.get(raw);
  }

  set(raw: string, n: NormalizedAdvertisement): void {
    if (this.#byRaw.size >= this.#maxEntries) this.#byRaw.clear();
    this.#byRaw.set(raw, n);
  }
}

const SEP_FIELD = '\u0001';
const SEP_UNDEFINED = '\u0002';
const SEP_ITEM = '\u0003';
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f]/;

/**
 * The fast path for canonical IPv4 prefix text ("203.0.113.5/32"): the address as a uint32 and
 * the length, or undefined for anything else (IPv6, non-canonical text, host bits set), which the
 * full parser then handles or rejects. `aggregate` shortens the prefix first (undefined: none).
 */
export function parseIpv4PrefixFast(text: string, aggregate: number | undefined): { word: number; length: number } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || text.length - slash > 3 || text.length - slash < 2) return undefined;
  let length = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    length = length * 10 + c;
  }
  if (length > 32 || (text.length - slash === 3 && text.charCodeAt(slash + 1) === 48)) return undefined;
  const word = canonicalIpv4ToU32(text.slice(0, slash));
  if (word < 0) return undefined;
  const mask = length === 0 ? 0 : (~0 << (32 - length)) >>> 0;
  if (((word & ~mask) >>> 0) !== 0) return undefined;
  if (aggregate !== undefined && aggregate < length) {
    const agg = aggregate === 0 ? 0 : (~0 << (32 - aggregate)) >>> 0;
    return { word: (word & agg) >>> 0, length: aggregate };
  }
  return { word, length };
}
