/**
 * What an in-place apply refuses, decided before anything changes (pure). The lab-wide settings
 * (name, prefix, mgmt network, the cluster's own settings) and the cluster's control-plane cannot
 * change under a running lab: the API server, the mgmt bridge and every node's kubeconfig hang on
 * them. Each refusal names the field or the node, with its place in the topology.
 */
import { KindlabError } from '../errors.js';
import type { LabPlan, NodePlan, SourcePos } from '../topology/index.js';
import { type AppliedPlan, type ApplySteps, type PlanDiff, fixedChanges } from './plan-diff.js';

const at = (p: SourcePos | undefined): string => (p ? `${p.file}:${p.line}:${p.col}: ` : '');

export function applyRefusal(plan: LabPlan, old: AppliedPlan, d: PlanDiff, steps: ApplySteps): KindlabError | undefined {
  const hint = `apply it by redeploying: lab deploy --reconfigure -t ${plan.file} (every node restarts)`;
  if (d.fixedChanged) {
    const fields = fixedChanges(old, plan);
    const cluster = fields.some((f) => f.startsWith('cluster'));
    const file = cluster ? (plan.cluster?.configFile ?? plan.file) : plan.file;
    return new KindlabError('APPLY_UNSUPPORTED', `${file}: lab ${plan.name}: ${fields.join(', ')} changed; the lab-wide settings (name, prefix, mgmt network, the cluster's own settings) cannot change in place`, { hint });
  }
  const oldByName = new Map(old.nodes.map((n) => [n.name, n]));
  const newByName = new Map(plan.nodes.map((n) => [n.name, n]));
  const k8sTouched = [...steps.leaveCluster, ...steps.joinCluster];
  if (k8sTouched.length && (plan.clusters?.length ?? 0) > 1) {
    return new KindlabError('APPLY_UNSUPPORTED', `lab ${plan.name} has several clusters: Kubernetes nodes (${[...new Set(k8sTouched)].join(', ')}) are joined or removed in place only in a lab with one cluster`, { hint });
  }
  // the first control-plane runs the API server and holds the cluster's store: it never leaves
  const cp = (nodes: NodePlan[]) => nodes.find((n) => n.k8s?.role === 'control-plane');
  const oldCp = cp(old.nodes);
  if (oldCp && steps.leaveCluster.includes(oldCp.name)) {
    const now = newByName.get(oldCp.name);
    // a control-plane with another kind entry (role, labels, node-ip) is another node, not a changed one
    const why = now ? `changed (${d.changedNodes.find((c) => c.node === oldCp.name)?.keys.join(', ') ?? 'its kind entry'})` : 'removed';
    return new KindlabError('APPLY_UNSUPPORTED', `${at(now?.pos ?? oldCp.pos)}node ${oldCp.name}: the cluster's control-plane is ${why}; it runs the API server and cannot leave a running cluster`, { hint });
  }
  const extraCp = steps.joinCluster.map((n) => newByName.get(n)!).find((n) => n.k8s?.role === 'control-plane' && !oldByName.get(n.name)?.k8s);
  if (extraCp) return new KindlabError('APPLY_UNSUPPORTED', `${at(extraCp.pos)}node ${extraCp.name}: a control-plane node cannot join a running cluster (only workers do)`, { hint });
  return undefined;
}
