import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDurationMs } from './duration.js';

test('Go-style durations and bare seconds', () => {
  assert.equal(parseDurationMs('1h2m3.5s'), 3_723_500);
  assert.equal(parseDurationMs('90s'), 90_000);
  assert.equal(parseDurationMs('500ms'), 500);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('120'), 120_000);
  assert.equal(parseDurationMs('0s'), 0);
});

test('anything else is not a duration', () => {
  for (const bad of ['', 'abc', '5x', '1m30', 's', '1x2s', '-5s', '1 5s']) assert.equal(parseDurationMs(bad), undefined, bad);
});
