/**
 * Every vector is also decoded by Wireshark's BGP dissector (tshark 4.0, one run per ASN width)
 * and the test asserts agreement: message type and length for all; for well-formed messages the
 * key fields (OPEN: version, AS, hold time, identifier, capability codes and lengths; UPDATE:
 * prefixes, attribute types/flags/lengths, next hops, AS path, communities, MP_REACH/UNREACH;
 * NOTIFICATION code/subcode/data; ROUTE-REFRESH AFI/SAFI/subtype); error vectors must be
 * flagged by tshark too, except where our checks are stricter (listed with the reason).
 * tshark is a required dependency in CI (.ci/run installs it); elsewhere the test is skipped
 * with a message when it is missing.
 */
import t, { type Test } from 'tap';
import { fromHex, toHex, ByteWriter } from '../src/bgp/codec/bytes.js';
import { decodeMessage } from '../src/bgp/codec/message.js';
import { capabilitiesOf } from '../src/bgp/codec/open.js';
import { capabilityCode, encodeCapability } from '../src/bgp/codec/capabilities/capability.js';
import { attributeTypeCode, type PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { encodeAttribute } from '../src/bgp/codec/path-attributes.js';
import { encodeExtendedCommunity } from '../src/bgp/codec/attributes/extended-communities.js';
import { isDecodedMpReach } from '../src/bgp/codec/attributes/mp-reach-nlri.js';
import { isDecodedMpUnreach } from '../src/bgp/codec/attributes/mp-unreach-nlri.js';
import type { UpdateMessage } from '../src/bgp/codec/update.js';
import { tsharkAvailable, tsharkDecodeBgp, type TsharkBgpPdu } from './helpers/tshark.js';
import { contextOf, loadVectors, type Vector } from './helpers/vectors.js';

/** Well-formed vectors tshark 4.0 cannot read, and why. tshark must still flag them (checked). */
const TSHARK_CANNOT_READ: Record<string, string> = {
  'header-length-4097-with-extended-message': 'Wireshark 4.0 has no RFC 8654 extended messages (max 4096)',
  'update-extended-message': 'Wireshark 4.0 has no RFC 8654 extended messages (max 4096)',
  'open-rfc9072-extended-empty': 'Wireshark 4.0 has no RFC 9072 extended optional parameters',
  'open-rfc9072-extended-small': 'Wireshark 4.0 has no RFC 9072 extended optional parameters',
  'open-rfc9072-extended-large': 'Wireshark 4.0 has no RFC 9072 extended optional parameters',
};

/** Well-formed vectors tshark reads without complaint but wrongly, and why: fields not compared. */
const TSHARK_MISREADS: Record<string, string> = {
  'open-rfc9072-non-ext-op-len-1': 'no RFC 9072: tshark takes the Non-Ext OP Len of 1 at face value and reads one bogus parameter',
};

/** Captured messages whose sender deviates from the RFC: tshark flags them, we decode them (data kept raw). */
const SENDER_DEVIATES: Record<string, string> = {
  'captured-frr-exabgp-bad-peer-as-exabgp-notification-1':
    'ExaBGP 4.2.21 puts ASCII text in the data of OPEN Message Error / Bad Peer AS, where RFC 4271 s6.2 expects the AS number; tshark reads it as an integer and flags it',
};

/** Error vectors tshark accepts because our checks are stricter, and why. */
const STRICTER_THAN_TSHARK: Record<string, string> = {
  'capability-error-bgp-role-length': 'tshark does not check capability lengths',
  'capability-error-extended-message-length': 'tshark does not check capability lengths',
  'capability-error-long-lived-graceful-restart-length': 'tshark does not check capability lengths',
  'header-keepalive-length-20': 'RFC 4271 s6.1 fixes KEEPALIVE at 19 octets; tshark does not check it',
  'header-type-0': 'tshark shows an unknown type without an expert warning',
  'header-type-6': 'tshark shows an unknown type without an expert warning',
  'open-error-optional-parameters-length-too-short': 'tshark decodes the parameters that fit and ignores the rest',
  'open-error-rfc9072-header-truncated': 'tshark has no RFC 9072',
  'update-error-add-path-not-negotiated': 'tshark guesses ADD-PATH per NLRI block and its guess makes the bytes valid',
  'update-error-nlri-length-33': 'tshark guesses ADD-PATH per NLRI block and its guess makes the bytes valid',
};

const vectors = loadVectors();

if (!tsharkAvailable()) {
  if (process.env.CI) t.fail('tshark is missing; .ci/run must install it');
  else t.test('Wireshark cross-check', { skip: 'tshark is not installed (apt-get install tshark)' }, async () => {});
} else {
  t.test('every vector agrees with Wireshark', async (t) => {
    const results = new Map<string, TsharkBgpPdu>();
    for (const four of [true, false]) {
      const sel = vectors.filter((v) => (v.context?.fourOctetAs ?? true) === four);
      const res = await tsharkDecodeBgp(sel.map((v) => v.hex), { asnLen: four ? 4 : 2 });
      res.forEach((r, i) => results.set(sel[i]!.name, r));
    }
    let compared = 0;
    for (const v of vectors) {
      const r = results.get(v.name)!;
      if (v.error) {
        if (STRICTER_THAN_TSHARK[v.name]) t.notOk(r.flagged, `${v.name}: tshark accepts it (${STRICTER_THAN_TSHARK[v.name]}); if this fails, tshark got stricter: drop the exception`);
        else t.ok(r.flagged, `${v.name}: tshark flags the bad message too`);
        continue;
      }
      const bytes = fromHex(v.hex);
      if (TSHARK_CANNOT_READ[v.name]) {
        t.ok(r.flagged, `${v.name}: tshark flags it (${TSHARK_CANNOT_READ[v.name]})`);
        continue;
      }
      t.equal(r.type, bytes[18], `${v.name}: message type`);
      t.equal(r.length, bytes.length, `${v.name}: length`);
      if (TSHARK_MISREADS[v.name]) continue;
      if (SENDER_DEVIATES[v.name]) {
        t.ok(r.flagged, `${v.name}: tshark flags it (${SENDER_DEVIATES[v.name]})`);
        continue;
      }
      if ('diagnostics' in (v.decoded ?? {})) continue; // malformed on purpose: tshark may or may not notice
      t.notOk(r.flagged, `${v.name}: tshark accepts it (${r.expert.map((e) => e.message).join('; ')})`);
      compareFields(t, v, r);
      compared++;
    }
    t.ok(compared >= 140, `key fields compared on ${compared} well-formed vectors`);
  });
}

function compareFields(t: Test, v: Vector, r: TsharkBgpPdu): void {
  const ctx = contextOf(v);
  const m = decodeMessage(fromHex(v.hex), ctx);
  const n = v.name;
  switch (m.type) {
    case 'OPEN': {
      const o = r.open!;
      t.same([o.version, o.myAs, o.holdTime, o.bgpIdentifier], [m.version, m.myAutonomousSystem, m.holdTimeSec, m.bgpIdentifier], `${n}: OPEN fixed fields`);
      const caps = capabilitiesOf(m).map((c) => {
        const w = new ByteWriter();
        encodeCapability(c, w);
        return { code: capabilityCode(c), length: w.pos - 2 };
      });
      t.same(o.capabilities, caps, `${n}: capability codes and lengths`);
      break;
    }
    case 'UPDATE':
      compareUpdate(t, n, m, r, ctx);
      break;
    case 'NOTIFICATION': {
      const x = r.notification!;
      t.same([x.code, x.subcode, x.data], [m.code, m.subcode, toHex(m.data)], `${n}: code, subcode, data`);
      break;
    }
    case 'ROUTE-REFRESH': {
      const x = r.routeRefresh!;
      t.same([x.afi, x.safi, x.subtype], [m.afi, m.safi, m.subtype], `${n}: AFI, SAFI, subtype`);
      break;
    }
    case 'KEEPALIVE':
      break;
  }
}

function compareUpdate(t: Test, n: string, m: UpdateMessage, r: TsharkBgpPdu, ctx: ReturnType<typeof contextOf>): void {
  const u = r.update!;
  // tshark clears the bits past the prefix length (RFC 4271: irrelevant); we print them as sent
  t.same(u.withdrawn.map(masked), m.withdrawn.toStrings().map(masked), `${n}: withdrawn routes`);
  t.same(u.nlri.map(masked), m.nlri.toStrings().map(masked), `${n}: NLRI`);
  if (m.nlri.addPath && u.nlriPathIds) t.same(u.nlriPathIds, Array.from({ length: m.nlri.length }, (_, i) => m.nlri.pathId(i)), `${n}: NLRI path ids`);
  const ours = m.attributes.map((a) => {
    const w = new ByteWriter();
    encodeAttribute(a, w, ctx);
    return { flags: w.buf[0]!, typeCode: attributeTypeCode(a), length: w.pos - ((w.buf[0]! & 0x10) !== 0 ? 4 : 3) };
  });
  t.same(u.attributes, ours, `${n}: attribute flags, types and lengths in order`);
  for (const a of m.attributes) compareAttribute(t, n, a, u);
}

/** An IPv4 prefix with the bits past its length cleared (IPv6 unchanged). */
function masked(p: string): string {
  const [a, l] = p.split('/') as [string, string];
  if (a.includes(':')) return p;
  const bits = Number(l);
  const n = a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const m = bits === 0 ? 0 : Number((BigInt(n) >> BigInt(32 - bits)) << BigInt(32 - bits));
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}/${bits}`;
}

function compareAttribute(t: Test, n: string, a: PathAttribute, u: NonNullable<TsharkBgpPdu['update']>): void {
  const segs = (s: readonly { type: number; asns: readonly number[] }[]): unknown => s.map((x) => ({ type: x.type, asns: [...x.asns] }));
  switch (a.type) {
    case 'ORIGIN':
      t.equal(u.origin, a.origin, `${n}: ORIGIN`);
      break;
    case 'AS_PATH':
      t.same((u.asPath ?? []).map((s) => ({ type: s.type, asns: s.asns })), segs(a.segments), `${n}: AS_PATH`);
      break;
    case 'AS4_PATH':
      t.same((u.as4Path ?? []).map((s) => ({ type: s.type, asns: s.asns })), segs(a.segments), `${n}: AS4_PATH`);
      break;
    case 'NEXT_HOP':
      t.equal(u.nextHop, a.nextHop, `${n}: NEXT_HOP`);
      break;
    case 'MULTI_EXIT_DISC':
      t.equal(u.med, a.med, `${n}: MED`);
      break;
    case 'LOCAL_PREF':
      t.equal(u.localPref, a.localPref, `${n}: LOCAL_PREF`);
      break;
    case 'ATOMIC_AGGREGATE':
      t.ok(u.atomicAggregate, `${n}: ATOMIC_AGGREGATE`);
      break;
    case 'AGGREGATOR':
      t.same(u.aggregator, { as: a.asn, address: a.address }, `${n}: AGGREGATOR`);
      break;
    case 'AS4_AGGREGATOR':
      t.same(u.as4Aggregator, { as: a.asn, address: a.address }, `${n}: AS4_AGGREGATOR`);
      break;
    case 'COMMUNITIES':
      t.same(u.communities, a.communities.map((c) => `${c >>> 16}:${c & 0xffff}`), `${n}: COMMUNITIES`);
      break;
    case 'LARGE_COMMUNITY':
      t.same(u.largeCommunities, a.communities.map((c) => c.join(':')), `${n}: LARGE_COMMUNITY`);
      break;
    case 'EXTENDED_COMMUNITIES':
      t.same(u.extendedCommunities?.map((e) => e.raw), a.communities.map((c) => toHex(encodeExtendedCommunity(c))), `${n}: EXTENDED_COMMUNITIES`);
      break;
    case 'ORIGINATOR_ID':
      t.equal(u.originatorId, a.originatorId, `${n}: ORIGINATOR_ID`);
      break;
    case 'CLUSTER_LIST':
      t.same(u.clusterList, [...a.clusterList], `${n}: CLUSTER_LIST`);
      break;
    case 'MP_REACH_NLRI': {
      const x = u.mpReach!;
      t.same([x.afi, x.safi], [a.afi, a.safi], `${n}: MP_REACH_NLRI AFI/SAFI`);
      if (isDecodedMpReach(a)) {
        t.same(x.nextHops, [...a.nextHop], `${n}: MP_REACH_NLRI next hops`);
        t.same(x.nlri, a.nlri.toStrings(), `${n}: MP_REACH_NLRI prefixes`);
      } else {
        t.equal(x.nextHopRaw, toHex(a.nextHopData), `${n}: MP_REACH_NLRI next hop octets`);
      }
      break;
    }
    case 'MP_UNREACH_NLRI': {
      const x = u.mpUnreach!;
      t.same([x.afi, x.safi], [a.afi, a.safi], `${n}: MP_UNREACH_NLRI AFI/SAFI`);
      if (isDecodedMpUnreach(a)) t.same(x.withdrawn, a.withdrawn.toStrings(), `${n}: MP_UNREACH_NLRI prefixes`);
      break;
    }
    default:
      break;
  }
}
