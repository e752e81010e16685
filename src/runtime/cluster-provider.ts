/**
 * What the runtime needs from a lab's Kubernetes cluster, the way containerlab's k8s-kind node
 * hands the cluster to kind's provider: the node kind of its containers and the deploy steps
 * before and after the base ones. The embedded cluster (src/cluster/lab) is one provider; the
 * runtime knows none of its internals.
 */
import type { LabPlan, NodePlan } from '../topology/index.js';
import type { Action, DeployContext } from './deploy-steps.js';
import type { NodeKind } from './kinds/index.js';

/** One deploy's view of the cluster: it holds that deploy's state (reserved ports, credentials). */
export interface ClusterProvider {
  /** Creates the containers of the cluster's nodes (topology kind `k8s-node`). */
  readonly nodeKind: NodeKind;
  /** Before any container exists (e.g. the network the API is published through). */
  readonly prepare: readonly Action[];
  /** After the links and `exec:` lines: the cluster brought up and its objects applied. */
  readonly actions: readonly Action[];
}

/**
 * `lab apply` on a running cluster: Kubernetes nodes join it or leave it while the rest runs on
 * (kind cannot, kind#452). The plan is the new one; nothing of the cluster is made anew.
 */
export interface ClusterApply {
  /** Creates the joining nodes' containers (their files written with the running cluster's credentials). */
  readonly nodeKind: NodeKind;
  /** Before their containers go: the nodes drained (their pods deleted), agents stopped, Nodes deleted. `nodes` are the old plan's. */
  leave(ctx: DeployContext, nodes: readonly NodePlan[], progress: (msg: string) => void): Promise<void>;
  /**
   * After their containers, links and exec lines: each node registered, its daemon and agent
   * started, Ready; every object applied again with `reapplyObjects`, else the manifest entries
   * named by `manifests` (their contents changed) alone.
   */
  join(ctx: DeployContext, nodes: readonly NodePlan[], opts: { reapplyObjects: boolean; manifests?: readonly string[] }, progress: (msg: string) => void): Promise<void>;
}

export interface ClusterProviderFactory {
  readonly name: string;
  /** A provider for one deploy of a lab with a `cluster:` section. */
  forDeploy(plan: LabPlan): ClusterProvider;
  /** In-place changes of the running cluster's nodes (absent: the provider cannot; such applies are refused). */
  forApply?(plan: LabPlan): ClusterApply;
}
