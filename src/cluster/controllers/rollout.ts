/**
 * Deployment rollouts, decided the way kube-controller-manager's deployment controller does:
 * RollingUpdate bounded by maxSurge/maxUnavailable, Recreate, revision annotations on
 * ReplicaSets (what `kubectl rollout history|undo` read), revisionHistoryLimit, and the
 * status/conditions `kubectl rollout status` waits on. Pure: the manager applies the plan.
 */
import type { K8sObject } from '../store/types.js';
import { controllerRef, safeHash, type Condition, type Obj } from './util.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const DESIRED = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/**
 * JSON with object keys sorted and null fields left out, so equal templates hash equal whatever
 * order a patch left the keys in, and `creationTimestamp: null` (what kubectl's typed template carries) equals unset.
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as Obj)
      .filter((k) => (v as Obj)[k] !== undefined && (v as Obj)[k] !== null)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Obj)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The template without the controller's own `pod-template-hash` label (what kubectl rollout undo copies back). */
export function templateOf(o: K8sObject): Obj {
  const tpl = structuredClone(((o.spec as Obj | undefined)?.template ?? {}) as Obj & { metadata?: { labels?: Record<string, string> } });
  if (tpl.metadata?.labels) {
    delete tpl.metadata.labels['pod-template-hash'];
    if (!Object.keys(tpl.metadata.labels).length) delete tpl.metadata.labels;
  }
  return tpl;
}

/** Hash of a pod template, as the `pod-template-hash` label and ReplicaSet name suffix. */
export function podTemplateHash(template: unknown): string {
  return safeHash(canonicalJson(template ?? {}), 10);
}

/**
 * An int-or-percent of `total`: percentages round up for maxSurge and down for maxUnavailable
 * (intstr.GetScaledValueFromIntOrPercent); both zero makes maxUnavailable 1 so a rollout can move.
 */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? v.match(/^(\d+)%$/) : null;
  if (m) return roundUp ? Math.ceil((Number(m[1]) * total) / 100) : Math.floor((Number(m[1]) * total) / 100);
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

export function surgeAndUnavailable(dep: K8sObject): { maxSurge: number; maxUnavailable: number } {
  const spec = dep.spec as Obj & { replicas?: number; strategy?: { type?: string; rollingUpdate?: { maxSurge?: unknown; maxUnavailable?: unknown } } };
  const desired = Number(spec.replicas ?? 1);
  if ((spec.strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return { maxSurge: 0, maxUnavailable: 0 };
  const ru = spec.strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge ?? '25%', desired, true);
  let maxUnavailable = scaledValue(ru.maxUnavailable ?? '25%', desired, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable: Math.min(maxUnavailable, desired) };
}

const specReplicas = (rs: K8sObject): number => Number((rs.spec as Obj | undefined)?.replicas ?? 0);
const statusNum = (rs: K8sObject, k: string): number => Number((rs.status as Obj | undefined)?.[k] ?? 0);
export const revisionOf = (rs: K8sObject): number => Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;
const byCreation = (a: K8sObject, b: K8sObject) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!);

/** Deployment annotations the controller copies onto its ReplicaSets (not kubectl's last-applied, not its own). */
function copiedAnnotations(dep: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(dep.metadata.annotations ?? {}))
    if (k !== 'kubectl.kubernetes.io/last-applied-configuration' && k !== REVISION && k !== DESIRED && k !== MAX_REPLICAS && k !== 'deployment.kubernetes.io/revision-history') out[k] = v;
  return out;
}

/** A new ReplicaSet for the Deployment's current template. */
export function newReplicaSet(dep: K8sObject, replicas: number, revision: number, maxSurge: number): K8sObject {
  const spec = dep.spec as Obj & { selector?: { matchLabels?: Record<string, string> } };
  const tpl = templateOf(dep) as Obj & { metadata?: { labels?: Record<string, string> } };
  const hash = podTemplateHash(tpl);
  tpl.metadata = { ...(tpl.metadata ?? {}), labels: { ...(tpl.metadata?.labels ?? {}), 'pod-template-hash': hash } };
  const desired = Number(spec.replicas ?? 1);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${dep.metadata.name}-${hash}`,
      namespace: dep.metadata.namespace,
      labels: { ...(tpl.metadata.labels ?? {}) },
      annotations: { ...copiedAnnotations(dep), [DESIRED]: String(desired), [MAX_REPLICAS]: String(desired + maxSurge), [REVISION]: String(revision) },
      ownerReferences: [controllerRef(dep)],
    },
    spec: {
      replicas,
      ...(spec.minReadySeconds !== undefined ? { minReadySeconds: spec.minReadySeconds } : {}),
      selector: { ...(spec.selector ?? {}), matchLabels: { ...(spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
      template: tpl,
    },
  };
}

/** Which owned ReplicaSet runs the Deployment's current template (undefined: none yet). */
export function findNewReplicaSet(dep: K8sObject, owned: K8sObject[]): K8sObject | undefined {
  const want = canonicalJson(templateOf(dep));
  return [...owned].sort(byCreation).find((rs) => canonicalJson(templateOf(rs)) === want);
}

export type RolloutAction =
  | { kind: 'create'; rs: K8sObject }
  | { kind: 'scale'; rs: K8sObject; replicas: number; annotations: Record<string, string> }
  | { kind: 'delete'; rs: K8sObject };

export interface RolloutEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface RolloutPlan {
  actions: RolloutAction[];
  events: RolloutEvent[];
  /** The Deployment's own annotations (revision) when they change. */
  annotations?: Record<string, string>;
  status: Obj;
}

interface Scaled {
  rs: K8sObject;
  replicas: number;
}

/** NewRSNewReplicas for RollingUpdate: grow the new set while the total stays ≤ desired + maxSurge. */
export function rollingNewReplicas(desired: number, maxSurge: number, newReplicas: number, totalReplicas: number): number {
  if (newReplicas >= desired) return desired;
  const maxTotal = desired + maxSurge;
  if (totalReplicas >= maxTotal) return newReplicas;
  return newReplicas + Math.min(maxTotal - totalReplicas, desired - newReplicas);
}

/**
 * reconcileOldReplicaSets for RollingUpdate: how far the old sets may shrink without going below
 * desired − maxUnavailable available pods; unhealthy old pods go first, then oldest sets first.
 * Returns the new spec.replicas of each old set (in the order given).
 */
export function rollingOldReplicas(desired: number, maxUnavailable: number, newRs: { replicas: number; available: number }, old: Array<{ replicas: number; available: number }>): number[] {
  const out = old.map((o) => o.replicas);
  const oldCount = out.reduce((a, b) => a + b, 0);
  if (oldCount === 0) return out;
  const all = oldCount + newRs.replicas;
  const minAvailable = desired - maxUnavailable;
  const newUnavailable = newRs.replicas - newRs.available;
  let room = all - minAvailable - newUnavailable;
  if (room <= 0) return out;
  // Unhealthy (not available) old replicas cost no availability: remove them first.
  let cleaned = 0;
  for (let i = 0; i < old.length && cleaned < room; i++) {
    const unhealthy = Math.max(0, out[i]! - old[i]!.available);
    const n = Math.min(unhealthy, room - cleaned);
    out[i]! -= n;
    cleaned += n;
  }
  room -= cleaned;
  const available = newRs.available + old.reduce((a, o, i) => a + Math.min(o.available, out[i]!), 0);
  if (available <= minAvailable || room <= 0) return out;
  let down = Math.min(available - minAvailable, room);
  for (let i = 0; i < old.length && down > 0; i++) {
    const n = Math.min(out[i]!, down);
    out[i]! -= n;
    down -= n;
  }
  return out;
}

function availableCondition(available: number, desired: number, maxUnavailable: number): Condition {
  return available >= desired - maxUnavailable
    ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
    : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
}

/** Sets a condition; lastUpdateTime moves when reason or message change, lastTransitionTime when status does. */
function setCondition(list: Condition[], c: Condition, now: string, touch = false): Condition[] {
  const old = list.find((x) => x.type === c.type);
  if (old && old.status === c.status && old.reason === c.reason && old.message === c.message && (!touch || old.lastUpdateTime === now)) return list;
  const next = { type: c.type, status: c.status, lastUpdateTime: now, lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? now) : now, reason: c.reason, message: c.message } as Condition;
  return old ? list.map((x) => (x.type === c.type ? next : x)) : [...list, next];
}

/**
 * One sync of a Deployment over the ReplicaSets it owns (their current spec and status).
 * `now` is an RFC 3339 second-precision time; `nowMs` decides the progress deadline.
 */
export function planDeployment(dep: K8sObject, owned: K8sObject[], now: string, nowMs: number): RolloutPlan {
  const spec = dep.spec as Obj & { replicas?: number; paused?: boolean; strategy?: { type?: string }; revisionHistoryLimit?: number; progressDeadlineSeconds?: number };
  const desired = Number(spec.replicas ?? 1);
  const { maxSurge, maxUnavailable } = surgeAndUnavailable(dep);
  const recreate = (spec.strategy?.type ?? 'RollingUpdate') === 'Recreate';
  const actions: RolloutAction[] = [];
  const events: RolloutEvent[] = [];
  const depName = dep.metadata.name!;
  const found = findNewReplicaSet(dep, owned);
  const old = owned.filter((rs) => rs !== found).sort(byCreation);
  const maxOldRevision = Math.max(0, ...old.map(revisionOf));
  const revision = found && revisionOf(found) > maxOldRevision ? revisionOf(found) : maxOldRevision + 1;
  const scaled = new Map<K8sObject, number>();
  const replicasOf = (rs: K8sObject) => scaled.get(rs) ?? specReplicas(rs);
  const scale = (rs: K8sObject, n: number) => {
    if (n === replicasOf(rs)) return;
    const from = replicasOf(rs);
    scaled.set(rs, n);
    events.push({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled ${n > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${n}` });
  };
  let created: K8sObject | undefined;
  let newRs = found;
  const oldLive = old.reduce((a, rs) => a + replicasOf(rs), 0);
  const oldPods = old.reduce((a, rs) => a + statusNum(rs, 'replicas'), 0);
  if (!spec.paused) {
    if (recreate) {
      for (const rs of old) scale(rs, 0);
      const target = oldPods === 0 && oldLive === 0 ? desired : 0;
      if (!newRs) created = newReplicaSet(dep, target, revision, maxSurge);
      else if (oldPods === 0) scale(newRs, desired);
    } else {
      const total = owned.reduce((a, rs) => a + specReplicas(rs), 0);
      if (!newRs) created = newReplicaSet(dep, rollingNewReplicas(desired, maxSurge, 0, total), revision, maxSurge);
      else {
        const cur = specReplicas(newRs);
        scale(newRs, cur > desired ? desired : rollingNewReplicas(desired, maxSurge, cur, total));
        const news = { replicas: replicasOf(newRs), available: statusNum(newRs, 'availableReplicas') };
        const next = rollingOldReplicas(desired, maxUnavailable, news, old.map((rs) => ({ replicas: replicasOf(rs), available: statusNum(rs, 'availableReplicas') })));
        old.forEach((rs, i) => scale(rs, next[i]!));
      }
    }
  }
  if (created) {
    newRs = created;
    actions.push({ kind: 'create', rs: created });
    const n = specReplicas(created);
    if (n > 0) events.push({ type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${created.metadata.name} from 0 to ${n}` });
  }
  // Annotations each set carries: the new one the current revision and desired counts, old ones keep theirs.
  for (const rs of owned) {
    const ann = { ...(rs.metadata.annotations ?? {}) };
    if (rs === newRs) Object.assign(ann, copiedAnnotations(dep), { [REVISION]: String(revision), [DESIRED]: String(desired), [MAX_REPLICAS]: String(desired + maxSurge) });
    const n = replicasOf(rs);
    if (n !== specReplicas(rs) || JSON.stringify(ann) !== JSON.stringify(rs.metadata.annotations ?? {})) actions.push({ kind: 'scale', rs, replicas: n, annotations: ann });
  }
  // History: idle old sets beyond revisionHistoryLimit go, lowest revision first.
  const limit = Number(spec.revisionHistoryLimit ?? 10);
  const idle = old.filter((rs) => replicasOf(rs) === 0 && statusNum(rs, 'replicas') === 0).sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
  for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) actions.push({ kind: 'delete', rs });

  const all = newRs ? [newRs, ...old] : old;
  const sum = (k: string, list = all) => list.reduce((a, rs) => a + statusNum(rs, k), 0);
  const available = sum('availableReplicas');
  const totalSpec = all.reduce((a, rs) => a + (rs === created ? specReplicas(rs) : replicasOf(rs)), 0);
  const updated = newRs && newRs !== created ? statusNum(newRs, 'replicas') : 0;
  const prev = ((dep.status as Obj | undefined)?.conditions ?? []) as Condition[];
  let conds = setCondition(prev, availableCondition(available, desired, maxUnavailable), now);
  const rsName = newRs?.metadata.name ?? '';
  const complete = !!newRs && newRs !== created && updated === desired && statusNum(newRs, 'availableReplicas') === desired && sum('replicas') === desired && replicasOf(newRs) === desired;
  const progressing = prev.find((c) => c.type === 'Progressing');
  const deadline = Number(spec.progressDeadlineSeconds ?? 600);
  if (spec.paused) conds = setCondition(conds, { type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }, now);
  else if (created) conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rsName}"` }, now);
  else if (complete) conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` }, now);
  else {
    // Progress is any change the controller made or saw in the pod counts; the deadline runs from the last one.
    const before = (dep.status ?? {}) as Obj;
    const moved = actions.length > 0 || ['updatedReplicas', 'readyReplicas', 'availableReplicas', 'replicas'].some((k) => Number(before[k] ?? 0) !== (k === 'updatedReplicas' ? updated : sum(k)));
    const stale = progressing?.status === 'True' && progressing.reason === 'ReplicaSetUpdated' && nowMs - Date.parse(String(progressing.lastUpdateTime ?? now)) > deadline * 1000;
    if (moved || !progressing || (progressing.reason !== 'ReplicaSetUpdated' && progressing.reason !== 'ProgressDeadlineExceeded'))
      conds = setCondition(conds, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, now, moved);
    else if (stale) conds = setCondition(conds, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` }, now);
  }
  // The order the real controller keeps: Available, then Progressing.
  conds = [...conds.filter((c) => c.type === 'Available'), ...conds.filter((c) => c.type !== 'Available')];
  const status: Obj = {
    observedGeneration: dep.metadata.generation ?? 1,
    replicas: sum('replicas'),
    updatedReplicas: updated,
    readyReplicas: sum('readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, totalSpec - available),
    conditions: conds,
  };
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (status[k] === 0) delete status[k];
  const depRev = String(revision);
  const depAnn = dep.metadata.annotations ?? {};
  const annotations = depAnn[REVISION] !== depRev ? { ...depAnn, [REVISION]: depRev } : undefined;
  return { actions, events, ...(annotations ? { annotations } : {}), status };
}

/** `kubectl rollout history`'s CHANGE-CAUSE comes from the sets' annotation; exported for tests and printers. */
export const changeCause = (rs: K8sObject): string | undefined => rs.metadata.annotations?.[CHANGE_CAUSE];
