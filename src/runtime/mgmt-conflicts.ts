/**
 * Whether a lab's management subnet is free before anything is created: it must not overlap
 * another Docker network (the message names the lab holding it) nor any address or route of
 * the host (a subnet equal to the host's LAN would take its gateway address and reroute it).
 * Pure: the caller reads the networks and the host's routes.
 */
import { intToIpv4, mask4, parseCidr4, type Cidr4 } from '../topology/index.js';

export interface HostRoute {
  /** CIDR or address ("192.0.2.0/24", "192.0.2.2"). */
  dst: string;
  dev?: string;
  /** Where it came from, for the message: a route or an address of the host. */
  what: 'route' | 'address';
}

export interface NetworkSubnets {
  name: string;
  subnets: string[];
  /** The lab that owns it, from its kindlab.lab label. */
  lab?: string;
  /** Linux bridge carrying it (br-<id12>), so its host route is not reported twice. */
  bridge?: string;
}

export interface SubnetConflict {
  with: string;
  message: string;
}

function range(c: Cidr4): [number, number] {
  const lo = (c.addr & mask4(c.len)) >>> 0;
  return [lo, lo + 2 ** (32 - c.len) - 1];
}

/** True when two IPv4 CIDRs (or addresses, as /32) share an address. */
export function overlaps4(a: string, b: string): boolean {
  const ca = parseCidr4(a.includes('/') ? a : `${a}/32`);
  const cb = parseCidr4(b.includes('/') ? b : `${b}/32`);
  if (typeof ca === 'string' || typeof cb === 'string') return false;
  const [a0, a1] = range(ca);
  const [b0, b1] = range(cb);
  return a0 <= b1 && b0 <= a1;
}

/**
 * Every conflict of `subnet` (the lab's mgmt network `own`) with other Docker networks and the
 * host. The lab's own network (same name) is not a conflict: a redeploy reuses it.
 */
export function mgmtSubnetConflicts(subnet: string, own: string, networks: NetworkSubnets[], host: HostRoute[]): SubnetConflict[] {
  const out: SubnetConflict[] = [];
  const bridges = new Set<string>();
  for (const n of networks) {
    if (n.bridge) bridges.add(n.bridge);
    if (n.name === own) continue;
    const hit = n.subnets.find((s) => s.includes('.') && overlaps4(subnet, s));
    if (hit) out.push({ with: n.name, message: `overlaps Docker network ${n.name} (${hit})${n.lab ? `, the management network of lab ${n.lab}` : ''}` });
  }
  for (const r of host) {
    if (r.dev && bridges.has(r.dev)) continue; // a Docker network's own route: reported above
    if (r.dst === 'default' || r.dst === '0.0.0.0/0') continue;
    if (r.dst.startsWith('127.')) continue;
    if (overlaps4(subnet, r.dst)) out.push({ with: r.dev ?? r.dst, message: `overlaps the host's ${r.what} ${r.dst}${r.dev ? ` on ${r.dev}` : ''}` });
  }
  return out;
}

/** First address of a subnet, for messages ("172.20.20.0/24" → "172.20.20.0"). */
export function networkAddress(subnet: string): string {
  const c = parseCidr4(subnet);
  return typeof c === 'string' ? subnet : intToIpv4((c.addr & mask4(c.len)) >>> 0);
}

/** Where a lab on the default subnet may move when 172.20.20.0/24 is taken: the next /24s of 172.20.0.0/16. */
export function defaultSubnetCandidates(): string[] {
  return Array.from({ length: 236 }, (_, i) => `172.20.${20 + i}.0/24`);
}

/** The first candidate subnet with no conflict (undefined when all are taken). */
export function firstFreeSubnet(own: string, networks: NetworkSubnets[], host: HostRoute[], candidates = defaultSubnetCandidates()): string | undefined {
  return candidates.find((c) => mgmtSubnetConflicts(c, own, networks, host).length === 0);
}
