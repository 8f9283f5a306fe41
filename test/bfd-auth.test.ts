/**
 * BFD authentication (src/bfd/auth.ts). Expected digests are computed here with node:crypto
 * straight from RFC 5880 s6.7.3/s6.7.4 (packet with the key, NUL-padded, in the digest field),
 * independently of auth.ts, and must also equal the digests stored in the vectors.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import {
  checkAuthSequence,
  INITIAL_AUTH_SEQ_STATE,
  isMeticulous,
  signBfdControl,
  verifyBfdAuth,
  type BfdAuthSeqState,
} from '../src/bfd/auth.js';
import { decodeBfdControl, encodeBfdControl, type BfdControlPacket } from '../src/bfd/packet.js';
import { BfdStateCode } from '../src/bfd/iana.js';

interface ControlVector {
  name: string;
  hex: string;
  key?: string;
  decoded: { auth?: { type: number } };
}
const control = JSON.parse(
  readFileSync(new URL('./vectors/bfd/control.json', import.meta.url), 'utf8'),
) as ControlVector[];
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

const digestVectors = control.filter((v) => (v.decoded.auth?.type ?? 0) >= 2);
const passwordVectors = control.filter((v) => v.decoded.auth?.type === 1);

/** RFC 5880 s6.7.3/s6.7.4 done by hand: key at offset 32, NUL-padded to the digest size. */
function expectedDigest(wire: Uint8Array, type: number, key: Uint8Array): string {
  const size = type <= 3 ? 16 : 20;
  const work = Uint8Array.from(wire);
  for (let i = 0; i < size; i++) work[32 + i] = i < key.length ? key[i]! : 0;
  return createHash(type <= 3 ? 'md5' : 'sha1').update(work).digest('hex');
}

t.test('each digest Auth Type: vector digest = independent digest = signBfdControl', async (t: Test) => {
  t.equal(digestVectors.length, 4, 'types 2, 3, 4, 5');
  for (const v of digestVectors) {
    const wire = bytes(v.hex);
    const p = decodeBfdControl(wire);
    const type = p.auth!.type;
    const key = ascii(v.key!);
    t.equal(hex(wire.subarray(32)), expectedDigest(wire, type, key), `${v.name}: stored digest is the RFC digest`);
    t.equal(hex(signBfdControl(p, key)), v.hex, `${v.name}: signBfdControl reproduces the vector`);
    const zeroed = { ...p, auth: { ...p.auth!, digest: new Uint8Array(type <= 3 ? 16 : 20) } } as BfdControlPacket;
    t.equal(hex(signBfdControl(zeroed, key)), v.hex, `${v.name}: input digest is ignored when signing`);
    t.same(verifyBfdAuth(wire, p, key), { ok: true }, `${v.name}: verifies`);
    const wrongKey = Uint8Array.from(key);
    wrongKey[0] = wrongKey[0]! ^ 1;
    t.same(verifyBfdAuth(wire, p, wrongKey), { ok: false, reason: 'BAD_DIGEST' }, `${v.name}: wrong key`);
    t.same(verifyBfdAuth(wire, p, key.subarray(0, key.length - 1)), { ok: false, reason: 'BAD_DIGEST' }, `${v.name}: truncated key`);
    for (const at of [0, 2, 11, 28, 31, wire.length - 1]) {
      const tampered = Uint8Array.from(wire);
      tampered[at] = tampered[at]! ^ (at === 0 ? 0x01 : 0x80);
      const tp = decodeBfdControl(tampered);
      t.same(verifyBfdAuth(tampered, tp, key), { ok: false, reason: 'BAD_DIGEST' }, `${v.name}: octet ${at} flipped`);
    }
    t.equal(isMeticulous(type), type === 3 || type === 5, `${v.name}: meticulous flag`);
  }
});

t.test('digest covers the received Reserved octet, not a re-encoding', async (t: Test) => {
  const v = digestVectors.find((x) => x.name === 'keyed-md5')!;
  const key = ascii(v.key!);
  const wire = bytes(v.hex);
  wire[27] = 0x11;
  const digest = expectedDigest(wire, 2, key);
  wire.set(bytes(digest), 32);
  const p = decodeBfdControl(wire);
  t.same(verifyBfdAuth(wire, p, key), { ok: true });
});

t.test('simple password', async (t: Test) => {
  t.equal(passwordVectors.length, 3);
  for (const v of passwordVectors) {
    const wire = bytes(v.hex);
    const p = decodeBfdControl(wire);
    t.same(verifyBfdAuth(wire, p, ascii(v.key!)), { ok: true }, `${v.name}: right password`);
    const other = ascii(v.key!);
    other[0] = other[0]! ^ 0x20;
    t.same(verifyBfdAuth(wire, p, other), { ok: false, reason: 'BAD_PASSWORD' }, `${v.name}: other password`);
    t.equal(hex(signBfdControl(p)), v.hex, `${v.name}: signBfdControl needs no key for a password`);
  }
  const p = decodeBfdControl(bytes(passwordVectors[0]!.hex));
  t.same(verifyBfdAuth(bytes(passwordVectors[0]!.hex), p, ascii('secret1')), { ok: false, reason: 'BAD_PASSWORD' }, 'prefix is not enough');
});

t.test('keys and missing authentication', async (t: Test) => {
  const plain = control.find((v) => v.name === 'up-poll')!;
  const pp = decodeBfdControl(bytes(plain.hex));
  t.same(verifyBfdAuth(bytes(plain.hex), pp, ascii('k')), { ok: false, reason: 'AUTH_MISSING' });
  t.equal(hex(signBfdControl(pp)), plain.hex, 'unauthenticated packet signs to its encoding');
  const md5 = decodeBfdControl(bytes(digestVectors[0]!.hex));
  const sha = decodeBfdControl(bytes(digestVectors[2]!.hex));
  t.throws(() => signBfdControl(md5), { name: 'BfdError', code: 'ERR_BFD_INVALID_KEY' }, 'no key');
  t.throws(() => signBfdControl(md5, new Uint8Array(0)), { code: 'ERR_BFD_INVALID_KEY' }, 'empty key');
  t.throws(() => signBfdControl(md5, new Uint8Array(17)), { code: 'ERR_BFD_INVALID_KEY' }, 'MD5 key > 16');
  t.throws(() => signBfdControl(sha, new Uint8Array(21)), { code: 'ERR_BFD_INVALID_KEY' }, 'SHA1 key > 20');
  t.ok(signBfdControl(sha, new Uint8Array(20).fill(1)), 'SHA1 key of 20');
  t.throws(() => verifyBfdAuth(bytes(digestVectors[0]!.hex), md5, new Uint8Array(17)), { code: 'ERR_BFD_INVALID_KEY' });
  t.throws(
    () => signBfdControl({ ...md5, yourDiscriminator: 0, state: BfdStateCode.UP }, ascii('k')),
    { code: 'ERR_BFD_INVALID_FIELD' },
    'field rules still apply when signing',
  );
  const signed = signBfdControl({ ...md5, poll: true }, ascii('abc'));
  t.same(verifyBfdAuth(signed, decodeBfdControl(signed), ascii('abc')), { ok: true }, 'sign then verify');
  t.not(hex(signed), hex(encodeBfdControl({ ...md5, poll: true })), 'digest was replaced');
});

t.test('sequence window (RFC 5880 s6.7.3/s6.7.4)', async (t: Test) => {
  const at = (n: number): BfdAuthSeqState => ({ known: true, lastReceived: n });
  const first = checkAuthSequence(INITIAL_AUTH_SEQ_STATE, 12345, true, 3);
  t.same(first, { accept: true, next: at(12345) }, 'unknown: anything accepted, becomes known');
  // keyed: L .. L + 3*mult
  t.ok(checkAuthSequence(at(100), 100, false, 3).accept, 'keyed: same sequence');
  t.ok(checkAuthSequence(at(100), 109, false, 3).accept, 'keyed: L+9');
  t.notOk(checkAuthSequence(at(100), 110, false, 3).accept, 'keyed: L+10');
  t.notOk(checkAuthSequence(at(100), 99, false, 3).accept, 'keyed: L-1');
  // meticulous: L+1 .. L + 3*mult
  t.notOk(checkAuthSequence(at(100), 100, true, 3).accept, 'meticulous: same sequence');
  t.ok(checkAuthSequence(at(100), 101, true, 3).accept, 'meticulous: L+1');
  t.ok(checkAuthSequence(at(100), 109, true, 3).accept, 'meticulous: L+9');
  t.notOk(checkAuthSequence(at(100), 110, true, 3).accept, 'meticulous: L+10');
  // wrap around 2^32
  t.same(checkAuthSequence(at(0xfffffffe), 1, true, 1), { accept: true, next: at(1) }, 'wraps: L+3');
  t.notOk(checkAuthSequence(at(0xfffffffe), 2, true, 1).accept, 'wraps: L+4 outside with mult 1');
  t.notOk(checkAuthSequence(at(1), 0xffffffff, false, 255).accept, 'behind across the wrap');
  t.ok(checkAuthSequence(at(0), 765, false, 255).accept, 'window of 3*255');
  t.notOk(checkAuthSequence(at(0), 766, false, 255).accept, 'beyond 3*255');
  const rej = checkAuthSequence(at(100), 50, false, 3);
  t.equal(rej.accept, false);
  t.same(rej.next, at(100), 'reject keeps the state');
  if (!rej.accept) t.match(rej.detail, /outside 100\.\.109/);
  t.throws(() => checkAuthSequence(at(0), 1, false, 0), { code: 'ERR_BFD_INVALID_ARGUMENT' });
  t.throws(() => checkAuthSequence(at(0), 2 ** 32, false, 3), { code: 'ERR_BFD_INVALID_ARGUMENT' });
});
