/**
 * A small typed Kubernetes REST client (kubeconfig loading, CRUD, status subresource,
 * watches with resume and relist). Used by the node daemon and the BGP agent; it speaks
 * only the public API, so it works against a real cluster too.
 */
export { KubeClient, type ClientOptions, type ListOptions, type PatchType, type WatchOptions, type WriteOptions } from './client.js';
export { KubeApiError, isConflict, isNotFound } from './errors.js';
export { Informer, keyOf, type Change, type ChangeType, type InformerOptions } from './informer.js';
export { inClusterConfig, loadKubeconfig, parseKubeconfig, type ClientConfig } from './kubeconfig.js';
export { ENDPOINTSLICES, LEASES, NAMESPACES, NODES, PODS, SERVICES, apiVersionOf, resourcePath, resourceType, type ResourceType } from './resources.js';
export { buildEvent, eventSuffix, type EventSpec, type KubeEvent } from './events.js';
export type * from './types.js';
export type { EndpointSlice, KubeObject, Node, Pod, Service } from './types.js';
