import t from 'tap';
import { fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { codecContext } from '../src/bgp/codec/context.js';
import { decodeKeepalive, encodeKeepalive } from '../src/bgp/codec/keepalive.js';
import { BgpError } from '../src/bgp/errors.js';
import { keepaliveFromJson, keepaliveToJson } from '../src/bgp/json/keepalive.js';
import { expectBgpError } from './helpers/assert.js';
import { contextOf, loadVectors, VECTOR_DIR } from './helpers/vectors.js';

const KA = 'ffffffffffffffffffffffffffffffff001304';

t.test('encode and decode', async (t) => {
  const a = encodeKeepalive();
  t.equal(toHex(a), KA);
  a[0] = 0;
  t.equal(toHex(encodeKeepalive()), KA, 'a fresh array each call');
  t.same(decodeKeepalive(fromHex(KA)), { type: 'KEEPALIVE' });
  t.same(decodeKeepalive(fromHex(KA), codecContext({ extendedMessage: true })), { type: 'KEEPALIVE' });
});

t.test('bad KEEPALIVEs are BgpErrors', async (t) => {
  const e = expectBgpError(t, () => decodeKeepalive(fromHex('ffffffffffffffffffffffffffffffff00140400')), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'length 20');
  t.same(e?.notification && toHex(e.notification.data), '0014');
  t.equal(e?.offset, 16);
  expectBgpError(t, () => decodeKeepalive(fromHex('ffffffffffffffffffffffffffffffff001404')), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'length field beyond buffer');
  expectBgpError(t, () => decodeKeepalive(fromHex(KA + '00')), 'ERR_BGP_BAD_MESSAGE_LENGTH', 'buffer beyond length field');
  expectBgpError(t, () => decodeKeepalive(fromHex('ffffffffffffffffffffffffffffffff00170500010001')), 'ERR_BGP_WRONG_MESSAGE_TYPE');
  const m = expectBgpError(t, () => decodeKeepalive(fromHex('ffffffffffffffffff7fffffffffffff001304')), 'ERR_BGP_BAD_MARKER');
  t.equal(m?.offset, 9);
  // every truncation of a KEEPALIVE, including all-0xff prefixes (must not read past the end)
  for (let n = 0; n < 19; n++) expectBgpError(t, () => decodeKeepalive(fromHex(KA).subarray(0, n)), 'ERR_BGP_BAD_MESSAGE_LENGTH', `${n} octets`);
});

t.test('JSON', async (t) => {
  t.same(keepaliveToJson({ type: 'KEEPALIVE' }), { type: 'KEEPALIVE' });
  t.same(keepaliveFromJson({ type: 'KEEPALIVE' }), { type: 'KEEPALIVE' });
  const a = expectBgpError(t, () => keepaliveFromJson({ type: 'KEEPALIVE', data: '' }, 'm'), 'ERR_BGP_BAD_JSON');
  t.match(a?.message, /^m\.data: unknown field/);
  const b = expectBgpError(t, () => keepaliveFromJson({ type: 'OPEN' }), 'ERR_BGP_BAD_JSON');
  t.match(b?.message, /^type: expected "KEEPALIVE"/);
  expectBgpError(t, () => keepaliveFromJson(null), 'ERR_BGP_BAD_JSON');
});

t.test('vectors: keepalive-*', async (t) => {
  const vectors = loadVectors(VECTOR_DIR, 'keepalive-');
  t.ok(vectors.length >= 1, `${vectors.length} vectors`);
  for (const v of vectors) {
    t.equal(`${v.name}.json`, v.file, 'name matches the file');
    const ctx = contextOf(v);
    t.same(keepaliveToJson(decodeKeepalive(fromHex(v.hex), ctx)), v.decoded, `${v.name}: decode -> toJson`);
    t.equal(toHex(encodeKeepalive()), v.hex, `${v.name}: fromJson -> encode`);
    keepaliveFromJson(v.decoded);
  }
});

t.test('random bytes after a valid marker only ever throw BgpError', async (t) => {
  let seed = 0x4271;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) / 16777216;
  };
  let rejected = 0;
  for (let i = 0; i < 2000; i++) {
    const msg = new Uint8Array(Math.floor(rand() * 24));
    msg.fill(0xff, 0, 16);
    for (let k = 16; k < msg.length; k++) msg[k] = rand() < 0.5 ? Math.floor(rand() * 256) : [0, 19, 4][k - 16] ?? 0;
    try {
      decodeKeepalive(msg);
    } catch (e) {
      rejected++;
      if (!(e instanceof BgpError)) t.fail(`non-BgpError for ${toHex(msg)}: ${String(e)}`);
    }
  }
  t.ok(rejected > 0, `${rejected} rejected`);
});
