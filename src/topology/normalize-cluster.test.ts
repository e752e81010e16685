/** The topology's cluster: section → k8s-node nodes, kind's names, aliases, manifests, errors with positions. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError } from '../errors.js';
import { loadPlan, parseTopology, planLab } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'kindlab-cluster-topo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function issuesOf(fn: () => unknown): TopologyError['issues'] {
  try {
    fn();
  } catch (e) {
    if (e instanceof TopologyError) return e.issues;
    throw e;
  }
  assert.fail('expected a TopologyError');
}

const INLINE = `name: demo
cluster:
  networking: {podSubnet: 10.1.0.0/16}
  nodes:
  - role: control-plane
  - role: worker
    labels: {rack: rack1}
  - role: worker
topology:
  nodes:
    h1: {kind: linux, image: nicolaka/netshoot:latest, network-mode: "container:worker"}
    h2: {kind: linux, image: nicolaka/netshoot:latest, network-mode: "container:demo-worker2"}
  links:
  - endpoints: ["h1:net0", "demo-control-plane:net0"]
`;

describe('cluster section', () => {
  it('makes k8s-node nodes named kind\'s way, first in the plan, with mgmt addresses', () => {
    const plan = planLab(parseTopology(INLINE, { file: 'topo.yaml', dir }));
    const k = plan.nodes.filter((n) => n.kind === 'k8s-node');
    assert.deepEqual(k.map((n) => [n.name, n.containerName, n.k8s?.role, n.k8s?.index]), [
      ['control-plane', 'demo-control-plane', 'control-plane', 0],
      ['worker', 'demo-worker', 'worker', 1],
      ['worker2', 'demo-worker2', 'worker', 2],
    ]);
    assert.deepEqual(plan.nodes.slice(0, 3).map((n) => n.name), ['control-plane', 'worker', 'worker2']);
    assert.equal(k[0]!.image, 'kindlab/base:latest');
    assert.deepEqual(k[1]!.k8s?.labels, { rack: 'rack1' });
    assert.ok(k.every((n) => n.mgmtIPv4));
    assert.equal(plan.cluster?.spec.name, 'demo', 'cluster name defaults to the lab name');
    assert.equal(plan.cluster?.spec.podSubnet, '10.1.0.0/16');
  });

  it('resolves network-mode and links written with the short or the container name', () => {
    const plan = planLab(parseTopology(INLINE, { file: 'topo.yaml', dir }));
    const h1 = plan.nodes.find((n) => n.name === 'h1')!;
    const h2 = plan.nodes.find((n) => n.name === 'h2')!;
    assert.deepEqual(h1.networkMode, { type: 'container', node: 'worker' });
    assert.deepEqual(h2.networkMode, { type: 'container', node: 'worker2' });
    assert.equal(h2.netnsOwner, 'worker2');
    assert.deepEqual(h2.dependsOn, ['worker2']);
    assert.deepEqual(plan.links[0]!.endpoints.map((e) => e.node), ['h1', 'control-plane']);
  });

  it('the Cilium article lab: cluster.yaml by config:, servers in the kind nodes\' netns, manifests', async () => {
    const file = fileURLToPath(new URL('../../labs/cilium-bgp/topo.yaml', import.meta.url));
    const plan = await loadPlan(file, { env: {} });
    const k = plan.nodes.filter((n) => n.k8s);
    assert.deepEqual(k.map((n) => n.containerName), ['clab-bgp-cplane-demo-control-plane', 'clab-bgp-cplane-demo-worker', 'clab-bgp-cplane-demo-worker2', 'clab-bgp-cplane-demo-worker3']);
    assert.deepEqual(k.map((n) => n.k8s!.nodeIP), ['10.0.1.2', '10.0.2.2', '10.0.3.2', '10.0.4.2']);
    assert.deepEqual(k.map((n) => n.k8s!.labels.rack), ['rack0', 'rack0', 'rack1', 'rack1']);
    assert.deepEqual(['server0', 'server1', 'server2', 'server3'].map((s) => plan.nodes.find((n) => n.name === s)!.netnsOwner), ['control-plane', 'worker', 'worker2', 'worker3']);
    assert.equal(plan.nodes.find((n) => n.name === 'router0')!.containerName, 'clab-bgp-cplane-demo-router0');
    assert.deepEqual(plan.cluster!.manifests.map((m) => m.path.split('/').pop()), ['cilium-bgp-peering-policies.yaml', 'nettool.yaml']);
    assert.match(plan.cluster!.configFile!, /labs\/cilium-bgp\/cluster\.yaml$/);
  });

  it('a k8s-node entry in topology.nodes adds settings to the cluster node', () => {
    const text = `name: x\ncluster: {nodes: [{role: control-plane}]}\ntopology:\n  nodes:\n    control-plane: {kind: k8s-node, mgmt-ipv4: 172.20.20.9, exec: ["ip addr add 10.0.0.1/32 dev lo"]}\n`;
    const plan = planLab(parseTopology(text, { file: 'topo.yaml', dir }));
    assert.equal(plan.nodes.length, 1);
    assert.equal(plan.nodes[0]!.mgmtIPv4, '172.20.20.9');
    assert.deepEqual(plan.nodes[0]!.exec, ['ip addr add 10.0.0.1/32 dev lo']);
    assert.equal(plan.nodes[0]!.containerName, 'x-control-plane');
  });
});

describe('cluster section errors', () => {
  it('inline kind config problems point into the topology file', () => {
    const text = `name: x\ncluster:\n  nodes:\n  - role: master\n`;
    const [i] = issuesOf(() => parseTopology(text, { file: 'topo.yaml', dir }));
    assert.equal(i!.line, 4);
    assert.equal(i!.path, 'cluster.nodes[0].role');
    assert.match(i!.message, /control-plane.*worker/);
  });

  it('an inline cluster.config: block (defect 11): its problems at their own line, not at the config key', () => {
    const text = 'name: x\ncluster:\n  config:\n    kind: Cluster\n    apiVersion: kind.x-k8s.io/v1alpha4\n    nodes:\n    - role: control-plane\n    - role: wrker\n';
    const [i] = issuesOf(() => parseTopology(text, { file: 'topo.yaml', dir }));
    assert.equal(i!.path, 'cluster.config.nodes[1].role');
    assert.deepEqual([i!.line, i!.col], [8, 13]);
    // and a valid one plans its nodes, named as its name says
    const ok = planLab(parseTopology('name: x\ncluster:\n  name: inl\n  config:\n    kind: Cluster\n    nodes: [{role: control-plane}, {role: worker}]\n', { file: 'topo.yaml', dir }));
    assert.deepEqual(ok.nodes.map((n) => n.containerName), ['inl-control-plane', 'inl-worker']);
    // a `config: |` text block is no file name: said at the config value
    const [t] = issuesOf(() => parseTopology('name: x\ncluster:\n  config: |\n    kind: Cluster\n', { file: 'topo.yaml', dir }));
    assert.equal(t!.line, 3);
    assert.match(t!.message, /holds YAML text here/);
  });

  it('problems in a cluster.yaml named by config: point into that file', () => {
    writeFileSync(join(dir, 'bad-cluster.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnet: 10.1.0.0/33\nnodes:\n- role: control-plane\n');
    const [i] = issuesOf(() => parseTopology('name: x\ncluster: {config: bad-cluster.yaml}\n', { file: 'topo.yaml', dir }));
    assert.equal(i!.file, join(dir, 'bad-cluster.yaml'));
    assert.equal(i!.line, 4);
    assert.match(i!.message, /not a valid CIDR/);
  });

  it('a missing config file, a stray key next to config, a missing manifest', () => {
    mkdirSync(join(dir, 'm'), { recursive: true });
    const text = `name: x\ncluster:\n  config: nope.yaml\n  nodes: []\nmanifests: [m, missing.yaml]\n`;
    const t = () => planLab(parseTopology(text, { file: 'topo.yaml', dir }));
    const issues = issuesOf(t);
    assert.ok(issues.some((i) => i.path === 'cluster.config' && i.line === 3 && /cannot be read/.test(i.message)));
    assert.ok(issues.some((i) => i.path === 'cluster.nodes' && i.line === 4));
  });

  it('manifests that do not exist are reported at their entry (when files are checked)', async () => {
    writeFileSync(join(dir, 'm.yaml'), `name: x\ncluster: {}\nmanifests:\n- here.yaml\n- gone.yaml\n`);
    writeFileSync(join(dir, 'here.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    const issues = await loadPlan(join(dir, 'm.yaml'), { env: {} }).then(() => [], (e: TopologyError) => e.issues);
    assert.deepEqual(issues.map((i) => [i.line, i.path]), [[5, 'manifests[1]']]);
  });

  it('k8s-node without a cluster, a node clashing with a cluster node, a non-loopback API address', () => {
    const a = issuesOf(() => parseTopology('name: x\ntopology:\n  nodes:\n    n1: {kind: k8s-node}\n', { file: 't.yaml', dir }));
    assert.match(a[0]!.message, /no cluster section/);
    const b = issuesOf(() => parseTopology('name: x\ncluster: {}\ntopology:\n  nodes:\n    control-plane: {kind: linux, image: debian}\n', { file: 't.yaml', dir }));
    assert.match(b[0]!.message, /clashes with node control-plane of cluster x/);
    assert.equal(b[0]!.line, 5);
    const c = issuesOf(() => parseTopology('name: x\ncluster:\n  networking: {apiServerAddress: 0.0.0.0}\n', { file: 't.yaml', dir }));
    assert.equal(c[0]!.path, 'cluster.networking.apiServerAddress');
    assert.match(c[0]!.message, /loopback only/);
  });

  it('manifests without a cluster', () => {
    const [i] = issuesOf(() => parseTopology('name: x\nmanifests: [a.yaml]\ntopology:\n  nodes:\n    n: {kind: linux, image: debian}\n', { file: 't.yaml', dir }));
    assert.equal(i!.path, 'manifests');
    assert.match(i!.message, /no cluster section/);
  });
});
