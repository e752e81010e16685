/**
 * StatefulSets as the upstream controller runs them: pods NAME-0…NAME-(n-1) with stable
 * names and hostnames; OrderedReady creates one ordinal at a time once the ones below are
 * Running and Ready and removes from the highest ordinal down, Parallel does all at once;
 * a template change replaces pods from the highest ordinal down (RollingUpdate, partition).
 * Pure: one sync's decisions; the manager applies them.
 */
import type { K8sObject } from '../store/types.js';
import { canonicalJson } from './rollout.js';
import { isPodReady, isTerminating, safeHash, templatePod, type Obj } from './util.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

interface StsSpec {
  replicas?: number;
  serviceName?: string;
  podManagementPolicy?: string;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Obj };
}

const specOf = (sts: K8sObject) => (sts.spec ?? {}) as StsSpec;

/** `NAME-<hash>`, the ControllerRevision name and the pods' controller-revision-hash label. */
export function updateRevision(sts: K8sObject): string {
  return `${sts.metadata.name}-${safeHash(canonicalJson(specOf(sts).template ?? {}), 10)}`;
}

/** The ordinal of one of this set's pods from its name, or -1. */
export function ordinalOf(sts: K8sObject, pod: K8sObject): number {
  const prefix = `${sts.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

export function statefulPod(sts: K8sObject, ordinal: number): K8sObject {
  const spec = specOf(sts);
  const name = `${sts.metadata.name}-${ordinal}`;
  const pod = templatePod(sts, name, { [REVISION_LABEL]: updateRevision(sts), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) });
  pod.spec = { ...pod.spec, hostname: name, ...(spec.serviceName ? { subdomain: spec.serviceName } : {}) };
  return pod;
}

export interface StsPlan {
  create: K8sObject[];
  remove: K8sObject[];
  status: Obj;
}

const phaseOf = (p: K8sObject) => String((p.status as Obj | undefined)?.phase ?? '');

/** One sync of a StatefulSet over the pods it owns. */
export function planStatefulSet(sts: K8sObject, pods: K8sObject[]): StsPlan {
  const spec = specOf(sts);
  const replicas = Number(spec.replicas ?? 1);
  const parallel = spec.podManagementPolicy === 'Parallel';
  const rev = updateRevision(sts);
  const byOrdinal = new Map<number, K8sObject>();
  for (const p of pods) {
    const i = ordinalOf(sts, p);
    if (i >= 0) byOrdinal.set(i, p);
  }
  const create: K8sObject[] = [];
  const remove: K8sObject[] = [];
  let blocked = false;
  // Pods that exited for good are replaced (kubelet will not restart them).
  for (const p of byOrdinal.values()) if (!isTerminating(p) && (phaseOf(p) === 'Failed' || phaseOf(p) === 'Succeeded')) remove.push(p);
  for (let i = 0; i < replicas && !blocked; i++) {
    const p = byOrdinal.get(i);
    if (!p) {
      create.push(statefulPod(sts, i));
      if (!parallel) blocked = true;
    } else if (!parallel && (isTerminating(p) || remove.includes(p) || !isPodReady(p))) blocked = true;
  }
  const condemned = [...byOrdinal.entries()].filter(([i, p]) => i >= replicas && !isTerminating(p)).sort((a, b) => b[0] - a[0]);
  const live = [...byOrdinal.values()];
  const allHealthy = live.every((p) => !isTerminating(p) && isPodReady(p));
  if (parallel) remove.push(...condemned.map(([, p]) => p).filter((p) => !remove.includes(p)));
  else if (condemned.length && allHealthy && !create.length) remove.push(condemned[0]![1]);
  // Rolling update: once every ordinal is up and healthy, replace the highest outdated one ≥ partition.
  const rolling = (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = Number(spec.updateStrategy?.rollingUpdate?.partition ?? 0);
  if (rolling && !create.length && !remove.length && allHealthy && !condemned.length) {
    for (let i = replicas - 1; i >= partition; i--) {
      const p = byOrdinal.get(i);
      if (p && p.metadata.labels?.[REVISION_LABEL] !== rev) {
        remove.push(p);
        break;
      }
    }
  }
  const existing = live.filter((p) => !isTerminating(p));
  const ready = existing.filter(isPodReady).length;
  const updated = existing.filter((p) => p.metadata.labels?.[REVISION_LABEL] === rev).length;
  const prev = (sts.status ?? {}) as Obj;
  // No status yet (adopted pods): the revision the lowest ordinal runs is the current one.
  const lowest = [...byOrdinal.entries()].sort((a, b) => a[0] - b[0])[0]?.[1].metadata.labels?.[REVISION_LABEL];
  const prevCurrent = typeof prev.currentRevision === 'string' ? prev.currentRevision : (lowest ?? rev);
  const currentRevision = updated === replicas && existing.length === replicas ? rev : prevCurrent;
  const current = existing.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length;
  const status: Obj = {
    observedGeneration: sts.metadata.generation ?? 1,
    replicas: existing.length,
    readyReplicas: ready,
    currentReplicas: current,
    updatedReplicas: updated,
    currentRevision,
    updateRevision: rev,
    collisionCount: 0,
    availableReplicas: ready,
  };
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (status[k] === 0) delete status[k];
  return { create, remove, status };
}
