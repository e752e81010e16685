/**
 * The embedded kind-style cluster: kind config conversion, the API server (store,
 * registry, HTTP(S) server, PKI, kubeconfig) and the controllers. The server process
 * entry is `cluster/apiserver/main.ts`.
 */
export { loadClusterSection, loadKindClusterFile, parseKindCluster, type ClusterNodeSpec, type ClusterSpec, type NodeRole } from './config/index.js';
export { ObjectStore, type StoreOptions } from './store/store.js';
export { ApiError } from './store/errors.js';
export type { K8sObject, ObjectMeta, StoreEvent } from './store/types.js';
export { Registry } from './apiserver/registry.js';
export { DEFAULT_NETWORK, type ClusterNetworkConfig } from './apiserver/admission.js';
export { startApiServer, createApiHandler, type ApiServerOptions, type RunningApiServer } from './apiserver/server.js';
export { bootstrapCluster, nodeObject, type BootstrapOptions } from './apiserver/bootstrap.js';
export { defaultSans, ensurePki, ensureToken, type Pki } from './apiserver/tls.js';
export { renderKubeconfig, writeKubeconfig, type KubeconfigInput } from './apiserver/kubeconfig.js';
export { RESOURCES, findByKind, type ResourceDef } from './apiserver/resources.js';
export { ControllerManager, type ControllerOptions } from './controllers/manager.js';
export { podCidrForIndex, allocateClusterIP, allocateNodePort } from './controllers/ipam.js';
export { podCidrsForIndex, allocateClusterIPAny, cidrsOverlap, familyOf, type IPFamily } from './controllers/cidr6.js';
export { formatCidr6, parseCidr6, splitList } from './controllers/cidr6.js';
