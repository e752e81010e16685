/**
 * The stages' baseline: each object the stages change as it was before their first run (or
 * absent then), and the plan that puts the cluster back to it — delete what the stages created,
 * re-create what they deleted, and merge-patch back the fields their steps may have changed.
 * Pure; stages-reset.ts reads the cluster and runs the plan with kubectl.
 */
import { isDeepStrictEqual } from 'node:util';
import { unionScope, type ObjectRef, type RestoreScope } from './stages-targets.js';

/** What kubectl returns for an object (the parts the restore reads). */
export interface KubeObj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface BaselineEntry {
  ref: ObjectRef;
  /** The object before the stages ran; null: it did not exist. */
  object: KubeObj | null;
  scope: RestoreScope;
}

export interface Baseline {
  version: 1;
  /** The uid of the cluster's kube-system namespace: a re-created cluster starts a new baseline. */
  cluster: string;
  entries: BaselineEntry[];
}

/** API group of an apiVersion (`apps/v1` → apps, `v1` → ''). */
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/** One key per object: group, kind, namespace (unset counts as default, as kubectl sends it) and name. Versions are one object. */
export function objectKey(r: ObjectRef): string {
  return `${groupOf(r.apiVersion)}|${r.kind}|${r.namespace ?? 'default'}|${r.name}`;
}

export function refOf(o: KubeObj): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace !== undefined ? { namespace: o.metadata.namespace } : {}) };
}

/** What kubectl needs to find an object (`kubectl get|delete|patch -f -`). */
export function stubOf(r: ObjectRef): KubeObj {
  return { apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace !== undefined ? { namespace: r.namespace } : {}) } };
}

/** Readable name: `pod/default/sample`, `node/worker`. */
export function refText(r: ObjectRef): string {
  return `${r.kind.toLowerCase()}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

/**
 * Adds the objects not in the baseline yet, as they are now (`current`, by key; absent: null),
 * and widens the scope of those already there. Returns a new baseline.
 */
export function extendBaseline(base: Baseline, targets: ReadonlyArray<{ ref: ObjectRef; scope: RestoreScope }>, current: ReadonlyMap<string, KubeObj>): Baseline {
  const entries = new Map(base.entries.map((e) => [objectKey(e.ref), e]));
  for (const t of targets) {
    const key = objectKey(t.ref);
    const have = entries.get(key);
    if (have) entries.set(key, { ...have, scope: unionScope(have.scope, t.scope) });
    else {
      const now = current.get(key);
      entries.set(key, { ref: t.ref, object: now ? recorded(now) : null, scope: t.scope });
    }
  }
  return { ...base, entries: [...entries.values()] };
}

/** What the baseline keeps of an object: not its status or managed fields, which nothing puts back. */
function recorded(o: KubeObj): KubeObj {
  const { status: _status, ...rest } = o;
  const { managedFields: _managed, ...metadata } = o.metadata;
  return { ...rest, apiVersion: o.apiVersion, kind: o.kind, metadata: { ...metadata, name: o.metadata.name } };
}

export interface RestorePlan {
  /** Created by the stages: deleted. */
  remove: ObjectRef[];
  /** Deleted by the stages: created again from the baseline. */
  recreate: KubeObj[];
  /** Changed by the stages: a JSON merge patch each. */
  patch: Array<{ ref: ObjectRef; patch: Record<string, unknown>; fields: string[] }>;
}

export function planRestore(base: Baseline, current: ReadonlyMap<string, KubeObj>): RestorePlan {
  const plan: RestorePlan = { remove: [], recreate: [], patch: [] };
  for (const e of base.entries) {
    const now = current.get(objectKey(e.ref));
    if (!e.object) {
      if (now) plan.remove.push(refOf(now));
    } else if (!now) plan.recreate.push(forCreate(e.object));
    else {
      const p = scopedPatch(now, e.object, e.scope);
      if (p) plan.patch.push({ ref: refOf(now), ...p });
    }
  }
  return plan;
}

/** The object without what the server sets, to be created again. */
export function forCreate(o: KubeObj): KubeObj {
  const { status: _status, ...rest } = o;
  const metadata = { ...o.metadata };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete metadata[k];
  return { ...rest, apiVersion: o.apiVersion, kind: o.kind, metadata };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386 merge patch turning `from` into `to` (null removes; arrays are replaced whole); undefined when equal. */
export function mergeDiff(from: unknown, to: unknown): unknown {
  if (isDeepStrictEqual(from, to)) return undefined;
  if (!isPlainObject(from) || !isPlainObject(to)) return to === undefined ? null : to;
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(from), ...Object.keys(to)])) {
    const d = mergeDiff(from[k], to[k]);
    if (d !== undefined) out[k] = d;
  }
  return out;
}

/** The merge patch that puts back, within `scope`, what differs between `now` and `then`; undefined when nothing does. */
export function scopedPatch(now: KubeObj, then: KubeObj, scope: RestoreScope): { patch: Record<string, unknown>; fields: string[] } | undefined {
  const patch: Record<string, unknown> = {};
  const fields: string[] = [];
  const metadata: Record<string, unknown> = {};
  for (const field of ['labels', 'annotations'] as const) {
    const a = now.metadata[field] ?? {};
    const b = then.metadata[field] ?? {};
    const keys = scope[field] === true ? [...new Set([...Object.keys(a), ...Object.keys(b)])] : scope[field];
    const m: Record<string, string | null> = {};
    for (const k of keys) if (a[k] !== b[k]) m[k] = b[k] ?? null;
    if (Object.keys(m).length > 0) {
      metadata[field] = m;
      fields.push(...Object.keys(m).sort().map((k) => `${field === 'labels' ? 'label' : 'annotation'} ${k}`));
    }
  }
  if (Object.keys(metadata).length > 0) patch['metadata'] = metadata;
  if (scope.body) {
    const skip = new Set(['apiVersion', 'kind', 'metadata', 'status']);
    for (const k of new Set([...Object.keys(now), ...Object.keys(then)])) {
      if (skip.has(k)) continue;
      const d = mergeDiff(now[k], then[k]);
      if (d !== undefined) {
        patch[k] = d;
        fields.push(k);
      }
    }
  }
  return fields.length > 0 ? { patch, fields } : undefined;
}
