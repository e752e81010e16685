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

export function endpointSliceName(svc: K8sObject): string {
  return `${svc.metadata.name}-${safeHash(svc.metadata.uid ?? svc.metadata.name!, 5)}`;
}

/** The EndpointSlice the controller maintains for a selector Service. */
export function buildEndpointSlice(svc: K8sObject, pods: K8sObject[]): K8sObject {
  const ports = ((svc.spec as Obj).ports ?? []) as SvcPort[];
  const sel = selectedPods(svc, pods);
  const first = sel[0];
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: endpointSliceName(svc),
      namespace: svc.metadata.namespace,
      labels: { 'kubernetes.io/service-name': svc.metadata.name!, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [controllerRef(svc)],
    },
    addressType: 'IPv4',
    endpoints: sel.map((p) => {
      const ready = isPodReady(p);
      return {
        addresses: [(p.status as { podIP: string }).podIP],
        conditions: { ready, serving: ready, terminating: false },
        ...((p.spec as { nodeName?: string }).nodeName ? { nodeName: (p.spec as { nodeName: string }).nodeName } : {}),
        targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
      };
    }),
    ports: ports.map((p) => ({ name: p.name ?? '', port: first ? (resolveTargetPort(p, first) ?? p.port) : typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

/** The legacy Endpoints object (same name as the Service). */
export function buildEndpoints(svc: K8sObject, pods: K8sObject[]): K8sObject {
  const ports = ((svc.spec as Obj).ports ?? []) as SvcPort[];
  const sel = selectedPods(svc, pods);
  const addr = (p: K8sObject) => ({ ip: (p.status as { podIP: string }).podIP, ...((p.spec as { nodeName?: string }).nodeName ? { nodeName: (p.spec as { nodeName: string }).nodeName } : {}), targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid } });
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
