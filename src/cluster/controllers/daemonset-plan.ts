/**
 * The DaemonSet controller's decisions, as kube-controller-manager's daemon controller makes
 * them (pkg/controller/daemon): which nodes should run a daemon pod (nodeSelector, required
 * node affinity, NoSchedule/NoExecute taints against the pod's tolerations plus the ones the
 * controller adds), which pods to create or delete per node, which old pods a RollingUpdate
 * may replace within maxUnavailable, and the status. Daemon pods are bound to their node
 * directly (spec.nodeName), so the scheduler never sees them. maxSurge is not implemented: a
 * RollingUpdate always deletes first, as with maxSurge 0 (the default). Pure.
 */
import type { K8sObject } from '../store/types.js';
import { nodeSelectorMatches, untoleratedTaint, type Taint, type Toleration } from './node-fit.js';
import { getCondition, isTerminating, safeHash, templatePod, type Obj } from './util.js';

export const REVISION_LABEL = 'controller-revision-hash';
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/**
 * Tolerations the daemon controller adds to every daemon pod (util.AddOrUpdateDaemonPodTolerations):
 * daemons stay on not-ready, unreachable, pressured and cordoned nodes; host-network ones also on a
 * node whose network is not up yet.
 */
export function daemonTolerations(podSpec: Obj): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (podSpec.hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const have = (podSpec.tolerations ?? []) as Toleration[];
  return [...have, ...t.filter((x) => !have.some((h) => h.key === x.key && h.effect === x.effect))];
}

export type NodeDecision = { run: true } | { run: false; reason: string };

/** Should this DaemonSet run a pod on this node (nodeShouldRunDaemonPod's predicates). */
export function shouldRunOn(ds: K8sObject, node: K8sObject): NodeDecision {
  const podSpec = templateSpec(ds);
  if (!nodeSelectorMatches(podSpec, node)) return { run: false, reason: "node didn't match the DaemonSet's node selector/affinity" };
  const taints = (((node.spec ?? {}) as { taints?: Taint[] }).taints ?? []) as Taint[];
  const bad = untoleratedTaint(taints, daemonTolerations(podSpec));
  if (bad) return { run: false, reason: `node had untolerated taint {${bad.key}: ${bad.value ?? ''}} (${bad.effect})` };
  return { run: true };
}

function templateSpec(ds: K8sObject): Obj {
  return (((ds.spec ?? {}) as Obj).template as { spec?: Obj } | undefined)?.spec ?? {};
}

/** The hash of the current template: the pods' controller-revision-hash label. */
export function templateHash(ds: K8sObject): string {
  return safeHash(JSON.stringify(((ds.spec ?? {}) as Obj).template ?? {}), 10);
}

/** A pod runs the current template: its revision hash or its template generation matches (upstream IsPodUpdated). */
export function isUpdated(pod: K8sObject, ds: K8sObject, hash = templateHash(ds)): boolean {
  const l = pod.metadata.labels ?? {};
  return l[REVISION_LABEL] === hash || l[TEMPLATE_GENERATION_LABEL] === String(ds.metadata.generation ?? 1);
}

/** Ready for minReadySeconds (podutil.IsPodAvailable), at `now` in ms. */
export function isAvailable(pod: K8sObject, minReadySeconds: number, now: number): boolean {
  const c = getCondition(pod, 'Ready');
  if (((pod.status ?? {}) as { phase?: string }).phase !== 'Running' || c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = Date.parse(c.lastTransitionTime ?? '');
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

const isReady = (pod: K8sObject) => isAvailable(pod, 0, 0);
const phaseOf = (pod: K8sObject) => ((pod.status ?? {}) as { phase?: string }).phase;
const byAge = (a: K8sObject, b: K8sObject) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name!.localeCompare(b.metadata.name!);

/** An int-or-percent against `total`, percents rounded up (intstr.GetScaledValueFromIntOrPercent with roundUp). */
export function scaledValue(v: unknown, total: number, fallback: number): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (m) return Math.ceil((Number(m[1]) * total) / 100);
    if (/^\d+$/.test(v)) return Number(v);
  }
  return fallback;
}

export interface DaemonSetPlan {
  /** Nodes that get a new pod. */
  create: string[];
  /** Pods to delete: on nodes that should not run one, extras, failed ones, and old ones a rolling update replaces. */
  remove: K8sObject[];
  status: Obj;
  /** Per node that should not run a pod: why (for events and logs). */
  skipped: Map<string, string>;
}

/**
 * One pass of the daemon controller over a DaemonSet, its pods and the nodes (manage + rollingUpdate +
 * updateDaemonSetStatus). `now` (ms) decides minReadySeconds availability.
 */
export function planDaemonSet(ds: K8sObject, pods: K8sObject[], nodes: K8sObject[], now: number): DaemonSetPlan {
  const spec = (ds.spec ?? {}) as Obj & { minReadySeconds?: number; updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: unknown; maxSurge?: unknown } } };
  const minReady = Number(spec.minReadySeconds ?? 0);
  const hash = templateHash(ds);
  const live = pods.filter((p) => !isTerminating(p));
  const byNode = new Map<string, K8sObject[]>();
  for (const p of live) {
    const n = (p.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  for (const list of byNode.values()) list.sort(byAge);
  const create: string[] = [];
  const remove: K8sObject[] = [];
  const skipped = new Map<string, string>();
  const wanted: K8sObject[] = [];
  const nodeNames = new Set(nodes.map((n) => n.metadata.name!));
  for (const node of nodes) {
    const name = node.metadata.name!;
    const d = shouldRunOn(ds, node);
    const mine = byNode.get(name) ?? [];
    if (!d.run) {
      skipped.set(name, d.reason);
      remove.push(...mine);
      continue;
    }
    wanted.push(node);
    // Failed pods go (the next pass creates a replacement); then one pod per node, the oldest kept.
    const failed = mine.filter((p) => phaseOf(p) === 'Failed');
    remove.push(...failed);
    const ok = mine.filter((p) => phaseOf(p) !== 'Failed');
    if (ok.length === 0) {
      if (!failed.length) create.push(name);
      continue;
    }
    // More than one (maxSurge 0): all but the oldest go.
    remove.push(...ok.slice(1));
  }
  // Pods bound to nodes that no longer exist, or to no node, go too.
  for (const [n, list] of byNode) if (!nodeNames.has(n)) remove.push(...list);

  if ((spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') remove.push(...rollingUpdateRemovals(ds, wanted, byNode, remove, hash, minReady, now));
  return { create, remove: [...new Set(remove)], status: daemonSetStatus(ds, nodes, wanted, byNode, hash, minReady, now), skipped };
}

/**
 * rollingUpdate with maxSurge 0: an old pod that is not available is replaced at once; available old
 * pods are deleted only while fewer than maxUnavailable daemon pods are unavailable. Oldest first, as the
 * controller walks nodes in order; the next pass creates the new pods.
 */
function rollingUpdateRemovals(ds: K8sObject, wanted: K8sObject[], byNode: Map<string, K8sObject[]>, already: K8sObject[], hash: string, minReady: number, now: number): K8sObject[] {
  const ru = ((ds.spec as Obj).updateStrategy as { rollingUpdate?: { maxUnavailable?: unknown } } | undefined)?.rollingUpdate;
  let maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, wanted.length, 1);
  if (maxUnavailable < 1) maxUnavailable = 1; // validation forbids 0 with maxSurge 0
  let unavailable = 0;
  const replaceNow: K8sObject[] = [];
  const candidates: K8sObject[] = [];
  for (const node of wanted) {
    const pods = (byNode.get(node.metadata.name!) ?? []).filter((p) => !already.includes(p));
    const fresh = pods.find((p) => isUpdated(p, ds, hash));
    const old = pods.find((p) => !isUpdated(p, ds, hash));
    if ((!fresh && !old) || (fresh && old)) unavailable++;
    else if (fresh) {
      if (!isAvailable(fresh, minReady, now)) unavailable++;
    } else if (!isAvailable(old!, minReady, now)) replaceNow.push(old!);
    else candidates.push(old!);
  }
  const budget = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
  return [...replaceNow, ...candidates.slice(0, budget)];
}

function daemonSetStatus(ds: K8sObject, nodes: K8sObject[], wanted: K8sObject[], byNode: Map<string, K8sObject[]>, hash: string, minReady: number, now: number): Obj {
  const wantedNames = new Set(wanted.map((n) => n.metadata.name!));
  let current = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  let misscheduled = 0;
  for (const n of nodes) {
    const pods = byNode.get(n.metadata.name!) ?? [];
    if (!wantedNames.has(n.metadata.name!)) {
      if (pods.length) misscheduled++;
      continue;
    }
    if (!pods.length) continue;
    current++;
    const p = pods[0]!;
    if (isReady(p)) {
      ready++;
      if (isAvailable(p, minReady, now)) available++;
    }
    if (isUpdated(p, ds, hash)) updated++;
  }
  const desired = wanted.length;
  return {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    observedGeneration: ds.metadata.generation ?? 1,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    ...(desired - available > 0 ? { numberUnavailable: desired - available } : {}),
  };
}

/** A daemon pod for a node: the template, its revision labels, the added tolerations, bound to the node. */
export function daemonPod(ds: K8sObject, node: string, suffix: string): K8sObject {
  const pod = templatePod(ds, `${ds.metadata.name}-${suffix}`, { [REVISION_LABEL]: templateHash(ds), [TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) });
  pod.spec.tolerations = daemonTolerations(pod.spec);
  pod.spec.nodeName = node;
  return pod;
}
