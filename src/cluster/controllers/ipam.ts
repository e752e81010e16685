/**
 * Address arithmetic and allocators for the cluster (IPv4). Pure: callers pass in what is
 * already in use, so the store stays the only state.
 */
import { numberToIpv4 as intToIp, parseIpv4 } from '../../lib/index.js';

export interface Cidr {
  base: number;
  prefix: number;
}

export function ipToInt(ip: string): number {
  const n = parseIpv4(ip);
  if (n === undefined) throw new Error(`invalid IPv4 address "${ip}"`);
  return n;
}

export { intToIp };

export function isIPv4(s: string): boolean {
  try {
    ipToInt(s);
    return true;
  } catch {
    return false;
  }
}

export function isIPv6(s: string): boolean {
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) && (s.match(/::/g)?.length ?? 0) <= 1;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, len] = cidr.split('/');
  const prefix = Number(len);
  if (!ip || len === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const size = 2 ** (32 - prefix);
  const base = ipToInt(ip) - (ipToInt(ip) % size);
  return { base, prefix };
}

export function cidrSize(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= c.base && n < c.base + cidrSize(c);
}

/**
 * The pod CIDR of the node at `index` (control-plane 0, workers 1..n): the index-th
 * `/nodeMask` block of the pod subnet, as kind's kube-controller-manager hands them out
 * for a fresh cluster (10.244.0.0/16 → 10.244.0.0/24, 10.244.1.0/24, …).
 */
export function podCidrForIndex(podSubnet: string, index: number, nodeMask = 24): string {
  const c = parseCidr(podSubnet);
  if (nodeMask < c.prefix) throw new Error(`node CIDR mask /${nodeMask} is larger than the pod subnet ${podSubnet}`);
  const blocks = 2 ** (nodeMask - c.prefix);
  if (index < 0 || index >= blocks) throw new Error(`pod subnet ${podSubnet} has only ${blocks} /${nodeMask} blocks; node index ${index} does not fit`);
  return formatCidr({ base: c.base + index * 2 ** (32 - nodeMask), prefix: nodeMask });
}

/** First free index, for nodes that join after the configured ones. */
export function firstFreePodCidr(podSubnet: string, used: Set<string>, nodeMask = 24): string {
  const blocks = 2 ** (nodeMask - parseCidr(podSubnet).prefix);
  for (let i = 0; i < blocks; i++) {
    const c = podCidrForIndex(podSubnet, i, nodeMask);
    if (!used.has(c)) return c;
  }
  throw new Error(`pod subnet ${podSubnet} is exhausted`);
}

export type AllocResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * A ClusterIP from the service subnet. A requested address must be inside the subnet and
 * free; otherwise the lowest free address from .10 up (.1 is the `kubernetes` service's,
 * handed out only on request).
 */
export function allocateClusterIP(serviceSubnet: string, used: Set<string>, requested?: string): AllocResult {
  const c = parseCidr(serviceSubnet);
  const size = cidrSize(c);
  if (requested) {
    if (!isIPv4(requested)) return { ok: false, message: `Invalid value: "${requested}": must be a valid IP address` };
    if (!cidrContains(c, requested) || ipToInt(requested) === c.base || ipToInt(requested) === c.base + size - 1)
      return { ok: false, message: `Invalid value: "${requested}": provided IP is not in the valid range. The range of valid IPs is ${serviceSubnet}` };
    if (used.has(requested)) return { ok: false, message: `Invalid value: "${requested}": provided IP is already allocated` };
    return { ok: true, value: requested };
  }
  for (let off = Math.min(10, size - 2); off < size - 1; off++) {
    const ip = intToIp(c.base + off);
    if (!used.has(ip)) return { ok: true, value: ip };
  }
  return { ok: false, message: 'Internal error: failed to allocate a serviceIP: range is full' };
}

export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;

export function allocateNodePort(used: Set<number>, requested?: number): AllocResult {
  const { min, max } = NODE_PORT_RANGE;
  if (requested) {
    if (requested < min || requested > max) return { ok: false, message: `Invalid value: ${requested}: provided port is not in the valid range. The range of valid ports is ${min}-${max}` };
    if (used.has(requested)) return { ok: false, message: `Invalid value: ${requested}: provided port is already allocated` };
    return { ok: true, value: String(requested) };
  }
  for (let p = min; p <= max; p++) if (!used.has(p)) return { ok: true, value: String(p) };
  return { ok: false, message: 'range is full' };
}
