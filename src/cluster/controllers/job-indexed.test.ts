import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { K8sObject } from '../store/types.js';
import { COMPLETION_INDEX, indexRanges, jobPod, parseIndexRanges, planJob } from './job.js';

const NOW = '2026-01-01T00:00:00Z';
const job = (status: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'work', namespace: 'default', uid: 'j-1' },
  spec: { completionMode: 'Indexed', completions: 4, parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', env: [{ name: 'A', value: 'a' }] }] } } },
  status,
});
const pod = (index: number, phase: string, n = 0): K8sObject => {
  const p = jobPod(job(), `x${index}${n}`, index);
  return { ...p, metadata: { ...p.metadata, creationTimestamp: NOW }, status: { phase } };
};

test('an Indexed Job pod: index annotation and label, name and hostname <job>-<index>, JOB_COMPLETION_INDEX from the annotation', () => {
  const p = jobPod(job(), 'abcde', 2) as K8sObject & { spec: { hostname: string; containers: Array<{ env: unknown[] }> } };
  assert.equal(p.metadata.name, 'work-2-abcde');
  assert.equal(p.metadata.annotations?.[COMPLETION_INDEX], '2');
  assert.equal(p.metadata.labels?.[COMPLETION_INDEX], '2');
  assert.equal(p.spec.hostname, 'work-2');
  assert.deepEqual(p.spec.containers[0]!.env, [{ name: 'A', value: 'a' }, { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  assert.deepEqual((job().spec as { template: { spec: { containers: Array<{ env: unknown[] }> } } }).template.spec.containers[0]!.env.length, 1, 'the template is not changed');
});

test('Indexed: the lowest indexes neither done nor running are created, up to parallelism; completedIndexes as ranges', () => {
  assert.deepEqual(planJob(job(), [], NOW).indexes, [0, 1]);
  const p = planJob(job(), [pod(0, 'Succeeded'), pod(1, 'Running'), pod(2, 'Failed')], NOW);
  assert.deepEqual([p.create, p.indexes], [1, [2]], 'index 2 failed: it runs again');
  assert.equal(p.status.completedIndexes, '0');
  assert.equal(p.status.succeeded, 1);
  assert.equal(p.status.failed, 1);
  // two pods of one index succeeding count once
  const q = planJob(job({ completedIndexes: '0' }), [pod(0, 'Succeeded', 1), pod(3, 'Succeeded'), pod(1, 'Running')], NOW);
  assert.deepEqual([q.status.completedIndexes, q.status.succeeded, q.indexes], ['0,3', 2, [2]]);
});

test('Indexed: complete when every index succeeded', () => {
  const p = planJob(job({ completedIndexes: '0-1' }), [pod(2, 'Succeeded'), pod(3, 'Succeeded')], NOW);
  assert.equal(p.status.completedIndexes, '0-3');
  assert.ok((p.status.conditions as Array<{ type: string }>).some((c) => c.type === 'Complete'));
  assert.equal(p.create, 0);
});

test('indexRanges / parseIndexRanges', () => {
  assert.equal(indexRanges([4, 0, 1, 2, 7, 8, 2]), '0-2,4,7-8');
  assert.deepEqual(parseIndexRanges('0-2,4,7-8'), [0, 1, 2, 4, 7, 8]);
  assert.deepEqual(parseIndexRanges(''), []);
});
