/**
 * RouteTable against a Map model: random adds and frees across many growths of the slot arrays
 * (one array at a time) and of the prefix index (entries moved over a few at a time), so lookups,
 * replacements and removals hit prefixes still in the old index. Also the dirty ring across growth.
 */
import t from 'tap';
import { RouteTable, SLOT_HEAD, SLOT_LIVE } from '../src/rib/route-table.js';
import { mulberry32 } from '../src/testing/index.js';

function load(tab: RouteTable, words: readonly number[], length: number): void {
  for (let i = 0; i < tab.words; i++) tab.key[i] = words[i] ?? 0;
  tab.keyLength = length;
}

for (const afi of [1, 2] as const) {
  t.test(`afi ${afi}: random adds and frees agree with a model through index and array growth`, async (t) => {
    const rand = mulberry32(afi * 7919);
    const tab = new RouteTable(afi);
    /** prefix key -> slots of its paths, in chain order */
    const model = new Map<string, { words: number[]; length: number; slots: number[] }>();
    const keyOf = (w: readonly number[], l: number): string => `${w.join('.')}/${l}`;
    const prefixes: { words: number[]; length: number }[] = [];
    for (let i = 0; i < 30_000; i++) {
      const words = afi === 1 ? [(0x0a000000 + i * 7) >>> 0] : [0x20010db8, i, (i * 31) >>> 0, 1];
      prefixes.push({ words, length: afi === 1 ? 32 : 128 });
    }
    let mismatches = 0;
    let capacityChanges = 0;
    let lastCapacity = tab.capacity;
    for (let op = 0; op < 60_000; op++) {
      const p = prefixes[Math.floor(rand() * (op < 30_000 ? prefixes.length : 8_000))]!;
      const k = keyOf(p.words, p.length);
      const entry = model.get(k);
      load(tab, p.words, p.length);
      if (entry === undefined || (rand() < 0.3 && entry.slots.length < 3)) {
        const head = tab.findHead();
        if (head !== (entry?.slots[0] ?? -1)) mismatches++;
        const slot = tab.addPath(entry?.slots.length ?? 0, 0, head);
        if (entry === undefined) model.set(k, { ...p, slots: [slot] });
        else entry.slots.push(slot);
      } else {
        // free a random path of the prefix (the head sometimes: the index entry is replaced)
        const i = Math.floor(rand() * entry.slots.length);
        tab.free(entry.slots[i]!);
        entry.slots.splice(i, 1);
        if (entry.slots.length === 0) model.delete(k);
        load(tab, p.words, p.length);
        if (tab.findHead() !== (entry.slots[0] ?? -1)) mismatches++; // at once: maybe mid-move of the index
      }
      if (tab.capacity !== lastCapacity) {
        capacityChanges++;
        lastCapacity = tab.capacity;
      }
    }
    t.equal(mismatches, 0, 'findHead agreed with the model before every add and after every free');
    t.ok(capacityChanges >= 8, `the slot arrays grew ${capacityChanges} times`);
    let live = 0;
    let wrong = 0;
    for (const e of model.values()) {
      load(tab, e.words, e.length);
      const chain: number[] = [];
      for (let s = tab.findHead(); s >= 0 && chain.length < 10; s = tab.next[s]!) chain.push(s);
      if (chain.join() !== e.slots.join()) wrong++;
      if ((tab.flags[e.slots[0]!]! & SLOT_HEAD) === 0) wrong++;
      for (const s of e.slots) if ((tab.flags[s]! & SLOT_LIVE) === 0) wrong++;
      live += e.slots.length;
    }
    t.equal(wrong, 0, 'every prefix finds exactly its chain, head first');
    t.equal(tab.size, live);
    for (const p of prefixes.slice(0, 2000)) {
      if (model.has(keyOf(p.words, p.length))) continue;
      load(tab, p.words, p.length);
      if (tab.findHead() !== -1) wrong++;
    }
    t.equal(wrong, 0, 'absent prefixes are not found');
  });
}

t.test('the dirty ring keeps its order and each slot once across growth', async (t) => {
  const tab = new RouteTable(1);
  const slots: number[] = [];
  for (let i = 0; i < 5000; i++) {
    load(tab, [i], 32);
    const s = tab.addPath(0, 0);
    slots.push(s);
    if (i % 3 === 0) {
      tab.markDirty(s);
      tab.markDirty(s);
    }
    if (i % 1000 === 999) tab.takeDirty(); // the ring's head moves: growth must unwrap it
  }
  const taken: number[] = [];
  for (let s = tab.takeDirty(); s >= 0; s = tab.takeDirty()) taken.push(s);
  const expected = slots.filter((_, i) => i % 3 === 0).slice(5);
  t.same(taken, expected, 'in marking order, once each, the first five taken earlier');
  t.equal(tab.dirtyCount, 0);
});
