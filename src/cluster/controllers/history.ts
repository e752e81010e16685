/**
 * ControllerRevisions of DaemonSets and StatefulSets, as their upstream controllers keep them, so
 * `kubectl rollout history|undo ds/NAME|sts/NAME` work: one revision per pod template, named
 * `<owner>-<hash>`, controlled by the owner and labelled with its template's labels (kubectl finds
 * them by the owner's selector) plus controller-revision-hash. Its `data` is the patch kubectl's
 * undo applies, `{"spec":{"template":{…,"$patch":"replace"}}}`, with its keys sorted as Go writes
 * them (kubectl compares it byte for byte with the current template's to say "skipped rollback").
 * The current template's revision gets the highest number: a template seen before (an undo) takes
 * its old revision, renumbered. Revisions beyond revisionHistoryLimit (default 10), oldest first,
 * go unless pods still run them. `planHistory` is pure.
 */
import type { K8sObject } from '../store/types.js';
import { canonicalJson } from './rollout.js';
import { controllerRef, type Obj } from './util.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

const templateOf = (o: K8sObject) => (((o.spec ?? {}) as Obj).template ?? {}) as { metadata?: { labels?: Record<string, string> } };

/** Keys sorted at every level, nulls kept: how Go marshals the map kubectl builds. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as Obj).sort().map((k) => [k, sortedKeys((v as Obj)[k])]));
  return v;
}

/**
 * The revision data of the owner's current template: what kubectl's getDaemonSetPatch and
 * getStatefulSetPatch make of it (the typed template marshalled again: sorted keys, and the zero
 * values Go writes even when empty, metadata.creationTimestamp null and each container's resources {}).
 */
export function revisionData(owner: K8sObject): Obj {
  const t = structuredClone(templateOf(owner)) as Obj & { metadata?: Obj; spec?: Obj & { containers?: Obj[]; initContainers?: Obj[] } };
  t.metadata = { creationTimestamp: null, ...(t.metadata ?? {}) };
  for (const c of [...(t.spec?.containers ?? []), ...(t.spec?.initContainers ?? [])]) c.resources ??= {};
  return sortedKeys({ spec: { template: { ...t, $patch: 'replace' } } }) as Obj;
}

export interface HistoryPlan {
  create?: K8sObject;
  /** An existing revision that becomes the current one again (an undo): its new number. */
  renumber?: { revision: K8sObject; to: number };
  remove: K8sObject[];
  /** The current template's revision number (what the owner's pods run once updated). */
  current: number;
}

/**
 * One sync of the owner's history. `name`/`hash`: the current template's revision name and the
 * hash its pods carry; `liveHashes`: the controller-revision-hash labels of the owner's pods.
 */
export function planHistory(owner: K8sObject, revisions: K8sObject[], name: string, hash: string, liveHashes: Set<string>): HistoryPlan {
  const data = revisionData(owner);
  const want = canonicalJson(data);
  const num = (r: K8sObject) => Number((r as Obj).revision ?? 0);
  const max = revisions.reduce((m, r) => Math.max(m, num(r)), 0);
  const match = revisions.find((r) => r.metadata.name === name) ?? revisions.find((r) => canonicalJson((r as Obj).data) === want);
  const plan: HistoryPlan = { remove: [], current: match ? num(match) : max + 1 };
  if (!match) {
    const cause = owner.metadata.annotations?.[CHANGE_CAUSE];
    plan.create = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: owner.metadata.namespace ?? 'default',
        labels: { ...(templateOf(owner).metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
        ...(cause ? { annotations: { [CHANGE_CAUSE]: cause } } : {}),
        ownerReferences: [controllerRef(owner)],
      },
      data,
      revision: max + 1,
    } as K8sObject;
  } else if (num(match) < max) {
    plan.renumber = { revision: match, to: max + 1 };
    plan.current = max + 1;
  }
  const limit = Number(((owner.spec ?? {}) as Obj).revisionHistoryLimit ?? 10);
  const old = revisions.filter((r) => r !== match && !liveHashes.has(r.metadata.labels?.[REVISION_HASH_LABEL] ?? '')).sort((a, b) => num(a) - num(b));
  const extra = old.length - Math.max(0, limit);
  if (extra > 0) plan.remove = old.slice(0, extra);
  return plan;
}
