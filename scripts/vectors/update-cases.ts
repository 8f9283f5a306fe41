/**
 * Hand-derived UPDATE test vectors: each case is assembled byte by byte from the RFC layout
 * (scripts/vectors/wire.ts) and states what the RFC says must come out. make-update-vectors.ts
 * decodes each with the library, checks the statement, and writes test/vectors/bgp/<name>.json.
 */
import { attr, asPath2, asPath4, comm, communities, ipv4, ipv6, localPref, med, nextHop, ORIGIN_IGP, prefix4, prefix6, u16, u32, u8, update } from './wire.js';

export interface Expect {
  /** Prefixes expected in the NLRI field, in order. */
  nlri?: string[];
  withdrawn?: string[];
  /** Attribute types expected after decoding, in order. */
  attributes?: string[];
  /** Expected RFC 7606 actions of the diagnostics, in order (none when omitted or empty). */
  actions?: string[];
  /** Expected NOTIFICATION (code/subcode) on the session-reset diagnostic. */
  resetNotification?: [number, number];
  endOfRib?: string;
  /** Deep partial match of one attribute's JSON, by index. */
  attr?: Record<number, Record<string, unknown>>;
}

export interface Case {
  name: string;
  source: string;
  hex: string;
  context?: { fourOctetAs?: boolean; addPath?: ('ipv4' | 'ipv6')[]; extendedMessage?: boolean; external?: boolean };
  expect?: Expect;
  error?: { code: string; notification: [number, number, string?]; offset?: number };
}

const NH = nextHop('198.18.1.11');
const BASE = ORIGIN_IGP + asPath4(65001) + NH;
const P = prefix4('203.0.113.5/32');
const mpReach = (afi: number, safi: number, nh: string, nlri: string, flags = 0x80): string => attr(flags, 14, u16(afi) + u8(safi) + u8(nh.length / 2) + nh + '00' + nlri);
const mpUnreach = (afi: number, safi: number, w: string): string => attr(0x80, 15, u16(afi) + u8(safi) + w);
const ext = (type: number, sub: number, rest: string): string => u8(type) + u8(sub) + rest;
const large = (g: number, a: number, b: number): string => u32(g) + u32(a) + u32(b);
const R = 'hand-derived from';

export const CASES: Case[] = [
  // ---- well-formed: End-of-RIB (RFC 4724 s2)
  { name: 'update-eor-ipv4-unicast', source: `${R} RFC 4724 s2 (End-of-RIB for IPv4 unicast: an empty UPDATE)`, hex: update('', '', ''), expect: { endOfRib: 'ipv4-unicast', attributes: [] } },
  { name: 'update-eor-ipv6-unicast', source: `${R} RFC 4724 s2 (End-of-RIB: only an empty MP_UNREACH_NLRI)`, hex: update('', mpUnreach(2, 1, ''), ''), expect: { endOfRib: 'ipv6-unicast' } },
  { name: 'update-eor-ipv4-multicast', source: `${R} RFC 4724 s2`, hex: update('', mpUnreach(1, 2, ''), ''), expect: { endOfRib: 'ipv4-multicast' } },
  { name: 'update-eor-l2vpn-evpn', source: `${R} RFC 4724 s2 (any AFI/SAFI, kept raw)`, hex: update('', mpUnreach(25, 70, ''), ''), expect: { endOfRib: 'l2vpn-evpn' } },
  // ---- well-formed announcements
  { name: 'update-ipv4-host-route', source: `${R} RFC 4271 s4.3 (MetalLB-style /32 announcement)`, hex: update('', BASE, P), expect: { nlri: ['203.0.113.5/32'], attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP'] } },
  {
    name: 'update-ipv4-prefix-lengths',
    source: `${R} RFC 4271 s4.3 (lengths 0, 8, 17, 24, 31, 32: 0 to 4 address octets)`,
    hex: update('', BASE, ['0.0.0.0/0', '203.0.0.0/8', '203.0.0.0/17', '203.0.113.0/24', '203.0.113.4/31', '203.0.113.9/32'].map((p) => prefix4(p)).join('')),
    expect: { nlri: ['0.0.0.0/0', '203.0.0.0/8', '203.0.0.0/17', '203.0.113.0/24', '203.0.113.4/31', '203.0.113.9/32'] },
  },
  { name: 'update-ipv4-trailing-bits-kept', source: `${R} RFC 4271 s4.3 (bits past the prefix length are irrelevant; kept for byte-identical re-encoding)`, hex: update('', BASE, '17cb0071'), expect: { nlri: ['203.0.113.0/23'] } },
  { name: 'update-ipv4-withdraw-only', source: `${R} RFC 4271 s4.3 (withdrawn routes, no attributes)`, hex: update(prefix4('203.0.113.5/32') + prefix4('203.0.113.0/24'), '', ''), expect: { withdrawn: ['203.0.113.5/32', '203.0.113.0/24'], attributes: [] } },
  { name: 'update-ipv4-withdraw-and-announce', source: `${R} RFC 4271 s4.3`, hex: update(prefix4('203.0.113.6/32'), BASE, P), expect: { withdrawn: ['203.0.113.6/32'], nlri: ['203.0.113.5/32'] } },
  { name: 'update-origin-egp', source: `${R} RFC 4271 s5.1.1`, hex: update('', attr(0x40, 1, '01') + asPath4(65001) + NH, P), expect: { attr: { 0: { origin: 'EGP' } } } },
  { name: 'update-origin-incomplete', source: `${R} RFC 4271 s5.1.1`, hex: update('', attr(0x40, 1, '02') + asPath4(65001) + NH, P), expect: { attr: { 0: { origin: 'INCOMPLETE' } } } },
  { name: 'update-as-path-empty-ibgp', source: `${R} RFC 4271 s5.1.2 (locally originated, sent to an internal peer: empty AS_PATH)`, hex: update('', ORIGIN_IGP + asPath4() + NH + localPref(200), P), context: { external: false }, expect: { attr: { 1: { segments: [] }, 3: { localPref: 200 } } } },
  { name: 'update-as-path-prepend', source: `${R} RFC 4271 s5.1.2 (AS-path prepend: the own ASN three times)`, hex: update('', ORIGIN_IGP + asPath4(64512, 64512, 64512) + NH, P), expect: { attr: { 1: { segments: [{ type: 'AS_SEQUENCE', asns: [64512, 64512, 64512] }] } } } },
  { name: 'update-as-path-4-octet-asn', source: `${R} RFC 6793 s3 (4-octet ASNs in AS_PATH between NEW speakers)`, hex: update('', ORIGIN_IGP + asPath4(4200000000, 65001) + NH, P), expect: { attr: { 1: { segments: [{ type: 'AS_SEQUENCE', asns: [4200000000, 65001] }] } } } },
  { name: 'update-as-path-2-octet', source: `${R} RFC 4271 s4.3 (2-octet ASNs, 4-octet AS not negotiated)`, context: { fourOctetAs: false }, hex: update('', ORIGIN_IGP + asPath2(65001, 65002) + NH, P), expect: { attr: { 1: { segments: [{ type: 'AS_SEQUENCE', asns: [65001, 65002] }] } } } },
  {
    name: 'update-as-path-sequence-and-set',
    source: `${R} RFC 4271 s5.1.2 (an aggregate: AS_SEQUENCE then AS_SET)`,
    hex: update('', ORIGIN_IGP + attr(0x40, 2, '0201' + u32(65001) + '0103' + u32(65010) + u32(65011) + u32(65012)) + NH, P),
    expect: { attr: { 1: { segments: [{ type: 'AS_SEQUENCE', asns: [65001] }, { type: 'AS_SET', asns: [65010, 65011, 65012] }] } } },
  },
  {
    name: 'update-as-path-confederation',
    source: `${R} RFC 5065 s3 (AS_CONFED_SEQUENCE and AS_CONFED_SET before the AS_SEQUENCE)`,
    context: { external: false },
    hex: update('', ORIGIN_IGP + attr(0x40, 2, '0302' + u32(65101) + u32(65102) + '0401' + u32(65103) + '0201' + u32(65001)) + NH + localPref(100), P),
    expect: { attr: { 1: { segments: [{ type: 'AS_CONFED_SEQUENCE', asns: [65101, 65102] }, { type: 'AS_CONFED_SET', asns: [65103] }, { type: 'AS_SEQUENCE', asns: [65001] }] } } },
  },
  {
    name: 'update-as-path-256-split',
    source: `${R} RFC 4271 s5.1.2 (a path of 256 ASNs travels as a 255-ASN segment then a 1-ASN segment)`,
    hex: update('', ORIGIN_IGP + attr(0x50, 2, '02ff' + Array.from({ length: 255 }, (_, i) => u32(65000 + i)).join('') + '0201' + u32(64999)) + NH, P),
    expect: { attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP'] },
  },
  { name: 'update-as2-with-as4-path', source: `${R} RFC 6793 s4.2.2 (OLD speaker: AS_TRANS in AS_PATH, the real path in AS4_PATH)`, context: { fourOctetAs: false }, hex: update('', ORIGIN_IGP + asPath2(23456, 65001) + NH + attr(0xc0, 17, '0202' + u32(4200000000) + u32(65001)), P), expect: { attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'AS4_PATH'] } },
  {
    name: 'update-as2-aggregator-as4-aggregator',
    source: `${R} RFC 6793 s4.2.2 (AGGREGATOR with AS_TRANS, AS4_AGGREGATOR with the 4-octet ASN)`,
    context: { fourOctetAs: false },
    hex: update('', ORIGIN_IGP + asPath2(23456) + NH + attr(0x40, 6, '') + attr(0xc0, 7, u16(23456) + ipv4('198.18.0.11')) + attr(0xc0, 18, u32(4200000000) + ipv4('198.18.0.11')), P),
    expect: { attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'ATOMIC_AGGREGATE', 'AGGREGATOR', 'AS4_AGGREGATOR'] },
  },
  { name: 'update-aggregator-4-octet', source: `${R} RFC 6793 s3 (AGGREGATOR with a 4-octet ASN between NEW speakers)`, hex: update('', BASE + attr(0x40, 6, '') + attr(0xc0, 7, u32(4200000000) + ipv4('198.18.0.11')), prefix4('203.0.113.0/24')), expect: { attr: { 4: { asn: 4200000000, address: '198.18.0.11' } } } },
  { name: 'update-med', source: `${R} RFC 4271 s5.1.4`, hex: update('', BASE + med(100), P), expect: { attr: { 3: { med: 100 } } } },
  { name: 'update-med-max', source: `${R} RFC 4271 s5.1.4 (MED 4294967295)`, hex: update('', BASE + med(0xffffffff), P), expect: { attr: { 3: { med: 4294967295 } } } },
  { name: 'update-local-pref-ibgp', source: `${R} RFC 4271 s5.1.5 (LOCAL_PREF to an internal peer)`, context: { external: false }, hex: update('', ORIGIN_IGP + asPath4() + NH + localPref(150), P), expect: { attr: { 3: { localPref: 150 } } } },
  {
    name: 'update-communities-well-known',
    source: `${R} RFC 1997, RFC 7999, RFC 8326 (well-known communities by name, and 65000:100)`,
    hex: update('', BASE + communities(comm(65000, 100), 0xffffff01, 0xffffff02, 0xffffff03, 0xffff0000, 0xffff029a, 0xffffff04), P),
    expect: { attr: { 3: { communities: ['65000:100', 'NO_EXPORT', 'NO_ADVERTISE', 'NO_EXPORT_SUBCONFED', 'GRACEFUL_SHUTDOWN', 'BLACKHOLE', 'NOPEER'] } } },
  },
  { name: 'update-communities-metallb', source: `${R} RFC 1997 (MetalLB advertisement community 65000:100 and 64512:1)`, hex: update('', BASE + communities(comm(65000, 100), comm(64512, 1)), P), expect: { attr: { 3: { communities: ['65000:100', '64512:1'] } } } },
  { name: 'update-communities-extended-length', source: `${R} RFC 4271 s4.3 (70 communities = 280 octets: the Extended Length bit is needed)`, hex: update('', BASE + attr(0xd0, 8, Array.from({ length: 70 }, (_, i) => u32(comm(65000, i))).join('')), P), expect: { attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'COMMUNITIES'] } },
  { name: 'update-extended-length-not-needed', source: `${R} RFC 4271 s4.3 (Extended Length set on a 1-octet ORIGIN: allowed, kept on re-encoding)`, hex: update('', attr(0x50, 1, '00') + asPath4(65001) + NH, P), expect: { attr: { 0: { flags: '0x50', origin: 'IGP' } } } },
  { name: 'update-large-communities', source: `${R} RFC 8092 s3 (large communities 65000:1:2 and 4200000000:100:200)`, hex: update('', BASE + attr(0xc0, 32, large(65000, 1, 2) + large(4200000000, 100, 200)), P), expect: { attr: { 3: { communities: ['65000:1:2', '4200000000:100:200'] } } } },
  {
    name: 'update-extended-communities',
    source: `${R} RFC 4360 s3, RFC 5668 s2, draft-ietf-idr-link-bandwidth (route target 2-octet AS / IPv4 / 4-octet AS, route origin, link bandwidth, an opaque one)`,
    hex: update('', BASE + attr(0xc0, 16, ext(0x00, 0x02, u16(65000) + u32(100)) + ext(0x01, 0x02, ipv4('198.18.0.1') + u16(5)) + ext(0x02, 0x02, u32(4200000000) + u16(7)) + ext(0x00, 0x03, u16(65000) + u32(1)) + ext(0x40, 0x04, u16(65000) + '4bee6b28') + ext(0x03, 0x0c, '000000000002')), P),
    expect: { attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'EXTENDED_COMMUNITIES'] },
  },
  { name: 'update-originator-id-cluster-list', source: `${R} RFC 4456 s8 (route reflection: ORIGINATOR_ID and a CLUSTER_LIST of two)`, context: { external: false }, hex: update('', ORIGIN_IGP + asPath4() + NH + localPref(100) + attr(0x80, 9, ipv4('198.18.0.11')) + attr(0x80, 10, ipv4('198.18.0.1') + ipv4('198.18.0.2')), P), expect: { attr: { 4: { originatorId: '198.18.0.11' }, 5: { clusterList: ['198.18.0.1', '198.18.0.2'] } } } },
  { name: 'update-otc', source: `${R} RFC 9234 s5 (Only to Customer)`, hex: update('', BASE + attr(0xc0, 35, u32(65001)), P), expect: { attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'OTC'] } },
  { name: 'update-unknown-optional-transitive', source: `${R} RFC 4271 s5 (unrecognized optional transitive attribute kept; type 243 is unassigned, while 99 was BGP-LS's early code point and Wireshark still reads it so)`, hex: update('', BASE + attr(0xc0, 243, 'deadbeef'), P), expect: { attr: { 3: { type: 'UNKNOWN', typeCode: 243, flags: '0xc0', value: 'deadbeef' } } } },
  { name: 'update-unknown-partial', source: `${R} RFC 4271 s4.3 (Partial bit set by a speaker that passed it on)`, hex: update('', BASE + attr(0xe0, 200, '01020304'), P), expect: { attr: { 3: { flags: '0xe0' } } } },
  { name: 'update-unknown-optional-non-transitive', source: `${R} RFC 4271 s5 (unrecognized optional non-transitive: kept in decode, not passed on)`, hex: update('', BASE + attr(0x80, 240, ''), P), expect: { attr: { 3: { typeCode: 240, value: '' } } } },
  // ---- MP-BGP (RFC 4760), RFC 8950, ADD-PATH (RFC 7911)
  { name: 'update-mp-reach-ipv6-global', source: `${R} RFC 4760 s3, RFC 2545 s3 (IPv6 unicast, global next hop)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('2001:db8:5::/64') + prefix6('2001:db8:6::1/128')) + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { afi: 'ipv6', safi: 'unicast', nextHop: ['2001:db8:1::11'], nlri: ['2001:db8:5::/64', '2001:db8:6::1/128'] } } } },
  { name: 'update-mp-reach-ipv6-link-local', source: `${R} RFC 2545 s3 (global + link-local next hop, 32 octets)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11') + ipv6('fe80::11'), prefix6('2001:db8:5::/48')) + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { nextHop: ['2001:db8:1::11', 'fe80::11'] } } } },
  { name: 'update-mp-reach-ipv6-default', source: `${R} RFC 4760 s5 (::/0 takes one octet)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('::/0')) + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { nlri: ['::/0'] } } } },
  { name: 'update-mp-reach-ipv4-nh-ipv6', source: `${R} RFC 8950 s4 (IPv4 NLRI with an IPv6 next hop)`, hex: update('', mpReach(1, 1, ipv6('2001:db8:1::11'), prefix4('203.0.113.5/32')) + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { afi: 'ipv4', nextHop: ['2001:db8:1::11'], nlri: ['203.0.113.5/32'] } } } },
  { name: 'update-mp-reach-ipv4-nh-ipv6-link-local', source: `${R} RFC 8950 s4 (IPv4 NLRI, IPv6 global + link-local next hop)`, hex: update('', mpReach(1, 1, ipv6('2001:db8:1::11') + ipv6('fe80::11'), prefix4('203.0.113.5/32')) + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { nextHop: ['2001:db8:1::11', 'fe80::11'] } } } },
  { name: 'update-mp-reach-ipv4-multicast', source: `${R} RFC 4760 s3 (AFI 1 SAFI 2, IPv4 next hop)`, hex: update('', mpReach(1, 2, ipv4('198.18.1.11'), prefix4('203.0.113.0/24')) + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { safi: 'multicast', nextHop: ['198.18.1.11'] } } } },
  { name: 'update-mp-reach-vpnv4-raw', source: `${R} RFC 4364 s4.3.4 (AFI 1 SAFI 128 kept as raw octets)`, hex: update('', mpReach(1, 128, '0000000000000000' + ipv4('198.18.1.11'), '70' + '000641' + '0000fde800000064' + 'cb0071') + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { afi: 'ipv4', safi: 'mpls-vpn' } } } },
  { name: 'update-mp-unreach-ipv6', source: `${R} RFC 4760 s4`, hex: update('', mpUnreach(2, 1, prefix6('2001:db8:5::/64') + prefix6('2001:db8:6::1/128')), ''), expect: { attr: { 0: { withdrawn: ['2001:db8:5::/64', '2001:db8:6::1/128'] } } } },
  { name: 'update-mp-reach-and-unreach', source: `${R} RFC 4760 s3-s4 (both in one UPDATE)`, hex: update('', mpUnreach(2, 1, prefix6('2001:db8:7::/64')) + mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('2001:db8:5::/64')) + ORIGIN_IGP + asPath4(65001), ''), expect: { attributes: ['MP_UNREACH_NLRI', 'MP_REACH_NLRI', 'ORIGIN', 'AS_PATH'] } },
  { name: 'update-add-path-ipv4', source: `${R} RFC 7911 s3 (path identifiers 1 and 2 for one prefix: ECMP through one session)`, context: { addPath: ['ipv4'] }, hex: update(prefix4('203.0.113.6/32', 7), BASE, prefix4('203.0.113.5/32', 1) + prefix4('203.0.113.5/32', 2)), expect: { nlri: ['203.0.113.5/32', '203.0.113.5/32'], withdrawn: ['203.0.113.6/32'] } },
  { name: 'update-add-path-ipv6', source: `${R} RFC 7911 s3 (path identifiers in MP_REACH_NLRI)`, context: { addPath: ['ipv6'] }, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('2001:db8:5::/64', 1) + prefix6('2001:db8:5::/64', 4294967295)) + ORIGIN_IGP + asPath4(65001), ''), expect: { attr: { 0: { nlri: [{ prefix: '2001:db8:5::/64', pathId: 1 }, { prefix: '2001:db8:5::/64', pathId: 4294967295 }] } } } },
  { name: 'update-add-path-ipv6-unreach', source: `${R} RFC 7911 s3`, context: { addPath: ['ipv4', 'ipv6'] }, hex: update('', mpUnreach(2, 1, prefix6('2001:db8:5::/64', 3)), ''), expect: { attr: { 0: { withdrawn: [{ prefix: '2001:db8:5::/64', pathId: 3 }] } } } },
  { name: 'update-extended-message', source: `${R} RFC 8654 s4 (an UPDATE of more than 4096 octets once extended messages are negotiated)`, context: { extendedMessage: true }, hex: update('', BASE, Array.from({ length: 1100 }, (_, i) => prefix4(`203.0.${i >> 8}.${i & 255}/32`)).join('')), expect: { attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP'] } },
  // ---- RFC 7606 diagnostics (attribute-level)
  { name: 'update-7606-origin-undefined-value', source: `${R} RFC 7606 s7.1 (ORIGIN 3: treat-as-withdraw)`, hex: update('', attr(0x40, 1, '03') + asPath4(65001) + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-origin-length-2', source: `${R} RFC 7606 s7.1 (ORIGIN of 2 octets: treat-as-withdraw)`, hex: update('', attr(0x40, 1, '0000') + asPath4(65001) + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-origin-flags-optional', source: `${R} RFC 7606 s3(c) (ORIGIN marked optional: flags conflict, treat-as-withdraw)`, hex: update('', attr(0xc0, 1, '00') + asPath4(65001) + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-as-path-bad-segment-type', source: `${R} RFC 7606 s7.2 (segment type 5)`, hex: update('', ORIGIN_IGP + attr(0x40, 2, '0501' + u32(65001)) + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-as-path-zero-length-segment', source: `${R} RFC 7606 s7.2 (a segment of length zero)`, hex: update('', ORIGIN_IGP + attr(0x40, 2, '0200') + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-as-path-segment-overrun', source: `${R} RFC 7606 s7.2 (segment length 2 but one ASN present)`, hex: update('', ORIGIN_IGP + attr(0x40, 2, '0202' + u32(65001)) + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-as-path-underrun', source: `${R} RFC 7606 s7.2 (one octet left after the last segment)`, hex: update('', ORIGIN_IGP + attr(0x40, 2, '0201' + u32(65001) + '02') + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-next-hop-length-5', source: `${R} RFC 7606 s7.3 (NEXT_HOP of 5 octets)`, hex: update('', ORIGIN_IGP + asPath4(65001) + attr(0x40, 3, ipv4('198.18.1.11') + '00'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-next-hop-zero', source: `${R} RFC 4271 s6.3, RFC 7606 s7.3 (NEXT_HOP 0.0.0.0 is not a host address)`, hex: update('', ORIGIN_IGP + asPath4(65001) + nextHop('0.0.0.0'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-med-length-3', source: `${R} RFC 7606 s7.4`, hex: update('', BASE + attr(0x80, 4, '000064'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-local-pref-length-2', source: `${R} RFC 7606 s7.5`, context: { external: false }, hex: update('', BASE + attr(0x40, 5, '0064'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-local-pref-from-external', source: `${R} RFC 7606 s7.5 (LOCAL_PREF from an external peer: discarded)`, context: { external: true }, hex: update('', BASE + localPref(200), P), expect: { actions: ['attribute-discard'], attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP'] } },
  { name: 'update-7606-atomic-aggregate-length-1', source: `${R} RFC 7606 s7.6 (attribute discard)`, hex: update('', BASE + attr(0x40, 6, '00'), P), expect: { actions: ['attribute-discard'], attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP'] } },
  { name: 'update-7606-aggregator-length-7', source: `${R} RFC 7606 s7.7 (attribute discard)`, hex: update('', BASE + attr(0xc0, 7, u16(65001) + ipv4('198.18.0.11') + '00'), P), expect: { actions: ['attribute-discard'] } },
  { name: 'update-7606-aggregator-flags-well-known', source: `${R} RFC 7606 s7.7 (AGGREGATOR without the Optional bit: discarded)`, hex: update('', BASE + attr(0x40, 7, u32(65001) + ipv4('198.18.0.11')), P), expect: { actions: ['attribute-discard'] } },
  { name: 'update-7606-communities-length-5', source: `${R} RFC 7606 s7.8`, hex: update('', BASE + attr(0xc0, 8, u32(comm(65000, 100)) + '00'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-communities-empty', source: `${R} RFC 7606 s7.8 (length zero)`, hex: update('', BASE + attr(0xc0, 8, ''), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-originator-id-length-3', source: `${R} RFC 7606 s7.9`, context: { external: false }, hex: update('', BASE + localPref(100) + attr(0x80, 9, '0a0000'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-cluster-list-length-6', source: `${R} RFC 7606 s7.10`, context: { external: false }, hex: update('', BASE + localPref(100) + attr(0x80, 10, ipv4('198.18.0.1') + '0000'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-extended-communities-length-9', source: `${R} RFC 7606 s7.14`, hex: update('', BASE + attr(0xc0, 16, ext(0x00, 0x02, u16(65000) + u32(100)) + '00'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-large-community-length-13', source: `${R} RFC 8092 s6`, hex: update('', BASE + attr(0xc0, 32, large(65000, 1, 2) + '00'), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-duplicate-med', source: `${R} RFC 7606 s3(g) (second MED discarded)`, hex: update('', BASE + med(10) + med(20), P), expect: { actions: ['attribute-discard'], attr: { 3: { med: 10 } } } },
  { name: 'update-7606-duplicate-mp-reach', source: `${R} RFC 7606 s3(g) (MP_REACH_NLRI twice: session reset, Malformed Attribute List)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('2001:db8:5::/64')) + mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('2001:db8:6::/64')) + ORIGIN_IGP + asPath4(65001), ''), expect: { actions: ['session-reset'], resetNotification: [3, 1] } },
  { name: 'update-7606-missing-origin', source: `${R} RFC 7606 s3(d) (well-known mandatory ORIGIN missing with NLRI present)`, hex: update('', asPath4(65001) + NH, P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-missing-next-hop', source: `${R} RFC 7606 s3(d)`, hex: update('', ORIGIN_IGP + asPath4(65001), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-mp-only-no-next-hop-needed', source: `${R} RFC 4760 s3, RFC 7606 s3(d) (NEXT_HOP is not needed when only MP_REACH_NLRI carries NLRI)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('2001:db8:5::/64')) + ORIGIN_IGP + asPath4(65001), ''), expect: { actions: [] } },
  { name: 'update-attributes-without-nlri', source: `${R} RFC 7606 s5.2 (attributes but no NLRI: nothing is missing)`, hex: update(prefix4('203.0.113.6/32'), ORIGIN_IGP, ''), expect: { actions: [] } },
  { name: 'update-7606-attribute-overrun', source: `${R} RFC 7606 s4 (the last attribute's length runs past the attribute field)`, hex: update('', BASE + attr(0x80, 4, u32(5), 6), P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-attribute-underrun', source: `${R} RFC 7606 s4 (two octets left: too short for an attribute header)`, hex: update('', BASE + '8004', P), expect: { actions: ['treat-as-withdraw'] } },
  { name: 'update-7606-mp-reach-next-hop-length-7', source: `${R} RFC 7606 s7.11 (next hop length inconsistent with the AFI: session reset)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11').slice(0, 14), prefix6('2001:db8:5::/64')) + ORIGIN_IGP + asPath4(65001), ''), expect: { actions: ['session-reset'], resetNotification: [3, 9] } },
  { name: 'update-7606-mp-reach-bad-nlri', source: `${R} RFC 7606 s5.3 (IPv6 prefix length 129 in MP_REACH_NLRI: session reset)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11'), '81' + ipv6('2001:db8:5::') + '00') + ORIGIN_IGP + asPath4(65001), ''), expect: { actions: ['session-reset'], resetNotification: [3, 9] } },
  { name: 'update-7606-mp-unreach-truncated', source: `${R} RFC 7606 s5.3 (a /64 with only 4 octets in MP_UNREACH_NLRI: session reset)`, hex: update('', mpUnreach(2, 1, '40' + '20010db8'), ''), expect: { actions: ['session-reset'], resetNotification: [3, 9] } },
  { name: 'update-7606-mp-reach-overrun', source: `${R} RFC 7606 s4 (MP_REACH_NLRI runs past the attributes: its NLRI cannot be located, session reset)`, hex: update('', mpReach(2, 1, ipv6('2001:db8:1::11'), prefix6('2001:db8:5::/64')).slice(0, -2) , ''), expect: { actions: ['session-reset'], resetNotification: [3, 1] } },
  { name: 'update-7606-unrecognized-well-known', source: `${R} RFC 4271 s6.3 (unrecognized well-known attribute: Unrecognized Well-known Attribute)`, hex: update('', BASE + attr(0x40, 241, '00'), P), expect: { actions: ['session-reset'], resetNotification: [3, 2] } },
  { name: 'update-7606-as4-path-from-new-speaker', source: `${R} RFC 6793 s4.1 (AS4_PATH between NEW speakers is discarded)`, hex: update('', BASE + attr(0xc0, 17, '0201' + u32(65001)), P), expect: { actions: ['attribute-discard'], attributes: ['ORIGIN', 'AS_PATH', 'NEXT_HOP'] } },
  { name: 'update-7606-as4-path-confed-segment', source: `${R} RFC 6793 s6 (AS4_PATH with a confederation segment: attribute discard)`, context: { fourOctetAs: false }, hex: update('', ORIGIN_IGP + asPath2(23456) + NH + attr(0xc0, 17, '0301' + u32(4200000000)), P), expect: { actions: ['attribute-discard'] } },
  { name: 'update-7606-two-problems', source: `${R} RFC 7606 s3 (every problem is reported; a malformed mandatory attribute is not reported again as missing)`, hex: update('', attr(0x40, 1, '07') + asPath4(65001) + NH + attr(0x40, 6, '00'), P), expect: { actions: ['treat-as-withdraw', 'attribute-discard'] } },
  // ---- message-level errors (session reset, thrown)
  { name: 'update-error-withdrawn-length', source: `${R} RFC 4271 s6.3 (Withdrawn Routes Length past the message: Malformed Attribute List)`, hex: update(prefix4('203.0.113.5/32'), '', '', { wLen: 200 }), error: { code: 'ERR_BGP_UPDATE_LENGTH', notification: [3, 1, ''], offset: 19 } },
  { name: 'update-error-total-attribute-length', source: `${R} RFC 4271 s6.3 (Total Path Attribute Length past the message)`, hex: update('', BASE, '', { aLen: 100 }), error: { code: 'ERR_BGP_UPDATE_LENGTH', notification: [3, 1, ''], offset: 21 } },
  { name: 'update-error-nlri-length-33', source: `${R} RFC 4271 s6.3, RFC 7606 s5.3 (prefix length 33: Invalid Network Field)`, hex: update('', BASE, '21cb00710500'), error: { code: 'ERR_BGP_INVALID_NETWORK_FIELD', notification: [3, 10, ''] } },
  { name: 'update-error-nlri-truncated', source: `${R} RFC 7606 s5.3 (a /24 with two address octets)`, hex: update('', BASE, '18cb00'), error: { code: 'ERR_BGP_INVALID_NETWORK_FIELD', notification: [3, 10, ''] } },
  { name: 'update-error-withdrawn-length-40', source: `${R} RFC 7606 s5.3 (withdrawn prefix length 40)`, hex: update('28cb007105ff', '', ''), error: { code: 'ERR_BGP_INVALID_NETWORK_FIELD', notification: [3, 10, ''], offset: 21 } },
  { name: 'update-error-add-path-truncated', source: `${R} RFC 7911 s3 (a path identifier with no room for the prefix)`, context: { addPath: ['ipv4'] }, hex: update('', BASE, u32(1) + prefix4('203.0.113.5/32') + '000000'), error: { code: 'ERR_BGP_INVALID_NETWORK_FIELD', notification: [3, 10, ''] } },
  { name: 'update-error-add-path-not-negotiated', source: `${R} RFC 7911 s3 (ADD-PATH bytes read without ADD-PATH: the path id reads as a /0 prefix then garbage)`, hex: update('', BASE, u32(1) + prefix4('203.0.113.5/32')), error: { code: 'ERR_BGP_INVALID_NETWORK_FIELD', notification: [3, 10, ''] } },
  { name: 'update-error-too-long-without-extended-message', source: `${R} RFC 8654 s4 (more than 4096 octets without the capability: Bad Message Length)`, hex: update('', BASE, Array.from({ length: 1100 }, (_, i) => prefix4(`203.0.${i >> 8}.${i & 255}/32`)).join('')), error: { code: 'ERR_BGP_BAD_MESSAGE_LENGTH', notification: [1, 2], offset: 16 } },
];
