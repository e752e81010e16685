import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { LabPlan } from '../topology/index.js';
import { manifestHashes } from './manifest-hash.js';

const pos = { file: 'topo.yaml', line: 1, col: 1 };
const withManifests = (paths: string[]) => ({ cluster: { manifests: paths.map((path) => ({ path, pos })) } }) as unknown as Pick<LabPlan, 'cluster'>;

test('a manifest entry hashes its contents: a file, or a directory\'s YAML files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-mhash-'));
  try {
    const file = join(dir, 'policy.yaml');
    const sub = join(dir, 'objs');
    await mkdir(sub);
    await writeFile(file, 'kind: A\n');
    await writeFile(join(sub, 'a.yaml'), 'kind: B\n');
    await writeFile(join(sub, 'notes.txt'), 'ignored\n');
    const plan = withManifests([file, sub, join(dir, 'gone.yaml')]);
    const h1 = (await manifestHashes(plan))!;
    assert.equal(h1[join(dir, 'gone.yaml')], 'missing');
    assert.deepEqual(await manifestHashes(plan), h1, 'the same contents, the same hashes');
    await writeFile(file, 'kind: A\nmetadata: { labels: { x: y } }\n');
    await writeFile(join(sub, 'notes.txt'), 'not a manifest: no change\n');
    const h2 = (await manifestHashes(plan))!;
    assert.notEqual(h2[file], h1[file]);
    assert.equal(h2[sub], h1[sub]);
    await writeFile(join(sub, 'b.yml'), 'kind: C\n');
    assert.notEqual((await manifestHashes(plan))![sub], h1[sub], 'a new YAML file in the directory');
    assert.equal(await manifestHashes({}), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
