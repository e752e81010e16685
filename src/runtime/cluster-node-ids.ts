/**
 * Which running Kubernetes node an edited topology's cluster node is (pure). kind names nodes by
 * their place in the config (worker, worker2…), so removing one entry and adding another would
 * move every later name onto another node. Instead a node is known by its kind entry (role,
 * labels, node-ip: what the user wrote about it): an edited plan's node takes the Node (and
 * container) name of the running node with the same entry, the same place first; a node with an
 * entry no running node has is a new node, named kind's way with the first free number no
 * node of either plan holds (`<cluster>-worker4`), so the Node that left is never taken again
 * in the same change. Topology names (positions) stay the user's; only the runtime names move.
 */
import { withSourceOf, type LabPlan, type NodePlan } from '../topology/index.js';
import type { AppliedPlan } from './plan-diff.js';

/** What identifies a cluster node: its cluster and its kind entry, not its place. */
export function clusterNodeIdentity(n: NodePlan): string | undefined {
  if (!n.k8s) return undefined;
  const { cluster, role, labels, nodeIP, nodeIPs } = n.k8s;
  const sorted = Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return JSON.stringify({ cluster, role, labels: sorted, nodeIP: nodeIP ?? null, nodeIPs: nodeIPs ?? null });
}

/** kind's name for a cluster's worker number `i`: `<cluster>-worker`, `<cluster>-worker2`… */
function workerName(cluster: string, role: string, i: number): string {
  return `${cluster}-${role}${i === 1 ? '' : i}`;
}

/**
 * The Node name each cluster node of `plan` runs as, by topology name: the matched running
 * node's, else its own (kind's) when no node of either plan holds it, else the first free one.
 */
export function clusterNodeNames(old: Pick<AppliedPlan, 'nodes'>, plan: Pick<LabPlan, 'nodes'>): Map<string, string> {
  const olds = old.nodes.filter((n) => n.k8s);
  const news = plan.nodes.filter((n) => n.k8s);
  const out = new Map<string, string>();
  const used = new Set<NodePlan>();
  const claim = (n: NodePlan, o: NodePlan) => {
    out.set(n.name, o.k8s!.nodeName);
    used.add(o);
  };
  // the same place and the same entry; then the same entry elsewhere (an earlier entry was removed)
  for (const n of news) {
    const o = olds.find((x) => !used.has(x) && x.name === n.name && clusterNodeIdentity(x) === clusterNodeIdentity(n));
    if (o) claim(n, o);
  }
  for (const n of news) {
    if (out.has(n.name)) continue;
    const o = olds.find((x) => !used.has(x) && clusterNodeIdentity(x) === clusterNodeIdentity(n));
    if (o) claim(n, o);
  }
  // every name a node of either plan holds: container names too (a plain node may be named like a Node)
  const taken = new Set([...old.nodes, ...plan.nodes].flatMap((n) => [n.containerName, n.k8s?.nodeName ?? '']));
  // nor a name whose node directory (nodeDirName) a node of either plan has
  for (const n of [...old.nodes, ...plan.nodes]) for (const c of new Set(news.map((x) => x.k8s!.cluster))) taken.add(`${c}-${n.name}`);
  const kept = new Set(out.values());
  for (const n of news) {
    if (out.has(n.name)) continue;
    const own = n.k8s!.nodeName;
    // its own name is free when no running node holds it and no other edited node was given it
    if (!olds.some((o) => o.k8s!.nodeName === own) && !kept.has(own)) {
      out.set(n.name, own);
      kept.add(own);
      continue;
    }
    const { cluster, role } = n.k8s!;
    let i = 1;
    const free = (name: string) => !kept.has(name) && !olds.some((o) => o.k8s!.nodeName === name) && !(taken.has(name) && name !== own);
    while (!free(workerName(cluster, role, i))) i++;
    const name = workerName(cluster, role, i);
    out.set(n.name, name);
    kept.add(name);
  }
  return out;
}

/**
 * The plan with each cluster node's Node and container name as clusterNodeNames says, in the
 * nodes, in the kind config's node list and in the cluster's node names. Unchanged when no name moves.
 */
export function pinClusterNodes(old: Pick<AppliedPlan, 'nodes'>, plan: LabPlan): LabPlan {
  const names = clusterNodeNames(old, plan);
  const moved = new Map<string, string>();
  for (const n of plan.nodes) {
    const to = names.get(n.name);
    if (n.k8s && to !== undefined && to !== n.k8s.nodeName) moved.set(n.k8s.nodeName, to);
  }
  if (moved.size === 0) return plan;
  const rename = (s: string) => moved.get(s) ?? s;
  const nodes = plan.nodes.map((n) => (n.k8s && moved.has(n.k8s.nodeName) ? { ...n, containerName: n.containerName === n.k8s.nodeName ? rename(n.containerName) : n.containerName, k8s: { ...n.k8s, nodeName: rename(n.k8s.nodeName) } } : n));
  const pinCluster = <C extends NonNullable<LabPlan['cluster']>>(c: C): C => ({ ...c, spec: { ...c.spec, nodes: c.spec.nodes.map((cn) => ({ ...cn, name: rename(cn.name) })) } });
  return withSourceOf(plan, {
    ...plan,
    nodes,
    ...(plan.cluster ? { cluster: pinCluster(plan.cluster) } : {}),
    ...(plan.clusters ? { clusters: plan.clusters.map(pinCluster) } : {}),
  });
}
