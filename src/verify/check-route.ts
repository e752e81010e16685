/** route checks: a prefix present or absent on a node, its next hops and ECMP width. */
import type { EvidenceLog, LabContext } from './context.js';
import { bgpSource, type Outcome } from './check-bgp.js';
import { looksLikeRef } from './cluster.js';
import { familyOf, isAddress } from './net.js';
import { parseAgentRib, parseBirdBgpAttrs, parseBirdRoute, parseFrrBgpAttrs, parseFrrRoute, parseGobgpAttrs, parseGobgpRib, parseKernelRoute, type BgpAttrs, type NextHop, type Route } from './probes/routes.js';
import type { RouteExpectation, RouteSource } from './types.js';
import { KindlabError } from '../errors.js';

type Concrete = Exclude<RouteSource, 'auto'>;

function command(source: Concrete, prefix: string): { argv: string[]; parse: (s: string, p: string) => Route | undefined } {
  const v6 = familyOf(prefix) === 6;
  switch (source) {
    case 'frr':
      return { argv: ['vtysh', '-c', `show ${v6 ? 'ipv6' : 'ip'} route ${prefix} json`], parse: parseFrrRoute };
    case 'bird':
      return { argv: ['birdc', 'show', 'route', prefix, 'all'], parse: parseBirdRoute };
    case 'gobgp':
      return { argv: ['gobgp', 'global', 'rib', '-j', ...(v6 ? ['-a', 'ipv6'] : []), prefix], parse: parseGobgpRib };
    case 'agent':
      return { argv: ['lab-agent', 'rib', '--json', '--family', v6 ? 'ipv6' : 'ipv4'], parse: parseAgentRib };
    case 'kernel':
      return { argv: ['ip', '-j', ...(v6 ? ['-6'] : []), 'route', 'show', prefix], parse: parseKernelRoute };
  }
}

/** Does next hop `h` (of a route on `node`) match the expected entry (node, address or interface)? */
async function hopMatches(ctx: LabContext, node: string, h: NextHop, want: string): Promise<boolean> {
  if (isAddress(want)) return h.address === want;
  if (ctx.plan.nodes.some((n) => n.name === want)) {
    if (h.iface && ctx.peerAcross(node, h.iface) === want) return true;
    return !!h.address && (await ctx.addresses(want)).some((a) => a.address === h.address);
  }
  return h.iface === want;
}

async function showHop(ctx: LabContext, node: string, h: NextHop): Promise<string> {
  const across = h.iface ? ctx.peerAcross(node, h.iface) : undefined;
  const owner = across ?? (h.address && !h.address.startsWith('fe80:') ? await ctx.nodeOf(h.address) : undefined);
  return [h.address ? `via ${h.address}` : '', h.iface ? `dev ${h.iface}` : '', owner ? `(${owner})` : ''].filter(Boolean).join(' ');
}

/** The prefix to look up: as written, or a pod's IP / Service's ClusterIP (`pod/…`, `svc/…`) as a host route. */
async function prefixOf(ctx: LabContext, prefix: string): Promise<{ prefix: string; shown: string }> {
  if (!looksLikeRef(prefix)) return { prefix, shown: prefix };
  const ip = await ctx.objectAddress(prefix);
  const host = `${ip}/${familyOf(ip) === 6 ? 128 : 32}`;
  return { prefix: host, shown: `${host} (${prefix})` };
}

/** The best BGP path's attributes, from the same source the route was read from (FRR asks bgpd). */
async function bgpAttrs(ctx: LabContext, log: EvidenceLog, node: string, source: Concrete, prefix: string, routeOut: string): Promise<BgpAttrs | undefined> {
  if (source === 'bird') return parseBirdBgpAttrs(routeOut, prefix);
  if (source === 'gobgp') return parseGobgpAttrs(routeOut, prefix);
  if (source !== 'frr') throw new KindlabError('VERIFY', `communities and AS paths are read from FRR, BIRD or GoBGP, and ${node}'s routes come from ${source}`);
  const r = await ctx.query(log, node, ['vtysh', '-c', `show bgp ${familyOf(prefix) === 6 ? 'ipv6' : 'ipv4'} unicast ${prefix} json`]);
  if (r.exitCode !== 0) throw new KindlabError('VERIFY', `vtysh failed (exit ${r.exitCode})`);
  return parseFrrBgpAttrs(r.stdout);
}

/** Does the best path carry the expected communities and AS path? undefined: yes; else why not. */
export function attrsProblem(e: Pick<RouteExpectation, 'communities' | 'aspath'>, a: BgpAttrs | undefined): string | undefined {
  if (!a) return 'no BGP path for it';
  const missing = (e.communities ?? []).filter((c) => !a.communities.includes(c));
  if (missing.length) return `communities ${a.communities.length ? a.communities.join(' ') : '(none)'}, missing ${missing.join(' ')}`;
  const norm = (s: string) => s.trim().split(/\s+/).filter(Boolean).join(' ');
  if (e.aspath !== undefined && norm(e.aspath) !== norm(a.aspath)) return `AS path "${a.aspath}", expected "${norm(e.aspath)}"`;
  return undefined;
}

export async function checkRoute(ctx: LabContext, log: EvidenceLog, e: RouteExpectation): Promise<Outcome> {
  const source: Concrete = e.source === 'kernel' ? 'kernel' : ((await bgpSource(ctx, e.node, e.source === 'auto' ? 'auto' : e.source)) ?? 'kernel');
  const { prefix, shown: name } = await prefixOf(ctx, e.prefix);
  const cmd = command(source, prefix);
  const r = await ctx.query(log, e.node, cmd.argv);
  if (r.exitCode !== 0) throw new KindlabError('VERIFY', `${cmd.argv[0]} failed (exit ${r.exitCode})`);
  const route = cmd.parse(r.stdout, prefix);
  if (!e.present) return route ? { passed: false, detail: `${source}: ${name} is present (${route.protocol ?? '?'}), expected absent` } : { passed: true, detail: `${source}: no route to ${name}` };
  if (!route) return { passed: false, detail: `${source}: no route to ${name}` };
  const shown = (await Promise.all(route.nexthops.map((h) => showHop(ctx, e.node, h)))).join(', ');
  const head = `${source}: ${name}${route.protocol ? ` (${route.protocol})` : ''} ${shown}`;
  for (const want of e.nexthops ?? []) {
    const ok = await Promise.all(route.nexthops.map((h) => hopMatches(ctx, e.node, h, want)));
    if (!ok.includes(true)) return { passed: false, detail: `${head}; no next hop via ${want}` };
  }
  if (e.ecmp !== undefined && route.nexthops.length !== e.ecmp) return { passed: false, detail: `${head}; ${route.nexthops.length} next hops, expected ECMP width ${e.ecmp}` };
  if (e.communities || e.aspath !== undefined) {
    const a = await bgpAttrs(ctx, log, e.node, source, prefix, r.stdout);
    const problem = attrsProblem(e, a);
    if (problem) return { passed: false, detail: `${head}; ${problem}` };
    return { passed: true, detail: `${head}; AS path "${a!.aspath}"${a!.communities.length ? `, communities ${a!.communities.join(' ')}` : ''}` };
  }
  return { passed: true, detail: head };
}
