import t from 'tap';
import { fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { DEFAULT_CONTEXT } from '../src/bgp/codec/context.js';
import { decodeOpen, encodeOpen, type OpenMessage } from '../src/bgp/codec/open.js';
import { openFromJson, openToJson } from '../src/bgp/json/open.js';
import { BgpError } from '../src/bgp/errors.js';
import { mulberry32 } from '../src/testing/random-updates.js';
import { loadVectors, VECTOR_DIR } from './helpers/vectors.js';

// Totality of decodeOpen: any bytes give an OpenMessage or a BgpError, and every OpenMessage
// decoded from bytes re-encodes (directly and through JSON) to exactly those bytes.

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** An OPEN around `params` (classic encoding, AS 65001, hold 180, id 192.0.2.1). */
function openHex(params: string): Uint8Array {
  const body = `04fde900b4c0000201${(params.length / 2).toString(16).padStart(2, '0')}${params}`;
  const len = 19 + body.length / 2;
  return fromHex(`${'ff'.repeat(16)}${len.toString(16).padStart(4, '0')}01${body}`);
}

/** Decode must give a value or a BgpError; a value must re-encode to the same bytes. */
function check(msg: Uint8Array): 'ok' | 'error' | string {
  let m: OpenMessage;
  try {
    m = decodeOpen(msg, DEFAULT_CONTEXT);
  } catch (e) {
    return e instanceof BgpError ? 'error' : `threw ${String(e)} for ${toHex(msg)}`;
  }
  const again = toHex(encodeOpen(m));
  if (again !== toHex(msg)) return `re-encode differs for ${toHex(msg)}: ${again}`;
  const viaJson = toHex(encodeOpen(openFromJson(json(openToJson(m)))));
  if (viaJson !== toHex(msg)) return `JSON re-encode differs for ${toHex(msg)}: ${viaJson}`;
  return 'ok';
}

t.test('fuzz: random bytes after a valid OPEN header', async (t) => {
  const rnd = mulberry32(0x0be11);
  const counts = { ok: 0, error: 0 };
  const failures: string[] = [];
  for (let n = 0; n < 20000; n++) {
    const bodyLen = Math.floor(rnd() * 80);
    const msg = new Uint8Array(19 + bodyLen);
    msg.fill(0xff, 0, 16);
    msg[16] = msg.length >> 8;
    msg[17] = msg.length & 255;
    msg[18] = 1;
    for (let i = 19; i < msg.length; i++) msg[i] = Math.floor(rnd() * 256);
    // steer half the cases to a consistent Opt Parm Len so parameter parsing is reached
    if (bodyLen >= 10 && rnd() < 0.5) msg[28] = bodyLen - 10;
    const r = check(msg);
    if (r === 'ok' || r === 'error') counts[r]++;
    else if (failures.length < 5) failures.push(r);
  }
  t.strictSame(failures, []);
  t.ok(counts.error > 0, `${counts.error} errors, ${counts.ok} decoded`);
});

t.test('fuzz: random capability TLVs in well-framed parameters', async (t) => {
  const rnd = mulberry32(42);
  const codes = [1, 2, 5, 6, 9, 64, 65, 69, 70, 71, 73, 128, 3, 200];
  const failures: string[] = [];
  let ok = 0;
  for (let n = 0; n < 20000; n++) {
    let caps = '';
    const count = Math.floor(rnd() * 4);
    for (let k = 0; k < count; k++) {
      const code = codes[Math.floor(rnd() * codes.length)]!;
      const len = Math.floor(rnd() * 12);
      let v = '';
      for (let i = 0; i < len; i++) v += Math.floor(rnd() * 256).toString(16).padStart(2, '0');
      caps += code.toString(16).padStart(2, '0') + len.toString(16).padStart(2, '0') + v;
    }
    const params = '02' + (caps.length / 2).toString(16).padStart(2, '0') + caps;
    const r = check(openHex(params));
    if (r === 'ok') ok++;
    else if (r !== 'error' && failures.length < 5) failures.push(r);
  }
  t.strictSame(failures, []);
  t.ok(ok > 1000, `${ok} decoded and re-encoded identically`);
});

t.test('fuzz: mutated vectors', async (t) => {
  const rnd = mulberry32(7);
  const seeds = loadVectors(VECTOR_DIR, ['open-', 'capability-']).map((v) => fromHex(v.hex));
  const failures: string[] = [];
  for (let n = 0; n < 20000; n++) {
    const msg = seeds[n % seeds.length]!.slice();
    const flips = 1 + Math.floor(rnd() * 3);
    for (let k = 0; k < flips && msg.length > 19; k++) msg[19 + Math.floor(rnd() * (msg.length - 19))] = Math.floor(rnd() * 256);
    const r = check(msg);
    if (r !== 'ok' && r !== 'error' && failures.length < 5) failures.push(r);
  }
  t.strictSame(failures, []);
});
