/** Pieces both Cilium API versions share: service selection, communities, the router-id annotation, auth secrets. */
import type { Service } from '../../cluster/client/index.js';
import { clusterIPs, externalIPs, hasLocalEndpoint, hostPrefix, isLocalPolicy, loadBalancerIPs, matchesSelector, secretValue, svcName, type LabelSelector } from './common.js';
import type { Advertisement, ClusterView } from './types.js';

export type ServiceAddressType = 'LoadBalancerIP' | 'ClusterIP' | 'ExternalIP';

export interface CiliumCommunities {
  standard?: string[];
  wellKnown?: string[];
  large?: string[];
}

/** Cilium adds the service's namespace and name as labels a selector can match. */
export function serviceLabels(s: Service): Record<string, string> {
  return { ...(s.metadata.labels ?? {}), 'io.kubernetes.service.namespace': s.metadata.namespace ?? 'default', 'io.kubernetes.service.name': s.metadata.name ?? '' };
}

/**
 * Host routes for the selected services' addresses. As in Cilium: LoadBalancer and external IPs follow
 * `externalTrafficPolicy` (Local: only from nodes with a ready endpoint); the ClusterIP follows
 * `internalTrafficPolicy` only (Local: only from nodes with a ready endpoint), whatever the eTP is.
 */
export function serviceAdverts(v: ClusterView, node: string, selector: LabelSelector, types: readonly ServiceAddressType[], attrs: Pick<Advertisement, 'communities' | 'largeCommunities' | 'localPref'>): Advertisement[] {
  const out: Advertisement[] = [];
  for (const s of v.services) {
    if (!matchesSelector(selector, serviceLabels(s))) continue;
    const eLocal = isLocalPolicy(s);
    const iLocal = s.spec.internalTrafficPolicy === 'Local';
    let here: boolean | undefined;
    const hasHere = (): boolean => (here ??= hasLocalEndpoint(v, s, node));
    const add = (ips: string[], what: string, local: boolean, tag: string) => {
      if (local && !hasHere()) return;
      for (const ip of ips) out.push({ prefix: hostPrefix(ip), ...attrs, reason: `service ${svcName(s)} ${what}${local ? ` (${tag} Local)` : ''}` });
    };
    if (types.includes('LoadBalancerIP')) add(loadBalancerIPs(s), 'loadBalancerIP', eLocal, 'eTP');
    if (types.includes('ClusterIP')) add(clusterIPs(s), 'clusterIP', iLocal, 'iTP');
    if (types.includes('ExternalIP')) add(externalIPs(s), 'externalIP', eLocal, 'eTP');
  }
  return out;
}

export function communityAttrs(c: CiliumCommunities | undefined): { communities: string[]; largeCommunities: string[] } {
  return { communities: [...(c?.standard ?? []), ...(c?.wellKnown ?? [])], largeCommunities: [...(c?.large ?? [])] };
}

/** `cilium.io/bgp-virtual-router.<asn>: "router-id=10.0.0.2,local-port=179"` on the node. */
export function virtualRouterAnnotation(labels: Record<string, string> | undefined, asn: number): { routerId?: string; localPort?: number } {
  const raw = labels?.[`cilium.io/bgp-virtual-router.${asn}`];
  if (!raw) return {};
  const out: { routerId?: string; localPort?: number } = {};
  for (const kv of raw.split(',')) {
    const [k, val] = kv.split('=').map((x) => x.trim());
    if (k === 'router-id' && val) out.routerId = val;
    if (k === 'local-port' && val) out.localPort = Number(val);
  }
  return out;
}

/** Cilium reads BGP auth secrets from its bgp-secrets namespace, kube-system by default; key `password`. */
export function authPassword(v: ClusterView, ref: string | undefined, problems: string[], who: string): string | undefined {
  if (!ref) return undefined;
  const pw = secretValue(v, ['kube-system'], ref, 'password');
  if (pw === undefined) problems.push(`${who}: authSecretRef "${ref}": no secret kube-system/${ref} with key "password"`);
  return pw;
}
