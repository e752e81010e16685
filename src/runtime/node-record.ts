/**
 * `node-record.json` in the lab directory: what the lab looked like once configured, so a repair
 * can tell a restarted node (its container started after its exec lines ran) and can give a
 * re-created link end back the addresses and routes the node's exec lines had put on it.
 * Written at the end of a deploy and after every repair.
 */
import { readJsonFile, writeJsonAtomic } from '../lib/index.js';
import { join } from 'node:path';
import type { LabPlan } from '../topology/index.js';
import type { Runtime } from './docker.js';
import type { ConfiguredRecord } from './node-state.js';
import { ip } from './netns.js';
import { type Action, isManaged } from './deploy-steps.js';

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
  addr_info?: Array<{ local?: string; prefixlen?: number; scope?: string }>;
}
interface IpRoute {
  dst?: string;
  gateway?: string;
  protocol?: string;
  metric?: number;
}

/** The global addresses of `ip -j addr show` output. Pure. */
export function addrsOf(json: string): string[] {
  const raw = JSON.parse(json || '[]') as IpAddr[];
  return raw.flatMap((l) => l.addr_info ?? []).filter((a) => a.local && a.scope !== 'link' && a.scope !== 'host').map((a) => `${a.local}/${a.prefixlen}`);
}

/** The routes someone added (protocol boot or static; not the kernel's nor a routing daemon's) of `ip -j route show dev X`. Pure. */
export function staticRoutesOf(json: string, v6: boolean): string[][] {
  const raw = JSON.parse(json || '[]') as IpRoute[];
  return raw
    .filter((r) => r.dst && (r.protocol === undefined || r.protocol === 'boot' || r.protocol === 'static'))
    .map((r) => [r.dst === 'default' ? (v6 ? '::/0' : '0.0.0.0/0') : r.dst!, ...(r.gateway ? ['via', r.gateway] : []), ...(r.metric !== undefined ? ['metric', String(r.metric)] : [])]);
}

/** `ip -batch` lines giving an end back its recorded addresses and routes. Pure. */
export function restoreLines(iface: string, rec: EndRecord): string[] {
  return [...rec.addrs.map((a) => `addr replace ${a} dev ${iface}`), `link set dev ${iface} up`, ...rec.routes.map((r) => `route replace ${r[0]} ${[...r.slice(1), 'dev', iface].join(' ')}`.replace(/\s+/g, ' '))];
}

async function snapshotEnd(pid: number, iface: string, target: string): Promise<EndRecord | undefined> {
  try {
    const addrs = addrsOf(await ip(pid, ['-j', 'addr', 'show', 'dev', iface], target));
    const routes = [...staticRoutesOf(await ip(pid, ['-j', 'route', 'show', 'dev', iface], target), false), ...staticRoutesOf(await ip(pid, ['-j', '-6', 'route', 'show', 'dev', iface], target), true)];
    return { addrs, routes };
  } catch {
    return undefined;
  }
}

/**
 * Records every running managed container's start time and every link end's addresses and routes.
 * `keepEnds`: ends not to snapshot again (kept from the old record), e.g. those of a stopped node.
 */
export async function recordNodes(plan: LabPlan, runtime: Runtime, managed: (name: string) => boolean, netnsPid: (node: string) => Promise<number>): Promise<NodeRecord> {
  const old = await readNodeRecord(plan.labDir);
  const configured: ConfiguredRecord = {};
  for (const n of plan.nodes) {
    if (!managed(n.name)) continue;
    const c = await runtime.inspectContainer(n.containerName);
    if (c?.state === 'running' && c.startedAt) configured[n.name] = { startedAt: c.startedAt };
    else if (old?.configured[n.name]) configured[n.name] = old.configured[n.name]!;
  }
  const ends: Record<string, EndRecord> = {};
  for (const l of plan.links) {
    for (const ep of l.endpoints) {
      const key = `${ep.node}:${ep.iface}`;
      const pid = await netnsPid(ep.node).catch(() => -1);
      const snap = pid >= 0 ? await snapshotEnd(pid, ep.iface, ep.node) : undefined;
      const rec = snap ?? old?.ends[key];
      if (rec) ends[key] = rec;
    }
  }
  const r = { configured, ends };
  await writeNodeRecord(plan.labDir, r);
  return r;
}

/** The deploy's step after the exec lines and the cluster: the record a later repair compares against. */
export const recordNodesAction: Action = {
  title: 'Record node state',
  async run(ctx, progress) {
    const byName = new Map(ctx.plan.nodes.map((n) => [n.name, n]));
    const r = await recordNodes(ctx.plan, ctx.runtime, (name) => isManaged(byName.get(name)!), (name) => ctx.kindCtx.netnsPid(byName.get(name)!));
    progress(`${Object.keys(r.configured).length} nodes, ${Object.keys(r.ends).length} link ends`);
  },
};
