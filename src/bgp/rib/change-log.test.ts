import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChangeLog } from './change-log.js';
import { growTo } from './grow.js';

test('change log: push, at and dropFront behave like an array through growth and shrinking', () => {
  const log = new ChangeLog();
  const model: number[] = [];
  let seed = 5;
  const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let round = 0; round < 200; round++) {
    const adds = Math.floor(r() * (round % 50 === 0 ? 20_000 : 500));
    for (let i = 0; i < adds; i++) {
      const v = Math.floor(r() * 2 ** 25);
      log.push(v);
      model.push(v);
    }
    const drop = Math.floor(r() * (model.length + 1));
    log.dropFront(drop);
    model.splice(0, drop);
    assert.equal(log.length, model.length);
    for (let i = 0; i < model.length; i += 97) assert.equal(log.at(i), model[i]);
  }
});

test('growTo keeps the prefix, zero-fills the rest, and shrinks', () => {
  let a = new Int32Array([1, 2, 3]);
  a = growTo(a, 5, Int32Array, 100);
  assert.deepEqual([...a], [1, 2, 3, 0, 0]);
  a[4] = 9;
  a = growTo(a, 2, Int32Array, 100);
  assert.deepEqual([...a], [1, 2]);
  a = growTo(a, 4, Int32Array, 100);
  assert.deepEqual([...a], [1, 2, 0, 0], 'bytes given back on a shrink come back as zeros');
  a = growTo(a, 150, Int32Array, 100);
  assert.equal(a.length, 150, 'past maxLen: a new buffer');
  assert.deepEqual([...a.subarray(0, 3)], [1, 2, 0]);
});
