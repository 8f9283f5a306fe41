// Tests for test/helpers/tshark.ts (Wireshark's BGP dissector as an independent decoder) on
// hand-made messages, plus a sweep over the PDUs captured from real daemons in the lab
// (test/vectors/captured/*.txt). Three tshark runs in all. Skipped when tshark is not installed.
import t from 'tap';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsharkAvailable, tsharkDecodeBgp, type TsharkBgpPdu } from './helpers/tshark.js';

const skip = tsharkAvailable() ? false : 'tshark is not installed';

// --- tiny hex builders: every length below is computed, not typed by hand -----------------------
const hx = (n: number, octets: number): string => n.toString(16).padStart(octets * 2, '0');
const bytesLen = (hex: string): number => hex.length / 2;
const MARKER = 'ff'.repeat(16);
const msg = (type: number, body: string): string => MARKER + hx(19 + bytesLen(body), 2) + hx(type, 1) + body;
const attr = (flags: number, code: number, value: string): string =>
  flags & 0x10
    ? hx(flags, 1) + hx(code, 1) + hx(bytesLen(value), 2) + value
    : hx(flags, 1) + hx(code, 1) + hx(bytesLen(value), 1) + value;
const update = (withdrawn: string, attrs: string, nlri: string): string =>
  msg(2, hx(bytesLen(withdrawn), 2) + withdrawn + hx(bytesLen(attrs), 2) + attrs + nlri);
const cap = (code: number, value: string): string => hx(code, 1) + hx(bytesLen(value), 1) + value;
const open = (myAs: number, holdTimeSec: number, id: string, caps: string): string => {
  const param = '02' + hx(bytesLen(caps), 1) + caps;
  return msg(1, '04' + hx(myAs, 2) + hx(holdTimeSec, 2) + id + hx(bytesLen(param), 1) + param);
};
const V6_2001_DB8_1__11 = '20010db8000100000000000000000011';
const V6_FE80__1 = 'fe800000000000000000000000000001';

const KEEPALIVE = msg(4, '');
const OPEN = open(
  65000,
  90,
  'c6120001', // 198.18.0.1
  cap(1, '00010001') + cap(1, '00020001') + cap(2, '') + cap(65, hx(4200000000, 4)) + cap(69, '00010103') + cap(70, ''),
);
const UPDATE_ALL = update(
  '18cb0071', // withdrawn 203.0.113.0/24
  attr(0x40, 1, '00') +
    attr(0x40, 2, '0202' + hx(65001, 4) + hx(65002, 4) + '0101' + hx(64512, 4)) +
    attr(0x40, 3, 'c612010b') +
    attr(0x80, 4, hx(100, 4)) +
    attr(0x40, 5, hx(200, 4)) +
    attr(0x40, 6, '') +
    attr(0xc0, 7, hx(65001, 4) + 'c612000b') +
    attr(0xc0, 8, hx(65000, 2) + hx(100, 2) + 'ffffff01' + 'ffff029a') +
    attr(0x80, 9, 'c612000b') +
    attr(0x80, 10, 'c6120001c6120002') +
    attr(0xc0, 16, '0002fde800000064' + '0103c6120001000a') +
    attr(0xc0, 32, hx(65000, 4) + hx(1, 4) + hx(2, 4) + hx(4200000000, 4) + hx(3, 4) + hx(4, 4)),
  '19cb007180', // 203.0.113.128/25
);
const MP_REACH_V6 = update(
  '',
  attr(0x40, 1, '00') +
    attr(0x40, 2, '0201' + hx(65100, 4)) +
    attr(0x90, 14, '000201' + hx(32, 1) + V6_2001_DB8_1__11 + V6_FE80__1 + '00' + '2020010db8' + '3020010db80005'),
  '',
);
const EXT_NEXT_HOP = update(
  '',
  attr(0x40, 1, '00') + attr(0x40, 2, '') + attr(0x90, 14, '000101' + hx(16, 1) + V6_2001_DB8_1__11 + '00' + '18cb0071'),
  '',
);
const MP_UNREACH_V6 = update('', attr(0x90, 15, '000201' + '3020010db80005'), '');
const EOR_V4 = update('', '', '');
const SHUTDOWN = msg(3, '0602' + hx(5, 1) + Buffer.from('hello').toString('hex'));
const BAD_PEER_AS = msg(3, '0202' + hx(65001, 2));
const BORR = msg(5, '0002' + '01' + '01');

t.test('well-formed hand-made messages, one tshark run', { skip }, async (t) => {
  const r = await tsharkDecodeBgp([
    KEEPALIVE, OPEN, UPDATE_ALL, MP_REACH_V6, EXT_NEXT_HOP, MP_UNREACH_V6, EOR_V4, SHUTDOWN, BAD_PEER_AS, BORR,
  ]);
  t.equal(r.length, 10);
  for (const p of r) {
    t.equal(p.flagged, false, `message ${p.index} accepted: ${JSON.stringify(p.expert)}`);
    t.equal(p.pduCount, 1);
    t.equal(p.coveredBytes, p.inputLength);
  }
  const [ka, op, up, mp, enh, mu, eor, shut, bad, borr] = r as [TsharkBgpPdu, ...TsharkBgpPdu[]];
  t.match(ka, { type: 4, typeName: 'KEEPALIVE', length: 19 });
  t.same(op?.open, {
    version: 4,
    myAs: 65000,
    holdTime: 90,
    bgpIdentifier: '198.18.0.1',
    optParamsLength: 30,
    optParams: [{ type: 2, length: 28 }],
    capabilities: [
      { code: 1, length: 4 },
      { code: 1, length: 4 },
      { code: 2, length: 0 },
      { code: 65, length: 4 },
      { code: 69, length: 4 },
      { code: 70, length: 0 },
    ],
  });
  const u = up?.update;
  t.same(u?.withdrawn, ['203.0.113.0/24']);
  t.same(u?.nlri, ['203.0.113.128/25']);
  t.same(
    u?.attributes.map((a) => [a.flags, a.typeCode, a.length]),
    [[0x40, 1, 1], [0x40, 2, 16], [0x40, 3, 4], [0x80, 4, 4], [0x40, 5, 4], [0x40, 6, 0], [0xc0, 7, 8],
      [0xc0, 8, 12], [0x80, 9, 4], [0x80, 10, 8], [0xc0, 16, 16], [0xc0, 32, 24]],
  );
  t.match(u, {
    origin: 0,
    asPath: [
      { type: 2, length: 2, asns: [65001, 65002], asnOctets: 4 },
      { type: 1, length: 1, asns: [64512], asnOctets: 4 },
    ],
    nextHop: '198.18.1.11',
    med: 100,
    localPref: 200,
    atomicAggregate: true,
    aggregator: { as: 65001, address: '198.18.0.11' },
    // order kept across regular and well-known communities; BLACKHOLE is 65535:666
    communities: ['65000:100', '65535:65281', '65535:666'],
    originatorId: '198.18.0.11',
    clusterList: ['198.18.0.1', '198.18.0.2'],
    extendedCommunities: [
      { type: 0x00, subtype: 0x02, raw: '0002fde800000064' },
      { type: 0x01, subtype: 0x03, raw: '0103c6120001000a' },
    ],
    largeCommunities: ['65000:1:2', '4200000000:3:4'],
  });
  t.match(mp?.update?.mpReach, {
    afi: 2,
    safi: 1,
    nextHopLength: 32,
    nextHops: ['2001:db8:1::11', 'fe80::1'],
    nextHopRaw: V6_2001_DB8_1__11 + V6_FE80__1,
    nlri: ['2001:db8::/32', '2001:db8:5::/48'],
  });
  t.equal(mp?.update?.attributes[2]?.flags, 0x90, 'extended-length flag kept');
  t.match(enh?.update?.mpReach, { afi: 1, safi: 1, nextHopLength: 16, nextHops: ['2001:db8:1::11'], nlri: ['203.0.113.0/24'] });
  t.same(mu?.update?.mpUnreach, { afi: 2, safi: 1, withdrawn: ['2001:db8:5::/48'] });
  t.match(eor?.update, { withdrawnRoutesLength: 0, pathAttributesLength: 0, attributes: [], nlri: [] });
  t.same(shut?.notification, { code: 6, subcode: 2, data: '0568656c6c6f', shutdownCommunication: 'hello' });
  t.same(bad?.notification, { code: 2, subcode: 2, data: 'fde9' });
  t.same(borr?.routeRefresh, { afi: 2, subtype: 1, safi: 1 });
});

t.test('what tshark flags, and what only this helper flags', { skip }, async (t) => {
  const longUpdate = (total: number): string => {
    // /8 prefixes (2 bytes each) plus one /0 (1 byte) to hit the exact size
    let nlri = '';
    while (23 + bytesLen(nlri) + 2 <= total) nlri += '080a';
    if (23 + bytesLen(nlri) < total) nlri += '00';
    return update('', '', nlri);
  };
  const extOptParams = (() => {
    // RFC 9072: Non-Ext OP Len 255, Non-Ext OP Type 255, 2-octet Extended Opt. Parm. Length
    const caps = cap(1, '00010001');
    const param = '02' + hx(bytesLen(caps), 2) + caps;
    return msg(1, '04' + hx(65000, 2) + hx(90, 2) + 'c6120001' + 'ffff' + hx(bytesLen(param), 2) + param);
  })();
  const r = await tsharkDecodeBgp([
    MARKER + '0014' + '04', // length 20, 19 bytes given
    'fe' + KEEPALIVE.slice(2), // bad marker
    update('', '400101', ''), // ORIGIN attribute cut short
    KEEPALIVE + KEEPALIVE, // two PDUs in one input
    longUpdate(4096),
    longUpdate(4097), // RFC 8654 extended message size
    extOptParams,
    update('', attr(0xc0, 99, '0102'), ''), // unknown type 99 (tshark: old link-state code)
    update('', attr(0xc0, 200, '0102'), ''), // unknown type 200
  ]);
  const [short, marker, cut, two, max, ext, rfc9072, t99, t200] = r as [TsharkBgpPdu, ...TsharkBgpPdu[]];
  t.match(short, { flagged: true, malformed: false, expert: [], length: 20, inputLength: 19 }, 'tshark is silent; coverage check flags it');
  t.match(marker, { flagged: true, continuation: true, expert: [] });
  t.match(cut, { flagged: true, malformed: true });
  t.ok(cut?.expert.some((e) => e.severity === 'error' && /length is invalid/.test(e.message)));
  t.match(two, { flagged: true, pduCount: 2, coveredBytes: 38, extraPdus: [{ type: 4 }] });
  t.match(max, { flagged: false, length: 4096 });
  t.match(ext, { flagged: true, length: 4097 }, 'tshark 4.0 rejects messages > 4096 bytes');
  t.ok(ext?.expert.some((e) => /Length is invalid 4097/.test(e.message)));
  t.match(rfc9072, { flagged: true, malformed: true }, 'tshark 4.0 does not know RFC 9072 extended optional parameters');
  t.match(t99, { flagged: true, malformed: true }, 'attribute type 99 is dissected as link-state and fails');
  t.match(t200, { flagged: false, update: { attributes: [{ flags: 0xc0, typeCode: 200, length: 2 }] } });
});

t.test('AS number width and ADD-PATH are guesses', { skip }, async (t) => {
  // AS_PATH that parses both ways: 2-octet [65100 65200] {64512} or 4-octet [0xfe4cfeb0 0x0101fc00]
  const ambiguous = update('', attr(0x40, 1, '00') + attr(0x40, 2, '0202fe4cfeb00101fc00') + attr(0x40, 3, 'c612010b'), '18cb0071');
  const plainLooksAddPath = update('', attr(0x40, 1, '00') + attr(0x40, 2, '') + attr(0x40, 3, 'c612010b'), '00000000080a');
  const addPath = update('', attr(0x40, 1, '00') + attr(0x40, 2, '') + attr(0x40, 3, 'c612010b'), '0000000118cb0071' + '0000000218cb0071');
  const [auto, looks, ap] = await tsharkDecodeBgp([ambiguous, plainLooksAddPath, addPath]);
  t.same(auto?.update?.asPath, [
    { type: 2, length: 2, asns: [65100, 65200], asnOctets: 2 },
    { type: 1, length: 1, asns: [64512], asnOctets: 2 },
  ], 'auto-detect prefers 2-octet ASNs');
  // four 0/0 prefixes + 10/8 without ADD-PATH; tshark prefers path id 0 + 10/8
  t.same(looks?.update?.nlri, ['10.0.0.0/8']);
  t.same(looks?.update?.nlriPathIds, [0]);
  t.same(ap?.update?.nlri, ['203.0.113.0/24', '203.0.113.0/24']);
  t.same(ap?.update?.nlriPathIds, [1, 2]);
  const [four] = await tsharkDecodeBgp([ambiguous], { asnLen: 4 });
  t.same(four?.update?.asPath, [{ type: 2, length: 2, asns: [0xfe4cfeb0, 0x0101fc00], asnOctets: 4 }], 'asnLen 4 pins it');
});

t.test('every PDU captured from the lab daemons', { skip }, async (t) => {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'vectors', 'captured');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.txt')).sort() : [];
  if (files.length === 0) {
    t.pass('no captured vectors (run scripts/lab/capture.sh)');
    return;
  }
  const rows: { file: string; src: string; typeName: string; hex: string }[] = [];
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const [src, typeName, hex] = line.split(' ');
      if (src === undefined || typeName === undefined || hex === undefined) t.fail(`${file}: bad line ${line}`);
      else rows.push({ file, src, typeName, hex });
    }
  }
  const r = await tsharkDecodeBgp(rows.map((x) => x.hex));
  let flagged = 0;
  r.forEach((p, i) => {
    const row = rows[i];
    if (row === undefined) return;
    if (p.typeName !== row.typeName || p.pduCount !== 1 || p.coveredBytes !== p.inputLength) {
      t.fail(`${row.file} line ${i}: tshark saw ${p.typeName} x${p.pduCount}`);
    }
    if (!p.flagged) return;
    flagged++;
    // known: ExaBGP puts text, not the 2-octet AS, into its Bad Peer AS NOTIFICATION data
    const exabgpText = row.file === 'frr-exabgp-bad-peer-as.txt' && p.notification?.code === 2 && p.notification.subcode === 2;
    t.ok(exabgpText, `${row.file}: ${row.typeName} flagged: ${JSON.stringify(p.expert)}`);
  });
  t.ok(rows.length > 100, `${rows.length} captured PDUs, ${flagged} flagged (expected ones only)`);
});
