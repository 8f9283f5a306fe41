/**
 * InboundRoutes on session down with graceful restart (RFC 4724 s4.2): routes of the families the
 * peer kept forwarding state for stay stale; routes of any other family are deleted at once and
 * reported as swept (so a Loc-RIB fed from the events drops them too).
 */
import t from 'tap';
import { PrefixList } from '../src/bgp/prefix/prefix-list.js';
import type { PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import type { UpdateMessage } from '../src/bgp/codec/update.js';
import { afiSafiKey } from '../src/bgp/iana/afi-safi.js';
import { AdjRibIn } from '../src/rib/adj-rib-in.js';
import { InboundRoutes, type InboundRouteEvent } from '../src/bgp/session/inbound-routes.js';

const attrs: PathAttribute[] = [
  { type: 'ORIGIN', origin: 0 },
  { type: 'AS_PATH', segments: [{ type: 2, asns: [65001] }] },
  { type: 'NEXT_HOP', nextHop: '192.0.2.9' },
  { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHop: ['2001:db8::9'], nlri: PrefixList.from(2, ['2001:db8:1::/48', '2001:db8:2::/48']) } as PathAttribute,
];
const update: UpdateMessage = { type: 'UPDATE', withdrawn: PrefixList.empty(1), attributes: attrs, nlri: PrefixList.from(1, ['203.0.113.1/32']) };

t.test('graceful restart for IPv4 only: IPv6 routes go at once, IPv4 stays stale', async (t) => {
  const rib = new AdjRibIn();
  const events: InboundRouteEvent[] = [];
  const inbound = new InboundRoutes(rib, true, (e) => events.push(e));
  inbound.update(update);
  t.equal(rib.size, 3);
  inbound.sessionDown(true, [afiSafiKey(1, 1)]);
  t.same(rib.routes().map((r) => [r.prefix, r.stale]), [['203.0.113.1/32', true]]);
  const stale = events.filter((e) => e.type === 'staleRoutes') as { action: string; count: number; routes?: { prefix: string }[] }[];
  t.same(
    stale.map((e) => [e.action, e.count, (e.routes ?? []).map((r) => r.prefix).sort()]),
    [
      ['marked', 1, []],
      ['swept', 2, ['2001:db8:1::/48', '2001:db8:2::/48']],
    ],
  );
  t.equal(rib.familySize(afiSafiKey(2, 1)), 0);
});

t.test('graceful restart for every family held: nothing swept at session down', async (t) => {
  const rib = new AdjRibIn();
  const events: InboundRouteEvent[] = [];
  const inbound = new InboundRoutes(rib, true, (e) => events.push(e));
  inbound.update(update);
  inbound.sessionDown(true, [afiSafiKey(1, 1), afiSafiKey(2, 1)]);
  t.equal(rib.staleCount, 3);
  t.same(events.filter((e) => e.type === 'staleRoutes').map((e) => (e as { action: string }).action), ['marked']);
});
