/** UPDATE helpers: passing unknown attributes on (RFC 4271 s5), End-of-RIB (RFC 4724 s2), findAttribute. */
import t from 'tap';
import { passOnUnknownAttributes } from '../src/bgp/codec/attributes/unknown-attribute.js';
import { findAttribute, type PathAttribute } from '../src/bgp/codec/attributes/path-attribute.js';
import { decodeUpdate, encodeUpdate, endOfRib, endOfRibUpdate } from '../src/bgp/codec/update.js';
import { toHex } from '../src/bgp/codec/bytes.js';

t.test('passOnUnknownAttributes', async (t) => {
  const attrs: PathAttribute[] = [
    { type: 'ORIGIN', origin: 0 },
    { type: 'UNKNOWN', typeCode: 243, flags: 0xc0, value: new Uint8Array([1]) }, // optional transitive
    { type: 'UNKNOWN', typeCode: 244, flags: 0x80, value: new Uint8Array([2]) }, // optional non-transitive
    { type: 'UNKNOWN', typeCode: 245, flags: 0xe0, value: new Uint8Array([3]) }, // already partial
    { type: 'UNKNOWN', typeCode: 246, flags: 0x40, value: new Uint8Array([4]) }, // well-known (cannot be passed on)
  ];
  const out = passOnUnknownAttributes(attrs);
  t.same(out.map((a) => (a.type === 'UNKNOWN' ? [a.typeCode, a.flags] : a.type)), ['ORIGIN', [243, 0xe0], [245, 0xe0]], 'transitive ones kept with Partial set, non-transitive dropped');
  t.equal((attrs[1] as { flags: number }).flags, 0xc0, 'the input is not modified');
});

t.test('End-of-RIB markers for IPv4, IPv6 and any AFI/SAFI', async (t) => {
  t.equal(toHex(encodeUpdate(endOfRibUpdate())), 'ffffffffffffffffffffffffffffffff00170200000000');
  for (const [afi, safi] of [[1, 1], [2, 1], [1, 2], [25, 70], [1, 128]] as const) {
    const u = decodeUpdate(encodeUpdate(endOfRibUpdate(afi, safi)));
    t.same(endOfRib(u), { afi, safi }, `End-of-RIB ${afi}/${safi}`);
  }
  const notEor = decodeUpdate(encodeUpdate({ ...endOfRibUpdate(2, 1), attributes: [...endOfRibUpdate(2, 1).attributes, { type: 'ORIGIN', origin: 0 }] }));
  t.equal(endOfRib(notEor), undefined, 'MP_UNREACH plus another attribute is not End-of-RIB');
});

t.test('findAttribute', async (t) => {
  const attrs: PathAttribute[] = [{ type: 'ORIGIN', origin: 2 }, { type: 'MULTI_EXIT_DISC', med: 5 }];
  t.equal(findAttribute(attrs, 'MULTI_EXIT_DISC')?.med, 5);
  t.equal(findAttribute(attrs, 'AS_PATH'), undefined);
});

t.test('interned attribute lists and their attributes are frozen: mutation throws instead of corrupting other messages', async (t) => {
  const { fromHex } = await import('../src/bgp/codec/bytes.js');
  const hex = 'ffffffffffffffffffffffffffffffff00300200000014400101004002060201fde80001400304c612010b20cb007105';
  const a = decodeUpdate(fromHex(hex));
  const b = decodeUpdate(fromHex(hex)); // second sighting: admitted to the cache
  const c = decodeUpdate(fromHex(hex)); // served from the cache
  t.equal(c.attributes, b.attributes, 'the same list object is shared');
  t.not(a.attributes, b.attributes, 'the first sighting is not cached');
  t.throws(() => (c.attributes as PathAttribute[]).push({ type: 'ORIGIN', origin: 0 }), TypeError);
  const asPath = findAttribute(c.attributes, 'AS_PATH')!;
  t.throws(() => ((asPath as { segments: unknown }).segments = []), TypeError);
});
