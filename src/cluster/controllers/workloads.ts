import type { K8sObject } from '../store/types.js';
import { getCondition, isPodReady, isTerminating, templatePod, type Obj } from './util.js';

export interface ReplicaSetPlan {
  create: number;
  remove: K8sObject[];
}

/** How many pods to add, and which to remove (unscheduled, then not ready, then newest). */
export function planReplicaSet(rs: K8sObject, pods: K8sObject[]): ReplicaSetPlan {
  const want = Number((rs.spec as { replicas?: number }).replicas ?? 1);
  const live = pods.filter((p) => !isTerminating(p));
  if (live.length < want) return { create: want - live.length, remove: [] };
  const rank = (p: K8sObject) => ((p.spec as { nodeName?: string }).nodeName ? 0 : 2) + (isPodReady(p) ? 0 : 1);
  const order = [...live].sort((a, b) => rank(b) - rank(a) || (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || b.metadata.name!.localeCompare(a.metadata.name!));
  return { create: 0, remove: order.slice(0, live.length - want) };
}

/** A new pod for a ReplicaSet (the name suffix is chosen by the caller). */
export function podFromTemplate(rs: K8sObject, suffix: string): K8sObject {
  return templatePod(rs, `${rs.metadata.name}-${suffix}`);
}

/** Ready for at least minReadySeconds (what "available" means for ReplicaSets and Deployments). */
export function isPodAvailable(p: K8sObject, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(p)) return false;
  if (minReadySeconds <= 0) return true;
  const since = getCondition(p, 'Ready')?.lastTransitionTime;
  return typeof since === 'string' && Date.parse(since) + minReadySeconds * 1000 <= nowMs;
}

export function replicaSetStatus(rs: K8sObject, pods: K8sObject[], nowMs = Date.now()): Obj {
  const live = pods.filter((p) => !isTerminating(p));
  const ready = live.filter(isPodReady).length;
  const minReady = Number((rs.spec as Obj | undefined)?.minReadySeconds ?? 0);
  const available = live.filter((p) => isPodAvailable(p, minReady, nowMs)).length;
  return { replicas: live.length, fullyLabeledReplicas: live.length, readyReplicas: ready, availableReplicas: available, observedGeneration: rs.metadata.generation ?? 1 };
}
