/** Verify with several clusters in one lab: CLUSTER/pod/… references, unknown clusters refused at their line, derived checks per cluster. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { TopologyError } from '../errors.js';
import { parseTopology, planLab } from '../topology/index.js';
import type { Node, Pod } from '../cluster/client/index.js';
import { objectAddress, parseObjectRef, type ClusterLookup } from './cluster.js';
import { LabContext } from './context.js';
import { deriveClusterChecks } from './derive-cluster.js';
import { loadExpectations } from './expectations.js';

const dir = mkdtempSync(join(tmpdir(), 'kindlab-verify-clusters-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'k.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n');
const topo = (verify: string) => `name: two
topology:
  nodes:
    r: {kind: linux, image: alpine}
    k01: {kind: k8s-kind, startup-config: k.yaml}
    k02: {kind: k8s-kind, startup-config: k.yaml}
${verify}`;
const plan = (verify = '') => planLab(parseTopology(topo(verify), { file: join(dir, 'topo.yaml'), dir }));

const pod = (name: string, ip: string): Pod => ({ metadata: { name, namespace: 'default' }, spec: { containers: [], nodeName: 'x' }, status: { phase: 'Running', podIP: ip } });
const node = (name: string, cidr: string): Node => ({ metadata: { name }, spec: { podCIDR: cidr } });
/** Two clusters' API answers, as kubeLookup gives them (a stand-in for the API servers: the lookup is the seam). */
const DATA: Record<string, { pods: Pod[]; nodes: Node[] }> = {
  k01: { pods: [pod('a', '10.244.0.5'), pod('b', '10.244.0.6')], nodes: [node('k01-control-plane', '10.244.0.0/24')] },
  k02: { pods: [pod('a', '10.245.0.5'), pod('c', '10.245.0.7')], nodes: [node('k02-control-plane', '10.245.0.0/24')] },
};
const lookup: ClusterLookup = {
  pod: async (ns, name, c = 'k01') => DATA[c]!.pods.find((p) => p.metadata.name === name)!,
  service: async () => assert.fail('no services'),
  pods: async (c = 'k01') => DATA[c]!.pods,
  nodes: async (c = 'k01') => DATA[c]!.nodes,
  names: () => ['k01', 'k02'],
  close: () => {},
};

describe('verify with two clusters', () => {
  test('CLUSTER/pod/NAME is that cluster\'s pod; pod/NAME the first cluster\'s', async () => {
    assert.deepEqual(parseObjectRef('k02/pod/a'), { type: 'pod', namespace: 'default', name: 'a', ref: 'k02/pod/a', cluster: 'k02' });
    assert.equal(await objectAddress(lookup, parseObjectRef('k02/pod/a')!), '10.245.0.5');
    assert.equal(await objectAddress(lookup, parseObjectRef('pod/a')!), '10.244.0.5');
  });

  test('checks naming a cluster: accepted when it exists, refused at their position when not', () => {
    const s = loadExpectations(plan('verify:\n- ping: {from: k01/pod/a, to: k02/pod/c}\n'));
    assert.deepEqual(s.checks.map((c) => c.kind === 'ping' && [c.from, c.to]), [['k01/pod/a', { type: 'object', ref: 'k02/pod/c' }]]);
    try {
      loadExpectations(plan('verify:\n- ping: {from: k03/pod/a, to: r}\n'));
      assert.fail('expected a TopologyError');
    } catch (e) {
      assert.ok(e instanceof TopologyError, String(e));
      assert.deepEqual(e.issues.map((i) => `${i.line}:${i.col} ${i.message}`), ['8:16 "k03/pod/a": the lab has no cluster "k03" (its clusters: k01, k02)']);
    }
  });

  test('derived: every cluster\'s pod CIDRs; each cluster\'s pods ping each other, named with their cluster', async () => {
    const noDaemons = async () => ({ exitCode: 1, stdout: '', stderr: '' });
    const checks = await deriveClusterChecks(new LabContext(plan(), noDaemons, lookup));
    assert.deepEqual(checks.map((c) => c.name), ['k01/pod/default/a → k01/pod/default/b', 'k01/pod/default/b → k01/pod/default/a', 'k02/pod/default/a → k02/pod/default/c', 'k02/pod/default/c → k02/pod/default/a']);
  });

  test('derived, with a router joining the clusters: every cluster\'s pod CIDRs on it, and pods ping across clusters both ways', async () => {
    const frrOnR = async (node: string) => ({ exitCode: 0, stdout: node === 'r' ? '/usr/lib/frr/bgpd -d -F traditional\n' : '', stderr: '' });
    const checks = await deriveClusterChecks(new LabContext(plan(), frrOnR, lookup));
    const names = checks.map((c) => c.name);
    assert.deepEqual(names.filter((n) => n.startsWith('r has')), ['r has pod CIDR 10.244.0.0/24 of k01-control-plane', 'r has pod CIDR 10.245.0.0/24 of k02-control-plane']);
    const pings = names.filter((n) => n.includes(' → '));
    assert.equal(pings.length, 12, pings.join('\n'));
    for (const n of ['k01/pod/default/a → k02/pod/default/c', 'k02/pod/default/c → k01/pod/default/a', 'k01/pod/default/b → k02/pod/default/a', 'k02/pod/default/a → k01/pod/default/a']) assert.ok(pings.includes(n), n);
  });
});
