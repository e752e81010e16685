import type { K8sObject } from '../store/types.js';
import { getCondition, type Obj } from './util.js';
import { nodeSelectorMatches, untoleratedTaint, type Taint, type Toleration } from './node-fit.js';

export type ScheduleResult = { node: string } | { reason: string };

/**
 * Picks a node for a pod: Ready, schedulable, matching nodeSelector and required node
 * affinity, with every NoSchedule/NoExecute taint tolerated; among those the one with the
 * fewest pods (then by name), so replicas spread.
 */
export function pickNode(pod: K8sObject, nodes: K8sObject[], podsPerNode: Map<string, number>): ScheduleResult {
  const spec = (pod.spec ?? {}) as Obj;
  const tols = (spec.tolerations ?? []) as Toleration[];
  const why = new Map<string, number>();
  const note = (r: string) => why.set(r, (why.get(r) ?? 0) + 1);
  const fit: K8sObject[] = [];
  for (const n of nodes) {
    const ns = (n.spec ?? {}) as { unschedulable?: boolean; taints?: Taint[] };
    if (getCondition(n, 'Ready')?.status !== 'True') note("node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
    else if (ns.unschedulable) note('node(s) were unschedulable');
    else if (!nodeSelectorMatches(spec, n)) note("node(s) didn't match Pod's node affinity/selector");
    else {
      const bad = untoleratedTaint(ns.taints ?? [], tols);
      if (bad) note(`node(s) had untolerated taint {${bad.key}: ${bad.value ?? ''}}`);
      else fit.push(n);
    }
  }
  if (!fit.length) {
    const parts = [...why].map(([r, c]) => `${c} ${r}`).sort();
    return { reason: `0/${nodes.length} nodes are available: ${parts.join(', ')}${parts.length ? '. ' : ''}preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.` };
  }
  fit.sort((a, b) => (podsPerNode.get(a.metadata.name!) ?? 0) - (podsPerNode.get(b.metadata.name!) ?? 0) || a.metadata.name!.localeCompare(b.metadata.name!));
  return { node: fit[0]!.metadata.name! };
}
