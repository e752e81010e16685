import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { K8sObject } from '../store/types.js';
import { findNewReplicaSet, newReplicaSet, planDeployment, REVISION, revisionOf, rollingNewReplicas, rollingOldReplicas, scaledValue, surgeAndUnavailable, type RolloutAction } from './rollout.js';

const NOW = '2026-01-01T00:00:00Z';
const T0 = Date.parse(NOW);

function deployment(over: { replicas?: number; image?: string; strategy?: unknown; limit?: number; annotations?: Record<string, string> } = {}): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'dep-uid', generation: 2, ...(over.annotations ? { annotations: over.annotations } : {}) },
    spec: {
      replicas: over.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      strategy: over.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: over.limit ?? 10,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: over.image ?? 'nginx:1.26' }] } },
    },
  };
}

/** A ReplicaSet of `dep`'s template as the store holds it: created at `t`, with spec and status counts. */
function rsOf(dep: K8sObject, revision: number, replicas: number, available = replicas, t = '2025-12-01T00:00:00Z'): K8sObject {
  const rs = newReplicaSet(dep, replicas, revision, 1);
  rs.metadata = { ...rs.metadata, uid: `rs-${revision}`, creationTimestamp: t };
  rs.status = { replicas, readyReplicas: available, availableReplicas: available };
  return rs;
}

/** Replica changes only (annotation-only updates left out). */
const scales = (a: RolloutAction[]) => a.filter((x) => x.kind === 'scale' && x.replicas !== (x.rs.spec as { replicas: number }).replicas).map((x) => [x.rs.metadata.annotations?.[REVISION], (x as { replicas: number }).replicas]);

test('int-or-percent: maxSurge rounds up, maxUnavailable down; 0/0 becomes maxUnavailable 1 (intstr, ResolveFenceposts)', () => {
  const cases: Array<[unknown, number, boolean, number]> = [
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['25%', 1, true, 1],
    ['25%', 1, false, 0],
    [2, 10, true, 2],
    ['0%', 5, true, 0],
    ['100%', 3, false, 3],
  ];
  for (const [v, total, up, want] of cases) assert.equal(scaledValue(v, total, up), want, `${v} of ${total}`);
  assert.deepEqual(surgeAndUnavailable(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } })), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(surgeAndUnavailable(deployment({ replicas: 10 })), { maxSurge: 3, maxUnavailable: 2 });
  assert.deepEqual(surgeAndUnavailable(deployment({ strategy: { type: 'Recreate' } })), { maxSurge: 0, maxUnavailable: 0 });
});

test('new replica set growth is bounded by desired + maxSurge (reconcileNewReplicaSet table)', () => {
  // [desired, maxSurge, new replicas, total replicas of all sets, want]
  const cases: Array<[number, number, number, number, number]> = [
    [10, 0, 0, 10, 0], // no surge: wait for old to shrink
    [10, 2, 0, 10, 2],
    [10, 2, 0, 5, 7], // old already shrunk to 5: room for 7
    [10, 2, 3, 3, 10],
    [10, 2, 10, 12, 10], // already there
    [3, 1, 1, 4, 1],
  ];
  for (const [desired, surge, cur, total, want] of cases) assert.equal(rollingNewReplicas(desired, surge, cur, total), want, JSON.stringify({ desired, surge, cur, total }));
});

test('old replica sets shrink without going below desired − maxUnavailable (reconcileOldReplicaSets table)', () => {
  // desired, maxUnavailable, new {replicas, available}, old sets → their new replicas
  assert.deepEqual(rollingOldReplicas(10, 0, { replicas: 0, available: 0 }, [{ replicas: 10, available: 10 }]), [10]);
  assert.deepEqual(rollingOldReplicas(10, 2, { replicas: 0, available: 0 }, [{ replicas: 10, available: 10 }]), [8]);
  assert.deepEqual(rollingOldReplicas(10, 2, { replicas: 2, available: 0 }, [{ replicas: 10, available: 10 }]), [8]);
  // The new pods became available: old may shrink by as many.
  assert.deepEqual(rollingOldReplicas(10, 2, { replicas: 2, available: 2 }, [{ replicas: 8, available: 8 }]), [6]);
  // Unhealthy old replicas go first and cost nothing.
  assert.deepEqual(rollingOldReplicas(10, 2, { replicas: 0, available: 0 }, [{ replicas: 10, available: 8 }]), [8]);
  // Oldest set first.
  assert.deepEqual(rollingOldReplicas(4, 1, { replicas: 1, available: 1 }, [{ replicas: 2, available: 2 }, { replicas: 2, available: 2 }]), [0, 2]);
  assert.deepEqual(rollingOldReplicas(3, 0, { replicas: 3, available: 3 }, []), []);
});

test('first sync: one ReplicaSet at revision 1 with all replicas, ScalingReplicaSet event, NewReplicaSetCreated', () => {
  const dep = deployment();
  const plan = planDeployment(dep, [], NOW, T0);
  assert.equal(plan.actions.length, 1);
  const a = plan.actions[0]!;
  assert.equal(a.kind, 'create');
  assert.equal((a.rs.spec as { replicas: number }).replicas, 3);
  assert.equal(revisionOf(a.rs), 1);
  assert.equal(plan.annotations?.[REVISION], '1');
  assert.deepEqual(plan.events.map((e) => e.message), [`Scaled up replica set ${a.rs.metadata.name} from 0 to 3`]);
  const prog = (plan.status.conditions as Array<{ type: string; reason: string }>).find((c) => c.type === 'Progressing');
  assert.equal(prog?.reason, 'NewReplicaSetCreated');
});

test('rolling update: surge first, then old shrinks as new pods become available, then complete', () => {
  const v1 = deployment();
  const v2 = deployment({ image: 'nginx:1.27', annotations: { [REVISION]: '1' } });
  const old = rsOf(v1, 1, 3);
  // 3 replicas, 25%: surge 1, unavailable 0 → one new pod first, old untouched.
  let plan = planDeployment(v2, [old], NOW, T0);
  const created = plan.actions.find((a) => a.kind === 'create')!.rs;
  assert.equal((created.spec as { replicas: number }).replicas, 1);
  assert.equal(revisionOf(created), 2);
  assert.deepEqual(scales(plan.actions), []);
  // New pod not yet available: nothing moves.
  const neu = rsOf(v2, 2, 1, 0, '2025-12-02T00:00:00Z');
  plan = planDeployment(v2, [old, neu], NOW, T0);
  assert.deepEqual(scales(plan.actions), []);
  assert.equal(plan.status.updatedReplicas, 1);
  // Available: old goes to 2, new may then grow to 2.
  plan = planDeployment(v2, [old, rsOf(v2, 2, 1, 1, '2025-12-02T00:00:00Z')], NOW, T0);
  // Upstream order within one sync: the new set first (total is at desired + surge: no room), then the old one.
  assert.deepEqual(scales(plan.actions), [['1', 2]]);
  // Done: new at 3 available, old at 0.
  plan = planDeployment(v2, [rsOf(v1, 1, 0), rsOf(v2, 2, 3, 3, '2025-12-02T00:00:00Z')], NOW, T0);
  const conds = plan.status.conditions as Array<{ type: string; status: string; reason: string }>;
  assert.deepEqual(conds.map((c) => [c.type, c.status, c.reason]), [['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable']]);
  assert.equal(plan.status.updatedReplicas, 3);
  assert.equal(plan.status.unavailableReplicas, undefined);
});

test('undo: the template of an old set makes it the new one again, at the next revision', () => {
  const v1 = deployment();
  const v2 = deployment({ image: 'nginx:1.27' });
  const sets = [rsOf(v1, 1, 0), rsOf(v2, 2, 3, 3, '2025-12-02T00:00:00Z')];
  const back = deployment({ annotations: { [REVISION]: '2' } });
  assert.equal(findNewReplicaSet(back, sets), sets[0]);
  // kubectl rollout undo writes the template back with metadata.creationTimestamp: null and its own key order.
  const patched = structuredClone(back);
  const t = (patched.spec as { template: { metadata: Record<string, unknown>; spec: unknown } }).template;
  (patched.spec as Record<string, unknown>).template = { spec: t.spec, metadata: { creationTimestamp: null, ...t.metadata } };
  assert.equal(findNewReplicaSet(patched, sets), sets[0]);
  const plan = planDeployment(back, sets, NOW, T0);
  assert.ok(!plan.actions.some((a) => a.kind === 'create'));
  assert.equal(plan.annotations?.[REVISION], '3');
  const renewed = plan.actions.find((a) => a.kind === 'scale' && a.rs === sets[0]) as { annotations: Record<string, string>; replicas: number };
  assert.equal(renewed.annotations[REVISION], '3');
  assert.equal(renewed.replicas, 1, 'grows by maxSurge while the other set still runs 3');
});

test('Recreate: old sets go to zero first; the new one scales up only once their pods are gone', () => {
  const strategy = { type: 'Recreate' };
  const v1 = deployment({ strategy });
  const v2 = deployment({ strategy, image: 'nginx:1.27' });
  let plan = planDeployment(v2, [rsOf(v1, 1, 3)], NOW, T0);
  assert.deepEqual(scales(plan.actions), [['1', 0]]);
  assert.equal((plan.actions.find((a) => a.kind === 'create')!.rs.spec as { replicas: number }).replicas, 0);
  const neu = rsOf(v2, 2, 0, 0, '2025-12-02T00:00:00Z');
  const draining = { ...rsOf(v1, 1, 0), status: { replicas: 2 } };
  plan = planDeployment(v2, [draining, neu], NOW, T0);
  assert.deepEqual(scales(plan.actions), []);
  plan = planDeployment(v2, [rsOf(v1, 1, 0), neu], NOW, T0);
  assert.deepEqual(scales(plan.actions), [['2', 3]]);
});

test('revisionHistoryLimit: idle old sets beyond the limit are deleted, lowest revision first', () => {
  const cur = deployment({ image: 'v4', limit: 1 });
  const sets = [rsOf(deployment({ image: 'v1' }), 1, 0), rsOf(deployment({ image: 'v2' }), 2, 0), rsOf(deployment({ image: 'v3' }), 3, 0), rsOf(cur, 4, 3, 3, '2025-12-04T00:00:00Z')];
  const plan = planDeployment(cur, sets, NOW, T0);
  assert.deepEqual(plan.actions.filter((a) => a.kind === 'delete').map((a) => revisionOf(a.rs)), [1, 2]);
});

test('progress deadline: no change for progressDeadlineSeconds turns Progressing False ProgressDeadlineExceeded', () => {
  const v2 = deployment({ image: 'nginx:1.27', annotations: { [REVISION]: '2' } });
  (v2.spec as Record<string, unknown>).progressDeadlineSeconds = 60;
  const sets = [rsOf(deployment(), 1, 3), rsOf(v2, 2, 1, 0, '2025-12-02T00:00:00Z')];
  const first = planDeployment(v2, sets, NOW, T0);
  const dep = { ...v2, status: first.status };
  const later = planDeployment(dep, sets, '2026-01-01T00:00:30Z', T0 + 30_000);
  assert.equal((later.status.conditions as Array<{ type: string; reason: string }>).find((c) => c.type === 'Progressing')?.reason, 'ReplicaSetUpdated');
  const late = planDeployment(dep, sets, '2026-01-01T00:02:00Z', T0 + 120_000);
  const p = (late.status.conditions as Array<{ type: string; status: string; reason: string }>).find((c) => c.type === 'Progressing');
  assert.deepEqual([p?.status, p?.reason], ['False', 'ProgressDeadlineExceeded']);
});
