import { allocateClusterIPAny, canonicalIP, familyOf, firstFreePodCidrs, podCidrsForIndex, splitList, type IPFamily } from '../controllers/cidr6.js';
import { allocateNodePort } from '../controllers/ipam.js';
import { invalid, type StatusCause } from '../store/errors.js';
import type { ObjectStore } from '../store/store.js';
import type { K8sObject } from '../store/types.js';
import { GR } from './resources.js';
import { settleIPFamilies } from './ip-families.js';

/** Cluster-wide address settings the admission step allocates from. */
export interface ClusterNetworkConfig {
  /** One CIDR, or kind's dual-stack `v4,v6` (first = primary family). */
  podSubnet: string;
  /** One CIDR, or `v4,v6` / `v6,v4` for dual-stack. */
  serviceSubnet: string;
  /** Size of each node's IPv4 pod CIDR (kind: 24). */
  nodeCidrMask: number;
  /** Size of each node's IPv6 pod CIDR (kube-controller-manager: 64). */
  nodeCidrMaskIPv6?: number;
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
    const spec = (s.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[]; healthCheckNodePort?: number };
    for (const ip of spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []) if (ip !== 'None') ips.add(canonicalIP(ip));
    for (const p of spec.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
    if (spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  }
  return { ips, ports };
}

type SvcSpec = Obj & { clusterIP?: string; clusterIPs?: string[]; ipFamilies?: string[]; ipFamilyPolicy?: string; selector?: Record<string, string> };

/**
 * ipFamilyPolicy / ipFamilies / clusterIPs as the API server settles them (ip-families.ts), then one
 * ClusterIP per family: the requested address or the lowest free one of that family's service subnet.
 * `clusterIP` is `clusterIPs[0]`.
 */
function assignClusterIPs(net: ClusterNetworkConfig, spec: SvcSpec, old: SvcSpec | undefined, used: Set<string>, causes: StatusCause[]): void {
  const subnets = new Map<IPFamily, string>();
  for (const s of splitList(net.serviceSubnet)) {
    const f = familyOf(s);
    if (f && !subnets.has(f)) subnets.set(f, s);
  }
  const settled = settleIPFamilies({ clusterFamilies: [...subnets.keys()], spec, ...(old ? { old } : {}), hasSelector: Object.keys(spec.selector ?? {}).length > 0 });
  if (!settled.ok) return void causes.push(...settled.causes);
  spec.ipFamilyPolicy = settled.policy;
  spec.ipFamilies = settled.families;
  if (settled.headless) {
    spec.clusterIP = 'None';
    spec.clusterIPs = ['None'];
    return;
  }
  const out: string[] = [];
  // The list as the allocator sees it: requested addresses, "" where one is to be picked.
  const shown = `[]string{${settled.families.map((_, i) => JSON.stringify(settled.requested[i] ?? '')).join(', ')}}`;
  settled.families.forEach((f, i) => {
    const want = settled.requested[i];
    const subnet = subnets.get(f)!;
    const r = allocateClusterIPAny(subnet, used, want);
    if (r.ok) {
      out.push(r.value);
      used.add(r.value);
    } else if (want) {
      // kube-apiserver's text: the allocator's reason for the requested address, on spec.clusterIPs.
      const why = used.has(canonicalIP(want)) ? 'provided IP is already allocated' : `the provided IP (${canonicalIP(want)}) is not in the valid range. The range of valid IPs is ${subnet}`;
      causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${shown}: failed to allocate IP ${want}: ${why}`, field: 'spec.clusterIPs' });
    } else causes.push({ reason: 'FieldValueInvalid', message: r.message, field: i === 0 ? 'spec.clusterIP' : `spec.clusterIPs[${i}]` });
  });
  if (out.length === settled.families.length) {
    spec.clusterIPs = out;
    spec.clusterIP = out[0];
  }
}

export function admitService(store: ObjectStore, net: ClusterNetworkConfig, svc: K8sObject, old?: K8sObject): void {
  const spec = svc.spec as SvcSpec & { ports?: ServicePort[]; type?: string; healthCheckNodePort?: number; externalTrafficPolicy?: string };
  const oldSpec = (old?.spec ?? {}) as typeof spec;
  const causes: StatusCause[] = [];
  const { ips, ports } = usedByOthers(store, svc);
  if (spec.type === 'ExternalName') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
  } else if (oldSpec.clusterIP && spec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: "${spec.clusterIP}": field is immutable`, field: 'spec.clusterIP' });
  } else {
    if (oldSpec.clusterIP && !spec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (oldSpec.clusterIPs?.length && !spec.clusterIPs?.length) spec.clusterIPs = [...oldSpec.clusterIPs];
    if (oldSpec.ipFamilies?.length && !spec.ipFamilies?.length) spec.ipFamilies = [...oldSpec.ipFamilies];
    if (oldSpec.ipFamilyPolicy && !spec.ipFamilyPolicy) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
    assignClusterIPs(net, spec, old && oldSpec.type !== 'ExternalName' ? oldSpec : undefined, ips, causes);
  }
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

/** Pod CIDRs (one per configured family) for a new Node: its index in the cluster config, else the first free index. */
export function admitNode(store: ObjectStore, net: ClusterNetworkConfig, node: K8sObject): void {
  const spec = (node.spec ??= {}) as { podCIDR?: string; podCIDRs?: string[] };
  if (spec.podCIDR) {
    spec.podCIDRs ??= [spec.podCIDR];
    return;
  }
  const masks = { ipv4: net.nodeCidrMask, ipv6: net.nodeCidrMaskIPv6 ?? 64 };
  const used = new Set<string>();
  for (const n of store.list(GR.nodes).items) {
    const s = n.spec as { podCIDR?: string; podCIDRs?: string[] } | undefined;
    for (const c of s?.podCIDRs?.length ? s.podCIDRs : s?.podCIDR ? [s.podCIDR] : []) used.add(c);
  }
  const idx = net.nodeOrder.indexOf(node.metadata.name!);
  if (idx < 0) net.nodeOrder.forEach((_, i) => podCidrsForIndex(net.podSubnet, i, masks).forEach((c) => used.add(c)));
  let cidrs = idx >= 0 ? podCidrsForIndex(net.podSubnet, idx, masks) : undefined;
  if (!cidrs || cidrs.some((c) => used.has(c))) cidrs = firstFreePodCidrs(net.podSubnet, used, masks);
  spec.podCIDR = cidrs[0];
  spec.podCIDRs = cidrs;
}
