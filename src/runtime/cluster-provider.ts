/**
 * What the runtime needs from a lab's Kubernetes cluster, the way containerlab's k8s-kind node
 * hands the cluster to kind's provider: the node kind of its containers and the deploy steps
 * before and after the base ones. The embedded cluster (src/cluster/lab) is one provider; the
 * runtime knows none of its internals.
 */
import type { LabPlan } from '../topology/index.js';
import type { Action } from './deploy-steps.js';
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

export interface ClusterProviderFactory {
  readonly name: string;
  /** A provider for one deploy of a lab with a `cluster:` section. */
  forDeploy(plan: LabPlan): ClusterProvider;
}
