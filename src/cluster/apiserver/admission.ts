import { allocateClusterIP, allocateNodePort, firstFreePodCidr, podCidrForIndex } from '../controllers/ipam.js';
import { invalid, type StatusCause } from '../store/errors.js';
import type { ObjectStore } from '../store/store.js';
import type { K8sObject } from '../store/types.js';
import { GR } from './resources.js';

/** Cluster-wide address settings the admission step allocates from. */
export interface ClusterNetworkConfig {
  podSubnet: string;
  serviceSubnet: string;
  /** Size of each node's pod CIDR (kind: 24). */
  nodeCidrMask: number;
  /** Node names in cluster-config order: index i gets the i-th pod CIDR block. */
  nodeOrder: string[];
}

export const DEFAULT_NETWORK: ClusterNetworkConfig = { podSubnet: '10.244.0.0/16', serviceSubnet: '10.96.0.0/16', nodeCidrMask: 24, nodeOrder: [] };

type Obj = Record<string, unknown>;
interface ServicePort extends Obj {
  port?: number;
  protocol?: string;
  nodePort?: number;
}

function usedByOthers(store: ObjectStore, self: K8sObject): { ips: Set<string>; ports: Set<number> } {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const s of store.list(GR.services).items) {
    if (s.metadata.namespace === self.metadata.namespace && s.metadata.name === self.metadata.name) continue;
    const spec = (s.spec ?? {}) as { clusterIP?: string; ports?: ServicePort[]; healthCheckNodePort?: number };
    if (spec.clusterIP && spec.clusterIP !== 'None') ips.add(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  }
  return { ips, ports };
}

/** ClusterIP and NodePort allocation for a Service being created or updated (in place). */
export function admitService(store: ObjectStore, net: ClusterNetworkConfig, svc: K8sObject, old?: K8sObject): void {
  const spec = svc.spec as Obj & { clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[]; type?: string; healthCheckNodePort?: number; externalTrafficPolicy?: string };
  const oldSpec = (old?.spec ?? {}) as typeof spec;
  const causes: StatusCause[] = [];
  const { ips, ports } = usedByOthers(store, svc);
  if (spec.type === 'ExternalName') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else if (oldSpec.clusterIP && spec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${spec.clusterIP}": field is immutable`, field: 'spec.clusterIP' });
  } else if (oldSpec.clusterIP && !spec.clusterIP) {
    spec.clusterIP = oldSpec.clusterIP;
  } else if (spec.clusterIP !== 'None' && !oldSpec.clusterIP) {
    const r = allocateClusterIP(net.serviceSubnet, ips, spec.clusterIP || undefined);
    if (r.ok) spec.clusterIP = r.value;
    else causes.push({ reason: 'FieldValueInvalid', message: r.message, field: 'spec.clusterIP' });
  }
  if (spec.clusterIP) spec.clusterIPs = [spec.clusterIP];
  const wantsNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const taken = new Set(ports);
  (spec.ports ?? []).forEach((p, i) => {
    if (!wantsNodePorts) {
      delete p.nodePort;
      return;
    }
    const prev = (oldSpec.ports ?? []).find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
    const r = allocateNodePort(taken, p.nodePort ?? prev);
    if (r.ok) taken.add((p.nodePort = Number(r.value)));
    else causes.push({ reason: 'FieldValueInvalid', message: r.message, field: `spec.ports[${i}].nodePort` });
  });
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local') {
    const r = allocateNodePort(taken, spec.healthCheckNodePort ?? oldSpec.healthCheckNodePort);
    if (r.ok) spec.healthCheckNodePort = Number(r.value);
    else causes.push({ reason: 'FieldValueInvalid', message: r.message, field: 'spec.healthCheckNodePort' });
  } else delete spec.healthCheckNodePort;
  if (causes.length) throw invalid('Service', svc.metadata.name!, causes);
}

/** Pod CIDR for a new Node: its index in the cluster config, else the first free block. */
export function admitNode(store: ObjectStore, net: ClusterNetworkConfig, node: K8sObject): void {
  const spec = (node.spec ??= {}) as { podCIDR?: string; podCIDRs?: string[] };
  if (spec.podCIDR) {
    spec.podCIDRs ??= [spec.podCIDR];
    return;
  }
  const used = new Set(store.list(GR.nodes).items.map((n) => (n.spec as { podCIDR?: string } | undefined)?.podCIDR).filter((c): c is string => !!c));
  const idx = net.nodeOrder.indexOf(node.metadata.name!);
  if (idx < 0) net.nodeOrder.forEach((_, i) => used.add(podCidrForIndex(net.podSubnet, i, net.nodeCidrMask)));
  let cidr = idx >= 0 ? podCidrForIndex(net.podSubnet, idx, net.nodeCidrMask) : undefined;
  if (!cidr || used.has(cidr)) cidr = firstFreePodCidr(net.podSubnet, used, net.nodeCidrMask);
  spec.podCIDR = cidr;
  spec.podCIDRs = [cidr];
}
