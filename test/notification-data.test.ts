import t from 'tap';
import { fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { decodeHardReset, encodeHardReset } from '../src/bgp/codec/hard-reset.js';
import {
  buildNotification,
  decodeMaxPrefixesData,
  decodeNotification,
  encodeMaxPrefixesData,
  encodeNotification,
} from '../src/bgp/codec/notification.js';
import { decodeShutdownCommunication, encodeShutdownCommunication } from '../src/bgp/codec/shutdown-communication.js';
import { notificationFromJson, notificationToJson } from '../src/bgp/json/notification.js';
import { expectBgpError } from './helpers/assert.js';

// NOTIFICATION data formats: RFC 9003 Shutdown Communication, RFC 8538 Hard Reset, RFC 4486 s4.

t.test('shutdown communication length boundaries', async (t) => {
  for (const n of [0, 1, 128, 255]) {
    const data = encodeShutdownCommunication('a'.repeat(n));
    t.equal(data.length, n + 1, `${n} octets encode`);
    t.equal(data[0], n);
    t.same(decodeShutdownCommunication(data), { message: 'a'.repeat(n), rest: new Uint8Array(0) }, `${n} octets round trip`);
  }
  const e = expectBgpError(t, () => encodeShutdownCommunication('a'.repeat(256)), 'ERR_BGP_SHUTDOWN_COMMUNICATION_TOO_LONG');
  t.match(e?.message, /256 octets/, 'says how many octets');
  // multi-byte characters ending exactly at the limit, and one octet over it
  for (const [ch, width] of [['é', 2], ['€', 3], ['🛠', 4]] as const) {
    const fits = 'x'.repeat(255 - width) + ch;
    t.equal(encodeShutdownCommunication(fits).length, 256, `${width}-octet character at octet 255 fits`);
    const d = decodeShutdownCommunication(encodeShutdownCommunication(fits));
    t.equal('message' in d && d.message, fits);
    const over = 'x'.repeat(256 - width) + ch;
    const err = expectBgpError(t, () => encodeShutdownCommunication(over), 'ERR_BGP_SHUTDOWN_COMMUNICATION_TOO_LONG', `${width}-octet over`);
    t.match(err?.message, /256 octets/);
  }
  // 128 characters of 2 octets: 256 octets, too long although only 128 characters
  expectBgpError(t, () => encodeShutdownCommunication('é'.repeat(128)), 'ERR_BGP_SHUTDOWN_COMMUNICATION_TOO_LONG', '128 x é');
  expectBgpError(t, () => encodeShutdownCommunication('a\uD800b'), 'ERR_BGP_SHUTDOWN_COMMUNICATION_INVALID', 'lone surrogate');
});

t.test('shutdown communication decoding never throws', async (t) => {
  const bad: [string, string][] = [
    ['', 'empty'],
    ['02c328', 'invalid continuation'],
    ['02e282', 'truncated 3-octet sequence'],
    ['02c0af', 'overlong encoding'],
    ['03eda080', 'UTF-16 surrogate encoded in UTF-8'],
    ['01ff', 'octet 0xff'],
    ['05616263', 'length overruns the data'],
    ['ff', 'length 255, nothing follows'],
  ];
  for (const [hex, what] of bad) {
    const r = decodeShutdownCommunication(fromHex(hex));
    t.ok('error' in r, what);
    if ('error' in r) t.type(r.error, 'string');
  }
  const r = decodeShutdownCommunication(fromHex('0568656c6c6fdeadbeef'));
  t.same(r, { message: 'hello', rest: fromHex('deadbeef') }, 'rest after the text');
  const bom = fromHex('04efbbbf41');
  const withBom = decodeShutdownCommunication(bom);
  t.ok('message' in withBom && withBom.message === '\uFEFFA', 'a leading BOM is kept in the text');
  if ('message' in withBom) t.same(encodeShutdownCommunication(withBom.message), bom, 'and encodes back to the same octets');
  t.same(encodeShutdownCommunication('hi', fromHex('0102')), fromHex('0268690102'), 'encode with rest');
});

t.test('hard reset', async (t) => {
  t.same(decodeHardReset(fromHex('0400')), { code: 4, subcode: 0, data: new Uint8Array(0) });
  t.ok('error' in decodeHardReset(fromHex('04')));
  t.ok('error' in decodeHardReset(new Uint8Array(0)));
  const inner = { code: 6, subcode: 2, data: encodeShutdownCommunication('going away') };
  const msg = buildNotification(6, 9, encodeHardReset(inner));
  const again = decodeNotification(encodeNotification(msg));
  const got = decodeHardReset(again.data);
  t.ok(!('error' in got) && got.code === 6 && got.subcode === 2, 'inner code and subcode');
  if (!('error' in got)) t.same(decodeShutdownCommunication(got.data), { message: 'going away', rest: new Uint8Array(0) }, 'inner text');
  const j = notificationToJson(again);
  t.equal(j.hardReset?.shutdownCommunication, 'going away');
  // Hard Reset inside a Hard Reset: one level of interpretation, bytes kept exactly
  const twice = buildNotification(6, 9, encodeHardReset({ code: 6, subcode: 9, data: fromHex('0400') }));
  const tj = notificationToJson(twice);
  t.same(tj.hardReset, { code: 6, subcode: 9, codeName: 'CEASE', subcodeName: 'HARD_RESET', data: '0400' });
  t.same(encodeNotification(notificationFromJson(JSON.parse(JSON.stringify(tj)))), encodeNotification(twice));
  expectBgpError(t, () => encodeHardReset({ code: 256, subcode: 0, data: new Uint8Array(0) }), 'ERR_BGP_VALUE_OUT_OF_RANGE');
  expectBgpError(t, () => encodeHardReset({ code: 4, subcode: -1, data: new Uint8Array(0) }), 'ERR_BGP_VALUE_OUT_OF_RANGE');
});

t.test('maximum prefixes data (RFC 4486 s4)', async (t) => {
  const d = { afi: 2, safi: 1, upperBound: 0xffffffff };
  t.same(decodeMaxPrefixesData(encodeMaxPrefixesData(d)), d);
  t.equal(toHex(encodeMaxPrefixesData({ afi: 1, safi: 1, upperBound: 1000 })), '000101000003e8');
  t.equal(decodeMaxPrefixesData(fromHex('0001')), undefined);
  expectBgpError(t, () => encodeMaxPrefixesData({ afi: 1, safi: 1, upperBound: 2 ** 32 }), 'ERR_BGP_VALUE_OUT_OF_RANGE');
});
