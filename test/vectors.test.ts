/**
 * Every vector in test/vectors/bgp is checked three ways: decode gives the recorded JSON (or the
 * recorded error), encoding that JSON gives the same bytes (for well-formed messages), and
 * decode(encode(x)) gives x again.
 */
import t from 'tap';
import { fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { decodeMessage, encodeMessage } from '../src/bgp/codec/message.js';
import { messageFromJson, messageToJson } from '../src/bgp/json/message.js';
import { BgpError } from '../src/bgp/errors.js';
import { contextOf, loadVectors } from './helpers/vectors.js';

const vectors = loadVectors();
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

t.test('vector files are well formed', async (t) => {
  t.ok(vectors.length >= 150, `at least 150 vectors (have ${vectors.length})`);
  const names = new Set<string>();
  for (const v of vectors) {
    t.equal(`${v.name}.json`, v.file, `${v.file}: name matches file`);
    t.ok(v.source && v.source.length > 5, `${v.file}: has a source`);
    t.ok(/^[0-9a-f]*$/.test(v.hex) && v.hex.length % 2 === 0, `${v.file}: hex is lowercase even-length`);
    t.ok((v.decoded === undefined) !== (v.error === undefined), `${v.file}: exactly one of decoded / error`);
    t.notOk(names.has(v.name), `${v.file}: unique name`);
    names.add(v.name);
  }
});

for (const v of vectors) {
  t.test(v.name, async (t) => {
    const ctx = contextOf(v);
    const bytes = fromHex(v.hex);
    if (v.error) {
      let err: unknown;
      try {
        decodeMessage(bytes, ctx);
      } catch (e) {
        err = e;
      }
      t.ok(err instanceof BgpError, 'throws BgpError');
      const e = err as BgpError;
      t.equal(e.code, v.error.code, 'error code');
      if (v.error.notification) {
        t.same(
          e.notification && { code: e.notification.code, subcode: e.notification.subcode, data: toHex(e.notification.data) },
          v.error.notification,
          'NOTIFICATION',
        );
      }
      if (v.error.offset !== undefined) t.equal(e.offset, v.error.offset, 'offset');
      return;
    }
    const m = decodeMessage(bytes, ctx);
    const json = plain(messageToJson(m, ctx));
    t.same(json, v.decoded, 'decode gives the recorded JSON');
    const fromJson = messageFromJson(v.decoded);
    const wellFormed = !('diagnostics' in (v.decoded ?? {}));
    if (wellFormed) {
      t.equal(toHex(encodeMessage(fromJson, ctx)), v.hex, 'encode(JSON) is byte-identical');
      t.equal(toHex(encodeMessage(m, ctx)), v.hex, 'encode(decode(x)) is byte-identical');
      t.same(plain(messageToJson(decodeMessage(encodeMessage(m, ctx), ctx), ctx)), json, 'decode(encode(x)) equals x');
    } else {
      // a message with RFC 7606 diagnostics lost its malformed parts: re-encoding keeps the
      // attributes that survived, and the only problem left is a mandatory attribute now missing
      const again = decodeMessage(encodeMessage(m, ctx), ctx);
      const j2 = plain(messageToJson(again, ctx)) as { attributes?: unknown; diagnostics?: { code: string }[] };
      t.same(j2.attributes, (json as { attributes?: unknown }).attributes, 'surviving attributes re-encode identically');
      t.ok((j2.diagnostics ?? []).every((d) => d.code === 'ERR_BGP_MISSING_WELL_KNOWN_ATTRIBUTE'), 'no malformed attribute survives re-encoding');
    }
  });
}
