import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, planLab, usesStages } from '../topology/index.js';
import { activeStages } from './stages.js';
import { deployActions } from './deploy.js';

const text = (extra: string) => `name: x\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes:\n    a:\n      healthcheck: {test: [CMD, "true"]}\n    b:\n${extra}`;

test('healthy and exit are entered only when waited for or given commands (containerlab\'s MustWait)', () => {
  const plan = planLab(parseTopology(text('      stages:\n        create:\n          wait-for: [{node: a, stage: healthy}]\n        exit:\n          exec: {on-enter: ["true"]}\n'), { env: {} }));
  assert.deepEqual([...activeStages(plan.nodes)].map((k) => k.replace('\u0000', '/')).sort(), ['a/healthy', 'b/exit']);
});

test('every lab deploys its nodes through the per-node pipeline, with or without stages', () => {
  const staged = planLab(parseTopology(text('      stages:\n        configure:\n          wait-for: [{node: a}]\n'), { env: {} }));
  const plain = planLab(parseTopology(text('      exec: ["true"]\n'), { env: {} }));
  assert.equal(usesStages(staged.nodes), true);
  assert.equal(usesStages(plain.nodes), false);
  const titles = (p: typeof plain) => deployActions(undefined, p).map((a) => a.title);
  assert.deepEqual(titles(staged), ['Images', 'Lab directory', 'Management network', 'Nodes', 'Record node state', 'Write lab directory']);
  assert.deepEqual(titles(plain), titles(staged));
  const withCert = planLab(parseTopology(text('      certificate: {issue: true}\n'), { env: {} }));
  assert.ok(deployActions(undefined, withCert).some((a) => a.title === 'Certificates'));
});
