import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStatus, Pod } from '../client/types.js';
import { buildEvent } from '../client/index.js';
import { containerEvents, killingEvents } from './pod-events.js';

const pod = { metadata: { name: 'web', namespace: 'default', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as unknown as Pod;
const cs = (state: ContainerStatus['state'], restartCount = 0, ready = false): ContainerStatus => ({ name: 'c', image: 'nginx', imageID: '', ready, restartCount, state });
const reasons = (prev: ContainerStatus[] | undefined, next: ContainerStatus[]) => containerEvents(pod, prev, next).map((e) => `${e.type} ${e.reason}`);

test('a container starting: Pulled, Created, Started once; nothing when only readiness turns true', () => {
  const running = cs({ running: { startedAt: '2026-01-01T00:00:00Z' } });
  assert.deepEqual(reasons(undefined, [running]), ['Normal Pulled', 'Normal Created', 'Normal Started']);
  assert.deepEqual(reasons([running], [{ ...running, ready: true }]), []);
  assert.equal(containerEvents(pod, undefined, [running])[2]!.message, 'Started container c');
  assert.equal(containerEvents(pod, undefined, [running])[2]!.fieldPath, 'spec.containers{c}');
});

test('crash loop: BackOff when it waits, Started again when it restarts; Unhealthy when readiness is lost', () => {
  const r1 = cs({ running: { startedAt: '2026-01-01T00:00:00Z' } }, 0, true);
  const back = cs({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1s' } }, 1);
  assert.deepEqual(reasons([r1], [back]), ['Warning BackOff']);
  assert.match(containerEvents(pod, [r1], [back])[0]!.message, /^Back-off restarting failed container c in pod web_default\(u1\)$/);
  const r2 = cs({ running: { startedAt: '2026-01-01T00:00:05Z' } }, 1);
  assert.deepEqual(reasons([back], [r2]), ['Normal Pulled', 'Normal Created', 'Normal Started']);
  assert.deepEqual(reasons([r1], [{ ...r1, ready: false }]), ['Warning Unhealthy']);
  assert.deepEqual(reasons(undefined, [cs({ waiting: { reason: 'ErrImageNeverPull', message: 'no stand-in' } })]), ['Warning Failed']);
  assert.deepEqual(killingEvents(pod).map((e) => e.message), ['Stopping container c']);
});

test('event object: involvedObject, source, timestamps, name under the object', () => {
  const e = buildEvent({ type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web to n1', component: 'default-scheduler', object: { kind: 'Pod', name: 'web', namespace: 'default', uid: 'u1' } }, new Date('2026-01-01T00:00:00.123Z'), 'abc');
  assert.equal(e.metadata.name, 'web.abc');
  assert.deepEqual((e as unknown as { involvedObject: unknown }).involvedObject, { kind: 'Pod', name: 'web', namespace: 'default', apiVersion: 'v1', uid: 'u1' });
  assert.equal((e as unknown as { lastTimestamp: string }).lastTimestamp, '2026-01-01T00:00:00Z');
  assert.deepEqual((e as unknown as { source: unknown }).source, { component: 'default-scheduler' });
});
