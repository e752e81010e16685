// Table cases after kube-controller-manager's daemon controller tests (pkg/controller/daemon:
// daemon_controller_test.go, update_test.go): launch per node, node selector and affinity,
// taints and the added tolerations, extra and failed pods, misscheduled pods, rolling update
// within maxUnavailable, OnDelete, and the status counts `kubectl rollout status ds` reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { K8sObject } from '../store/types.js';
import { daemonPod, daemonTolerations, isUpdated, planDaemonSet, scaledValue, shouldRunOn, templateHash } from './daemonset-plan.js';

type Obj = Record<string, unknown>;
const NOW = Date.parse('2026-01-01T00:10:00Z');

function node(name: string, o: { labels?: Record<string, string>; taints?: Obj[]; unschedulable?: boolean; ready?: boolean } = {}): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

function ds(podSpec: Obj = {}, o: { strategy?: Obj; generation?: number; image?: string; minReadySeconds?: number } = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: o.generation ?? 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: o.image ?? 'agent:v1' }], ...podSpec } },
      updateStrategy: o.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      ...(o.minReadySeconds ? { minReadySeconds: o.minReadySeconds } : {}),
    },
  };
}

let seq = 0;
function pod(d: K8sObject, nodeName: string, o: { ready?: boolean; phase?: string; created?: string; old?: boolean; readySince?: string } = {}): K8sObject {
  const p = daemonPod(o.old ? ds({}, { image: 'agent:v0' }) : d, nodeName, `p${seq++}`);
  p.metadata.creationTimestamp = o.created ?? '2026-01-01T00:00:00Z';
  const ready = o.ready ?? true;
  p.status = { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:00Z' }] };
  return p;
}

const names = (ps: K8sObject[]) => ps.map((p) => (p.spec as { nodeName: string }).nodeName).sort();

test('one pod per node, bound to it, with the revision labels and the controller reference', () => {
  const d = ds();
  const plan = planDaemonSet(d, [], [node('n1'), node('n2'), node('n3')], NOW);
  assert.deepEqual(plan.create, ['n1', 'n2', 'n3']);
  assert.deepEqual(plan.remove, []);
  const p = daemonPod(d, 'n2', 'abcde');
  assert.equal((p.spec as Obj).nodeName, 'n2');
  assert.equal(p.metadata.name, 'agent-abcde');
  assert.equal(p.metadata.labels!['controller-revision-hash'], templateHash(d));
  assert.equal(p.metadata.labels!['pod-template-generation'], '1');
  assert.equal(p.metadata.ownerReferences![0]!.uid, 'ds-uid');
  assert.equal(p.metadata.ownerReferences![0]!.controller, true);
});

test('a node that has its pod gets none; extra pods on a node go, the oldest stays', () => {
  const d = ds();
  const keep = pod(d, 'n1', { created: '2026-01-01T00:00:00Z' });
  const extra = pod(d, 'n1', { created: '2026-01-01T00:01:00Z' });
  const plan = planDaemonSet(d, [extra, keep], [node('n1'), node('n2')], NOW);
  assert.deepEqual(plan.create, ['n2']);
  assert.deepEqual(plan.remove, [extra]);
});

const selectorCases: Array<{ name: string; podSpec: Obj; labels: Record<string, string>; run: boolean }> = [
  { name: 'nodeSelector matches', podSpec: { nodeSelector: { disk: 'ssd' } }, labels: { disk: 'ssd' }, run: true },
  { name: 'nodeSelector does not match', podSpec: { nodeSelector: { disk: 'ssd' } }, labels: { disk: 'hdd' }, run: false },
  { name: 'nodeSelector key missing', podSpec: { nodeSelector: { disk: 'ssd' } }, labels: {}, run: false },
  { name: 'affinity In', podSpec: aff([{ key: 'zone', operator: 'In', values: ['a', 'b'] }]), labels: { zone: 'b' }, run: true },
  { name: 'affinity NotIn', podSpec: aff([{ key: 'zone', operator: 'NotIn', values: ['a'] }]), labels: { zone: 'a' }, run: false },
  { name: 'affinity NotIn with the key absent', podSpec: aff([{ key: 'zone', operator: 'NotIn', values: ['a'] }]), labels: {}, run: true },
  { name: 'affinity Exists', podSpec: aff([{ key: 'bgp', operator: 'Exists' }]), labels: { bgp: '' }, run: true },
  { name: 'affinity DoesNotExist', podSpec: aff([{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }]), labels: { 'node-role.kubernetes.io/control-plane': '' }, run: false },
  { name: 'affinity Gt', podSpec: aff([{ key: 'cores', operator: 'Gt', values: ['4'] }]), labels: { cores: '8' }, run: true },
  { name: 'affinity Lt not met', podSpec: aff([{ key: 'cores', operator: 'Lt', values: ['4'] }]), labels: { cores: '8' }, run: false },
  { name: 'every expression of a term must match', podSpec: aff([{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'bgp', operator: 'Exists' }]), labels: { zone: 'a' }, run: false },
  { name: 'terms are ORed', podSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'bgp', operator: 'Exists' }] }] } } } }, labels: { bgp: 'yes' }, run: true },
  { name: 'matchFields on metadata.name (how upstream pins a daemon pod)', podSpec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } }, labels: {}, run: true },
  { name: 'nodeSelector and affinity must both match', podSpec: { nodeSelector: { disk: 'ssd' }, ...aff([{ key: 'zone', operator: 'In', values: ['a'] }]) }, labels: { zone: 'a' }, run: false },
];
function aff(matchExpressions: Obj[]): Obj {
  return { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } } };
}
for (const c of selectorCases)
  test(`node selection: ${c.name}`, () => {
    assert.equal(shouldRunOn(ds(c.podSpec), node('n1', { labels: c.labels })).run, c.run);
  });

const CP = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
const taintCases: Array<{ name: string; taints: Obj[]; tolerations?: Obj[]; hostNetwork?: boolean; unschedulable?: boolean; ready?: boolean; run: boolean }> = [
  { name: 'control-plane NoSchedule taint, not tolerated', taints: [CP], run: false },
  { name: 'control-plane taint tolerated by key and Exists', taints: [CP], tolerations: [{ key: CP.key, operator: 'Exists', effect: 'NoSchedule' }], run: true },
  { name: 'the old master toleration does not cover the control-plane taint', taints: [CP], tolerations: [{ key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' }], run: false },
  { name: 'an Exists toleration without key tolerates everything', taints: [CP, { key: 'x', value: 'y', effect: 'NoExecute' }], tolerations: [{ operator: 'Exists' }], run: true },
  { name: 'Equal needs the value', taints: [{ key: 'dedicated', value: 'bgp', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'other', effect: 'NoSchedule' }], run: false },
  { name: 'Equal with the value', taints: [{ key: 'dedicated', value: 'bgp', effect: 'NoSchedule' }], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'bgp' }], run: true },
  { name: 'PreferNoSchedule does not keep a daemon away', taints: [{ key: 'soft', effect: 'PreferNoSchedule' }], run: true },
  { name: 'a NoExecute taint keeps it away', taints: [{ key: 'evict', effect: 'NoExecute' }], run: false },
  { name: 'toleration for the wrong effect', taints: [{ key: 'evict', effect: 'NoExecute' }], tolerations: [{ key: 'evict', operator: 'Exists', effect: 'NoSchedule' }], run: false },
  { name: 'not-ready taint: daemons tolerate it', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], ready: false, run: true },
  { name: 'unschedulable (cordoned) node: daemons still run', taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }], unschedulable: true, run: true },
  { name: 'network-unavailable: only host-network daemons tolerate it', taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }], run: false },
  { name: 'network-unavailable with hostNetwork', taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }], hostNetwork: true, run: true },
];
for (const c of taintCases)
  test(`taints: ${c.name}`, () => {
    const d = ds({ ...(c.tolerations ? { tolerations: c.tolerations } : {}), ...(c.hostNetwork ? { hostNetwork: true } : {}) });
    const n = node('n1', { taints: c.taints, ...(c.unschedulable ? { unschedulable: true } : {}), ...(c.ready === false ? { ready: false } : {}) });
    assert.equal(shouldRunOn(d, n).run, c.run);
  });

test('the added tolerations do not duplicate the template\'s own', () => {
  const t = daemonTolerations({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }] });
  assert.equal(t.filter((x) => x.key === 'node.kubernetes.io/not-ready').length, 1);
  assert.equal(t.length, 6);
});

test('pods on nodes that no longer match, and on deleted nodes, are deleted and counted misscheduled', () => {
  const d = ds({ nodeSelector: { bgp: 'on' } });
  const stay = pod(d, 'n1');
  const unselected = pod(d, 'n2');
  const orphan = pod(d, 'gone');
  const plan = planDaemonSet(d, [stay, unselected, orphan], [node('n1', { labels: { bgp: 'on' } }), node('n2')], NOW);
  assert.deepEqual(plan.create, []);
  assert.deepEqual(names(plan.remove), ['gone', 'n2']);
  assert.equal(plan.status.numberMisscheduled, 1);
  assert.equal(plan.status.desiredNumberScheduled, 1);
  assert.match(plan.skipped.get('n2')!, /node selector/);
});

test('a failed pod is deleted and replaced on the next pass, not in the same one', () => {
  const d = ds();
  const failed = pod(d, 'n1', { phase: 'Failed', ready: false });
  const plan = planDaemonSet(d, [failed], [node('n1')], NOW);
  assert.deepEqual(plan.remove, [failed]);
  assert.deepEqual(plan.create, []);
  assert.deepEqual(planDaemonSet(d, [], [node('n1')], NOW).create, ['n1']);
});

test('terminating pods are neither kept nor counted', () => {
  const d = ds();
  const p = pod(d, 'n1');
  p.metadata.deletionTimestamp = '2026-01-01T00:05:00Z';
  const plan = planDaemonSet(d, [p], [node('n1')], NOW);
  assert.deepEqual(plan.create, ['n1']);
  assert.equal(plan.status.currentNumberScheduled, 0);
});

test('rolling update, maxUnavailable 1: one available old pod at a time', () => {
  const d = ds({}, { image: 'agent:v2', generation: 2 });
  const olds = ['n1', 'n2', 'n3'].map((n) => pod(d, n, { old: true }));
  const plan = planDaemonSet(d, olds, ['n1', 'n2', 'n3'].map((n) => node(n)), NOW);
  assert.equal(plan.remove.length, 1);
  assert.equal(plan.status.updatedNumberScheduled, 0);
});

test('rolling update waits while a new pod is not yet available', () => {
  const d = ds({}, { image: 'agent:v2', generation: 2 });
  const pods = [pod(d, 'n1', { ready: false }), pod(d, 'n2', { old: true }), pod(d, 'n3', { old: true })];
  const plan = planDaemonSet(d, pods, ['n1', 'n2', 'n3'].map((n) => node(n)), NOW);
  assert.deepEqual(plan.remove, []);
  assert.equal(plan.status.updatedNumberScheduled, 1);
});

test('rolling update: a node without any pod counts as unavailable', () => {
  const d = ds({}, { image: 'agent:v2', generation: 2 });
  const plan = planDaemonSet(d, [pod(d, 'n2', { old: true })], [node('n1'), node('n2')], NOW);
  assert.deepEqual(plan.create, ['n1']);
  assert.deepEqual(plan.remove, []);
});

test('rolling update: old pods that are not available are replaced at once, beyond maxUnavailable', () => {
  const d = ds({}, { image: 'agent:v2', generation: 2 });
  const pods = ['n1', 'n2', 'n3'].map((n) => pod(d, n, { old: true, ready: false }));
  assert.equal(planDaemonSet(d, pods, ['n1', 'n2', 'n3'].map((n) => node(n)), NOW).remove.length, 3);
});

test('rolling update: maxUnavailable as a percent of the desired count, rounded up', () => {
  const d = ds({}, { image: 'agent:v2', generation: 2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } } });
  const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'].map((n) => node(n));
  const pods = nodes.map((n) => pod(d, n.metadata.name!, { old: true }));
  assert.equal(planDaemonSet(d, pods, nodes, NOW).remove.length, 3);
  assert.equal(scaledValue('50%', 5, 1), 3);
  assert.equal(scaledValue(2, 5, 1), 2);
  assert.equal(scaledValue('10%', 3, 1), 1);
});

test('OnDelete: old pods stay until someone deletes them; then the new template comes', () => {
  const d = ds({}, { image: 'agent:v2', generation: 2, strategy: { type: 'OnDelete' } });
  const old = pod(d, 'n1', { old: true });
  const plan = planDaemonSet(d, [old], [node('n1'), node('n2')], NOW);
  assert.deepEqual(plan.remove, []);
  assert.deepEqual(plan.create, ['n2']);
  assert.equal(plan.status.updatedNumberScheduled, 0);
  assert.equal(isUpdated(daemonPod(d, 'n1', 'x'), d), true);
});

test('status: the counts rollout status compares', () => {
  const d = ds({ nodeSelector: { bgp: 'on' } }, { generation: 3 });
  const on = { labels: { bgp: 'on' } };
  const pods = [pod(d, 'n1'), pod(d, 'n2', { ready: false }), pod(d, 'n3', { old: true })];
  const st = planDaemonSet(d, pods, [node('n1', on), node('n2', on), node('n3', on), node('n4', on), node('n5')], NOW).status;
  assert.deepEqual(st, { currentNumberScheduled: 3, numberMisscheduled: 0, desiredNumberScheduled: 4, numberReady: 2, observedGeneration: 3, updatedNumberScheduled: 2, numberAvailable: 2, numberUnavailable: 2 });
});

test('minReadySeconds: ready but not for long enough is not available', () => {
  const d = ds({}, { minReadySeconds: 60 });
  const fresh = pod(d, 'n1', { readySince: new Date(NOW - 10_000).toISOString() });
  const st = planDaemonSet(d, [fresh], [node('n1')], NOW).status;
  assert.equal(st.numberReady, 1);
  assert.equal(st.numberAvailable, 0);
});

test('a pod is updated when its revision hash or its template generation matches', () => {
  const d = ds({}, { image: 'agent:v2', generation: 4 });
  const p = daemonPod(d, 'n1', 'x');
  assert.equal(isUpdated(p, d), true);
  p.metadata.labels!['controller-revision-hash'] = 'other';
  assert.equal(isUpdated(p, d), true, 'generation still matches');
  p.metadata.labels!['pod-template-generation'] = '3';
  assert.equal(isUpdated(p, d), false);
});

test('the template hash changes with the template only', () => {
  const a = ds({}, { generation: 1 });
  const b = ds({}, { generation: 7 });
  assert.equal(templateHash(a), templateHash(b));
  assert.notEqual(templateHash(a), templateHash(ds({}, { image: 'agent:v2' })));
});
