import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumTable } from './num-table.js';

test('NumTable behaves like a Map under random set/delete/get, across growth and tombstones', () => {
  const t = new NumTable();
  const m = new Map<number, number>();
  let a = 7;
  const r = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 200_000; i++) {
    const k = Math.floor(r() * 50_000) * 64 * 97 + Math.floor(r() * 33) + (r() < 0.01 ? 2 ** 37 : 0);
    const op = r();
    if (op < 0.55) assert.equal(t.set(k, i), m.get(k) ?? -1), m.set(k, i);
    else if (op < 0.85) assert.equal(t.delete(k), m.get(k) ?? -1), m.delete(k);
    else assert.equal(t.get(k), m.get(k) ?? -1);
  }
  assert.equal(t.size, m.size);
  const seen = new Map<number, number>();
  t.forEach((k, v) => seen.set(k, v));
  assert.deepEqual([...seen].sort((x, y) => x[0] - y[0]), [...m].sort((x, y) => x[0] - y[0]));
  t.update((_k, v) => v + 1);
  for (const [k, v] of m) assert.equal(t.get(k), v + 1);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(t.get([...m.keys()][0]!), -1);
});
