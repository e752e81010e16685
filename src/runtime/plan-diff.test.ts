import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTopology, planLab, type LabPlan } from '../topology/index.js';
import { appliedPlan, applySteps, diffPlans, formatDiff, isEmptyDiff, linkKey, pinMgmtAddresses } from './plan-diff.js';

function plan(nodes: string, links: string, extra = ''): LabPlan {
  return planLab(parseTopology(`name: ap\n${extra}topology:\n  nodes:\n${nodes}  links:\n${links}`, { file: 'topo.yaml', dir: '/tmp' }));
}

const NODES = `    r1: { kind: linux, image: kindlab/base, exec: ["ip addr add 10.0.0.1/31 dev eth1"] }
    r2: { kind: linux, image: kindlab/base }
    h1: { kind: linux, image: kindlab/base, network-mode: "container:r2" }
`;
const LINKS = `    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r1:eth2", "h1:eth3"]
`;

test('the same topology (reformatted) is no change', () => {
  const old = appliedPlan(plan(NODES, LINKS));
  // a blank line and a comment move every position
  const d = diffPlans(old, plan(`\n    # moved\n${NODES}`, LINKS));
  assert.ok(isEmptyDiff(d), JSON.stringify(d));
  assert.match(formatDiff('ap', d, applySteps(old, plan(NODES, LINKS), d)), /no changes/);
});

test('a node and a link added, a link removed: only those, nothing else made again', () => {
  const old = appliedPlan(plan(NODES, LINKS));
  const next = plan(`${NODES}    r3: { kind: linux, image: kindlab/base }\n`, `    - endpoints: ["r1:eth1", "r2:eth1"]\n    - endpoints: ["r2:eth2", "r3:eth1"]\n`);
  const d = diffPlans(old, next);
  assert.deepEqual(d.addedNodes, ['r3']);
  assert.deepEqual(d.removedNodes, []);
  assert.deepEqual(d.changedNodes, []);
  assert.deepEqual(d.addedLinks, ['r2:eth2 -- r3:eth1']);
  assert.deepEqual(d.removedLinks, ['h1:eth3 -- r1:eth2']);
  const s = applySteps(old, next, d);
  assert.deepEqual(s.removeContainers, []);
  assert.deepEqual(s.createNodes, ['r3']);
  assert.deepEqual(s.deleteLinks, ['h1:eth3 -- r1:eth2']);
  assert.deepEqual(s.createLinks, ['r2:eth2 -- r3:eth1']);
  assert.deepEqual(s.restartSharers, []);
  const text = formatDiff('ap', d, s);
  assert.match(text, /^ {2}\+ node r3$/m);
  assert.match(text, /^ {2}\+ link r2:eth2 -- r3:eth1$/m);
  assert.match(text, /^ {2}- link h1:eth3 -- r1:eth2$/m);
  assert.match(text, /Plan: 1 node to add, 0 nodes to change, 0 nodes to remove; 1 link to add, 1 link to remove\./);
});

test('a removed sharer leaves its link ends in its owner\'s namespace: they are deleted by hand', () => {
  const old = appliedPlan(plan(NODES, LINKS));
  const next = plan(`    r1: { kind: linux, image: kindlab/base, exec: ["ip addr add 10.0.0.1/31 dev eth1"] }\n    r2: { kind: linux, image: kindlab/base }\n`, `    - endpoints: ["r1:eth1", "r2:eth1"]\n`);
  const d = diffPlans(old, next);
  assert.deepEqual(d.removedNodes, ['h1']);
  assert.deepEqual(d.removedLinks, ['h1:eth3 -- r1:eth2']);
  const s = applySteps(old, next, d);
  assert.deepEqual(s.removeContainers, ['h1']);
  // h1's end lives in r2's namespace, which stays: the link must be deleted by hand
  assert.deepEqual(s.deleteLinks, ['h1:eth3 -- r1:eth2']);
  assert.deepEqual(s.createLinks, []);
});

test('an image change re-makes that node, its links and its sharers; exec-only changes run the added lines', () => {
  const old = appliedPlan(plan(NODES, LINKS));
  const next = plan(
    `    r1: { kind: linux, image: kindlab/base, exec: ["ip addr add 10.0.0.1/31 dev eth1", "sysctl -w net.ipv4.ip_forward=1"] }\n    r2: { kind: linux, image: kindlab/rootfs }\n    h1: { kind: linux, image: kindlab/base, network-mode: "container:r2" }\n`,
    LINKS,
  );
  const d = diffPlans(old, next);
  assert.deepEqual(d.changedNodes, [{ node: 'r2', keys: ['image'] }]);
  assert.deepEqual(d.execChanges, [{ node: 'r1', added: ['sysctl -w net.ipv4.ip_forward=1'], removed: [] }]);
  const s = applySteps(old, next, d);
  assert.deepEqual(s.removeContainers, ['r2']);
  assert.deepEqual(s.createNodes, ['r2']);
  assert.deepEqual(s.restartSharers, ['h1']);
  assert.deepEqual(s.createLinks.sort(), ['h1:eth3 -- r1:eth2', 'r1:eth1 -- r2:eth1']);
  assert.deepEqual(s.execLines, [{ node: 'r1', lines: ['sysctl -w net.ipv4.ip_forward=1'] }]);
  const text = formatDiff('ap', d, s);
  assert.match(text, /^-\/\+ node r2 \(container made again: image changed\)$/m);
  assert.match(text, /^ {6}\+ exec: sysctl -w net\.ipv4\.ip_forward=1$/m);
  assert.match(text, /^ {2}~ node h1 \(restarted/m);
});

test('a link with new addresses is made again; a changed mgmt subnet is lab-wide', () => {
  const old = appliedPlan(plan(NODES, LINKS));
  const next = plan(NODES, `    - endpoints: ["r1:eth1", "r2:eth1"]\n      mtu: 9000\n    - endpoints: ["r1:eth2", "h1:eth3"]\n`);
  const d = diffPlans(old, next);
  assert.deepEqual(d.addedLinks, ['r1:eth1 -- r2:eth1']);
  assert.deepEqual(d.removedLinks, ['r1:eth1 -- r2:eth1']);
  assert.equal(d.fixedChanged, false);
  assert.match(formatDiff('ap', d, applySteps(old, next, d)), /^-\/\+ link r1:eth1 -- r2:eth1 \(settings changed\)$/m);
  const moved = diffPlans(old, plan(NODES, LINKS, 'mgmt: { ipv4-subnet: 172.31.99.0/24 }\n'));
  assert.equal(moved.fixedChanged, true);
});

test('kept nodes keep their management addresses when a node is added before them', () => {
  const old = appliedPlan(plan(NODES, LINKS));
  const next = plan(`    r0: { kind: linux, image: kindlab/base }\n${NODES}`, LINKS);
  const byOld = new Map(old.nodes.map((n) => [n.name, n.mgmtIPv4]));
  // the plan alone moves r1's address (r0 takes it)
  assert.equal(next.nodes.find((n) => n.name === 'r0')!.mgmtIPv4, byOld.get('r1'));
  let i = 50;
  const pinned = pinMgmtAddresses(old, next, (taken) => {
    while (taken.has(`172.20.20.${i}`)) i++;
    return `172.20.20.${i}`;
  });
  for (const n of ['r1', 'r2']) assert.equal(pinned.nodes.find((x) => x.name === n)!.mgmtIPv4, byOld.get(n));
  const r0 = pinned.nodes.find((n) => n.name === 'r0')!.mgmtIPv4;
  assert.ok(r0 && ![...byOld.values()].includes(r0), r0);
  const d = diffPlans(old, pinned);
  assert.deepEqual(d.changedNodes, []);
  assert.deepEqual(d.addedNodes, ['r0']);
});

test('linkKey is order-free and names special link types', () => {
  const p = plan(NODES, `    - endpoints: ["r2:eth1", "r1:eth1"]\n    - type: dummy\n      endpoint: { node: r1, interface: dummy0 }\n`);
  assert.deepEqual(p.links.map(linkKey), ['r1:eth1 -- r2:eth1', 'r1:dummy0 (dummy)']);
});

test('a removed node takes its links with its container', () => {
  const old = appliedPlan(plan(NODES, LINKS));
  // r2 would move down to r1's address: pinned, it keeps its own
  const next = pinMgmtAddresses(old, plan(`    r2: { kind: linux, image: kindlab/base }\n    h1: { kind: linux, image: kindlab/base, network-mode: "container:r2" }\n`, `    []\n`), () => undefined);
  const d = diffPlans(old, next);
  assert.deepEqual(d.removedNodes, ['r1']);
  const s = applySteps(old, next, d);
  assert.deepEqual(s.removeContainers, ['r1']);
  assert.deepEqual(s.deleteLinks, []);
});
