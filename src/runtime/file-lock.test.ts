import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { withFileLock } from './file-lock.js';

test('the lock is held by one caller at a time, also when all start together (no empty lock is taken as stale)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-lock-'));
  try {
    const lock = join(dir, 'lab.lock');
    let holders = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 64 }, () => withFileLock(lock, async () => {
      most = Math.max(most, ++holders);
      await new Promise((r) => setTimeout(r, 5));
      holders--;
    }, 5)));
    assert.equal(most, 1);
    assert.deepEqual(await readdir(dir), [], 'the lock and every link source are gone');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a lock whose pid is gone (or that holds no pid) is taken over', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-lock-'));
  try {
    const lock = join(dir, 'lab.lock');
    await writeFile(lock, '4194304');
    assert.equal(await withFileLock(lock, async () => 'ran', 5), 'ran');
    await writeFile(lock, '');
    assert.equal(await withFileLock(lock, async () => 'ran again', 5), 'ran again');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
