import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { K8sObject } from '../store/types.js';
import { mostRecentScheduleTime, parseSchedule, planCronJob, rfc3339In, SCHEDULED_TIMESTAMP, type Schedule } from './cronjob.js';

const T = (s: string): number => Date.parse(s);
const cronJob = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'x', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-01-01T10:00:00Z' },
  spec: { schedule: '* * * * *', jobTemplate: { metadata: { labels: { app: 'x' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
  status,
});
const job = (name: string, state: 'Running' | 'Complete' | 'Failed', start: string, completion?: string): K8sObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: start, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'x', uid: 'cj-uid', controller: true }] },
  status: { startTime: start, ...(completion ? { completionTime: completion } : {}), ...(state === 'Running' ? {} : { conditions: [{ type: state, status: 'True' }] }) },
});
const sched = (s: string, tz?: string): Schedule => {
  const r = parseSchedule(s, tz);
  assert.ok(!('error' in r), `${s} parses`);
  return r;
};

test('schedules: five fields, macros, time zones; seconds fields, TZ= and unknown zones are refused', () => {
  const cases: Array<[string, string | undefined, string, string]> = [
    ['* * * * *', undefined, '2026-01-01T00:00:30Z', '2026-01-01T00:01:00.000Z'],
    ['* * * * *', undefined, '2026-01-01T00:01:00Z', '2026-01-01T00:02:00.000Z'],
    ['*/15 * * * *', undefined, '2026-01-01T00:01:00Z', '2026-01-01T00:15:00.000Z'],
    ['@hourly', undefined, '2026-01-01T00:01:00Z', '2026-01-01T01:00:00.000Z'],
    ['@midnight', undefined, '2026-01-01T00:01:00Z', '2026-01-02T00:00:00.000Z'],
    ['@daily', 'Europe/Paris', '2026-01-01T00:01:00Z', '2026-01-01T23:00:00.000Z'],
    ['0 9 * * 1-5', 'America/New_York', '2026-01-02T15:00:00Z', '2026-01-05T14:00:00.000Z'],
  ];
  for (const [s, tz, after, want] of cases) assert.equal(new Date(sched(s, tz).next(T(after))!).toISOString(), want, `${s} ${tz ?? ''} after ${after}`);
  const bad: Array<[string, string | undefined, string, RegExp]> = [
    ['bad', undefined, 'spec.schedule', /expected exactly 5 fields, found 1/],
    ['0 * * * * *', undefined, 'spec.schedule', /found 6/],
    ['61 * * * *', undefined, 'spec.schedule', /./],
    ['TZ=UTC * * * * *', undefined, 'spec.schedule', /use timeZone field/],
    ['* * * * *', 'Mars/Olympus', 'spec.timeZone', /unknown time zone Mars\/Olympus/],
  ];
  for (const [s, tz, field, re] of bad) {
    const r = parseSchedule(s, tz);
    assert.ok('error' in r && r.field === field && re.test(r.error), `${s} ${tz ?? ''} refused on ${field}: ${JSON.stringify(r)}`);
  }
});

test('the most recent schedule time in (earliest, now], also after a long gap', () => {
  const every = sched('* * * * *');
  assert.equal(mostRecentScheduleTime(every, T('2026-01-01T10:00:00Z'), T('2026-01-01T10:00:59Z')), undefined);
  assert.equal(mostRecentScheduleTime(every, T('2026-01-01T10:00:00Z'), T('2026-01-01T10:01:00Z')), T('2026-01-01T10:01:00Z'));
  assert.equal(mostRecentScheduleTime(every, T('2025-01-01T10:00:00Z'), T('2026-01-01T10:07:30Z')), T('2026-01-01T10:07:00Z'));
  assert.equal(mostRecentScheduleTime(sched('0 0 1 1 *'), T('2020-06-01T00:00:00Z'), T('2026-03-01T00:00:00Z')), T('2026-01-01T00:00:00Z'));
  assert.equal(mostRecentScheduleTime(sched('0 0 1 1 *'), T('2026-01-02T00:00:00Z'), T('2026-03-01T00:00:00Z')), undefined);
});

test('RFC 3339 in the CronJob zone for the scheduled-timestamp annotation', () => {
  assert.equal(rfc3339In(T('2026-01-01T10:00:00Z')), '2026-01-01T10:00:00Z');
  assert.equal(rfc3339In(T('2026-01-01T10:00:00Z'), 'Europe/Paris'), '2026-01-01T11:00:00+01:00');
  assert.equal(rfc3339In(T('2026-07-01T10:00:00Z'), 'America/New_York'), '2026-07-01T06:00:00-04:00');
});

test('planCronJob: what starts, what is stopped and pruned, and the status', () => {
  const t0 = '2026-01-01T10:00:00Z';
  const cases: Array<{ name: string; cj: K8sObject; jobs?: K8sObject[]; now: string; create?: string; remove?: string[]; active?: string[]; last?: string; lastOk?: string; events?: string[] }> = [
    { name: 'nothing due before the first minute', cj: cronJob({}), now: '2026-01-01T10:00:40Z' },
    { name: 'first run at the minute', cj: cronJob({}), now: '2026-01-01T10:01:05Z', create: `x-${T('2026-01-01T10:01:00Z') / 60000}`, last: '2026-01-01T10:01:00Z', events: ['SuccessfulCreate'] },
    { name: 'missed runs are not made up: only the latest starts', cj: cronJob({}, { lastScheduleTime: '2026-01-01T10:01:00Z' }), now: '2026-01-01T10:05:10Z', create: `x-${T('2026-01-01T10:05:00Z') / 60000}`, last: '2026-01-01T10:05:00Z' },
    { name: 'startingDeadlineSeconds passed: skipped', cj: cronJob({ startingDeadlineSeconds: 10 }, { lastScheduleTime: '2026-01-01T10:01:00Z' }), now: '2026-01-01T10:05:30Z', last: '2026-01-01T10:01:00Z' },
    { name: 'within startingDeadlineSeconds: started', cj: cronJob({ startingDeadlineSeconds: 60 }, { lastScheduleTime: '2026-01-01T10:01:00Z' }), now: '2026-01-01T10:05:30Z', create: `x-${T('2026-01-01T10:05:00Z') / 60000}` },
    { name: 'suspended: nothing starts', cj: cronJob({ suspend: true }), now: '2026-01-01T10:05:30Z' },
    { name: 'already created (restart before the status write): not again', cj: cronJob({}), jobs: [job(`x-${T('2026-01-01T10:01:00Z') / 60000}`, 'Running', '2026-01-01T10:01:01Z')], now: '2026-01-01T10:01:30Z', active: [`x-${T('2026-01-01T10:01:00Z') / 60000}`], last: '2026-01-01T10:01:00Z' },
    { name: 'Allow runs alongside', cj: cronJob({}, { lastScheduleTime: '2026-01-01T10:01:00Z' }), jobs: [job('x-old', 'Running', t0)], now: '2026-01-01T10:02:01Z', create: `x-${T('2026-01-01T10:02:00Z') / 60000}`, active: ['x-old'] },
    { name: 'Forbid waits for the running Job', cj: cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2026-01-01T10:01:00Z' }), jobs: [job('x-old', 'Running', t0)], now: '2026-01-01T10:02:01Z', active: ['x-old'], last: '2026-01-01T10:01:00Z' },
    { name: 'Replace stops the running Job', cj: cronJob({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: '2026-01-01T10:01:00Z' }), jobs: [job('x-old', 'Running', t0)], now: '2026-01-01T10:02:01Z', create: `x-${T('2026-01-01T10:02:00Z') / 60000}`, remove: ['x-old'], events: ['SuccessfulDelete', 'SuccessfulCreate'] },
    {
      name: 'history: 3 successful and 1 failed kept by default, oldest go; lastSuccessfulTime is the latest completion',
      cj: cronJob({ suspend: true }, { active: [{ name: 'x-s5', uid: 'uid-x-s5' }] }),
      jobs: [
        job('x-s1', 'Complete', '2026-01-01T10:01:00Z', '2026-01-01T10:01:10Z'), job('x-s2', 'Complete', '2026-01-01T10:02:00Z', '2026-01-01T10:02:10Z'),
        job('x-s3', 'Complete', '2026-01-01T10:03:00Z', '2026-01-01T10:03:10Z'), job('x-s5', 'Complete', '2026-01-01T10:05:00Z', '2026-01-01T10:05:10Z'),
        job('x-f1', 'Failed', '2026-01-01T10:00:30Z'), job('x-f4', 'Failed', '2026-01-01T10:04:00Z'),
      ],
      now: '2026-01-01T10:06:00Z', remove: ['x-s1', 'x-f1'], lastOk: '2026-01-01T10:05:10Z', events: ['SawCompletedJob', 'SuccessfulDelete', 'SuccessfulDelete'],
    },
    { name: 'limits of 0 keep no history', cj: cronJob({ suspend: true, successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 }), jobs: [job('x-s1', 'Complete', t0, t0), job('x-f1', 'Failed', t0)], now: '2026-01-01T10:06:00Z', remove: ['x-s1', 'x-f1'], lastOk: t0 },
    { name: 'a bad schedule starts nothing and says so', cj: cronJob({ schedule: 'nope' }), now: '2026-01-01T10:06:00Z', events: ['UnparseableSchedule'] },
  ];
  for (const c of cases) {
    const p = planCronJob(c.cj, c.jobs ?? [], T(c.now));
    assert.equal(p.create?.metadata.name, c.create, `${c.name}: create`);
    assert.deepEqual(p.remove.map((j) => j.metadata.name), c.remove ?? [], `${c.name}: remove`);
    assert.deepEqual(((p.status.active as Array<{ name: string }>) ?? []).map((r) => r.name), c.active ?? [], `${c.name}: active`);
    if (c.last) assert.equal(p.status.lastScheduleTime, c.last, `${c.name}: lastScheduleTime`);
    if (!c.create && !c.last) assert.equal(p.status.lastScheduleTime, (c.cj.status as { lastScheduleTime?: string } | undefined)?.lastScheduleTime, `${c.name}: lastScheduleTime unchanged`);
    assert.equal(p.status.lastSuccessfulTime, c.lastOk, `${c.name}: lastSuccessfulTime`);
    if (c.events) assert.deepEqual(p.events.map((e) => e.reason), c.events, `${c.name}: events`);
  }
});

test('the created Job: template copied, owned by the CronJob, scheduled timestamp annotated in its zone', () => {
  const p = planCronJob(cronJob({ schedule: '@hourly', timeZone: 'Europe/Paris' }), [], T('2026-01-01T11:00:02Z'));
  const j = p.create!;
  assert.equal(j.metadata.name, `x-${T('2026-01-01T11:00:00Z') / 60000}`);
  assert.deepEqual(j.metadata.labels, { app: 'x' });
  assert.equal(j.metadata.annotations?.[SCHEDULED_TIMESTAMP], '2026-01-01T12:00:00+01:00');
  assert.deepEqual(j.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'x', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal((j.spec as { template: { spec: { restartPolicy: string } } }).template.spec.restartPolicy, 'OnFailure');
  assert.equal(p.nextMs, T('2026-01-01T12:00:00Z'));
});

test('controller: the manager creates the due Job through the API (defaulted, owned), lists it active, then records its success', async () => {
  const { Registry } = await import('../apiserver/registry.js');
  const { bootstrapCluster } = await import('../apiserver/bootstrap.js');
  const { findResource } = await import('../apiserver/resources.js');
  const { parseKindCluster } = await import('../kind-config.js');
  const { ObjectStore } = await import('../store/store.js');
  const { ControllerManager } = await import('./manager.js');
  const store = new ObjectStore({ historySize: 50 });
  const spec = parseKindCluster({ name: 't', nodes: [{ role: 'control-plane' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec);
  const ctl = new ControllerManager(reg);
  const CJ = findResource('batch', 'v1', 'cronjobs')!;
  const JOBS = findResource('batch', 'v1', 'jobs')!;
  const cj = reg.create(CJ, 'default', cronJob({}));
  assert.deepEqual([(cj.spec as Record<string, unknown>).concurrencyPolicy, (cj.spec as Record<string, unknown>).successfulJobsHistoryLimit, (cj.spec as Record<string, unknown>).failedJobsHistoryLimit], ['Allow', 3, 1]);
  // a run due: the last one two minutes back
  const last = Math.floor(Date.now() / 60_000) * 60_000 - 120_000;
  reg.update(CJ, 'default', 'x', { ...cj, status: { lastScheduleTime: new Date(last).toISOString().replace(/\.\d+Z$/, 'Z') } }, 'status');
  ctl.runPass();
  const jobs = store.list('jobs.batch', 'default').items;
  assert.equal(jobs.length, 1);
  const j = jobs[0]!;
  assert.match(j.metadata.name!, /^x-\d+$/);
  assert.ok(Number(j.metadata.name!.slice(2)) * 60_000 > last);
  assert.equal(j.metadata.ownerReferences?.[0]?.uid, cj.metadata.uid);
  assert.ok((j.spec as { selector?: unknown }).selector, 'the Job was defaulted by the API server');
  const st = store.get('cronjobs.batch', 'default', 'x')!.status as { active?: Array<{ uid: string }>; lastScheduleTime?: string };
  assert.deepEqual(st.active?.map((r) => r.uid), [j.metadata.uid]);
  assert.equal(Date.parse(st.lastScheduleTime!), Number(j.metadata.name!.slice(2)) * 60_000);
  ctl.runPass(); // nothing new due within the minute already started
  assert.equal(store.list('jobs.batch', 'default').items.length, 1);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  reg.update(JOBS, 'default', j.metadata.name!, { ...j, status: { startTime: now, completionTime: now, succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }, 'status');
  ctl.runPass();
  const st2 = store.get('cronjobs.batch', 'default', 'x')!.status as { active?: unknown[]; lastSuccessfulTime?: string };
  assert.equal(st2.active, undefined);
  assert.equal(st2.lastSuccessfulTime, now);
  ctl.stop();
});
