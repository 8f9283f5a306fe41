/**
 * fast-check arbitraries for well-formed BGP messages in their JSON form (docs/json.md), and for
 * the codec contexts they are encoded in. Each generated message must encode within its size
 * limit and decode without diagnostics.
 */
import fc from 'fast-check';

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const hex = (min: number, max: number): fc.Arbitrary<string> => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('hex'));
const ipv4 = fc.tuple(u8, u8, u8, u8).map((o) => o.join('.'));
/** A unicast host address: first octet 1..223, not 127. */
const hostIpv4 = fc.tuple(fc.integer({ min: 1, max: 223 }).filter((x) => x !== 127), u8, u8, u8).map((o) => o.join('.'));

function prefix4(addPath: boolean): fc.Arbitrary<unknown> {
  const p = fc.tuple(u32, fc.integer({ min: 0, max: 32 })).map(([a, l]) => {
    const masked = l === 0 ? 0 : (a & ((0xffffffff << (32 - l)) >>> 0)) >>> 0;
    return `${masked >>> 24}.${(masked >>> 16) & 255}.${(masked >>> 8) & 255}.${masked & 255}/${l}`;
  });
  return addPath ? fc.record({ prefix: p, pathId: u32 }) : p;
}

function prefix6(addPath: boolean): fc.Arbitrary<unknown> {
  const p = fc.tuple(fc.array(u16, { minLength: 8, maxLength: 8 }), fc.integer({ min: 0, max: 128 })).map(([g, l]) => {
    const groups = g.map((x, i) => {
      const bits = Math.max(0, Math.min(16, l - 16 * i));
      return bits === 0 ? 0 : x & ((0xffff << (16 - bits)) & 0xffff);
    });
    return `${compress6(groups)}/${l}`;
  });
  return addPath ? fc.record({ prefix: p, pathId: u32 }) : p;
}

/** RFC 5952 text of 8 groups (the decoder prints this form). */
function compress6(g: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const h = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`;
  return best < 0 ? h(g) : `${h(g.slice(0, best))}::${h(g.slice(best + bestLen))}`;
}

/** IPv6 in RFC 5952 canonical text (the form the decoder prints). */
const ipv6 = fc.array(u16, { minLength: 8, maxLength: 8 }).map(compress6);

export interface Ctx {
  fourOctetAs: boolean;
  addPath: ('ipv4' | 'ipv6')[];
}

export const ctxArb: fc.Arbitrary<Ctx> = fc.record({
  fourOctetAs: fc.boolean(),
  addPath: fc.subarray(['ipv4', 'ipv6'] as ('ipv4' | 'ipv6')[]),
});

const segment = (asnMax: number): fc.Arbitrary<unknown> =>
  fc.record({
    type: fc.constantFrom('AS_SET', 'AS_SEQUENCE', 'AS_CONFED_SEQUENCE', 'AS_CONFED_SET'),
    asns: fc.array(fc.integer({ min: 0, max: asnMax }), { minLength: 1, maxLength: 12 }),
  });

const community = fc.oneof(
  fc.tuple(u16, u16).map(([a, b]) => `${a}:${b}`).filter((s) => !s.startsWith('65535:')),
  fc.constantFrom('NO_EXPORT', 'NO_ADVERTISE', 'NO_EXPORT_SUBCONFED', 'GRACEFUL_SHUTDOWN', 'BLACKHOLE'),
);

const extCommunity = fc.oneof(
  fc.record({ type: fc.constantFrom('route-target', 'route-origin'), asn: u16, value: u32, transitive: fc.boolean() }),
  fc.record({ type: fc.constantFrom('route-target', 'route-origin'), address: ipv4, value: u16, transitive: fc.boolean() }),
  fc.record({ type: fc.constantFrom('route-target', 'route-origin'), asn4: u32, value: u16, transitive: fc.boolean() }),
);

/** Optional attributes (each at most once), in a random order after the mandatory ones. */
function optionalAttributes(c: Ctx): fc.Arbitrary<unknown[]> {
  const asnMax = c.fourOctetAs ? 0xffffffff : 0xffff;
  const pool: fc.Arbitrary<unknown>[] = [
    u32.map((med) => ({ type: 'MULTI_EXIT_DISC', med })),
    u32.map((localPref) => ({ type: 'LOCAL_PREF', localPref })),
    fc.constant({ type: 'ATOMIC_AGGREGATE' }),
    fc.record({ asn: fc.integer({ min: 0, max: asnMax }), address: ipv4 }).map((a) => ({ type: 'AGGREGATOR', ...a })),
    fc.array(community, { minLength: 1, maxLength: 8 }).map((communities) => ({ type: 'COMMUNITIES', communities })),
    fc.array(extCommunity, { minLength: 1, maxLength: 4 }).map((communities) => ({ type: 'EXTENDED_COMMUNITIES', communities })),
    fc.array(fc.tuple(u32, u32, u32).map((t) => t.join(':')), { minLength: 1, maxLength: 4 }).map((communities) => ({ type: 'LARGE_COMMUNITY', communities })),
    ipv4.map((originatorId) => ({ type: 'ORIGINATOR_ID', originatorId })),
    fc.array(ipv4, { minLength: 1, maxLength: 4 }).map((clusterList) => ({ type: 'CLUSTER_LIST', clusterList })),
    u32.map((asn) => ({ type: 'OTC', asn })),
    fc.record({ typeCode: fc.integer({ min: 100, max: 254 }), flags: fc.constantFrom('0x80', '0xc0', '0xe0'), value: hex(0, 20) }).map((u) => ({ type: 'UNKNOWN', ...u })),
  ];
  if (!c.fourOctetAs) {
    pool.push(fc.array(segment(0xffffffff).filter((s) => ['AS_SET', 'AS_SEQUENCE'].includes((s as { type: string }).type)), { minLength: 1, maxLength: 3 }).map((segments) => ({ type: 'AS4_PATH', segments })));
    pool.push(fc.record({ asn: u32, address: ipv4 }).map((a) => ({ type: 'AS4_AGGREGATOR', ...a })));
  }
  return fc.subarray(pool.map((_, i) => i), { minLength: 0 }).chain((idx) => (idx.length === 0 ? fc.constant([]) : fc.tuple(...idx.map((i) => pool[i]!))));
}

/** A well-formed UPDATE in JSON form for context `c` (within 4096 octets). */
export function updateArb(c: Ctx): fc.Arbitrary<Record<string, unknown>> {
  const ap4 = c.addPath.includes('ipv4');
  const ap6 = c.addPath.includes('ipv6');
  const asnMax = c.fourOctetAs ? 0xffffffff : 0xffff;
  const mandatory = fc.tuple(
    fc.constantFrom('IGP', 'EGP', 'INCOMPLETE').map((origin) => ({ type: 'ORIGIN', origin })),
    fc.array(segment(asnMax), { maxLength: 3 }).map((segments) => ({ type: 'AS_PATH', segments })),
    hostIpv4.map((nextHop) => ({ type: 'NEXT_HOP', nextHop })),
  );
  const mpReach = fc.record({
    nextHop: fc.oneof(fc.tuple(ipv6), fc.tuple(ipv6, ipv6)),
    nlri: fc.array(prefix6(ap6), { minLength: 1, maxLength: 10 }),
  }).map((m) => ({ type: 'MP_REACH_NLRI', afi: 'ipv6', safi: 'unicast', ...m }));
  const mpUnreach = fc.array(prefix6(ap6), { maxLength: 10 }).map((withdrawn) => ({ type: 'MP_UNREACH_NLRI', afi: 'ipv6', safi: 'unicast', withdrawn }));
  return fc
    .record({
      withdrawn: fc.array(prefix4(ap4), { maxLength: 20 }),
      nlri: fc.array(prefix4(ap4), { maxLength: 40 }),
      mandatory,
      optional: optionalAttributes(c),
      mp: fc.option(fc.oneof(mpReach, mpUnreach), { nil: undefined }),
    })
    .map((r) => ({
      type: 'UPDATE',
      withdrawn: r.withdrawn,
      attributes: [...(r.mp ? [r.mp] : []), ...(r.nlri.length > 0 || r.optional.length > 0 || r.mp?.type === 'MP_REACH_NLRI' ? r.mandatory : []), ...r.optional],
      nlri: r.nlri,
    }));
}

const afiSafi = fc.record({ afi: fc.constantFrom('ipv4', 'ipv6', 'l2vpn'), safi: fc.constantFrom('unicast', 'multicast', 'mpls-vpn', 'evpn') });

const capability: fc.Arbitrary<unknown> = fc.oneof(
  afiSafi.map((a) => ({ type: 'MULTIPROTOCOL', ...a })),
  fc.constantFrom({ type: 'ROUTE_REFRESH' }, { type: 'ENHANCED_ROUTE_REFRESH' }, { type: 'EXTENDED_MESSAGE' }, { type: 'ROUTE_REFRESH_CISCO' }),
  u32.map((asn) => ({ type: 'FOUR_OCTET_AS', asn })),
  fc.array(fc.record({ afi: fc.constantFrom('ipv4', 'ipv6'), safi: fc.constant('unicast'), sendReceive: fc.constantFrom('receive', 'send', 'both') }), { minLength: 1, maxLength: 3 }).map((afs) => ({ type: 'ADD_PATH', afs })),
  fc.record({ restartState: fc.boolean(), gracefulNotification: fc.boolean(), restartTimeSec: fc.integer({ min: 0, max: 4095 }), afs: fc.array(fc.record({ afi: fc.constantFrom('ipv4', 'ipv6'), safi: fc.constant('unicast'), forwardingState: fc.boolean() }), { maxLength: 3 }) }).map((g) => ({ type: 'GRACEFUL_RESTART', ...g })),
  fc.array(fc.record({ afi: fc.constantFrom('ipv4', 'ipv6'), safi: fc.constant('unicast'), forwardingState: fc.boolean(), longLivedStaleTimeSec: fc.integer({ min: 0, max: 0xffffff }) }), { maxLength: 3 }).map((afs) => ({ type: 'LONG_LIVED_GRACEFUL_RESTART', afs })),
  fc.array(fc.record({ nlriAfi: fc.constant('ipv4'), nlriSafi: fc.constantFrom('unicast', 'multicast'), nextHopAfi: fc.constant('ipv6') }), { minLength: 1, maxLength: 3 }).map((tuples) => ({ type: 'EXTENDED_NEXT_HOP', tuples })),
  fc.record({ hostname: fc.string({ maxLength: 30 }), domainName: fc.string({ maxLength: 30 }) }).map((f) => ({ type: 'FQDN', ...f })),
  fc.constantFrom('provider', 'rs', 'rs-client', 'customer', 'peer').map((role) => ({ type: 'BGP_ROLE', role })),
  fc.record({ code: fc.integer({ min: 200, max: 239 }), data: hex(0, 16) }).map((u) => ({ type: 'UNKNOWN', ...u })),
);

export const openArb: fc.Arbitrary<Record<string, unknown>> = fc.record({
  myAutonomousSystem: u16,
  holdTimeSec: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpIdentifier: ipv4,
  optionalParameters: fc.array(fc.array(capability, { maxLength: 6 }).map((capabilities) => ({ type: 'CAPABILITIES', capabilities })), { maxLength: 4 }),
}).map((o) => ({ type: 'OPEN', version: 4, ...o }));

export const notificationArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ code: fc.integer({ min: 1, max: 8 }), subcode: u8, data: hex(0, 40) })
  .map((n) => ({ type: 'NOTIFICATION', ...n }));

export const routeRefreshArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ afi: fc.constantFrom('ipv4', 'ipv6'), safi: fc.constantFrom('unicast', 'multicast'), subtype: fc.constantFrom('NORMAL', 'BoRR', 'EoRR') })
  .map((r) => ({ type: 'ROUTE-REFRESH', ...r }));
