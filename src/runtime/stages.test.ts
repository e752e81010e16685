import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, planLab, usesStages } from '../topology/index.js';
import { activeStages, creationRanks, startUpGate } from './stages.js';
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
  // a lab with a cluster: the node record begins beside the cluster's steps and is awaited after them
  const cluster = { nodeKind: { name: 'k8s-node' as const }, prepare: [], actions: [{ title: 'Cluster nodes Ready', run: async () => undefined }] };
  assert.deepEqual(deployActions(cluster, plain).map((a) => a.title), ['Images', 'Lab directory', 'Management network', 'Nodes', 'Record node state: begin', 'Cluster nodes Ready', 'Record node state', 'Write lab directory']);
  const withCert = planLab(parseTopology(text('      certificate: {issue: true}\n'), { env: {} }));
  assert.ok(deployActions(undefined, withCert).some((a) => a.title === 'Certificates'));
});

test('creation order: nodes with a start-up (FRR) first, then the link peers they configure after, the rest last, plan order within', () => {
  const plan = planLab(parseTopology(`name: x
topology:
  nodes:
    k1: {kind: linux, image: i}
    lan: {kind: bridge, image: i}
    r1: {kind: frr, image: frrouting/frr}
    k2: {kind: linux, image: i}
    other: {kind: linux, image: i}
  links:
  - endpoints: [r1:eth1, lan:p1]
  - endpoints: [k1:eth1, lan:p2]
  - endpoints: [k2:eth1, other:eth1]
`, { env: {} }));
  const ranks = creationRanks(plan.nodes, plan.links, (n) => n.kind === 'frr');
  assert.deepEqual(Object.fromEntries(ranks), { k1: 2, lan: 1, r1: 0, k2: 2, other: 2 });
  assert.deepEqual([...creationRanks(plan.nodes, plan.links, () => false).values()], [2, 2, 2, 2, 2], 'no start-up: the plan\'s order');
});

test('creation order in a leaf-spine: every router before any host, so a spine can configure once the last leaf exists', () => {
  const plan = planLab(parseTopology(`name: x
topology:
  nodes:
    spine1: {kind: frr, image: frrouting/frr}
    leaf1: {kind: frr, image: frrouting/frr}
    host1: {kind: linux, image: i}
    leaf2: {kind: frr, image: frrouting/frr}
    host2: {kind: linux, image: i}
  links:
  - endpoints: [spine1:eth1, leaf1:eth1]
  - endpoints: [spine1:eth2, leaf2:eth1]
  - endpoints: [leaf1:eth2, host1:eth1]
  - endpoints: [leaf2:eth2, host2:eth1]
`, { env: {} }));
  const ranks = creationRanks(plan.nodes, plan.links, (n) => n.kind === 'frr');
  const order = plan.nodes.map((n) => n.name).sort((a, b) => ranks.get(a)! - ranks.get(b)!);
  assert.deepEqual(order, ['spine1', 'leaf1', 'leaf2', 'host1', 'host2']);
});

test('exec lines wait for the start-ups (FRR) only in a lab with start-ups and without stages', () => {
  const topo = (extra = '') => planLab(parseTopology(`name: x
topology:
  nodes:
    r1: {kind: frr, image: frrouting/frr}
    k1:
      kind: linux
      image: i
${extra}`, { env: {} }));
  const frr = (n: { kind: string }) => n.kind === 'frr';
  const gate = startUpGate(topo().nodes, frr);
  assert.deepEqual([gate.startUps, gate.gated], [new Set(['r1']), true]);
  assert.deepEqual(gate.waitsFor('k1'), ['r1'], 'a node without a start-up waits until r1 is configured (start-up and exec lines)');
  assert.deepEqual(gate.waitsFor('r1'), [], 'a router runs its own exec lines right after its own start-up');
  assert.equal(startUpGate(topo().nodes, () => false).gated, false, 'exec-configured FRR: each node\'s exec lines start once its links are up');
  const staged = topo('      stages:\n        configure:\n          wait-for: [{node: r1, stage: create}]\n');
  assert.equal(startUpGate(staged.nodes, frr).gated, false, 'a start-up node may wait for a stage after another node\'s exec lines');
  assert.deepEqual(startUpGate(staged.nodes, frr).waitsFor('k1'), []);
});
