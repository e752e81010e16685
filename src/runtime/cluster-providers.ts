/**
 * Several clusters in one lab (containerlab's `k8s-kind` nodes, or those next to a `cluster:`
 * section): one provider per cluster, each given its own view of the plan — its cluster as
 * `plan.cluster` and, of the Kubernetes nodes, only its own — and put together as the one
 * ClusterProvider the deploy runs. Prepare steps run one cluster after the other (they share the
 * lab's API network); the bring-up steps run for every cluster at once, step by step.
 */
import { KindlabError } from '../errors.js';
import type { LabCluster, LabPlan, NodePlan } from '../topology/index.js';
import type { ClusterProvider, ClusterProviderFactory } from './cluster-provider.js';
import type { Action, DeployContext } from './deploy-steps.js';
import type { KindContext, NodeKind } from './kinds/index.js';

/** The plan as cluster `c` sees it: `cluster` is c, and the other clusters' nodes are not its nodes. Pure. */
export function clusterView(plan: LabPlan, c: LabCluster): LabPlan {
  return { ...plan, cluster: c, nodes: plan.nodes.filter((n) => !n.k8s || n.k8s.cluster === c.spec.name) };
}

interface Part {
  name: string;
  view: LabPlan;
  provider: ClusterProvider;
}

const inView = <T extends { plan: LabPlan }>(ctx: T, view: LabPlan): T => ({ ...ctx, plan: view });
const deployIn = (ctx: DeployContext, view: LabPlan): DeployContext => ({ ...ctx, plan: view, kindCtx: inView(ctx.kindCtx, view) });

/** One provider per cluster of `plan.clusters`, as one. */
export function multiClusterProvider(plan: LabPlan, clusters: LabCluster[], factory: ClusterProviderFactory): ClusterProvider {
  const parts: Part[] = clusters.map((c) => {
    const view = clusterView(plan, c);
    return { name: c.spec.name, view, provider: factory.forDeploy(view) };
  });
  const partOf = (n: NodePlan): Part => {
    const p = parts.find((x) => x.name === n.k8s?.cluster);
    if (!p) throw new KindlabError('INTERNAL', `node ${n.name} belongs to no cluster of lab ${plan.name}`);
    return p;
  };
  const kindCtx = (ctx: KindContext, n: NodePlan) => inView(ctx, partOf(n).view);
  const first = parts[0]!.provider.nodeKind;
  const nodeKind: NodeKind = {
    name: first.name,
    containerOptions: (n, opts, ctx) => partOf(n).provider.nodeKind.containerOptions?.(n, opts, kindCtx(ctx, n)) ?? opts,
    writeFiles: async (n, ctx) => partOf(n).provider.nodeKind.writeFiles?.(n, kindCtx(ctx, n)),
    afterCreate: async (n, ctx) => partOf(n).provider.nodeKind.afterCreate?.(n, kindCtx(ctx, n)),
    onEndpoint: async (n, iface, ctx) => partOf(n).provider.nodeKind.onEndpoint?.(n, iface, kindCtx(ctx, n)),
    postDeploy: async (n, ctx) => partOf(n).provider.nodeKind.postDeploy?.(n, kindCtx(ctx, n)),
  };
  const one = (p: Part, a: Action): Action => ({
    title: `${a.title} (${p.name})`,
    run: (ctx, progress) => a.run(deployIn(ctx, p.view), progress),
    ...(a.rollback ? { rollback: (ctx: DeployContext) => a.rollback!(deployIn(ctx, p.view)) } : {}),
  });
  // The bring-up steps of every cluster side by side: step i runs for all clusters together.
  const steps = parts[0]!.provider.actions.length;
  const together = parts.every((p) => p.provider.actions.length === steps);
  const actions: Action[] = together
    ? parts[0]!.provider.actions.map((a, i) => ({
        title: `${a.title} (${parts.map((p) => p.name).join(', ')})`,
        async run(ctx, progress) {
          const said = new Map<string, string>();
          const say = (p: Part) => (msg: string) => {
            said.set(p.name, msg);
            progress(parts.map((x) => `${x.name}: ${said.get(x.name) ?? '…'}`).join('; '));
          };
          const results = await Promise.allSettled(parts.map((p) => p.provider.actions[i]!.run(deployIn(ctx, p.view), say(p))));
          const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
          if (failed.length === 1) throw failed[0];
          if (failed.length) throw new AggregateError(failed, `${a.title} failed in ${failed.length} clusters`);
        },
        async rollback(ctx) {
          for (const p of parts) await p.provider.actions[i]!.rollback?.(deployIn(ctx, p.view));
        },
      }))
    : parts.flatMap((p) => p.provider.actions.map((a) => one(p, a)));
  return { nodeKind, prepare: parts.flatMap((p) => p.provider.prepare.map((a) => one(p, a))), actions };
}
