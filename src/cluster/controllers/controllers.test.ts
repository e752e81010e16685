import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { K8sObject } from '../store/types.js';
import { addressTypesFor, buildEndpointSlice, buildEndpointSlices, buildEndpoints, endpointSliceName } from './endpoints.js';
import { BOOTSTRAP_REASON, nodeReadyDecision, observeNode } from './node-lifecycle.js';
import { pickNode } from './scheduler.js';
import { newReplicaSet } from './rollout.js';
import { planReplicaSet, podFromTemplate, replicaSetStatus } from './workloads.js';

const desiredReplicaSet = (d: K8sObject) => newReplicaSet(d, 3, 1, 1);

const node = (name: string, labels: Record<string, string>, extra: Partial<{ ready: string; taints: unknown[]; unschedulable: boolean }> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels },
  spec: { ...(extra.taints ? { taints: extra.taints } : {}), ...(extra.unschedulable ? { unschedulable: true } : {}) },
  status: { conditions: [{ type: 'Ready', status: extra.ready ?? 'True' }] },
});
const pod = (name: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}, labels: Record<string, string> = {}): K8sObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, labels },
  spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }], ...spec },
  status,
});

const lease = (at: number): K8sObject => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'w1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(at).toISOString() } });
/** A node whose daemon posted Ready with this heartbeat time. */
const readyNode = (beat: number): K8sObject => {
  const n = node('w1', {});
  Object.assign((n.status as { conditions: Array<Record<string, string>> }).conditions[0]!, { reason: 'KubeletReady', lastHeartbeatTime: new Date(beat).toISOString() });
  return n;
};

const cp = node('cp', { rack: 'rack0', 'node-role.kubernetes.io/control-plane': '' }, { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] });
const nodes = [cp, node('w1', { rack: 'rack0' }), node('w2', { rack: 'rack1' }), node('w3', { rack: 'rack1' })];

test('scheduler: nodeSelector, control-plane taint, tolerations, spreading, unschedulable reason', () => {
  assert.deepEqual(pickNode(pod('a', { nodeSelector: { rack: 'rack0' } }), nodes, new Map()), { node: 'w1' });
  assert.deepEqual(pickNode(pod('b', { nodeSelector: { rack: 'rack1' } }), nodes, new Map([['w2', 2]])), { node: 'w3' });
  assert.deepEqual(pickNode(pod('c', { nodeSelector: { rack: 'rack0' }, tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }] }), nodes, new Map([['w1', 1]])), { node: 'cp' });
  const r = pickNode(pod('d', { nodeSelector: { rack: 'rack9' } }), nodes, new Map());
  assert.ok('reason' in r && /^0\/4 nodes are available: 4 node\(s\) didn't match Pod's node affinity\/selector/.test(r.reason), JSON.stringify(r));
  const notReady = [node('x', {}, { ready: 'Unknown' }), node('y', {}, { unschedulable: true })];
  assert.ok('reason' in pickNode(pod('e'), notReady, new Map()));
  const affinity = { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['rack1'] }] }] } } } };
  assert.deepEqual(pickNode(pod('f', affinity), nodes, new Map([['w2', 1]])), { node: 'w3' });
});

const dep: K8sObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', uid: 'dep-uid' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
};

test('deployment → replicaset: name from the template hash, hash label in selector and pods; new template → new name', () => {
  const rs = desiredReplicaSet(dep);
  assert.match(rs.metadata.name!, /^nginx-[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  const hash = rs.metadata.name!.slice('nginx-'.length);
  assert.deepEqual((rs.spec as { selector: unknown }).selector, { matchLabels: { app: 'nginx', 'pod-template-hash': hash } });
  assert.equal(rs.metadata.ownerReferences![0]!.uid, 'dep-uid');
  assert.equal(desiredReplicaSet(dep).metadata.name, rs.metadata.name, 'deterministic');
  const changed = structuredClone(dep);
  (changed.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image = 'nginx:1.27';
  assert.notEqual(desiredReplicaSet(changed).metadata.name, rs.metadata.name);
  const p = podFromTemplate({ ...rs, metadata: { ...rs.metadata, uid: 'rs-uid' } }, 'abcde');
  assert.equal(p.metadata.name, `${rs.metadata.name}-abcde`);
  assert.equal(p.metadata.labels!['pod-template-hash'], hash);
  assert.equal(p.metadata.ownerReferences![0]!.uid, 'rs-uid');
});

test('replicaset plan: create the missing, remove unscheduled, then not-ready, then newest', () => {
  const rs = { ...desiredReplicaSet(dep), spec: { replicas: 1 } } as K8sObject;
  assert.deepEqual(planReplicaSet({ ...rs, spec: { replicas: 3 } }, [pod('a')]), { create: 2, remove: [] });
  const ready = pod('ready', { nodeName: 'w1' }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
  const unsched = pod('unsched');
  const notReady = pod('notready', { nodeName: 'w2' });
  const plan = planReplicaSet(rs, [ready, unsched, notReady]);
  assert.deepEqual(plan.remove.map((p) => p.metadata.name), ['unsched', 'notready']);
});

test('endpoint slices: selected pods with IPs, readiness = Running + Ready, named target ports resolved', () => {
  const svc: K8sObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] } };
  const pods = [
    pod('p1', { nodeName: 'w1' }, { phase: 'Running', podIP: '10.1.1.2', conditions: [{ type: 'Ready', status: 'True' }] }, { app: 'web' }),
    pod('p2', { nodeName: 'w2' }, { phase: 'Running', podIP: '10.1.2.2', conditions: [{ type: 'Ready', status: 'False' }] }, { app: 'web' }),
    pod('p3', {}, { phase: 'Pending' }, { app: 'web' }),
    pod('other', { nodeName: 'w1' }, { phase: 'Running', podIP: '10.1.1.9', conditions: [{ type: 'Ready', status: 'True' }] }, { app: 'db' }),
  ];
  const s = buildEndpointSlice(svc, pods) as K8sObject & { endpoints: Array<{ addresses: string[]; conditions: { ready: boolean }; nodeName: string }>; ports: unknown };
  assert.deepEqual(s.endpoints.map((e) => [e.addresses[0], e.conditions.ready, e.nodeName]), [['10.1.1.2', true, 'w1'], ['10.1.2.2', false, 'w2']]);
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.equal(s.metadata.labels!['kubernetes.io/service-name'], 'web');
  const ep = buildEndpoints(svc, pods) as K8sObject & { subsets: Array<{ addresses: Array<{ ip: string }>; notReadyAddresses: Array<{ ip: string }> }> };
  assert.deepEqual(ep.subsets[0]!.addresses.map((a) => a.ip), ['10.1.1.2']);
  assert.deepEqual(ep.subsets[0]!.notReadyAddresses.map((a) => a.ip), ['10.1.2.2']);
});

test('endpoint slices per address family: one slice per ipFamilies entry, each with the pods\' address of that family', () => {
  const svc = (spec: Record<string, unknown>): K8sObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', uid: 'svc-uid' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec } });
  const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  const pods = [
    pod('p1', { nodeName: 'w1' }, { ...ready, podIP: '10.1.1.2', podIPs: [{ ip: '10.1.1.2' }, { ip: 'fd00:10:1:1::2' }] }, { app: 'web' }),
    pod('p2', { nodeName: 'w2' }, { ...ready, podIP: '10.1.2.2', podIPs: [{ ip: '10.1.2.2' }] }, { app: 'web' }),
  ];
  type Slice = K8sObject & { addressType: string; endpoints: Array<{ addresses: string[]; nodeName: string }> };
  const dual = svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00:10:96::a'], ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack' });
  const slices = buildEndpointSlices(dual, pods) as Slice[];
  assert.deepEqual(slices.map((s) => [s.addressType, s.endpoints.map((e) => [e.addresses, e.nodeName])]), [
    ['IPv4', [[['10.1.1.2'], 'w1'], [['10.1.2.2'], 'w2']]],
    ['IPv6', [[['fd00:10:1:1::2'], 'w1']]],
  ], 'a pod without an IPv6 address is only in the IPv4 slice');
  assert.equal(slices[0]!.metadata.name, endpointSliceName(dual), 'the IPv4 slice keeps the single-stack name');
  assert.notEqual(slices[1]!.metadata.name, slices[0]!.metadata.name);
  assert.equal(slices[1]!.metadata.name, buildEndpointSlice(dual, [], 'IPv6').metadata.name, 'names do not depend on the pods');
  // IPv6 first (an IPv6-primary Service): slices in that order; the legacy Endpoints carry the primary family only
  const v6first = svc({ clusterIP: 'fd00:10:96::a', ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack' });
  assert.deepEqual((buildEndpointSlices(v6first, pods) as Slice[]).map((s) => s.addressType), ['IPv6', 'IPv4']);
  const ep = buildEndpoints(v6first, pods) as K8sObject & { subsets: Array<{ addresses: Array<{ ip: string }> }> };
  assert.deepEqual(ep.subsets[0]!.addresses.map((a) => a.ip), ['fd00:10:1:1::2']);
  // an IPv6 single-stack Service has an IPv6 slice only, even for dual-stack pods
  assert.deepEqual((buildEndpointSlices(svc({ clusterIP: 'fd00:10:96::b', ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack' }), pods) as Slice[]).map((s) => [s.addressType, s.endpoints.length]), [['IPv6', 1]]);
  // no ipFamilies (an object written before admission set them): the ClusterIP's family; headless: both
  assert.deepEqual(addressTypesFor(svc({ clusterIP: 'fd00:10:96::c' })), ['IPv6']);
  assert.deepEqual(addressTypesFor(svc({ clusterIP: '10.96.0.12' })), ['IPv4']);
  assert.deepEqual(addressTypesFor(svc({ clusterIP: 'None' })), ['IPv4', 'IPv6']);
});

test('node lifecycle: a bootstrap node is left until its startup grace; then Unknown (NodeStatusNeverUpdated)', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const n = node('w1', {}, { ready: 'Unknown' });
  (n.status as { conditions: Array<Record<string, string>> }).conditions[0]!.reason = BOOTSTRAP_REASON;
  const first = observeNode(undefined, n, undefined, t0);
  assert.equal(first.stamp, '', 'the bootstrap registration is no heartbeat');
  assert.equal(nodeReadyDecision(n, first, t0 + 3_600_000), undefined, 'no node daemons: left as registered');
  assert.equal(nodeReadyDecision(n, observeNode(first, n, undefined, t0 + 59_000), t0 + 59_000, { requireHeartbeats: true }), undefined);
  const late = nodeReadyDecision(n, observeNode(first, n, undefined, t0 + 61_000), t0 + 61_000, { requireHeartbeats: true });
  assert.deepEqual([late?.status, late?.reason], ['Unknown', 'NodeStatusNeverUpdated']);
  // a lease alone never makes a bootstrap node Ready: only its daemon's posted status does
  const leased = observeNode(first, n, lease(t0 + 5_000), t0 + 6_000);
  assert.equal(nodeReadyDecision(n, leased, t0 + 6_000, { requireHeartbeats: true }), undefined);
});

test('node lifecycle: judged by when the controller saw the heartbeat change, not by the node\'s own timestamps', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const n = readyNode(t0);
  // a heartbeat stamped at t0 reaches the store 45 s late (an overloaded API server): not a missed heartbeat
  let p = observeNode(undefined, n, lease(t0), t0 + 45_000);
  assert.equal(nodeReadyDecision(n, p, t0 + 45_000, { requireHeartbeats: true }), undefined);
  // renewals every 30 s (slow, but within the 50 s grace) keep it Ready for good
  for (let t = 30_000; t <= 300_000; t += 30_000) {
    p = observeNode(p, n, lease(t0 + t), t0 + 45_000 + t);
    assert.equal(nodeReadyDecision(n, p, t0 + 45_000 + t + 29_000, { requireHeartbeats: true }), undefined, `at ${t}`);
  }
  // an unchanged heartbeat keeps its first sighting: 50 s after it, Unknown
  const still = observeNode(p, n, lease(t0 + 300_000), t0 + 345_000 + 50_001);
  assert.equal(still.seenAt, p.seenAt);
  const down = nodeReadyDecision(n, still, t0 + 345_000 + 50_001, { requireHeartbeats: true });
  assert.deepEqual([down?.status, down?.reason], ['Unknown', 'NodeStatusUnknown']);
  assert.equal(nodeReadyDecision(n, observeNode(undefined, n, lease(t0), t0 + 40_001), t0 + 40_001), undefined, 'Kubernetes\' 50 s grace, not 40 s');
});

test('node lifecycle: a Lease renewed after the node was marked Unknown brings it back; the restarted controller gives a full grace', () => {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const unknown = node('w1', {}, { ready: 'Unknown' });
  const c = (unknown.status as { conditions: Array<Record<string, string>> }).conditions[0]!;
  Object.assign(c, { reason: 'NodeStatusUnknown', lastTransitionTime: new Date(t0 + 60_000).toISOString(), lastHeartbeatTime: new Date(t0).toISOString() });
  const before = observeNode(undefined, unknown, lease(t0 + 10_000), t0 + 60_000);
  assert.equal(before.byLease, false, 'the first sighting is no renewal');
  assert.equal(nodeReadyDecision(unknown, before, t0 + 61_000), undefined);
  const back = observeNode(before, unknown, lease(t0 + 70_000), t0 + 70_500);
  assert.equal(back.byLease, true);
  assert.equal(nodeReadyDecision(unknown, back, t0 + 71_000)?.status, 'True');
  // the daemon's own status post (not a lease) is what makes a node Ready; the controller leaves it
  const n = readyNode(t0);
  assert.equal(observeNode(observeNode(undefined, n, undefined, t0), readyNode(t0 + 10_000), undefined, t0 + 10_000).byLease, false);
});

test('replicaset status: available = Ready for at least minReadySeconds', () => {
  const rs = { ...desiredReplicaSet(dep), spec: { replicas: 2, minReadySeconds: 10 } } as K8sObject;
  const readySince = (t: string) => pod(`p${t}`, { nodeName: 'w1' }, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] });
  const pods = [readySince('2026-01-01T00:00:00Z'), readySince('2026-01-01T00:00:08Z')];
  const st = replicaSetStatus(rs, pods, Date.parse('2026-01-01T00:00:12Z'));
  assert.deepEqual([st.readyReplicas, st.availableReplicas], [2, 1]);
});
