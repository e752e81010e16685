import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Column, RowIndex } from './row-index.js';

function rnd(seed: number) {
  let a = seed;
  return () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

for (const numeric of [true, false]) {
  test(`columns over one ${numeric ? 'IPv4' : 'IPv6'} row index behave like Maps; a row is freed when no column holds it, and reused`, () => {
    const rows = new RowIndex(numeric);
    const cols = [new Column(rows), new Column(rows), new Column(rows)];
    const maps = cols.map(() => new Map<number | string, number>());
    const r = rnd(numeric ? 7 : 11);
    const key = () => {
      const n = Math.floor(r() * 5_000);
      return numeric ? n * 64 + 24 : `k${n}`;
    };
    for (let i = 0; i < 100_000; i++) {
      const c = Math.floor(r() * 3);
      const k = key();
      const op = r();
      if (op < 0.5) assert.equal(cols[c]!.set(k, i), maps[c]!.get(k) ?? -1), maps[c]!.set(k, i);
      else if (op < 0.85) assert.equal(cols[c]!.delete(k), maps[c]!.get(k) ?? -1), maps[c]!.delete(k);
      else assert.equal(cols[c]!.get(k), maps[c]!.get(k) ?? -1);
    }
    const live = new Set<number | string>();
    for (let c = 0; c < 3; c++) {
      assert.equal(cols[c]!.size, maps[c]!.size);
      const seen = new Map<number | string, number>();
      cols[c]!.forEach((k, v) => seen.set(k, v));
      assert.deepEqual(new Map([...seen].sort()), new Map([...maps[c]!].sort()));
      for (const k of maps[c]!.keys()) live.add(k);
    }
    // Only keys some column holds keep a row; freed rows are handed out again before new ones.
    assert.equal(rows.size, live.size);
    assert.ok(rows.high <= 5_000);
    cols[0]!.update((_k, v) => v + 1);
    for (const [k, v] of maps[0]!) assert.equal(cols[0]!.get(k), v + 1);
    for (const c of cols) c.clear();
    assert.equal(rows.size, 0);
    const high = rows.high;
    cols[1]!.set(key(), 5);
    assert.equal(rows.high, high, 'a freed row is reused');
    assert.throws(() => cols[1]!.set(key(), 2 ** 25), RangeError);
  });
}

test('IPv4 row index across many rehashes, with freed rows between: every held key is found, no freed one is', () => {
  const rows = new RowIndex(true);
  const col = new Column(rows);
  const k = (i: number) => (0x0a000000 + i * 256) * 64 + 24;
  for (let i = 0; i < 200_000; i++) col.set(k(i), i % 1000);
  for (let i = 0; i < 200_000; i += 2) col.delete(k(i));
  // the freed rows are handed out again; the table keeps growing past them
  for (let i = 200_000; i < 500_000; i++) col.set(k(i), i % 1000);
  assert.equal(rows.size, 400_000);
  for (let i = 0; i < 500_000; i++) assert.equal(col.get(k(i)), i < 200_000 && i % 2 === 0 ? -1 : i % 1000, `key ${i}`);
  assert.ok(rows.high <= 400_000, `rows handed out ${rows.high}`);
});
