import t from 'tap';
import { fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { buildRouteRefresh, decodeRouteRefresh, encodeRouteRefresh, RouteRefreshSubtype } from '../src/bgp/codec/route-refresh.js';
import { BgpError } from '../src/bgp/errors.js';
import { routeRefreshFromJson, routeRefreshToJson } from '../src/bgp/json/route-refresh.js';
import { mulberry32 } from '../src/testing/random-updates.js';
import { expectBgpError } from './helpers/assert.js';
import { contextOf, loadVectors, VECTOR_DIR } from './helpers/vectors.js';

const HEAD = 'ffffffffffffffffffffffffffffffff';
const rr = (body: string): Uint8Array => fromHex(HEAD + (19 + body.length / 2).toString(16).padStart(4, '0') + '05' + body);

t.test('decode and encode', async (t) => {
  t.same(decodeRouteRefresh(rr('00010001')), { type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 0 });
  t.same(decodeRouteRefresh(rr('00020201')), { type: 'ROUTE-REFRESH', afi: 2, safi: 1, subtype: RouteRefreshSubtype.EORR });
  t.same(decodeRouteRefresh(rr('ffff07ff')), { type: 'ROUTE-REFRESH', afi: 0xffff, safi: 0xff, subtype: 7 }, 'unknown subtype kept');
  t.equal(toHex(encodeRouteRefresh(buildRouteRefresh(2, 1, RouteRefreshSubtype.BORR))), toHex(rr('00020101')));
  t.equal(toHex(encodeRouteRefresh(buildRouteRefresh(1, 1))), toHex(rr('00010001')), 'subtype defaults to NORMAL');
  t.same(RouteRefreshSubtype, { NORMAL: 0, BORR: 1, EORR: 2 });
  expectBgpError(t, () => buildRouteRefresh(65536, 1), 'ERR_BGP_VALUE_OUT_OF_RANGE', 'AFI too big');
  expectBgpError(t, () => encodeRouteRefresh({ type: 'ROUTE-REFRESH', afi: 1, safi: 256, subtype: 0 }), 'ERR_BGP_VALUE_OUT_OF_RANGE', 'SAFI too big');
  expectBgpError(t, () => encodeRouteRefresh({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: -1 }), 'ERR_BGP_VALUE_OUT_OF_RANGE', 'negative subtype');
  expectBgpError(t, () => decodeRouteRefresh(fromHex(HEAD + '001304')), 'ERR_BGP_WRONG_MESSAGE_TYPE');
});

t.test('length errors (RFC 7313 s5): every subtype, body lengths 5..40 and a 4096-octet message', async (t) => {
  for (const subtype of [0, 1, 2, 3, 255]) {
    for (const extra of [1, 2, 4, 36]) {
      const body = '0001' + subtype.toString(16).padStart(2, '0') + '01' + '00'.repeat(extra);
      const msg = rr(body);
      const e = expectBgpError(t, () => decodeRouteRefresh(msg), 'ERR_BGP_ROUTE_REFRESH_LENGTH', `subtype ${subtype} body ${4 + extra}`);
      t.equal(e?.notification?.code, 7);
      t.equal(e?.notification?.subcode, 1);
      t.equal(toHex(e?.notification?.data ?? new Uint8Array(0)), toHex(msg), 'data is the complete message');
      t.equal(e?.offset, 16);
      t.equal(e?.rfc, 'RFC 7313 s5');
    }
  }
  const max = rr('00010001' + '00'.repeat(4096 - 23));
  t.equal(max.length, 4096);
  expectBgpError(t, () => decodeRouteRefresh(max), 'ERR_BGP_ROUTE_REFRESH_LENGTH', '4096 octets');
  // shorter than 23 octets: the header check (1/2) catches it first
  for (const body of ['', '00', '0001', '000100']) {
    const e = expectBgpError(t, () => decodeRouteRefresh(rr(body)), 'ERR_BGP_BAD_MESSAGE_LENGTH', `body of ${body.length / 2}`);
    t.equal(e?.notification?.subcode, 2);
  }
});

t.test('JSON', async (t) => {
  t.same(routeRefreshToJson(buildRouteRefresh(2, 1, 1)), { type: 'ROUTE-REFRESH', afi: 'ipv6', safi: 'unicast', subtype: 'BoRR' });
  t.same(routeRefreshToJson(buildRouteRefresh(1, 133, 2)), { type: 'ROUTE-REFRESH', afi: 'ipv4', safi: 'flowspec', subtype: 'EoRR' });
  t.same(routeRefreshToJson(buildRouteRefresh(99, 77, 9)), { type: 'ROUTE-REFRESH', afi: 99, safi: 77, subtype: 9 });
  t.same(routeRefreshFromJson({ type: 'ROUTE-REFRESH', afi: 'ipv4', safi: 'unicast' }), buildRouteRefresh(1, 1, 0), 'subtype optional');
  t.same(routeRefreshFromJson({ type: 'ROUTE-REFRESH', afi: 2, safi: 1, subtype: 'NORMAL' }), buildRouteRefresh(2, 1, 0));
  t.same(routeRefreshFromJson({ type: 'ROUTE-REFRESH', afi: 'ipv6', safi: 'unicast', subtype: 200 }), buildRouteRefresh(2, 1, 200));
  const bad: [unknown, RegExp][] = [
    [{ type: 'ROUTE-REFRESH', safi: 'unicast' }, /afi: is missing/],
    [{ type: 'ROUTE-REFRESH', afi: 'ipv4' }, /safi: is missing/],
    [{ type: 'ROUTE-REFRESH', afi: 'ipv5', safi: 'unicast' }, /afi: unknown AFI name/],
    [{ type: 'ROUTE-REFRESH', afi: 'ipv4', safi: 'unicast', subtype: 'borr' }, /subtype: unknown ROUTE-REFRESH subtype name/],
    [{ type: 'ROUTE-REFRESH', afi: 'ipv4', safi: 'unicast', subtype: 256 }, /subtype: expected an integer from 0 to 255/],
    [{ type: 'ROUTE-REFRESH', afi: 'ipv4', safi: 'unicast', when: 1 }, /when: unknown field/],
    [{ type: 'KEEPALIVE' }, /type: expected "ROUTE-REFRESH"/],
    ['x', /expected an object/],
  ];
  for (const [j, re] of bad) {
    const e = expectBgpError(t, () => routeRefreshFromJson(j, 'messages[3]'), 'ERR_BGP_BAD_JSON', JSON.stringify(j));
    t.match(e?.message, re);
    t.match(e?.message, /^messages\[3\]/, 'names the path');
  }
});

t.test('vectors: route-refresh-*', async (t) => {
  const vectors = loadVectors(VECTOR_DIR, 'route-refresh-');
  t.ok(vectors.length >= 8, `${vectors.length} vectors`);
  for (const v of vectors) {
    const ctx = contextOf(v);
    const bytes = fromHex(v.hex);
    if (v.error) {
      const e = expectBgpError(t, () => decodeRouteRefresh(bytes, ctx), v.error.code, v.name);
      t.equal(e?.offset, v.error.offset, `${v.name}: offset`);
      t.same(e && { ...e.notification, data: toHex(e.notification!.data) }, v.error.notification, `${v.name}: NOTIFICATION`);
      continue;
    }
    const m = decodeRouteRefresh(bytes, ctx);
    t.same(routeRefreshToJson(m), v.decoded, `${v.name}: decode -> toJson`);
    t.equal(toHex(encodeRouteRefresh(routeRefreshFromJson(v.decoded), ctx)), v.hex, `${v.name}: fromJson -> encode`);
  }
});

t.test('random bodies after a valid header only ever throw BgpError', async (t) => {
  const rand = mulberry32(0x2918);
  let ok = 0;
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const bodyLength = rand() < 0.5 ? 4 : Math.floor(rand() * 12);
    const msg = new Uint8Array(19 + bodyLength);
    msg.fill(0xff, 0, 16);
    const claimed = rand() < 0.9 ? msg.length : Math.floor(rand() * 40);
    msg[16] = claimed >> 8;
    msg[17] = claimed & 255;
    msg[18] = rand() < 0.95 ? 5 : Math.floor(rand() * 256);
    for (let k = 19; k < msg.length; k++) msg[k] = Math.floor(rand() * 256);
    try {
      const m = decodeRouteRefresh(msg);
      ok++;
      if (toHex(encodeRouteRefresh(routeRefreshFromJson(JSON.parse(JSON.stringify(routeRefreshToJson(m)))))) !== toHex(msg)) {
        t.fail(`round trip ${toHex(msg)}`);
      }
    } catch (e) {
      rejected++;
      if (!(e instanceof BgpError)) t.fail(`non-BgpError for ${toHex(msg)}: ${String(e)}`);
    }
  }
  t.ok(ok > 500 && rejected > 500, `${ok} decoded, ${rejected} rejected`);
});
