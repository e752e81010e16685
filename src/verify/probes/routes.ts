/**
 * One route as each source prints it, parsed into one shape: FRR (`show ip route PREFIX json`),
 * the kernel (`ip -j route show PREFIX`), BIRD (`birdc show route PREFIX all`), GoBGP
 * (`gobgp global rib -j PREFIX`) and our agent (`lab-agent rib --json`). Pure functions.
 */

export interface NextHop {
  address?: string;
  iface?: string;
}

export interface Route {
  prefix: string;
  protocol?: string;
  nexthops: NextHop[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function hop(address: unknown, iface: unknown): NextHop {
  const a = str(address);
  const i = str(iface);
  return { ...(a ? { address: a } : {}), ...(i ? { iface: i } : {}) };
}

/** FRR: the selected entry for exactly `prefix`, with its active next hops. */
export function parseFrrRoute(stdout: string, prefix: string): Route | undefined {
  const data = JSON.parse(stdout || '{}') as unknown;
  if (!isObj(data)) return undefined;
  const entries = (data[prefix] ?? []) as unknown[];
  const list = entries.filter(isObj);
  const best = list.find((e) => e['selected'] === true) ?? list[0];
  if (!best) return undefined;
  const hops = (Array.isArray(best['nexthops']) ? best['nexthops'] : []).filter(isObj);
  const active = hops.filter((h) => h['active'] === true || h['fib'] === true);
  return {
    prefix,
    ...(str(best['protocol']) ? { protocol: str(best['protocol']) } : {}),
    nexthops: (active.length > 0 ? active : hops).map((h) => (h['unreachable'] || h['blackhole'] ? { iface: 'blackhole' } : hop(h['ip'], h['interfaceName']))),
  };
}

/** Linux: `ip -j route show PREFIX` (main table); multipath routes list `nexthops`. */
export function parseKernelRoute(stdout: string, prefix: string): Route | undefined {
  const data = JSON.parse(stdout || '[]') as unknown;
  if (!Array.isArray(data)) return undefined;
  const r = data.filter(isObj).find((e) => e['dst'] === prefix || (e['dst'] === 'default' && /^(0\.0\.0\.0\/0|::\/0)$/.test(prefix)) || `${String(e['dst'])}/32` === prefix);
  if (!r) return undefined;
  const gw = (e: Obj) => e['gateway'] ?? (isObj(e['via']) ? (e['via'] as Obj)['host'] : undefined);
  const hops = Array.isArray(r['nexthops']) ? (r['nexthops'] as unknown[]).filter(isObj).map((h) => hop(gw(h), h['dev'])) : [r['type'] === 'blackhole' ? { iface: 'blackhole' } : hop(gw(r), r['dev'])];
  return { prefix, ...(str(r['protocol']) ? { protocol: str(r['protocol']) } : {}), nexthops: hops };
}

/** BIRD 2: the preferred (`*`) route for `prefix` and its `via` lines. */
export function parseBirdRoute(stdout: string, prefix: string): Route | undefined {
  const lines = stdout.split('\n');
  let inPrefix = false;
  let chosen: Route | undefined;
  let collecting: Route | undefined;
  for (const line of lines) {
    const entry = /^(\S+)?\s+(unicast|blackhole|unreachable|prohibit)\s+\[(\S+)[^\]]*\]\s*(\*)?/.exec(line);
    if (entry) {
      if (entry[1]) inPrefix = entry[1] === prefix;
      collecting = undefined;
      if (!inPrefix) continue;
      const r: Route = { prefix, protocol: entry[3]!, nexthops: entry[2] === 'unicast' ? [] : [{ iface: entry[2]! }] };
      if (entry[4] || !chosen) {
        if (entry[4] || !chosen) chosen = r;
        collecting = r;
      }
      continue;
    }
    if (/^\S/.test(line) && !/^\s/.test(line)) {
      if (!line.startsWith('Table')) inPrefix = false;
      collecting = undefined;
      continue;
    }
    const via = /^\s+via\s+(\S+)(?:\s+on\s+(\S+))?/.exec(line);
    if (via && collecting) collecting.nexthops.push(hop(via[1], via[2]));
    const dev = /^\s+dev\s+(\S+)/.exec(line);
    if (dev && collecting) collecting.nexthops.push({ iface: dev[1]! });
  }
  return chosen;
}

/** GoBGP: paths for `prefix` in `gobgp global rib -j [PREFIX]`; next hops of the best paths. */
export function parseGobgpRib(stdout: string, prefix: string): Route | undefined {
  const data = JSON.parse(stdout || '{}') as unknown;
  if (!isObj(data)) return undefined;
  const paths = ((data[prefix] ?? []) as unknown[]).filter(isObj);
  if (paths.length === 0) return undefined;
  const best = paths.filter((p) => p['best'] === true);
  const nh = (p: Obj): NextHop => {
    const attrs = (Array.isArray(p['attrs']) ? p['attrs'] : []).filter(isObj);
    const a = attrs.find((x) => x['type'] === 3 || x['type'] === 14);
    return hop(a?.['nexthop'], undefined);
  };
  return { prefix, protocol: 'bgp', nexthops: (best.length > 0 ? best : paths).map(nh) };
}

/** Our agent: `lab-agent rib --json` (contract: routes[] with prefix, nextHop, best). */
export function parseAgentRib(stdout: string, prefix: string): Route | undefined {
  const data = JSON.parse(stdout || '{}') as unknown;
  if (!isObj(data) || !Array.isArray(data['routes'])) return undefined;
  const routes = (data['routes'] as unknown[]).filter(isObj).filter((r) => r['prefix'] === prefix);
  if (routes.length === 0) return undefined;
  const best = routes.filter((r) => r['best'] === true);
  return { prefix, protocol: 'bgp', nexthops: (best.length > 0 ? best : routes).map((r) => hop(r['nextHop'], undefined)) };
}

/** A BGP path's attributes the checks compare: AS path (ASNs separated by spaces, '' for a local route) and standard communities (`65000:1`). */
export interface BgpAttrs {
  aspath: string;
  communities: string[];
}

/** FRR: `show bgp ipv4 unicast PREFIX json`: the best path's AS path and communities. */
export function parseFrrBgpAttrs(stdout: string): BgpAttrs | undefined {
  const data = JSON.parse(stdout || '{}') as unknown;
  if (!isObj(data) || !Array.isArray(data['paths'])) return undefined;
  const paths = (data['paths'] as unknown[]).filter(isObj);
  const best = paths.find((p) => isObj(p['bestpath']) && (p['bestpath'] as Obj)['overall'] === true) ?? paths[0];
  if (!best) return undefined;
  const asp = isObj(best['aspath']) ? str((best['aspath'] as Obj)['string']) : undefined;
  const com = isObj(best['community']) ? str((best['community'] as Obj)['string']) : undefined;
  return { aspath: asp === 'Local' || asp === undefined ? '' : asp, communities: com ? com.split(/\s+/) : [] };
}

/** BIRD 2: the preferred route's `BGP.as_path` and `BGP.community` lines in `show route PREFIX all`. */
export function parseBirdBgpAttrs(stdout: string, prefix: string): BgpAttrs | undefined {
  let inPrefix = false;
  let chosen = false;
  let seen = false;
  const out: BgpAttrs = { aspath: '', communities: [] };
  for (const line of stdout.split('\n')) {
    const entry = /^(\S+)?\s+(unicast|blackhole|unreachable|prohibit)\s+\[[^\]]*\]\s*(\*)?/.exec(line);
    if (entry) {
      if (entry[1]) inPrefix = entry[1] === prefix;
      chosen = inPrefix && (!!entry[3] || !seen);
      if (chosen) {
        seen = true;
        out.aspath = '';
        out.communities = [];
      }
      continue;
    }
    if (!chosen) continue;
    const asp = /^\s+BGP\.as_path:\s*(.*)$/.exec(line);
    if (asp) out.aspath = asp[1]!.trim();
    const com = /^\s+BGP\.community:\s*(.*)$/.exec(line);
    if (com) out.communities = [...com[1]!.matchAll(/\((\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`);
  }
  return seen ? out : undefined;
}

/** GoBGP: the best path's AS_PATH (type 2) and COMMUNITIES (type 8, 32-bit values) in `gobgp global rib -j PREFIX`. */
export function parseGobgpAttrs(stdout: string, prefix: string): BgpAttrs | undefined {
  const data = JSON.parse(stdout || '{}') as unknown;
  if (!isObj(data)) return undefined;
  const paths = ((data[prefix] ?? []) as unknown[]).filter(isObj);
  const best = paths.find((p) => p['best'] === true) ?? paths[0];
  if (!best) return undefined;
  const attrs = (Array.isArray(best['attrs']) ? best['attrs'] : []).filter(isObj);
  const asp = attrs.find((a) => a['type'] === 2);
  const segs = asp && Array.isArray(asp['as_paths']) ? (asp['as_paths'] as unknown[]).filter(isObj) : [];
  const aspath = segs.flatMap((s) => (Array.isArray(s['asns']) ? (s['asns'] as unknown[]).map(String) : [])).join(' ');
  const com = attrs.find((a) => a['type'] === 8);
  const communities = com && Array.isArray(com['communities']) ? (com['communities'] as unknown[]).filter((c): c is number => typeof c === 'number').map((c) => `${Math.floor(c / 65536)}:${c % 65536}`) : [];
  return { aspath, communities };
}
