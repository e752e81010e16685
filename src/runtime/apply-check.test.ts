import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KindlabError } from '../errors.js';
import { parseTopology, planLab, type LabPlan } from '../topology/index.js';
import { applyRefusal } from './apply-check.js';
import { appliedPlan, applySteps, diffPlans, formatDiff, pinMgmtAddresses } from './plan-diff.js';

/** A lab with an inline kind cluster: `kindNodes` are its nodes' YAML lines, `nodes` the topology's. */
function plan(kindNodes: string, nodes: string, links: string, podSubnet = '10.1.0.0/16'): LabPlan {
  return planLab(
    parseTopology(
      `name: ap
cluster:
  config:
    kind: Cluster
    apiVersion: kind.x-k8s.io/v1alpha4
    networking: { podSubnet: "${podSubnet}" }
    nodes:
${kindNodes}topology:
  nodes:
${nodes}  links:
${links}`,
      { file: 'topo.yaml', dir: '/tmp' },
    ),
  );
}

const CP = '    - role: control-plane\n';
const W1 = '    - role: worker\n      labels: { rack: rack0 }\n';
const W2 = '    - role: worker\n      labels: { rack: rack1 }\n';
const NODES = `    tor0: { kind: linux, image: kindlab/base }
    server1: { kind: linux, image: kindlab/base, network-mode: "container:worker" }
`;
const LINKS = `  - endpoints: ["tor0:eth1", "control-plane:eth1"]
  - endpoints: ["tor0:eth2", "server1:eth1"]
`;

function check(old: LabPlan, next0: LabPlan) {
  const a = appliedPlan(old);
  // as apply does: kept nodes keep their management address, added ones get a free one
  let i = 100;
  const next = pinMgmtAddresses(a, next0, (taken) => {
    while (taken.has(`172.20.20.${i}`)) i++;
    return `172.20.20.${i}`;
  });
  const d = diffPlans(a, next);
  const s = applySteps(a, next, d);
  return { d, s, text: formatDiff('ap', d, s), refused: applyRefusal(next, a, d, s) };
}

test('a worker and a leaf added, a server removed: one plan; the worker joins the cluster, nothing else is made again', () => {
  const old = plan(CP + W1, NODES, LINKS);
  const next = plan(
    CP + W1 + W2,
    `    tor0: { kind: linux, image: kindlab/base }\n    tor1: { kind: linux, image: kindlab/base }\n    server2: { kind: linux, image: kindlab/base, network-mode: "container:worker2" }\n`,
    `  - endpoints: ["tor0:eth1", "control-plane:eth1"]\n  - endpoints: ["tor0:eth3", "tor1:eth1"]\n  - endpoints: ["tor1:eth2", "server2:eth1"]\n`,
  );
  const { d, s, text, refused } = check(old, next);
  assert.equal(refused, undefined);
  assert.equal(d.fixedChanged, false, 'a node of the kind config is not a lab-wide setting');
  assert.deepEqual(d.addedNodes, ['worker2', 'tor1', 'server2']);
  assert.deepEqual(d.removedNodes, ['server1']);
  assert.deepEqual(d.changedNodes, []);
  assert.deepEqual(s.joinCluster, ['worker2']);
  assert.deepEqual(s.leaveCluster, []);
  assert.equal(s.reapplyObjects, true);
  assert.deepEqual(s.removeContainers, ['server1']);
  // the sharer is created after its owner
  assert.ok(s.createNodes.indexOf('worker2') < s.createNodes.indexOf('server2'), s.createNodes.join());
  assert.match(text, /^ {2}\+ node worker2 \(Kubernetes node: joins the running cluster\)$/m);
  assert.match(text, /^ {2}\+ node tor1$/m);
  assert.match(text, /^ {2}- node server1$/m);
  assert.match(text, /^ {2}~ cluster objects/m);
  assert.match(text, /Plan: 3 nodes to add, 0 nodes to change, 1 node to remove; 2 links to add, 1 link to remove\./);
});

test('a worker removed from the kind config leaves the cluster (drained, Node deleted) before its container goes', () => {
  const old = plan(CP + W1 + W2, NODES, LINKS);
  const next = plan(CP + W1, NODES, LINKS);
  const { d, s, text, refused } = check(old, next);
  assert.equal(refused, undefined);
  assert.deepEqual(d.removedNodes, ['worker2']);
  assert.deepEqual(s.leaveCluster, ['worker2']);
  assert.deepEqual(s.joinCluster, []);
  assert.equal(s.reapplyObjects, false);
  assert.match(text, /^ {2}- node worker2 \(Kubernetes node: drained, its Node deleted\)$/m);
});

test('a worker whose kind entry changed leaves and joins again', () => {
  const old = plan(CP + W1 + W2, NODES, LINKS);
  const next = plan(CP + W1 + '    - role: worker\n      labels: { rack: rack2 }\n', NODES, LINKS);
  const { s, text, refused } = check(old, next);
  assert.equal(refused, undefined);
  assert.deepEqual(s.leaveCluster, ['worker2']);
  assert.deepEqual(s.joinCluster, ['worker2']);
  assert.match(text, /^-\/\+ node worker2 \(container made again: k8s changed; it leaves and joins the cluster again\)$/m);
});

test('the control-plane cannot change or leave: refused naming the node and its place in the file', () => {
  const old = plan(CP + W1, NODES, LINKS);
  const changed = check(old, plan('    - role: control-plane\n      labels: { rack: rack9 }\n' + W1, NODES, LINKS)).refused;
  assert.ok(changed instanceof KindlabError);
  assert.equal(changed.code, 'APPLY_UNSUPPORTED');
  assert.match(changed.message, /^topo\.yaml:\d+:\d+: node control-plane: the cluster's control-plane is changed \(k8s\)/);
  assert.match(changed.hint ?? '', /lab deploy --reconfigure/);
  // a second control-plane does not join a running cluster either
  const more = check(old, plan(CP + W1 + CP, NODES, LINKS)).refused;
  assert.match(more?.message ?? '', /node control-plane2: a control-plane node cannot join a running cluster/);
});

test('a lab-wide cluster setting changed: refused naming the field', () => {
  const old = plan(CP + W1, NODES, LINKS);
  const r = check(old, plan(CP + W1, NODES, LINKS, '10.9.0.0/16')).refused;
  assert.ok(r instanceof KindlabError);
  assert.match(r.message, /cluster\.podSubnet changed/);
});
