/**
 * Checks derived from a lab's cluster (with the per-session ones of derive.ts):
 * - every node's pod CIDR is in the routing table of every router of the lab (a node outside the
 *   cluster running FRR, BIRD or GoBGP): the prefixes the node agents advertise got everywhere;
 * - every pod reaches every other pod (ping from its network namespace to the other's IP).
 * Pods that have finished (Succeeded/Failed) and hostNetwork pods are left out.
 * With several clusters in the lab: every cluster's pod CIDRs on every router, and each cluster's
 * pods ping each other (named `CLUSTER/pod/NS/NAME`). When the lab has a router, pods of different
 * clusters are paired too: the route checks expect every cluster's pod CIDRs on it, so the fabric joins
 * the clusters; without one, nothing carries one cluster's pod CIDRs to the other and they are not paired.
 */
import type { Node, Pod } from '../cluster/client/index.js';
import type { LabContext } from './context.js';
import { mapPool } from '../lib/index.js';
import type { Expectation, PingExpectation, RouteExpectation } from './types.js';

export const podCidrsOf = (n: Node): string[] => n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];

const probed = (p: Pod) => !p.spec.hostNetwork && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp;

/** The routers: nodes outside the cluster (and not sharing a cluster node's netns) running a routing daemon. */
async function routers(ctx: LabContext, concurrency: number): Promise<string[]> {
  const inCluster = new Set(ctx.plan.nodes.filter((n) => n.k8s).map((n) => n.name));
  const candidates = ctx.plan.nodes.filter((n) => !inCluster.has(n.name) && !inCluster.has(n.netnsOwner) && n.kind !== 'bridge' && n.kind !== 'ext-container');
  const ds = await mapPool(candidates, concurrency, async (n) => ((await ctx.daemons(n.name)).some((d) => d !== 'agent') ? n.name : undefined));
  return ds.filter((x): x is string => !!x);
}

export async function deriveClusterChecks(ctx: LabContext, concurrency = 8): Promise<Expectation[]> {
  const cluster = ctx.cluster;
  if (!cluster) return [];
  // several clusters: each one's nodes and pods, its pods named `CLUSTER/pod/NS/NAME`; pods ping within their cluster
  const names: Array<string | undefined> = cluster.names?.() ?? [undefined];
  const [perCluster, rs] = await Promise.all([Promise.all(names.map(async (c) => ({ c, nodes: await cluster.nodes(c), pods: await cluster.pods(c) }))), routers(ctx, concurrency)]);
  const out: Expectation[] = [];
  const nodes = perCluster.flatMap((x) => x.nodes);
  for (const n of [...nodes].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))) {
    for (const cidr of podCidrsOf(n)) {
      for (const r of rs) {
        out.push({ kind: 'route', node: r, prefix: cidr, present: true, source: 'auto', name: `${r} has pod CIDR ${cidr} of ${n.metadata.name}`, derived: true } satisfies RouteExpectation);
      }
    }
  }
  const refsOf = perCluster.map(({ c, pods }) => pods.filter(probed).map((p) => `${c !== undefined ? `${c}/` : ''}pod/${p.metadata.namespace ?? 'default'}/${p.metadata.name}`).sort());
  // one group per cluster, or all pods in one group when a router joins the clusters
  const groups = rs.length > 0 ? [refsOf.flat()] : refsOf;
  for (const refs of groups) {
    for (const from of refs) {
      for (const to of refs) {
        if (from === to) continue;
        out.push({ kind: 'ping', from, to: { type: 'object', ref: to }, count: 2, maxLoss: 0, name: `${from} → ${to}`, derived: true } satisfies PingExpectation);
      }
    }
  }
  return out;
}
