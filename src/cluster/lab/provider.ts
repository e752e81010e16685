/**
 * The embedded cluster as the runtime's cluster provider: the `k8s-node` containers, the API
 * network before them, and the cluster brought up after the lab's links and exec lines. One
 * provider per deploy; its state (the API's host port, the credentials) lives in it.
 */
import type { ClusterProviderFactory } from '../../runtime/index.js';
import type { ClusterDeployState } from './files.js';
import { k8sNodeKind } from './node-kind.js';
import { CLUSTER_UP_ACTIONS, clusterNetworkAction } from './steps.js';
import { clusterApply } from './apply.js';

export const embeddedCluster: ClusterProviderFactory = {
  name: 'embedded',
  forDeploy() {
    const state: ClusterDeployState = {};
    return { nodeKind: k8sNodeKind(state), prepare: [clusterNetworkAction(state)], actions: CLUSTER_UP_ACTIONS };
  },
  forApply: () => clusterApply(),
};
