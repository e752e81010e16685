/** Manifest files: documents with their line, empty documents skipped, Lists flattened, directories in name order. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { manifestFiles, readManifest } from './api.js';

const dir = mkdtempSync(join(tmpdir(), 'kindlab-manifests-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('manifests', () => {
  it('the article nettool.yaml: two pods, each at the line where its document starts', async () => {
    const docs = await readManifest(fileURLToPath(new URL('../../../labs/cilium-bgp/nettool.yaml', import.meta.url)));
    assert.deepEqual(docs.map((d) => [d.obj.kind, d.obj.metadata.name, d.line]), [['Pod', 'nettool-1', 2], ['Pod', 'nettool-2', 15]]);
  });

  it('skips empty documents, flattens Lists, rejects scalars and broken YAML with the line', async () => {
    writeFileSync(join(dir, 'a.yaml'), '---\n# nothing\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: x}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: y}}\n');
    assert.deepEqual((await readManifest(join(dir, 'a.yaml'))).map((d) => d.obj.metadata.name), ['x', 'y']);
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\n---\njust a string\n');
    await assert.rejects(readManifest(join(dir, 'b.yaml')), /b\.yaml:3: a manifest document must be a Kubernetes object/);
    writeFileSync(join(dir, 'c.yaml'), 'kind: Pod\nmetadata: {name: [\n');
    await assert.rejects(readManifest(join(dir, 'c.yaml')), /c\.yaml:\d+: invalid YAML/);
  });

  it('a directory entry: its YAML and JSON files in name order', async () => {
    const d = join(dir, 'dir');
    mkdirSync(d);
    for (const f of ['b.yml', 'a.yaml', 'c.json', 'notes.txt']) writeFileSync(join(d, f), '{}');
    assert.deepEqual((await manifestFiles(d)).map((f) => f.slice(d.length + 1)), ['a.yaml', 'b.yml', 'c.json']);
    await assert.rejects(manifestFiles(join(dir, 'missing')), /does not exist/);
  });
});
