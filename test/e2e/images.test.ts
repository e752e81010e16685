/**
 * The local base image: built from Debian packages, cached by content hash, carrying every tool the
 * labs need. Runs `lab images build` for real (the first call builds when the image is missing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';

const lab = (...args: string[]) => execa('node', ['bin/lab.js', ...args], { reject: false });

test('a second `lab images build` finds the cached image', { timeout: 20 * 60_000 }, async () => {
  const first = await lab('images', 'build', '--quiet');
  assert.equal(first.exitCode, 0, first.stderr);
  const t0 = performance.now();
  const second = await lab('images', 'build', '--quiet');
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(second.exitCode, 0, second.stderr);
  assert.match(second.stdout, /kindlab\/base:latest → kindlab\/base:[0-9a-f]{16} \(cached/);
  console.log(`# second lab images build: ${seconds.toFixed(2)} s wall (whole process)`);
});

test('the base image carries FRR (all daemons), BIRD, GoBGP, Node.js and the network tools', async () => {
  const probe = [
    'for d in zebra bgpd bfdd vrrpd staticd watchfrr; do test -x /usr/lib/frr/$d || echo missing $d; done',
    'for b in vtysh bird birdc gobgpd gobgp node nginx ip iptables ping traceroute curl tcpdump tini bash; do command -v $b >/dev/null || echo missing $b; done',
    'node -e "process.stdout.write(process.version)"',
  ].join('; ');
  const r = await execa('docker', ['run', '--rm', '--network', 'none', 'kindlab/base:latest', 'sh', '-c', probe], { reject: false });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /missing/);
  assert.match(r.stdout, /v\d+\.\d+\.\d+/);
});

test('`lab images list --format json` shows the article images mapped onto the base image', async () => {
  const r = await lab('images', 'list', '--format', 'json');
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { base: { present: boolean }; aliases: Array<{ pattern: string; target: string }> };
  assert.equal(out.base.present, true);
  for (const p of ['frrouting/frr', 'nicolaka/netshoot', 'nginx', 'busybox', 'cr7258/nettool']) {
    assert.ok(out.aliases.some((a) => a.pattern === p && a.target === 'kindlab/base:latest'), p);
  }
});
