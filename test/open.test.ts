import t from 'tap';
import { fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { codecContext, DEFAULT_CONTEXT } from '../src/bgp/codec/context.js';
import { AS_TRANS } from '../src/bgp/iana/asn.js';
import {
  buildOpen,
  capabilitiesOf,
  decodeOpen,
  encodeOpen,
  peerAsn,
  type OpenMessage,
  type OptionalParameter,
} from '../src/bgp/codec/open.js';
import { capabilityFromJson, capabilityToJson, type Capability } from '../src/bgp/codec/capabilities/capability.js';
import { openFromJson, openToJson } from '../src/bgp/json/open.js';
import { BgpError } from '../src/bgp/errors.js';
import { contextOf, loadVectors, VECTOR_DIR } from './helpers/vectors.js';

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** An OPEN around `params` (classic encoding, AS 65001, hold 180, id 192.0.2.1). */
function openHex(params: string, optLen = params.length / 2): Uint8Array {
  const body = `04fde900b4c0000201${optLen.toString(16).padStart(2, '0')}${params}`;
  const len = 19 + body.length / 2;
  return fromHex(`${'ff'.repeat(16)}${len.toString(16).padStart(4, '0')}01${body}`);
}

function base(optionalParameters: OptionalParameter[], extra: Partial<OpenMessage> = {}): OpenMessage {
  return { type: 'OPEN', version: 4, myAutonomousSystem: 65001, holdTimeSec: 180, bgpIdentifier: '192.0.2.1', optionalParameters, ...extra };
}

const SAMPLE_CAPS: Capability[] = [
  { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
  { type: 'MULTIPROTOCOL', afi: 2, safi: 128, reserved: 7 },
  { type: 'ROUTE_REFRESH' },
  { type: 'ROUTE_REFRESH_CISCO' },
  { type: 'ENHANCED_ROUTE_REFRESH' },
  { type: 'EXTENDED_MESSAGE' },
  { type: 'EXTENDED_NEXT_HOP', tuples: [{ nlriAfi: 1, nlriSafi: 1, nextHopAfi: 2 }, { nlriAfi: 1, nlriSafi: 300, nextHopAfi: 2 }] },
  { type: 'FOUR_OCTET_AS', asn: 4294967295 },
  {
    type: 'GRACEFUL_RESTART',
    restartState: true,
    gracefulNotification: false,
    reservedFlags: 2,
    restartTimeSec: 4095,
    afs: [{ afi: 1, safi: 1, forwardingState: true }, { afi: 2, safi: 1, forwardingState: false, reservedFlags: 0x7f }],
  },
  { type: 'GRACEFUL_RESTART', restartState: false, gracefulNotification: true, restartTimeSec: 0, afs: [] },
  { type: 'LONG_LIVED_GRACEFUL_RESTART', afs: [{ afi: 1, safi: 1, forwardingState: true, longLivedStaleTimeSec: 0xffffff }] },
  { type: 'LONG_LIVED_GRACEFUL_RESTART', afs: [] },
  { type: 'ADD_PATH', afs: [{ afi: 1, safi: 1, sendReceive: 1 }, { afi: 2, safi: 1, sendReceive: 2 }, { afi: 1, safi: 4, sendReceive: 3 }, { afi: 9, safi: 9, sendReceive: 0 }] },
  { type: 'FQDN', hostname: 'r1', domainName: 'example.net' },
  { type: 'FQDN', hostname: '\ufeffbom-kept', domainName: 'ünï' },
  { type: 'FQDN', hostname: 'a\ufffdb', hostnameBytes: new Uint8Array([0x61, 0xc3, 0x62]), domainName: '\ufffd', domainNameBytes: new Uint8Array([0xff]) },
  { type: 'BGP_ROLE', role: 0 },
  { type: 'BGP_ROLE', role: 200 },
  { type: 'UNKNOWN', code: 75, data: new Uint8Array([1, 2, 3]) },
  { type: 'UNKNOWN', code: 255, data: new Uint8Array(0) },
];

t.test('vectors: decode -> JSON, JSON -> encode, errors', async (t) => {
  const vectors = loadVectors(VECTOR_DIR, ['open-', 'capability-']);
  t.ok(vectors.length >= 40, `${vectors.length} vectors`);
  for (const v of vectors) {
    t.equal(`${v.name}.json`, v.file, `${v.file}: name matches the file`);
    const ctx = contextOf(v);
    const bytes = fromHex(v.hex);
    if (v.decoded !== undefined) {
      const m = decodeOpen(bytes, ctx);
      t.strictSame(json(openToJson(m)), v.decoded, `${v.name}: decoded`);
      t.equal(toHex(encodeOpen(openFromJson(v.decoded), ctx)), v.hex, `${v.name}: JSON re-encodes to the hex`);
      t.equal(toHex(encodeOpen(m, ctx)), v.hex, `${v.name}: decode -> encode is byte-identical`);
    } else if (v.error) {
      const e = caught(() => decodeOpen(bytes, ctx));
      if (!(e instanceof BgpError)) {
        t.fail(`${v.name}: expected BgpError ${v.error.code}, got ${String(e)}`);
        continue;
      }
      t.equal(e.code, v.error.code, `${v.name}: code (${e.message})`);
      if (v.error.notification) {
        t.strictSame(
          { code: e.notification?.code, subcode: e.notification?.subcode, data: e.notification ? toHex(e.notification.data) : undefined },
          v.error.notification,
          `${v.name}: notification`,
        );
      }
      if (v.error.offset !== undefined) t.equal(e.offset, v.error.offset, `${v.name}: offset`);
    } else {
      t.fail(`${v.name}: neither decoded nor error`);
    }
  }
});

t.test('each capability round-trips in memory, on the wire and through JSON', async (t) => {
  for (const c of SAMPLE_CAPS) {
    const m = base([{ type: 'CAPABILITIES', capabilities: [c] }]);
    const wire = encodeOpen(m);
    const back = decodeOpen(wire, DEFAULT_CONTEXT);
    t.strictSame(capabilitiesOf(back), [c], `${c.type}: wire`);
    const j = json(capabilityToJson(c));
    t.strictSame(capabilityFromJson(j, 'c'), c, `${c.type}: JSON ${JSON.stringify(j)}`);
    t.equal(toHex(encodeOpen(openFromJson(json(openToJson(back))))), toHex(wire), `${c.type}: JSON -> wire`);
  }
});

t.test('several capability parameters and one parameter stay apart', async (t) => {
  const caps = SAMPLE_CAPS.slice(0, 6);
  const split = base(caps.map((c) => ({ type: 'CAPABILITIES', capabilities: [c] })));
  const joined = base([{ type: 'CAPABILITIES', capabilities: caps }]);
  const a = encodeOpen(split);
  const b = encodeOpen(joined);
  t.not(toHex(a), toHex(b));
  t.equal(decodeOpen(a, DEFAULT_CONTEXT).optionalParameters.length, 6);
  t.equal(decodeOpen(b, DEFAULT_CONTEXT).optionalParameters.length, 1);
  t.strictSame(capabilitiesOf(decodeOpen(a, DEFAULT_CONTEXT)), capabilitiesOf(decodeOpen(b, DEFAULT_CONTEXT)));
  t.equal(toHex(encodeOpen(decodeOpen(a, DEFAULT_CONTEXT))), toHex(a));
});

t.test('RFC 9072: classic when it fits, extended when needed or asked', async (t) => {
  const small = base([{ type: 'CAPABILITIES', capabilities: [{ type: 'ROUTE_REFRESH' }] }]);
  const classic = encodeOpen(small);
  t.equal(toHex(classic.subarray(28)), '04' + '0202' + '0200');
  t.equal(decodeOpen(classic, DEFAULT_CONTEXT).extendedOptionalParameters, undefined);

  const forced = encodeOpen({ ...small, extendedOptionalParameters: true });
  t.equal(toHex(forced.subarray(28)), 'ff' + 'ff' + '0005' + '020002' + '0200');
  const fd = decodeOpen(forced, DEFAULT_CONTEXT);
  t.equal(fd.extendedOptionalParameters, true);
  t.strictSame(capabilitiesOf(fd), [{ type: 'ROUTE_REFRESH' }]);

  // 60 MULTIPROTOCOL capabilities: 360 octets in one parameter
  const many: Capability[] = Array.from({ length: 60 }, (_, i) => ({ type: 'MULTIPROTOCOL', afi: 1 + i, safi: 1 }));
  const big = base([{ type: 'CAPABILITIES', capabilities: many }], { extendedOptionalParameters: false });
  const wire = encodeOpen(big);
  t.equal(wire[28], 255, 'Non-Ext OP Len');
  t.equal(wire[29], 255, 'Non-Ext OP Type');
  t.equal((wire[30]! << 8) | wire[31]!, 3 + 360, 'Extended Opt. Parm. Length');
  t.equal(wire[32], 2);
  t.equal((wire[33]! << 8) | wire[34]!, 360, '2-octet Parameter Length');
  const bd = decodeOpen(wire, DEFAULT_CONTEXT);
  t.equal(bd.extendedOptionalParameters, true);
  t.strictSame(capabilitiesOf(bd), many);
  t.equal(toHex(encodeOpen(bd)), toHex(wire));

  // total over 255 with every parameter under 255
  const perParam = base(many.map((c) => ({ type: 'CAPABILITIES' as const, capabilities: [c] })));
  const pw = encodeOpen(perParam);
  t.equal(pw[29], 255);
  t.strictSame(decodeOpen(pw, DEFAULT_CONTEXT).optionalParameters, perParam.optionalParameters);

  // a first parameter of type 255 cannot be sent classic
  const p255 = base([{ type: 'UNKNOWN', code: 255, data: new Uint8Array([1]) }]);
  const w255 = encodeOpen(p255);
  t.equal(toHex(w255.subarray(28)), 'ffff0004ff000101');
  t.strictSame(decodeOpen(w255, DEFAULT_CONTEXT).optionalParameters, p255.optionalParameters);

  // Non-Ext OP Len other than 255 is ignored but kept
  const odd = encodeOpen({ ...small, extendedOptionalParameters: true, nonExtOpLen: 9 });
  t.equal(odd[28], 9);
  const od = decodeOpen(odd, DEFAULT_CONTEXT);
  t.equal(od.nonExtOpLen, 9);
  t.equal(toHex(encodeOpen(od)), toHex(odd));
  t.equal(toHex(encodeOpen(openFromJson(json(openToJson(od))))), toHex(odd));
  t.equal((caught(() => encodeOpen({ ...small, extendedOptionalParameters: true, nonExtOpLen: 0 })) as BgpError).code, 'ERR_BGP_BAD_VALUE');

  // the 4096-octet limit still applies to OPEN (RFC 8654 s3)
  const huge: Capability[] = Array.from({ length: 700 }, (_, i) => ({ type: 'MULTIPROTOCOL', afi: i, safi: 1 }));
  const he = caught(() => encodeOpen(base([{ type: 'CAPABILITIES', capabilities: huge }]), codecContext({ extendedMessage: true })));
  t.equal((he as BgpError).code, 'ERR_BGP_MESSAGE_TOO_LONG');
});

t.test('header and message-level errors', async (t) => {
  const ka = fromHex(`${'ff'.repeat(16)}001304`);
  t.equal((caught(() => decodeOpen(ka, DEFAULT_CONTEXT)) as BgpError).code, 'ERR_BGP_WRONG_MESSAGE_TYPE');
  t.equal((caught(() => decodeOpen(new Uint8Array(5), DEFAULT_CONTEXT)) as BgpError).code, 'ERR_BGP_BAD_MESSAGE_LENGTH');
  const good = openHex('');
  t.equal((caught(() => decodeOpen(good.subarray(0, 28), DEFAULT_CONTEXT)) as BgpError).code, 'ERR_BGP_BAD_MESSAGE_LENGTH');
  const bad = good.slice();
  bad[3] = 0;
  t.equal((caught(() => decodeOpen(bad, DEFAULT_CONTEXT)) as BgpError).code, 'ERR_BGP_BAD_MARKER');
  // version is the FSM's business
  const v7 = good.slice();
  v7[19] = 7;
  t.equal(decodeOpen(v7, DEFAULT_CONTEXT).version, 7);
});

t.test('decode errors carry 2/0, offsets and the capability name', async (t) => {
  const cases: [string, string, number, RegExp][] = [
    ['0209' + '0200' + '0200', 'ERR_BGP_OPEN_PARAMETER_OVERRUN', 30, /type 2 length 9 runs 5 octet/],
    ['0200' + '02', 'ERR_BGP_OPEN_PARAMETER_OVERRUN', 31, /no room/],
    ['0203' + '410401', 'ERR_BGP_CAPABILITY_OVERRUN', 32, /FOUR_OCTET_AS \(65\) length 4 runs 3/],
    ['0203' + '020041', 'ERR_BGP_CAPABILITY_OVERRUN', 33, /no length octet/],
    ['0204' + '4102fde9', 'ERR_BGP_CAPABILITY_LENGTH', 32, /FOUR_OCTET_AS \(65\) capability: length 2 is not 4/],
    ['0204' + '09020001', 'ERR_BGP_CAPABILITY_LENGTH', 32, /BGP_ROLE \(9\)/],
    ['0203' + '800100', 'ERR_BGP_CAPABILITY_LENGTH', 32, /ROUTE_REFRESH_CISCO \(128\)/],
    ['0203' + '020100', 'ERR_BGP_CAPABILITY_LENGTH', 32, /ROUTE_REFRESH \(2\)/],
    ['0203' + '460100', 'ERR_BGP_CAPABILITY_LENGTH', 32, /ENHANCED_ROUTE_REFRESH \(70\)/],
    ['0203' + '060100', 'ERR_BGP_CAPABILITY_LENGTH', 32, /EXTENDED_MESSAGE \(6\)/],
    ['0205' + '4003' + '007800', 'ERR_BGP_CAPABILITY_LENGTH', 32, /GRACEFUL_RESTART \(64\).*2 \+ 4 per/],
    ['0207' + '0105' + '0001000101', 'ERR_BGP_CAPABILITY_LENGTH', 32, /MULTIPROTOCOL \(1\)/],
    ['0207' + '4705' + '0001018000', 'ERR_BGP_CAPABILITY_LENGTH', 32, /LONG_LIVED_GRACEFUL_RESTART \(71\)/],
    ['0205' + '4503' + '000101', 'ERR_BGP_CAPABILITY_LENGTH', 32, /ADD_PATH \(69\)/],
    ['0209' + '0507' + '00010001000200', 'ERR_BGP_CAPABILITY_LENGTH', 32, /EXTENDED_NEXT_HOP \(5\)/],
    ['0206' + '4904' + '01610000', 'ERR_BGP_CAPABILITY_LENGTH', 32, /FQDN \(73\)/],
    // the offending capability after a good one: 31 + 6 = 37 is its code, 38 its length octet
    ['020b' + '010400010001' + '4103000001', 'ERR_BGP_CAPABILITY_LENGTH', 38, /FOUR_OCTET_AS/],
  ];
  for (const [params, code, offset, re] of cases) {
    const e = caught(() => decodeOpen(openHex(params), DEFAULT_CONTEXT));
    if (!(e instanceof BgpError)) {
      t.fail(`${params}: not a BgpError: ${String(e)}`);
      continue;
    }
    t.equal(e.code, code, `${params}: ${e.message}`);
    t.equal(e.notification?.code, 2, `${params}: code 2`);
    t.equal(e.notification?.subcode, 0, `${params}: subcode 0`);
    t.equal(e.notification?.data.length, 0, `${params}: no data`);
    t.equal(e.offset, offset, `${params}: offset`);
    t.match(e.message, re, `${params}: message`);
  }
  // FQDN: domain name length octet missing; domain overrun; trailing octet
  for (const v of ['0161', '016101', '01610000', '0000']) {
    const len = v.length / 2;
    const msg = openHex(`02${(len + 2).toString(16).padStart(2, '0')}49${len.toString(16).padStart(2, '0')}${v}`);
    const e = caught(() => decodeOpen(msg, DEFAULT_CONTEXT));
    if (v === '0000') t.strictSame(capabilitiesOf(decodeOpen(msg, DEFAULT_CONTEXT)), [{ type: 'FQDN', hostname: '', domainName: '' }]);
    else t.equal((e as BgpError).code, 'ERR_BGP_CAPABILITY_LENGTH', `FQDN ${v}`);
  }
});

t.test('encode errors', async (t) => {
  const codeOf = (m: OpenMessage): string | undefined => (caught(() => encodeOpen(m)) as BgpError | undefined)?.code;
  const caps = (c: Capability): OpenMessage => base([{ type: 'CAPABILITIES', capabilities: [c] }]);
  const afs = Array.from({ length: 64 }, () => ({ afi: 1, safi: 1, forwardingState: false }));
  t.equal(codeOf(caps({ type: 'GRACEFUL_RESTART', restartState: false, gracefulNotification: false, restartTimeSec: 1, afs })), 'ERR_BGP_CAPABILITY_TOO_LONG');
  t.equal(codeOf(caps({ type: 'FQDN', hostname: 'x'.repeat(256), domainName: '' })), 'ERR_BGP_CAPABILITY_TOO_LONG');
  t.equal(codeOf(caps({ type: 'FQDN', hostname: 'x'.repeat(200), domainName: 'y'.repeat(60) })), 'ERR_BGP_CAPABILITY_TOO_LONG');
  t.equal(codeOf(caps({ type: 'GRACEFUL_RESTART', restartState: false, gracefulNotification: false, restartTimeSec: 4096, afs: [] })), 'ERR_BGP_BAD_VALUE');
  t.equal(codeOf(caps({ type: 'FOUR_OCTET_AS', asn: -1 })), 'ERR_BGP_BAD_VALUE');
  t.equal(codeOf(caps({ type: 'MULTIPROTOCOL', afi: 65536, safi: 1 })), 'ERR_BGP_BAD_VALUE');
  t.equal(codeOf(caps({ type: 'UNKNOWN', code: 256, data: new Uint8Array(0) })), 'ERR_BGP_BAD_VALUE');
  t.equal(codeOf(caps({ type: 'UNKNOWN', code: 1, data: new Uint8Array(256) })), 'ERR_BGP_CAPABILITY_TOO_LONG');
  t.equal(codeOf(caps({ type: 'NOPE' } as unknown as Capability)), 'ERR_BGP_BAD_VALUE');
  t.equal(codeOf(base([], { bgpIdentifier: '1.2.3' })), 'ERR_BGP_BAD_ADDRESS');
  t.equal(codeOf(base([], { holdTimeSec: 70000 })), 'ERR_BGP_BAD_VALUE');
  t.equal(codeOf(base([], { myAutonomousSystem: 65536 })), 'ERR_BGP_BAD_VALUE');
  t.equal(codeOf(base([{ type: 'UNKNOWN', code: 300, data: new Uint8Array(0) }])), 'ERR_BGP_BAD_VALUE');
});

t.test('buildOpen, peerAsn, capabilitiesOf', async (t) => {
  const big = buildOpen({ myAsn: 4200000001, holdTimeSec: 90, bgpIdentifier: '10.0.0.1', capabilities: [{ type: 'MULTIPROTOCOL', afi: 1, safi: 1 }] });
  t.equal(big.myAutonomousSystem, AS_TRANS);
  t.equal(big.version, 4);
  t.strictSame(capabilitiesOf(big), [
    { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
    { type: 'FOUR_OCTET_AS', asn: 4200000001 },
  ]);
  t.equal(peerAsn(decodeOpen(encodeOpen(big), DEFAULT_CONTEXT)), 4200000001);
  const small = buildOpen({ myAsn: 65001, holdTimeSec: 180, bgpIdentifier: '10.0.0.1' });
  t.equal(small.myAutonomousSystem, 65001);
  t.strictSame(capabilitiesOf(small), [{ type: 'FOUR_OCTET_AS', asn: 65001 }]);
  const given = buildOpen({ myAsn: 70000, holdTimeSec: 180, bgpIdentifier: '10.0.0.1', capabilities: [{ type: 'FOUR_OCTET_AS', asn: 70000 }] });
  t.equal(capabilitiesOf(given).length, 1, 'existing FOUR_OCTET_AS not duplicated');
  t.equal(peerAsn(base([])), 65001, 'no capability: the 2-octet field');
  t.equal((caught(() => buildOpen({ myAsn: 2 ** 32, holdTimeSec: 1, bgpIdentifier: '1.1.1.1' })) as BgpError).code, 'ERR_BGP_BAD_VALUE');
  t.equal((caught(() => buildOpen({ myAsn: 1, holdTimeSec: 1, bgpIdentifier: 'x' })) as BgpError).code, 'ERR_BGP_BAD_ADDRESS');
});

t.test('JSON reader errors name the path', async (t) => {
  const ok = openToJson(base([{ type: 'CAPABILITIES', capabilities: [{ type: 'ADD_PATH', afs: [{ afi: 1, safi: 1, sendReceive: 3 }] }] }]));
  const bad = (mutate: (j: any) => void): string => {
    const j = json(ok) as any;
    mutate(j);
    const e = caught(() => openFromJson(j, 'msg')) as BgpError;
    return `${e?.code}: ${e?.message}`;
  };
  t.match(bad((j) => (j.colour = 1)), /ERR_BGP_BAD_JSON: msg\.colour: unknown field/);
  t.match(bad((j) => (j.type = 'UPDATE')), /msg\.type/);
  t.match(bad((j) => (j.bgpIdentifier = '300.1.1.1')), /msg\.bgpIdentifier/);
  t.match(bad((j) => delete j.holdTimeSec), /msg\.holdTimeSec: is missing/);
  t.match(bad((j) => (j.nonExtOpLen = 3)), /msg\.nonExtOpLen/);
  t.match(bad((j) => (j.optionalParameters[0].type = 'AUTH')), /msg\.optionalParameters\[0\]\.type/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0].type = 'NOPE')), /capabilities\[0\]\.type: unknown capability type/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0].afs[0].sendReceive = 'sometimes')), /afs\[0\]\.sendReceive/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0].afs[0].x = 1)), /afs\[0\]\.x: unknown field/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0] = { type: 'ROUTE_REFRESH', x: 1 })), /capabilities\[0\]\.x: unknown field/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0] = { type: 'FQDN', domainName: '' })), /hostname: is missing/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0] = { type: 'BGP_ROLE', role: 'boss' })), /role: unknown BGP role name/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0] = { type: 'UNKNOWN', code: 9, data: 'xyz' })), /data/);
  t.match(bad((j) => (j.optionalParameters[0].capabilities[0] = { type: 'GRACEFUL_RESTART', restartTimeSec: 5000 })), /restartTimeSec/);
  // defaults: version 4, no parameters, GR booleans false
  const minimal = openFromJson({ type: 'OPEN', myAutonomousSystem: 1, holdTimeSec: 3, bgpIdentifier: '1.1.1.1' });
  t.equal(minimal.version, 4);
  t.strictSame(minimal.optionalParameters, []);
  const gr = capabilityFromJson({ type: 'GRACEFUL_RESTART', restartTimeSec: 5 }, 'c');
  t.strictSame(gr, { type: 'GRACEFUL_RESTART', restartState: false, gracefulNotification: false, restartTimeSec: 5, afs: [] });
});
