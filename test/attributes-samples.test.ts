import t from 'tap';
import { readFileSync } from 'node:fs';
import { ByteWriter, fromHex, toHex } from '../src/bgp/codec/bytes.js';
import { codecContext } from '../src/bgp/codec/context.js';
import { Malformed } from '../src/bgp/codec/attributes/attribute-codec.js';
import { OPTIONAL_ATTRIBUTE_CODECS } from './helpers/attribute-codecs.js';

const CODECS = new Map(OPTIONAL_ATTRIBUTE_CODECS.map((c) => [c.typeCode, c]));

interface Sample {
  name: string;
  type: string;
  typeCode: number;
  flags: number;
  valueHex: string;
  context?: { fourOctetAs: boolean };
  json: Record<string, unknown> | null;
  malformed?: { action: string; subcode: number; rfc: string };
  tshark: string;
  note: string;
}

const samples = JSON.parse(readFileSync(new URL('./vectors/attribute-samples.json', import.meta.url), 'utf8')) as Sample[];

t.test('test/vectors/attribute-samples.json', async (t) => {
  t.ok(samples.length >= 40, `${samples.length} samples`);
  const names = new Set<string>();
  for (const s of samples) {
    t.notOk(names.has(s.name), `${s.name}: unique name`);
    names.add(s.name);
    const codec = CODECS.get(s.typeCode);
    if (!codec) {
      t.fail(`${s.name}: no codec for type ${s.typeCode}`);
      continue;
    }
    t.equal(codec.type, s.type, `${s.name}: type name`);
    const ctx = codecContext({ fourOctetAs: s.context?.fourOctetAs ?? true });
    const v = fromHex(s.valueHex);
    t.equal((s.flags & 0x10) !== 0 || v.length <= 255, true, `${s.name}: EXTENDED_LENGTH when needed`);
    const r = codec.decode(v, 0, v.length, s.flags, ctx);
    if (s.malformed) {
      t.equal(s.json, null);
      t.ok(r instanceof Malformed, `${s.name}: malformed`);
      if (!(r instanceof Malformed)) continue;
      t.equal(r.action ?? codec.malformedAction, s.malformed.action, `${s.name}: action`);
      t.equal(r.subcode, s.malformed.subcode, `${s.name}: subcode`);
      t.equal(codec.rfc, s.malformed.rfc, `${s.name}: rfc`);
      continue;
    }
    if (r instanceof Malformed) {
      t.fail(`${s.name}: ${r.reason}`);
      continue;
    }
    t.same(codec.toJson(r), s.json, `${s.name}: JSON`);
    t.equal((r as { flags: number }).flags, s.flags, `${s.name}: flags kept`);
    const w = new ByteWriter();
    codec.encodeValue(r, w, ctx);
    t.equal(toHex(w.finish()), s.valueHex, `${s.name}: re-encodes`);
    const w2 = new ByteWriter();
    codec.encodeValue(codec.fromJson(s.json!, s.name), w2, ctx);
    t.equal(toHex(w2.finish()), s.valueHex, `${s.name}: from JSON`);
    t.match(s.tshark, /^accepts/, `${s.name}: Wireshark accepted it inside an UPDATE`);
  }
  // every attribute has well-formed and malformed samples
  for (const c of CODECS.values()) {
    t.ok(samples.some((s) => s.typeCode === c.typeCode && !s.malformed), `${c.type}: a well-formed sample`);
    t.ok(samples.some((s) => s.typeCode === c.typeCode && s.malformed), `${c.type}: a malformed sample`);
  }
});
