/**
 * A cluster lab whose manifest the API rejects: the deploy fails naming the topology's manifests
 * entry and the document, and everything it created is gone (containers, networks, iptables rules).
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { NOTHING, forceDestroy, lab, leftovers } from './helpers.js';
import { writeClusterLab } from './cluster-lab.js';
import { uniqueLabName } from './plan-helpers.js';

const name = uniqueLabName('kl-k8sfail');
let dir = '';
after(async () => {
  await forceDestroy(name);
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a rejected manifest fails the deploy with its position, and the half-built lab is removed', async () => {
  let file: string;
  ({ dir, file } = await writeClusterLab(name, { manifests: ['nettool.yaml', 'bad.yaml'] }));
  await writeFile(join(dir, 'bad.yaml'), '# a pod without containers\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: broken}\nspec: {containers: []}\n');
  const up = await lab(['deploy', '-t', file]);
  assert.equal(up.exitCode, 1);
  assert.match(up.stderr, /topo\.yaml:\d+:\d+ manifests: .*bad\.yaml:6: applying Pod broken failed: /);
  assert.match(up.stderr, /everything the deploy created was removed/);
  assert.deepEqual(await leftovers(name), NOTHING);
  const rules = await execa('iptables', ['-w', '5', '-S', 'DOCKER-USER']);
  assert.doesNotMatch(rules.stdout, new RegExp(`kindlab:${name}:api`));
});
