/**
 * Jobs (NonIndexed and Indexed) as the upstream job controller runs them: keep min(parallelism,
 * completions − succeeded) pods active, count Succeeded and Failed pods (and, for
 * restartPolicy OnFailure, container restarts) against backoffLimit, and finish with the
 * Complete or Failed condition (after SuccessCriteriaMet / FailureTarget, as 1.32 does) so
 * `kubectl wait --for=condition=complete` returns. Pure.
 */
import type { K8sObject } from '../store/types.js';
import { isPodReady, isTerminating, templatePod, type Condition, type Obj } from './util.js';

interface JobSpec {
  completions?: number | null;
  completionMode?: 'NonIndexed' | 'Indexed';
  parallelism?: number;
  backoffLimit?: number;
  suspend?: boolean;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Obj & { restartPolicy?: string } };
}

export interface JobPlan {
  /** ttlSecondsAfterFinished has passed: the Job (and through the GC its pods) goes. */
  expired?: boolean;
  create: number;
  /** Indexed Jobs: the completion index of each pod to create (as many as `create`). */
  indexes?: number[];
  remove: K8sObject[];
  status: Obj;
  events: Array<{ type: 'Normal' | 'Warning'; reason: string; message: string }>;
}

const phase = (p: K8sObject) => String((p.status as Obj | undefined)?.phase ?? '');
const restarts = (p: K8sObject) => ((p.status as { containerStatuses?: Array<{ restartCount?: number }> } | undefined)?.containerStatuses ?? []).reduce((a, c) => a + Number(c.restartCount ?? 0), 0);

export function jobFinished(job: K8sObject): 'Complete' | 'Failed' | undefined {
  const conds = ((job.status as Obj | undefined)?.conditions ?? []) as Condition[];
  for (const t of ['Complete', 'Failed'] as const) if (conds.some((c) => c.type === t && c.status === 'True')) return t;
  return undefined;
}

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/**
 * A pod for the Job; the name's random tail is the caller's. An Indexed Job's pod carries its
 * index (annotation and label), is named and hostnamed `<job>-<index>`, and every container gets
 * JOB_COMPLETION_INDEX from the annotation, as the job controller does.
 */
export function jobPod(job: K8sObject, suffix: string, index?: number): K8sObject {
  if (index === undefined) return templatePod(job, `${job.metadata.name}-${suffix}`);
  const pod = templatePod(job, `${job.metadata.name}-${index}-${suffix}`, { [COMPLETION_INDEX]: String(index) });
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX]: String(index) };
  const spec = pod.spec as Obj & { containers?: Array<Obj & { env?: Obj[] }>; hostname?: string };
  spec.hostname ??= `${job.metadata.name}-${index}`;
  for (const c of spec.containers ?? []) c.env = [...(c.env ?? []), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } }];
  return pod;
}

const indexOf = (p: K8sObject): number | undefined => {
  const v = p.metadata.annotations?.[COMPLETION_INDEX] ?? p.metadata.labels?.[COMPLETION_INDEX];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
};

/** `status.completedIndexes`: sorted indexes as ranges, `0-2,4`. */
export function indexRanges(xs: Iterable<number>): string {
  const s = [...new Set(xs)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    out.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j + 1;
  }
  return out.join(',');
}

/** Indexes of `completedIndexes` text. */
export function parseIndexRanges(s: string | undefined): number[] {
  return (s ?? '').split(',').filter(Boolean).flatMap((r) => {
    const [a, b] = r.split('-').map(Number);
    return b === undefined ? [a!] : Array.from({ length: b - a! + 1 }, (_, i) => a! + i);
  });
}

const cond = (type: string, reason: string, message: string, now: string): Condition => ({ type, status: 'True', lastProbeTime: now, lastTransitionTime: now, reason, message }) as Condition;

/** One sync of a Job over the pods it owns; `now` is RFC 3339 (second precision). */
export function planJob(job: K8sObject, pods: K8sObject[], now: string): JobPlan {
  const nowMs = Date.parse(now);
  const spec = (job.spec ?? {}) as JobSpec;
  const parallelism = Number(spec.parallelism ?? 1);
  const completions = spec.completions === null ? undefined : Number(spec.completions ?? 1);
  const backoffLimit = Number(spec.backoffLimit ?? 6);
  const prev = (job.status ?? {}) as Obj & { conditions?: Condition[] };
  const active = pods.filter((p) => !isTerminating(p) && phase(p) !== 'Succeeded' && phase(p) !== 'Failed');
  const indexed = spec.completionMode === 'Indexed' && completions !== undefined;
  // Indexed: an index is done once one of its pods succeeded; the count is of indexes.
  const doneIndexes = new Set(indexed ? [...parseIndexRanges(prev.completedIndexes as string | undefined), ...pods.filter((p) => phase(p) === 'Succeeded').map(indexOf).filter((i): i is number => i !== undefined && i < completions!)] : []);
  // Counts never go down: a finished pod someone deleted still counted.
  const succeeded = indexed ? doneIndexes.size : Math.max(Number(prev.succeeded ?? 0), pods.filter((p) => phase(p) === 'Succeeded').length);
  const failed = Math.max(Number(prev.failed ?? 0), pods.filter((p) => phase(p) === 'Failed').length);
  const onFailure = spec.template?.spec?.restartPolicy === 'OnFailure';
  const failures = failed + (onFailure ? active.reduce((a, p) => a + restarts(p), 0) : 0);
  const events: JobPlan['events'] = [];
  let conditions = [...(prev.conditions ?? [])];
  let completionTime = prev.completionTime as string | undefined;
  const done = jobFinished(job);
  const started = typeof prev.startTime === 'string' ? Date.parse(prev.startTime) : nowMs;
  const overdue = spec.activeDeadlineSeconds !== undefined && nowMs - started >= spec.activeDeadlineSeconds * 1000;
  let create = 0;
  let indexes: number[] | undefined;
  let remove: K8sObject[] = [];
  if (done) {
    remove = active;
    const finishedAt = Date.parse(String((prev.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')?.lastTransitionTime ?? now));
    if (spec.ttlSecondsAfterFinished !== undefined && nowMs - finishedAt >= spec.ttlSecondsAfterFinished * 1000) return { expired: true, create: 0, remove: [], status: prev, events: [] };
  }
  else if (completions !== undefined && succeeded >= completions) {
    remove = active;
    conditions = [...conditions, cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now), cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', now)];
    completionTime = now;
    events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  } else if (completions === undefined && succeeded > 0 && active.length === 0) {
    conditions = [...conditions, cond('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now), cond('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', now)];
    completionTime = now;
    events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
  } else if (overdue) {
    remove = active;
    conditions = [...conditions, cond('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', now), cond('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline', now)];
    events.push({ type: 'Warning', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  } else if (failures > backoffLimit) {
    remove = active;
    conditions = [...conditions, cond('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now), cond('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now)];
    events.push({ type: 'Warning', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
  } else if (!spec.suspend) {
    // With completions unset, work is done once any pod succeeded: start no more, leave the running ones be.
    const want = completions === undefined ? (succeeded > 0 ? active.length : parallelism) : Math.min(parallelism, completions - succeeded);
    if (active.length < want) create = want - active.length;
    if (indexed) {
      // the lowest indexes neither done nor running
      const busy = new Set(active.map(indexOf));
      indexes = Array.from({ length: completions! }, (_, i) => i).filter((i) => !doneIndexes.has(i) && !busy.has(i)).slice(0, create);
      create = indexes.length;
    }
    else if (active.length > want) remove = [...active].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')).slice(0, active.length - want);
  } else remove = active;
  const stillActive = done || remove === active ? 0 : active.length - remove.length + create;
  const status: Obj = {
    ...(prev.startTime ? { startTime: prev.startTime } : { startTime: now }),
    ...(completionTime ? { completionTime } : {}),
    ...(stillActive ? { active: stillActive } : {}),
    ...(succeeded ? { succeeded } : {}),
    ...(failed ? { failed } : {}),
    ...(indexed ? { completedIndexes: indexRanges(doneIndexes) } : {}),
    ready: active.filter((p) => !remove.includes(p) && isPodReady(p)).length,
    terminating: pods.filter(isTerminating).length,
    uncountedTerminatedPods: {},
    ...(conditions.length ? { conditions } : {}),
  };
  return { create, ...(indexes ? { indexes } : {}), remove, status, events };
}
