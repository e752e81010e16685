import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Semaphore, mapPool, runPool } from './pool.js';

test('never runs more than the limit at once, and runs every item', async () => {
  let inFlight = 0;
  let peak = 0;
  const seen: number[] = [];
  await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (i) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(i);
    inFlight--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(seen.sort(), [1, 2, 3, 4, 5, 6, 7]);
});

test('runs all items even when some fail, and reports every failure', async () => {
  const seen: number[] = [];
  await assert.rejects(
    runPool([1, 2, 3, 4], 2, async (i) => {
      seen.push(i);
      if (i % 2 === 0) throw new Error(`item ${i}`);
    }),
    (e: unknown) => e instanceof AggregateError && e.errors.length === 2 && /item 2/.test(e.message) && /item 4/.test(e.message),
  );
  assert.equal(seen.length, 4);
});

test('a single failure is rethrown as is', async () => {
  await assert.rejects(runPool([1], 4, async () => { throw new RangeError('x'); }), RangeError);
});

test('mapPool keeps the order of the items and passes each index', async () => {
  const got = await mapPool([30, 10, 20], 2, async (ms, i) => {
    await new Promise((r) => setTimeout(r, ms));
    return `${i}:${ms}`;
  });
  assert.deepEqual(got, ['0:30', '1:10', '2:20']);
});

test('Semaphore: at most limit holders; waiters go by rank, then arrival', async () => {
  const sem = new Semaphore(1);
  const order: string[] = [];
  let inside = 0;
  let most = 0;
  const job = (name: string) => async () => {
    inside++;
    most = Math.max(most, inside);
    await new Promise((r) => setTimeout(r, 5));
    order.push(name);
    inside--;
  };
  await Promise.all([sem.run(job('first')), sem.run(job('late-1'), 1), sem.run(job('early-a'), 0), sem.run(job('late-2'), 1), sem.run(job('early-b'), 0)]);
  assert.deepEqual(order, ['first', 'early-a', 'early-b', 'late-1', 'late-2']);
  assert.equal(most, 1);
});
