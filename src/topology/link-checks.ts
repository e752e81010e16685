/**
 * Value checks of link endpoints shared by every link form: MACs and addresses (well-formed,
 * not used twice in the topology) and a VXLAN remote (an IP address or a host name).
 */
import type { RawEndpoint } from './raw-types.js';
import { checkMac, parseCidr4, parseCidr6, ipv4ToInt, ipv6Words } from './net.js';
import { formatPath, type IssueList, type PathSeg } from './source-map.js';
import type { LinkEndpoint } from './types.js';

export interface Seen {
  macs: Map<string, PathSeg[]>;
  addrs: Map<string, PathSeg[]>;
}

export function checkAddresses(
  ep: Pick<LinkEndpoint, 'mac' | 'ipv4' | 'ipv6'>,
  raw: string | RawEndpoint,
  brief: boolean,
  epPath: PathSeg[],
  j: number,
  issues: IssueList,
  seen: Seen,
): void {
  if (ep.mac === undefined && ep.ipv4.length === 0 && ep.ipv6.length === 0) return; // most endpoints: nothing to check
  if (ep.mac !== undefined) {
    const macPath = [...epPath, 'mac'];
    const err = checkMac(ep.mac);
    const key = ep.mac.toLowerCase();
    if (err) issues.add(macPath, err);
    else if (seen.macs.has(key)) issues.add(macPath, `MAC ${ep.mac} is already used by ${formatPath(seen.macs.get(key)!)}`);
    else seen.macs.set(key, epPath);
  }
  for (const fam of ['ipv4', 'ipv6'] as const) {
    ep[fam].forEach((cidr, k) => {
      const single = !brief && typeof raw !== 'string' && !Array.isArray(raw[fam]);
      const path: PathSeg[] = brief ? ['topology', 'links', epPath[2]!, fam, j] : single ? [...epPath, fam] : [...epPath, fam, k];
      const parsed = fam === 'ipv4' ? parseCidr4(cidr) : parseCidr6(cidr);
      if (typeof parsed === 'string') return issues.add(path, parsed);
      const addr = cidr.split('/')[0]!.toLowerCase();
      const prev = seen.addrs.get(addr);
      if (prev) issues.add(path, `address ${addr} is already assigned at ${formatPath(prev)}`);
      else seen.addrs.set(addr, path);
    });
  }
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** A VXLAN remote: a unicast IPv4/IPv6 address or a host name (resolved at deploy, as containerlab does). */
export function checkRemote(s: string): string | undefined {
  if (s.includes(':')) return ipv6Words(s) ? undefined : `remote "${s}" is not an IPv6 address`;
  if (/^[0-9.]+$/.test(s)) {
    const n = ipv4ToInt(s);
    if (n === undefined) return `remote "${s}" is not an IPv4 address`;
    if (n === 0 || n >>> 28 === 14 || n === 0xffffffff) return `remote "${s}" must be a unicast address (the VTEP at the other end)`;
    return undefined;
  }
  return HOSTNAME.test(s) ? undefined : `remote "${s}" is neither an IP address nor a host name`;
}
