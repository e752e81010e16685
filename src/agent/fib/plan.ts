/**
 * Pure FIB planning: from the routes we want (prefix → ECMP next hops) and the routes we installed, the
 * `ip -batch` lines that get the kernel there. Our routes carry their own protocol number (186) so we only ever
 * touch our own, and `ip route flush proto 186` removes them all.
 */
export const FIB_PROTO = 186;

export type FibTable = Map<string, string[]>;

const same = (a: string[] | undefined, b: string[]) => !!a && a.length === b.length && a.every((x, i) => x === b[i]);

export function routeLine(prefix: string, hops: string[], proto = FIB_PROTO): string {
  // No per-line `-6` in batch mode: the kernel takes the family from the prefix.
  if (hops.length === 1) return `route replace ${prefix} proto ${proto} via ${hops[0]}`;
  return `route replace ${prefix} proto ${proto} ${hops.map((h) => `nexthop via ${h}`).join(' ')}`;
}

export function deleteLine(prefix: string, proto = FIB_PROTO): string {
  return `route del ${prefix} proto ${proto}`;
}

/** Lines to move the kernel from `installed` to `wanted`; next hops are compared order-insensitively. */
export function planFib(installed: FibTable, wanted: FibTable, proto = FIB_PROTO): string[] {
  const lines: string[] = [];
  for (const [prefix, hops] of wanted) {
    const h = [...hops].sort();
    if (h.length === 0) continue;
    if (!same(installed.get(prefix) && [...installed.get(prefix)!].sort(), h)) lines.push(routeLine(prefix, h, proto));
  }
  for (const prefix of installed.keys()) if (!wanted.get(prefix)?.length) lines.push(deleteLine(prefix, proto));
  return lines;
}

/** Our routes as the kernel lists them (`ip -j route show proto N`): prefix → sorted next hops. */
export function parseKernelRoutes(json: string): FibTable {
  const rows = JSON.parse(json.trim() || '[]') as Array<{ dst?: string; gateway?: string; nexthops?: Array<{ gateway?: string }> }>;
  const out: FibTable = new Map();
  for (const r of rows) {
    if (!r.dst || r.dst === 'default') continue;
    // The kernel prints host routes without their length; our tables always carry it.
    const prefix = r.dst.includes('/') ? r.dst : `${r.dst}/${r.dst.includes(':') ? 128 : 32}`;
    const hops = (r.nexthops?.map((h) => h.gateway) ?? [r.gateway]).filter((h): h is string => !!h).sort();
    if (hops.length) out.set(prefix, hops);
  }
  return out;
}

/**
 * After a graceful restart the routes the previous run left in the kernel stay (forwarding preserved, RFC 4724)
 * until the peers' End-of-RIB: `wanted` plus every retained route not (yet) relearned.
 */
export function withRetained(wanted: FibTable, retained: FibTable): FibTable {
  const out: FibTable = new Map(wanted);
  for (const [p, h] of retained) if (!out.get(p)?.length) out.set(p, h);
  return out;
}
