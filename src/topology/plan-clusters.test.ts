/** Several kind clusters in one lab: names, subnets moved apart or refused, API ports, kubeconfigs. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKindCluster } from '../cluster/kind-config.js';
import { planClusters, shiftedDefault } from './plan-clusters.js';

const pos = (line: number) => ({ file: 'topo.yaml', line, col: 5 });
const at = (cfg: Record<string, unknown>, line: number) => ({ spec: parseKindCluster(cfg), pos: pos(line) });

test('two clusters with kind defaults (containerlab k8s-kind example): distinct pod/service subnets, names, kubeconfigs', () => {
  const r = planClusters([at({ name: 'k01', nodes: [{ role: 'control-plane' }, { role: 'worker' }] }, 3), at({ name: 'k02' }, 6)]);
  assert.deepEqual(r.issues, []);
  assert.deepEqual(r.clusters.map((c) => [c.name, c.podSubnet, c.serviceSubnet, c.kubeconfig, c.nodeNames]), [
    ['k01', '10.244.0.0/16', '10.96.0.0/16', 'k01/kubeconfig', ['k01-control-plane', 'k01-worker']],
    ['k02', '10.245.0.0/16', '10.97.0.0/16', 'k02/kubeconfig', ['k02-control-plane']],
  ]);
});

test('a defaulted subnet moves around one the user wrote; dual-stack moves both families', () => {
  const r = planClusters([at({ name: 'a', networking: { ipFamily: 'dual' } }, 3), at({ name: 'b', networking: { podSubnet: '10.244.0.0/16' } }, 6)]);
  assert.deepEqual(r.issues, []);
  assert.equal(r.clusters[0]!.podSubnet, '10.245.0.0/16,fd00:10:244::/56');
  assert.equal(r.clusters[1]!.podSubnet, '10.244.0.0/16');
  const d = planClusters([at({ name: 'a', networking: { ipFamily: 'dual' } }, 3), at({ name: 'b', networking: { ipFamily: 'ipv6' } }, 6)]);
  assert.equal(d.clusters[1]!.podSubnet, 'fd00:10:245::/56');
  assert.equal(shiftedDefault('fd00:10:96::/112', 1), 'fd00:10:97::/112');
});

test('overlapping written subnets, a reused name and a reused API port are refused at the cluster', () => {
  const r = planClusters([
    at({ name: 'x', networking: { podSubnet: '10.1.0.0/16', apiServerPort: 6443 } }, 3),
    at({ name: 'x', networking: { podSubnet: '10.1.128.0/17', apiServerPort: 6443 } }, 9),
  ]);
  assert.deepEqual(r.issues.map((i) => `${i.pos.line}: ${i.message}`), [
    '9: cluster x: podSubnet 10.1.128.0/17 overlaps podSubnet 10.1.0.0/16 of cluster x; clusters on one fabric need distinct subnets',
    '9: cluster name x is used twice (also at topo.yaml:3:5); its node containers would clash',
    "9: cluster x: networking.apiServerPort 6443 is also cluster x's",
  ]);
});
