import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KindlabError } from '../errors.js';
import { nodeDirName, parseTopology, planLab, type LabPlan } from '../topology/index.js';
import { applyRefusal } from './apply-check.js';
import { appliedPlan, applySteps, diffPlans, formatDiff, isEmptyDiff, pinMgmtAddresses } from './plan-diff.js';
import { clusterNodeNames, pinClusterNodes } from './cluster-node-ids.js';

/** A lab with an inline kind cluster: `kindNodes` are its nodes' YAML lines, `nodes` the topology's. */
function plan(kindNodes: string, nodes: string, links: string, podSubnet = '10.1.0.0/16', manifests = ''): LabPlan {
  return planLab(
    parseTopology(
      `name: ap
${manifests}cluster:
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
  // as apply does: cluster nodes on their running Nodes, kept nodes keep their management address, added ones get a free one
  let i = 100;
  const next = pinMgmtAddresses(a, pinClusterNodes(a, next0), (taken) => {
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
  assert.match(text, /^ {2}\+ node worker2 \(Kubernetes node ap-worker2: joins the running cluster\)$/m);
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
  assert.match(text, /^ {2}- node worker2 \(Kubernetes node ap-worker2: drained, its Node deleted\)$/m);
});

test('a worker whose kind entry changed is another worker: the old one leaves, the new one joins under a Node name of its own', () => {
  const old = plan(CP + W1 + W2, NODES, LINKS);
  const next = plan(CP + W1 + '    - role: worker\n      labels: { rack: rack2 }\n', NODES, LINKS);
  const { d, s, text, refused } = check(old, next);
  assert.equal(refused, undefined);
  assert.deepEqual(d.changedNodes, []);
  assert.deepEqual(s.leaveCluster, ['worker2']);
  assert.deepEqual(s.joinCluster, ['worker2']);
  assert.equal(next.nodes.find((n) => n.name === 'worker2')?.k8s?.nodeName, 'ap-worker2', 'planned by place');
  assert.match(text, /^ {2}- node worker2 \(Kubernetes node ap-worker2: drained, its Node deleted\)$/m);
  // the Node that leaves is not taken again in the same change
  assert.match(text, /^ {2}\+ node worker2 \(Kubernetes node ap-worker3: joins the running cluster\)$/m);
});

/** The kind config's second worker (rack1, with server2 in its netns) removed and a new one (rack2) added in one edit. */
test('remove one worker and add another in one edit: a leave and a join; the worker after it keeps its container, Node name and address', () => {
  const W3 = '    - role: worker\n      labels: { rack: rack3 }\n';
  const oldNodes = `${NODES}    server2: { kind: linux, image: kindlab/base, network-mode: "container:worker2" }\n    server3: { kind: linux, image: kindlab/base, network-mode: "container:worker3" }\n`;
  const oldLinks = `${LINKS}  - endpoints: ["tor0:eth3", "server2:eth1"]\n  - endpoints: ["tor0:eth4", "server3:eth1"]\n  - endpoints: ["tor0:eth5", "worker3:eth2"]\n`;
  const old = plan(CP + W1 + W2 + W3, oldNodes, oldLinks);
  // rack1's worker goes with server2; rack3's worker is now second in the file (kind calls it worker2), and the user's references follow
  const W4 = '    - role: worker\n      labels: { rack: rack4 }\n';
  const nextNodes = `${NODES}    server3: { kind: linux, image: kindlab/base, network-mode: "container:worker2" }\n`;
  const nextLinks = `${LINKS}  - endpoints: ["tor0:eth4", "server3:eth1"]\n  - endpoints: ["tor0:eth5", "worker2:eth2"]\n  - endpoints: ["tor0:eth6", "worker3:eth1"]\n`;
  const next0 = plan(CP + W1 + W3 + W4, nextNodes, nextLinks);
  const a = appliedPlan(old);
  const names = clusterNodeNames(a, next0);
  assert.deepEqual(Object.fromEntries(names), { 'control-plane': 'ap-control-plane', worker: 'ap-worker', worker2: 'ap-worker3', worker3: 'ap-worker4' });
  const pinned = pinClusterNodes(a, next0);
  assert.deepEqual(pinned.nodes.filter((n) => n.k8s).map((n) => `${n.name}=${n.containerName}`), ['control-plane=ap-control-plane', 'worker=ap-worker', 'worker2=ap-worker3', 'worker3=ap-worker4']);
  assert.deepEqual(pinned.cluster?.spec.nodes.map((c) => c.name), ['ap-control-plane', 'ap-worker', 'ap-worker3', 'ap-worker4']);
  assert.deepEqual(pinClusterNodes(a, pinned).nodes.map((n) => n.containerName), pinned.nodes.map((n) => n.containerName), 'pinning again changes nothing');
  assert.equal(nodeDirName(pinned.nodes.find((n) => n.name === 'worker2')!), 'worker3', 'its directory (bound into its container) stays');
  const { d, s, text, refused } = check(old, pinned);
  assert.equal(refused, undefined);
  assert.deepEqual(d.addedNodes, ['worker3']);
  assert.deepEqual(d.removedNodes, ['worker2', 'server2']);
  assert.deepEqual(d.changedNodes, []);
  assert.deepEqual(d.execChanges, []);
  assert.deepEqual(s.leaveCluster, ['worker2']);
  assert.deepEqual(s.joinCluster, ['worker3']);
  assert.deepEqual(s.removeContainers, ['server2', 'worker2']);
  assert.deepEqual(s.restartSharers, [], 'server3 shares the same container as before');
  // only the new worker's link; the kept worker's link (renamed worker3 → worker2) is left alone
  assert.deepEqual(d.addedLinks, ['tor0:eth6 -- worker3:eth1']);
  assert.deepEqual(d.removedLinks, ['server2:eth1 -- tor0:eth3']);
  assert.deepEqual(s.createLinks, ['tor0:eth6 -- worker3:eth1']);
  assert.deepEqual(s.deleteLinks, [], "server2's end goes with worker2's namespace");
  const lines = text.split('\n').filter((l) => /^\s*(\+|-|~|-\/\+) /.test(l)).map((l) => l.trim());
  assert.deepEqual(lines, [
    '+ node worker3 (Kubernetes node ap-worker4: joins the running cluster)',
    '- node worker2 (Kubernetes node ap-worker2: drained, its Node deleted)',
    '- node server2',
    '+ link tor0:eth6 -- worker3:eth1',
    '- link server2:eth1 -- tor0:eth3',
    '~ cluster objects (the manifests applied again, for the joining nodes)',
  ]);
  assert.match(text, /^ {4}node worker2 \(was worker3\) runs on as Kubernetes node ap-worker3, untouched$/m);
  // the kept worker keeps its management address; the new one gets one nobody holds
  const mgmt = (p: LabPlan, n: string) => p.nodes.find((x) => x.name === n)?.mgmtIPv4;
  let i = 100;
  const next = pinMgmtAddresses(a, pinned, (taken) => {
    while (taken.has(`172.20.20.${i}`)) i++;
    return `172.20.20.${i}`;
  });
  assert.equal(mgmt(next, 'worker2'), mgmt(old, 'worker3'));
  assert.ok(!old.nodes.some((n) => n.mgmtIPv4 === mgmt(next, 'worker3') && n.name !== 'worker2'), 'no kept node holds the new address');
});

test('the control-plane cannot change or leave: refused naming the node and its place in the file', () => {
  const old = plan(CP + W1, NODES, LINKS);
  const changed = check(old, plan('    - role: control-plane\n      labels: { rack: rack9 }\n' + W1, NODES, LINKS)).refused;
  assert.ok(changed instanceof KindlabError);
  assert.equal(changed.code, 'APPLY_UNSUPPORTED');
  assert.match(changed.message, /^topo\.yaml:\d+:\d+: node control-plane: the cluster's control-plane is changed \(its kind entry\)/);
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

test('a manifest whose contents changed is re-applied alone; an added one applied; a removed one only said', () => {
  const M = 'manifests: [policies.yaml, pods.yaml]\n';
  const old = plan(CP + W1, NODES, LINKS, '10.1.0.0/16', M);
  const hashes = { '/tmp/policies.yaml': 'h1', '/tmp/pods.yaml': 'h2' };
  const a = appliedPlan(old, { manifests: hashes });
  // the same contents: nothing to do
  assert.ok(isEmptyDiff(diffPlans(a, old, { manifests: { ...hashes } })));
  // a lab recorded before hashes were kept: nothing known, nothing re-applied
  assert.ok(isEmptyDiff(diffPlans(appliedPlan(old), old, { manifests: { ...hashes, '/tmp/policies.yaml': 'h9' } })));
  const d = diffPlans(a, old, { manifests: { ...hashes, '/tmp/policies.yaml': 'h9' } });
  assert.deepEqual(d.manifests, [{ path: '/tmp/policies.yaml', change: 'changed' }]);
  const s = applySteps(a, old, d);
  assert.deepEqual(s.reapplyManifests, ['/tmp/policies.yaml']);
  assert.equal(s.reapplyObjects, false, 'not every manifest: only the changed one');
  assert.deepEqual([s.createNodes, s.removeContainers, s.createLinks, s.joinCluster], [[], [], [], []]);
  const text = formatDiff('ap', d, s);
  assert.match(text, /^ {2}~ manifest \/tmp\/policies\.yaml changed: re-apply$/m);
  assert.match(text, /Plan: 0 nodes to add, 0 nodes to change, 0 nodes to remove; 0 links to add, 0 links to remove\./);
  // one entry swapped for another
  const next = plan(CP + W1, NODES, LINKS, '10.1.0.0/16', 'manifests: [policies.yaml, more.yaml]\n');
  const d2 = diffPlans(a, next, { manifests: { '/tmp/policies.yaml': 'h1', '/tmp/more.yaml': 'h3' } });
  assert.deepEqual(d2.manifests, [{ path: '/tmp/more.yaml', change: 'added' }, { path: '/tmp/pods.yaml', change: 'removed' }]);
  assert.deepEqual(applySteps(a, next, d2).reapplyManifests, ['/tmp/more.yaml']);
  assert.match(formatDiff('ap', d2, applySteps(a, next, d2)), /^ {2}- manifest \/tmp\/pods\.yaml \(no longer listed: its objects stay in the cluster/m);
});

test('a startup-config file with other contents re-makes its node alone; unknown hashes change nothing', () => {
  const old = plan(CP + W1, NODES, LINKS);
  const tor0 = old.nodes.find((n) => n.name === 'tor0')!.containerName;
  const a = appliedPlan(old, { startupConfigs: { [tor0]: 'h1' } });
  assert.ok(isEmptyDiff(diffPlans(a, old, { startupConfigs: { [tor0]: 'h1' } })));
  assert.ok(isEmptyDiff(diffPlans(appliedPlan(old), old, { startupConfigs: { [tor0]: 'h2' } })), 'recorded before hashes were kept');
  const d = diffPlans(a, old, { startupConfigs: { [tor0]: 'h2' } });
  assert.deepEqual(d.changedNodes, [{ node: 'tor0', keys: ['startup-config contents'] }]);
  const s = applySteps(a, old, d);
  assert.deepEqual(s.removeContainers, ['tor0']);
  assert.deepEqual(s.createNodes, ['tor0']);
  assert.deepEqual(s.createLinks, ['control-plane:eth1 -- tor0:eth1', 'server1:eth1 -- tor0:eth2']);
  assert.deepEqual(s.leaveCluster, []);
  assert.match(formatDiff('ap', d, s), /^-\/\+ node tor0 \(container made again: startup-config contents changed\)$/m);
});
