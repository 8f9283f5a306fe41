import t from 'tap';
import { Framer } from '../src/bgp/codec/framer.js';
import { fromHex } from '../src/bgp/codec/bytes.js';
import { BgpError } from '../src/bgp/errors.js';

const KA = fromHex('ffffffffffffffffffffffffffffffff001304');

t.test('one message per push', async (t) => {
  const f = new Framer();
  f.push(KA);
  t.same([...f.messages()].map((m) => m.length), [19]);
  t.equal(f.buffered, 0);
});

t.test('every split point of a three-message stream', async (t) => {
  const stream = new Uint8Array([...KA, ...KA, ...KA]);
  for (let a = 0; a <= stream.length; a++) {
    for (let b = a; b <= stream.length; b += 7) {
      const f = new Framer();
      const got: number[] = [];
      for (const part of [stream.subarray(0, a), stream.subarray(a, b), stream.subarray(b)]) {
        f.push(part);
        for (const m of f.messages()) got.push(m.length);
      }
      if (got.length !== 3) t.fail(`split ${a}/${b} gave ${got.length} messages`);
    }
  }
  t.pass('all splits framed');
});

t.test('byte-at-a-time', async (t) => {
  const stream = new Uint8Array([...KA, ...KA]);
  const f = new Framer();
  let n = 0;
  for (const byte of stream) {
    f.push(new Uint8Array([byte]));
    for (const _ of f.messages()) n++;
  }
  t.equal(n, 2);
});

t.test('bad marker, length, type', async (t) => {
  const cases: [string, string, number, number, string][] = [
    ['fffffffffffffffffffffffffffffffe001304', 'ERR_BGP_BAD_MARKER', 1, 1, ''],
    ['ffffffffffffffffffffffffffffffff001204', 'ERR_BGP_BAD_MESSAGE_LENGTH', 1, 2, '0012'],
    ['ffffffffffffffffffffffffffffffff100104', 'ERR_BGP_BAD_MESSAGE_LENGTH', 1, 2, '1001'],
    ['ffffffffffffffffffffffffffffffff001309', 'ERR_BGP_BAD_MESSAGE_TYPE', 1, 3, '09'],
    ['ffffffffffffffffffffffffffffffff001404', 'ERR_BGP_BAD_MESSAGE_LENGTH', 1, 2, '0014'],
  ];
  for (const [hex, code, c, s, data] of cases) {
    const f = new Framer();
    f.push(fromHex(hex));
    const err = t.throws(() => f.next()) as unknown as BgpError;
    t.equal(err.code, code, hex);
    t.equal(err.notification?.code, c);
    t.equal(err.notification?.subcode, s);
    t.equal(Buffer.from(err.notification!.data).toString('hex'), data);
    t.throws(() => f.next(), 'stays failed');
  }
});

t.test('extended message limit', async (t) => {
  const big = new Uint8Array(5000).fill(0);
  big.fill(0xff, 0, 16);
  big[16] = 5000 >> 8;
  big[17] = 5000 & 255;
  big[18] = 2;
  const f = new Framer();
  f.push(big);
  t.throws(() => f.next());
  const g = new Framer();
  g.setExtendedMessage(true);
  g.push(big.subarray(0, 100));
  t.equal(g.next(), undefined);
  g.push(big.subarray(100));
  t.equal(g.next()?.length, 5000);
});
