import type { EndpointSlice, KubeObject, Lease, Node, Pod, Service } from './types.js';

/**
 * Where a kind lives in the REST API. The type parameter ties a resource to the object
 * shape its calls return, so `client.get(PODS, …)` is a `Pod`.
 */
export interface ResourceType<T extends KubeObject = KubeObject> {
  group: string;
  version: string;
  /** Plural resource name in the URL (`pods`, `endpointslices`). */
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Phantom field for the object type; never set. */
  readonly _type?: T;
}

export function resourceType<T extends KubeObject = KubeObject>(apiVersion: string, kind: string, plural: string, namespaced: boolean): ResourceType<T> {
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  return { group, version, plural, kind, namespaced };
}

export const PODS = resourceType<Pod>('v1', 'Pod', 'pods', true);
export const NODES = resourceType<Node>('v1', 'Node', 'nodes', false);
export const SERVICES = resourceType<Service>('v1', 'Service', 'services', true);
export const NAMESPACES = resourceType('v1', 'Namespace', 'namespaces', false);
export const ENDPOINTSLICES = resourceType<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice', 'endpointslices', true);
export const LEASES = resourceType<Lease>('coordination.k8s.io/v1', 'Lease', 'leases', true);

export function apiVersionOf(rt: ResourceType<KubeObject>): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** `/api/v1/namespaces/ns/pods/name/status` and friends. */
export function resourcePath(rt: ResourceType<KubeObject>, opts: { namespace?: string; name?: string; subresource?: string } = {}): string {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const ns = rt.namespaced && opts.namespace ? `/namespaces/${encodeURIComponent(opts.namespace)}` : '';
  const name = opts.name ? `/${encodeURIComponent(opts.name)}` : '';
  const sub = opts.name && opts.subresource ? `/${opts.subresource}` : '';
  return `${base}${ns}/${rt.plural}${name}${sub}`;
}
