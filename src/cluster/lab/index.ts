/**
 * The embedded cluster in a lab: its life in a deploy (the runtime's cluster provider), its
 * layout on the host, and what `lab` asks it from the host (pods, nodes, manifests).
 */
export { embeddedCluster } from './provider.js';
export { agentEnabled, hostPaths, AGENT_MARKER, AGENT_PROCESS_PATTERN, AGENT_RUNNING_SH, AGENT_CONTROL, IN_CONTAINER, agentControl } from './plan.js';
export { getPod, labClient } from './api.js';
export { labNodeOf, looksLikePodRef, looksLikeRef, parseObjectRef, parsePodRef, podExecPrefix, podPlace, type ObjectRef, type PodPlace, type PodRef } from './pods.js';
export { clusterPlan, labClusterNames, labClusters, matchClusterName, splitClusterRef } from './clusters.js';
