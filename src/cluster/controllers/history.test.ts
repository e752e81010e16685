import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { K8sObject } from '../store/types.js';
import { planHistory, revisionData } from './history.js';

const ds = (image: string, extra: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-1', annotations: { 'kubernetes.io/change-cause': `image ${image}` } },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { containers: [{ name: 'c', image }] }, metadata: { labels: { app: 'agent' } } }, ...extra },
});
const rev = (name: string, n: number, owner: K8sObject): K8sObject => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name, namespace: 'kube-system', labels: { 'controller-revision-hash': name.split('-').pop()! } }, data: revisionData(owner), revision: n }) as K8sObject;

test('revisionData: the patch kubectl undo applies, keys sorted as Go marshals a map', () => {
  assert.equal(JSON.stringify(revisionData(ds('a:1'))), '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"agent"}},"spec":{"containers":[{"image":"a:1","name":"c","resources":{}}]}}}}');
});

test('a new template gets the next revision, controlled by the owner, labelled for kubectl to find it', () => {
  const p = planHistory(ds('a:2'), [rev('agent-h1', 1, ds('a:1'))], 'agent-h2', 'h2', new Set(['h1']));
  assert.equal(p.current, 2);
  assert.deepEqual(p.create?.metadata.labels, { app: 'agent', 'controller-revision-hash': 'h2' });
  assert.deepEqual(p.create?.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-1', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(p.create?.metadata.annotations, { 'kubernetes.io/change-cause': 'image a:2' });
  assert.equal((p.create as unknown as { revision: number }).revision, 2);
  assert.equal(p.renumber, undefined);
  assert.deepEqual(p.remove, []);
});

test('the current template already has its revision: nothing to do', () => {
  const p = planHistory(ds('a:2'), [rev('agent-h1', 1, ds('a:1')), rev('agent-h2', 2, ds('a:2'))], 'agent-h2', 'h2', new Set());
  assert.deepEqual(p, { remove: [], current: 2 });
});

test('undo: a template seen before takes its old revision, renumbered highest (found by name or by content)', () => {
  const revs = [rev('agent-h1', 1, ds('a:1')), rev('agent-h2', 2, ds('a:2'))];
  const p = planHistory(ds('a:1'), revs, 'agent-h1', 'h1', new Set(['h2']));
  assert.equal(p.create, undefined);
  assert.deepEqual([p.renumber?.revision.metadata.name, p.renumber?.to, p.current], ['agent-h1', 3, 3]);
  const byContent = planHistory(ds('a:1'), revs, 'agent-other', 'other', new Set());
  assert.deepEqual([byContent.create, byContent.renumber?.revision.metadata.name], [undefined, 'agent-h1']);
});

test('revisionHistoryLimit: the oldest revisions no pod runs go beyond it; the current one always stays', () => {
  const owner = ds('a:5', { revisionHistoryLimit: 2 });
  const revs = [1, 2, 3, 4].map((n) => rev(`agent-h${n}`, n, ds(`a:${n}`)));
  const p = planHistory(owner, revs, 'agent-h5', 'h5', new Set(['h1']));
  assert.deepEqual(p.remove.map((r) => r.metadata.name), ['agent-h2'], 'h1 is still run by a pod; h3, h4 are the two kept');
  assert.deepEqual(planHistory(ds('a:5', { revisionHistoryLimit: 0 }), revs, 'agent-h5', 'h5', new Set()).remove.length, 4);
});
