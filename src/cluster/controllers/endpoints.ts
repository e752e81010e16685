import { matchesLabels, selectorObjectToRequirements } from '../apiserver/selectors.js';
import type { K8sObject } from '../store/types.js';
import { controllerRef, isPodReady, isTerminating, safeHash, type Obj } from './util.js';

interface SvcPort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

function resolveTargetPort(p: SvcPort, pod: K8sObject): number | undefined {
  const tp = p.targetPort ?? p.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of ((pod.spec as Obj).containers ?? []) as Array<{ ports?: Array<{ name?: string; containerPort: number }> }>)
    for (const cp of c.ports ?? []) if (cp.name === tp) return cp.containerPort;
  return undefined;
}

/** Pods a Service selects: same namespace, label match, with an IP, not terminating. */
export function selectedPods(svc: K8sObject, pods: K8sObject[]): K8sObject[] {
  const sel = (svc.spec as { selector?: Record<string, string> }).selector;
  if (!sel || !Object.keys(sel).length) return [];
  const reqs = selectorObjectToRequirements({ matchLabels: sel });
  return pods
    .filter((p) => p.metadata.namespace === svc.metadata.namespace && matchesLabels(reqs, p.metadata.labels) && (p.status as { podIP?: string } | undefined)?.podIP && !isTerminating(p))
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

export type AddressType = 'IPv4' | 'IPv6';

/**
 * The slice name of one address family: the IPv4 slice keeps the name single-stack Services always had,
 * the IPv6 one hashes the family in (deterministic, so a resync updates rather than creates).
 */
export function endpointSliceName(svc: K8sObject, addressType: AddressType = 'IPv4'): string {
  const id = svc.metadata.uid ?? svc.metadata.name!;
  return `${svc.metadata.name}-${safeHash(addressType === 'IPv4' ? id : `${id}/${addressType}`, 5)}`;
}

const familyOfIP = (ip: string): AddressType => (ip.includes(':') ? 'IPv6' : 'IPv4');

/**
 * The address types a Service's EndpointSlices carry, as Kubernetes' EndpointSlice controller decides
 * them: one per entry of spec.ipFamilies; without families, the ClusterIP's family; a headless Service
 * without families gets both.
 */
export function addressTypesFor(svc: K8sObject): AddressType[] {
  const spec = (svc.spec ?? {}) as { ipFamilies?: string[]; clusterIP?: string };
  const fams = [...new Set((spec.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6'))];
  if (fams.length) return fams;
  if (spec.clusterIP && spec.clusterIP !== 'None') return [familyOfIP(spec.clusterIP)];
  return ['IPv4', 'IPv6'];
}

/** A pod's addresses of one family: status.podIPs (status.podIP when there is no list). */
export function podAddresses(pod: K8sObject, addressType: AddressType): string[] {
  const st = (pod.status ?? {}) as { podIP?: string; podIPs?: Array<{ ip?: string }> };
  const all = st.podIPs?.length ? st.podIPs.map((p) => p.ip).filter((ip): ip is string => !!ip) : st.podIP ? [st.podIP] : [];
  return all.filter((ip) => familyOfIP(ip) === addressType).slice(0, 1);
}

/**
 * The EndpointSlice the controller maintains for a selector Service and one address family (default
 * IPv4): the selected pods that have an address of that family. A family without such pods still gets
 * its (empty) slice, as Kubernetes keeps a placeholder.
 */
export function buildEndpointSlice(svc: K8sObject, pods: K8sObject[], addressType: AddressType = 'IPv4'): K8sObject {
  const ports = ((svc.spec as Obj).ports ?? []) as SvcPort[];
  const sel = selectedPods(svc, pods).filter((p) => podAddresses(p, addressType).length > 0);
  const first = sel[0];
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: endpointSliceName(svc, addressType),
      namespace: svc.metadata.namespace,
      labels: { 'kubernetes.io/service-name': svc.metadata.name!, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [controllerRef(svc)],
    },
    addressType,
    endpoints: sel.map((p) => {
      const ready = isPodReady(p);
      return {
        addresses: podAddresses(p, addressType),
        conditions: { ready, serving: ready, terminating: false },
        ...((p.spec as { nodeName?: string }).nodeName ? { nodeName: (p.spec as { nodeName: string }).nodeName } : {}),
        targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
      };
    }),
    ports: ports.map((p) => ({ name: p.name ?? '', port: first ? (resolveTargetPort(p, first) ?? p.port) : typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** One slice per address family of the Service (addressTypesFor), in the Service's family order. */
export function buildEndpointSlices(svc: K8sObject, pods: K8sObject[]): K8sObject[] {
  return addressTypesFor(svc).map((t) => buildEndpointSlice(svc, pods, t));
}

/** The legacy Endpoints object (same name as the Service). */
export function buildEndpoints(svc: K8sObject, pods: K8sObject[]): K8sObject {
  const ports = ((svc.spec as Obj).ports ?? []) as SvcPort[];
  // The legacy object carries one family: the Service's primary one (a pod without it is left out).
  const primary = addressTypesFor(svc)[0]!;
  const sel = selectedPods(svc, pods).filter((p) => podAddresses(p, primary).length > 0);
  const addr = (p: K8sObject) => ({ ip: podAddresses(p, primary)[0]!, ...((p.spec as { nodeName?: string }).nodeName ? { nodeName: (p.spec as { nodeName: string }).nodeName } : {}), targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid } });
  const ready = sel.filter(isPodReady).map(addr);
  const notReady = sel.filter((p) => !isPodReady(p)).map(addr);
  const subsetPorts = ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: sel[0] ? (resolveTargetPort(p, sel[0]) ?? p.port) : p.port, protocol: p.protocol ?? 'TCP' }));
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels: { ...(svc.metadata.labels ?? {}) }, ownerReferences: [controllerRef(svc)] },
    subsets: sel.length ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports: subsetPorts }] : [],
  };
}
