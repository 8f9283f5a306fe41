/**
 * Checks of what callers hand the Loc-RIB (peer descriptors, routes, keys, prefixes, decoded
 * UPDATEs), each failure an ERR_RIB_INVALID_ARGUMENT naming the field, and the canonical
 * numeric form of a prefix (bits past the length cleared, RFC 4271 s4.3). Pure.
 */
import { parseAddress } from '../bgp/prefix/address.js';
import { parsePrefix } from '../bgp/prefix/prefix-list.js';
import type { PrefixList } from '../bgp/prefix/prefix-list.js';
import type { UpdateMessage } from '../bgp/codec/update.js';
import type { PeerDescriptor } from './decision-process.js';
import { ribError } from './rib-error.js';
import { wordMask } from './loc-rib-table.js';

export function uint32(v: unknown, what: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw ribError(`${what} must be an integer in 0..4294967295 (got ${JSON.stringify(v)})`);
}

export function pathIdOf(v: unknown): number {
  if (v === undefined) return 0;
  uint32(v, 'pathId');
  return v as number;
}

export function peerAddressOf(peer: PeerDescriptor | string): string {
  const a = typeof peer === 'string' ? peer : typeof peer === 'object' && peer !== null ? peer.peerAddress : undefined;
  if (typeof a !== 'string') throw ribError('peer must be a peer descriptor or a peer address');
  return a;
}

export function parseAddressOrThrow(text: string, what: string): { afi: 1 | 2; bytes: Uint8Array } {
  try {
    return parseAddress(text);
  } catch (e) {
    throw ribError(`${what} must be an IP address (got ${JSON.stringify(text)})`, e);
  }
}

export function checkPeer(peer: PeerDescriptor): void {
  if (typeof peer !== 'object' || peer === null) throw ribError('peer must be an object');
  if (typeof peer.peerAddress !== 'string') throw ribError('peer.peerAddress must be an IP address');
  parseAddressOrThrow(peer.peerAddress, 'peer.peerAddress');
  uint32(peer.peerAs, 'peer.peerAs');
  uint32(peer.localAs, 'peer.localAs');
  if (typeof peer.routerId !== 'string') throw ribError('peer.routerId must be a dotted quad');
  if (typeof peer.ibgp !== 'boolean') throw ribError('peer.ibgp must be a boolean');
  if (peer.localPref !== undefined) uint32(peer.localPref, 'peer.localPref');
}

/** A prefix in numeric form: family, masked address words (1 or 4), length. */
export interface PrefixKey {
  readonly afi: 1 | 2;
  readonly safi: number;
  readonly words: number[];
  readonly length: number;
}

/** Validates AFI / SAFI / prefix of a route or key; "203.0.113.7/24" gives 203.0.113.0/24. */
export function prefixKey(r: { readonly afi?: unknown; readonly safi: unknown; readonly prefix: unknown }): PrefixKey {
  if (typeof r.prefix !== 'string') throw ribError('prefix must be a string such as "203.0.113.0/24"');
  let p: ReturnType<typeof parsePrefix>;
  try {
    p = parsePrefix(r.prefix);
  } catch (e) {
    throw ribError(`not a prefix: ${JSON.stringify(r.prefix)}`, e);
  }
  if (r.afi !== undefined && r.afi !== p.afi) throw ribError(`${r.prefix}: afi ${JSON.stringify(r.afi)} does not match the prefix (AFI ${p.afi})`);
  checkSafi(r.safi);
  return { afi: p.afi, safi: r.safi as number, words: p.words.map((w, i) => (w & wordMask(p.length, i)) >>> 0), length: p.length };
}

export function checkSafi(safi: unknown): void {
  if (typeof safi !== 'number' || !Number.isInteger(safi) || safi < 1 || safi > 255) throw ribError(`safi must be an integer in 1..255 (got ${JSON.stringify(safi)})`);
}

/** The address words of a bare address ("203.0.113.5"). */
export function addressWords(text: string): { afi: 1 | 2; words: number[] } {
  const { afi, bytes } = parseAddressOrThrow(text, 'address');
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 4) words.push(((bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!) >>> 0);
  return { afi, words };
}

/** Throws unless `list` is a usable PrefixList: known family, whole entries, lengths in range. */
export function checkPrefixList(list: PrefixList, what: string): void {
  if (typeof list !== 'object' || list === null || !Array.isArray(list.words) || (list.afi !== 1 && list.afi !== 2)) throw ribError(`${what} must be a PrefixList`);
  const { words, stride, length } = list;
  const lenAt = list.afi === 1 ? 1 : 4;
  const max = list.afi === 1 ? 32 : 128;
  if (stride !== (list.afi === 1 ? 2 : 5) + (list.addPath ? 1 : 0) || length * stride > words.length) throw ribError(`${what}: inconsistent PrefixList`);
  for (let i = 0, o = lenAt; i < length; i++, o += stride) {
    const len = words[o];
    if (!(typeof len === 'number' && len >= 0 && len <= max && Number.isInteger(len))) throw ribError(`${what}: entry ${i} has prefix length ${JSON.stringify(len)}`);
  }
}

/** Throws unless `u` looks like a decoded UPDATE. */
export function checkUpdate(u: UpdateMessage): void {
  if (typeof u !== 'object' || u === null) throw ribError('update must be a decoded UPDATE message');
  if (!Array.isArray(u.attributes)) throw ribError('update.attributes must be an array');
  checkPrefixList(u.withdrawn, 'update.withdrawn');
  checkPrefixList(u.nlri, 'update.nlri');
  if (u.withdrawn.afi !== 1 || u.nlri.afi !== 1) throw ribError('update.withdrawn and update.nlri must be IPv4 lists');
  for (const a of u.attributes) {
    if (typeof a !== 'object' || a === null) throw ribError('update.attributes must hold attribute objects');
    if (a.type === 'NEXT_HOP' && typeof a.nextHop !== 'string') throw ribError('NEXT_HOP must be an address');
    if (a.type === 'MP_REACH_NLRI' && 'nlri' in a) {
      checkPrefixList(a.nlri, 'MP_REACH_NLRI.nlri');
      if (!Array.isArray(a.nextHop) || !(a.nextHop as unknown[]).every((h) => typeof h === 'string')) throw ribError('MP_REACH_NLRI.nextHop must be a list of addresses');
    }
    if (a.type === 'MP_UNREACH_NLRI' && 'withdrawn' in a) checkPrefixList(a.withdrawn, 'MP_UNREACH_NLRI.withdrawn');
  }
}
