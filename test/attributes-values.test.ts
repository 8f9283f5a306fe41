import t, { type Test } from 'tap';
import { ByteWriter, canonicalIpv4ToU32, fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { formatIpv4, parseIpv4 } from '../src/bgp/prefix/address.js';
import { codecContext, type CodecContext } from '../src/bgp/codec/context.js';
import { Malformed } from '../src/bgp/codec/attributes/attribute-codec.js';
import { multiExitDiscCodec } from '../src/bgp/codec/attributes/multi-exit-disc.js';
import { localPrefCodec } from '../src/bgp/codec/attributes/local-pref.js';
import { atomicAggregateCodec } from '../src/bgp/codec/attributes/atomic-aggregate.js';
import { aggregatorCodec } from '../src/bgp/codec/attributes/aggregator.js';
import { AS_TRANS } from '../src/bgp/iana/asn.js';
import { as4AggregatorCodec } from '../src/bgp/codec/attributes/as4-aggregator.js';
import { communitiesCodec, formatCommunity, parseCommunity } from '../src/bgp/codec/attributes/communities.js';
import { extendedCommunitiesCodec } from '../src/bgp/codec/attributes/extended-communities.js';
import { formatLargeCommunity, largeCommunityCodec, parseLargeCommunity } from '../src/bgp/codec/attributes/large-community.js';
import { originatorIdCodec } from '../src/bgp/codec/attributes/originator-id.js';
import { clusterListCodec } from '../src/bgp/codec/attributes/cluster-list.js';
import { otcCodec } from '../src/bgp/codec/attributes/otc.js';
import { BgpError } from '../src/bgp/errors.js';
import { mulberry32 } from '../src/testing/random-updates.js';
import { OPTIONAL_ATTRIBUTE_CODECS, type AnyCodec } from './helpers/attribute-codecs.js';

const C4 = codecContext({ fourOctetAs: true });
const C2 = codecContext({ fourOctetAs: false });

const ALL = OPTIONAL_ATTRIBUTE_CODECS;

function decodeHex(codec: AnyCodec, hex: string, ctx: CodecContext = C4, flags = codec.flags): unknown {
  // embed the value in a larger buffer so that reads past `end` would show
  const v = fromHex(hex);
  const b = new Uint8Array(v.length + 10).fill(0xee);
  b.set(v, 5);
  return codec.decode(b, 5, 5 + v.length, flags, ctx);
}

function encodeHex(codec: AnyCodec, a: unknown, ctx: CodecContext = C4): string {
  const w = new ByteWriter(4);
  codec.encodeValue(a, w, ctx);
  return toHex(w.finish());
}

/** decode -> encode identical; decode -> toJson -> JSON text -> fromJson -> encode identical. */
function roundTrip(t: Test, codec: AnyCodec, hex: string, json: unknown, ctx: CodecContext = C4): void {
  const a = decodeHex(codec, hex, ctx) as { type: string; flags: number };
  if (a instanceof Malformed) {
    t.fail(`${codec.type} ${hex}: unexpected Malformed: ${a.reason}`);
    return;
  }
  t.equal(a.type, codec.type, `${codec.type} ${hex}: type`);
  t.equal(a.flags, codec.flags, `${codec.type} ${hex}: flags kept`);
  t.equal(encodeHex(codec, a, ctx), hex, `${codec.type} ${hex}: re-encodes identically`);
  const j = codec.toJson(a);
  t.same(j, json, `${codec.type} ${hex}: JSON`);
  const back = codec.fromJson(JSON.parse(JSON.stringify(j)), 'attributes[0]');
  t.equal(encodeHex(codec, back, ctx), hex, `${codec.type} ${hex}: JSON round trip`);
  // the UPDATE codec may pass the whole object, type and flags included
  const whole = codec.fromJson({ type: codec.type, flags: codec.flags, ...j }, 'attributes[0]');
  t.equal(encodeHex(codec, whole, ctx), hex, `${codec.type} ${hex}: JSON with type and flags`);
}

t.test('table entries: type codes, flags, RFC 7606 actions', async (t) => {
  const expect: [AnyCodec, number, string, number, string, string][] = [
    [multiExitDiscCodec, 4, 'MULTI_EXIT_DISC', 0x80, 'treat-as-withdraw', 'RFC 7606 s7.4'],
    [localPrefCodec, 5, 'LOCAL_PREF', 0x40, 'treat-as-withdraw', 'RFC 7606 s7.5'],
    [atomicAggregateCodec, 6, 'ATOMIC_AGGREGATE', 0x40, 'attribute-discard', 'RFC 7606 s7.6'],
    [aggregatorCodec, 7, 'AGGREGATOR', 0xc0, 'attribute-discard', 'RFC 7606 s7.7'],
    [communitiesCodec, 8, 'COMMUNITIES', 0xc0, 'treat-as-withdraw', 'RFC 7606 s7.8'],
    [originatorIdCodec, 9, 'ORIGINATOR_ID', 0x80, 'treat-as-withdraw', 'RFC 7606 s7.9'],
    [clusterListCodec, 10, 'CLUSTER_LIST', 0x80, 'treat-as-withdraw', 'RFC 7606 s7.10'],
    [extendedCommunitiesCodec, 16, 'EXTENDED_COMMUNITIES', 0xc0, 'treat-as-withdraw', 'RFC 7606 s7.14'],
    [as4AggregatorCodec, 18, 'AS4_AGGREGATOR', 0xc0, 'attribute-discard', 'RFC 6793 s6'],
    [largeCommunityCodec, 32, 'LARGE_COMMUNITY', 0xc0, 'treat-as-withdraw', 'RFC 8092 s6'],
    [otcCodec, 35, 'OTC', 0xc0, 'treat-as-withdraw', 'RFC 9234 s5'],
  ];
  for (const [c, code, type, flags, action, rfc] of expect) {
    t.equal(c.typeCode, code, type);
    t.equal(c.type, type);
    t.equal(c.flags, flags, `${type} flags`);
    t.equal(c.malformedAction, action, `${type} action`);
    t.equal(c.rfc, rfc, `${type} rfc`);
  }
  t.equal(expect.length, ALL.length);
});

t.test('round trips', async (t) => {
  roundTrip(t, multiExitDiscCodec, '00000000', { med: 0 });
  roundTrip(t, multiExitDiscCodec, '00000064', { med: 100 });
  roundTrip(t, multiExitDiscCodec, 'ffffffff', { med: 4294967295 });
  roundTrip(t, localPrefCodec, '00000064', { localPref: 100 });
  roundTrip(t, localPrefCodec, '80000000', { localPref: 2147483648 });
  roundTrip(t, atomicAggregateCodec, '', {});
  roundTrip(t, aggregatorCodec, '0000fde9c0000201', { asn: 65001, address: '192.0.2.1' }, C4);
  roundTrip(t, aggregatorCodec, 'fa56ea00c0000201', { asn: 4200000000, address: '192.0.2.1' }, C4);
  roundTrip(t, aggregatorCodec, 'fde9c0000201', { asn: 65001, address: '192.0.2.1' }, C2);
  roundTrip(t, aggregatorCodec, '5ba0c0000201', { asn: AS_TRANS, address: '192.0.2.1' }, C2);
  roundTrip(t, as4AggregatorCodec, 'fa56ea00c0000201', { asn: 4200000000, address: '192.0.2.1' }, C2);
  roundTrip(t, as4AggregatorCodec, '00000001ffffffff', { asn: 1, address: '255.255.255.255' }, C4);
  roundTrip(t, communitiesCodec, 'fde80064', { communities: ['65000:100'] });
  roundTrip(t, communitiesCodec, 'ffffff01ffffff02ffffff03ffffff04ffff0000ffff029a00000000ffffffff', {
    communities: ['NO_EXPORT', 'NO_ADVERTISE', 'NO_EXPORT_SUBCONFED', 'NOPEER', 'GRACEFUL_SHUTDOWN', 'BLACKHOLE', '0:0', '65535:65535'],
  });
  roundTrip(t, communitiesCodec, 'fde80064fde80064', { communities: ['65000:100', '65000:100'] });
  roundTrip(t, originatorIdCodec, 'c0000201', { originatorId: '192.0.2.1' });
  roundTrip(t, clusterListCodec, '0a000001', { clusterList: ['10.0.0.1'] });
  roundTrip(t, clusterListCodec, '0a0000010a00000200000000', { clusterList: ['10.0.0.1', '10.0.0.2', '0.0.0.0'] });
  roundTrip(t, largeCommunityCodec, '0000fde8000000010000000200000000ffffffff00000000', { communities: ['65000:1:2', '0:4294967295:0'] });
  roundTrip(t, largeCommunityCodec, '0000fde800000001000000020000fde80000000100000002', { communities: ['65000:1:2', '65000:1:2'] });
  roundTrip(t, otcCodec, '0000fde9', { asn: 65001 });
  roundTrip(t, otcCodec, 'fa56ea00', { asn: 4200000000 });
});

t.test('malformed values give Malformed with the RFC 7606 action and subcode', async (t) => {
  const cases: [AnyCodec, string, CodecContext][] = [
    [multiExitDiscCodec, '', C4],
    [multiExitDiscCodec, '000064', C4],
    [multiExitDiscCodec, '0000006400', C4],
    [localPrefCodec, '', C4],
    [localPrefCodec, '00000064ff', C4],
    [atomicAggregateCodec, '00', C4],
    [atomicAggregateCodec, '00000000', C4],
    [aggregatorCodec, 'fde9c0000201', C4], // 2-octet form in a 4-octet session
    [aggregatorCodec, '0000fde9c0000201', C2], // 4-octet form in a 2-octet session
    [aggregatorCodec, '', C4],
    [aggregatorCodec, 'fde9c00002', C2],
    [as4AggregatorCodec, 'fde9c0000201', C2],
    [as4AggregatorCodec, '0000fde9c000020100', C2],
    [as4AggregatorCodec, '', C4],
    [communitiesCodec, '', C4],
    [communitiesCodec, 'fde800', C4],
    [communitiesCodec, 'fde80064fd', C4],
    [extendedCommunitiesCodec, '', C4],
    [extendedCommunitiesCodec, '0002fde800000064ff', C4],
    [extendedCommunitiesCodec, '0002fde80000', C4],
    [extendedCommunitiesCodec, '0002fde8000000640002fde8', C4],
    [largeCommunityCodec, '', C4],
    [largeCommunityCodec, '0000fde80000000100000002ff', C4],
    [largeCommunityCodec, '0000fde80000000100000002'.repeat(2).slice(0, 40), C4],
    [largeCommunityCodec, '0000fde8', C4],
    [originatorIdCodec, '', C4],
    [originatorIdCodec, 'c000020100000000', C4],
    [clusterListCodec, '', C4],
    [clusterListCodec, 'c00002', C4],
    [clusterListCodec, 'c0000201c000', C4],
    [otcCodec, '', C4],
    [otcCodec, 'fde9', C4],
    [otcCodec, '0000fde900', C4],
  ];
  for (const [codec, hex, ctx] of cases) {
    const r = decodeHex(codec, hex, ctx);
    if (!(r instanceof Malformed)) {
      t.fail(`${codec.type} ${hex || '(empty)'} decoded: ${JSON.stringify(r)}`);
      continue;
    }
    t.equal(r.subcode, 5, `${codec.type} ${hex || '(empty)'}: Attribute Length Error (${r.reason})`);
    t.equal(r.action, undefined, `${codec.type}: the codec's ${codec.malformedAction} applies`);
    t.equal(r.data, undefined, `${codec.type}: NOTIFICATION data is the whole attribute`);
    t.match(r.reason, new RegExp(`^${codec.type} length ${hex.length / 2} `), 'reason names the attribute and length');
  }
});

t.test('AGGREGATOR: 2- vs 4-octet sessions', async (t) => {
  const a = { type: 'AGGREGATOR' as const, asn: 65001, address: '192.0.2.1' };
  t.equal(encodeHex(aggregatorCodec, a, C4), '0000fde9c0000201');
  t.equal(encodeHex(aggregatorCodec, a, C2), 'fde9c0000201');
  const big = { type: 'AGGREGATOR' as const, asn: 4200000000, address: '192.0.2.1' };
  t.equal(encodeHex(aggregatorCodec, big, C4), 'fa56ea00c0000201');
  const err = t.throws(() => encodeHex(aggregatorCodec, big, C2)) as unknown as BgpError;
  t.ok(err instanceof BgpError);
  t.equal(err.code, 'ERR_BGP_ASN_TOO_LARGE');
  t.match(err.message, /AS_TRANS \(23456\)/);
  t.equal(encodeHex(aggregatorCodec, { ...big, asn: 65535 }, C2), 'ffffc0000201', 'largest 2-octet ASN');
  t.equal(encodeHex(aggregatorCodec, { ...big, asn: AS_TRANS }, C2), '5ba0c0000201');
  const d2 = decodeHex(aggregatorCodec, 'fde9c0000201', C2) as { asn: number };
  t.equal(d2.asn, 65001);
  t.ok(decodeHex(aggregatorCodec, 'fde9c0000201', C4) instanceof Malformed);
  const err2 = t.throws(() => encodeHex(aggregatorCodec, { ...a, address: '192.0.2' })) as unknown as BgpError;
  t.equal(err2.code, 'ERR_BGP_BAD_ADDRESS');
  // AS4_AGGREGATOR is 8 octets whatever the session
  t.equal(encodeHex(as4AggregatorCodec, { type: 'AS4_AGGREGATOR', asn: 65001, address: '192.0.2.1' }, C2), '0000fde9c0000201');
});

t.test('flags are kept as received', async (t) => {
  const a = communitiesCodec.decode(fromHex('fde80064'), 0, 4, 0xe0, C4) as { flags: number };
  t.equal(a.flags, 0xe0, 'PARTIAL bit kept');
  const m = multiExitDiscCodec.decode(fromHex('00000001'), 0, 4, 0x90, C4) as { flags: number };
  t.equal(m.flags, 0x90, 'EXTENDED_LENGTH bit kept');
});

t.test('encodeValue refuses values it cannot encode', async (t) => {
  const bad: [AnyCodec, unknown, string][] = [
    [multiExitDiscCodec, { type: 'MULTI_EXIT_DISC', med: -1 }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [multiExitDiscCodec, { type: 'MULTI_EXIT_DISC', med: 2 ** 32 }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [multiExitDiscCodec, { type: 'MULTI_EXIT_DISC', med: 1.5 }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [localPrefCodec, { type: 'LOCAL_PREF', localPref: Number.NaN }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [aggregatorCodec, { type: 'AGGREGATOR', asn: -5, address: '192.0.2.1' }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [as4AggregatorCodec, { type: 'AS4_AGGREGATOR', asn: 2 ** 32, address: '192.0.2.1' }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [as4AggregatorCodec, { type: 'AS4_AGGREGATOR', asn: 1, address: 'x' }, 'ERR_BGP_BAD_ADDRESS'],
    [communitiesCodec, { type: 'COMMUNITIES', communities: [] }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [communitiesCodec, { type: 'COMMUNITIES', communities: [2 ** 32] }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [largeCommunityCodec, { type: 'LARGE_COMMUNITY', communities: [] }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [largeCommunityCodec, { type: 'LARGE_COMMUNITY', communities: [[1, 2]] }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [largeCommunityCodec, { type: 'LARGE_COMMUNITY', communities: [[1, 2, -3]] }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [originatorIdCodec, { type: 'ORIGINATOR_ID', originatorId: '1.2.3.4.5' }, 'ERR_BGP_BAD_ADDRESS'],
    [clusterListCodec, { type: 'CLUSTER_LIST', clusterList: [] }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [clusterListCodec, { type: 'CLUSTER_LIST', clusterList: ['::1'] }, 'ERR_BGP_BAD_ADDRESS'],
    [otcCodec, { type: 'OTC', asn: -1 }, 'ERR_BGP_BAD_ATTRIBUTE'],
    [extendedCommunitiesCodec, { type: 'EXTENDED_COMMUNITIES', communities: [] }, 'ERR_BGP_BAD_ATTRIBUTE'],
  ];
  for (const [codec, a, code] of bad) {
    const err = t.throws(() => encodeHex(codec, a), `${codec.type} ${JSON.stringify(a)}`) as unknown as BgpError;
    t.ok(err instanceof BgpError, 'typed error');
    t.equal(err.code, code);
  }
});

t.test('JSON readers: values accepted', async (t) => {
  t.same(communitiesCodec.fromJson({ communities: ['65000:100', 'NO_EXPORT', 'no-export', 'graceful_shutdown', 4294967041, '4294967042'] }, ''), {
    type: 'COMMUNITIES',
    communities: [0xfde80064, 0xffffff01, 0xffffff01, 0xffff0000, 0xffffff01, 0xffffff02],
  });
  t.same(largeCommunityCodec.fromJson({ communities: ['4294967295:0:1'] }, ''), { type: 'LARGE_COMMUNITY', communities: [[4294967295, 0, 1]] });
  t.same(atomicAggregateCodec.fromJson({}, ''), { type: 'ATOMIC_AGGREGATE' });
  t.same(clusterListCodec.fromJson({ clusterList: ['10.0.0.1'] }, ''), { type: 'CLUSTER_LIST', clusterList: ['10.0.0.1'] });
});

t.test('JSON readers: errors name the JSON path', async (t) => {
  const P = 'attributes[3]';
  const cases: [AnyCodec, unknown, string][] = [
    [multiExitDiscCodec, {}, 'attributes[3].med: is missing'],
    [multiExitDiscCodec, { med: '5' }, 'attributes[3].med: expected an integer'],
    [multiExitDiscCodec, { med: 2 ** 32 }, 'attributes[3].med: expected an integer from 0 to 4294967295'],
    [multiExitDiscCodec, { med: 5, metric: 1 }, 'attributes[3].metric: unknown field'],
    [multiExitDiscCodec, { type: 'LOCAL_PREF', med: 5 }, 'attributes[3].type: expected "MULTI_EXIT_DISC"'],
    [multiExitDiscCodec, [], 'attributes[3]: expected an object'],
    [localPrefCodec, { localPref: -1 }, 'attributes[3].localPref: expected an integer'],
    [localPrefCodec, { local_pref: 1 }, 'attributes[3].local_pref: unknown field'],
    [atomicAggregateCodec, { value: '' }, 'attributes[3].value: unknown field'],
    [aggregatorCodec, { asn: 1 }, 'attributes[3].address: is missing'],
    [aggregatorCodec, { asn: 1, address: '192.0.2.256' }, 'attributes[3].address: not an IPv4 address'],
    [aggregatorCodec, { asn: 1, address: 7 }, 'attributes[3].address: expected a string'],
    [aggregatorCodec, { asn: 1.5, address: '192.0.2.1' }, 'attributes[3].asn: expected an integer'],
    [as4AggregatorCodec, { asn: 1, address: '192.0.2.1', as: 2 }, 'attributes[3].as: unknown field'],
    [communitiesCodec, { communities: [] }, 'attributes[3].communities: needs at least one community'],
    [communitiesCodec, { communities: 'NO_EXPORT' }, 'attributes[3].communities: expected an array'],
    [communitiesCodec, { communities: ['65000:100', '65536:1'] }, 'attributes[3].communities[1]: not a community'],
    [communitiesCodec, { communities: ['NO_SUCH'] }, 'attributes[3].communities[0]: not a community'],
    [communitiesCodec, { communities: [-1] }, 'attributes[3].communities[0]: expected an integer'],
    [communitiesCodec, { communities: [null] }, 'attributes[3].communities[0]: expected "ASN:VALUE"'],
    [largeCommunityCodec, { communities: ['1:2'] }, 'attributes[3].communities[0]: not a large community'],
    [largeCommunityCodec, { communities: [[1, 2, 3]] }, 'attributes[3].communities[0]: expected a string'],
    [largeCommunityCodec, { communities: [] }, 'attributes[3].communities: needs at least one'],
    [originatorIdCodec, { originatorId: '2001:db8::1' }, 'attributes[3].originatorId: not an IPv4 address'],
    [clusterListCodec, { clusterList: [] }, 'attributes[3].clusterList: needs at least one'],
    [clusterListCodec, { clusterList: ['10.0.0.1', '10.0.0'] }, 'attributes[3].clusterList[1]: not an IPv4 address'],
    [otcCodec, { asn: 'AS65001' }, 'attributes[3].asn: expected an integer'],
  ];
  for (const [codec, j, message] of cases) {
    const err = t.throws(() => codec.fromJson(j as Record<string, unknown>, P), `${codec.type} ${JSON.stringify(j)}`) as unknown as BgpError;
    t.ok(err instanceof BgpError, 'typed error');
    t.equal(err.code, 'ERR_BGP_BAD_JSON');
    t.ok(err.message.startsWith(message), `${JSON.stringify(err.message)} starts with ${JSON.stringify(message)}`);
  }
  // top-level paths have no leading dot
  const err = t.throws(() => otcCodec.fromJson({}, '')) as unknown as BgpError;
  t.equal(err.message, 'asn: is missing');
});

t.test('community text helpers', async (t) => {
  t.equal(parseCommunity('65000:100'), 0xfde80064);
  t.equal(parseCommunity('0:0'), 0);
  t.equal(parseCommunity('65535:65535'), 0xffffffff);
  t.equal(parseCommunity('NO_EXPORT'), 0xffffff01);
  t.equal(parseCommunity('no-advertise'), 0xffffff02);
  t.equal(parseCommunity('Blackhole'), 0xffff029a);
  t.equal(parseCommunity('GRACEFUL_SHUTDOWN'), 0xffff0000);
  t.equal(parseCommunity('4294967295'), 0xffffffff);
  t.equal(formatCommunity(0xfde80064), '65000:100');
  t.equal(formatCommunity(0xffffff01), 'NO_EXPORT');
  t.equal(formatCommunity(0xffff029a), 'BLACKHOLE');
  t.equal(formatCommunity(0xffff0000), 'GRACEFUL_SHUTDOWN');
  t.equal(formatCommunity(0xffff0100), '65535:256');
  for (const bad of ['', ':', '1:', ':1', '65536:0', '0:65536', '1:2:3', ' 1:2', '1 :2', '-1:2', '1.5:2', '0x10:1', '4294967296', 'NO EXPORT', 'rt:1:2']) {
    const err = t.throws(() => parseCommunity(bad), JSON.stringify(bad)) as unknown as BgpError;
    t.equal(err.code, 'ERR_BGP_BAD_COMMUNITY');
  }
  for (let i = 0; i < 2000; i++) {
    const n = (Math.imul(i, 2654435761) ^ (i << 7)) >>> 0;
    if (parseCommunity(formatCommunity(n)) !== n) t.fail(`format/parse ${n}`);
  }
  for (const n of [0xffff0000, 0xffff0001, 0xffff029a, 0xffffff01, 0xffffff02, 0xffffff03, 0xffffff04]) t.equal(parseCommunity(formatCommunity(n)), n);
});

t.test('large community text helpers', async (t) => {
  t.same(parseLargeCommunity('65000:1:2'), [65000, 1, 2]);
  t.same(parseLargeCommunity('4294967295:4294967295:0'), [4294967295, 4294967295, 0]);
  t.equal(formatLargeCommunity([65000, 1, 2]), '65000:1:2');
  for (const bad of ['', '1:2', '1:2:3:4', '4294967296:0:0', 'a:b:c', '1::2', ' 1:2:3', '1:2:3 ', '-1:2:3', '12345678901:1:1']) {
    const err = t.throws(() => parseLargeCommunity(bad), JSON.stringify(bad)) as unknown as BgpError;
    t.equal(err.code, 'ERR_BGP_BAD_COMMUNITY');
  }
});

const VALID_LENGTHS = [0, 4, 6, 8, 12, 16, 24, 36, 48, 96, 264];

t.test('random bytes: decode never throws; what decodes re-encodes identically', async (t) => {
  const rand = mulberry32(0x5eed);
  let decoded = 0;
  let malformed = 0;
  for (const codec of ALL) {
    for (let i = 0; i < 3000; i++) {
      // half the time a length some attribute accepts, else any short length, sometimes a long one
      const r0 = rand();
      const len = r0 < 0.5 ? VALID_LENGTHS[Math.floor(rand() * VALID_LENGTHS.length)]! : r0 < 0.95 ? Math.floor(rand() * 26) : Math.floor(rand() * 300);
      const value = new Uint8Array(len);
      for (let k = 0; k < len; k++) value[k] = rand() < 0.3 ? [0, 0x40, 0x41, 0x42, 0x7f, 0x80, 0xff][Math.floor(rand() * 7)]! : Math.floor(rand() * 256);
      const pad = Math.floor(rand() * 4);
      const b = new Uint8Array(len + 2 * pad);
      b.set(value, pad);
      const ctx = rand() < 0.5 ? C4 : C2;
      const flags = Math.floor(rand() * 256);
      let r: unknown;
      try {
        r = codec.decode(b, pad, pad + len, flags, ctx);
      } catch (e) {
        t.fail(`${codec.type} ${toHex(value)} threw ${String(e)}`);
        continue;
      }
      if (r instanceof Malformed) {
        malformed++;
        if (r.subcode !== 5 || typeof r.reason !== 'string') t.fail(`${codec.type} ${toHex(value)}: bad Malformed`);
        continue;
      }
      decoded++;
      const a = r as { flags: number };
      if (a.flags !== flags) t.fail(`${codec.type}: flags not kept`);
      const hex = toHex(value);
      if (encodeHex(codec, a, ctx) !== hex) t.fail(`${codec.type} ${hex}: re-encode differs`);
      const back = codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(a))), 'a');
      if (encodeHex(codec, back, ctx) !== hex) t.fail(`${codec.type} ${hex}: JSON round trip differs`);
    }
  }
  t.ok(decoded > 5000, `${decoded} decoded`);
  t.ok(malformed > 10000, `${malformed} malformed`);
});

t.test('canonicalIpv4ToU32 (encode fast path) agrees with parseIpv4', async (t) => {
  t.equal(canonicalIpv4ToU32('192.0.2.1'), 0xc0000201);
  t.equal(canonicalIpv4ToU32('0.0.0.0'), 0);
  t.equal(canonicalIpv4ToU32('255.255.255.255'), 0xffffffff);
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.256', '1.2.3.4 ', ' 1.2.3.4', '1..3.4', '1.2.3.', '.1.2.3', '1.2.3.4/32', 'a.b.c.d', '1.2.3.0004', '1000.2.3.4', '::1']) {
    t.equal(canonicalIpv4ToU32(bad), -1, JSON.stringify(bad));
  }
  const rand = mulberry32(42);
  for (let i = 0; i < 3000; i++) {
    const n = Math.floor(rand() * 4294967296);
    const text = formatIpv4(n);
    if (canonicalIpv4ToU32(text) !== n || parseIpv4(text) !== n) t.fail(text);
    // mutate one character: the fast path must never accept what parseIpv4 rejects
    const chars = '0123456789.x ';
    const k = Math.floor(rand() * text.length);
    const m = text.slice(0, k) + chars[Math.floor(rand() * chars.length)] + text.slice(k + 1);
    const fast = canonicalIpv4ToU32(m);
    if (fast >= 0 && parseIpv4(m) !== fast) t.fail(`${m}: fast ${fast}`);
  }
});

t.test('NEXT_HOP: 127/8 is treat-as-withdraw unless the context accepts loopback next hops (a lab on loopback)', async (t) => {
  const { nextHopCodec } = await import('../src/bgp/codec/attributes/next-hop.js');
  const strict = decodeHex(nextHopCodec as unknown as AnyCodec, '7f000015');
  t.ok(strict instanceof Malformed, '127.0.0.21 is malformed by default');
  t.match((strict as Malformed).reason, /127\.0\.0\.21 is not a unicast host address/);
  t.same(decodeHex(nextHopCodec as unknown as AnyCodec, '7f000015', codecContext({ loopbackNextHop: true })), { type: 'NEXT_HOP', flags: 0x40, nextHop: '127.0.0.21' });
  for (const hex of ['00000001', 'e0000001', 'f0000001']) {
    t.ok(decodeHex(nextHopCodec as unknown as AnyCodec, hex, codecContext({ loopbackNextHop: true })) instanceof Malformed, `${hex} stays malformed with loopback accepted`);
  }
  const { resolvePeerConfig } = await import('../src/bgp/session/session-config.js');
  const base = { localAsn: 65001, peerAsn: 65000, routerId: '198.18.0.1', peerAddress: '127.0.0.11' };
  t.equal(resolvePeerConfig(base).acceptLoopbackNextHop, false);
  t.equal(resolvePeerConfig({ ...base, acceptLoopbackNextHop: true }).acceptLoopbackNextHop, true);
  t.throws(() => resolvePeerConfig({ ...base, acceptLoopbackNextHop: 'yes' as unknown as boolean }), { code: 'ERR_CONFIG_INVALID' });
});
