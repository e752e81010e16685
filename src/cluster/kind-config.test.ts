import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KindlabError } from '../errors.js';
import { loadKindClusterFile, parseKindCluster } from './kind-config.js';

const fixture = (f: string) => new URL(`../../test/fixtures/${f}`, import.meta.url).pathname;

test('the Cilium article cluster.yaml, verbatim: kind names, node IPs, rack labels, pod subnet', () => {
  const c = loadKindClusterFile(fixture('k8s/cluster.yaml'));
  assert.equal(c.name, 'clab-bgp-cplane-demo');
  assert.equal(c.podSubnet, '10.1.0.0/16');
  assert.equal(c.serviceSubnet, '10.96.0.0/16');
  assert.equal(c.disableDefaultCNI, true);
  assert.deepEqual(
    c.nodes.map((n) => [n.name, n.role, n.nodeIP, n.labels.rack]),
    [
      ['clab-bgp-cplane-demo-control-plane', 'control-plane', '10.0.1.2', 'rack0'],
      ['clab-bgp-cplane-demo-worker', 'worker', '10.0.2.2', 'rack0'],
      ['clab-bgp-cplane-demo-worker2', 'worker', '10.0.3.2', 'rack1'],
      ['clab-bgp-cplane-demo-worker3', 'worker', '10.0.4.2', 'rack1'],
    ],
  );
});

test('defaults: one control-plane named kind-control-plane, kind subnets; multi-label node-labels and v1beta4 args', () => {
  const d = parseKindCluster({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4' });
  assert.deepEqual(d.nodes.map((n) => n.name), ['kind-control-plane']);
  assert.equal(d.podSubnet, '10.244.0.0/16');
  const c = parseKindCluster({
    name: 'lab',
    networking: { apiServerAddress: '127.0.0.1', apiServerPort: 6443, ipFamily: 'ipv4' },
    nodes: [
      { role: 'control-plane', labels: { zone: 'z1' } },
      { role: 'control-plane' },
      { role: 'worker', kubeadmConfigPatches: ['kind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n  - name: node-labels\n    value: "rack=rack0,a=b"\n'] },
    ],
  });
  assert.deepEqual(c.nodes.map((n) => n.name), ['lab-control-plane', 'lab-control-plane2', 'lab-worker']);
  assert.deepEqual(c.nodes[0]!.labels, { zone: 'z1' });
  assert.deepEqual(c.nodes[2]!.labels, { rack: 'rack0', a: 'b' });
  assert.equal(c.apiServerPort, 6443);
});

test('errors name every bad key', () => {
  try {
    loadKindClusterFile(fixture('kind/invalid-role.yaml'));
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof KindlabError && e.code === 'CLUSTER_CONFIG');
    assert.match(e.message, /networking\.podSubnet: "10\.1\.0\.0\/33" is not a valid CIDR/);
    assert.match(e.message, /nodes\[0\]\.role: must be "control-plane" or "worker" \(got "master"\)/);
    assert.match(e.message, /nodes\[1\]\.kubeadmConfigPatches: node-ip: "10\.0\.2\.300" is not an IP address/);
  }
  assert.throws(() => parseKindCluster({ nodes: [{ role: 'worker', extraThing: 1 }] }), (e: Error) =>
    /nodes\[0\]\.extraThing: unknown field/.test(e.message) && /needs at least one node with role control-plane/.test(e.message));
});

test('topology cluster section: inline, or config: FILE relative to the topology, with a name override', async () => {
  const { loadClusterSection } = await import('./kind-config.js');
  const dir = fixture('k8s');
  assert.equal(loadClusterSection({ config: 'cluster.yaml' }, dir).nodes.length, 4);
  const renamed = loadClusterSection({ config: 'cluster.yaml', name: 'demo' }, dir);
  assert.deepEqual(renamed.nodes.map((n) => n.name).slice(0, 2), ['demo-control-plane', 'demo-worker']);
  assert.equal(loadClusterSection({ nodes: [{ role: 'control-plane' }] }, dir, 'lab1').nodes[0]!.name, 'lab1-control-plane');
  assert.throws(() => loadClusterSection({ config: 'cluster.yaml', nodes: [] }, dir), /cluster\.nodes: not allowed next to cluster\.config/);
});
