/**
 * Which host (Docker engine) runs each node. Pure.
 * A node's `host:` (on the node, its group, its kind or the defaults) is obeyed. The others are
 * spread by node count, unit by unit, each unit to the host with the fewest nodes so far:
 * a group (a rack) is one unit and follows a member that is pinned; the embedded cluster's nodes
 * are one unit when none of them is pinned (the management network spans engines, so a pinned
 * member does not pull the others); a node sharing another's network namespace always runs where
 * that node runs, and pinning it pins that node (the article's servers name their kind node's rack).
 */
import type { HostSpec } from './types.js';

export interface PlacementNode {
  name: string;
  host?: string;
  group?: string;
  /** The node whose netns this one shares (itself when none). */
  netnsOwner: string;
  /** Part of the embedded cluster. */
  cluster?: boolean;
}

export function placeNodes(nodes: PlacementNode[], hosts: Pick<HostSpec, 'name'>[]): Map<string, string> {
  const out = new Map<string, string>();
  if (hosts.length === 0) return out;
  const load = new Map(hosts.map((h) => [h.name, 0]));
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const unitOf = (n: PlacementNode): string => {
    const owner = byName.get(n.netnsOwner) ?? n;
    if (owner.group !== undefined) return `group:${owner.group}`;
    if (owner.cluster) return 'cluster';
    return `node:${owner.name}`;
  };
  const units = new Map<string, PlacementNode[]>();
  for (const n of nodes) {
    const u = unitOf(n);
    units.set(u, [...(units.get(u) ?? []), n]);
  }
  // a sharer's host: pins its netns owner (the owner's own host: wins; plan.ts reports a clash)
  const pin = new Map<string, string>();
  for (const n of nodes) if (n.host !== undefined) pin.set(n.name, n.host);
  for (const n of nodes) {
    const owner = byName.get(n.netnsOwner);
    if (n.host !== undefined && owner && owner !== n && !pin.has(owner.name)) pin.set(owner.name, n.host);
  }
  // pinned nodes first; a group follows its first pinned member, the cluster unit only when nothing pins its members apart
  const unitHost = new Map<string, string>();
  for (const n of nodes) {
    const h = pin.get(n.name);
    if (h === undefined) continue;
    out.set(n.name, h);
    load.set(h, (load.get(h) ?? 0) + 1);
    const u = unitOf(n);
    if (!unitHost.has(u)) unitHost.set(u, h);
  }
  // biggest units first, so the small ones even out the count (stable: file order breaks ties)
  const order = [...units.entries()].map(([u, members], i) => ({ u, members, i })).sort((a, b) => b.members.length - a.members.length || a.i - b.i);
  for (const { u, members } of order) {
    const free = members.filter((m) => !out.has(m.name));
    if (free.length === 0) continue;
    let host = unitHost.get(u);
    if (host === undefined) {
      host = hosts[0]!.name;
      for (const h of hosts) if (load.get(h.name)! < load.get(host)!) host = h.name;
    }
    for (const m of free) out.set(m.name, host);
    load.set(host, load.get(host)! + free.length);
  }
  // a netns sharer runs where its owner runs, whatever was asked (checked by normalize)
  for (const n of nodes) {
    const owner = byName.get(n.netnsOwner);
    if (owner && owner !== n && out.has(owner.name)) out.set(n.name, out.get(owner.name)!);
  }
  return out;
}
