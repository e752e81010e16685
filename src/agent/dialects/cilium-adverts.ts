/**
 * What a Cilium node originates, for both APIs: service VIPs (LoadBalancerIP / ClusterIP / ExternalIP, traffic
 * policies, load balancer class), CiliumPodIPPool CIDRs allocated to the node, and CiliumLoadBalancerIPPool blocks
 * (which v2alpha1 path attributes match). Pure; every object field is read as untrusted.
 */
import { isIP } from 'node:net';
import type { Node, Service } from '../../cluster/client/index.js';
import { hasLocalEndpoint, hostPrefix, normalizeCidr, podCidrs, svcName } from './common.js';
import { isObj, labelsOf, listOf, nameOf, objOf, selects, strOf } from './cilium-common.js';
import type { LabelSelector } from './common.js';
import type { ClusterView } from './types.js';

export type ServiceAddressType = 'LoadBalancerIP' | 'ClusterIP' | 'ExternalIP';
export const SERVICE_ADDRESS_TYPES: readonly ServiceAddressType[] = ['LoadBalancerIP', 'ClusterIP', 'ExternalIP'];
/** The loadBalancerClass Cilium's BGP control plane announces (besides none). */
export const BGP_LB_CLASS = 'io.cilium/bgp-control-plane';

/** Cilium adds the service's namespace and name as labels a selector can match. */
export function serviceLabels(s: Service): Record<string, string> {
  return { ...labelsOf(s), 'io.kubernetes.service.namespace': s.metadata.namespace ?? 'default', 'io.kubernetes.service.name': s.metadata.name ?? '' };
}

const ips = (x: unknown): string[] => listOf(x).filter((ip): ip is string => typeof ip === 'string' && isIP(ip) !== 0);

/** One selected service address: the host route and why. */
export interface ServicePrefix { prefix: string; reason: string }

/**
 * Host routes (/32, /128) for the services `selector` picks, as Cilium's service reconciler decides them:
 * LoadBalancer ingress IPs only for `type: LoadBalancer` with no loadBalancerClass or Cilium's; LoadBalancer and
 * external IPs follow `externalTrafficPolicy` (Local: only from a node with a ready local endpoint); ClusterIPs
 * follow `internalTrafficPolicy` only, whatever the eTP is. With Cluster policies no endpoint is needed.
 */
export function servicePrefixes(v: ClusterView, node: string, selector: LabelSelector | null, types: readonly ServiceAddressType[]): ServicePrefix[] {
  const out: ServicePrefix[] = [];
  if (selector === null) return out;
  for (const s of v.services) {
    if (!isObj(s?.spec) || !selects(selector, serviceLabels(s))) continue;
    const sp = s.spec;
    let here: boolean | undefined;
    const local = (policy: unknown): boolean => policy === 'Local' && !(here ??= hasLocalEndpoint(v, s, node));
    const add = (list: string[], what: string, tag?: string) => {
      for (const ip of new Set(list)) out.push({ prefix: hostPrefix(ip), reason: `service ${svcName(s)} ${what}${tag ? ` (${tag} Local)` : ''}` });
    };
    if (types.includes('LoadBalancerIP') && sp.type === 'LoadBalancer' && (sp.loadBalancerClass === undefined || sp.loadBalancerClass === null || sp.loadBalancerClass === BGP_LB_CLASS) && !local(sp.externalTrafficPolicy)) {
      add(ips(listOf(objOf(objOf(s.status).loadBalancer).ingress).map((i) => objOf(i).ip)), 'loadBalancerIP', sp.externalTrafficPolicy === 'Local' ? 'eTP' : undefined);
    }
    if (types.includes('ClusterIP') && !local(sp.internalTrafficPolicy)) {
      add([...ips([sp.clusterIP]), ...ips(sp.clusterIPs)], 'clusterIP', sp.internalTrafficPolicy === 'Local' ? 'iTP' : undefined);
    }
    if (types.includes('ExternalIP') && !local(sp.externalTrafficPolicy)) add(ips(sp.externalIPs), 'externalIP', sp.externalTrafficPolicy === 'Local' ? 'eTP' : undefined);
  }
  return out;
}

/** An address as a number with its width, for containment checks of both families. */
function addrBits(ip: string): { n: bigint; width: 32 | 128 } | undefined {
  const fam = isIP(ip);
  if (fam === 4) return { n: ip.split('.').reduce((a, x) => (a << 8n) | BigInt(Number(x)), 0n), width: 32 };
  if (fam !== 6 || ip.includes('.')) return undefined;
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return { n: groups.reduce((a, g) => (a << 16n) | BigInt(parseInt(g, 16)), 0n), width: 128 };
}

/** Whether prefix/ip `inner` lies inside CIDR `outer` (same family). */
export function within(inner: string, outer: string): boolean {
  const [ia, il] = inner.split('/');
  const [oa, ol] = outer.split('/');
  const i = addrBits(ia ?? ''), o = addrBits(oa ?? '');
  if (!i || !o || i.width !== o.width) return false;
  const innerLen = il === undefined ? i.width : Number(il), outerLen = ol === undefined ? o.width : Number(ol);
  if (!(innerLen >= outerLen)) return false;
  const shift = BigInt(o.width - outerLen);
  return i.n >> shift === o.n >> shift;
}

function inRange(ip: string, start: string, stop: string): boolean {
  const a = addrBits(ip), lo = addrBits(start), hi = addrBits(stop);
  return !!a && !!lo && !!hi && a.width === lo.width && lo.width === hi.width && a.n >= lo.n && a.n <= hi.n;
}

/** Whether host route `prefix` (/32, /128) lies in a block of a CiliumLoadBalancerIPPool (spec.blocks or the older spec.cidrs). */
export function inLbPool(pool: unknown, prefix: string): boolean {
  const spec = objOf(objOf(pool).spec);
  const [ip, len] = prefix.split('/');
  if (!ip || Number(len) !== (isIP(ip) === 6 ? 128 : 32)) return false;
  return [...listOf(spec.blocks), ...listOf(spec.cidrs)].some((b) => {
    const { cidr, start, stop } = objOf(b);
    const c = typeof cidr === 'string' ? normalizeCidr(cidr) : undefined;
    if (c) return within(ip, c);
    return typeof start === 'string' && inRange(ip, start, typeof stop === 'string' ? stop : start);
  });
}

/**
 * The CIDRs of CiliumPodIPPool `pool` allocated to the node: its CiliumNode's spec.ipam.pools.allocated when that
 * object is in the view; otherwise (a kindlab cluster has no CiliumNode; the node's pod CIDR is its address block)
 * the node's pod CIDRs that lie inside the pool's ipv4/ipv6 CIDRs.
 */
export function poolCidrsOnNode(v: ClusterView, node: Node | undefined, pool: unknown): string[] {
  const name = nameOf(pool as { metadata?: { name?: unknown } });
  const cn = (v.objects.CiliumNode ?? []).find((o) => o.metadata.name === node?.metadata.name);
  if (cn) {
    const alloc = listOf(objOf(objOf(objOf(objOf(cn).spec).ipam).pools).allocated).find((a) => objOf(a).pool === name);
    return listOf(objOf(alloc).cidrs).map((c) => (typeof c === 'string' ? normalizeCidr(c) : undefined)).filter((c): c is string => !!c);
  }
  const spec = objOf(objOf(pool).spec);
  const cidrs = [...listOf(objOf(spec.ipv4).cidrs), ...listOf(objOf(spec.ipv6).cidrs)].map((c) => (typeof c === 'string' ? normalizeCidr(c) : undefined)).filter((c): c is string => !!c);
  return podCidrs(node).filter((pc) => cidrs.some((c) => within(pc, c)));
}

/** Cilium matches pod IP pool selectors against the pool's labels plus its name and namespace. */
export function podPoolLabels(pool: unknown): Record<string, string> {
  const o = pool as { metadata?: { labels?: unknown; name?: unknown; namespace?: unknown } };
  return { ...labelsOf(o), 'io.cilium.podippool.name': nameOf(o), 'io.cilium.podippool.namespace': strOf(o?.metadata?.namespace) ?? '' };
}
