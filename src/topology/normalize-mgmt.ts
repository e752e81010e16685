/**
 * The management network: defaults (network `kindlab-<lab>`, 172.20.20.0/24, gateway .1,
 * internal) and the static mgmt-ipv4/-ipv6 addresses of nodes checked against it.
 */
import type { RawMgmt } from './raw-types.js';
import { inSubnet4, inSubnet6, intToIpv4, ipv4ToInt, lastAddr4, parseCidr6, parseNetwork4, type Cidr4 } from './net.js';
import { formatPath, type IssueList, type PathSeg } from './source-map.js';
import type { MgmtSpec, NodeSpec } from './types.js';
import { nodeOrigin } from './normalize-node.js';

export const DEFAULT_MGMT_SUBNET = '172.20.20.0/24';

export function normalizeMgmt(lab: string, raw: RawMgmt | undefined, issues: IssueList, defaultSubnet = DEFAULT_MGMT_SUBNET): MgmtSpec {
  const m = raw ?? {};
  const at = (k: keyof RawMgmt): PathSeg[] => ['mgmt', k];
  const spec: MgmtSpec = {
    network: m.network ?? `kindlab-${lab}`,
    ipv4Subnet: m['ipv4-subnet'] ?? defaultSubnet,
    defaultSubnet: m['ipv4-subnet'] === undefined && m.network === undefined && m['ipv4-range'] === undefined && m['ipv4-gw'] === undefined,
    external: m.external ?? false,
    pos: raw ? issues.map.locate(['mgmt'], 'key') : issues.map.locate(['name'], 'key'),
  };
  const net = parseNetwork4(spec.ipv4Subnet);
  if (typeof net === 'string') issues.add(at('ipv4-subnet'), net);
  const gw = m['ipv4-gw'];
  if (gw !== undefined) {
    const g = ipv4ToInt(gw);
    if (g === undefined) issues.add(at('ipv4-gw'), `"${gw}" is not an IPv4 address`);
    else if (typeof net !== 'string' && !usableIn(g, net)) issues.add(at('ipv4-gw'), `gateway ${gw} is not a usable address of ${spec.ipv4Subnet}`);
    spec.ipv4Gateway = gw;
  } else if (typeof net !== 'string') {
    spec.ipv4Gateway = intToIpv4(net.addr + 1);
  }
  const range = m['ipv4-range'];
  if (range !== undefined) {
    const r = parseNetwork4(range);
    if (typeof r === 'string') issues.add(at('ipv4-range'), r);
    else if (typeof net !== 'string' && !(inSubnet4(r.addr, net) && inSubnet4(lastAddr4(r), net))) issues.add(at('ipv4-range'), `ipv4-range ${range} is not inside the management subnet ${spec.ipv4Subnet}`);
    spec.ipv4Range = range;
  }
  if (m['ipv6-subnet'] !== undefined) {
    const n6 = parseCidr6(m['ipv6-subnet']);
    if (typeof n6 === 'string') issues.add(at('ipv6-subnet'), n6);
    spec.ipv6Subnet = m['ipv6-subnet'];
    const gw6 = m['ipv6-gw'];
    if (gw6 !== undefined && typeof n6 !== 'string' && !inSubnet6(gw6, n6)) issues.add(at('ipv6-gw'), `gateway ${gw6} is not an IPv6 address in ${spec.ipv6Subnet}`);
  } else if (m['ipv6-gw'] !== undefined) {
    issues.add(at('ipv6-gw'), 'ipv6-gw needs ipv6-subnet', 'key');
  }
  if (m['ipv6-gw'] !== undefined) spec.ipv6Gateway = m['ipv6-gw'];
  if (m.bridge !== undefined) spec.bridge = m.bridge;
  if (m.mtu !== undefined) spec.mtu = m.mtu;
  return spec;
}

export function usableIn(addr: number, net: Cidr4): boolean {
  return inSubnet4(addr, net) && addr !== net.addr && addr !== lastAddr4(net);
}

/** Static management addresses: inside the subnet, not the gateway, not used twice, only on bridge-mode nodes. */
export function checkStaticMgmt(nodes: NodeSpec[], mgmt: MgmtSpec, issues: IssueList): void {
  const net = parseNetwork4(mgmt.ipv4Subnet);
  const net6 = mgmt.ipv6Subnet === undefined ? undefined : parseCidr6(mgmt.ipv6Subnet);
  const used = new Map<string, PathSeg[]>();
  for (const n of nodes) {
    for (const fam of ['mgmt-ipv4', 'mgmt-ipv6'] as const) {
      const addr = fam === 'mgmt-ipv4' ? n.mgmtIPv4 : n.mgmtIPv6;
      if (addr === undefined) continue;
      const path = nodeOrigin(n, fam);
      if (n.networkMode.type !== 'bridge') {
        issues.add(path, `${fam} is set but node "${n.name}" uses network-mode ${modeText(n)}, so it has no management interface of its own`);
        continue;
      }
      if (fam === 'mgmt-ipv4' && typeof net !== 'string') {
        const a = ipv4ToInt(addr)!;
        if (!inSubnet4(a, net)) issues.add(path, `mgmt-ipv4 ${addr} is outside the management subnet ${mgmt.ipv4Subnet}`);
        else if (!usableIn(a, net)) issues.add(path, `mgmt-ipv4 ${addr} is the network or broadcast address of ${mgmt.ipv4Subnet}`);
        else if (addr === mgmt.ipv4Gateway) issues.add(path, `mgmt-ipv4 ${addr} is the management gateway address`);
      }
      if (fam === 'mgmt-ipv6') {
        if (net6 === undefined) issues.add(path, 'mgmt-ipv6 needs mgmt.ipv6-subnet to be set');
        else if (typeof net6 !== 'string' && !inSubnet6(addr, net6)) issues.add(path, `mgmt-ipv6 ${addr} is outside the management subnet ${mgmt.ipv6Subnet}`);
      }
      const key = addr.toLowerCase();
      const prev = used.get(key);
      if (prev) issues.add(path, `${fam} ${addr} is already used by ${formatPath(prev)}`);
      else used.set(key, path);
    }
  }
}

export function modeText(n: NodeSpec): string {
  const m = n.networkMode;
  return m.type === 'container' ? `container:${m.node ?? m.container}` : m.type;
}
