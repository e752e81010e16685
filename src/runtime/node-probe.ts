/**
 * Gathers what node-state.ts compares: each node's container (state, start time, network
 * namespace identity) and the interfaces of every namespace that holds link ends.
 */
import { readlink } from 'node:fs/promises';
import type { LabPlan } from '../topology/index.js';
import type { Runtime } from './docker.js';
import { listLinks } from './netns.js';
import { assessLab, type EndObservation, type LabObservation, type NodeFacts, type NodeHealth, type NodeObservation } from './node-state.js';
import { getKind, kindFacts } from './kinds/index.js';
import { readNodeRecord, type NodeRecord } from './node-record.js';
import { hostIfaces } from './special-links.js';

/** The kind facts the planner needs, from the registry (a cluster's kind has no setup the runtime redoes: its boot script does). */
export function nodeFacts(): NodeFacts {
  return {
    managed: (n) => kindFacts(n.kind).managed,
    hasSetup(n) {
      if (n.exec.length > 0) return true;
      if (kindFacts(n.kind).start === 'cluster') return false;
      const k = getKind(n.kind);
      return !!(k.postDeploy || k.afterCreate);
    },
  };
}

export async function observeLab(plan: LabPlan, runtime: Runtime): Promise<LabObservation> {
  const nodes = new Map<string, NodeObservation>();
  const pids = new Map<string, number>();
  for (const n of plan.nodes) {
    if (n.networkMode.type === 'host') {
      nodes.set(n.name, { state: 'running', netns: await readlink('/proc/1/ns/net').catch(() => undefined) });
      pids.set(n.name, 0);
      continue;
    }
    const c = await runtime.inspectContainer(n.containerName);
    if (!c) {
      nodes.set(n.name, { state: 'missing' });
      continue;
    }
    const running = c.state === 'running' && !!c.pid;
    const netns = running ? await readlink(`/proc/${c.pid}/ns/net`).catch(() => undefined) : undefined;
    nodes.set(n.name, { state: c.state, startedAt: c.startedAt, netns });
    if (running) pids.set(n.name, c.pid!);
  }
  const ifaces = new Map<string, Map<string, EndObservation>>();
  const owners = new Set(plan.links.flatMap((l) => l.endpoints.map((ep) => plan.nodes.find((n) => n.name === ep.node)?.netnsOwner ?? ep.node)));
  for (const owner of owners) {
    const pid = pids.get(owner);
    if (pid === undefined) continue;
    const links = await listLinks(pid, owner).catch(() => undefined);
    if (!links) continue;
    ifaces.set(owner, new Map(links.map((l) => [l.ifname, { ifindex: l.ifindex, linkIndex: l.linkIndex, alias: l.ifalias, kind: l.kind }])));
  }
  // host ends of host, mgmt-net and vxlan-stitch links live in the host namespace
  const withHostEnds = plan.links.some((l) => l.type !== 'veth' && hostIfaces(l).length > 0);
  const host = withHostEnds ? await listLinks(0).catch(() => undefined) : undefined;
  return { nodes, ifaces, ...(host ? { host: new Map(host.map((l) => [l.ifname, { ifindex: l.ifindex, linkIndex: l.linkIndex, alias: l.ifalias, kind: l.kind }])) } : {}) };
}

export interface LabHealth {
  observation: LabObservation;
  record?: NodeRecord;
  health: NodeHealth[];
}

/** Every managed node's health: running, degraded (with why), stopped or missing. */
export async function labHealth(plan: LabPlan, runtime: Runtime): Promise<LabHealth> {
  const [observation, record] = await Promise.all([observeLab(plan, runtime), readNodeRecord(plan.labDir)]);
  return { observation, record, health: assessLab(plan, observation, record?.configured, nodeFacts()) };
}
