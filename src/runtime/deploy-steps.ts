/**
 * The deploy actions, each small and named. They share a DeployContext; runtime/deploy.ts
 * runs them in order under listr2 and rolls back on failure.
 */
import { mkdir } from 'node:fs/promises';
import { ExecError, KindlabError, withPrefix } from '../errors.js';
import { batchOutcome, batchScript, execGroups } from './exec-batch.js';
import { splitCommand } from './argv.js';
import type { LabPlan, LinkSpec, NodePlan, VethLinkSpec } from '../topology/index.js';
import { runCommand } from './node-exec.js';
import { containerOptions } from './container-spec.js';
import type { Runtime } from './docker.js';
import { type ImageResolution, imageSettings, resolveImage } from './images.js';
import { imageLabels } from './image-plan.js';
import type { ClusterProvider } from './cluster-provider.js';
import { getKind, kindFacts } from './kinds/index.js';
import type { KindContext, NodeKind } from './kinds/index.js';
import { type NodeRuntimeInfo, nodeDir, writeLabDir, writeRenderedFiles } from './labdir.js';
import { deployVeth } from './links.js';
import { ensureMgmtNetwork, mgmtBridgeName, mgmtNeeded } from './mgmt.js';
import { ensureEngineMgmt } from './engines-mgmt.js';
import { deploySpecialLink } from './special-links.js';
import { unlockNetSysctls, wantsNetSysctls } from './net-sysctls.js';
import type { EngineRuntime } from './engines.js';
import { crossLinkVnis, deployCrossLink, deployEngineVeth, type VtepHelpers } from './cross-links.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BASE_IMAGE } from './images.js';
import { LabFiles } from './lab-files.js';
import { engineHostNet } from './host-net.js';

export interface DeployContext {
  plan: LabPlan;
  runtime: Runtime;
  concurrency: number;
  info: Map<string, NodeRuntimeInfo>;
  /** Set by the state check: the lab already runs, nothing to do. */
  unchanged?: string;
  kindCtx: KindContext;
  /** The lab's cluster (its nodes' kind and steps); set when the plan has a `cluster:` section. */
  cluster?: ClusterProvider;
  /** `--offline`: use the local substitutes for missing images instead of pulling. */
  offline?: boolean;
  /** The management network's bridge, looked up once when a mgmt-net link first needs it. */
  mgmtBridge?: Promise<string>;
  /** Set by the images action: what each managed node runs (pulled, local or substituted). */
  images?: Map<string, ImageResolution>;
  /** A lab with `hosts:`: its engines (the same object as `runtime`) and the helpers that build cross-host links. */
  engines?: EngineRuntime;
  vteps?: VtepHelpers;
  /** A lab with `hosts:`: copies the lab directory's bind sources to the other machines (made on first use). */
  labFiles?: LabFiles;
  /** A lab with a cluster: the node record, begun beside the cluster's steps (node-record.ts beginRecordAction). */
  recording?: Promise<{ configured: object; ends: object }>;
  /** Things the deploy tells the user at the end (cross-host links' VNI and lowered MTU). */
  notes?: string[];
}

/** The two ends of a link run on different engines. */
export function crossesHosts(ctx: DeployContext, link: LinkSpec): boolean {
  if (!ctx.engines || link.type !== 'veth') return false;
  const [a, z] = link.endpoints;
  return ctx.kindCtx.node(a.node).host !== ctx.kindCtx.node(z.node).host;
}

export interface Action {
  title: string;
  run(ctx: DeployContext, progress: (msg: string) => void): Promise<void>;
  /** Undoes what a failed run left behind (optional; the deploy then removes everything labelled). */
  rollback?(ctx: DeployContext): Promise<void>;
}

/** The kind implementing a node: the cluster provider's for the cluster's nodes, else the registry's. */
export function kindOf(ctx: DeployContext, n: NodePlan): NodeKind {
  if (kindFacts(n.kind).start !== 'cluster') return getKind(n.kind);
  if (!ctx.cluster) throw new KindlabError('INTERNAL', `node ${n.name} is of kind ${n.kind} but the deploy has no cluster provider`);
  return ctx.cluster.nodeKind;
}

export function isManaged(n: NodePlan): boolean {
  return kindFacts(n.kind).managed;
}

export function makeKindContext(plan: LabPlan, runtime: Runtime): KindContext {
  const pids = new Map<string, Promise<number>>();
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  return {
    plan,
    runtime,
    nodeDir: (n) => nodeDir(plan, n),
    node(name) {
      const n = byName.get(name);
      if (!n) throw new KindlabError('INTERNAL', `lab ${plan.name} has no node "${name}"`);
      return n;
    },
    netnsPid(n) {
      if (n.networkMode.type === 'host' || kindFacts(n.kind).start === 'host') return Promise.resolve(0);
      const owner = byName.get(n.netnsOwner) ?? n;
      const container = owner.networkMode.type === 'host' ? '' : owner.containerName;
      if (!container) return Promise.resolve(0);
      let p = pids.get(container);
      if (!p) {
        p = runtime.pid(container);
        pids.set(container, p);
        p.catch(() => pids.delete(container));
      }
      return p;
    },
  };
}

export function imageAliases(plan: LabPlan): Record<string, string> {
  const s = plan.sections['images'];
  if (!s || typeof s !== 'object') return {};
  return Object.fromEntries(Object.entries(s as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export const imagesAction: Action = {
  title: 'Images',
  async run(ctx, progress) {
    const settings = imageSettings(ctx.plan.sections['images'], ctx.offline);
    const requests = ctx.plan.nodes.filter(isManaged).map((n) => ({ node: n.name, image: n.image, policy: n.imagePullPolicy }));
    progress(`checking ${[...new Set(requests.map((r) => r.image))].join(', ')}`);
    if (ctx.engines) {
      const engines = ctx.engines;
      ctx.images = await engines.resolveImages(requests, { settings, progress, nodeHost: (n) => ctx.kindCtx.node(n).host });
      // the helper that makes links and the mgmt VXLAN runs the base image on every engine
      for (const e of engines.engines) await engines.provide(e, BASE_IMAGE, progress, true);
      return;
    }
    ctx.images = await ctx.runtime.resolveImages(requests, { settings, progress });
  },
};

export const labDirAction: Action = {
  title: 'Lab directory',
  async run(ctx) {
    await mkdir(ctx.plan.labDir, { recursive: true });
    // destroy --name finds every engine of the lab from here
    if (ctx.plan.hosts) await writeFile(join(ctx.plan.labDir, 'hosts.json'), JSON.stringify(ctx.plan.hosts.map((h) => ({ name: h.name, engineText: h.engineText, underlay: h.underlay, ...(h.tls ? { tls: h.tls } : {}) })), null, 2) + '\n');
    // state.json first: destroy finds external netns to clean even if we die midway.
    await writeLabDir(ctx.plan, ctx.info, isManaged);
    for (const n of ctx.plan.nodes) {
      await writeRenderedFiles(ctx.plan, n);
      const kind = kindOf(ctx, n);
      if (!kind.writeFiles) continue;
      await mkdir(ctx.kindCtx.nodeDir(n), { recursive: true });
      await kind.writeFiles(n, ctx.kindCtx);
    }
  },
};

export const mgmtAction: Action = {
  title: 'Management network',
  async run(ctx, progress) {
    if (ctx.engines && ctx.vteps && mgmtNeeded(ctx.plan)) {
      // one segment over the engines: a network on each, joined by a VXLAN device on each bridge
      const r = await ensureEngineMgmt(ctx.engines.engines, ctx.plan, ctx.vteps);
      const say = `management network ${ctx.plan.mgmt.network} (${ctx.plan.mgmt.ipv4Subnet}) on hosts ${ctx.engines.engines.map((e) => `${e.name} ${e.underlay}`).join(', ')}: VXLAN VNI ${r.vni}, MTU ${r.mtu}`;
      (ctx.notes ??= []).push(say);
      progress(`${say}: ${r.outcome}`);
      return;
    }
    const outcome = await ensureMgmtNetwork(ctx.runtime, ctx.plan);
    progress(`${ctx.plan.mgmt.network} (${ctx.plan.mgmt.ipv4Subnet}, ${ctx.plan.mgmt.external ? 'external' : 'internal'}): ${outcome}`);
  },
};

/**
 * Creates one node's container (or checks the existing one), as the containers step and the staged pipeline do.
 * `notice` hears what the node lacks but runs without (read-only net sysctls).
 */
export async function createNode(ctx: DeployContext, n: NodePlan, notice: (msg: string) => void = () => undefined, how: { deferSysctls?: boolean } = {}): Promise<void> {
  const kind = kindOf(ctx, n);
  const resolved = ctx.images?.get(n.name);
  const image = resolved?.image ?? resolveImage(n.image, imageAliases(ctx.plan));
  if (kindFacts(kind.name).managed) {
    let opts = containerOptions(ctx.plan, n, image);
    if (resolved) opts = { ...opts, Labels: { ...opts.Labels, ...imageLabels(resolved) } };
    if (kind.containerOptions) opts = kind.containerOptions(n, opts, ctx.kindCtx);
    if (ctx.engines && ctx.vteps) {
      // the engine's machine needs the bind sources at the same paths
      ctx.labFiles ??= new LabFiles(ctx.plan.labDir, ctx.vteps);
      await ctx.labFiles.provide(await ctx.engines.engineOf(n.containerName), n.name, opts.HostConfig?.Binds ?? []);
    }
    await ctx.runtime.runContainer(opts);
    if (wantsNetSysctls(n) && !how.deferSysctls) await unlockNodeSysctls(ctx, n, notice);
  }
  await kind.afterCreate?.(n, ctx.kindCtx);
  // the host kind has no container: nothing to inspect (a container of the same name is not it)
  const c = kindFacts(kind.name).start === 'host' ? undefined : await ctx.runtime.inspectContainer(n.containerName);
  ctx.info.set(n.name, { image: c?.image ?? image, ...(resolved?.substitute ? { imageSubstitute: resolved.substitute } : {}), mgmtIPv4: c?.mgmtIPv4, mgmtIPv4PrefixLength: c?.mgmtIPv4PrefixLength });
}

/** Makes the node's net.* sysctls writable (a node without a netns of its own: nothing); never throws, `notice` hears why not. */
export async function unlockNodeSysctls(ctx: DeployContext, n: NodePlan, notice: (msg: string) => void): Promise<void> {
  if (!kindFacts(kindOf(ctx, n).name).managed || !wantsNetSysctls(n)) return;
  const warning = await unlockNetSysctls(ctx.runtime, n);
  if (warning) notice(warning);
}

/** Creates one link and tells the kinds of its ends. */
export async function deployLink(ctx: DeployContext, link: LinkSpec): Promise<void> {
  const node = (name: string) => ctx.kindCtx.node(name);
  const nodes = {
    netnsPid: (name: string) => ctx.kindCtx.netnsPid(node(name)),
    mgmtBridge: () => (ctx.mgmtBridge ??= mgmtBridgeName(ctx.runtime, ctx.plan)),
  };
  if (link.type === 'veth' && crossesHosts(ctx, link)) await deployCross(ctx, link);
  else if (link.type === 'veth' && ctx.engines && ctx.vteps) {
    // both ends on one engine of a lab with hosts: made on that engine's machine
    const [pa, pz] = await Promise.all(link.endpoints.map((ep) => nodes.netnsPid(ep.node)));
    // pid 0 (the host's namespace) is the engine machine's own: its pid 1 there
    await deployEngineVeth(ctx.plan.name, link, ctx.engines.engine(node(link.endpoints[0].node).host!), [pa || 1, pz || 1], ctx.vteps);
  } else if (link.type === 'veth') await deployVeth(ctx.plan.name, link, nodes);
  else if (ctx.engines && ctx.vteps) {
    // a lab with hosts: the host side is the node's engine's machine, reached through its helper
    const e = ctx.engines.engine(node(link.endpoints[0].node).host!);
    await deploySpecialLink(ctx.plan.name, link, { ...nodes, mgmtBridge: () => mgmtBridgeName(e.runtime, ctx.plan) }, engineHostNet(e, ctx.vteps));
  } else await deploySpecialLink(ctx.plan.name, link, nodes);
  for (const ep of link.endpoints) await kindOf(ctx, node(ep.node)).onEndpoint?.(node(ep.node), ep.iface, ctx.kindCtx);
}

/** A link between two engines: a VXLAN tunnel over the underlay, said in the deploy's notes. */
export async function deployCross(ctx: DeployContext, link: VethLinkSpec): Promise<void> {
  const engines = ctx.engines!;
  const vni = crossLinkVnis(ctx.plan.name, ctx.plan.links, (l) => crossesHosts(ctx, l)).get(link)!;
  const ends = await Promise.all(link.endpoints.map(async (ep) => {
    const n = ctx.kindCtx.node(ep.node);
    return { engine: engines.engine(n.host!), pid: await ctx.kindCtx.netnsPid(n) };
  }));
  const r = await deployCrossLink(ctx.plan.name, link, ends as [typeof ends[0], typeof ends[0]], vni, ctx.vteps!);
  const [a, z] = link.endpoints;
  (ctx.notes ??= []).push(`link ${a.node}:${a.iface} (${ends[0]!.engine.name} ${ends[0]!.engine.underlay}) <-> ${z.node}:${z.iface} (${ends[1]!.engine.name} ${ends[1]!.engine.underlay}): VXLAN VNI ${r.vni}, MTU ${r.mtu}${r.mtu < link.mtu ? ` (lowered from ${link.mtu}: underlay MTU ${r.underlayMtu} - 50)` : ''}`);
}

/**
 * Runs `lines` (default: all of the node's `exec:` lines) in order: in its container, a run of quick lines in one
 * `docker exec` (exec-batch.ts; an image without sh runs them one by one), or on the host for the host kind.
 */
export async function execNodeLines(ctx: DeployContext, n: NodePlan, progress: (msg: string) => void, lines: readonly string[] = n.exec): Promise<void> {
  const onHost = kindFacts(n.kind).start === 'host';
  const shown = (line: string) => progress(`${n.name}: ${line.length > 60 ? line.slice(0, 57) + '...' : line}`);
  const one = async (line: string) => {
    shown(line);
    await runCommand(ctx.runtime, onHost ? undefined : n.containerName, line, n.name);
  };
  if (onHost) {
    for (const line of lines) await one(line);
    return;
  }
  const argvs = lines.map(splitCommand);
  for (const group of execGroups(argvs)) {
    if (group.length === 1) {
      await one(lines[group[0]!]!);
      continue;
    }
    for (const i of group) shown(lines[i]!);
    const r = await ctx.runtime.exec(n.containerName, ['sh', '-c', batchScript(group.map((i) => argvs[i]!))], { target: n.name, check: false });
    const out = batchOutcome(r.exitCode, r.stdout, r.stderr);
    if (out.noShell) {
      for (const i of group) await runCommand(ctx.runtime, n.containerName, lines[i]!, n.name);
      continue;
    }
    if (out.failed) throw new ExecError(n.name, lines[group[out.failed.index]!]!, out.failed.exitCode, out.failed.stdout, out.failed.stderr);
  }
}

export const writeLabDirAction: Action = {
  title: 'Write lab directory',
  async run(ctx, progress) {
    await writeLabDir(ctx.plan, ctx.info, isManaged);
    if (ctx.engines && ctx.vteps) await ctx.vteps.stop(ctx.engines.engines);
    progress(ctx.plan.labDir);
  },
};
