/**
 * PrefixTable (the Loc-RIB's numeric prefix index): random inserts and removals against a Map
 * model, IPv4 and IPv6, through shard growth, probe runs that wrap around and slot reuse.
 */
import t from 'tap';
import { PrefixTable, wordMask } from '../src/rib/loc-rib-table.js';
import { mulberry32 } from '../src/testing/random-updates.js';

t.test('wordMask', async (t) => {
  t.same([0, 1, 24, 32].map((l) => wordMask(l, 0)), [0, 0x80000000, 0xffffff00, 0xffffffff]);
  t.same([32, 33, 64, 128].map((l) => wordMask(l, 1)), [0, 0x80000000, 0xffffffff, 0xffffffff]);
});

for (const afi of [1, 2] as const) {
  t.test(`random inserts and removals agree with a Map (AFI ${afi})`, async (t) => {
    const table = new PrefixTable<string>(afi, 1);
    const model = new Map<string, number>();
    const rnd = mulberry32(afi * 17);
    const maxLen = afi === 1 ? 32 : 128;
    const key = (w: number[], len: number): string => `${w.join('.')}/${len}`;
    const random = (): [number[], number] => {
      const len = Math.floor(rnd() * (maxLen + 1));
      // few distinct values so that keys repeat
      const w = Array.from({ length: afi === 1 ? 1 : 4 }, (_, i) => (Math.floor(rnd() * 64) * 0x01010101) & wordMask(len, i));
      return [w.map((x) => x >>> 0), len];
    };
    let mismatches = 0;
    for (let i = 0; i < 20_000; i++) {
      const [w, len] = random();
      const k = key(w, len);
      const slot = table.find(w, len);
      if ((slot >= 0) !== model.has(k)) mismatches++;
      if (slot >= 0 && rnd() < 0.6) {
        if (table.cells[slot] !== k) mismatches++;
        table.remove(slot);
        model.delete(k);
      } else if (slot < 0) {
        const s = table.insert(w, len);
        table.cells[s] = k;
        model.set(k, s);
      }
    }
    t.equal(mismatches, 0);
    t.equal(table.size, model.size);
    let seen = 0;
    const counts = new Array<number>(maxLen + 1).fill(0);
    for (let s = 0; s < table.high; s++) {
      const k = table.cells[s];
      if (k === undefined) continue;
      seen++;
      counts[Number(k.split('/')[1])]!++;
      t.equal(model.get(k), s, 'slots are stable');
    }
    t.equal(seen, model.size);
    t.same([...table.lengthCounts], counts, 'per-length counts');
    for (const k of [...model.keys()].slice(0, 50)) {
      const [w, len] = k.split('/');
      const words = w!.split('.').map(Number);
      t.equal(table.find(words, Number(len)), model.get(k));
    }
  });
}

t.test('text of a slot', async (t) => {
  const v4 = new PrefixTable<number>(1, 1);
  const v6 = new PrefixTable<number>(2, 1);
  t.equal(v4.text(v4.insert([0xcb007100], 24)), '203.0.113.0/24');
  t.equal(v4.find4(0xcb007100, 24), 0);
  t.equal(v4.find4(0xcb007100, 25), -1);
  t.equal(v6.text(v6.insert([0x20010db8, 0, 0, 0], 32)), '2001:db8::/32');
});
