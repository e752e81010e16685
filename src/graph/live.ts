/**
 * What a deployed lab adds to its graph: BGP session state on edges (from each node's speaker,
 * read the way `lab verify` reads it) and pod CIDRs on Kubernetes nodes (from the lab's
 * kubeconfig, when the lab has a cluster). Both are best effort: a node that cannot be asked
 * simply draws no state.
 */
import { existsSync } from 'node:fs';
import type { LabPlan } from '../topology/index.js';
import { EvidenceLog, LabContext, type NodeExec } from '../verify/index.js';
import { bgpSource, readSessions } from '../verify/index.js';
import type { Session } from '../verify/index.js';
import { clusterPlan, hostPaths, labClusterNames } from '../cluster/lab/index.js';
import { kubeLookup } from '../verify/index.js';
import { podCidrsOf } from '../verify/index.js';
import type { GraphEdge, GraphModel, SessionState } from './model.js';

export interface SessionEnd {
  node: string;
  session: Session;
}

/** Every session of every node that runs a speaker. */
export async function collectSessions(plan: LabPlan, exec: NodeExec): Promise<{ ctx: LabContext; ends: SessionEnd[] }> {
  const ctx = new LabContext(plan, exec);
  const per = await Promise.all(
    plan.nodes.map(async (n) => {
      const src = await bgpSource(ctx, n.name, 'auto').catch(() => undefined);
      if (!src) return [];
      const sessions = await readSessions(ctx, new EvidenceLog(), n.name, src).catch(() => [] as Session[]);
      return sessions.map((session) => ({ node: n.name, session }));
    }),
  );
  return { ctx, ends: per.flat() };
}

/**
 * Nodes that live in the same network namespace as `name` (a Kubernetes node and the
 * `network-mode: container:` nodes that share it): a session of one runs over the links of all.
 */
function netnsGroup(plan: LabPlan, name: string): Set<string> {
  const owner = plan.nodes.find((n) => n.name === name)?.netnsOwner ?? name;
  return new Set([name, ...plan.nodes.filter((n) => n.netnsOwner === owner).map((n) => n.name)]);
}

function findEdge(plan: LabPlan, edges: GraphEdge[], x: string, y: string, ifaceOfX?: string): GraphEdge | undefined {
  const xs = netnsGroup(plan, x);
  const ys = netnsGroup(plan, y);
  return edges.find((e) => !e.session && ((xs.has(e.a.node) && ys.has(e.z.node) && (!ifaceOfX || e.a.iface === ifaceOfX)) || (xs.has(e.z.node) && ys.has(e.a.node) && (!ifaceOfX || e.z.iface === ifaceOfX))));
}

function merge(edge: GraphEdge, s: SessionState): void {
  edge.state = edge.state === 'down' || s === 'down' ? 'down' : 'established';
}

/** Puts each session on the link it runs over (or a dashed session edge when there is none). */
export async function applySessions(model: GraphModel, ctx: LabContext, ends: SessionEnd[]): Promise<void> {
  for (const { node, session } of ends) {
    const state: SessionState = session.established ? 'established' : 'down';
    const across = ctx.peerAcross(node, session.peer);
    if (across) {
      const e = findEdge(ctx.plan, model.edges, node, across, session.peer);
      if (e) merge(e, state);
      continue;
    }
    const owner = await ctx.nodeOf(session.peer);
    if (!owner || owner === node) continue;
    const direct = findEdge(ctx.plan, model.edges, node, owner);
    if (direct) merge(direct, state);
    else {
      const existing = model.edges.find((e) => e.session && [e.a.node, e.z.node].sort().join() === [node, owner].sort().join());
      if (existing) merge(existing, state);
      else model.edges.push({ a: { node, iface: '' }, z: { node: owner, iface: '' }, session: true, state });
    }
  }
}

/** Pod CIDRs by Kubernetes node name (every cluster's), read through the lab's kubeconfigs with our own client (as verify does). */
export async function podCidrs(plan: LabPlan): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const name of labClusterNames(plan)) {
    const view = clusterPlan(plan, name);
    if (!existsSync(hostPaths.kubeconfig(view))) continue;
    const cluster = kubeLookup(view);
    try {
      for (const n of await cluster.nodes()) {
        const cidrs = podCidrsOf(n);
        if (n.metadata.name && cidrs.length > 0) out.set(n.metadata.name, cidrs);
      }
    } catch {
      /* the cluster does not answer: no CIDRs to show (best effort, like session state) */
    } finally {
      cluster.close();
    }
  }
  return out;
}

/** Adds `pod CIDR` notes to graph nodes that are (or share the netns of) a Kubernetes node. */
export function applyPodCidrs(model: GraphModel, plan: LabPlan, cidrs: Map<string, string[]>): void {
  for (const g of model.nodes) {
    const p = plan.nodes.find((n) => n.name === g.name);
    if (!p) continue;
    const target = p.networkMode.type === 'container' ? (p.networkMode.node ?? p.networkMode.container ?? '') : '';
    const key = [...cidrs.keys()].find((k) => k === p.name || k === p.containerName || (p.kind === 'k8s-node' && k.endsWith(`-${p.name}`)) || (target !== '' && (k === target || k.endsWith(`-${target}`) || target.endsWith(`-${k}`))));
    if (key) g.notes.push(`pods ${cidrs.get(key)!.join(', ')}`);
  }
}
