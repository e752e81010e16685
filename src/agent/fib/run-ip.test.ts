import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runIp } from './run-ip.js';

test('runIp returns the real ip\'s exit code, stdout and stderr (stdin fed when given)', async () => {
  const ok = await runIp(['-j', 'addr', 'show', 'lo']);
  assert.equal(ok.exitCode, 0);
  assert.equal((JSON.parse(ok.stdout) as Array<{ ifname: string }>)[0]?.ifname, 'lo');
  const bad = await runIp(['-force', '-batch', '-'], 'addr show lo\nbogus\n');
  assert.notEqual(bad.exitCode, 0);
  assert.match(bad.stderr, /bogus/);
  assert.match(bad.stdout, /\blo\b/);
});
