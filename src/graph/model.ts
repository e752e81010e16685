/**
 * The graph of a lab, built from its plan (pure): nodes with a role (routers, ToRs, Kubernetes
 * nodes, hosts, bridges) and one edge per link with the interface names of both ends. Session
 * state and pod CIDRs are added after a deploy (live.ts).
 */
import type { LabPlan, NodePlan, SingleEndpointLinkSpec } from '../topology/index.js';

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
  /** With several clusters in the lab: the cluster of this Kubernetes node (drawn grouped by it; additive). */
  cluster?: string;
  /** A lab over several engines (hosts:): the host running this node (additive). */
  host?: string;
}

/** One end of an edge; `folded`: the node the interface really belongs to, when that node was folded into `node`. */
export interface EdgeEnd {
  node: string;
  iface: string;
  folded?: string;
}

export interface GraphEdge {
  a: EdgeEnd;
  z: EdgeEnd;
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

/** Names a netns target may give a Kubernetes node by: its topology name and its Kubernetes Node (= container) name. */
function k8sNodeNames(plan: LabPlan): Set<string> {
  return new Set(plan.nodes.flatMap((n) => (n.k8s ? [n.name, n.k8s.nodeName] : n.kind === 'k8s-node' ? [n.name] : [])));
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
  const several = (plan.clusters?.length ?? 0) > 1;
  const nodes = plan.nodes.map((n): GraphNode => {
    const notes: string[] = [];
    if (n.networkMode.type === 'container') notes.push(`netns of ${n.networkMode.node ?? n.networkMode.container}`);
    for (const l of plan.links) if (l.type !== 'veth' && l.endpoints[0].node === n.name) notes.push(`${l.endpoints[0].iface}: ${singleEndNote(l)}`);
    return { name: n.name, role: roleOf(n, k8s), kind: n.kind, image: n.image, notes, ...(several && n.k8s ? { cluster: n.k8s.cluster } : {}) };
  });
  const edges = plan.links.flatMap((l): GraphEdge[] => (l.type !== 'veth' ? [] : [{ a: { node: l.endpoints[0].node, iface: l.endpoints[0].iface }, z: { node: l.endpoints[1].node, iface: l.endpoints[1].iface } }]));
  const direction = !opts.direction || opts.direction === 'auto' ? autoDirection(nodes) : opts.direction;
  return { lab: plan.name, direction, nodes, edges };
}

/** A node's link that ends outside the lab's nodes, in words (shown as a note on the node). */
function singleEndNote(l: SingleEndpointLinkSpec): string {
  switch (l.type) {
    case 'host':
    case 'mgmt-net':
      return `${l.type} ${l.host.iface}`;
    case 'macvlan':
      return `macvlan on ${l.parent}`;
    case 'dummy':
      return 'dummy';
    default:
      return `${l.type} vni ${l.vni} to ${l.remote}`;
  }
}

/**
 * Folds the nodes that share another lab node's network namespace (`network-mode: container:X`,
 * server0…server3 of the Cilium lab in the kind nodes) into that node: one box with the sharers
 * named in it, their links drawn from it (the interface labelled `server0/net0`), their notes
 * (pod CIDRs) kept once. A sharer of a container outside the lab stays as it is. Pure; run after
 * the live state is applied (sessions are matched by the unfolded names).
 */
export function foldSharers(model: GraphModel, plan: LabPlan): GraphModel {
  const inModel = new Set(model.nodes.map((n) => n.name));
  const ownerOf = new Map<string, string>();
  for (const n of plan.nodes) if (n.netnsOwner && n.netnsOwner !== n.name && inModel.has(n.netnsOwner)) ownerOf.set(n.name, n.netnsOwner);
  if (ownerOf.size === 0) return model;
  const sharersOf = new Map<string, string[]>();
  for (const [sharer, owner] of ownerOf) sharersOf.set(owner, [...(sharersOf.get(owner) ?? []), sharer]);
  const byName = new Map(model.nodes.map((n) => [n.name, n]));
  const nodes = model.nodes
    .filter((n) => !ownerOf.has(n.name))
    .map((n) => {
      const sharers = sharersOf.get(n.name);
      if (!sharers) return n;
      const notes = [...n.notes, `with ${sharers.join(', ')} (same netns)`];
      for (const sh of sharers) for (const note of byName.get(sh)?.notes ?? []) if (!note.startsWith('netns of ') && !notes.includes(note)) notes.push(note);
      return { ...n, notes };
    });
  const end = (e: EdgeEnd): EdgeEnd => {
    const owner = ownerOf.get(e.node);
    return owner ? { node: owner, iface: e.iface ? `${e.node}/${e.iface}` : e.iface, folded: e.node } : e;
  };
  const edges: GraphEdge[] = [];
  for (const e of model.edges) {
    const f = { ...e, a: end(e.a), z: end(e.z) };
    // a session edge between two members of one namespace, or a duplicate session edge, goes
    if (f.session && (f.a.node === f.z.node || edges.some((x) => x.session && [x.a.node, x.z.node].sort().join() === [f.a.node, f.z.node].sort().join()))) continue;
    edges.push(f);
  }
  return { ...model, nodes, edges };
}

/**
 * A lab over several engines: each node's host, first among its notes (`host b 10.250.0.2`).
 * `hostOf`: node → host name, from where its container runs (a deployed lab) else the plan's
 * placement. Pure; run before folding (a folded sharer runs where its owner does).
 */
export function applyHosts(model: GraphModel, plan: LabPlan, hostOf: Map<string, string>): void {
  if (!plan.hosts?.length) return;
  const underlay = new Map(plan.hosts.map((h) => [h.name, h.underlay]));
  for (const n of model.nodes) {
    const h = hostOf.get(n.name) ?? plan.nodes.find((p) => p.name === n.name)?.host;
    if (!h) continue;
    n.host = h;
    n.notes.unshift(`host ${h}${underlay.get(h) ? ` ${underlay.get(h)}` : ''}`);
  }
}
