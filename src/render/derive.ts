/**
 * From intent to a routed fabric: ASNs, router IDs/loopbacks, link addresses, BGP sessions
 * (one per link between routers, one per router–Kubernetes node link) and the attachments of
 * the cluster's nodes. Pure; positioned errors for an ASN out of range, an exhausted pool, a
 * loopback collision or an unnumbered link to a daemon that cannot do it.
 */
import type { LabPlan, LinkSpec, NodeSpec, VethLinkSpec } from '../topology/index.js';
import type { IntentIssues } from './issues.js';
import { addrPlus, networkOf, Pool } from './pools.js';
import type { ClusterAttachment, LinkAddress, RouterIntent, RoutingDefaults, Session } from './types.js';

export interface Fabric {
  routers: Map<string, RouterIntent & { asn: number; routerId: string; loopback: string }>;
  addresses: LinkAddress[];
  sessions: Session[];
  attachments: ClusterAttachment[];
  /** Addressing and default route of hosts (non-router, non-cluster nodes) on access links. */
  hostExec: Record<string, string[]>;
}

const DEFAULT_LOOPBACKS = '10.0.0.0/24';

function assignAsns(routers: RouterIntent[], d: RoutingDefaults | undefined, issues: IntentIssues): Map<string, number> {
  const counters = new Map<string, number>();
  const out = new Map<string, number>();
  for (const r of routers) {
    if (r.asn !== undefined) {
      out.set(r.node, r.asn);
      continue;
    }
    const scheme = d?.asns[r.role] ?? d?.asns['*'];
    if (!scheme) {
      issues.add(['topology', 'nodes', r.node, 'bgp'], `router ${r.node} has no ASN: set bgp.asn, or routing.asns.${r.role}`, r.pos);
      continue;
    }
    if ('fixed' in scheme) out.set(r.node, scheme.fixed);
    else {
      const n = counters.get(r.role) ?? scheme.start;
      if (n > 4294967295) issues.add(['routing', 'asns', r.role], `ASN scheme for ${r.role} runs past 4294967295`);
      counters.set(r.role, n + 1);
      out.set(r.node, n);
    }
  }
  return out;
}

function assignLoopbacks(routers: RouterIntent[], d: RoutingDefaults | undefined, issues: IntentIssues): Map<string, string> {
  const out = new Map<string, string>();
  const pool = new Pool(d?.loopbacks || DEFAULT_LOOPBACKS, 32);
  const owner = new Map<string, string>();
  for (const r of routers) {
    const lo = r.loopback ?? r.routerId;
    if (!lo) continue;
    if (owner.has(lo)) issues.add(['topology', 'nodes', r.node, 'bgp', r.loopback ? 'loopback' : 'router-id'], `loopback ${lo} of ${r.node} is already ${owner.get(lo)}'s`, r.pos);
    owner.set(lo, r.node);
    pool.reserve(lo);
    out.set(r.node, lo);
  }
  for (const r of routers) {
    if (out.has(r.node)) continue;
    const lo = pool.take();
    if (!lo) {
      issues.add(['routing', 'loopbacks'], `loopback pool ${d?.loopbacks || DEFAULT_LOOPBACKS} is exhausted at router ${r.node} (${routers.length} routers)`);
      continue;
    }
    out.set(r.node, lo);
  }
  return out;
}

/** The Kubernetes node whose netns a topology node lives in, if any. */
function k8sOwner(n: NodeSpec, byName: Map<string, NodeSpec>): NodeSpec | undefined {
  if (n.k8s) return n;
  const m = n.networkMode;
  const target = m.type === 'container' && m.node ? byName.get(m.node) : undefined;
  return target?.k8s ? target : undefined;
}

export function deriveFabric(spec: LabPlan, intents: RouterIntent[], d: RoutingDefaults | undefined, issues: IntentIssues): Fabric {
  const asns = assignAsns(intents, d, issues);
  const los = assignLoopbacks(intents, d, issues);
  const routers: Fabric['routers'] = new Map();
  for (const r of intents) {
    const asn = asns.get(r.node);
    const lo = los.get(r.node);
    if (asn !== undefined && lo) routers.set(r.node, { ...r, asn, routerId: r.routerId ?? lo, loopback: lo });
  }
  const byName = new Map(spec.nodes.map((n) => [n.name, n]));
  const unnumbered = !!d && 'unnumbered' in d.links;
  const fabricPool = unnumbered ? undefined : new Pool(d && 'pool' in d.links ? d.links.pool : '10.255.0.0/16', 31);
  const access = new Pool(d?.access ?? '10.0.1.0/24', 24);
  // Reserve what the user addressed by hand, so pools never hand it out again.
  for (const l of spec.links) for (const e of l.endpoints) for (const c of e.ipv4) {
    fabricPool?.reserve(c.split('/')[0]!);
    access.reserve(c.split('/')[0]!);
  }
  for (const n of spec.nodes) if (n.k8s?.nodeIP) access.reserve(n.k8s.nodeIP);

  const out: Fabric = { routers, addresses: [], sessions: [], attachments: [], hostExec: {} };
  spec.links.forEach((l: LinkSpec, i) => {
    if (l.type !== 'veth') return;
    const [a, z] = l.endpoints;
    const ra = routers.get(a.node);
    const rz = routers.get(z.node);
    const at = ['topology', 'links', i];
    if (ra && rz) return fabricLink(out, l, ra, rz, unnumbered, fabricPool, issues, at);
    const r = ra ?? rz;
    if (!r) return;
    const [re, he] = ra ? [a, z] : [z, a];
    const host = byName.get(he.node);
    if (!host) return;
    const k8s = k8sOwner(host, byName);
    const given = he.ipv4[0]?.split('/');
    let hostAddr = given?.[0] ?? k8s?.k8s?.nodeIP;
    const len = given ? Number(given[1]) : 24;
    let routerAddr = re.ipv4[0]?.split('/')[0];
    if (!hostAddr) {
      const net = access.take();
      if (!net) return issues.add(['routing', 'access'], `access pool ${d?.access ?? '10.0.1.0/24'} is exhausted at link ${a.node}:${a.iface} – ${z.node}:${z.iface}`, l.pos);
      hostAddr = addrPlus(net, 2);
      routerAddr ??= addrPlus(net, 1);
    }
    routerAddr ??= addrPlus(networkOf(hostAddr, len), hostAddr.endsWith('.1') ? 2 : 1);
    if (!re.ipv4.length) out.addresses.push({ node: r.node, iface: re.iface, cidr: `${routerAddr}/${len}` });
    if (k8s?.k8s) {
      const nodeAsn = d?.clusterAsn ?? r.asn;
      out.attachments.push({ k8sNode: k8s.k8s.nodeName, via: host.name, tor: r.node, torAddress: routerAddr, nodeAddress: hostAddr, prefixLength: len, iface: he.iface, nodeAsn });
      out.sessions.push({ kind: 'cluster', local: r.node, peer: k8s.name, localAsn: r.asn, peerAsn: nodeAsn, peerAddress: hostAddr, iface: re.iface, ...(r.password ? { password: r.password } : {}), bfd: r.bfd });
    }
    if (!he.ipv4.length) {
      const lines = (out.hostExec[host.name] ??= []);
      lines.push(`ip addr add ${hostAddr}/${len} dev ${he.iface}`, `ip route replace default via ${routerAddr}`);
    }
  });
  return out;
}

function fabricLink(out: Fabric, l: VethLinkSpec, ra: RouterIntent & { asn: number }, rz: RouterIntent & { asn: number }, unnumbered: boolean, pool: Pool | undefined, issues: IntentIssues, at: (string | number)[]): void {
  const [a, z] = l.endpoints;
  let aAddr = a.ipv4[0]?.split('/')[0];
  let zAddr = z.ipv4[0]?.split('/')[0];
  if (!aAddr || !zAddr) {
    if (unnumbered) {
      for (const r of [ra, rz]) if (r.daemon !== 'frr') issues.add(at, `link ${a.node}:${a.iface} – ${z.node}:${z.iface} is unnumbered, which only FRR routers can peer over (${r.node} runs ${r.daemon}): give the link addresses or use a link pool`, l.pos);
    } else {
      const base = pool?.take();
      if (!base) return issues.add(['routing', 'links'], `link pool is exhausted at link ${a.node}:${a.iface} – ${z.node}:${z.iface}`, l.pos);
      aAddr = base;
      zAddr = addrPlus(base, 1);
      out.addresses.push({ node: a.node, iface: a.iface, cidr: `${aAddr}/31` }, { node: z.node, iface: z.iface, cidr: `${zAddr}/31` });
    }
  }
  if (!aAddr || !zAddr) {
    out.addresses.push({ node: a.node, iface: a.iface }, { node: z.node, iface: z.iface });
  }
  const pw = ra.password ?? rz.password;
  const both = (x: typeof ra, y: typeof rz, xe: typeof a, xAddr?: string, yAddr?: string): Session => ({
    kind: 'fabric',
    local: x.node,
    peer: y.node,
    localAsn: x.asn,
    peerAsn: y.asn,
    ...(yAddr ? { peerAddress: yAddr } : {}),
    ...(xAddr ? { localAddress: xAddr } : {}),
    iface: xe.iface,
    ...(pw ? { password: pw } : {}),
    bfd: x.bfd || y.bfd,
  });
  out.sessions.push(both(ra, rz, a, aAddr, zAddr), both(rz, ra, z, zAddr, aAddr));
}
