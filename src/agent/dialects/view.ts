/** A ClusterView from a flat list of objects (a YAML stream, or the agent's informer caches). Pure. */
import type { EndpointSlice, KubeObject, Node, Pod, Service } from '../../cluster/client/index.js';
import type { ClusterView, Secret } from './types.js';

export function viewFromObjects(objs: Iterable<KubeObject>): ClusterView {
  const v: ClusterView = { nodes: [], pods: [], services: [], endpointSlices: [], secrets: [], objects: {} };
  for (const o of objs) {
    switch (o.kind) {
      case 'Node': v.nodes.push(o as Node); break;
      case 'Pod': v.pods.push(o as Pod); break;
      case 'Service': v.services.push(o as Service); break;
      case 'EndpointSlice': v.endpointSlices.push(o as EndpointSlice); break;
      case 'Secret': v.secrets.push(o as Secret); break;
      default: (v.objects[o.kind ?? ''] ??= []).push(o);
    }
  }
  return v;
}
