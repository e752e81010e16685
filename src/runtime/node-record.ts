/**
 * `node-record.json` in the lab directory: what the lab looked like once configured, so a repair
 * can tell a restarted node (its container started after its exec lines ran) and can give a
 * re-created link end back the addresses and routes the node's exec lines had put on it.
 * Written at the end of a deploy and after every repair.
 */
import { mapPool, readJsonFile, writeJsonAtomic } from '../lib/index.js';
import { join } from 'node:path';
import type { LabPlan } from '../topology/index.js';
import type { Runtime } from './docker.js';
import type { ConfiguredRecord } from './node-state.js';
import { engineHostNet, localHostNet, type HostNet } from './host-net.js';
import { type Action, type DeployContext, isManaged } from './deploy-steps.js';

export const NODE_RECORD_FILE = 'node-record.json';

/** The addresses (CIDR) and static routes (`ip route` arguments without `dev`) of one link end. */
export interface EndRecord {
  addrs: string[];
  routes: string[][];
}

export interface NodeRecord {
  configured: ConfiguredRecord;
  /** Keyed `node:iface`. */
  ends: Record<string, EndRecord>;
}

export function readNodeRecord(labDir: string): Promise<NodeRecord | undefined> {
  return readJsonFile<NodeRecord>(join(labDir, NODE_RECORD_FILE));
}

async function writeNodeRecord(labDir: string, r: NodeRecord): Promise<void> {
  await writeJsonAtomic(join(labDir, NODE_RECORD_FILE), r);
}

interface IpAddr {
  ifname?: string;
  addr_info?: Array<{ local?: string; prefixlen?: number; scope?: string }>;
}
interface IpRoute {
  dst?: string;
  dev?: string;
  nexthops?: Array<{ dev?: string }>;
  gateway?: string;
  protocol?: string;
  metric?: number;
}

function globalAddrs(raw: IpAddr[]): string[] {
  return raw.flatMap((l) => l.addr_info ?? []).filter((a) => a.local && a.scope !== 'link' && a.scope !== 'host').map((a) => `${a.local}/${a.prefixlen}`);
}

function staticRoutes(raw: IpRoute[], v6: boolean): string[][] {
  return raw
    .filter((r) => r.dst && (r.protocol === undefined || r.protocol === 'boot' || r.protocol === 'static'))
    .map((r) => [r.dst === 'default' ? (v6 ? '::/0' : '0.0.0.0/0') : r.dst!, ...(r.gateway ? ['via', r.gateway] : []), ...(r.metric !== undefined ? ['metric', String(r.metric)] : [])]);
}

/** The global addresses of `ip -j addr show` output. Pure. */
export function addrsOf(json: string): string[] {
  return globalAddrs(JSON.parse(json || '[]') as IpAddr[]);
}

/** The routes someone added (protocol boot or static; not the kernel's nor a routing daemon's) of `ip -j route show dev X`. Pure. */
export function staticRoutesOf(json: string, v6: boolean): string[][] {
  return staticRoutes(JSON.parse(json || '[]') as IpRoute[], v6);
}

/**
 * Each listed interface's record from one namespace's whole listings (`ip -j addr show`, `ip -j route show`,
 * `ip -j -6 route show`), as `ip ... dev X` per interface would give it (a multipath route counts for each
 * of its devices); an interface absent from the listing has none. Pure.
 */
export function endsOfListings(ifaces: string[], addrJson: string, route4Json: string, route6Json: string): Map<string, EndRecord> {
  const addrs = JSON.parse(addrJson || '[]') as IpAddr[];
  const r4 = JSON.parse(route4Json || '[]') as IpRoute[];
  const r6 = JSON.parse(route6Json || '[]') as IpRoute[];
  const via = (r: IpRoute, dev: string) => r.dev === dev || (r.nexthops ?? []).some((h) => h.dev === dev);
  const out = new Map<string, EndRecord>();
  for (const dev of ifaces) {
    const mine = addrs.filter((l) => l.ifname === dev);
    if (mine.length === 0) continue;
    out.set(dev, { addrs: globalAddrs(mine), routes: [...staticRoutes(r4.filter((r) => via(r, dev)), false), ...staticRoutes(r6.filter((r) => via(r, dev)), true)] });
  }
  return out;
}

/** `ip -batch` lines giving an end back its recorded addresses and routes. Pure. */
export function restoreLines(iface: string, rec: EndRecord): string[] {
  return [...rec.addrs.map((a) => `addr replace ${a} dev ${iface}`), `link set dev ${iface} up`, ...rec.routes.map((r) => `route replace ${r[0]} ${[...r.slice(1), 'dev', iface].join(' ')}`.replace(/\s+/g, ' '))];
}

/** One namespace's link ends, from three listings of the whole namespace (not three per end). */
async function snapshotEnds(h: HostNet, pid: number, ifaces: string[], target: string): Promise<Map<string, EndRecord>> {
  const ip = h.ip.bind(h);
  try {
    const [a, r4, r6] = await Promise.all([ip(pid, ['-j', 'addr', 'show'], target), ip(pid, ['-j', 'route', 'show'], target), ip(pid, ['-j', '-6', 'route', 'show'], target)]);
    return endsOfListings(ifaces, a, r4, r6);
  } catch {
    return new Map();
  }
}

/** Processes (docker inspect, nsenter) the record runs at once. */
const RECORD_PARALLEL = 8;

/**
 * Records every running managed container's start time and every link end's addresses and routes.
 * `keepEnds`: ends not to snapshot again (kept from the old record), e.g. those of a stopped node.
 */
export async function recordNodes(plan: LabPlan, runtime: Runtime, managed: (name: string) => boolean, netnsPid: (node: string) => Promise<number>, hostNet: (node: string) => HostNet = () => localHostNet): Promise<NodeRecord> {
  const old = await readNodeRecord(plan.labDir);
  const configured: ConfiguredRecord = {};
  const nodes = plan.nodes.filter((n) => managed(n.name));
  const infos = await mapPool(nodes, RECORD_PARALLEL, (n) => runtime.inspectContainer(n.containerName));
  nodes.forEach((n, i) => {
    const c = infos[i];
    if (c?.state === 'running' && c.startedAt) configured[n.name] = { startedAt: c.startedAt };
    else if (old?.configured[n.name]) configured[n.name] = old.configured[n.name]!;
  });
  // link ends grouped by node, in the plan's order
  const keys: string[] = [];
  const ifacesOf = new Map<string, string[]>();
  for (const l of plan.links) {
    for (const ep of l.endpoints) {
      keys.push(`${ep.node}:${ep.iface}`);
      const list = ifacesOf.get(ep.node) ?? [];
      if (!list.includes(ep.iface)) list.push(ep.iface);
      ifacesOf.set(ep.node, list);
    }
  }
  const snaps = new Map<string, EndRecord>();
  await mapPool([...ifacesOf], RECORD_PARALLEL, async ([node, ifaces]) => {
    const pid = await netnsPid(node).catch(() => -1);
    if (pid < 0) return;
    for (const [iface, rec] of await snapshotEnds(hostNet(node), pid, ifaces, node)) snaps.set(`${node}:${iface}`, rec);
  });
  const ends: Record<string, EndRecord> = {};
  for (const key of keys) {
    const rec = snaps.get(key) ?? old?.ends[key];
    if (rec) ends[key] = rec;
  }
  const r = { configured, ends };
  await writeNodeRecord(plan.labDir, r);
  return r;
}

/** Records the lab's nodes from a deploy's context (each node's namespace read on its own engine's machine). */
function recordFromDeploy(ctx: DeployContext): Promise<NodeRecord> {
  const byName = new Map(ctx.plan.nodes.map((n) => [n.name, n]));
  // a lab with hosts: each node's namespace is read on its engine's machine, through its helper
  const { engines, vteps } = ctx;
  const hostNet = engines && vteps
    ? (name: string) => {
        const h = byName.get(name)?.host;
        return h ? engineHostNet(engines.engine(h), vteps) : localHostNet;
      }
    : undefined;
  return recordNodes(ctx.plan, ctx.runtime, (name) => isManaged(byName.get(name)!), (name) => ctx.kindCtx.netnsPid(byName.get(name)!), hostNet);
}

/**
 * A lab with a cluster: the record begins right after the Nodes step, beside the cluster's steps (mostly waits:
 * nodes Ready, agents up), and recordNodesAction waits for it. What it reads is the exec lines' work: the
 * cluster adds no address nor static route on a link end (the agents' routes carry their own protocol, which
 * the record leaves out), and it restarts no container.
 */
export const beginRecordAction: Action = {
  title: 'Record node state: begin',
  async run(ctx) {
    const p = recordFromDeploy(ctx);
    p.catch(() => undefined);
    ctx.recording = p;
  },
};

/** The deploy's step after the exec lines and the cluster: the record a later repair compares against. */
export const recordNodesAction: Action = {
  title: 'Record node state',
  async run(ctx, progress) {
    const r = await (ctx.recording ?? recordFromDeploy(ctx));
    progress(`${Object.keys(r.configured).length} nodes, ${Object.keys(r.ends).length} link ends`);
  },
};
