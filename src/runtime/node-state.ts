/**
 * What each node of a running lab should have against what Docker and the kernel show, and the
 * repair that brings it back. Pure: the observations are gathered by node-probe.ts, the repair
 * is carried out by repair.ts.
 *
 * A node should have: its container running; when it shares another node's network namespace
 * (network-mode container:X), X's current one; every veth link end of the plan present in the
 * namespace it lives in, marked by the lab and peered with the other end; and, when it has exec
 * lines or kind services (FRR's watchfrr), those run since its container last started (the lab
 * directory records the start time each node was configured at: node-record.ts).
 */
import type { LabPlan, NodePlan, SingleEndpointLinkSpec, VethLinkSpec } from '../topology/index.js';
import { linkMark } from './labels.js';
import { hostIfaces, specialLinkTitle, specialMark } from './special-links.js';

/** One interface as `ip -j link` shows it. */
export interface EndObservation {
  ifindex?: number;
  /** A veth's peer ifindex. */
  linkIndex?: number;
  alias?: string;
  /** The link kind (veth, vxlan…), when known (additive). */
  kind?: string;
}

export interface NodeObservation {
  /** Docker's state (running, exited, created…); `missing` when there is no container. */
  state: string;
  startedAt?: string;
  /** Identity of its network namespace (`net:[4026…]`); undefined when not running or unknown. */
  netns?: string;
}

export interface LabObservation {
  nodes: Map<string, NodeObservation>;
  /** Interfaces per netns owner (the node whose namespace it is, `NodePlan.netnsOwner`); absent when not readable. */
  ifaces: Map<string, Map<string, EndObservation>>;
  /** Interfaces of the host namespace (host, mgmt-net and vxlan-stitch links' host ends); absent when not read (additive). */
  host?: Map<string, EndObservation>;
}

/** The lab directory's record of when each node was last configured (its exec lines and services run). */
export type ConfiguredRecord = Record<string, { startedAt: string }>;

export type NodeStatus = 'running' | 'degraded' | 'stopped' | 'missing';

export interface NodeHealth {
  node: string;
  status: NodeStatus;
  reasons: string[];
}

/** What the planner needs to know about kinds: a node we create, and whether it has setup to redo after a start. */
export interface NodeFacts {
  managed(n: NodePlan): boolean;
  /** Exec lines or kind services (postDeploy/afterCreate) that a container start undoes. */
  hasSetup(n: NodePlan): boolean;
}

function endName(ep: { node: string; iface: string }): string {
  return `${ep.node}:${ep.iface}`;
}

/** The node a sharer's namespace belongs to, when it is a node of the plan. */
export function sharedOwner(n: NodePlan): string | undefined {
  return n.networkMode.type === 'container' && n.networkMode.node ? n.networkMode.node : undefined;
}

/** Why a link is not whole, or undefined when both ends are there, marked and peered. */
export function linkProblem(plan: LabPlan, link: VethLinkSpec, obs: LabObservation): string | undefined {
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const mark = linkMark(plan.name, link.endpoints[0], link.endpoints[1]);
  const ends = link.endpoints.map((ep) => {
    const owner = byName.get(ep.node)?.netnsOwner ?? ep.node;
    const o = obs.nodes.get(owner);
    if (o && o.state !== 'running') return { ep, why: `${owner} is ${o.state}` };
    const ifs = obs.ifaces.get(owner);
    // not readable here (no root): nothing is claimed
    if (!ifs) return { ep, unknown: true };
    const e = ifs.get(ep.iface);
    if (!e) return { ep, why: `${endName(ep)} is absent` };
    if (e.alias !== mark) return { ep, why: `${endName(ep)} is not the lab's end (alias ${e.alias ?? 'none'})` };
    return { ep, end: e };
  });
  const bad = ends.find((x) => 'why' in x && x.why);
  if (bad && 'why' in bad) return bad.why;
  if (ends.some((x) => 'unknown' in x)) return undefined;
  const [a, z] = ends.map((x) => ('end' in x ? x.end : undefined));
  // ends on two engines (hosts:) are VXLAN tunnel ends: no peer to compare, each must be a vxlan
  if (byName.get(link.endpoints[0].node)?.host !== byName.get(link.endpoints[1].node)?.host) {
    const wrong = [a, z].findIndex((e) => e?.kind !== undefined && e.kind !== 'vxlan');
    return wrong < 0 ? undefined : `${endName(link.endpoints[wrong]!)} is a ${[a, z][wrong]!.kind}, not the VXLAN tunnel end of a link between hosts`;
  }
  if (a?.linkIndex !== z?.ifindex || z?.linkIndex !== a?.ifindex) {
    return `${endName(link.endpoints[0])} and ${endName(link.endpoints[1])} are not each other's peer`;
  }
  return undefined;
}

/** The kind of interface a single-endpoint link puts in its node (host, mgmt-net, dummy and stitch ends are veths). Pure. */
export function nodeEndKind(link: SingleEndpointLinkSpec): string {
  return link.type === 'macvlan' ? 'macvlan' : link.type === 'vxlan' ? 'vxlan' : 'veth';
}

/**
 * Why a host, mgmt-net, macvlan, dummy, vxlan or vxlan-stitch link is not whole, or undefined: its node
 * end must be there, marked, of its kind; its host ends (when the host was read) there and marked.
 */
export function specialLinkProblem(plan: LabPlan, lab: string, link: SingleEndpointLinkSpec, obs: LabObservation): string | undefined {
  const ep = link.endpoints[0];
  const mark = specialMark(lab, link);
  const owner = plan.nodes.find((n) => n.name === ep.node)?.netnsOwner ?? ep.node;
  const o = obs.nodes.get(owner);
  if (o && o.state !== 'running') return `${owner} is ${o.state}`;
  const ifs = obs.ifaces.get(owner);
  if (!ifs) return undefined;
  const e = ifs.get(ep.iface);
  if (!e) return `${endName(ep)} is absent`;
  if (e.alias !== mark) return `${endName(ep)} is not the lab's end (alias ${e.alias ?? 'none'})`;
  if (e.kind !== undefined && e.kind !== nodeEndKind(link)) return `${endName(ep)} is a ${e.kind}, not a ${nodeEndKind(link)}`;
  for (const h of obs.host ? hostIfaces(link) : []) {
    const he = obs.host!.get(h);
    if (!he) return `the host end ${h} is absent`;
    if (he.alias !== mark) return `the host end ${h} is not the lab's (alias ${he.alias ?? 'none'})`;
  }
  return undefined;
}

function title(link: VethLinkSpec): string {
  const [a, z] = link.endpoints;
  return `${endName(a)} <-> ${endName(z)}`;
}

/** Each managed node's health, with the reasons when it is not plainly running. */
export function assessLab(plan: LabPlan, obs: LabObservation, record: ConfiguredRecord | undefined, facts: NodeFacts): NodeHealth[] {
  const reasons = new Map<string, string[]>(plan.nodes.map((n) => [n.name, []]));
  const add = (node: string, why: string) => reasons.get(node)?.push(why);
  const health: NodeHealth[] = [];
  for (const n of plan.nodes) {
    const o = obs.nodes.get(n.name);
    if (!facts.managed(n)) continue;
    if (!o || o.state === 'missing') continue;
    if (o.state !== 'running') continue;
    const owner = sharedOwner(n);
    if (owner) {
      const oo = obs.nodes.get(owner);
      if (oo && oo.state !== 'running') add(n.name, `shares the network namespace of ${owner}, which is ${oo.state}`);
      else if (oo?.netns && o.netns && oo.netns !== o.netns) add(n.name, `shares the network namespace of ${owner} but still holds an old one (${owner} restarted after it)`);
    }
    const rec = record?.[n.name];
    if (rec && o.startedAt && rec.startedAt !== o.startedAt && facts.hasSetup(n)) {
      add(n.name, `restarted at ${o.startedAt}: its exec lines and services have not run since`);
    }
  }
  for (const link of plan.links) {
    if (link.type !== 'veth') {
      const why = specialLinkProblem(plan, plan.name, link, obs);
      if (why) add(link.endpoints[0].node, `link ${specialLinkTitle(link)} is missing: ${why}`);
      continue;
    }
    const why = linkProblem(plan, link, obs);
    if (!why) continue;
    for (const ep of link.endpoints) add(ep.node, `link ${title(link)} is missing: ${why}`);
  }
  for (const n of plan.nodes) {
    if (!facts.managed(n)) continue;
    const o = obs.nodes.get(n.name);
    const state = o?.state ?? 'missing';
    if (state === 'missing') health.push({ node: n.name, status: 'missing', reasons: [`container ${n.containerName} does not exist`] });
    else if (state !== 'running') health.push({ node: n.name, status: 'stopped', reasons: [`container ${n.containerName} is ${state}`] });
    else {
      const r = reasons.get(n.name)!;
      health.push({ node: n.name, status: r.length ? 'degraded' : 'running', reasons: r });
    }
  }
  return health;
}

export interface RepairPlan {
  /** Stopped containers to start, owners before their sharers (plan waves). */
  start: string[];
  /** Sharers to restart so they join their owner's current namespace. */
  restart: string[];
  /** Links to delete (whatever ends are left) and create again. */
  links: VethLinkSpec[];
  /** Single-endpoint links (host, mgmt-net, macvlan, dummy, vxlan, vxlan-stitch) to delete (what is left of them) and create again (additive). */
  special: SingleEndpointLinkSpec[];
  /** Nodes whose kind setup, services and exec lines run again (their container (re)started). */
  reconfigure: string[];
  /** Link ends re-created on nodes that are not reconfigured: the addresses and routes recorded for them are put back. */
  restoreEnds: Array<{ node: string; iface: string }>;
  /** Stopped nodes left stopped (not startable here) and links left out because of them. */
  skipped: string[];
}

export function isEmptyRepair(r: RepairPlan): boolean {
  return !r.start.length && !r.restart.length && !r.links.length && !r.special.length && !r.reconfigure.length;
}

/**
 * The repair for a lab's health. `startable` says which stopped nodes may be started (a deploy
 * starts every one; `lab node start X` only X). Links touching a node that stays stopped are left.
 */
export function planRepair(plan: LabPlan, health: NodeHealth[], obs: LabObservation, record: ConfiguredRecord | undefined, facts: NodeFacts, startable: (node: string) => boolean): RepairPlan {
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const status = new Map(health.map((h) => [h.node, h.status]));
  const order = plan.waves.flat();
  const start = order.filter((n) => status.get(n) === 'stopped' && startable(n));
  const up = (n: string) => status.get(n) === 'running' || status.get(n) === 'degraded' || start.includes(n);
  const skipped = order.filter((n) => status.get(n) === 'stopped' && !startable(n));
  // a started owner gets a new namespace: its running sharers must follow it
  const restart = order.filter((name) => {
    const n = byName.get(name)!;
    const owner = sharedOwner(n);
    if (!owner || !up(name) || start.includes(name) || !up(owner)) return false;
    if (start.includes(owner)) return true;
    const o = obs.nodes.get(name);
    const oo = obs.nodes.get(owner);
    return !!(o?.netns && oo?.netns && o.netns !== oo.netns);
  });
  const restartedAt = (name: string) => {
    const o = obs.nodes.get(name);
    const rec = record?.[name];
    return !!(rec && o?.startedAt && o.state === 'running' && rec.startedAt !== o.startedAt);
  };
  const reconfigure = order.filter((name) => {
    const n = byName.get(name)!;
    if (!facts.managed(n) || !up(name)) return false;
    return start.includes(name) || restart.includes(name) || (restartedAt(name) && facts.hasSetup(n));
  });
  // a namespace started anew holds none of its links
  const fresh = new Set(start.map((s) => byName.get(s)!.netnsOwner));
  const links = plan.links.filter((l): l is VethLinkSpec => l.type === 'veth').filter((l) => {
    const owners = l.endpoints.map((ep) => byName.get(ep.node)?.netnsOwner ?? ep.node);
    if (!owners.every(up)) return false;
    return owners.some((o) => fresh.has(o)) || linkProblem(plan, l, obs) !== undefined;
  });
  // a restarted container's namespace is new too: its special links' node ends went with the old one
  const special = plan.links.filter((l): l is SingleEndpointLinkSpec => l.type !== 'veth').filter((l) => {
    const owner = byName.get(l.endpoints[0].node)?.netnsOwner ?? l.endpoints[0].node;
    if (!up(owner)) return false;
    return fresh.has(owner) || specialLinkProblem(plan, plan.name, l, obs) !== undefined;
  });
  const again = new Set(reconfigure);
  const restoreEnds = [...links, ...special].flatMap((l) => l.endpoints.filter((ep) => !again.has(ep.node)).map((ep) => ({ node: ep.node, iface: ep.iface })));
  return { start, restart, links, special, reconfigure, restoreEnds, skipped };
}

/** One line per part of a repair, for the deploy's message. Pure. */
export function describeRepair(r: RepairPlan): string[] {
  const lines: string[] = [];
  if (r.start.length) lines.push(`started ${r.start.join(', ')}`);
  if (r.restart.length) lines.push(`restarted ${r.restart.join(', ')} to join ${r.restart.length > 1 ? 'their owners\'' : 'its owner\'s'} network namespace`);
  if (r.links.length) lines.push(`re-created ${r.links.length} link${r.links.length > 1 ? 's' : ''} (${r.links.map(title).join(', ')})`);
  if (r.special.length) lines.push(`re-created ${r.special.length} host/macvlan/dummy/vxlan link${r.special.length > 1 ? 's' : ''} (${r.special.map(specialLinkTitle).join(', ')})`);
  if (r.reconfigure.length) lines.push(`ran the exec lines and services of ${r.reconfigure.join(', ')} again`);
  if (r.skipped.length) lines.push(`left ${r.skipped.join(', ')} stopped`);
  return lines;
}
