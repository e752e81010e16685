import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../client/types.js';
import { buildPodStatus, type ContainerReport } from './pod-status.js';

const pod = (restartPolicy?: 'Always' | 'OnFailure' | 'Never'): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'web', image: 'nginx' }], ...(restartPolicy ? { restartPolicy } : {}) } });
const T = '2025-01-01T00:00:00Z';
const report = (containers: ContainerReport[], extra: { podIP?: string; pod?: Pod } = {}) => buildPodStatus({ pod: extra.pod ?? pod(), hostIPs: ['10.0.2.2'], startTime: T, now: T, containers, podIPs: extra.podIP === undefined ? ['10.1.1.2'] : extra.podIP ? [extra.podIP] : [] });
const cond = (s: ReturnType<typeof report>, t: string) => s.conditions!.find((c) => c.type === t)!;

test('running and ready: phase Running, IPs, all conditions true', () => {
  const s = report([{ name: 'web', image: 'nginx', ready: true, run: { state: 'running', startedAt: T, restartCount: 0 } }]);
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.1.1.2');
  assert.deepEqual(s.podIPs, [{ ip: '10.1.1.2' }]);
  assert.equal(s.hostIP, '10.0.2.2');
  for (const t of ['Ready', 'ContainersReady', 'PodScheduled', 'Initialized']) assert.equal(cond(s, t).status, 'True', t);
  assert.deepEqual(s.containerStatuses![0]!.state, { running: { startedAt: T } });
  assert.equal(s.containerStatuses![0]!.ready, true);
});

test('running but not ready yet: Ready False with the container named', () => {
  const s = report([{ name: 'web', image: 'nginx', ready: false, run: { state: 'running', startedAt: T, restartCount: 0 } }]);
  assert.equal(s.phase, 'Running');
  assert.equal(cond(s, 'Ready').status, 'False');
  assert.equal(cond(s, 'Ready').message, 'containers with unready status: [web]');
});

test('no network yet: Pending, ContainerCreating, no podIP', () => {
  const s = report([{ name: 'web', image: 'nginx', ready: false }], { podIP: '' });
  assert.equal(s.phase, 'Pending');
  assert.equal(s.podIP, undefined);
  assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
});

test('image without a stand-in: Pending, waiting ErrImageNeverPull', () => {
  const s = report([{ name: 'web', image: 'redis', ready: false, unavailable: { reason: 'ErrImageNeverPull', message: 'no' } }]);
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'ErrImageNeverPull', message: 'no' } });
});

test('terminated containers: Succeeded/Failed per restartPolicy; crash loop stays Running', () => {
  const done = (exitCode: number): ContainerReport[] => [{ name: 'web', image: 'x', ready: false, run: { state: 'terminated', exitCode, reason: exitCode ? 'Error' : 'Completed', restartCount: 0 } }];
  assert.equal(report(done(0), { pod: pod('Never') }).phase, 'Succeeded');
  assert.equal(report(done(1), { pod: pod('Never') }).phase, 'Failed');
  assert.equal(report(done(0), { pod: pod('OnFailure') }).phase, 'Succeeded');
  const loop = report([{ name: 'web', image: 'x', ready: false, run: { state: 'waiting', reason: 'CrashLoopBackOff', restartCount: 3, last: { exitCode: 2, reason: 'Error', finishedAt: T } } }]);
  assert.equal(loop.phase, 'Running');
  assert.equal(loop.containerStatuses![0]!.restartCount, 3);
  assert.deepEqual(loop.containerStatuses![0]!.lastState, { terminated: { exitCode: 2, reason: 'Error', startedAt: undefined, finishedAt: T } });
});

test('lastTransitionTime kept while a condition keeps its status', () => {
  const p = pod();
  p.status = { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' }] };
  const s = report([{ name: 'web', image: 'nginx', ready: true, run: { state: 'running', startedAt: T, restartCount: 0 } }], { pod: p });
  assert.equal(cond(s, 'Ready').lastTransitionTime, '2020-01-01T00:00:00Z');
  assert.equal(cond(s, 'ContainersReady').lastTransitionTime, T);
});

test('dual-stack pod: podIP is the primary family, podIPs and hostIPs list both', () => {
  const s = buildPodStatus({ pod: pod(), hostIPs: ['10.0.2.2', 'fd00:10:0:2::2'], podIPs: ['10.1.1.2', 'fd00:10:244:1::2'], startTime: T, now: T, containers: [{ name: 'web', image: 'nginx', ready: true, run: { state: 'running', startedAt: T, restartCount: 0 } }] });
  assert.equal(s.podIP, '10.1.1.2');
  assert.deepEqual(s.podIPs, [{ ip: '10.1.1.2' }, { ip: 'fd00:10:244:1::2' }]);
  assert.equal(s.hostIP, '10.0.2.2');
  assert.deepEqual(s.hostIPs, [{ ip: '10.0.2.2' }, { ip: 'fd00:10:0:2::2' }]);
  assert.equal(s.phase, 'Running');
});

test("a project's BGP image run as kindlab's agent: the note is the pod's status message, no reason", () => {
  const s = report([{ name: 'kube-router', image: 'cloudnativelabs/kube-router', ready: true, note: 'kindlab runs its agent', run: { state: 'running', startedAt: T, restartCount: 0 } }]);
  assert.equal(s.message, 'kindlab runs its agent');
  assert.equal(s.reason, undefined);
  assert.equal(s.phase, 'Running');
});

test('a real-image container reports its Docker ids; a stand-in fallback is the pod message', () => {
  const s = buildPodStatus({ pod: pod(), hostIPs: ['10.0.2.2'], startTime: T, now: T, podIPs: ['10.1.1.2'], notice: 'container web runs a stand-in: why', containers: [{ name: 'web', image: 'me/x:1', ready: true, containerID: 'docker://abc', imageID: 'docker://me/x:1', run: { state: 'running', startedAt: T, restartCount: 0 } }] });
  assert.equal(s.containerStatuses![0]!.containerID, 'docker://abc');
  assert.equal(s.containerStatuses![0]!.imageID, 'docker://me/x:1');
  assert.equal(s.message, 'container web runs a stand-in: why');
  assert.equal(s.reason, undefined);
});
