/**
 * BFD Control packet codec (src/bfd/packet.ts) against the hand-derived vectors in
 * test/vectors/bfd: decode matches the expected fields, encode gives the same bytes back, every
 * drop reason is produced by a vector, and the encoder refuses packets a receiver would drop.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  checkBfdControl,
  decodeBfdControl,
  encodeBfdControl,
  type BfdAuth,
  type BfdControlPacket,
} from '../src/bfd/packet.js';
import { BFD_DROP_REASONS, BfdError, isBfdError, type BfdDropReason } from '../src/bfd/errors.js';
import { BfdAuthType, BfdStateCode } from '../src/bfd/iana.js';

interface ControlVector {
  name: string;
  source: string;
  hex: string;
  decoded: Record<string, unknown>;
  key?: string;
  note: string;
}
interface DropVector {
  name: string;
  source: string;
  hex: string;
  drop: BfdDropReason;
  note: string;
}

const dir = new URL('./vectors/bfd/', import.meta.url);
const control = JSON.parse(readFileSync(new URL('control.json', dir), 'utf8')) as ControlVector[];
const drops = JSON.parse(readFileSync(new URL('drop.json', dir), 'utf8')) as DropVector[];

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** The packet as the vector files write it: byte fields as hex. */
function toJson(p: BfdControlPacket): Record<string, unknown> {
  const { auth, ...rest } = p;
  if (auth === undefined) return { ...rest };
  const a: Record<string, unknown> =
    auth.type === BfdAuthType.SIMPLE_PASSWORD
      ? { type: auth.type, keyId: auth.keyId, password: hex(auth.password) }
      : { type: auth.type, keyId: auth.keyId, sequence: auth.sequence, digest: hex(auth.digest) };
  return { ...rest, auth: a };
}

function fromJson(o: Record<string, unknown>): BfdControlPacket {
  const { auth, ...rest } = o as Record<string, unknown> & { auth?: Record<string, unknown> };
  const p = rest as unknown as BfdControlPacket;
  if (auth === undefined) return p;
  const a = (
    auth['password'] !== undefined
      ? { ...auth, password: bytes(auth['password'] as string) }
      : { ...auth, digest: bytes(auth['digest'] as string) }
  ) as unknown as BfdAuth;
  return { ...p, auth: a };
}

const base: BfdControlPacket = {
  diag: 0,
  state: BfdStateCode.UP,
  poll: false,
  final: false,
  controlPlaneIndependent: false,
  demand: false,
  detectMult: 3,
  myDiscriminator: 1,
  yourDiscriminator: 2,
  desiredMinTxInterval: 1000000,
  requiredMinRxInterval: 1000000,
  requiredMinEchoRxInterval: 0,
};

t.test('well-formed vectors decode to the expected fields and re-encode byte-identically', async (t: Test) => {
  t.ok(control.length >= 12, 'vector file loaded');
  for (const v of control) {
    const r = checkBfdControl(bytes(v.hex));
    if (!r.ok) {
      t.fail(`${v.name}: dropped as ${r.reason} (${r.detail})`);
      continue;
    }
    t.equal(r.length, v.hex.length / 2, `${v.name}: Length covers the vector`);
    t.same(toJson(r.packet), v.decoded, `${v.name}: decoded fields`);
    t.equal(hex(encodeBfdControl(r.packet)), v.hex, `${v.name}: decode/encode round trip`);
    t.equal(hex(encodeBfdControl(fromJson(v.decoded))), v.hex, `${v.name}: encode of the expected fields`);
    t.same(decodeBfdControl(bytes(v.hex)), r.packet, `${v.name}: decodeBfdControl agrees`);
  }
});

t.test('every drop reason is covered by a vector and reported by name', async (t: Test) => {
  const seen = new Set<string>();
  for (const v of drops) {
    const r = checkBfdControl(bytes(v.hex));
    t.notOk(r.ok, `${v.name}: dropped`);
    if (r.ok) continue;
    t.equal(r.reason, v.drop, `${v.name}: ${v.note} -> ${r.detail}`);
    t.type(r.detail, 'string');
    t.ok(r.detail.length > 0, `${v.name}: detail given`);
    seen.add(r.reason);
    try {
      decodeBfdControl(bytes(v.hex));
      t.fail(`${v.name}: decodeBfdControl must throw`);
    } catch (e) {
      t.ok(isBfdError(e), `${v.name}: BfdError`);
      const err = e as BfdError;
      t.equal(err.code, 'ERR_BFD_DROPPED');
      t.equal(err.reason, v.drop);
      t.equal(err.rfc, BFD_DROP_REASONS[v.drop]);
      t.same(err.toJSON(), { error: 'ERR_BFD_DROPPED', message: err.message, reason: v.drop, rfc: err.rfc });
    }
  }
  t.same([...seen].sort(), Object.keys(BFD_DROP_REASONS).sort(), 'all reasons covered');
});

t.test('reception details', async (t: Test) => {
  const good = encodeBfdControl(base);
  const padded = new Uint8Array(30);
  padded.set(good);
  padded.fill(0xee, 24);
  const r = checkBfdControl(padded);
  t.ok(r.ok, 'octets after Length are ignored');
  if (r.ok) {
    t.equal(r.length, 24);
    t.same(r.packet, base);
  }
  // s6.8.6 order: version before length, length before detect mult
  const v2short = Uint8Array.from([0x40]);
  t.match(checkBfdControl(v2short), { ok: false, reason: 'BAD_VERSION' });
  const both = Uint8Array.from(good);
  both[2] = 0;
  both[1] = both[1]! | 1;
  t.match(checkBfdControl(both), { ok: false, reason: 'ZERO_DETECT_MULT' }, 'first failing check wins');
  // Reserved octet of MD5/SHA1 sections is ignored on receipt (s4.3/s4.4)
  const md5 = control.find((v) => v.name === 'keyed-md5')!;
  const b = bytes(md5.hex);
  b[27] = 0x5a;
  const m = checkBfdControl(b);
  t.ok(m.ok, 'non-zero Reserved accepted');
  if (m.ok) t.equal(hex(encodeBfdControl(m.packet)), md5.hex, 'and re-encoded as 0');
  // Down/AdminDown may carry Your Discriminator 0; a non-zero one is fine in any state
  for (const state of [BfdStateCode.ADMIN_DOWN, BfdStateCode.DOWN, BfdStateCode.INIT, BfdStateCode.UP]) {
    t.ok(checkBfdControl(encodeBfdControl({ ...base, state })).ok, `state ${state} with Your Discriminator 2`);
  }
  // decode returns copies: mutating input does not change the decoded password
  const pw = control.find((v) => v.name === 'simple-password-8')!;
  const pb = bytes(pw.hex);
  const p = decodeBfdControl(pb);
  pb[27] = 0;
  t.equal(Buffer.from((p.auth as { password: Uint8Array }).password).toString(), 'secret12');
});

t.test('encoder refuses packets that break field rules', async (t: Test) => {
  const bad: [string, BfdControlPacket][] = [
    ['diag 32', { ...base, diag: 32 }],
    ['diag -1', { ...base, diag: -1 }],
    ['state 4', { ...base, state: 4 as never }],
    ['detectMult 0', { ...base, detectMult: 0 }],
    ['detectMult 256', { ...base, detectMult: 256 }],
    ['myDiscriminator 0', { ...base, myDiscriminator: 0 }],
    ['myDiscriminator 2^32', { ...base, myDiscriminator: 2 ** 32 }],
    ['yourDiscriminator 0 in Up', { ...base, yourDiscriminator: 0 }],
    ['yourDiscriminator 0 in Init', { ...base, state: BfdStateCode.INIT, yourDiscriminator: 0 }],
    ['interval 1.5', { ...base, desiredMinTxInterval: 1.5 }],
    ['requiredMinRxInterval -1', { ...base, requiredMinRxInterval: -1 }],
    ['requiredMinEchoRxInterval 2^32', { ...base, requiredMinEchoRxInterval: 2 ** 32 }],
    ['poll and final', { ...base, poll: true, final: true }],
    ['empty password', { ...base, auth: { type: 1, keyId: 1, password: new Uint8Array(0) } }],
    ['17-octet password', { ...base, auth: { type: 1, keyId: 1, password: new Uint8Array(17) } }],
    ['keyId 256', { ...base, auth: { type: 1, keyId: 256, password: new Uint8Array(1) } }],
    ['MD5 digest of 20', { ...base, auth: { type: 2, keyId: 1, sequence: 0, digest: new Uint8Array(20) } }],
    ['SHA1 digest of 16', { ...base, auth: { type: 5, keyId: 1, sequence: 0, digest: new Uint8Array(16) } }],
    ['sequence 2^32', { ...base, auth: { type: 3, keyId: 1, sequence: 2 ** 32, digest: new Uint8Array(16) } }],
    ['auth type 6', { ...base, auth: { type: 6, keyId: 1, sequence: 0, digest: new Uint8Array(16) } as never }],
  ];
  for (const [name, p] of bad) {
    t.throws(() => encodeBfdControl(p), { name: 'BfdError', code: 'ERR_BFD_INVALID_FIELD' }, name);
  }
  t.ok(encodeBfdControl({ ...base, state: BfdStateCode.DOWN, yourDiscriminator: 0 }), 'Down with 0 is fine');
});

t.test('property: whatever the encoder accepts, the receiver accepts and decodes back', async (t: Test) => {
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const auth: fc.Arbitrary<BfdAuth | undefined> = fc.oneof(
    fc.constant(undefined),
    fc.record({
      type: fc.constant(BfdAuthType.SIMPLE_PASSWORD),
      keyId: fc.integer({ min: 0, max: 255 }),
      password: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    }),
    fc.record({
      type: fc.constantFrom(BfdAuthType.KEYED_MD5, BfdAuthType.METICULOUS_KEYED_MD5),
      keyId: fc.integer({ min: 0, max: 255 }),
      sequence: u32,
      digest: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    }),
    fc.record({
      type: fc.constantFrom(BfdAuthType.KEYED_SHA1, BfdAuthType.METICULOUS_KEYED_SHA1),
      keyId: fc.integer({ min: 0, max: 255 }),
      sequence: u32,
      digest: fc.uint8Array({ minLength: 20, maxLength: 20 }),
    }),
  );
  const packet = fc
    .record({
      diag: fc.integer({ min: 0, max: 31 }),
      state: fc.constantFrom(BfdStateCode.ADMIN_DOWN, BfdStateCode.DOWN, BfdStateCode.INIT, BfdStateCode.UP),
      pf: fc.constantFrom([false, false], [true, false], [false, true]),
      controlPlaneIndependent: fc.boolean(),
      demand: fc.boolean(),
      detectMult: fc.integer({ min: 1, max: 255 }),
      myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
      yourDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
      desiredMinTxInterval: u32,
      requiredMinRxInterval: u32,
      requiredMinEchoRxInterval: u32,
      auth,
    })
    .map(({ pf, auth: a, ...rest }): BfdControlPacket => ({
      ...rest,
      poll: pf[0]!,
      final: pf[1]!,
      ...(a === undefined ? {} : { auth: a }),
    }));
  fc.assert(
    fc.property(packet, (p) => {
      const wire = encodeBfdControl(p);
      const r = checkBfdControl(wire);
      return r.ok && r.length === wire.length && hex(encodeBfdControl(r.packet)) === hex(wire);
    }),
    { numRuns: 500 },
  );
  t.pass('500 random packets round-trip');
});

t.test('property: random bytes never throw from checkBfdControl', async (t: Test) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const r = checkBfdControl(b);
      return r.ok ? hex(encodeBfdControl(r.packet)).length > 0 : typeof BFD_DROP_REASONS[r.reason] === 'string';
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 random payloads');
});
