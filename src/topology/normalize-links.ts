/**
 * Links in every form containerlab accepts → LinkSpec, with reference and address checks
 * reported at the endpoint at fault:
 * - brief `endpoints: ["a:eth1", "b:eth1"]`, where one end may be `host:<iface>`,
 *   `mgmt-net:<iface>` or `macvlan:<parent>` (containerlab reads these names as link types);
 * - extended `type: veth` with two endpoint objects (an end on node `host` makes a host link);
 * - single-endpoint `type: host|mgmt-net|macvlan|dummy|vxlan|vxlan-stitch` with `endpoint:`
 *   and the type's own keys (the schema allows each type only its keys).
 */
import type { RawEndpoint, RawLink } from './raw-types.js';
import { checkIfaceName } from './net.js';
import { formatPath, linkPosField, stampLinkPositions, type IssueList, type PathSeg } from './source-map.js';
import { didYouMean } from './suggest.js';
import { checkAddresses, checkRemote, type Seen } from './link-checks.js';
import type { HostEnd, LinkEndpoint, LinkSpec, NodeSpec, SingleEndpointLinkSpec, SourcePos, VethLinkSpec } from './types.js';

export const DEFAULT_LINK_MTU = 9500;
/** containerlab's default VXLAN UDP port (not 4789, which firewalls and other overlays use). */
export const DEFAULT_VXLAN_PORT = 14789;
/** Brief-form endpoint names that containerlab reads as link types, not nodes. */
const SPECIAL_ENDS = ['host', 'mgmt-net', 'macvlan'] as const;
type SpecialEnd = (typeof SPECIAL_ENDS)[number];

interface Ctx {
  nodes: Map<string, NodeSpec>;
  issues: IssueList;
  /**
   * Where each interface name was first claimed (its line is looked up only when a second claim is
   * reported): per netns owner, then per interface (one map keyed by a joined string cost a string
   * per endpoint); `hostUsed` holds the interfaces created in the host.
   */
  used: Map<string, Map<string, PathSeg[]>>;
  hostUsed: Map<string, PathSeg[]>;
  seen: Seen;
  nodeList: string;
}

export function normalizeLinks(links: RawLink[], nodes: Map<string, NodeSpec>, issues: IssueList): LinkSpec[] {
  const ctx: Ctx = { nodes, issues, used: new Map(), hostUsed: new Map(), seen: { macs: new Map(), addrs: new Map() }, nodeList: [...nodes.keys()].join(', ') || 'none' };
  const out: LinkSpec[] = [];
  links.forEach((link, i) => {
    const linkPath: PathSeg[] = ['topology', 'links', i];
    const spec = link.type === undefined || link.type === 'veth' ? pairLink(link, linkPath, ctx) : singleLink(link, linkPath, ctx);
    if (spec) out.push(spec);
  });
  return out;
}

const common = (link: RawLink, pos: SourcePos) => ({ pos, ...(link.vars ? { vars: link.vars } : {}), ...(link.labels ? { labels: link.labels } : {}) });

/** Brief links and `type: veth`: a veth pair, or a host/mgmt-net/macvlan link when one end names one. */
function pairLink(link: RawLink, linkPath: PathSeg[], ctx: Ctx): LinkSpec | undefined {
  const { issues } = ctx;
  const raws = link.endpoints ?? [];
  // Loops, not callbacks: this runs for every link of a topology of any size.
  let strings = 0;
  for (const e of raws) if (typeof e === 'string') strings++;
  if (strings !== 0 && strings !== raws.length) {
    issues.add([...linkPath, 'endpoints'], 'endpoints mix the brief "node:interface" form and the extended {node, interface} form; use one form per link');
    return undefined;
  }
  const brief = strings > 0;
  for (const fam of ['ipv4', 'ipv6'] as const) {
    if (!brief && link[fam]) issues.add([...linkPath, fam], `link-level ${fam} belongs to the brief form; in the extended form set ${fam} on each endpoint`, 'key');
  }
  if (raws.length !== 2) return undefined;
  const eps: [LinkEndpoint, LinkEndpoint] = [toEndpoint(raws[0]!, brief ? link : undefined, 0), toEndpoint(raws[1]!, brief ? link : undefined, 1)];
  const special: Array<SpecialEnd | undefined> = [specialEnd(eps[0], raws[0]!, ctx), specialEnd(eps[1], raws[1]!, ctx)];
  if (special[0] && special[1]) {
    issues.add([...linkPath, 'endpoints', 1], `both endpoints are special ("${special[0]}" and "${special[1]}"); one end must be a node`);
    return undefined;
  }
  const s = special[0] ? 0 : special[1] ? 1 : -1;
  if (s < 0) {
    // One path per end, for its checks and its position (neither changes it).
    const epPaths: [PathSeg[], PathSeg[]] = [[...linkPath, 'endpoints', 0], [...linkPath, 'endpoints', 1]];
    nodeEndpoint(eps[0], raws[0]!, brief, epPaths[0], 0, ctx);
    nodeEndpoint(eps[1], raws[1]!, brief, epPaths[1], 1, ctx, eps[0]);
    // the keys of {type, endpoints, mtu, ...common(link, pos), endpointPos} in that order, without the spread (every link)
    const veth = { type: 'veth', endpoints: [eps[0], eps[1]], mtu: link.mtu ?? DEFAULT_LINK_MTU } as VethLinkSpec;
    // Before the file's Document exists (fast path), the positions are worked out when read (source-map.ts).
    const lazy = !issues.map.resolved;
    if (lazy) {
      stampLinkPositions(veth, issues.map, linkPath[2] as number);
      linkPosField(veth, 'pos');
    } else veth.pos = issues.map.locateOwn(linkPath);
    if (link.vars) veth.vars = link.vars;
    if (link.labels) veth.labels = link.labels;
    if (lazy) linkPosField(veth, 'endpointPos');
    else veth.endpointPos = [issues.map.locateOwn(epPaths[0]), issues.map.locateOwn(epPaths[1])];
    return veth;
  }
  const pos = issues.map.locateOwn(linkPath);
  const n = 1 - s;
  const ep = eps[n as 0 | 1];
  nodeEndpoint(ep, raws[n]!, brief, [...linkPath, 'endpoints', n], n, ctx);
  const sPath: PathSeg[] = [...linkPath, 'endpoints', s];
  const other = eps[s as 0 | 1];
  const type = special[s]!;
  const ifPath = brief ? sPath : [...sPath, 'interface'];
  if (type === 'macvlan') {
    if (!checkName(other.iface, ifPath, ctx)) return undefined;
    refuseHostAddresses(other, type, brief ? linkPath : sPath, brief, s, ctx);
    return { type, endpoints: [ep], parent: other.iface, mode: 'bridge', ...(link.mtu !== undefined ? { mtu: link.mtu } : {}), ...common(link, pos) };
  }
  if (type === 'mgmt-net') refuseHostAddresses(other, type, brief ? linkPath : sPath, brief, s, ctx);
  const host: HostEnd = { iface: other.iface, ...(other.mac ? { mac: other.mac } : {}), ipv4: type === 'host' ? other.ipv4 : [], ipv6: type === 'host' ? other.ipv6 : [] };
  if (!claimHostIface(host.iface, ifPath, ctx)) return undefined;
  if (type === 'host') checkAddresses(other, raws[s]!, brief, sPath, s, issues, ctx.seen);
  return { type, endpoints: [ep], host, mtu: link.mtu ?? DEFAULT_LINK_MTU, ...common(link, pos) };
}

/** The special end a pair endpoint names: any brief `host:`/`mgmt-net:`/`macvlan:`, or an extended end on node `host`. */
function specialEnd(ep: LinkEndpoint, raw: string | RawEndpoint, ctx: Ctx): SpecialEnd | undefined {
  const name = SPECIAL_ENDS.find((x) => x === ep.node);
  if (!name) return undefined;
  if (typeof raw === 'string') return name;
  // containerlab resolves an extended veth end on "host" against its implicit host node.
  return name === 'host' && !ctx.nodes.has('host') ? 'host' : undefined;
}

function refuseHostAddresses(ep: LinkEndpoint, type: SpecialEnd, path: PathSeg[], brief: boolean, j: number, ctx: Ctx): void {
  for (const fam of ['ipv4', 'ipv6'] as const) {
    if (ep[fam].length) ctx.issues.add(brief ? [...path, fam, j] : [...path, fam], `the ${type} end takes no address (it is ${type === 'macvlan' ? "the host's parent interface" : 'a port of the management bridge'}); set ${fam} on the node's end only`);
  }
}

/** `type: host|mgmt-net|macvlan|dummy|vxlan|vxlan-stitch` with `endpoint:`. */
function singleLink(link: RawLink, linkPath: PathSeg[], ctx: Ctx): SingleEndpointLinkSpec | undefined {
  const raw = link.endpoint!;
  const epPath: PathSeg[] = [...linkPath, 'endpoint'];
  const ep = toEndpoint(raw, undefined, 0);
  nodeEndpoint(ep, raw, false, epPath, 0, ctx);
  const pos = ctx.issues.map.locate(linkPath);
  const hostIfPath: PathSeg[] = [...linkPath, 'host-interface'];
  switch (link.type) {
    case 'host':
    case 'mgmt-net': {
      const iface = link['host-interface']!;
      if (!checkName(iface, hostIfPath, ctx) || !claimHostIface(iface, hostIfPath, ctx)) return undefined;
      return { type: link.type, endpoints: [ep], host: { iface, ipv4: [], ipv6: [] }, mtu: link.mtu ?? DEFAULT_LINK_MTU, ...common(link, pos) };
    }
    case 'macvlan': {
      const parent = link['host-interface']!;
      if (!checkName(parent, hostIfPath, ctx)) return undefined;
      return { type: 'macvlan', endpoints: [ep], parent, mode: link.mode ?? 'bridge', ...(link.mtu !== undefined ? { mtu: link.mtu } : {}), ...common(link, pos) };
    }
    case 'dummy':
      return { type: 'dummy', endpoints: [ep], mtu: link.mtu ?? DEFAULT_LINK_MTU, ...common(link, pos) };
    case 'vxlan':
    case 'vxlan-stitch': {
      const remote = link.remote!;
      const err = checkRemote(remote);
      if (err) ctx.issues.add([...linkPath, 'remote'], err);
      const parent = link['parent-interface'];
      if (parent !== undefined && !checkName(parent, [...linkPath, 'parent-interface'], ctx)) return undefined;
      const dstPort = link['dst-port'] ?? link['udp-port'] ?? DEFAULT_VXLAN_PORT;
      if (link['dst-port'] !== undefined && link['udp-port'] !== undefined && link['dst-port'] !== link['udp-port']) {
        ctx.issues.add([...linkPath, 'udp-port'], `udp-port (${link['udp-port']}) is the old name of dst-port (${link['dst-port']}); give one of them`, 'key');
      }
      return {
        type: link.type,
        endpoints: [ep],
        remote,
        vni: link.vni!,
        dstPort,
        ...(link['src-port'] !== undefined ? { srcPort: link['src-port'] } : {}),
        ...(parent !== undefined ? { parent } : {}),
        ...(link.mtu !== undefined ? { mtu: link.mtu } : {}),
        ...common(link, pos),
      };
    }
    default:
      return undefined; // the schema has already refused any other type
  }
}

function checkName(iface: string, path: PathSeg[], ctx: Ctx): boolean {
  const err = checkIfaceName(iface);
  if (err) ctx.issues.add(path, err);
  return !err;
}

/** A host-namespace interface this lab creates: its name must be unique in the topology. */
function claimHostIface(iface: string, path: PathSeg[], ctx: Ctx): boolean {
  const first = ctx.hostUsed.get(iface);
  if (first) {
    ctx.issues.add(path, `host interface "${iface}" is already created by ${formatPath(first)} (line ${ctx.issues.map.locate(first).line})`);
    return false;
  }
  ctx.hostUsed.set(iface, path);
  return true;
}

/** Checks a node's end of any link: the node exists and has a netns, the name is free in it, addresses are sane. */
function nodeEndpoint(ep: LinkEndpoint, raw: string | RawEndpoint, brief: boolean, epPath: PathSeg[], j: number, ctx: Ctx, peer?: LinkEndpoint): void {
  const { issues, nodes } = ctx;
  const nodePath = brief ? epPath : [...epPath, 'node'];
  const ifacePath = brief ? epPath : [...epPath, 'interface'];
  const node = nodes.get(ep.node);
  if (!node) {
    issues.addRef(nodePath, `node "${ep.node}" is not defined${didYouMean(ep.node, nodes.keys())} (nodes: ${ctx.nodeList})`);
  } else if (node.networkMode.type === 'host') {
    issues.add(nodePath, `node "${ep.node}" uses network-mode host: it has no network namespace of its own to put a link in`);
  }
  const ifaceErr = checkIfaceName(ep.iface);
  if (ifaceErr) issues.add(ifacePath, ifaceErr);
  else if (ep.iface === 'lo') issues.add(ifacePath, '"lo" is the loopback interface and cannot be a link endpoint');
  else if (ep.iface === 'eth0' && node?.networkMode.type === 'bridge') {
    issues.add(ifacePath, `eth0 is the management interface of node "${ep.node}"; use eth1 or another name (or network-mode: none)`);
  }
  if (peer && peer.node === ep.node && peer.iface === ep.iface) {
    issues.add(epPath, `both endpoints of the link are "${ep.node}:${ep.iface}"`);
  } else if (node && !ifaceErr) {
    const owner = netnsOwner(ep.node, nodes);
    let ifaces = ctx.used.get(owner);
    if (!ifaces) ctx.used.set(owner, (ifaces = new Map()));
    const first = ifaces.get(ep.iface);
    if (first) {
      const shared = owner === ep.node ? '' : ` (node "${ep.node}" shares the network namespace of "${owner}")`;
      issues.add(ifacePath, `interface "${ep.iface}" of node "${ep.node}" is already used by ${formatPath(first)} (line ${issues.map.locate(first).line})${shared}`);
    } else {
      ifaces.set(ep.iface, epPath);
    }
  }
  checkAddresses(ep, raw, brief, epPath, j, issues, ctx.seen);
}

/** An endpoint without addresses (most of them) shares this list: it is read only. */
const NO_ADDRESSES = Object.freeze([]) as unknown as string[];

const list = (v: string | string[] | undefined): string[] => (v === undefined ? NO_ADDRESSES : Array.isArray(v) ? [...v] : [v]);

function toEndpoint(raw: string | RawEndpoint, briefLink: RawLink | undefined, j: number): LinkEndpoint {
  if (typeof raw === 'string') {
    const idx = raw.indexOf(':');
    const v4 = briefLink?.ipv4?.[j];
    const v6 = briefLink?.ipv6?.[j];
    return { node: raw.slice(0, idx), iface: raw.slice(idx + 1), ipv4: list(v4 || undefined), ipv6: list(v6 || undefined) };
  }
  return {
    node: raw.node,
    iface: raw.interface,
    ...(raw.mac ? { mac: raw.mac } : {}),
    ipv4: list(raw.ipv4),
    ipv6: list(raw.ipv6),
    ...(raw.vars ? { vars: raw.vars } : {}),
  };
}

/** Follows network-mode container:<node> chains to the node owning the netns (cycles stop at a repeat). */
export function netnsOwner(name: string, nodes: Map<string, NodeSpec>): string {
  if (nodes.get(name)?.networkMode.type !== 'container') return name;
  const seen = new Set<string>();
  let cur = name;
  for (;;) {
    const mode = nodes.get(cur)?.networkMode;
    if (mode?.type !== 'container' || !mode.node || !nodes.has(mode.node) || seen.has(mode.node)) return cur;
    seen.add(cur);
    cur = mode.node;
  }
}
