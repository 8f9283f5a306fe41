/**
 * Property tests (fast-check, fixed seeds so runs are repeatable):
 * - generated well-formed messages satisfy decode(encode(m)) == m, and re-encoding is
 *   byte-identical;
 * - random and mutated bytes only ever give a value or the library's BgpError.
 */
import t from 'tap';
import fc from 'fast-check';
import { codecContext } from '../src/bgp/codec/context.js';
import { decodeMessage, encodeMessage } from '../src/bgp/codec/message.js';
import { toHex } from '../src/bgp/codec/bytes.js';
import { messageFromJson, messageToJson } from '../src/bgp/json/message.js';
import { BgpError } from '../src/bgp/errors.js';
import { ctxArb, notificationArb, openArb, routeRefreshArb, updateArb, type Ctx } from './helpers/arbitraries.js';

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
const RUNS = Number(process.env.PROPERTY_RUNS ?? 400);

function roundTrip(c: Ctx, json: Record<string, unknown>): boolean {
  const ctx = codecContext(c);
  const m = messageFromJson(json);
  let bytes: Uint8Array;
  try {
    bytes = encodeMessage(m, ctx);
  } catch (e) {
    // a generated message may exceed 4096 octets: that must be the typed size error, nothing else
    if (e instanceof BgpError && e.code === 'ERR_BGP_MESSAGE_TOO_LONG') return true;
    throw e;
  }
  const back = decodeMessage(bytes, ctx);
  const want = plain(messageToJson(m, ctx));
  const got = plain(messageToJson(back, ctx));
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`decode(encode(m)) differs:\n want ${JSON.stringify(want)}\n got  ${JSON.stringify(got)}`);
  if (toHex(encodeMessage(back, ctx)) !== toHex(bytes)) throw new Error('re-encoding is not byte-identical');
  return true;
}

t.test('UPDATE: decode(encode(m)) == m in every codec context', async (t) => {
  fc.assert(fc.property(ctxArb.chain((c) => fc.tuple(fc.constant(c), updateArb(c))), ([c, u]) => roundTrip(c, u)), { seed: 42, numRuns: RUNS });
  t.pass();
});

t.test('OPEN, NOTIFICATION, ROUTE-REFRESH round trip', async (t) => {
  const c = { fourOctetAs: true, addPath: [] };
  fc.assert(fc.property(fc.oneof(openArb, notificationArb, routeRefreshArb), (m) => roundTrip(c, m)), { seed: 7, numRuns: RUNS });
  t.pass();
});

/** Decoding must return a value or throw BgpError: never TypeError/RangeError. */
function total(bytes: Uint8Array, c: Ctx): boolean {
  try {
    decodeMessage(bytes, codecContext(c));
  } catch (e) {
    if (!(e instanceof BgpError)) throw new Error(`untyped ${String(e)} for ${toHex(bytes)}`);
  }
  return true;
}

const header = (type: number, body: Uint8Array): Uint8Array => {
  const out = new Uint8Array(19 + body.length);
  out.fill(0xff, 0, 16);
  out[16] = out.length >> 8;
  out[17] = out.length & 255;
  out[18] = type;
  out.set(body, 19);
  return out;
};

t.test('random bytes: a value or BgpError', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), ctxArb, (b, c) => total(b, c)), { seed: 1, numRuns: 3000 });
  fc.assert(fc.property(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 300 }), ctxArb, (type, body, c) => total(header(type, body), c)), { seed: 2, numRuns: 20000 });
  t.pass();
});

t.test('mutated well-formed messages: a value or BgpError', async (t) => {
  const anyMessage = ctxArb.chain((c) => fc.tuple(fc.constant(c), fc.oneof(updateArb(c), openArb, notificationArb, routeRefreshArb)));
  const mutation = fc.array(fc.tuple(fc.nat(), u8b()), { minLength: 1, maxLength: 6 });
  fc.assert(
    fc.property(anyMessage, mutation, fc.boolean(), ([c, json], muts, keepLength) => {
      let bytes: Uint8Array;
      try {
        bytes = encodeMessage(messageFromJson(json), codecContext(c));
      } catch {
        return true; // too long for 4096 octets: nothing to mutate
      }
      const b = Uint8Array.from(bytes);
      for (const [pos, val] of muts) {
        const i = 16 + (pos % (b.length - 16)); // leave the marker mostly intact so bodies get parsed
        b[i] = val;
      }
      if (keepLength) {
        b[16] = b.length >> 8;
        b[17] = b.length & 255;
      }
      return total(b, c);
    }),
    { seed: 3, numRuns: 5000 },
  );
  t.pass();
});

function u8b(): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 255 });
}
