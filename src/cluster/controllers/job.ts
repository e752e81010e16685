/**
 * Jobs (NonIndexed) as the upstream job controller runs them: keep min(parallelism,
 * completions − succeeded) pods active, count Succeeded and Failed pods (and, for
 * restartPolicy OnFailure, container restarts) against backoffLimit, and finish with the
 * Complete or Failed condition (after SuccessCriteriaMet / FailureTarget, as 1.32 does) so
 * `kubectl wait --for=condition=complete` returns. Pure.
 */
import type { K8sObject } from '../store/types.js';
import { isPodReady, isTerminating, templatePod, type Condition, type Obj } from './util.js';

interface JobSpec {
  completions?: number | null;
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

/** A pod for the Job; the name's random tail is the caller's. */
export function jobPod(job: K8sObject, suffix: string): K8sObject {
  return templatePod(job, `${job.metadata.name}-${suffix}`);
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
  // Counts never go down: a finished pod someone deleted still counted.
  const succeeded = Math.max(Number(prev.succeeded ?? 0), pods.filter((p) => phase(p) === 'Succeeded').length);
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
    else if (active.length > want) remove = [...active].sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '')).slice(0, active.length - want);
  } else remove = active;
  const stillActive = done || remove === active ? 0 : active.length - remove.length + create;
  const status: Obj = {
    ...(prev.startTime ? { startTime: prev.startTime } : { startTime: now }),
    ...(completionTime ? { completionTime } : {}),
    ...(stillActive ? { active: stillActive } : {}),
    ...(succeeded ? { succeeded } : {}),
    ...(failed ? { failed } : {}),
    ready: active.filter((p) => !remove.includes(p) && isPodReady(p)).length,
    terminating: pods.filter(isTerminating).length,
    uncountedTerminatedPods: {},
    ...(conditions.length ? { conditions } : {}),
  };
  return { create, remove, status, events };
}
