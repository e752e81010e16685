/**
 * TopologySpec → LabPlan, pure: container names, management addresses, netns owners,
 * dependencies, cycle check, creation waves and the lab directory.
 */
import { join } from 'node:path';
import { TopologyError } from '../errors.js';
import { intToIpv4, ipv4ToInt, lastAddr4, parseNetwork4 } from './net.js';
import { attachSource, sourceOf } from './source-map.js';
import { checkCycles, checkStageCycles, creationWaves, dependencyEdges } from './plan-graph.js';
import { nodeKindFacts } from './node-kinds.js';
import type { LabPlan, NodePlan, NodeSpec, TopologySpec } from './types.js';
import { placeNodes } from './placement.js';
import { extraEngineGateways } from './hosts-mgmt.js';

export interface PlanOptions {
  /** Lab directory; default `<topology dir>/lab-<name>`. */
  labDir?: string;
}

/** Prefix semantics: default `clab` (→ `clab-<lab>-<node>`), `''` → bare node name, `__lab-name` → `<lab>-<node>`. */
export function containerName(prefix: string, lab: string, node: NodeSpec | string): string {
  const n = typeof node === 'string' ? node : node.name;
  if (typeof node !== 'string' && !nodeKindFacts(node.kind)?.managed) return n; // an existing container, named as-is
  if (typeof node !== 'string' && node.k8s) return node.k8s.nodeName; // kind's naming: <cluster>-control-plane, <cluster>-worker2
  if (prefix === '') return n;
  if (prefix === '__lab-name') return `${lab}-${n}`;
  return `${prefix}-${lab}-${n}`;
}

/**
 * The node's directory under the lab directory: its name; a cluster node's follows its Node name
 * (kind's short form in a \`cluster:\` section), which stays when its place in the kind config,
 * and so its topology name, moves (runtime/cluster-node-ids.ts). The same as the name until then.
 */
export function nodeDirName(n: Pick<NodeSpec, 'name' | 'k8s'>): string {
  if (!n.k8s) return n.name;
  const { cluster, nodeName } = n.k8s;
  return n.name.startsWith(`${cluster}-`) || !nodeName.startsWith(`${cluster}-`) ? nodeName : nodeName.slice(cluster.length + 1);
}

export function planLab(t: TopologySpec, opts: PlanOptions = {}): LabPlan {
  const edges = dependencyEdges(t.nodes);
  checkCycles(t.nodes, edges);
  checkStageCycles(t.nodes, edges);
  const mgmtIPs = assignMgmtIPv4(t);
  const byName = new Map(t.nodes.map((n) => [n.name, n]));
  // Each node's dependencies, in edge order (one pass: a filter per node was quadratic).
  const depsOf = new Map<string, Set<string>>();
  for (const e of edges) {
    const set = depsOf.get(e.from);
    if (set) set.add(e.to);
    else depsOf.set(e.from, new Set([e.to]));
  }
  const nodes: NodePlan[] = t.nodes.map((n) => {
    const dependsOn = [...(depsOf.get(n.name) ?? [])];
    const ip = mgmtIPs.get(n.name);
    // {...n, containerName, mgmtIPv4?, dependsOn, netnsOwner} without a conditional spread (an object and a generic copy per node)
    const p = { ...n, containerName: containerName(t.prefix, t.name, n) } as NodePlan;
    if (ip !== undefined) p.mgmtIPv4 = ip;
    p.dependsOn = dependsOn;
    p.netnsOwner = ownerOf(n, byName);
    return p;
  });
  if (t.hosts) placeOnHosts(t, nodes);
  const plan: LabPlan = {
    name: t.name,
    prefix: t.prefix,
    file: t.file,
    dir: t.dir,
    labDir: opts.labDir ?? join(t.dir, `lab-${t.name}`),
    mgmt: t.mgmt,
    nodes,
    links: t.links,
    waves: creationWaves(t.nodes, edges),
    sections: t.sections,
    ...(t.cluster ? { cluster: t.cluster } : {}),
    ...(t.clusters ? { clusters: t.clusters } : {}),
    ...(t.ca ? { ca: t.ca } : {}),
    ...(t.hosts ? { hosts: t.hosts } : {}),
  };
  const src = sourceOf(t);
  return src ? attachSource(plan, src) : plan;
}

/** Sets each node's host (placement.ts); a netns sharer pinned away from its owner is refused. */
function placeOnHosts(t: TopologySpec, nodes: NodePlan[]): void {
  const placed = placeNodes(nodes.map((n) => ({ name: n.name, host: n.host, group: n.group, netnsOwner: n.netnsOwner, cluster: !!n.k8s })), t.hosts ?? []);
  const issues = [];
  for (const n of nodes) {
    const host = placed.get(n.name)!;
    if (n.host !== undefined && n.host !== host) {
      const pos = n.keyPos?.['host'] ?? n.pos;
      issues.push({ ...pos, path: `topology.nodes.${n.name}.host`, message: `node "${n.name}" shares the network namespace of "${n.netnsOwner}", which runs on host "${host}": it cannot run on "${n.host}"` });
    }
    n.host = host;
  }
  if (issues.length > 0) throw new TopologyError('TOPO_REF', issues);
}

/** Follows network-mode container:<node> to the node whose netns is used (cycles were rejected before). */
function ownerOf(n: NodeSpec, byName: Map<string, NodeSpec>): string {
  let cur = n;
  for (let hops = 0; hops <= byName.size; hops++) {
    const m = cur.networkMode;
    const next = m.type === 'container' && m.node !== undefined ? byName.get(m.node) : undefined;
    if (!next) return cur.name;
    cur = next;
  }
  return cur.name;
}

/** Nodes that get a management address: managed by us (not ext-container) and attached to the mgmt bridge. */
export function needsMgmtAddress(n: NodeSpec): boolean {
  return n.networkMode.type === 'bridge' && !!nodeKindFacts(n.kind)?.managed;
}

/**
 * Deterministic IPv4 management addresses: static ones are kept; the others get the lowest free
 * host addresses in file order (of mgmt.ipv4-range when given, as Docker hands out dynamic ones), skipping the network address, the gateway, static addresses and
 * the broadcast address. Throws TOPO_SCHEMA when the subnet is too small.
 */
export function assignMgmtIPv4(t: TopologySpec): Map<string, string> {
  const net = parseNetwork4(t.mgmt.ipv4Subnet);
  if (typeof net === 'string') throw new Error(`planLab: invalid mgmt subnet survived normalize: ${net}`);
  const taken = new Set<number>();
  const gw = t.mgmt.ipv4Gateway === undefined ? undefined : ipv4ToInt(t.mgmt.ipv4Gateway);
  if (gw !== undefined) taken.add(gw);
  // a lab over several engines: the other engines' mgmt bridges hold addresses at the top (hosts-mgmt.ts)
  for (const a of extraEngineGateways(t.mgmt.ipv4Subnet, t.hosts?.length ?? 0)) taken.add(a);
  const out = new Map<string, string>();
  for (const n of t.nodes) {
    if (n.mgmtIPv4 !== undefined && needsMgmtAddress(n)) {
      taken.add(ipv4ToInt(n.mgmtIPv4)!);
      out.set(n.name, n.mgmtIPv4);
    }
  }
  // containerlab's ipv4-range: dynamic addresses come from that part of the subnet only (Docker's --ip-range)
  const range = t.mgmt.ipv4Range === undefined ? undefined : parseNetwork4(t.mgmt.ipv4Range);
  const inRange = range !== undefined && typeof range !== 'string';
  let next = inRange ? Math.max(range.addr, net.addr + 1) : net.addr + 1;
  const last = inRange ? Math.min(lastAddr4(range) + 1, lastAddr4(net)) : lastAddr4(net);
  const wanting = t.nodes.filter((n) => needsMgmtAddress(n) && n.mgmtIPv4 === undefined);
  for (const n of wanting) {
    while (next < last && taken.has(next)) next++;
    if (next >= last) {
      const pos = sourceOf(t)?.locate(['mgmt', inRange ? 'ipv4-range' : 'ipv4-subnet']) ?? t.mgmt.pos ?? n.pos;
      throw new TopologyError('TOPO_SCHEMA', [
        {
          ...pos,
          path: inRange ? 'mgmt.ipv4-range' : 'mgmt.ipv4-subnet',
          message: inRange
            ? `management ipv4-range ${t.mgmt.ipv4Range} has no free address left for node "${n.name}" (${wanting.length} nodes need one); use a larger ipv4-range`
            : `management subnet ${t.mgmt.ipv4Subnet} has no free address left for node "${n.name}" (${wanting.length} nodes need one); use a larger ipv4-subnet`,
        },
      ]);
    }
    taken.add(next);
    out.set(n.name, intToIpv4(next));
    next++;
  }
  return out;
}
