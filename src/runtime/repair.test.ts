/** The repair's stale pid-file rule, run by sh on this machine against pid files in a temporary /run. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { stalePidFilesSh } from './repair.js';

test('a restarted node loses the pid files that name no process of their name, and keeps the live ones', async () => {
  const run = await mkdtemp(join(tmpdir(), 'kindlab-run-'));
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const pid = String(sleeper.pid);
    await mkdir(join(run, 'frr'));
    await writeFile(join(run, 'sleep.pid'), `${pid}\n`); // live, its own name: kept
    await writeFile(join(run, 'frr', 'sleep-1.pid'), pid); // an instance (ospfd-1.pid): kept
    await writeFile(join(run, 'frr', 'zebra.pid'), pid); // the old life's number, now another process: removed
    await writeFile(join(run, 'frr', 'bgpd.pid'), '4194304'); // no such process: removed
    await writeFile(join(run, 'junk.pid'), 'not a pid'); // removed
    await writeFile(join(run, 'empty.pid'), ''); // removed
    await writeFile(join(run, 'frr', 'watchfrr.vty'), ''); // not a pid file: kept
    const r = await execa('sh', ['-c', stalePidFilesSh([run, join(run, 'nonexistent')])], { reject: false });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual((await readdir(run)).sort(), ['frr', 'sleep.pid']);
    assert.deepEqual((await readdir(join(run, 'frr'))).sort(), ['sleep-1.pid', 'watchfrr.vty']);
  } finally {
    sleeper.kill();
    await rm(run, { recursive: true, force: true });
  }
});
