import t, { type Test } from 'tap';
import { fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { codecContext } from '../src/bgp/codec/context.js';
import { Framer } from '../src/bgp/codec/framer.js';
import { decodeHardReset } from '../src/bgp/codec/hard-reset.js';
import { checkHeader } from '../src/bgp/codec/header.js';
import {
  buildNotification,
  decodeMaxPrefixesData,
  decodeNotification,
  encodeNotification,
  notificationFromSpec,
  notificationName,
} from '../src/bgp/codec/notification.js';
import { decodeShutdownCommunication } from '../src/bgp/codec/shutdown-communication.js';
import { BgpError } from '../src/bgp/errors.js';
import { ERROR_CODE_NAMES, ERROR_CODE_TEXT, ERROR_SUBCODE_NAMES, ERROR_SUBCODE_TEXT } from '../src/bgp/iana/notification-codes.js';
import { notificationFromJson, notificationToJson } from '../src/bgp/json/notification.js';
import { mulberry32 } from '../src/testing/random-updates.js';
import { expectBgpError } from './helpers/assert.js';
import { contextOf, loadVectors, VECTOR_DIR, type Vector } from './helpers/vectors.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// every code and subcode assigned by RFC 4271 (+ Errata 4493), 4486, 5492, 6608, 7313, 8538, 9234, 9384, 9687
const ASSIGNED: Record<number, number[]> = {
  1: [0, 1, 2, 3],
  2: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  3: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  4: [0],
  5: [0, 1, 2, 3],
  6: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  7: [1],
  8: [0],
};

t.test('every assigned code and subcode has a JSON name and a text name', async (t) => {
  for (const [codeText, subs] of Object.entries(ASSIGNED)) {
    const code = Number(codeText);
    t.ok(ERROR_CODE_NAMES[code], `code ${code} JSON name`);
    t.ok(ERROR_CODE_TEXT[code], `code ${code} text`);
    for (const sub of subs) {
      t.ok(ERROR_SUBCODE_NAMES[code]?.[sub], `${code}/${sub} JSON name`);
      t.ok(ERROR_SUBCODE_TEXT[code]?.[sub], `${code}/${sub} text`);
      t.notMatch(notificationName(code, sub), /subcode \d/, `${code}/${sub} is named: ${notificationName(code, sub)}`);
    }
  }
  // the two tables name the same subcodes
  for (const [code, subs] of Object.entries(ERROR_SUBCODE_NAMES)) {
    t.same(Object.keys(subs).sort(), Object.keys(ERROR_SUBCODE_TEXT[Number(code)] ?? {}).sort(), `code ${code} tables agree`);
  }
  t.equal(notificationName(6, 2), 'Cease / Administrative Shutdown');
  t.equal(notificationName(6, 9), 'Cease / Hard Reset');
  t.equal(notificationName(6, 10), 'Cease / BFD Down');
  t.equal(notificationName(2, 11), 'OPEN Message Error / Role Mismatch');
  t.equal(notificationName(5, 1), 'Finite State Machine Error / Receive Unexpected Message in OpenSent State');
  t.equal(notificationName(7, 1), 'ROUTE-REFRESH Message Error / Invalid Message Length');
  t.equal(notificationName(4, 0), 'Hold Timer Expired');
  t.equal(notificationName(8, 0), 'Send Hold Timer Expired');
  t.equal(notificationName(8, 3), 'Send Hold Timer Expired / subcode 3');
  t.equal(notificationName(6, 42), 'Cease / subcode 42');
  t.equal(notificationName(9, 1), 'error code 9 / subcode 1');
});

t.test('encode and decode', async (t) => {
  const m = buildNotification(6, 4, utf8('\u0003abc'));
  t.equal(toHex(encodeNotification(m)), 'ffffffffffffffffffffffffffffffff0019030604' + '03616263');
  expectBgpError(t, () => buildNotification(256, 0), 'ERR_BGP_VALUE_OUT_OF_RANGE');
  expectBgpError(t, () => encodeNotification({ type: 'NOTIFICATION', code: 1.5, subcode: 0, data: new Uint8Array(0) }), 'ERR_BGP_VALUE_OUT_OF_RANGE');
  const long = buildNotification(3, 1, new Uint8Array(4096 - 21 + 1));
  expectBgpError(t, () => encodeNotification(long), 'ERR_BGP_MESSAGE_TOO_LONG');
  const wire = encodeNotification(long, codecContext({ extendedMessage: true }));
  t.equal(wire.length, 4097);
  expectBgpError(t, () => decodeNotification(wire), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'too long without extended messages');
  t.equal(decodeNotification(wire, codecContext({ extendedMessage: true })).data.length, 4076);
  const fit = buildNotification(3, 1, new Uint8Array(4096 - 21));
  t.equal(encodeNotification(fit).length, 4096, 'exactly 4096 fits');
  const spec = new BgpError('X', 'x', { notification: { code: 1, subcode: 2, data: fromHex('0012') } }).notification!;
  t.same(notificationFromSpec(spec), { type: 'NOTIFICATION', code: 1, subcode: 2, data: fromHex('0012') });
  // the decoded data is a copy: reusing the receive buffer does not change it
  const buf = encodeNotification(buildNotification(6, 2, fromHex('00')));
  const d = decodeNotification(buf);
  buf.fill(0);
  t.same(d.data, fromHex('00'));
  expectBgpError(t, () => decodeNotification(fromHex('ffffffffffffffffffffffffffffffff001304')), 'ERR_BGP_WRONG_MESSAGE_TYPE');
  expectBgpError(t, () => decodeNotification(fromHex('ffffffffffffffffffffffffffffffff00150306')), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'length field beyond buffer');
  expectBgpError(t, () => decodeNotification(fromHex('ffffffffffffffffffffffffffffffff0015030602ff')), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'buffer beyond length field');
  expectBgpError(t, () => decodeNotification(fromHex('ffffffff')), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'short all-0xff buffer');
  expectBgpError(t, () => decodeNotification(new Uint8Array(0)), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'empty buffer');
});

t.test('JSON reader', async (t) => {
  const enc = (j: unknown): string => toHex(encodeNotification(notificationFromJson(j)));
  const head = (len: number): string => `ffffffffffffffffffffffffffffffff${len.toString(16).padStart(4, '0')}03`;
  t.equal(enc({ type: 'NOTIFICATION', code: 6, subcode: 2, shutdownCommunication: 'hi' }), head(24) + '0602026869');
  t.equal(enc({ type: 'NOTIFICATION', codeName: 'CEASE', subcodeName: 'ADMINISTRATIVE_RESET' }), head(21) + '0604', 'names stand in for numbers');
  t.equal(enc({ type: 'NOTIFICATION', code: 6, subcode: 9, hardReset: { code: 4, subcode: 0 } }), head(23) + '06090400');
  t.equal(
    enc({ type: 'NOTIFICATION', code: 6, subcode: 9, hardReset: { codeName: 'CEASE', subcodeName: 'ADMINISTRATIVE_SHUTDOWN', shutdownCommunication: 'x' } }),
    head(25) + '0609060201' + '78',
  );
  t.equal(enc({ type: 'NOTIFICATION', code: 6, subcode: 1, maxPrefixes: { afi: 'ipv4', safi: 'unicast', upperBound: 10 } }), head(28) + '0601000101' + '0000000a');
  t.equal(enc({ type: 'NOTIFICATION', code: 6, subcode: 2, data: 'ff', shutdownCommunication: 'ignored' }), head(22) + '0602ff', 'data wins');
  t.equal(enc({ type: 'NOTIFICATION', code: 4, subcode: 0 }), head(21) + '0400', 'no data');
  const bad: [unknown, RegExp][] = [
    [{ type: 'NOTIFICATION', code: 6 }, /subcode: is missing/],
    [{ type: 'NOTIFICATION', subcode: 1 }, /code: is missing/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, codeName: 'HOLD_TIMER_EXPIRED' }, /codeName/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, subcodeName: 'ADMINISTRATIVE_RESET' }, /subcodeName/],
    [{ type: 'NOTIFICATION', codeName: 'NOPE', subcode: 0 }, /unknown error code name/],
    [{ type: 'NOTIFICATION', code: 256, subcode: 0 }, /code/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, colour: 'red' }, /colour: unknown field/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, data: 'xyz' }, /data/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 3, shutdownCommunication: 'x' }, /shutdownCommunication: only Cease subcodes 2 and 4/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, shutdownCommunication: 'x'.repeat(256) }, /shutdownCommunication: .*256 octets/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, shutdownCommunication: 1 }, /shutdownCommunication: expected a string/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 1, hardReset: { code: 4, subcode: 0 } }, /hardReset: only Cease subcode 9/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 9, hardReset: { code: 4 } }, /hardReset.subcode: is missing/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 9, hardReset: { code: 6, subcode: 9, hardReset: {} } }, /hardReset.hardReset: unknown field/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, maxPrefixes: { afi: 1, safi: 1, upperBound: 1 } }, /maxPrefixes: only Cease subcode 1/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 1, maxPrefixes: { afi: 1, safi: 1 } }, /maxPrefixes.upperBound/],
    [{ type: 'NOTIFICATION', code: 6, subcode: 2, shutdownCommunication: 'a', maxPrefixes: {} }, /only one of/],
    [{ type: 'KEEPALIVE' }, /type: expected "NOTIFICATION"/],
    [[], /expected an object/],
  ];
  for (const [j, re] of bad) {
    const e = expectBgpError(t, () => notificationFromJson(j), 'ERR_BGP_BAD_JSON', JSON.stringify(j).slice(0, 80));
    t.match(e?.message, re);
  }
});

t.test('vectors: notification-*', async (t) => {
  const vectors = loadVectors(VECTOR_DIR, 'notification-');
  t.ok(vectors.length >= 35, `${vectors.length} vectors`);
  for (const v of vectors) checkDecodedVector(t, v);
});

function checkDecodedVector(t: Test, v: Vector): void {
  const ctx = contextOf(v);
  const bytes = fromHex(v.hex);
  t.ok(v.decoded !== undefined, `${v.name} has decoded`);
  const m = decodeNotification(bytes, ctx);
  t.same(notificationToJson(m), v.decoded, `${v.name}: decode -> toJson`);
  t.equal(toHex(encodeNotification(notificationFromJson(v.decoded), ctx)), v.hex, `${v.name}: fromJson -> encode`);
  t.equal(toHex(encodeNotification(m, ctx)), v.hex, `${v.name}: decode -> encode`);
}

t.test('vectors: header-*', async (t) => {
  const vectors = loadVectors(VECTOR_DIR, 'header-');
  t.ok(vectors.length >= 10, `${vectors.length} vectors`);
  for (const v of vectors) {
    const ctx = contextOf(v);
    const max = ctx.extendedMessage ? 65535 : 4096;
    const bytes = fromHex(v.hex);
    if (v.error === undefined) {
      t.equal(checkHeader(bytes, 0, max).length, bytes.length, `${v.name}: header accepted`);
      checkDecodedVector(t, v);
      continue;
    }
    const e = expectBgpError(t, () => checkHeader(bytes, 0, max), v.error.code, `${v.name}: checkHeader`);
    t.equal(e?.offset, v.error.offset, `${v.name}: offset`);
    t.same(e && { ...e.notification, data: toHex(e.notification!.data) }, v.error.notification, `${v.name}: NOTIFICATION`);
    const f = new Framer({ maxMessageLength: max });
    f.push(bytes);
    expectBgpError(t, () => f.next(), v.error.code, `${v.name}: Framer`);
    if (bytes[18] === 3) expectBgpError(t, () => decodeNotification(bytes, ctx), v.error.code, `${v.name}: decodeNotification`);
  }
});

t.test('random bodies after a valid header only ever throw BgpError', async (t) => {
  const rand = mulberry32(0x4e07);
  let ok = 0;
  let rejected = 0;
  for (let i = 0; i < 3000; i++) {
    const bodyLength = Math.floor(rand() * 64);
    const msg = new Uint8Array(19 + bodyLength);
    msg.fill(0xff, 0, 16);
    // mostly the right length, sometimes a wrong one, sometimes a wrong type
    const claimed = rand() < 0.8 ? msg.length : Math.floor(rand() * 100);
    msg[16] = claimed >> 8;
    msg[17] = claimed & 255;
    msg[18] = rand() < 0.9 ? 3 : Math.floor(rand() * 8);
    for (let k = 19; k < msg.length; k++) msg[k] = Math.floor(rand() * 256);
    if (rand() < 0.05) msg[Math.floor(rand() * 16)] = Math.floor(rand() * 256);
    try {
      const m = decodeNotification(msg);
      ok++;
      const j = notificationToJson(m);
      if (toHex(encodeNotification(notificationFromJson(JSON.parse(JSON.stringify(j))))) !== toHex(msg)) t.fail(`round trip ${toHex(msg)}`);
    } catch (e) {
      rejected++;
      if (!(e instanceof BgpError)) t.fail(`non-BgpError for ${toHex(msg)}: ${String(e)}`);
    }
  }
  t.ok(ok > 1000 && rejected > 100, `${ok} decoded, ${rejected} rejected`);
  // random data fields given to the derived readers
  for (let i = 0; i < 3000; i++) {
    const data = new Uint8Array(Math.floor(rand() * 40)).map(() => Math.floor(rand() * 256));
    if (rand() < 0.5 && data.length > 0) data[0] = Math.floor(rand() * data.length);
    try {
      decodeShutdownCommunication(data);
      decodeHardReset(data);
      decodeMaxPrefixesData(data);
      for (const sub of [1, 2, 4, 9]) notificationToJson(buildNotification(6, sub, data));
    } catch (e) {
      t.fail(`data reader threw for ${toHex(data)}: ${String(e)}`);
    }
  }
});
