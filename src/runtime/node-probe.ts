/**
 * Gathers what node-state.ts compares: each node's container (state, start time, network
 * namespace identity) and the interfaces of every namespace that holds link ends.
 */
import { readlink } from 'node:fs/promises';
import type { LabPlan } from '../topology/index.js';
import type { Runtime } from './docker.js';
import { listLinks, parseLinks, type LinkInfo } from './netns.js';
import { VtepHelpers } from './cross-links.js';
import { EngineRuntime } from './engines.js';
import { engineHostNet } from './host-net.js';
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

/** How a node's namespace is looked at: on this machine, or on its engine's machine through the helper. */
interface Probe {
  netnsId(pid: number): Promise<string | undefined>;
  links(pid: number, target?: string): Promise<LinkInfo[]>;
}

const localProbe: Probe = {
  netnsId: (pid) => readlink(`/proc/${pid}/ns/net`).catch(() => undefined),
  links: listLinks,
};

export async function observeLab(plan: LabPlan, runtime: Runtime): Promise<LabObservation> {
  if (!(runtime instanceof EngineRuntime)) return observe(plan, runtime, () => localProbe);
  // a lab with hosts: pids and namespaces are those of each node's engine's machine
  const helpers = new VtepHelpers(plan.name, { labDir: plan.labDir, topo: plan.file });
  const probes = new Map<string, Probe>();
  const probeOf = (host: string | undefined): Probe => {
    if (!host) return localProbe;
    let p = probes.get(host);
    if (!p) {
      const e = runtime.engine(host);
      const hn = engineHostNet(e, helpers);
      p = {
        netnsId: async (pid) => {
          const r = await hn.run(['readlink', `/proc/${pid || 1}/ns/net`]).catch(() => undefined);
          return r?.exitCode === 0 ? r.stdout.trim() : undefined;
        },
        links: async (pid, target) => parseLinks(await hn.ip(pid, ['-j', '-d', 'link', 'show'], target)),
      };
      probes.set(host, p);
    }
    return p;
  };
  const hostOf = new Map(plan.nodes.map((n) => [n.name, n.host]));
  try {
    return await observe(plan, runtime, (node) => probeOf(node === undefined ? undefined : hostOf.get(node)));
  } finally {
    await helpers.stop(runtime.engines);
  }
}

/** `probe(node)`: where that node's namespace is read; `probe(undefined)` reads the machine's own (host ends). */
async function observe(plan: LabPlan, runtime: Runtime, probe: (node: string | undefined) => Probe): Promise<LabObservation> {
  const nodes = new Map<string, NodeObservation>();
  const pids = new Map<string, number>();
  for (const n of plan.nodes) {
    if (n.networkMode.type === 'host') {
      nodes.set(n.name, { state: 'running', netns: await probe(n.name).netnsId(1) });
      pids.set(n.name, 0);
      continue;
    }
    const c = await runtime.inspectContainer(n.containerName);
    if (!c) {
      nodes.set(n.name, { state: 'missing' });
      continue;
    }
    const running = c.state === 'running' && !!c.pid;
    const netns = running ? await probe(n.name).netnsId(c.pid!) : undefined;
    nodes.set(n.name, { state: c.state, startedAt: c.startedAt, netns });
    if (running) pids.set(n.name, c.pid!);
  }
  const ifaces = new Map<string, Map<string, EndObservation>>();
  const owners = new Set(plan.links.flatMap((l) => l.endpoints.map((ep) => plan.nodes.find((n) => n.name === ep.node)?.netnsOwner ?? ep.node)));
  for (const owner of owners) {
    const pid = pids.get(owner);
    if (pid === undefined) continue;
    const links = await probe(owner).links(pid, owner).catch(() => undefined);
    if (!links) continue;
    ifaces.set(owner, new Map(links.map((l) => [l.ifname, { ifindex: l.ifindex, linkIndex: l.linkIndex, alias: l.ifalias, kind: l.kind }])));
  }
  // host ends of host, mgmt-net and vxlan-stitch links live in the host namespace
  const hostEnds = plan.links.filter((l) => l.type !== 'veth' && hostIfaces(l).length > 0);
  let host: LinkInfo[] | undefined;
  // on each machine holding such a node (one, without hosts:)
  const machines = new Set(hostEnds.map((l) => probe(l.endpoints[0].node)));
  for (const m of machines) {
    const got = await m.links(0).catch(() => undefined);
    if (got) host = [...(host ?? []), ...got];
  }
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
