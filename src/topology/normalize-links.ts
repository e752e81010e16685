/**
 * Links: brief (`"a:eth1"`) and extended (`{node, interface, mac, ipv4, ipv6}`) forms →
 * VethLinkSpec, with reference and address checks reported at the endpoint at fault.
 */
import type { RawEndpoint, RawLink } from './raw-types.js';
import { checkIfaceName, checkMac, parseCidr4, parseCidr6 } from './net.js';
import { formatPath, type IssueList, type PathSeg } from './source-map.js';
import { didYouMean } from './suggest.js';
import type { LinkEndpoint, LinkSpec, NodeSpec } from './types.js';

export const DEFAULT_LINK_MTU = 9500;
const PSEUDO_NODES: Record<string, string> = {
  host: 'links to the host ("host:<iface>") are not supported yet; use a linux node with network-mode host instead',
  'mgmt-net': 'links to the management network ("mgmt-net:<iface>") are not supported yet',
  macvlan: 'macvlan links are not supported yet',
};

interface Used {
  path: PathSeg[];
  line: number;
}

export function normalizeLinks(links: RawLink[], nodes: Map<string, NodeSpec>, issues: IssueList): LinkSpec[] {
  const used = new Map<string, Used>(); // "<netns owner>\0<iface>" → first use
  const macs = new Map<string, PathSeg[]>();
  const addrs = new Map<string, PathSeg[]>();
  const out: LinkSpec[] = [];
  const nodeList = [...nodes.keys()].join(', ') || 'none';

  links.forEach((link, i) => {
    const linkPath: PathSeg[] = ['topology', 'links', i];
    const strings = link.endpoints.filter((e) => typeof e === 'string').length;
    if (strings !== 0 && strings !== link.endpoints.length) {
      issues.add([...linkPath, 'endpoints'], 'endpoints mix the brief "node:interface" form and the extended {node, interface} form; use one form per link');
      return;
    }
    const brief = strings > 0;
    for (const fam of ['ipv4', 'ipv6'] as const) {
      if (!brief && link[fam]) issues.add([...linkPath, fam], `link-level ${fam} belongs to the brief form; in the extended form set ${fam} on each endpoint`, 'key');
    }
    const eps: LinkEndpoint[] = [];
    link.endpoints.forEach((raw, j) => {
      const epPath: PathSeg[] = [...linkPath, 'endpoints', j];
      const ep = toEndpoint(raw, brief ? link : undefined, j);
      const nodePath = brief ? epPath : [...epPath, 'node'];
      const ifacePath = brief ? epPath : [...epPath, 'interface'];
      const node = nodes.get(ep.node);
      if (!node) {
        issues.addRef(nodePath, PSEUDO_NODES[ep.node] ?? `node "${ep.node}" is not defined${didYouMean(ep.node, nodes.keys())} (nodes: ${nodeList})`);
      } else if (node.networkMode.type === 'host') {
        issues.add(nodePath, `node "${ep.node}" uses network-mode host: it has no network namespace of its own to put a link in`);
      }
      const ifaceErr = checkIfaceName(ep.iface);
      if (ifaceErr) issues.add(ifacePath, ifaceErr);
      else if (ep.iface === 'lo') issues.add(ifacePath, '"lo" is the loopback interface and cannot be a link endpoint');
      else if (ep.iface === 'eth0' && node?.networkMode.type === 'bridge') {
        issues.add(ifacePath, `eth0 is the management interface of node "${ep.node}"; use eth1 or another name (or network-mode: none)`);
      }
      if (j === 1 && eps[0] && eps[0].node === ep.node && eps[0].iface === ep.iface) {
        issues.add(epPath, `both endpoints of the link are "${ep.node}:${ep.iface}"`);
      } else if (node && !ifaceErr) {
        const owner = netnsOwner(ep.node, nodes);
        const key = `${owner}\u0000${ep.iface}`;
        const first = used.get(key);
        if (first) {
          const shared = owner === ep.node ? '' : ` (node "${ep.node}" shares the network namespace of "${owner}")`;
          issues.add(ifacePath, `interface "${ep.iface}" of node "${ep.node}" is already used by ${formatPath(first.path)} (line ${first.line})${shared}`);
        } else {
          used.set(key, { path: epPath, line: issues.map.locate(epPath).line });
        }
      }
      checkAddresses(ep, raw, brief, epPath, j, issues, { macs, addrs });
      eps.push(ep);
    });
    if (eps.length !== 2) return;
    out.push({
      type: 'veth',
      endpoints: [eps[0]!, eps[1]!],
      mtu: link.mtu ?? DEFAULT_LINK_MTU,
      pos: issues.map.locate(linkPath),
      endpointPos: [issues.map.locate([...linkPath, 'endpoints', 0]), issues.map.locate([...linkPath, 'endpoints', 1])],
    });
  });
  return out;
}

function toEndpoint(raw: string | RawEndpoint, briefLink: RawLink | undefined, j: number): LinkEndpoint {
  const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? [...v] : [v]);
  if (typeof raw === 'string') {
    const idx = raw.indexOf(':');
    const v4 = briefLink?.ipv4?.[j];
    const v6 = briefLink?.ipv6?.[j];
    return { node: raw.slice(0, idx), iface: raw.slice(idx + 1), ipv4: list(v4 || undefined), ipv6: list(v6 || undefined) };
  }
  return { node: raw.node, iface: raw.interface, ...(raw.mac ? { mac: raw.mac } : {}), ipv4: list(raw.ipv4), ipv6: list(raw.ipv6) };
}

/** Follows network-mode container:<node> chains to the node owning the netns (cycles stop at a repeat). */
export function netnsOwner(name: string, nodes: Map<string, NodeSpec>): string {
  const seen = new Set<string>();
  let cur = name;
  for (;;) {
    const mode = nodes.get(cur)?.networkMode;
    if (mode?.type !== 'container' || !mode.node || !nodes.has(mode.node) || seen.has(mode.node)) return cur;
    seen.add(cur);
    cur = mode.node;
  }
}

function checkAddresses(
  ep: LinkEndpoint,
  raw: string | RawEndpoint,
  brief: boolean,
  epPath: PathSeg[],
  j: number,
  issues: IssueList,
  seen: { macs: Map<string, PathSeg[]>; addrs: Map<string, PathSeg[]> },
): void {
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
