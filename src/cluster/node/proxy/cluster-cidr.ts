/**
 * The cluster CIDR the proxier needs to tell traffic from the cluster's pods from traffic from outside
 * (kube-proxy's --cluster-cidr, in kind the podSubnet). The node daemon is not told the podSubnet, so by
 * default it is derived from the Nodes' pod CIDRs: the smallest IPv4 prefix that covers all of them. The
 * API server hands every Node its pod CIDR out of the podSubnet, so that prefix lies inside the podSubnet:
 * it never covers more than kube-proxy's `! -s <podSubnet>` would treat as the cluster, and it covers every
 * pod that exists. Pure.
 */
import type { Node } from '../../client/types.js';
import { formatCidr, parseCidr } from '../../controllers/ipam.js';
import { formatCidr6, parseCidr6 } from '../../controllers/cidr6.js';

const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** The smallest IPv4 prefix covering every given IPv4 CIDR (non-IPv4 entries ignored); undefined for none. */
export function coveringCidr(cidrs: string[]): string | undefined {
  const parsed = cidrs.filter((c) => IPV4_CIDR.test(c)).map((c) => parseCidr(c));
  if (parsed.length === 0) return undefined;
  const lo = Math.min(...parsed.map((c) => c.base));
  const hi = Math.max(...parsed.map((c) => c.base + 2 ** (32 - c.prefix) - 1));
  let prefix = Math.min(...parsed.map((c) => c.prefix));
  // Shorten the prefix until lo and hi fall into the same block.
  for (; prefix > 0; prefix--) {
    const size = 2 ** (32 - prefix);
    if (Math.floor(lo / size) === Math.floor(hi / size)) break;
  }
  const size = 2 ** (32 - prefix);
  return formatCidr({ base: Math.floor(lo / size) * size, prefix });
}

/** Pod CIDRs of all Nodes (spec.podCIDRs, else spec.podCIDR). */
export function nodePodCidrs(nodes: Node[]): string[] {
  return nodes.flatMap((n) => (n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : []));
}

/** `--cluster-cidr` when given, else the prefix covering the Nodes' pod CIDRs. */
export function clusterCidrFor(flag: string | undefined, nodes: Node[]): string | undefined {
  return flag ?? coveringCidr(nodePodCidrs(nodes));
}

/** The smallest IPv6 prefix covering every given IPv6 CIDR (others ignored); undefined for none. */
export function coveringCidr6(cidrs: string[]): string | undefined {
  const parsed = cidrs.filter((c) => c.includes(':')).map((c) => parseCidr6(c));
  if (parsed.length === 0) return undefined;
  const lo = parsed.reduce((m, c) => (c.base < m ? c.base : m), parsed[0]!.base);
  const hi = parsed.reduce((m, c) => {
    const end = c.base + (1n << BigInt(128 - c.prefix)) - 1n;
    return end > m ? end : m;
  }, 0n);
  let prefix = Math.min(...parsed.map((c) => c.prefix));
  for (; prefix > 0; prefix--) if (lo >> BigInt(128 - prefix) === hi >> BigInt(128 - prefix)) break;
  const shift = BigInt(128 - prefix);
  return formatCidr6({ base: (lo >> shift) << shift, prefix });
}
