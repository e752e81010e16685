import assert from 'node:assert/strict';
import { test } from 'node:test';
import { netSysctlsWritable } from './net-sysctls.js';

test('netSysctlsWritable: only a read-write proc mount on /proc/sys/net counts', () => {
  const base = 'overlay on / type overlay (rw,relatime)\nproc on /proc type proc (rw,nosuid,nodev,noexec,relatime)\nproc on /proc/sys type proc (ro,nosuid,nodev,noexec,relatime)\n';
  assert.equal(netSysctlsWritable(base), false);
  assert.equal(netSysctlsWritable(`${base}proc on /proc/sys/net type proc (rw,nosuid,nodev,noexec,relatime)\n`), true);
  assert.equal(netSysctlsWritable(`${base}proc on /proc/sys/net type proc (ro,relatime)\n`), false);
  // busybox prints the same shape; a bare "(rw)" ends the options
  assert.equal(netSysctlsWritable('proc on /proc/sys/net type proc (rw)'), true);
  assert.equal(netSysctlsWritable('proc on /proc/sys/netfilter type proc (rw)'), false);
});
