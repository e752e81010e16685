import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

const svc = {
  metadata: { name: 'nginx', annotations: { a: '1', b: '2' } },
  spec: { type: 'ClusterIP', externalIPs: ['1.1.1.1', '2.2.2.2'], ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }] },
};

test('merge patch: objects merge, null deletes, lists replace', () => {
  const out = applyMergePatch(svc, { metadata: { annotations: { a: null, c: '3' } }, spec: { externalIPs: ['9.9.9.9'] } }) as typeof svc;
  assert.deepEqual(out.metadata.annotations, { b: '2', c: '3' });
  assert.deepEqual(out.spec.externalIPs, ['9.9.9.9']);
  assert.equal(svc.metadata.annotations.a, '1', 'input untouched');
});

test('strategic merge: externalIPs replaced, ports merged by port, containers/env by name', () => {
  const out = applyStrategicMergePatch(svc, { spec: { type: 'NodePort', externalTrafficPolicy: 'Local', externalIPs: ['192.168.3.180'], ports: [{ port: 80, nodePort: 30080 }, { port: 443 }] } }) as { spec: Record<string, unknown> };
  assert.deepEqual(out.spec.externalIPs, ['192.168.3.180']);
  assert.deepEqual(out.spec.ports, [{ port: 80, targetPort: 80, protocol: 'TCP', nodePort: 30080 }, { port: 443 }]);
  const pod = { spec: { containers: [{ name: 'a', image: 'x', env: [{ name: 'E', value: '1' }] }, { name: 'b', image: 'y' }] } };
  const p2 = applyStrategicMergePatch(pod, {
    spec: { containers: [{ name: 'a', image: 'z', env: [{ name: 'F', value: '2' }] }, { name: 'b', $patch: 'delete' }] },
  }) as typeof pod;
  assert.deepEqual(p2.spec.containers, [{ name: 'a', image: 'z', env: [{ name: 'E', value: '1' }, { name: 'F', value: '2' }] }]);
});

test('strategic merge: $setElementOrder and $retainKeys directives are honoured, not stored', () => {
  const pod = { spec: { containers: [{ name: 'a' }, { name: 'b' }] , strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const out = applyStrategicMergePatch(pod, {
    spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', image: 'i' }], strategy: { $retainKeys: ['type'], type: 'Recreate' } },
  }) as { spec: Record<string, unknown> };
  assert.deepEqual(out.spec.containers, [{ name: 'b' }, { name: 'a', image: 'i' }]);
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  assert.ok(!JSON.stringify(out).includes('$'));
});

test('json patch: add/remove/replace/test; a failing op fails the whole patch', () => {
  const out = applyJsonPatch(svc, [
    { op: 'add', path: '/metadata/labels', value: { x: 'y' } },
    { op: 'replace', path: '/spec/type', value: 'LoadBalancer' },
    { op: 'remove', path: '/spec/externalIPs/0' },
    { op: 'add', path: '/spec/externalIPs/-', value: '3.3.3.3' },
    { op: 'test', path: '/metadata/name', value: 'nginx' },
  ]) as { metadata: { labels: unknown }; spec: { type: string; externalIPs: string[] } };
  assert.deepEqual(out.metadata.labels, { x: 'y' });
  assert.equal(out.spec.type, 'LoadBalancer');
  assert.deepEqual(out.spec.externalIPs, ['2.2.2.2', '3.3.3.3']);
  assert.throws(() => applyJsonPatch(svc, [{ op: 'remove', path: '/spec/nope' }]), (e: { httpCode: number }) => e.httpCode === 400);
  assert.throws(() => applyJsonPatch(svc, [{ op: 'test', path: '/metadata/name', value: 'x' }]), (e: { httpCode: number }) => e.httpCode === 400);
  assert.throws(() => applyJsonPatch(svc, { op: 'add' }), (e: { httpCode: number }) => e.httpCode === 400);
});
