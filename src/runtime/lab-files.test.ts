import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { bindSource, planBindSources, tarArgv } from './lab-files.js';

test('bind sources: paths only, named volumes skipped, normalised', () => {
  assert.equal(bindSource('/srv/lab/r1/frr:/etc/frr'), '/srv/lab/r1/frr');
  assert.equal(bindSource('/srv/lab/r1/../r2/x:/x:ro'), '/srv/lab/r2/x');
  assert.equal(bindSource('myvolume:/data'), undefined);
});

test('bind sources under the lab directory are copied, the rest must exist on the engine machine', () => {
  const binds = [
    '/srv/lab-x/r3/frr:/etc/frr',
    '/srv/lab-x:/lab:ro',
    '/srv/lab-x/r3/frr:/again',
    '/srv/lab-xy/other:/o', // a sibling whose name starts like the lab directory is outside it
    '/srv/shared.conf:/etc/shared.conf:ro',
    '/var/run/docker.sock:/var/run/docker.sock',
    'vol:/data',
  ];
  assert.deepEqual(planBindSources(binds, '/srv/lab-x/'), {
    copy: ['/srv/lab-x/r3/frr', '/srv/lab-x'],
    outside: ['/srv/lab-xy/other', '/srv/shared.conf', '/var/run/docker.sock'],
  });
});

test('the tar stream holds the source at its absolute path: extracted at the machine root it lands where the bind expects', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kl-labfiles-'));
  const root = await mkdtemp(join(tmpdir(), 'kl-labfiles-root-'));
  try {
    await mkdir(join(dir, 'r3'), { recursive: true });
    await writeFile(join(dir, 'r3', 'startup.conf'), 'hostname r3\n');
    const [file, ...args] = tarArgv(join(dir, 'r3'));
    const packed = await execa(file!, args, { encoding: 'buffer' });
    // the helper's /host is the engine machine's /: extracting under `root` stands for it
    await execa('tar', ['-C', root, '-xf', '-'], { input: packed.stdout });
    assert.equal(await readFile(join(root, dir, 'r3', 'startup.conf'), 'utf8'), 'hostname r3\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
  }
});
