/**
 * negotiate.ts: the OPEN we send for a configuration, and checkOpen's RFC 4271 s6.2 / RFC 5492 /
 * RFC 6286 / RFC 6793 checks and negotiation of what the peer offered.
 */
import t from 'tap';
import { AS_TRANS } from '../src/bgp/iana/asn.js';
import { afiSafiKey } from '../src/bgp/iana/afi-safi.js';
import { type OpenMessage, buildOpen, decodeOpen, encodeOpen } from '../src/bgp/codec/open.js';
import type { Capability } from '../src/bgp/codec/capabilities/capability.js';
import { hasAddPath } from '../src/bgp/codec/context.js';
import { checkOpen, localCapabilities, localOpen, negotiatedToJson, sendsAddPath } from '../src/bgp/session/negotiate.js';
import { type BgpPeerConfig, resolvePeerConfig } from '../src/bgp/session/session-config.js';

const LOCAL: BgpPeerConfig = { localAsn: 65000, peerAsn: 65001, routerId: '192.0.2.1', peerAddress: '192.0.2.2' };
const cfg = (o: Partial<BgpPeerConfig> = {}) => resolvePeerConfig({ ...LOCAL, ...o });
const peer = (caps: Capability[], o: Partial<{ asn: number; hold: number; id: string }> = {}): OpenMessage =>
  buildOpen({ myAsn: o.asn ?? 65001, holdTimeSec: o.hold ?? 90, bgpIdentifier: o.id ?? '192.0.2.2', capabilities: caps });
const MP4: Capability = { type: 'MULTIPROTOCOL', afi: 1, safi: 1 };
const MP6: Capability = { type: 'MULTIPROTOCOL', afi: 2, safi: 1 };

function ok(open: OpenMessage, c = cfg()) {
  const r = checkOpen(open, c);
  if (!r.ok) throw new Error(`expected success, got ${r.reason}`);
  return r.negotiated;
}

function fails(open: OpenMessage, c = cfg()): { sub: number; data: string; reason: string } {
  const r = checkOpen(open, c);
  if (r.ok) throw new Error('expected a failure');
  return { sub: r.notification.subcode, data: Buffer.from(r.notification.data).toString('hex'), reason: r.reason };
}

t.test('the OPEN we send', async (t) => {
  const o = localOpen(cfg({ gracefulRestart: { restartTimeSec: 90, forwardingState: true }, restarting: true, addPath: { 'ipv4-unicast': 'send', 'ipv6-unicast': 'both' } }));
  t.equal(o.version, 4);
  t.equal(o.myAutonomousSystem, 65000);
  t.equal(o.holdTimeSec, 90);
  t.equal(o.bgpIdentifier, '192.0.2.1');
  t.same(
    localCapabilities(cfg({ gracefulRestart: { restartTimeSec: 90, forwardingState: true }, restarting: true, addPath: { 'ipv4-unicast': 'send', 'ipv6-unicast': 'both' } })),
    [
      MP4,
      MP6,
      { type: 'ROUTE_REFRESH' },
      { type: 'ENHANCED_ROUTE_REFRESH' },
      { type: 'EXTENDED_MESSAGE' },
      { type: 'FOUR_OCTET_AS', asn: 65000 },
      { type: 'ADD_PATH', afs: [{ afi: 1, safi: 1, sendReceive: 2 }, { afi: 2, safi: 1, sendReceive: 3 }] },
      {
        type: 'GRACEFUL_RESTART',
        restartState: true,
        gracefulNotification: true,
        restartTimeSec: 90,
        afs: [
          { afi: 1, safi: 1, forwardingState: true },
          { afi: 2, safi: 1, forwardingState: true },
        ],
      },
    ],
    'every capability, in a stable order',
  );
  t.same(
    localCapabilities(cfg({ routeRefresh: false, extendedMessage: false, families: ['ipv6-unicast'], addPath: { 'ipv4-unicast': 'both' } })).map((c) => c.type),
    ['MULTIPROTOCOL', 'FOUR_OCTET_AS'],
    'no enhanced route refresh without route refresh; ADD-PATH only for offered families',
  );
  const big = localOpen(cfg({ localAsn: 4200000001 }));
  t.equal(big.myAutonomousSystem, AS_TRANS, 'a 4-octet ASN puts AS_TRANS in the 2-octet field (RFC 6793 s3)');
  t.same(decodeOpen(encodeOpen(big)), big, 'encodes and decodes');
});

t.test('OPEN checks and their NOTIFICATION subcodes', async (t) => {
  t.same(fails({ ...peer([]), version: 5 }), { sub: 1, data: '0004', reason: 'version 5 (only 4 is supported)' }, 'version: 2/1, data 0x0004');
  t.equal(fails({ ...peer([]), version: 255 }).data, '0004');
  t.equal(fails(peer([], { asn: 65002 })).sub, 2, 'unexpected peer AS: 2/2');
  t.equal(fails(peer([], { asn: 65002 })).reason, 'peer AS 65002, expected 65001');
  t.equal(fails({ ...peer([]), myAutonomousSystem: 0, optionalParameters: [] }, cfg({ peerAsn: undefined })).sub, 2, 'AS 0: 2/2');
  t.equal(fails(peer([], { asn: 64000 }), cfg({ peerAsn: undefined, peerAsnRange: [64512, 65534] })).sub, 2, 'outside the range: 2/2');
  t.match(fails(peer([], { asn: 64000 }), cfg({ peerAsn: undefined, peerAsnRange: [64512, 65534] })).reason, /64512\.\.65534/);
  t.equal(ok(peer([], { asn: 64600 }), cfg({ peerAsn: undefined, peerAsnRange: [64512, 65534] })).peerAsn, 64600, 'inside the range');
  t.equal(
    fails({ ...buildOpen({ myAsn: 4200000001, holdTimeSec: 90, bgpIdentifier: '192.0.2.2' }), myAutonomousSystem: 65001 }, cfg({ peerAsn: 4200000001 })).sub,
    2,
    '2-octet field neither AS_TRANS nor the ASN: 2/2 (RFC 6793 s4.1)',
  );
  t.equal(fails({ ...peer([]), myAutonomousSystem: 65009 }).sub, 2, 'small ASN in the capability, another in the 2-octet field');
  t.equal(fails(peer([], { id: '0.0.0.0' })).sub, 3, 'identifier 0: 2/3');
  t.equal(fails(peer([], { asn: 65000, id: '192.0.2.1' }), cfg({ peerAsn: 65000 })).sub, 3, 'iBGP with our identifier: 2/3');
  t.equal(ok(peer([], { id: '192.0.2.1' })).external, true, 'eBGP with our identifier is allowed (RFC 6286 s2.2)');
  const unknownParam: OpenMessage = { ...peer([]), optionalParameters: [{ type: 'UNKNOWN', code: 1, data: new Uint8Array(0) }] };
  t.equal(fails(unknownParam).sub, 4, 'unknown optional parameter: 2/4');
  for (const h of [1, 2]) t.equal(fails(peer([], { hold: h })).sub, 6, `hold ${h}: 2/6`);
  for (const r of [fails({ ...peer([]), version: 5 }), fails(peer([], { hold: 1 }))]) t.ok(r.reason.length > 0);
  const r = checkOpen(peer([], { hold: 2 }), cfg());
  t.equal(r.ok ? 0 : r.notification.code, 2, 'OPEN Message Error');
});

t.test('hold time and keepalive', async (t) => {
  t.same([ok(peer([], { hold: 30 })).holdTimeSec, ok(peer([], { hold: 30 })).keepaliveTimeSec], [30, 10], 'min(90, 30); hold/3');
  t.same([ok(peer([], { hold: 180 })).holdTimeSec, ok(peer([], { hold: 180 })).keepaliveTimeSec], [90, 30]);
  t.same([ok(peer([], { hold: 0 })).holdTimeSec, ok(peer([], { hold: 0 })).keepaliveTimeSec], [0, 0], 'hold 0: no keepalives');
  t.same([ok(peer([], { hold: 3 })).holdTimeSec, ok(peer([], { hold: 3 })).keepaliveTimeSec], [3, 1]);
  t.equal(ok(peer([], { hold: 4 })).keepaliveTimeSec, 1, 'floor(4/3)');
  t.equal(ok(peer([]), cfg({ keepaliveTimeSec: 5 })).keepaliveTimeSec, 5, 'configured below hold/3');
  t.equal(ok(peer([]), cfg({ keepaliveTimeSec: 60 })).keepaliveTimeSec, 30, 'never above hold/3');
  t.equal(ok(peer([]), cfg({ holdTimeSec: 0, keepaliveTimeSec: 5 })).keepaliveTimeSec, 0, 'our hold 0 wins');
});

t.test('families, route refresh, extended message, 4-octet AS', async (t) => {
  const n0 = ok({ ...peer([]), optionalParameters: [] });
  t.same(n0.families, [{ afi: 1, safi: 1, name: 'ipv4-unicast' }], 'no MP capability: IPv4 unicast (RFC 4760 s8)');
  t.equal(n0.fourOctetAs, false, 'no FOUR_OCTET_AS capability');
  t.equal(n0.sendContext.fourOctetAs, false);
  t.equal(n0.receiveContext.fourOctetAs, false);
  t.same(ok(peer([MP6])).families.map((f) => f.name), ['ipv6-unicast'], 'only IPv6 offered');
  t.same(ok(peer([MP4, MP6, { type: 'MULTIPROTOCOL', afi: 1, safi: 128 }])).families.map((f) => f.name), ['ipv4-unicast', 'ipv6-unicast'], 'an extra family we do not offer is ignored');
  t.same(ok(peer([MP4, MP6]), cfg({ families: ['ipv6-unicast'] })).families.map((f) => f.name), ['ipv6-unicast']);
  t.same(ok(peer([MP6]), cfg({ families: ['ipv4-unicast'] })).families, [], 'no common family: negotiated empty');
  t.equal(ok(peer([{ type: 'ROUTE_REFRESH' }])).routeRefresh, true);
  t.equal(ok(peer([{ type: 'ROUTE_REFRESH_CISCO' }])).routeRefresh, true, 'the pre-standard code counts');
  t.equal(ok(peer([])).routeRefresh, false);
  t.equal(ok(peer([{ type: 'ROUTE_REFRESH' }]), cfg({ routeRefresh: false })).routeRefresh, false);
  t.equal(ok(peer([{ type: 'ROUTE_REFRESH' }, { type: 'ENHANCED_ROUTE_REFRESH' }])).enhancedRouteRefresh, true);
  t.equal(ok(peer([{ type: 'ENHANCED_ROUTE_REFRESH' }])).enhancedRouteRefresh, false, 'enhanced needs route refresh');
  t.equal(ok(peer([{ type: 'ROUTE_REFRESH' }, { type: 'ENHANCED_ROUTE_REFRESH' }]), cfg({ enhancedRouteRefresh: false })).enhancedRouteRefresh, false);
  const xm = ok(peer([{ type: 'EXTENDED_MESSAGE' }]));
  t.equal(xm.extendedMessage, true);
  t.equal(xm.sendContext.extendedMessage, true);
  t.equal(ok(peer([{ type: 'EXTENDED_MESSAGE' }]), cfg({ extendedMessage: false })).extendedMessage, false);
  const four = ok(buildOpen({ myAsn: 4200000001, holdTimeSec: 90, bgpIdentifier: '192.0.2.2' }), cfg({ peerAsn: 4200000001 }));
  t.equal(four.peerAsn, 4200000001);
  t.equal(four.fourOctetAs, true);
  t.equal(four.external, true);
  const ibgp = ok(peer([], { asn: 65000 }), cfg({ peerAsn: 65000 }));
  t.equal(ibgp.external, false);
  t.equal(ibgp.receiveContext.external, false);
  t.equal(ok(peer([])).receiveContext.external, true, 'eBGP in the receive context (RFC 7606 s7.5 LOCAL_PREF discard)');
  t.same(ok(peer([MP4])).peerCapabilities, peer([MP4]).optionalParameters.flatMap((p) => (p.type === 'CAPABILITIES' ? p.capabilities : [])));
});

t.test('ADD-PATH per family and direction (RFC 7911 s4)', async (t) => {
  const ap = (afs: { afi: number; safi: number; sendReceive: number }[]): Capability => ({ type: 'ADD_PATH', afs });
  const n = ok(
    peer([MP4, MP6, ap([{ afi: 1, safi: 1, sendReceive: 1 }, { afi: 2, safi: 1, sendReceive: 2 }])]),
    cfg({ addPath: { 'ipv4-unicast': 'both', 'ipv6-unicast': 'both' } }),
  );
  t.same(n.addPath, [
    { afi: 1, safi: 1, send: true, receive: false },
    { afi: 2, safi: 1, send: false, receive: true },
  ]);
  t.equal(sendsAddPath(n, 1, 1), true);
  t.equal(sendsAddPath(n, 2, 1), false);
  t.equal(hasAddPath(n.sendContext, 1, 1), true, 'send context: IPv4 path ids');
  t.equal(hasAddPath(n.sendContext, 2, 1), false);
  t.equal(hasAddPath(n.receiveContext, 2, 1), true, 'receive context: IPv6 path ids');
  t.equal(hasAddPath(n.receiveContext, 1, 1), false);
  t.same(ok(peer([MP4, ap([{ afi: 1, safi: 1, sendReceive: 3 }])]), cfg({ addPath: { 'ipv4-unicast': 'send' } })).addPath, [{ afi: 1, safi: 1, send: true, receive: false }]);
  t.same(ok(peer([MP4, ap([{ afi: 1, safi: 1, sendReceive: 2 }])]), cfg({ addPath: { 'ipv4-unicast': 'send' } })).addPath, [], 'both only send: nothing');
  t.same(ok(peer([MP4, ap([{ afi: 1, safi: 1, sendReceive: 3 }])])).addPath, [], 'we did not offer it');
  t.same(ok(peer([MP4, ap([{ afi: 1, safi: 1, sendReceive: 0 }])]), cfg({ addPath: { 'ipv4-unicast': 'both' } })).addPath, [], 'invalid value 0 ignored');
  t.same(ok(peer([MP6, ap([{ afi: 1, safi: 1, sendReceive: 3 }])]), cfg({ addPath: { 'ipv4-unicast': 'both' } })).addPath, [], 'not for a family that was not negotiated');
  t.equal(n.receiveContext.addPath.has(afiSafiKey(2, 1)), true);
});

t.test('graceful restart from the peer OPEN', async (t) => {
  const gr: Capability = {
    type: 'GRACEFUL_RESTART',
    restartState: true,
    gracefulNotification: false,
    restartTimeSec: 45,
    afs: [
      { afi: 1, safi: 1, forwardingState: true },
      { afi: 2, safi: 1, forwardingState: false },
    ],
  };
  const n = ok(peer([MP4, MP6, gr]), cfg({ gracefulRestart: {} }));
  t.same(n.gracefulRestart, {
    local: true,
    peer: {
      restartTimeSec: 45,
      restartState: true,
      notification: false,
      families: [
        { afi: 1, safi: 1, forwardingState: true },
        { afi: 2, safi: 1, forwardingState: false },
      ],
    },
  });
  t.same(ok(peer([MP4])).gracefulRestart, { local: false, peer: undefined });
  const j = negotiatedToJson(n);
  t.match(j, {
    localAsn: 65000,
    peerAsn: 65001,
    families: ['ipv4-unicast', 'ipv6-unicast'],
    gracefulRestart: { local: true, peer: { restartTimeSec: 45, families: [{ family: 'ipv4-unicast', forwardingState: true }, { family: 'ipv6-unicast', forwardingState: false }] } },
    peerCapabilities: ['MULTIPROTOCOL', 'MULTIPROTOCOL', 'GRACEFUL_RESTART', 'FOUR_OCTET_AS'],
  });
  t.equal(JSON.parse(JSON.stringify(j)).gracefulRestart.local, true, 'JSON-safe');
  t.equal(negotiatedToJson(ok(peer([MP4]))).gracefulRestart && (negotiatedToJson(ok(peer([MP4]))).gracefulRestart as { peer: unknown }).peer, null);
});
