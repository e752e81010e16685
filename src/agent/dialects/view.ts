/**
 * A ClusterView from a flat list of objects (a YAML stream, or the agent's informer caches). Pure.
 *
 * Custom objects are indexed by API group + kind (`metallb.io/BGPPeer`, `projectcalico.org/BGPPeer`), so two projects'
 * kinds of the same name never mix. The bare-kind index (`BGPPeer`) that the Cilium, Calico, kube-router and Kube-OVN
 * dialects read keeps every object except those of QUALIFIED_ONLY_GROUPS (MetalLB), whose kinds collide with Calico's.
 */
import type { EndpointSlice, KubeObject, Node, Pod, Service } from '../../cluster/client/index.js';
import type { ClusterView, Secret } from './types.js';

/** API groups whose objects appear only under their `group/kind` key. */
export const QUALIFIED_ONLY_GROUPS: ReadonlySet<string> = new Set(['metallb.io']);

export const groupOf = (apiVersion: string | undefined): string => (apiVersion?.includes('/') ? apiVersion.split('/')[0]! : '');
/** The view key of a kind in a group: `metallb.io/BGPPeer`. */
export const groupKindKey = (group: string, kind: string): string => `${group}/${kind}`;

export function viewFromObjects(objs: Iterable<KubeObject>): ClusterView {
  const v: ClusterView = { nodes: [], pods: [], services: [], endpointSlices: [], secrets: [], objects: {} };
  for (const o of objs) {
    switch (o.kind) {
      case 'Node': v.nodes.push(o as Node); break;
      case 'Pod': v.pods.push(o as Pod); break;
      case 'Service': v.services.push(o as Service); break;
      case 'EndpointSlice': v.endpointSlices.push(o as EndpointSlice); break;
      case 'Secret': v.secrets.push(o as Secret); break;
      default: {
        const kind = o.kind ?? '';
        const group = groupOf(o.apiVersion);
        (v.objects[groupKindKey(group, kind)] ??= []).push(o);
        if (!QUALIFIED_ONLY_GROUPS.has(group)) (v.objects[kind] ??= []).push(o);
      }
    }
  }
  return v;
}

/** Objects of `kind` in API group `group` (any version). */
export const objectsOf = (v: ClusterView, group: string, kind: string): KubeObject[] => v.objects[groupKindKey(group, kind)] ?? [];
