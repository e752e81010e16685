import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogBudget } from './log-budget.js';

test('10,000 malformed UPDATEs in 1 s log 5 lines; the next window reports how many were dropped', () => {
  const b = new LogBudget(5, 10_000);
  let lines = 0;
  for (let i = 0; i < 10_000; i++) if (b.take(i / 10).log) lines++;
  assert.equal(lines, 5);
  assert.deepEqual(b.take(10_500), { log: true, suppressed: 9_995 });
  assert.deepEqual(b.take(10_600), { log: true, suppressed: 0 });
});
