/**
 * Does a pod spec fit a node's labels and taints: nodeSelector, required node affinity
 * (matchExpressions with In/NotIn/Exists/DoesNotExist/Gt/Lt, matchFields on metadata.name)
 * and taints against tolerations, as kube-scheduler's NodeAffinity and TaintToleration
 * filters decide. Shared by the scheduler and the DaemonSet controller. Pure.
 */
import type { K8sObject } from '../store/types.js';

type Obj = Record<string, unknown>;

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}
export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface Requirement {
  key: string;
  operator: string;
  values?: string[];
}
interface Term {
  matchExpressions?: Requirement[];
  matchFields?: Requirement[];
}

/** One toleration covers a taint (an empty effect matches every effect; an empty key with Exists matches every key). */
export function toleratesTaint(tol: Toleration, t: Taint): boolean {
  if (tol.effect && tol.effect !== t.effect) return false;
  if (!tol.key) return tol.operator === 'Exists';
  if (tol.key !== t.key) return false;
  return tol.operator === 'Exists' || (tol.value ?? '') === (t.value ?? '');
}

export function tolerates(tols: Toleration[], t: Taint): boolean {
  return tols.some((tol) => toleratesTaint(tol, t));
}

/** The first taint with one of `effects` that no toleration covers. */
export function untoleratedTaint(taints: Taint[], tols: Toleration[], effects: readonly string[] = ['NoSchedule', 'NoExecute']): Taint | undefined {
  return taints.find((t) => effects.includes(t.effect) && !tolerates(tols, t));
}

function requirementMatches(r: Requirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && vals.includes(value);
    case 'NotIn':
      return value === undefined || !vals.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const a = Number.parseInt(value ?? '', 10);
      const b = Number.parseInt(vals[0] ?? '', 10);
      if (!Number.isInteger(a) || !Number.isInteger(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

/** A term matches when all its requirements do; an empty term matches nothing (as upstream). */
function termMatches(term: Term, node: K8sObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  return exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) && fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name));
}

/** nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (the terms are ORed). */
export function nodeSelectorMatches(podSpec: Obj, node: K8sObject): boolean {
  const labels = node.metadata.labels ?? {};
  const sel = (podSpec.nodeSelector ?? {}) as Record<string, string>;
  if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) return false;
  const req = (((podSpec.affinity as Obj | undefined)?.nodeAffinity as Obj | undefined)?.requiredDuringSchedulingIgnoredDuringExecution as Obj | undefined)?.nodeSelectorTerms;
  if (!Array.isArray(req)) return true;
  return (req as Term[]).some((t) => termMatches(t, node));
}
