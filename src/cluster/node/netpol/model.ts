/**
 * NetworkPolicies → which pods on this node are isolated for ingress and what may reach them.
 * Kubernetes semantics: a pod is isolated for ingress once any policy with Ingress in its types
 * selects it (policyTypes absent = Ingress); then only the union of the selecting policies'
 * ingress rules gets in. A rule's `from` peers: podSelector (in the policy's namespace),
 * namespaceSelector (every pod there), both (the pods of those namespaces that match), ipBlock
 * (cidr minus except). Empty `from` = any source, empty `ports` = any port. The beta namespace
 * annotation `net.beta.kubernetes.io/network-policy: {"ingress":{"isolation":"DefaultDeny"}}`
 * isolates every pod of the namespace. Both families: a dual-stack pod's every address is a source
 * and a destination; ipBlock may be IPv4 or IPv6 (the renderer splits the model per family). Pure.
 */
import type { KubeObject, Pod } from '../../client/types.js';
import { hostCidr, subtractCidrs } from './cidr.js';
import { DEFAULT_DENY_ANNOTATION, type AllowedPort, type IngressAllow, type IsolatedPod, type LabelSelector, type NetworkPolicy, type PolicyPort } from './types.js';

import { matchesSelector } from '../../../lib/index.js';

export { matchesSelector };

/** True when the namespace carries the beta DefaultDeny annotation. */
export function namespaceDefaultDeny(ns: KubeObject | undefined): boolean {
  const v = ns?.metadata.annotations?.[DEFAULT_DENY_ANNOTATION];
  if (!v) return false;
  try {
    return (JSON.parse(v) as { ingress?: { isolation?: string } }).ingress?.isolation === 'DefaultDeny';
  } catch {
    return false;
  }
}

const appliesToIngress = (p: NetworkPolicy) => !p.spec.policyTypes || p.spec.policyTypes.includes('Ingress');
/** status.podIPs (both families on a dual-stack pod), else status.podIP. */
const podIPs = (p: Pod): string[] => {
  const s = p.status as { podIP?: string; podIPs?: Array<{ ip: string }> } | undefined;
  const all = (s?.podIPs ?? []).map((x) => x.ip).filter(Boolean);
  return all.length ? all : s?.podIP ? [s.podIP] : [];
};
const live = (p: Pod) => !p.spec.hostNetwork && !['Succeeded', 'Failed'].includes(String(p.status?.phase)) && podIPs(p).length > 0;
const id = (o: KubeObject) => `${o.metadata.namespace ?? 'default'}/${o.metadata.name}`;

export interface NetpolInput {
  nodeName: string;
  policies: NetworkPolicy[];
  namespaces: KubeObject[];
  /** Every pod of the cluster (sources may run anywhere). */
  pods: Pod[];
}

/** A named port → the number the target pod declares for it. */
function resolvePorts(ports: PolicyPort[] | undefined, target: Pod): AllowedPort[] | undefined {
  if (!ports?.length) return undefined;
  const out: AllowedPort[] = [];
  for (const p of ports) {
    const protocol = (p.protocol ?? 'TCP').toLowerCase() as AllowedPort['protocol'];
    if (p.port === undefined) out.push({ protocol });
    else if (typeof p.port === 'number' || /^\d+$/.test(p.port)) out.push({ protocol, port: Number(p.port), ...(p.endPort ? { endPort: p.endPort } : {}) });
    else {
      const named = target.spec.containers.flatMap((c) => c.ports ?? []).find((cp) => cp.name === p.port && (cp.protocol ?? 'TCP').toLowerCase() === protocol);
      if (named) out.push({ protocol, port: named.containerPort });
    }
  }
  return out;
}

export function buildNetpolModel(input: NetpolInput): IsolatedPod[] {
  const nsLabels = new Map(input.namespaces.map((n) => [n.metadata.name ?? '', { ...(n.metadata.labels ?? {}), 'kubernetes.io/metadata.name': n.metadata.name ?? '' }]));
  const nsByName = new Map(input.namespaces.map((n) => [n.metadata.name ?? '', n]));
  const livePods = input.pods.filter(live);
  const out: IsolatedPod[] = [];
  for (const pod of livePods.filter((p) => p.spec.nodeName === input.nodeName)) {
    const ns = pod.metadata.namespace ?? 'default';
    const selecting = input.policies.filter((p) => (p.metadata.namespace ?? 'default') === ns && appliesToIngress(p) && matchesSelector(p.spec.podSelector, pod.metadata.labels));
    const defaultDeny = namespaceDefaultDeny(nsByName.get(ns));
    if (!selecting.length && !defaultDeny) continue;
    const allow: IngressAllow[] = [];
    for (const pol of selecting) {
      for (const rule of pol.spec.ingress ?? []) {
        const ports = resolvePorts(rule.ports, pod);
        if (ports && ports.length === 0) continue; // only named ports this pod does not have
        let sources: string[] | undefined;
        if (rule.from?.length) {
          const set = new Set<string>();
          for (const peer of rule.from) {
            if (peer.ipBlock) for (const c of subtractCidrs(peer.ipBlock.cidr, peer.ipBlock.except)) set.add(c);
            if (!peer.podSelector && !peer.namespaceSelector) continue;
            for (const src of livePods) {
              const srcNs = src.metadata.namespace ?? 'default';
              const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, nsLabels.get(srcNs)) : srcNs === (pol.metadata.namespace ?? 'default');
              if (nsOk && (!peer.podSelector || matchesSelector(peer.podSelector, src.metadata.labels))) for (const ip of podIPs(src)) set.add(hostCidr(ip));
            }
          }
          sources = [...set].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
          if (!sources.length) continue; // peers that match nothing allow nothing
        }
        allow.push({ policy: id(pol), ...(sources ? { sources } : {}), ...(ports ? { ports } : {}) });
      }
    }
    out.push({ pod: id(pod), ips: podIPs(pod), isolatedBy: [...selecting.map(id), ...(defaultDeny ? [`namespace ${ns} DefaultDeny`] : [])], allow });
  }
  return out.sort((a, b) => a.pod.localeCompare(b.pod));
}
