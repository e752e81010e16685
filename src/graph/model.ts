/**
 * The graph of a lab, built from its plan (pure): nodes with a role (routers, ToRs, Kubernetes
 * nodes, hosts, bridges) and one edge per link with the interface names of both ends. Session
 * state and pod CIDRs are added after a deploy (live.ts).
 */
import type { LabPlan, NodePlan } from '../topology/index.js';

export type Role = 'router' | 'tor' | 'k8s' | 'host' | 'bridge';
export const ROLE_TITLES: Record<Role, string> = { router: 'Routers', tor: 'ToRs', k8s: 'Kubernetes nodes', host: 'Hosts', bridge: 'Bridges' };
/** Top to bottom in the picture: the fabric above, the servers below. */
export const ROLE_ORDER: Role[] = ['router', 'tor', 'k8s', 'host', 'bridge'];

export type SessionState = 'established' | 'down';

export interface GraphNode {
  name: string;
  role: Role;
  kind: string;
  image: string;
  /** Extra lines under the name (e.g. the Kubernetes node it shares a netns with, pod CIDR). */
  notes: string[];
}

export interface GraphEdge {
  a: { node: string; iface: string };
  z: { node: string; iface: string };
  /** BGP over this link, after a deploy: established, down, or undefined (no session seen). */
  state?: SessionState;
  /** Session edges that do not follow a link (multihop, loopback peering) are dashed. */
  session?: boolean;
}

export interface GraphModel {
  lab: string;
  direction: 'TB' | 'LR';
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const ROUTER_IMAGE = /(^|[/:-])(frr|frrouting|bird|gobgp|quagga|vyos|sonic)/i;
const TOR_NAME = /^(tor|leaf)/i;
const K8S_CONTAINER = /(^|-)(control-plane|worker\d*)$/;

function k8sNodeNames(plan: LabPlan): Set<string> {
  const names = new Set(plan.nodes.filter((n) => n.kind === 'k8s-node').map((n) => n.name));
  const cluster = plan.sections['cluster'] as { name?: string; nodes?: Array<{ role?: string }> } | undefined;
  if (cluster?.nodes) {
    let workers = 0;
    for (const n of cluster.nodes) {
      const base = n.role === 'control-plane' ? 'control-plane' : `worker${workers++ === 0 ? '' : workers}`;
      names.add(base);
      if (cluster.name) names.add(`${cluster.name}-${base}`);
    }
  }
  return names;
}

export function roleOf(n: NodePlan, k8s: Set<string>): Role {
  if (n.kind === 'bridge') return 'bridge';
  if (n.kind === 'k8s-node') return 'k8s';
  const nm = n.networkMode;
  if (nm.type === 'container') {
    const target = nm.node ?? nm.container ?? '';
    if (k8s.has(target) || K8S_CONTAINER.test(target)) return 'k8s';
  }
  if (TOR_NAME.test(n.name) || (n.group !== undefined && TOR_NAME.test(n.group))) return 'tor';
  if (n.kind === 'frr' || n.extra['bgp'] !== undefined || ROUTER_IMAGE.test(n.image)) return 'router';
  return 'host';
}

/**
 * Top-to-bottom reads best while every role fits in one row; wider labs (a leaf-spine with dozens
 * of leaves and hosts) go left-to-right, so each leaf's hosts stack beside it instead of making
 * one row thousands of pixels wide.
 */
export function autoDirection(nodes: GraphNode[]): 'TB' | 'LR' {
  const widest = Math.max(0, ...ROLE_ORDER.map((r) => nodes.filter((n) => n.role === r).length));
  return widest > 8 ? 'LR' : 'TB';
}

export function buildModel(plan: LabPlan, opts: { direction?: 'TB' | 'LR' | 'auto' } = {}): GraphModel {
  const k8s = k8sNodeNames(plan);
  const nodes = plan.nodes.map((n): GraphNode => {
    const notes: string[] = [];
    if (n.networkMode.type === 'container') notes.push(`netns of ${n.networkMode.node ?? n.networkMode.container}`);
    return { name: n.name, role: roleOf(n, k8s), kind: n.kind, image: n.image, notes };
  });
  const edges = plan.links.map((l): GraphEdge => ({ a: { node: l.endpoints[0].node, iface: l.endpoints[0].iface }, z: { node: l.endpoints[1].node, iface: l.endpoints[1].iface } }));
  const direction = !opts.direction || opts.direction === 'auto' ? autoDirection(nodes) : opts.direction;
  return { lab: plan.name, direction, nodes, edges };
}
