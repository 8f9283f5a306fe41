import t from 'tap';
import { ByteWriter, fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { DEFAULT_CONTEXT } from '../src/bgp/codec/context.js';
import { Malformed } from '../src/bgp/codec/attributes/attribute-codec.js';
import {
  decodeExtendedCommunity,
  encodeExtendedCommunity,
  extendedCommunitiesCodec,
  extendedCommunityFromJson,
  formatExtendedCommunity,
  parseExtendedCommunity,
  type ExtendedCommunitiesAttribute,
  type ExtendedCommunity,
} from '../src/bgp/codec/attributes/extended-communities.js';
import { BgpError } from '../src/bgp/errors.js';

const codec = extendedCommunitiesCodec;

function decode(hex: string): ExtendedCommunitiesAttribute | Malformed {
  const b = fromHex(hex);
  return codec.decode(b, 0, b.length, 0xc0, DEFAULT_CONTEXT);
}

function encode(a: Omit<ExtendedCommunitiesAttribute, 'flags'>): string {
  const w = new ByteWriter(8);
  codec.encodeValue(a, w, DEFAULT_CONTEXT);
  return toHex(w.finish());
}

/** One community: bytes -> memory -> bytes, -> JSON -> bytes, -> text -> bytes. */
const CASES: [hex: string, json: Record<string, unknown>, text: string, note: string][] = [
  ['0002fde800000064', { type: 'route-target', asn: 65000, value: 100, transitive: true }, 'rt:65000:100', 'two-octet AS route target'],
  ['0002ffffffffffff', { type: 'route-target', asn: 65535, value: 4294967295, transitive: true }, 'rt:65535:4294967295', 'largest fields'],
  ['4002fde800000064', { type: 'route-target', asn: 65000, value: 100, transitive: false }, 'hex:4002fde800000064', 'non-transitive route target'],
  ['0102c00002010005', { type: 'route-target', address: '192.0.2.1', value: 5, transitive: true }, 'rt:192.0.2.1:5', 'IPv4 route target'],
  ['0202fa56ea000005', { type: 'route-target', asn4: 4200000000, value: 5, transitive: true }, 'rt:4200000000:5', 'four-octet AS route target'],
  ['02020000fde80005', { type: 'route-target', asn4: 65000, value: 5, transitive: true }, 'rt:65000L:5', 'small ASN in the four-octet type stays there'],
  ['0003fde800000064', { type: 'route-origin', asn: 65000, value: 100, transitive: true }, 'ro:65000:100', 'route origin'],
  ['0103c0000201ffff', { type: 'route-origin', address: '192.0.2.1', value: 65535, transitive: true }, 'ro:192.0.2.1:65535', 'IPv4 route origin'],
  ['0203fa56ea000001', { type: 'route-origin', asn4: 4200000000, value: 1, transitive: true }, 'ro:4200000000:1', 'four-octet AS route origin'],
  ['4203fa56ea000001', { type: 'route-origin', asn4: 4200000000, value: 1, transitive: false }, 'hex:4203fa56ea000001', 'non-transitive'],
  ['010bc00002010000', { type: 'specific', subtype: 11, address: '192.0.2.1', value: 0, transitive: true }, 'hex:010bc00002010000', 'VRF route import (RFC 6514)'],
  ['0009fde800000007', { type: 'specific', subtype: 9, asn: 65000, value: 7, transitive: true }, 'hex:0009fde800000007', 'other sub-type'],
  ['4201fa56ea000007', { type: 'specific', subtype: 1, asn4: 4200000000, value: 7, transitive: false }, 'hex:4201fa56ea000007', 'non-transitive four-octet'],
  ['4004fde84cee6b28', { type: 'link-bandwidth', asn: 65000, bytesPerSecond: 125000000, transitive: false }, 'lb:65000:125000000', 'link bandwidth 1 Gbit/s'],
  ['0004fde84cee6b28', { type: 'link-bandwidth', asn: 65000, bytesPerSecond: 125000000, transitive: true }, 'hex:0004fde84cee6b28', 'transitive link bandwidth'],
  ['4004fde800000000', { type: 'link-bandwidth', asn: 65000, bytesPerSecond: 0, transitive: false }, 'lb:65000:0', 'zero bandwidth'],
  ['4004000000000001', { type: 'link-bandwidth', asn: 0, bytesPerSecond: 1.401298464324817e-45, transitive: false }, 'lb:0:1.401298464324817e-45', 'subnormal'],
  ['4004fde87f7fffff', { type: 'link-bandwidth', asn: 65000, bytesPerSecond: 3.4028234663852886e38, transitive: false }, 'lb:65000:3.4028234663852886e+38', 'largest float32'],
  ['4004fde8bf000000', { type: 'link-bandwidth', asn: 65000, bytesPerSecond: -0.5, transitive: false }, 'hex:4004fde8bf000000', 'negative (nonsense, kept; no lb: text)'],
  ['4004fde87fc00001', { type: 'opaque', hex: '4004fde87fc00001' }, 'hex:4004fde87fc00001', 'NaN with a payload: bits kept'],
  ['4004fde8ffffffff', { type: 'opaque', hex: '4004fde8ffffffff' }, 'hex:4004fde8ffffffff', 'negative NaN'],
  ['4004fde87f800000', { type: 'opaque', hex: '4004fde87f800000' }, 'hex:4004fde87f800000', '+Infinity'],
  ['0004fde8ff800000', { type: 'opaque', hex: '0004fde8ff800000' }, 'hex:0004fde8ff800000', '-Infinity'],
  ['4004fde880000000', { type: 'opaque', hex: '4004fde880000000' }, 'hex:4004fde880000000', '-0 (JSON would lose the sign)'],
  ['030c000000000002', { type: 'opaque', hex: '030c000000000002' }, 'hex:030c000000000002', 'opaque type: tunnel encapsulation (VXLAN)'],
  ['8006000000000000', { type: 'opaque', hex: '8006000000000000' }, 'hex:8006000000000000', 'flow spec traffic-rate'],
  ['0600000000000000', { type: 'opaque', hex: '0600000000000000' }, 'hex:0600000000000000', 'EVPN'],
  ['c002fde800000064', { type: 'opaque', hex: 'c002fde800000064' }, 'hex:c002fde800000064', 'I bit set: not the AS-specific type'],
  ['8202fde800000064', { type: 'opaque', hex: '8202fde800000064' }, 'hex:8202fde800000064', 'I bit set'],
];

t.test('each kind: bytes, JSON, text round trips', async (t) => {
  for (const [hex, json, text, note] of CASES) {
    const a = decode(hex);
    if (a instanceof Malformed) {
      t.fail(`${note}: ${a.reason}`);
      continue;
    }
    t.equal(encode(a), hex, `${note}: re-encodes`);
    const j = codec.toJson(a);
    t.same(j, { communities: [json] }, `${note}: JSON`);
    t.equal(encode(codec.fromJson(JSON.parse(JSON.stringify(j)), 'a')), hex, `${note}: JSON round trip`);
    t.equal(formatExtendedCommunity(a.communities[0]!), text, `${note}: text`);
    t.equal(toHex(encodeExtendedCommunity(parseExtendedCommunity(text))), hex, `${note}: text round trip`);
    t.same(decodeExtendedCommunity(fromHex(hex), 0), a.communities[0], `${note}: single decoder`);
  }
});

t.test('a list keeps order and duplicates', async (t) => {
  const hex = CASES.map((c) => c[0]).join('') + CASES[0]![0];
  const a = decode(hex) as ExtendedCommunitiesAttribute;
  t.equal(a.communities.length, CASES.length + 1);
  t.equal(encode(a), hex);
  t.equal(encode(codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(a))), '')), hex);
});

t.test('every bit survives: all sub-types of each typed type', async (t) => {
  for (const type of [0x00, 0x01, 0x02, 0x40, 0x41, 0x42]) {
    for (let st = 0; st < 256; st++) {
      const b = new Uint8Array([type, st, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]);
      const hex = toHex(b);
      const a = decode(hex) as ExtendedCommunitiesAttribute;
      if (encode(a) !== hex) t.fail(`${hex} re-encode`);
      if (encode(codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(a))), '')) !== hex) t.fail(`${hex} JSON`);
      if (toHex(encodeExtendedCommunity(parseExtendedCommunity(formatExtendedCommunity(a.communities[0]!)))) !== hex) t.fail(`${hex} text`);
    }
  }
  t.pass('1536 communities');
});

t.test('float32 bit patterns of link bandwidth', async (t) => {
  const patterns = [0, 1, 0x007fffff, 0x00800000, 0x3f800000, 0x4cee6b28, 0x7f7fffff, 0x7f800000, 0x7f800001, 0x7fc00000, 0x7fffffff, 0x80000000, 0x80000001, 0xbf800000, 0xff800000, 0xffc00000, 0xffffffff];
  for (let i = 0; i < 2000; i++) patterns.push((Math.imul(i + 1, 2654435761) ^ (i << 13)) >>> 0);
  for (const transitive of [0x00, 0x40]) {
    for (const bits of patterns) {
      const hex = `${transitive.toString(16).padStart(2, '0')}04fde8${bits.toString(16).padStart(8, '0')}`;
      const a = decode(hex) as ExtendedCommunitiesAttribute;
      if (encode(a) !== hex) t.fail(`${hex} re-encode`);
      if (encode(codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(a))), '')) !== hex) t.fail(`${hex} JSON`);
      if (toHex(encodeExtendedCommunity(parseExtendedCommunity(formatExtendedCommunity(a.communities[0]!)))) !== hex) t.fail(`${hex} text`);
    }
  }
  t.pass(`${2 * patterns.length} bit patterns`);
});

t.test('malformed lengths: treat-as-withdraw, Attribute Length Error', async (t) => {
  t.equal(codec.malformedAction, 'treat-as-withdraw');
  for (const len of [0, 1, 7, 9, 12, 15, 17]) {
    const r = codec.decode(new Uint8Array(len), 0, len, 0xc0, DEFAULT_CONTEXT);
    t.ok(r instanceof Malformed, `length ${len}`);
    t.equal((r as Malformed).subcode, 5);
  }
});

t.test('JSON input: defaults and normalisation', async (t) => {
  const one = (j: unknown): ExtendedCommunity => extendedCommunityFromJson(j, 'c');
  t.same(one({ type: 'route-target', asn: 65000, value: 100 }), { kind: 'two-octet-as-specific', transitive: true, subtype: 2, asn: 65000, value: 100 });
  t.same(one({ type: 'link-bandwidth', asn: 65000, bytesPerSecond: 125000000 }), {
    kind: 'link-bandwidth',
    transitive: false,
    asn: 65000,
    bytesPerSecond: 125000000,
  });
  t.equal(toHex(encodeExtendedCommunity(one({ type: 'link-bandwidth', asn: 1, bytesPerSecond: 0.1 }))), '400400013dcccccd', 'rounded to float32');
  const z = one({ type: 'link-bandwidth', asn: 1, bytesPerSecond: -0 }) as { bytesPerSecond: number };
  t.ok(Object.is(z.bytesPerSecond, 0), '-0 becomes 0');
  t.equal(toHex(encodeExtendedCommunity(one({ type: 'specific', subtype: 2, asn: 1, value: 2 }))), '0002000100000002', '"specific" may name a known sub-type');
  t.equal(toHex(encodeExtendedCommunity(one({ type: 'opaque', hex: '0002000100000002' }))), '0002000100000002');
  t.same(one({ type: 'route-origin', address: '198.51.100.7', value: 9, transitive: false }), {
    kind: 'ipv4-address-specific',
    transitive: false,
    subtype: 3,
    address: '198.51.100.7',
    value: 9,
  });
});

t.test('JSON input: errors name the path', async (t) => {
  const P = 'attributes[1]';
  const cases: [unknown, string][] = [
    [{ communities: [] }, 'attributes[1].communities: needs at least one'],
    [{ communities: {} }, 'attributes[1].communities: expected an array'],
    [{ communities: [5] }, 'attributes[1].communities[0]: expected an object'],
    [{ communities: [{ asn: 1, value: 1 }] }, 'attributes[1].communities[0].type: is missing'],
    [{ communities: [{ type: 'rt', asn: 1, value: 1 }] }, 'attributes[1].communities[0].type: unknown extended community type "rt"'],
    [{ communities: [{ type: 'route-target', value: 1 }] }, 'attributes[1].communities[0]: needs exactly one of'],
    [{ communities: [{ type: 'route-target', asn: 1, asn4: 1, value: 1 }] }, 'attributes[1].communities[0]: needs exactly one of'],
    [{ communities: [{ type: 'route-target', asn: 1 }] }, 'attributes[1].communities[0].value: is missing'],
    [{ communities: [{ type: 'route-target', asn: 65536, value: 1 }] }, 'attributes[1].communities[0].asn: expected an integer from 0 to 65535'],
    [{ communities: [{ type: 'route-target', asn4: 65536, value: 65536 }] }, 'attributes[1].communities[0].value: expected an integer from 0 to 65535'],
    [{ communities: [{ type: 'route-target', address: '1.2.3.4', value: 65536 }] }, 'attributes[1].communities[0].value: expected an integer from 0 to 65535'],
    [{ communities: [{ type: 'route-target', address: '1.2.3', value: 1 }] }, 'attributes[1].communities[0].address: not an IPv4 address'],
    [{ communities: [{ type: 'route-target', asn: 1, value: 1, subtype: 2 }] }, 'attributes[1].communities[0].subtype: unknown field'],
    [{ communities: [{ type: 'route-target', asn: 1, value: 1, transitive: 'no' }] }, 'attributes[1].communities[0].transitive: expected true or false'],
    [{ communities: [{ type: 'route-target', asn: 1, value: 1, extra: 1 }] }, 'attributes[1].communities[0].extra: unknown field'],
    [{ communities: [{ type: 'specific', asn: 1, value: 1 }] }, 'attributes[1].communities[0].subtype: is missing'],
    [{ communities: [{ type: 'specific', subtype: 256, asn: 1, value: 1 }] }, 'attributes[1].communities[0].subtype: expected an integer from 0 to 255'],
    [{ communities: [{ type: 'link-bandwidth', asn: 1 }] }, 'attributes[1].communities[0].bytesPerSecond: is missing'],
    [{ communities: [{ type: 'link-bandwidth', asn: 1, bytesPerSecond: '1G' }] }, 'attributes[1].communities[0].bytesPerSecond: expected a number'],
    [{ communities: [{ type: 'link-bandwidth', asn: 1, bytesPerSecond: 1e39 }] }, 'attributes[1].communities[0].bytesPerSecond: expected a number that fits a float32'],
    [{ communities: [{ type: 'link-bandwidth', asn: 70000, bytesPerSecond: 1 }] }, 'attributes[1].communities[0].asn: expected an integer from 0 to 65535'],
    [{ communities: [{ type: 'link-bandwidth', asn: 1, bytesPerSecond: 1, value: 1 }] }, 'attributes[1].communities[0].value: unknown field'],
    [{ communities: [{ type: 'opaque', hex: '00020001000000' }] }, 'attributes[1].communities[0].hex: an extended community is 8 octets'],
    [{ communities: [{ type: 'opaque', hex: '000200010000000g' }] }, 'attributes[1].communities[0].hex: not a hex digit'],
    [{ communities: [{ type: 'opaque', hex: '0002000100000002', transitive: true }] }, 'attributes[1].communities[0].transitive: unknown field'],
    [{ communities: [{ type: 'route-target', asn: 1, value: 1 }], extended: true }, 'attributes[1].extended: unknown field'],
  ];
  for (const [j, message] of cases) {
    const err = t.throws(() => codec.fromJson(j as Record<string, unknown>, P), JSON.stringify(j)) as unknown as BgpError;
    t.equal(err.code, 'ERR_BGP_BAD_JSON');
    t.ok(err.message.startsWith(message), `${JSON.stringify(err.message)} starts with ${JSON.stringify(message)}`);
  }
});

t.test('text forms', async (t) => {
  t.same(parseExtendedCommunity('rt:65000:100'), { kind: 'two-octet-as-specific', transitive: true, subtype: 2, asn: 65000, value: 100 });
  t.same(parseExtendedCommunity('RT:65000:100'), parseExtendedCommunity('rt:65000:100'), 'prefix case-insensitive');
  t.same(parseExtendedCommunity('rt:65536:1'), { kind: 'four-octet-as-specific', transitive: true, subtype: 2, asn4: 65536, value: 1 });
  t.same(parseExtendedCommunity('ro:0l:0'), { kind: 'four-octet-as-specific', transitive: true, subtype: 3, asn4: 0, value: 0 });
  t.same(parseExtendedCommunity('lb:65000:1.25e8'), { kind: 'link-bandwidth', transitive: false, asn: 65000, bytesPerSecond: 125000000 });
  t.same(parseExtendedCommunity('lb:1:.5'), { kind: 'link-bandwidth', transitive: false, asn: 1, bytesPerSecond: 0.5 });
  t.same(parseExtendedCommunity('hex:0002FDE800000064'), parseExtendedCommunity('rt:65000:100'), 'hex decodes to the typed form');
  const bad = [
    '',
    'rt',
    'rt:',
    'rt:1',
    'rt:65000:',
    'rt::1',
    'rt:65536:65536',
    'rt:4294967296:1',
    'rt:65000L:65536',
    'rt:192.0.2.1:65536',
    'rt:192.0.2:1',
    'rt:192.0.2.1.1:1',
    'rt:-1:1',
    'rt:1:-1',
    'rt:1:4294967296',
    'rt:1 :1',
    'xx:1:1',
    'lb:65536:1',
    'lb:1:1e39',
    'lb:1:NaN',
    'lb:1:Infinity',
    'lb:1:-1',
    'lb:1:0x10',
    'lb:1:',
    'hex:0002',
    'hex:0002fde80000006z',
    'hex:0002fde8000000640',
    'target:1:1',
  ];
  for (const text of bad) {
    const err = t.throws(() => parseExtendedCommunity(text), JSON.stringify(text)) as unknown as BgpError;
    t.equal(err.code, 'ERR_BGP_BAD_COMMUNITY', text);
  }
});

t.test('encodeExtendedCommunity refuses out-of-range fields', async (t) => {
  const bad: unknown[] = [
    { kind: 'two-octet-as-specific', transitive: true, subtype: 2, asn: 65536, value: 1 },
    { kind: 'two-octet-as-specific', transitive: true, subtype: 256, asn: 1, value: 1 },
    { kind: 'two-octet-as-specific', transitive: true, subtype: 2, asn: 1, value: -1 },
    { kind: 'ipv4-address-specific', transitive: true, subtype: 2, address: '1.2.3.4', value: 65536 },
    { kind: 'ipv4-address-specific', transitive: true, subtype: 2, address: 'x', value: 1 },
    { kind: 'four-octet-as-specific', transitive: true, subtype: 2, asn4: 2 ** 32, value: 1 },
    { kind: 'link-bandwidth', transitive: false, asn: -1, bytesPerSecond: 1 },
    { kind: 'link-bandwidth', transitive: false, asn: 1, bytesPerSecond: '1' },
    { kind: 'opaque', bytes: new Uint8Array(7) },
    { kind: 'nope' },
  ];
  for (const c of bad) {
    const err = t.throws(() => encodeExtendedCommunity(c as ExtendedCommunity), JSON.stringify(c)) as unknown as BgpError;
    t.ok(err instanceof BgpError);
    t.match(err.code, /^ERR_BGP_BAD_(ATTRIBUTE|ADDRESS)$/);
  }
});
