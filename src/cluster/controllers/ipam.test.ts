import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocateClusterIP, allocateNodePort, firstFreePodCidr, podCidrForIndex } from './ipam.js';

test('pod CIDRs are deterministic /24s by node index (kind default and the Cilium article)', () => {
  assert.equal(podCidrForIndex('10.244.0.0/16', 0), '10.244.0.0/24');
  assert.equal(podCidrForIndex('10.244.0.0/16', 3), '10.244.3.0/24');
  assert.equal(podCidrForIndex('10.1.0.0/16', 2), '10.1.2.0/24');
  assert.equal(podCidrForIndex('10.1.0.0/16', 1, 26), '10.1.0.64/26');
  assert.throws(() => podCidrForIndex('10.1.0.0/23', 2), /only 2/);
  assert.equal(firstFreePodCidr('10.244.0.0/16', new Set(['10.244.0.0/24', '10.244.1.0/24'])), '10.244.2.0/24');
});

test('ClusterIP: requested honoured, conflicts and out-of-range rejected, else lowest free', () => {
  const used = new Set(['10.96.0.1', '10.96.0.10']);
  assert.deepEqual(allocateClusterIP('10.96.0.0/16', used), { ok: true, value: '10.96.0.11' });
  assert.deepEqual(allocateClusterIP('10.96.0.0/16', new Set(), '10.96.0.1'), { ok: true, value: '10.96.0.1' });
  const r = allocateClusterIP('10.96.0.0/16', used, '10.96.0.10');
  assert.ok(!r.ok && /already allocated/.test(r.message));
  const r2 = allocateClusterIP('10.96.0.0/16', used, '10.97.0.5');
  assert.ok(!r2.ok && /valid range/.test(r2.message));
});

test('NodePort: 30000-32767, requested honoured, conflicts rejected', () => {
  assert.deepEqual(allocateNodePort(new Set([30000])), { ok: true, value: '30001' });
  assert.deepEqual(allocateNodePort(new Set(), 31080), { ok: true, value: '31080' });
  assert.ok(!allocateNodePort(new Set([31080]), 31080).ok);
  assert.ok(!allocateNodePort(new Set(), 80).ok);
});
