/**
 * Images as Docker users expect, against a real registry: Debian's `docker-registry` started on
 * 127.0.0.1:<free port> with its own storage, a tiny image built here from Debian's busybox-static
 * (a marker file in it) pushed to it and removed locally. Then: IfNotPresent pulls it and the node
 * runs it; Never fails naming the image; a failed pull (registry stopped) leaves nothing; an article
 * image that cannot be pulled runs as the local substitute, said in deploy output and inspect JSON;
 * `lab images save/load` carry the image through a tar.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers, until } from './helpers.js';

const REGISTRY_BIN = '/usr/bin/docker-registry';
const BUSYBOX = '/bin/busybox';
const LAB = `klpull${process.pid % 10000}`;
const marker = randomBytes(8).toString('hex');
let dir = '';
let port = 0;
let image = '';
let registry: ResultPromise | undefined;

function freePort(): Promise<number> {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.once('error', ko);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
}

async function startRegistry(): Promise<void> {
  registry = execa(REGISTRY_BIN, ['serve', join(dir, 'registry.yml')], { reject: false, stdio: ['ignore', 'ignore', 'pipe'] });
  await until('the registry to answer /v2/', async () => ((await fetch(`http://127.0.0.1:${port}/v2/`)).ok ? true : undefined), 15_000);
}

async function stopRegistry(): Promise<void> {
  if (!registry) return;
  registry.kill('SIGTERM');
  await registry;
  registry = undefined;
}

function topology(name: string, nodeImage: string, extra = ''): string {
  return [`name: ${name}`, 'topology:', '  nodes:', '    n1:', '      kind: linux', `      image: ${nodeImage}`, extra].filter(Boolean).join('\n') + '\n';
}

async function writeTopo(file: string, text: string): Promise<string> {
  const path = join(dir, file);
  await writeFile(path, text);
  return path;
}

before(async () => {
  for (const [bin, pkg] of [[REGISTRY_BIN, 'docker-registry'], [BUSYBOX, 'busybox-static']] as const) {
    const r = await execa('test', ['-x', bin], { reject: false });
    assert.equal(r.exitCode, 0, `${bin} missing: apt-get install ${pkg} (scripts/setup.sh installs it with KINDLAB_SETUP_TEST_DEPS=1)`);
  }
  dir = await mkdtemp(join(tmpdir(), 'kl-pull-'));
  port = await freePort();
  image = `127.0.0.1:${port}/kl-test/marker:1`;
  await writeFile(
    join(dir, 'registry.yml'),
    ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'storage')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'),
  );
  await startRegistry();
  // A tiny image: static busybox and a marker file, imported from a tar.
  const root = join(dir, 'rootfs');
  await mkdir(join(root, 'bin'), { recursive: true });
  await copyFile(BUSYBOX, join(root, 'bin', 'busybox'));
  await symlink('busybox', join(root, 'bin', 'sh'));
  await writeFile(join(root, 'marker'), `${marker}\n`);
  const tar = join(dir, 'rootfs.tar');
  await execa('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
  await execa('docker', ['import', '-c', 'CMD ["/bin/busybox", "sleep", "3600"]', tar, image]);
  await execa('docker', ['push', image]);
  await execa('docker', ['rmi', image]);
});

after(async () => {
  for (const l of [LAB, `${LAB}n`, `${LAB}f`, `${LAB}a`]) await forceDestroy(l);
  await stopRegistry();
  if (image) await execa('docker', ['rmi', '-f', image], { reject: false });
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('IfNotPresent (the default) pulls an image only the registry has, and the node runs it', { timeout: 120_000 }, async () => {
  const file = await writeTopo('pull.clab.yml', topology(LAB, image));
  const d = await lab(['deploy', '-t', file]);
  assert.equal(d.exitCode, 0, d.stderr + d.stdout);
  assert.match(d.stdout + d.stderr, new RegExp(`pull(ing|ed) ${image.replace(/[.]/g, '\\.')}`));
  const cat = await execa('docker', ['exec', `clab-${LAB}-n1`, '/bin/busybox', 'cat', '/marker']);
  assert.equal(cat.stdout.trim(), marker);
  const j = JSON.parse((await lab(['inspect', '--name', LAB, '--format', 'json'])).stdout) as { nodes: Array<{ image: string; imageSubstitute?: unknown }> };
  assert.equal(j.nodes[0]!.image, image);
  assert.equal(j.nodes[0]!.imageSubstitute, undefined);
  assert.equal((await lab(['destroy', '--name', LAB])).exitCode, 0);
  assert.deepEqual(await leftovers(LAB), NOTHING);
});

test('`lab images save` and `lab images load` carry the image through a tar', { timeout: 60_000 }, async () => {
  const tar = join(dir, 'images.tar');
  const s = await lab(['images', 'save', '-o', tar, image]);
  assert.equal(s.exitCode, 0, s.stderr);
  await execa('docker', ['rmi', image]);
  const l = await lab(['images', 'load', tar]);
  assert.equal(l.exitCode, 0, l.stderr);
  assert.match(l.stdout, new RegExp(image.replace(/[.]/g, '\\.')));
  assert.equal((await execa('docker', ['image', 'inspect', image], { reject: false })).exitCode, 0);
  await execa('docker', ['rmi', image]);
});

test('image-pull-policy: Never fails at once naming the image when it is not local', { timeout: 60_000 }, async () => {
  const file = await writeTopo('never.clab.yml', topology(`${LAB}n`, image, '      image-pull-policy: Never'));
  const d = await lab(['deploy', '-t', file]);
  assert.notEqual(d.exitCode, 0);
  assert.match(d.stderr, new RegExp(`n1: image ${image.replace(/[.]/g, '\\.')} is not present locally and its image-pull-policy is Never`));
  assert.deepEqual(await leftovers(`${LAB}n`), NOTHING);
});

test('a failed pull (registry stopped) fails the deploy cleanly, naming the image and the answer, leaving nothing', { timeout: 60_000 }, async () => {
  await stopRegistry();
  const file = await writeTopo('fail.clab.yml', topology(`${LAB}f`, image));
  const t0 = performance.now();
  const d = await lab(['deploy', '-t', file]);
  const seconds = (performance.now() - t0) / 1000;
  assert.notEqual(d.exitCode, 0);
  assert.match(d.stderr, new RegExp(`pulling image ${image.replace(/[.]/g, '\\.')} failed: .*connection refused`));
  assert.deepEqual(await leftovers(`${LAB}f`), NOTHING);
  console.log(`# failed pull deploy: ${seconds.toFixed(2)} s (whole process)`);
});

test('--offline: an article image runs as the local substitute, said in deploy output and inspect', { timeout: 120_000 }, async () => {
  const file = await writeTopo('alias.clab.yml', topology(`${LAB}a`, 'frrouting/frr:v8.2.2'));
  const d = await lab(['deploy', '--offline', '-t', file]);
  assert.equal(d.exitCode, 0, d.stderr + d.stdout);
  assert.match(d.stdout, /image frrouting\/frr:v8\.2\.2 → kindlab\/base \(FRR \d+\.\d+\.\d+\) on n1: offline/);
  const j = JSON.parse((await lab(['inspect', '--name', `${LAB}a`, '--format', 'json'])).stdout) as {
    nodes: Array<{ image: string; imageSubstitute?: { for: string; image: string; description: string } }>;
  };
  assert.equal(j.nodes[0]!.imageSubstitute?.for, 'frrouting/frr:v8.2.2');
  assert.equal(j.nodes[0]!.image, 'kindlab/base:latest');
  assert.match(j.nodes[0]!.imageSubstitute?.description ?? '', /^kindlab\/base \(FRR \d+\.\d+\.\d+\)$/);
  const table = await lab(['inspect', '--name', `${LAB}a`]);
  assert.match(table.stdout, /frrouting\/frr:v8\.2\.2 → kindlab\/base \(FRR [0-9.]+\)/);
  assert.equal((await lab(['destroy', '--name', `${LAB}a`])).exitCode, 0);
  assert.deepEqual(await leftovers(`${LAB}a`), NOTHING);
});

test('the registry this test started is gone', async () => {
  await stopRegistry();
  const ps = await execa('pgrep', ['-f', `docker-registry serve ${join(dir, 'registry.yml')}`], { reject: false });
  assert.equal(ps.stdout.trim(), '');
});
