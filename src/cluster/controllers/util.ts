import { createHash } from 'node:crypto';
import type { Condition } from '../api-types.js';
import type { K8sObject, OwnerReference } from '../store/types.js';

export type { Condition } from '../api-types.js';

export type Obj = Record<string, unknown>;

export const nowIso = (t = Date.now()): string => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');

export function conditionsOf(o: K8sObject): Condition[] {
  const st = (o.status ?? {}) as { conditions?: Condition[] };
  return Array.isArray(st.conditions) ? st.conditions : [];
}

export function getCondition(o: K8sObject, type: string): Condition | undefined {
  return conditionsOf(o).find((c) => c.type === type);
}

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
export function withCondition(list: Condition[], c: Condition, now = nowIso()): Condition[] {
  const old = list.find((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: old && old.status === c.status ? (old.lastTransitionTime ?? now) : now };
  return old ? list.map((x) => (x.type === c.type ? next : x)) : [...list, next];
}

export function isPodReady(pod: K8sObject): boolean {
  const st = (pod.status ?? {}) as { phase?: string };
  return st.phase === 'Running' && getCondition(pod, 'Ready')?.status === 'True';
}

export function isTerminating(o: K8sObject): boolean {
  return !!o.metadata.deletionTimestamp;
}

export function controllerRef(owner: K8sObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/**
 * A pod from a controller's `spec.template` (ReplicaSet, Job, DaemonSet, StatefulSet): the template's labels (plus
 * `labels`) and annotations, the spec copied, owned by the controller. Each controller then adds its own spec fields.
 */
export function templatePod(owner: K8sObject, name: string, labels: Record<string, string> = {}): K8sObject & { spec: Obj } {
  const tpl = (((owner.spec ?? {}) as Obj).template ?? {}) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Obj };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(tpl.metadata?.labels ?? {}), ...labels },
      ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: structuredClone(tpl.spec ?? {}),
  };
}

export function ownedBy(o: K8sObject, owner: K8sObject): boolean {
  return (o.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.controller);
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Stable short name part from a string (like Kubernetes' SafeEncodeString of a hash). */
export function safeHash(s: string, len = 10): string {
  const h = createHash('sha256').update(s).digest();
  let out = '';
  for (let i = 0; out.length < len; i++) out += SAFE[h[i % h.length]! % SAFE.length];
  return out;
}

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
