import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesSelector } from './label-selector.js';

test('label selectors: matchLabels, In/NotIn/Exists/DoesNotExist, empty matches all, unknown operator matches nothing', () => {
  const l = { rack: 'rack0', role: 'worker' };
  assert.equal(matchesSelector(undefined, l), true);
  assert.equal(matchesSelector({}, undefined), true);
  assert.equal(matchesSelector({ matchLabels: { rack: 'rack0' } }, l), true);
  assert.equal(matchesSelector({ matchLabels: { rack: 'rack1' } }, l), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'rack', operator: 'In', values: ['rack0', 'rack1'] }] }, l), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, l), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['rack0'] }] }, l), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, l), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'role', operator: 'Exists' }] }, l), true);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'role', operator: 'DoesNotExist' }] }, l), false);
  assert.equal(matchesSelector({ matchExpressions: [{ key: 'role', operator: 'Gt', values: ['1'] }] }, l), false);
});
