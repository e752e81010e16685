import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from './wait.js';

test('waitFor returns the first truthy value, treating throws as "not yet"', async () => {
  let calls = 0;
  const v = await waitFor('third call', async () => {
    calls++;
    if (calls === 1) throw new Error('not ready');
    return calls === 3 ? 'done' : false;
  }, 5_000, 1);
  assert.equal(v, 'done');
  assert.equal(calls, 3);
});

test('waitFor times out naming what it waited for and the last error', async () => {
  await assert.rejects(
    waitFor('the thing', async () => {
      throw new Error('still broken');
    }, 20, 5),
    { message: 'timed out waiting for the thing: still broken' },
  );
  await assert.rejects(waitFor('nothing', async () => undefined, 20, 5), { message: 'timed out waiting for nothing' });
});
