import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { K8sObject } from '../store/types.js';
import { jobPod, planJob } from './job.js';
import { ordinalOf, planStatefulSet, REVISION_LABEL, statefulPod, updateRevision } from './statefulset.js';

const NOW = '2026-01-01T00:00:00Z';

function sts(replicas: number, policy = 'OrderedReady', image = 'nginx', partition = 0): K8sObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 1 },
    spec: { replicas, serviceName: 'web', podManagementPolicy: policy, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } }, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } } },
  };
}

/** Pod `ordinal` of `set`, Running and Ready unless `ready` is false. */
function member(set: K8sObject, ordinal: number, ready = true): K8sObject {
  const p = statefulPod(set, ordinal);
  p.metadata.uid = `pod-${ordinal}`;
  p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  return p;
}

const names = (l: K8sObject[]) => l.map((p) => p.metadata.name);

test('statefulset pods: stable names, hostname and subdomain, revision and ordinal labels', () => {
  const s = sts(3);
  const p = statefulPod(s, 2);
  assert.equal(p.metadata.name, 'web-2');
  assert.deepEqual([(p.spec as { hostname: string }).hostname, (p.spec as { subdomain: string }).subdomain], ['web-2', 'web']);
  assert.equal(p.metadata.labels![REVISION_LABEL], updateRevision(s));
  assert.equal(p.metadata.labels!['apps.kubernetes.io/pod-index'], '2');
  assert.equal(ordinalOf(s, p), 2);
  assert.equal(ordinalOf(s, { ...p, metadata: { name: 'web-02' } }), -1);
  assert.equal(ordinalOf(s, { ...p, metadata: { name: 'webx-1' } }), -1);
});

test('OrderedReady: one ordinal at a time, each after the ones below are Running and Ready', () => {
  const s = sts(3);
  assert.deepEqual(names(planStatefulSet(s, []).create), ['web-0']);
  assert.deepEqual(names(planStatefulSet(s, [member(s, 0, false)]).create), []);
  assert.deepEqual(names(planStatefulSet(s, [member(s, 0)]).create), ['web-1']);
  // A gap below is filled first.
  assert.deepEqual(names(planStatefulSet(s, [member(s, 1), member(s, 2)]).create), ['web-0']);
  const done = planStatefulSet(s, [member(s, 0), member(s, 1), member(s, 2)]);
  assert.deepEqual([done.create.length, done.remove.length], [0, 0]);
  assert.equal(done.status.readyReplicas, 3);
  assert.equal(done.status.currentRevision, done.status.updateRevision);
});

test('Parallel: every missing ordinal at once; scale down removes all condemned at once', () => {
  const s = sts(3, 'Parallel');
  assert.deepEqual(names(planStatefulSet(s, []).create), ['web-0', 'web-1', 'web-2']);
  const big = [0, 1, 2, 3, 4].map((i) => member(s, i));
  assert.deepEqual(names(planStatefulSet(s, big).remove), ['web-4', 'web-3']);
});

test('OrderedReady scale down: highest ordinal first, one at a time, only while all are healthy', () => {
  const s = sts(1);
  const pods = [0, 1, 2].map((i) => member(s, i));
  assert.deepEqual(names(planStatefulSet(s, pods).remove), ['web-2']);
  assert.deepEqual(names(planStatefulSet(s, [pods[0]!, pods[1]!, member(s, 2, false)]).remove), []);
  const terminating = { ...pods[2]!, metadata: { ...pods[2]!.metadata, deletionTimestamp: NOW } };
  assert.deepEqual(names(planStatefulSet(s, [pods[0]!, pods[1]!, terminating]).remove), []);
});

test('rolling update: highest outdated ordinal first, one at a time, not below the partition', () => {
  const v1 = sts(3);
  const v2 = sts(3, 'OrderedReady', 'nginx:1.27');
  const old = [0, 1, 2].map((i) => member(v1, i));
  assert.deepEqual(names(planStatefulSet(v2, old).remove), ['web-2']);
  assert.deepEqual(names(planStatefulSet(v2, [old[0]!, old[1]!, member(v2, 2)]).remove), ['web-1']);
  const st = planStatefulSet(v2, [old[0]!, old[1]!, member(v2, 2)]).status;
  assert.deepEqual([st.updatedReplicas, st.currentReplicas, st.currentRevision === st.updateRevision], [1, 2, false]);
  assert.deepEqual(names(planStatefulSet(sts(3, 'OrderedReady', 'nginx:1.27', 2), [old[0]!, old[1]!, member(v2, 2)]).remove), []);
});

function job(spec: Record<string, unknown>, status: Record<string, unknown> = {}): K8sObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'job-uid' }, spec: { completions: 1, parallelism: 1, backoffLimit: 6, template: { metadata: { labels: { 'job-name': 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec }, status };
}
function jp(j: K8sObject, n: string, phase: string, restartCount = 0): K8sObject {
  const p = jobPod(j, n);
  p.metadata.uid = n;
  p.status = { phase, containerStatuses: [{ name: 'c', restartCount }] };
  return p;
}

test('job: keeps min(parallelism, completions − succeeded) active', () => {
  const j = job({ completions: 5, parallelism: 2 });
  assert.equal(planJob(j, [], NOW).create, 2);
  assert.equal(planJob(j, [jp(j, 'a', 'Running')], NOW).create, 1);
  const four = ['a', 'b', 'c', 'd'].map((n) => jp(j, n, 'Succeeded'));
  assert.equal(planJob(j, [...four, jp(j, 'e', 'Running')], NOW).create, 0);
  const p = planJob(j, [...four], NOW);
  assert.equal(p.create, 1);
  assert.equal(p.status.succeeded, 4);
  assert.equal(jobPod(j, 'xyz12').metadata.name, 'pi-xyz12');
});

test('job: completions reached → SuccessCriteriaMet then Complete, completionTime, Completed event', () => {
  const j = job({ completions: 2, parallelism: 2 });
  const p = planJob(j, [jp(j, 'a', 'Succeeded'), jp(j, 'b', 'Succeeded')], NOW);
  const conds = p.status.conditions as Array<{ type: string; status: string; reason: string }>;
  assert.deepEqual(conds.map((c) => [c.type, c.status, c.reason]), [['SuccessCriteriaMet', 'True', 'CompletionsReached'], ['Complete', 'True', 'CompletionsReached']]);
  assert.equal(p.status.completionTime, NOW);
  assert.equal(p.status.active, undefined);
  assert.deepEqual(p.events.map((e) => e.reason), ['Completed']);
  // Finished jobs stay finished and start nothing.
  const again = planJob({ ...j, status: p.status }, [jp(j, 'a', 'Succeeded')], '2026-01-01T00:01:00Z');
  assert.deepEqual([again.create, again.events.length, again.status.completionTime], [0, 0, NOW]);
});

test('job: failures beyond backoffLimit fail it; with OnFailure container restarts count too', () => {
  const j = job({ backoffLimit: 1 });
  assert.equal(planJob(j, [jp(j, 'a', 'Failed')], NOW).create, 1, 'one failure is within the limit');
  const p = planJob(j, [jp(j, 'a', 'Failed'), jp(j, 'b', 'Failed')], NOW);
  assert.deepEqual((p.status.conditions as Array<{ type: string }>).map((c) => c.type), ['FailureTarget', 'Failed']);
  assert.equal(p.status.failed, 2);
  assert.equal(p.create, 0);
  const of = job({ backoffLimit: 2, template: { metadata: {}, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c' }] } } });
  const running = jp(of, 'a', 'Running', 3);
  const q = planJob(of, [running], NOW);
  assert.deepEqual(q.remove, [running]);
  assert.equal(q.events[0]?.reason, 'BackoffLimitExceeded');
});

test('job: completions unset (work queue) stops starting pods once one succeeded', () => {
  const j = job({ completions: undefined, parallelism: 3 });
  (j.spec as Record<string, unknown>).completions = null;
  assert.equal(planJob(j, [], NOW).create, 3);
  const p = planJob(j, [jp(j, 'a', 'Succeeded'), jp(j, 'b', 'Running')], NOW);
  assert.deepEqual([p.create, p.remove.length, p.status.conditions], [0, 0, undefined]);
  const done = planJob(j, [jp(j, 'a', 'Succeeded'), jp(j, 'b', 'Succeeded')], NOW);
  assert.ok((done.status.conditions as Array<{ type: string }>).some((c) => c.type === 'Complete'));
});

test('job: activeDeadlineSeconds fails it with DeadlineExceeded; ttlSecondsAfterFinished expires a finished one', () => {
  const j = job({ activeDeadlineSeconds: 30 }, { startTime: '2026-01-01T00:00:00Z', active: 1 });
  const running = jp(j, 'a', 'Running');
  assert.equal(planJob(j, [running], '2026-01-01T00:00:20Z').remove.length, 0);
  const p = planJob(j, [running], '2026-01-01T00:00:31Z');
  assert.deepEqual(p.remove, [running]);
  assert.deepEqual((p.status.conditions as Array<{ type: string; reason: string }>).map((c) => `${c.type}/${c.reason}`), ['FailureTarget/DeadlineExceeded', 'Failed/DeadlineExceeded']);
  const finished = job({ ttlSecondsAfterFinished: 10 }, { succeeded: 1, conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] });
  assert.equal(planJob(finished, [], '2026-01-01T00:00:05Z').expired, undefined);
  assert.equal(planJob(finished, [], '2026-01-01T00:00:10Z').expired, true);
});
