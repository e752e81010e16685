/**
 * The CronJob controller's decisions (kube-controller-manager's cronjob controller v2), kept pure:
 * a CronJob, the Jobs it owns and the current time in, the Job to create, the Jobs to delete,
 * the status and the Events out. manager.ts applies them.
 */
import { Cron } from 'croner';
import type { K8sObject, OwnerReference } from '../store/types.js';
import { jobFinished } from './job.js';
import { controllerRef, nowIso, type Obj } from './util.js';

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** The macros Kubernetes' cron parser knows; croner lacks @midnight. */
const MACROS: Record<string, string> = { '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *' };

export type Schedule = { next: (afterMs: number) => number | undefined };

/** A parsed `spec.schedule` in `spec.timeZone` (local time of the controller, UTC here, when unset), or why not. */
export function parseSchedule(schedule: string, timeZone?: string): Schedule | { error: string; field: 'spec.schedule' | 'spec.timeZone' } {
  if (timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      return { error: `unknown time zone ${timeZone}`, field: 'spec.timeZone' };
    }
  }
  const s = schedule.trim();
  if (/^(CRON_)?TZ=/.test(s)) return { error: 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead', field: 'spec.schedule' };
  const pattern = MACROS[s.toLowerCase()] ?? s;
  // croner also takes a seconds field; Kubernetes takes exactly five
  const fields = pattern.split(/\s+/).filter(Boolean).length;
  if (fields !== 5) return { error: `expected exactly 5 fields, found ${fields}: ${schedule}`, field: 'spec.schedule' };
  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true, timezone: timeZone ?? 'UTC' });
    cron.nextRun(new Date(0));
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e), field: 'spec.schedule' };
  }
  return { next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime() };
}

/**
 * The latest schedule time in (earliest, now], looking back in doubling windows so a long-suspended
 * every-minute CronJob costs a few steps, not one per missed minute.
 */
export function mostRecentScheduleTime(sched: Schedule, earliestMs: number, nowMs: number): number | undefined {
  for (let back = 60_000; ; back *= 2) {
    const from = Math.max(earliestMs, nowMs - back);
    let t = sched.next(from);
    if (t !== undefined && t <= nowMs) {
      let last = t;
      while ((t = sched.next(last)) !== undefined && t <= nowMs) last = t;
      return last;
    }
    if (from === earliestMs) return undefined;
  }
}

/** RFC 3339 in the CronJob's zone, as the annotation upstream carries (`2026-01-01T01:00:00+01:00`). */
export function rfc3339In(ms: number, timeZone?: string): string {
  if (!timeZone) return nowIso(ms);
  const off = new Intl.DateTimeFormat('en', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(off);
  if (!m) return nowIso(ms);
  const mins = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return `${nowIso(ms + mins * 60_000).slice(0, -1)}${m[1]}${m[2]}:${m[3]}`;
}

interface CronJobSpec {
  schedule?: string;
  timeZone?: string;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  suspend?: boolean;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
  jobTemplate?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Obj };
}

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronJobPlan {
  /** The Job for the due schedule time, if one is to start now. */
  create?: K8sObject;
  /** Active Jobs a Replace policy stops, then finished Jobs beyond the history limits. */
  remove: K8sObject[];
  /** status without the Job being created: the caller adds its reference once it has a uid. */
  status: Obj;
  events: CronJobEvent[];
  /** When the next schedule time falls (ms), for the caller's wake-up. */
  nextMs?: number;
}

export const jobRef = (j: K8sObject): Obj => ({ kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1' });

const startOf = (j: K8sObject): string => String((j.status as Obj | undefined)?.startTime ?? j.metadata.creationTimestamp ?? '');

/** One sync of a CronJob over the Jobs it owns (controller owner reference) at `nowMs`. */
export function planCronJob(cj: K8sObject, jobs: K8sObject[], nowMs: number): CronJobPlan {
  const spec = (cj.spec ?? {}) as CronJobSpec;
  const prev = (cj.status ?? {}) as Obj & { active?: Array<{ uid?: string; name?: string }> };
  const events: CronJobEvent[] = [];
  const remove: K8sObject[] = [];
  const live = jobs.filter((j) => !j.metadata.deletionTimestamp);
  // Level-triggered: the active list is every unfinished Job the CronJob owns (upstream keeps its own list).
  let active = live.filter((j) => !jobFinished(j));
  for (const j of live) {
    const done = jobFinished(j);
    if (done && (prev.active ?? []).some((r) => r.uid === j.metadata.uid)) events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${j.metadata.name}, condition: ${done}` });
  }
  let lastSuccessfulTime = prev.lastSuccessfulTime as string | undefined;
  for (const j of live) {
    const ct = (j.status as Obj | undefined)?.completionTime as string | undefined;
    if (jobFinished(j) === 'Complete' && ct && (!lastSuccessfulTime || Date.parse(ct) > Date.parse(lastSuccessfulTime))) lastSuccessfulTime = ct;
  }
  let lastScheduleTime = prev.lastScheduleTime as string | undefined;
  let create: K8sObject | undefined;
  let nextMs: number | undefined;

  const sched = parseSchedule(spec.schedule ?? '', spec.timeZone);
  if ('error' in sched) events.push({ type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${sched.error}` });
  else if (!spec.suspend && !cj.metadata.deletionTimestamp) {
    nextMs = sched.next(nowMs);
    const created = Date.parse(cj.metadata.creationTimestamp ?? nowIso(nowMs));
    let earliest = lastScheduleTime ? Date.parse(lastScheduleTime) : created;
    // runs older than the deadline are never started: they are missed, not late
    if (spec.startingDeadlineSeconds != null) earliest = Math.max(earliest, nowMs - spec.startingDeadlineSeconds * 1000);
    const t = mostRecentScheduleTime(sched, earliest, nowMs);
    const name = t === undefined ? '' : `${cj.metadata.name}-${Math.floor(t / 60_000)}`;
    if (t === undefined) {
      // nothing due
    } else if (spec.startingDeadlineSeconds != null && t + spec.startingDeadlineSeconds * 1000 < nowMs) {
      events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${new Date(t).toUTCString()}` });
    } else if (jobs.some((j) => j.metadata.name === name)) {
      lastScheduleTime = nowIso(t); // started already (a restart between create and status)
    } else if (spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      // wait for the running one; the time stays due while within the deadline
    } else {
      if (spec.concurrencyPolicy === 'Replace') {
        for (const j of active) {
          remove.push(j);
          events.push({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${j.metadata.name}` });
        }
        active = [];
      }
      const tpl = spec.jobTemplate ?? {};
      create = {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name,
          namespace: cj.metadata.namespace,
          ...(tpl.metadata?.labels ? { labels: { ...tpl.metadata.labels } } : {}),
          annotations: { ...(tpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP]: rfc3339In(t, spec.timeZone) },
          ownerReferences: [controllerRef(cj) as OwnerReference],
        },
        spec: structuredClone(tpl.spec ?? {}),
      };
      events.push({ type: 'Normal', reason: 'SuccessfulCreate', message: `Created job ${name}` });
      lastScheduleTime = nowIso(t);
    }
  }

  // History: the oldest finished Jobs past each limit go, whether or not the CronJob is suspended.
  for (const [kind, limit] of [['Complete', spec.successfulJobsHistoryLimit ?? 3], ['Failed', spec.failedJobsHistoryLimit ?? 1]] as const) {
    const done = live.filter((j) => jobFinished(j) === kind).sort((a, b) => startOf(a).localeCompare(startOf(b)));
    for (const j of done.slice(0, Math.max(0, done.length - limit))) {
      remove.push(j);
      events.push({ type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted job ${j.metadata.name}` });
    }
  }

  const status: Obj = {
    ...(active.length ? { active: active.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)).map(jobRef) } : {}),
    ...(lastScheduleTime ? { lastScheduleTime } : {}),
    ...(lastSuccessfulTime ? { lastSuccessfulTime } : {}),
  };
  return { ...(create ? { create } : {}), remove, status, events, ...(nextMs !== undefined ? { nextMs } : {}) };
}
