/**
 * Which of a lab's clusters a command is about (several `k8s-kind` clusters in one lab). Pure.
 * A cluster is named as kind names it (`kind create cluster --name NAME`); kubectl's context name
 * for it, `kind-NAME`, is accepted too. References may carry the cluster in front:
 * `NAME/pod/NS/POD`, `NAME/svc/SVC` (the unqualified form means the lab's first cluster).
 */
import { KindlabError } from '../../errors.js';
import type { LabCluster, LabPlan } from '../../topology/index.js';

/** The lab's clusters, first first; empty without a cluster. */
export function labClusters(plan: LabPlan): LabCluster[] {
  return plan.clusters?.length ? plan.clusters : plan.cluster ? [plan.cluster] : [];
}

export const labClusterNames = (plan: LabPlan): string[] => labClusters(plan).map((c) => c.spec.name);

/** `name` among `known` (`kind-NAME` as kubectl's context names it too); an error naming the known ones otherwise. */
export function matchClusterName(lab: string, known: string[], name: string): string {
  if (known.includes(name)) return name;
  if (name.startsWith('kind-') && known.includes(name.slice(5))) return name.slice(5);
  if (known.length === 0) throw new KindlabError('USAGE', `lab ${lab} has no cluster (its topology has no cluster: section or k8s-kind node)`);
  throw new KindlabError('NODE_NOT_FOUND', `lab ${lab} has no cluster "${name}" (its clusters: ${known.join(', ')})`, { hint: `choose one with --cluster ${known[0]}` });
}

/**
 * The plan as cluster `name` sees it (default: `plan.cluster`, the first of a whole plan): `cluster` is it, and of the Kubernetes
 * nodes only its own are in `nodes` (what hostPaths and the pod helpers expect).
 */
export function clusterPlan(plan: LabPlan, name?: string): LabPlan {
  const all = labClusters(plan);
  const c = name === undefined ? (plan.cluster ?? all[0]) : all.find((x) => x.spec.name === matchClusterName(plan.name, all.map((y) => y.spec.name), name));
  if (!c) throw new KindlabError('USAGE', `lab ${plan.name} has no cluster (its topology has no cluster: section or k8s-kind node)`);
  if (all.length < 2) return plan;
  return { ...plan, cluster: c, nodes: plan.nodes.filter((n) => !n.k8s || n.k8s.cluster === c.spec.name) };
}

const TYPED = /^(pods?|svc|services?)\//;

/** `NAME/pod/…` → { cluster: NAME, ref: 'pod/…' }; any other string is returned as it is. */
export function splitClusterRef(s: string): { cluster?: string; ref: string } {
  const i = s.indexOf('/');
  if (i <= 0 || TYPED.test(s)) return { ref: s };
  const rest = s.slice(i + 1);
  return TYPED.test(rest) ? { cluster: s.slice(0, i), ref: rest } : { ref: s };
}
