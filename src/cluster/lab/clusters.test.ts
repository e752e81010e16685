/** Choosing one of a lab's clusters: by kind's name or kubectl's context name, the CLUSTER/pod/… form, errors naming the known ones. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KindlabError } from '../../errors.js';
import { parseTopology, planLab } from '../../topology/index.js';
import { clusterPlan, labClusterNames, splitClusterRef } from './clusters.js';
import { hostPaths } from './plan.js';

const dir = mkdtempSync(join(tmpdir(), 'kindlab-clusters-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'k.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n');
const two = planLab(parseTopology('name: two\ntopology:\n  nodes:\n    r: {kind: linux, image: alpine}\n    k01: {kind: k8s-kind, startup-config: k.yaml}\n    k02: {kind: k8s-kind, startup-config: k.yaml}\n', { file: join(dir, 'topo.yaml'), dir }));
const one = planLab(parseTopology('name: one\ncluster: {nodes: [{role: control-plane}]}\n', { file: join(dir, 'one.yaml'), dir }));
const none = planLab(parseTopology('name: none\ntopology:\n  nodes:\n    r: {kind: linux, image: alpine}\n', { file: join(dir, 'none.yaml'), dir }));

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof KindlabError, String(e));
    return `${e.message}${e.hint ? ` | ${e.hint}` : ''}`;
  }
  return assert.fail('expected an error');
};

describe('lab clusters', () => {
  it('names, first first; the default is the first; a view holds only its own Kubernetes nodes and its own files', () => {
    assert.deepEqual(labClusterNames(two), ['k01', 'k02']);
    assert.deepEqual(labClusterNames(one), ['one']);
    assert.deepEqual(labClusterNames(none), []);
    assert.equal(clusterPlan(two).cluster!.spec.name, 'k01');
    const k02 = clusterPlan(two, 'k02');
    assert.equal(k02.cluster!.spec.name, 'k02');
    assert.deepEqual(k02.nodes.filter((n) => n.k8s).map((n) => n.name), ['k02-control-plane']);
    assert.ok(k02.nodes.some((n) => n.name === 'r'), 'the other nodes stay');
    assert.equal(hostPaths.kubeconfig(k02), join(two.labDir, 'k02', 'kubeconfig'));
    assert.equal(hostPaths.kubeconfig(clusterPlan(one)), join(one.labDir, 'kubeconfig'));
    assert.equal(clusterPlan(clusterPlan(two, 'k02')).cluster!.spec.name, 'k02', 'a view stays itself');
  });

  it("kubectl's context name kind-NAME is the cluster NAME", () => {
    assert.equal(clusterPlan(two, 'kind-k02').cluster!.spec.name, 'k02');
    assert.equal(clusterPlan(one, 'kind-one').cluster!.spec.name, 'one');
  });

  it('an unknown cluster is named with the known ones; a lab without a cluster says so', () => {
    assert.equal(message(() => clusterPlan(two, 'k03')), 'lab two has no cluster "k03" (its clusters: k01, k02) | choose one with --cluster k01');
    assert.match(message(() => clusterPlan(none, 'x')), /^lab none has no cluster \(its topology has no cluster: section or k8s-kind node\)/);
    assert.match(message(() => clusterPlan(none)), /^lab none has no cluster/);
  });

  it('CLUSTER/pod/… and CLUSTER/svc/… carry their cluster; other strings are left alone', () => {
    assert.deepEqual(splitClusterRef('k02/pod/nettool'), { cluster: 'k02', ref: 'pod/nettool' });
    assert.deepEqual(splitClusterRef('k02/svc/kube-system/dns'), { cluster: 'k02', ref: 'svc/kube-system/dns' });
    for (const s of ['pod/nettool', 'pod/ns/name', 'svc/x', 'router1', 'k02/router', '/pod/x']) assert.deepEqual(splitClusterRef(s), { ref: s }, s);
  });
});
