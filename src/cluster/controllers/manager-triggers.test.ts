import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../apiserver/registry.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { findResource, GR } from '../apiserver/resources.js';
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import { changesOf, ControllerManager, stepsFor } from './manager.js';

test('changes: Leases and Events trigger no step; a kind no step reads runs all; gc only on an owner gone or a dependent made', () => {
  assert.deepEqual(changesOf({ type: 'MODIFIED', gr: GR.leases }), []);
  assert.deepEqual(changesOf({ type: 'ADDED', gr: GR.events }), []);
  assert.equal(changesOf({ type: 'ADDED', gr: 'ciliumbgppeeringpolicies.cilium.io' }), 'all');
  assert.deepEqual(stepsFor(new Set(changesOf({ type: 'MODIFIED', gr: GR.leases }) as string[])), []);
  const podPatched = stepsFor(new Set(changesOf({ type: 'MODIFIED', gr: GR.pods }) as string[]));
  assert.deepEqual(podPatched, ['replicasets', 'statefulsets', 'jobs', 'daemonsets', 'scheduler', 'endpoints']);
  assert.ok(stepsFor(new Set(changesOf({ type: 'ADDED', gr: GR.pods }) as string[])).includes('gc'));
  assert.ok(stepsFor(new Set(changesOf({ type: 'DELETED', gr: GR.replicasets }) as string[])).includes('gc'));
  assert.deepEqual(stepsFor(new Set(changesOf({ type: 'MODIFIED', gr: GR.nodes }) as string[])), ['nodes', 'daemonsets', 'scheduler']);
  assert.ok(stepsFor(new Set(changesOf({ type: 'MODIFIED', gr: GR.services }) as string[])).includes('lb-ipam'));
  assert.equal(stepsFor('all').length, 11);
});

function cluster(workers: number) {
  const store = new ObjectStore({ historySize: 100 });
  const spec = parseKindCluster({ name: 't', nodes: [{ role: 'control-plane' }, ...Array.from({ length: workers }, () => ({ role: 'worker' }))] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec);
  return { store, reg };
}
const until = async (f: () => boolean) => {
  for (let i = 0; i < 500 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(f());
};

test('manager: Lease renewals run no pass; a Deployment still rolls out through its ReplicaSet to scheduled pods', async () => {
  const { store, reg } = cluster(2);
  const ctl = new ControllerManager(reg, { resyncMs: 3_600_000 });
  ctl.start();
  try {
    await until(() => (ctl.runs.get('gc') ?? 0) >= 1);
    await new Promise((r) => setTimeout(r, 50));
    const before = new Map(ctl.runs);
    const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
    reg.create(LEASES, 'kube-node-lease', { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 't-worker', namespace: 'kube-node-lease' }, spec: { renewTime: new Date().toISOString() } });
    for (let i = 0; i < 20; i++) {
      const l = reg.get(LEASES, 'kube-node-lease', 't-worker');
      reg.update(LEASES, 'kube-node-lease', 't-worker', { ...l, spec: { renewTime: new Date(Date.now() + i).toISOString() } });
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(ctl.runs, before, 'no step ran for Lease writes');

    const DEPLOY = findResource('apps', 'v1', 'deployments')!;
    reg.create(DEPLOY, 'default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
    const scheduled = () => store.list(GR.pods, 'default').items.filter((p) => (p.spec as { nodeName?: string }).nodeName).length;
    await until(() => scheduled() === 3);
    // an owner gone: its dependents are collected without waiting for the resync
    const RS = findResource('apps', 'v1', 'replicasets')!;
    reg.delete(DEPLOY, 'default', 'd');
    await until(() => store.list(GR.replicasets, 'default').items.length === 0 && store.list(GR.pods, 'default').items.length === 0);
    assert.ok(RS);
  } finally {
    ctl.stop();
  }
});

test('manager: a step sees what an earlier step of the same pass wrote (lists are re-read after a write)', () => {
  const { store, reg } = cluster(1);
  const ctl = new ControllerManager(reg);
  const DEPLOY = findResource('apps', 'v1', 'deployments')!;
  reg.create(DEPLOY, 'default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 2, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
  // one pass: deployments makes the ReplicaSet, replicasets its pods, the scheduler binds them
  ctl.runPass();
  const pods = store.list(GR.pods, 'default').items;
  assert.equal(pods.length, 2);
  assert.ok(pods.every((p) => (p.spec as { nodeName?: string }).nodeName === 't-worker'));
});

test('scheduler: a Pending pod is fitted again when a Node changes, without waiting for the resync', async () => {
  const { store, reg } = cluster(2);
  const ctl = new ControllerManager(reg, { resyncMs: 3_600_000 });
  ctl.start();
  try {
    const PODS = findResource('', 'v1', 'pods')!;
    const NODES = findResource('', 'v1', 'nodes')!;
    for (const name of ['a', 'b']) reg.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeSelector: { rack: name }, containers: [{ name: 'c', image: 'busybox' }] } });
    const cond = (name: string) => ((store.get(GR.pods, 'default', name)!.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).find((c) => c.type === 'PodScheduled')?.status;
    await until(() => cond('a') === 'False' && cond('b') === 'False');
    // other pods change meanwhile (only they are fitted again); the Node change fits every Pending pod
    reg.create(PODS, 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'c', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await until(() => !!(store.get(GR.pods, 'default', 'c')!.spec as { nodeName?: string }).nodeName);
    const n = reg.get(NODES, undefined, 't-worker2');
    reg.update(NODES, undefined, 't-worker2', { ...n, metadata: { ...n.metadata, labels: { ...n.metadata.labels, rack: 'b' } } });
    await until(() => (store.get(GR.pods, 'default', 'b')!.spec as { nodeName?: string }).nodeName === 't-worker2');
    assert.equal(cond('a'), 'False');
  } finally {
    ctl.stop();
  }
});
