/**
 * Splits a received UPDATE into one UPDATE per address family it carries routes of (the IPv4
 * unicast Withdrawn Routes and NLRI fields, each decoded MP_REACH_NLRI / MP_UNREACH_NLRI), so
 * that the Adj-RIB-In's routes can be counted per family (maximum-prefix, RFC 4486). Each part
 * keeps the other path attributes and the RFC 7606 diagnostics, and the order of withdrawals and
 * announcements within a family, so applying the parts one after the other is the same as
 * applying the whole UPDATE.
 *
 * Owns: that split. Pure: allocates nothing for the common single-family UPDATE.
 */
import type { UpdateMessage } from '../codec/update.js';
import type { PathAttribute } from '../codec/attributes/path-attribute.js';
import { isDecodedMpReach } from '../codec/attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from '../codec/attributes/mp-unreach-nlri.js';
import { PrefixList } from '../prefix/prefix-list.js';
import { afiSafiKey } from '../iana/afi-safi.js';

const IPV4_UNICAST = afiSafiKey(1, 1);
const NO_IPV4 = PrefixList.empty(1);

/** The family (afiSafiKey) of an MP_REACH_NLRI / MP_UNREACH_NLRI whose prefixes are decoded; undefined for any other attribute. */
function mpFamily(a: PathAttribute): number | undefined {
  if ((a.type === 'MP_REACH_NLRI' && isDecodedMpReach(a)) || (a.type === 'MP_UNREACH_NLRI' && isDecodedMpUnreach(a))) return afiSafiKey(a.afi, a.safi);
  return undefined;
}

/** The UPDATE per family (afiSafiKey), in first-seen order; the UPDATE itself when it carries one family; empty for none (End-of-RIB, attributes only). */
export function updateByFamily(u: UpdateMessage): [number, UpdateMessage][] {
  const keys = new Set<number>();
  if (u.withdrawn.length > 0 || u.nlri.length > 0) keys.add(IPV4_UNICAST);
  for (const a of u.attributes) {
    const k = mpFamily(a);
    if (k !== undefined) keys.add(k);
  }
  if (keys.size <= 1) return [...keys].map((k) => [k, u]);
  const base = u.attributes.filter((a) => a.type !== 'MP_REACH_NLRI' && a.type !== 'MP_UNREACH_NLRI');
  return [...keys].map((k) => {
    const mp = u.attributes.filter((a) => mpFamily(a) === k);
    const v4 = k === IPV4_UNICAST;
    return [k, { ...u, withdrawn: v4 ? u.withdrawn : NO_IPV4, nlri: v4 ? u.nlri : NO_IPV4, attributes: mp.length === 0 ? base : [...base, ...mp] }];
  });
}
