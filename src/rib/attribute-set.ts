/**
 * Interned attribute sets of an Adj-RIB-Out: one frozen object per distinct set of path
 * attributes an advertisement states (everything but prefix, path id and peers), shared by every
 * route that has it, with a small integer id the route table stores instead of the object, and a
 * reference count (routes wanting it plus routes whose sent state is it) so ids are reused only
 * when nothing refers to them. Also the order in which paths of one prefix are preferred when only
 * one can be sent (no ADD-PATH), and the encoded attribute bytes per peer view.
 *
 * Owns: ids, reference counts, per-view encodings. Must not touch: prefixes, the wire state.
 */
import { BgpError } from '../bgp/errors.js';
import { ByteWriter } from '../bgp/codec/bytes.js';
import type { CodecContext } from '../bgp/codec/context.js';
import { encodeAttribute } from '../bgp/codec/path-attributes.js';
import { attributeTypeCode } from '../bgp/codec/attributes/path-attribute.js';
import { parseAddress } from '../bgp/prefix/address.js';
import { type AdvertisedAttributes, type NormalizedAdvertisement, type PeerView, attributesFor } from './advertisement.js';

/** One interned set. `id` is >= 1 (0 means "no route" in the route table). */
export interface AttributeSet extends AdvertisedAttributes {
  readonly id: number;
  readonly key: string;
}

/**
 * The bytes of a set towards one peer: attributes with type codes below MP_REACH_NLRI (14),
 * then for IPv6 the MP_REACH_NLRI next hop field, then the attributes above it. The packer puts
 * the NLRI between (inside MP_REACH_NLRI) or after (IPv4).
 */
export interface EncodedAttributes {
  readonly before: Uint8Array;
  /** IPv6: the next hop octets (16 or 32); IPv4: empty. */
  readonly mpNextHop: Uint8Array;
  readonly after: Uint8Array;
}

const MP_REACH_NLRI = 14;

export class AttributeSets {
  readonly #byKey = new Map<string, AttributeSet>();
  readonly #memo = new WeakMap<NormalizedAdvertisement, AttributeSet>();
  /** Index = id; undefined for free ids. */
  readonly #byId: (AttributeSet | undefined)[] = [undefined];
  #refs = new Uint32Array(16);
  readonly #freeIds: number[] = [];
  /** Encodings for the current view, by id. */
  #encoded: (EncodedAttributes | BgpError | undefined)[] = [];
  #viewKey = '';

  /** The set of an advertisement's attributes (created on first use, no reference taken). */
  intern(a: NormalizedAdvertisement): AttributeSet {
    // many routes share one normalized advertisement's attributes (AdvertisementCache)
    const memo = this.#memo.get(a);
    if (memo !== undefined && this.#byId[memo.id] === memo) return memo;
    const set = this.#intern(a);
    this.#memo.set(a, set);
    return set;
  }

  #intern(a: NormalizedAdvertisement): AttributeSet {
    const key = `${a.afi}${a.attributeKey}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    const id = this.#freeIds.pop() ?? this.#byId.length;
    const set: AttributeSet = Object.freeze({
      id,
      key,
      afi: a.afi,
      prefixText: a.prefixText,
      nextHop: a.nextHop,
      nextHopLinkLocal: a.nextHopLinkLocal,
      origin: a.origin,
      prependCount: a.prependCount,
      prependAsn: a.prependAsn,
      med: a.med,
      localPref: a.localPref,
      communities: a.communities,
      largeCommunities: a.largeCommunities,
      extendedCommunities: a.extendedCommunities,
    });
    this.#byKey.set(key, set);
    this.#byId[id] = set;
    if (id >= this.#refs.length) {
      const next = new Uint32Array(this.#refs.length * 2);
      next.set(this.#refs);
      this.#refs = next;
    }
    this.#refs[id] = 0;
    this.#encoded[id] = undefined;
    return set;
  }

  get(id: number): AttributeSet {
    return this.#byId[id]!;
  }

  retain(id: number): void {
    if (id !== 0) this.#refs[id]!++;
  }

  /** Drops one reference; the set is forgotten when none is left. */
  release(id: number): void {
    if (id === 0) return;
    if (--this.#refs[id]! !== 0) return;
    const set = this.#byId[id]!;
    this.#byKey.delete(set.key);
    this.#byId[id] = undefined;
    this.#encoded[id] = undefined;
    this.#freeIds.push(id);
  }

  /** Distinct sets in use. */
  get size(): number {
    return this.#byKey.size;
  }

  /**
   * The encoded attributes of set `id` towards the peer `view` describes, with `extra` communities
   * added; cached until the view changes. A set that cannot be sent there (no next hop of its
   * family, too long) gives the BgpError instead.
   */
  encoded(id: number, view: PeerView, ctx: CodecContext, extra: readonly number[]): EncodedAttributes | BgpError {
    const viewKey = `${view.localAsn}|${view.external}|${view.fourOctetAs}|${view.nextHopSelf4}|${view.nextHopSelf6}|${extra.join(',')}|${ctx.fourOctetAs}`;
    if (viewKey !== this.#viewKey) {
      this.#viewKey = viewKey;
      this.#encoded = [];
    }
    const cached = this.#encoded[id];
    if (cached !== undefined) return cached;
    let result: EncodedAttributes | BgpError;
    try {
      result = encodeSet(this.get(id), view, ctx, extra);
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      result = e;
    }
    this.#encoded[id] = result;
    return result;
  }
}

const scratch = new ByteWriter(4096);

function encodeSet(set: AttributeSet, view: PeerView, ctx: CodecContext, extra: readonly number[]): EncodedAttributes {
  const attrs = attributesFor(set, view, extra);
  const part = (low: boolean): Uint8Array => {
    scratch.reset();
    for (const a of attrs) {
      if (a.type === 'MP_REACH_NLRI') continue;
      const code = attributeTypeCode(a);
      if (low === code < MP_REACH_NLRI) encodeAttribute(a, scratch, ctx);
    }
    return scratch.finish().slice();
  };
  let mpNextHop = new Uint8Array(0);
  const mp = attrs.find((a) => a.type === 'MP_REACH_NLRI') as { nextHop: readonly string[] } | undefined;
  if (mp !== undefined) {
    const parts = mp.nextHop.map((h) => parseAddress(h).bytes);
    if (parts.some((b) => b.length !== 16)) {
      throw new BgpError('ERR_RIB_NO_NEXT_HOP', `${set.prefixText}: an IPv6 prefix needs an IPv6 next hop (got ${mp.nextHop.join(', ')})`);
    }
    mpNextHop = new Uint8Array(parts.length * 16);
    parts.forEach((b, i) => mpNextHop.set(b, i * 16));
  }
  return { before: part(true), mpNextHop, after: part(false) };
}

/**
 * Which of two paths of one prefix goes out when only one can (no ADD-PATH): the RFC 4271 s9.1.2.2
 * order as far as our own advertisements differ: higher LOCAL_PREF (default 100), shorter AS path
 * (fewer prepends), lower ORIGIN, lower MED (default 0); then the lower path id. Negative: `a` wins.
 */
export function comparePaths(a: AttributeSet, aPathId: number, b: AttributeSet, bPathId: number): number {
  return (
    (b.localPref ?? 100) - (a.localPref ?? 100) ||
    a.prependCount - b.prependCount ||
    a.origin - b.origin ||
    (a.med ?? 0) - (b.med ?? 0) ||
    aPathId - bPathId
  );
}
