/**
 * IPv6 address arithmetic (BigInt) and the family-aware allocators built on it and on the
 * IPv4 helpers of ./ipam.ts: pod CIDRs per family for a node, ClusterIPs per family for a
 * Service (ipFamilies / ipFamilyPolicy / clusterIPs). Pure: callers pass what is in use.
 */
import { bigToIp6, ip6ToBig } from '../../lib/index.js';
import { allocateClusterIP, isIPv4, parseCidr, podCidrForIndex, type AllocResult } from './ipam.js';

export type IPFamily = 'IPv4' | 'IPv6';

export interface Cidr6 {
  base: bigint;
  prefix: number;
}

export { bigToIp6, ip6ToBig };

const MAX6 = (1n << 128n) - 1n;

export function isStrictIPv6(s: string): boolean {
  try {
    ip6ToBig(s);
    return true;
  } catch {
    return false;
  }
}

export function parseCidr6(cidr: string): Cidr6 {
  const [ip, len, extra] = cidr.split('/');
  const prefix = Number(len);
  if (!ip || len === undefined || extra !== undefined || !/^\d{1,3}$/.test(len) || prefix > 128 || !isStrictIPv6(ip)) throw new Error(`invalid IPv6 CIDR "${cidr}"`);
  const host = (1n << BigInt(128 - prefix)) - 1n;
  return { base: ip6ToBig(ip) & (MAX6 ^ host), prefix };
}

export const formatCidr6 = (c: Cidr6): string => `${bigToIp6(c.base)}/${c.prefix}`;
export const cidr6Size = (c: Cidr6): bigint => 1n << BigInt(128 - c.prefix);

export function cidr6Contains(c: Cidr6, ip: string): boolean {
  const n = ip6ToBig(ip);
  return n >= c.base && n < c.base + cidr6Size(c);
}

/** Family of an address or CIDR, or undefined when it is neither. */
export function familyOf(addrOrCidr: string): IPFamily | undefined {
  const ip = addrOrCidr.split('/')[0]!;
  if (isIPv4(ip)) return 'IPv4';
  if (isStrictIPv6(ip)) return 'IPv6';
  return undefined;
}

/** Parses either family's CIDR; the error names what is wrong. */
export function checkCidr(cidr: string): { family: IPFamily; prefix: number } {
  if (cidr.includes(':')) return { family: 'IPv6', prefix: parseCidr6(cidr).prefix };
  return { family: 'IPv4', prefix: parseCidr(cidr).prefix };
}

/** `"10.244.0.0/16, fd00:10:244::/56"` → ['10.244.0.0/16', 'fd00:10:244::/56'] (kind's comma-separated dual form). */
export const splitList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

/** The index-th `/nodeMask` block of an IPv6 pod subnet (kube-controller-manager's default node mask for IPv6 is /64). */
export function podCidr6ForIndex(podSubnet: string, index: number, nodeMask = 64): string {
  const c = parseCidr6(podSubnet);
  if (nodeMask < c.prefix) throw new Error(`node CIDR mask /${nodeMask} is larger than the pod subnet ${podSubnet}`);
  const blocks = 1n << BigInt(nodeMask - c.prefix);
  if (index < 0 || BigInt(index) >= blocks) throw new Error(`pod subnet ${podSubnet} has only ${blocks} /${nodeMask} blocks; node index ${index} does not fit`);
  return formatCidr6({ base: c.base + BigInt(index) * (1n << BigInt(128 - nodeMask)), prefix: nodeMask });
}

export interface NodeCidrMasks {
  ipv4: number;
  ipv6: number;
}
export const DEFAULT_NODE_MASKS: NodeCidrMasks = { ipv4: 24, ipv6: 64 };

/** One pod CIDR per configured pod subnet (kind order: the first family is the primary), for node `index`. */
export function podCidrsForIndex(podSubnets: string, index: number, masks: NodeCidrMasks = DEFAULT_NODE_MASKS): string[] {
  return splitList(podSubnets).map((s) => (s.includes(':') ? podCidr6ForIndex(s, index, masks.ipv6) : podCidrForIndex(s, index, masks.ipv4)));
}

/** The first index whose pod CIDRs are all free (for nodes that join after the configured ones). */
export function firstFreePodCidrs(podSubnets: string, used: Set<string>, masks: NodeCidrMasks = DEFAULT_NODE_MASKS): string[] {
  for (let i = 0; ; i++) {
    let cidrs: string[];
    try {
      cidrs = podCidrsForIndex(podSubnets, i, masks);
    } catch {
      throw new Error(`pod subnet ${podSubnets} is exhausted`);
    }
    if (cidrs.every((c) => !used.has(c))) return cidrs;
  }
}

/** An IPv6 ClusterIP: the requested one when valid and free, else the lowest free from ::a up (::1 only on request). */
export function allocateClusterIP6(serviceSubnet: string, used: Set<string>, requested?: string): AllocResult {
  const c = parseCidr6(serviceSubnet);
  const size = cidr6Size(c);
  if (requested) {
    if (!isStrictIPv6(requested)) return { ok: false, message: `Invalid value: "${requested}": must be a valid IP address` };
    const norm = bigToIp6(ip6ToBig(requested));
    if (!cidr6Contains(c, requested) || ip6ToBig(requested) === c.base) return { ok: false, message: `Invalid value: "${requested}": provided IP is not in the valid range. The range of valid IPs is ${serviceSubnet}` };
    if (used.has(norm)) return { ok: false, message: `Invalid value: "${requested}": provided IP is already allocated` };
    return { ok: true, value: norm };
  }
  const start = size > 11n ? 10n : 1n;
  for (let off = start; off < size && off < start + 1_000_000n; off++) {
    const ip = bigToIp6(c.base + off);
    if (!used.has(ip)) return { ok: true, value: ip };
  }
  return { ok: false, message: 'Internal error: failed to allocate a serviceIP: range is full' };
}

/** A ClusterIP of the subnet's family. */
export function allocateClusterIPAny(serviceSubnet: string, used: Set<string>, requested?: string): AllocResult {
  if (serviceSubnet.includes(':')) return allocateClusterIP6(serviceSubnet, used, requested);
  if (requested && !isIPv4(requested)) return { ok: false, message: `Invalid value: "${requested}": must be a valid IP address` };
  return allocateClusterIP(serviceSubnet, used, requested);
}

/** The `kubernetes` Service's address in a service subnet: its first host address. */
export function firstHost(subnet: string): string {
  if (subnet.includes(':')) return bigToIp6(parseCidr6(subnet).base + 1n);
  const c = parseCidr(subnet);
  const n = c.base + 1;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Canonical text of an address of either family (IPv6 compressed), for set membership. */
export function canonicalIP(ip: string): string {
  return ip.includes(':') && isStrictIPv6(ip) ? bigToIp6(ip6ToBig(ip)) : ip;
}

/** Whether two CIDRs of any family share an address (different families never do). */
export function cidrsOverlap(a: string, b: string): boolean {
  const range = (c: string): [bigint, bigint, IPFamily] => {
    if (c.includes(':')) {
      const x = parseCidr6(c);
      return [x.base, x.base + cidr6Size(x) - 1n, 'IPv6'];
    }
    const x = parseCidr(c);
    return [BigInt(x.base), BigInt(x.base) + (1n << BigInt(32 - x.prefix)) - 1n, 'IPv4'];
  };
  const [a0, a1, fa] = range(a);
  const [b0, b1, fb] = range(b);
  return fa === fb && a0 <= b1 && b0 <= a1;
}

export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

/** Gateway of an IPv6 pod CIDR: its first address after the subnet-router anycast one (`::1`). */
export function gateway6(cidr: string): string {
  return bigToIp6(parseCidr6(cidr).base + 1n);
}

/**
 * host-local's next free IPv6 address after `last` (wrapping), skipping the subnet-router anycast
 * address and the gateway. Only `used.size + 1` candidates are tried, so a /64 costs no more than a /24.
 */
export function nextFree6(cidr: string, used: Set<string>, last?: string): string | undefined {
  const c = parseCidr6(cidr);
  const first = c.base + 2n;
  const end = c.base + cidr6Size(c) - 1n;
  if (end < first) return undefined;
  const span = end - first + 1n;
  const lastN = last && isStrictIPv6(last) ? ip6ToBig(last) : end;
  const start = lastN >= first && lastN <= end ? lastN - first + 1n : 0n;
  const tries = BigInt(used.size) + 1n < span ? BigInt(used.size) + 1n : span;
  for (let i = 0n; i < tries; i++) {
    const ip = bigToIp6(first + ((start + i) % span));
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
