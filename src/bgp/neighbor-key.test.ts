import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neighborKey, normalizeNeighborKey } from './neighbor-key.js';

test('a neighbor on port 179 is named by its address; another port adds ":port" ([v6]:port)', () => {
  assert.equal(neighborKey('10.0.0.1'), '10.0.0.1');
  assert.equal(neighborKey('10.0.0.1', 179), '10.0.0.1');
  assert.equal(neighborKey('10.0.0.1', 1790), '10.0.0.1:1790');
  assert.equal(neighborKey('fd00:0::1', 1790), '[fd00::1]:1790');
  assert.equal(neighborKey('::ffff:10.0.0.1'), '10.0.0.1');
});

test('names given by users are normalized to the same keys', () => {
  assert.equal(normalizeNeighborKey('10.0.0.1:179'), '10.0.0.1');
  assert.equal(normalizeNeighborKey('10.0.0.1:1790'), '10.0.0.1:1790');
  assert.equal(normalizeNeighborKey('fd00::1'), 'fd00::1');
  assert.equal(normalizeNeighborKey('[fd00:0::1]:1790'), '[fd00::1]:1790');
  assert.equal(normalizeNeighborKey('[fd00::1]:179'), 'fd00::1');
  assert.equal(normalizeNeighborKey('not-an-address'), 'not-an-address');
});
