import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, planLab } from '../topology/index.js';
import { KindlabError } from '../errors.js';
import { generateClos } from './generate-clos.js';
import { applyRouting } from './index.js';

test('generate clos: a topology that loads, renders and peers every node with its leaf', () => {
  const text = generateClos({ name: 'gen', spines: 2, leaves: 4, nodesPerLeaf: 2, dialect: 'cilium' });
  const plan = applyRouting(planLab(parseTopology(text, { file: 'gen.yaml', env: {} }), { labDir: '/tmp/kl-gen' }), () => undefined);
  const r = plan.routing!;
  assert.equal(r.routers.length, 6);
  assert.equal(plan.nodes.filter((n) => n.k8s).length, 8);
  assert.equal(r.sessions.filter((s) => s.kind === 'fabric').length, 16);
  assert.equal(r.attachments.length, 8);
  assert.deepEqual([...new Set(r.attachments.filter((a) => a.tor === 'leaf2').map((a) => a.k8sNode))].sort(), ['gen-worker2', 'gen-worker3']);
  assert.equal(r.clusterObjects.length, 4, 'one CiliumBGPPeeringPolicy per rack');
  assert.ok(text.split('\n').length < 120, `generated file is ${text.split('\n').length} lines`);
});

test('generate clos refuses out-of-range sizes and bad names', () => {
  assert.throws(() => generateClos({ name: 'x', spines: 0, leaves: 2, nodesPerLeaf: 1, dialect: 'cilium' }), (e: unknown) => e instanceof KindlabError && /--spines must be an integer from 1 to 16, got 0/.test(e.message));
  assert.throws(() => generateClos({ name: 'x', spines: 2, leaves: 2.5, nodesPerLeaf: 1, dialect: 'cilium' }), /--leaves must be an integer/);
  assert.throws(() => generateClos({ name: 'X_Y', spines: 2, leaves: 2, nodesPerLeaf: 1, dialect: 'cilium' }), /lab name "X_Y"/);
});
