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

test('UNLOCK_SCRIPT: binds and remounts only when the listing shows /proc/sys/net read-only', async () => {
  const { execa } = await import('execa');
  const { UNLOCK_SCRIPT } = await import('./net-sysctls.js');
  // `mount` stands in as a shell function: with no argument it lists, with arguments it logs the call
  const run = (listing: string) =>
    execa('sh', ['-c', `mount() { if [ $# -eq 0 ]; then printf '%s\\n' "$LISTING"; else echo "mount $*"; fi; }\n${UNLOCK_SCRIPT}`], { env: { LISTING: listing }, reject: false });
  const ro = await run('proc on /proc/sys type proc (ro,nosuid)\nproc on /proc/sys/netfilter type proc (rw)');
  assert.equal(ro.exitCode, 0);
  assert.deepEqual(ro.stdout.split('\n'), ['mount --bind /proc/sys/net /proc/sys/net', 'mount -o remount,rw,bind /proc/sys/net']);
  const rw = await run('proc on /proc/sys/net type proc (rw,nosuid,nodev)');
  assert.equal(rw.exitCode, 0);
  assert.equal(rw.stdout, '');
  // a shell without grep: 127, so the caller falls back to separate execs
  const noGrep = await execa('/bin/sh', ['-c', UNLOCK_SCRIPT], { env: { PATH: '/nonexistent' }, reject: false });
  assert.equal(noGrep.exitCode, 127);
});
