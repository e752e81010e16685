/**
 * Which learned next hops the node can reach directly (on a connected subnet), and the split of the wanted FIB
 * into routes to install and routes left to the upstream router.
 *
 * kube-router's behaviour, which we follow: a learned route is injected into the kernel only when its next hop is
 * in the same subnet as the node (`injectRoute` checks the subnet of the node's address); otherwise (no overlay
 * tunnel) it installs nothing and "lets BGP do its thing": the node's default route points at its peer router,
 * which learned the prefix over BGP itself, so routes to nodes on other subnets go via the peer routers. We do not
 * resolve such next hops recursively, as kube-router does not either. One difference: we accept a next hop on any
 * connected subnet of an interface that is up (kube-router: only the subnet holding the Node's own IP), since the
 * peering interface may carry an address other than the Node's InternalIP.
 */
import { ipv4ToNumber, ipv6ToBytes, isIpv4 } from '../../bgp/index.js';
import type { FibTable } from './plan.js';

export interface ConnectedSubnet {
  /** An address on the interface and its prefix length (not necessarily the network address). */
  address: string;
  prefixLen: number;
  dev: string;
}

interface IpAddrJson {
  ifname?: string;
  flags?: string[];
  addr_info?: Array<{ local?: string; prefixlen?: number; scope?: string; address?: string }>;
}

/** Connected subnets from `ip -j addr show`: interfaces that are up, addresses not of host scope. */
export function connectedSubnets(ipAddrJson: string): ConnectedSubnet[] {
  const out: ConnectedSubnet[] = [];
  for (const link of JSON.parse(ipAddrJson || '[]') as IpAddrJson[]) {
    if (!link.flags?.includes('UP')) continue;
    for (const a of link.addr_info ?? []) {
      if (!a.local || a.prefixlen === undefined || a.scope === 'host') continue;
      // A point-to-point address (`local peer PEER/len`): the peer's subnet is on-link.
      if (a.address && a.address !== a.local) out.push({ address: a.address, prefixLen: a.prefixlen, dev: link.ifname ?? '' });
      else out.push({ address: a.local, prefixLen: a.prefixlen, dev: link.ifname ?? '' });
    }
  }
  return out;
}

function sameNetwork(a: string, b: string, len: number): boolean {
  const v4 = isIpv4(a);
  if (v4 !== isIpv4(b)) return false;
  if (v4) {
    if (len === 0) return true;
    const mask = len >= 32 ? 0xffffffff : ~(0xffffffff >>> len) >>> 0;
    return ((ipv4ToNumber(a) & mask) >>> 0) === ((ipv4ToNumber(b) & mask) >>> 0);
  }
  const x = ipv6ToBytes(a);
  const y = ipv6ToBytes(b);
  for (let bit = 0; bit < len; bit += 8) {
    const m = len - bit >= 8 ? 0xff : (0xff << (8 - (len - bit))) & 0xff;
    if ((x[bit >> 3]! & m) !== (y[bit >> 3]! & m)) return false;
  }
  return true;
}

/** Is `nextHop` directly reachable through one of `subnets`? */
export function isOnLink(nextHop: string, subnets: readonly ConnectedSubnet[]): boolean {
  try {
    return subnets.some((s) => sameNetwork(nextHop, s.address, s.prefixLen));
  } catch {
    return false;
  }
}

export interface FibSelection {
  install: FibTable;
  /** Prefixes with no directly reachable next hop: left to the upstream router. */
  skipped: Array<{ prefix: string; nextHops: string[] }>;
}

/** Keeps the on-link next hops of each route (ECMP members off-link are dropped); routes left with none are skipped. */
export function selectOnLink(wanted: FibTable, subnets: readonly ConnectedSubnet[]): FibSelection {
  const install: FibTable = new Map();
  const skipped: FibSelection['skipped'] = [];
  for (const [prefix, hops] of wanted) {
    const ok = hops.filter((h) => isOnLink(h, subnets));
    if (ok.length) install.set(prefix, ok);
    else if (hops.length) skipped.push({ prefix, nextHops: [...hops] });
  }
  return { install, skipped };
}
