/**
 * Repairs a running lab whose nodes were stopped or restarted behind its back (`docker restart`,
 * `lab node stop/start`): planned by node-state.ts, carried out here, in deploy order:
 *   1. stopped containers started (owners first), sharers restarted into their owner's namespace;
 *   2. the kind setup of every node that came up anew (the bridge's br0), never a cluster node's
 *      (its boot script restarts its daemons; the cluster's store and credentials are kept);
 *   3. each broken link: whatever end is left deleted, the pair created again (both ends);
 *      an end on a node that did not restart gets back the addresses and routes recorded for it;
 *      host, mgmt-net, macvlan, dummy, vxlan and vxlan-stitch links the same way (what is left of
 *      them in the node and the host deleted, then made as the deploy makes them: same names, MTU,
 *      MACs and addresses);
 *   4. kind services (FRR's watchfrr) and exec lines of the nodes that came up anew, after their stale pid
 *      files are removed (stalePidFilesSh). An exec line
 *      that fails is reported and the rest still run, as containerlab does on a node start
 *      (lines such as `ip addr add` on a namespace that kept its state fail harmlessly);
 *   5. the record of the configured lab written again.
 */
import { KindlabError, errorMessage } from '../errors.js';
import type { LabPlan, NodePlan, SingleEndpointLinkSpec, VethLinkSpec } from '../topology/index.js';
import { splitCommand } from './argv.js';
import type { Runtime } from './docker.js';
import type { ClusterProvider } from './cluster-provider.js';
import { type DeployContext, crossesHosts, deployCross, deployLink, kindOf, makeKindContext } from './deploy-steps.js';
import { EngineRuntime } from './engines.js';
import { VtepHelpers } from './cross-links.js';
import { kindFacts } from './kinds/index.js';
import { linkMark } from './labels.js';
import { deployVeth, linkTitle } from './links.js';
import { ip, ipBatch, listLinks } from './netns.js';
import { hostIfaces, specialLinkTitle, specialMark } from './special-links.js';
import { labHealth, nodeFacts } from './node-probe.js';
import { unlockNetSysctls, wantsNetSysctls } from './net-sysctls.js';
import { readNodeRecord, recordNodes, restoreLines } from './node-record.js';
import { describeRepair, isEmptyRepair, planRepair, type NodeHealth, type RepairPlan } from './node-state.js';

export interface RepairOptions {
  runtime: Runtime;
  cluster?: ClusterProvider;
  /** Which stopped nodes may be started (default: all). */
  startable?: (node: string) => boolean;
  /** Told each step and each exec line that failed. */
  onNotice?: (message: string) => void;
  concurrency?: number;
}

export interface RepairResult {
  plan: RepairPlan;
  /** The health before the repair. */
  before: NodeHealth[];
  /** What was done, one line per part. */
  done: string[];
  /** Exec lines that failed (the repair went on). */
  warnings: string[];
}

export async function planLabRepair(plan: LabPlan, runtime: Runtime, startable: (node: string) => boolean = () => true): Promise<{ repair: RepairPlan; health: NodeHealth[] }> {
  const h = await labHealth(plan, runtime);
  return { repair: planRepair(plan, h.health, h.observation, h.record?.configured, nodeFacts(), startable), health: h.health };
}

/** Deletes a link's ends that are still there (ours only): a veth goes with its peer, wherever that is. */
async function removeLeftEnds(plan: LabPlan, ctx: DeployContext, link: VethLinkSpec): Promise<void> {
  const mark = linkMark(plan.name, link.endpoints[0], link.endpoints[1]);
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  for (const ep of link.endpoints) {
    const pid = await ctx.kindCtx.netnsPid(byName.get(ep.node)!);
    const l = (await listLinks(pid, ep.node)).find((x) => x.ifname === ep.iface);
    if (l?.ifalias === mark) await ip(pid, ['link', 'del', 'dev', ep.iface], ep.node).catch(() => undefined);
  }
}

/** Deletes what is left of a single-endpoint link, ours only: its node end (a dummy's parked peer goes with it) and its host ends. */
async function removeLeftSpecial(plan: LabPlan, ctx: DeployContext, link: SingleEndpointLinkSpec): Promise<void> {
  const mark = specialMark(plan.name, link);
  const ep = link.endpoints[0];
  const pid = await ctx.kindCtx.netnsPid(ctx.kindCtx.node(ep.node));
  const l = (await listLinks(pid, ep.node)).find((x) => x.ifname === ep.iface);
  if (l?.ifalias === mark) await ip(pid, ['link', 'del', 'dev', ep.iface], ep.node).catch(() => undefined);
  const host = hostIfaces(link);
  if (host.length === 0) return;
  const onHost = await listLinks(0);
  for (const h of host) {
    if (onHost.find((x) => x.ifname === h)?.ifalias === mark) await ip(0, ['link', 'del', 'dev', h]).catch(() => undefined);
  }
}

/** Waits until a Docker-started container has a pid (its namespace exists). */
export async function running(runtime: Runtime, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const c = await runtime.inspectContainer(name);
    if (c?.state === 'running' && c.pid) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new KindlabError('RUNTIME_CONTAINER', `container ${name} did not start`, { hint: `see its logs: docker logs ${name}` });
}

/**
 * Removes the pid files under /run and /var/run that name no process of that name: a restarted container keeps
 * its filesystem, /run included, where a booting machine starts with an empty one. FRR's watchfrr refuses to
 * start when a daemon's pid file names a live process that is not the daemon (the PIDs of the new life reuse the
 * old numbers): after `docker restart`, node-restart.test.ts's r2 ran `frrinit.sh start` again and got no FRR at
 * all in 1 of 3 runs. A pid file is kept when its process runs under its name (`zebra.pid`, `ospfd-1.pid`: comm
 * `zebra`, `ospfd`), so daemons the image's own start-up began in this life keep theirs.
 */
export function stalePidFilesSh(dirs: readonly string[] = ['/run', '/var/run']): string {
  const globs = dirs.flatMap((d) => [`${d}/*.pid`, `${d}/*/*.pid`]).join(' ');
  return `for f in ${globs}; do [ -f "$f" ] || continue; ` +
    'p=$(cat "$f" 2>/dev/null); case "$p" in ""|*[!0-9]*) p=0;; esac; c=$(cat "/proc/$p/comm" 2>/dev/null); n=${f##*/}; ' +
    '[ -n "$c" ] && case "$n" in "$c"*) true;; *) false;; esac && continue; rm -f "$f"; done; true';
}

export async function carryOutRepair(plan: LabPlan, repair: RepairPlan, opts: RepairOptions): Promise<{ done: string[]; warnings: string[] }> {
  const { runtime } = opts;
  const notice = opts.onNotice ?? (() => undefined);
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const warnings: string[] = [];
  for (const n of repair.start) {
    notice(`starting ${n}`);
    await runtime.containerAction(byName.get(n)!.containerName, 'start');
    await running(runtime, byName.get(n)!.containerName);
  }
  for (const n of repair.restart) {
    notice(`restarting ${n} (it holds an old network namespace of its owner)`);
    await runtime.containerAction(byName.get(n)!.containerName, 'restart', { timeoutS: 2 });
    await running(runtime, byName.get(n)!.containerName);
  }
  // pids changed: a new context, no cached pid
  const ctx: DeployContext = { plan, runtime, concurrency: opts.concurrency ?? 4, info: new Map(), kindCtx: makeKindContext(plan, runtime), cluster: opts.cluster };
  // a lab over several engines: links between them are VXLAN tunnels again, never veths
  if (runtime instanceof EngineRuntime) Object.assign(ctx, { engines: runtime, vteps: new VtepHelpers(plan.name, { labDir: plan.labDir, topo: plan.file }) });
  const again = repair.reconfigure.map((n) => byName.get(n)!);
  const ownKind = (n: NodePlan) => kindFacts(n.kind).start !== 'cluster';
  for (const n of again) {
    // a restarted container has Docker's read-only /proc/sys again
    if (kindFacts(n.kind).managed && wantsNetSysctls(n)) {
      const warning = await unlockNetSysctls(runtime, n);
      if (warning) warnings.push(warning);
    }
    if (ownKind(n)) await kindOf(ctx, n).afterCreate?.(n, ctx.kindCtx);
  }

  const record = await readNodeRecord(plan.labDir);
  for (const link of repair.links) {
    notice(`re-creating link ${linkTitle(link)}`);
    if (crossesHosts(ctx, link)) {
      // the end that survived is kept (it carries our mark); the restarted node's end is made again
      await deployCross(ctx, link);
    } else {
      await removeLeftEnds(plan, ctx, link);
      await deployVeth(plan.name, link, { netnsPid: (name) => ctx.kindCtx.netnsPid(byName.get(name)!) });
    }
    for (const ep of link.endpoints) {
      const n = byName.get(ep.node)!;
      await kindOf(ctx, n).onEndpoint?.(n, ep.iface, ctx.kindCtx);
    }
  }
  if (ctx.engines && ctx.vteps) await ctx.vteps.stop(ctx.engines.engines);
  for (const link of repair.special) {
    notice(`re-creating link ${specialLinkTitle(link)}`);
    await removeLeftSpecial(plan, ctx, link);
    await deployLink(ctx, link);
  }
  for (const end of repair.restoreEnds) {
    const rec = record?.ends[`${end.node}:${end.iface}`];
    if (!rec) continue;
    const pid = await ctx.kindCtx.netnsPid(byName.get(end.node)!);
    await ipBatch(pid, restoreLines(end.iface, rec), end.node).catch((e: unknown) => warnings.push(`${end.node}:${end.iface}: restoring its addresses and routes failed: ${errorMessage(e)}`));
  }
  for (const n of again) {
    const kind = kindOf(ctx, n);
    if (ownKind(n) && kindFacts(n.kind).managed) await runtime.exec(n.containerName, ['sh', '-c', stalePidFilesSh()], { check: false, target: n.name }).catch(() => undefined);
    if (kind.postDeploy) {
      notice(`${n.name}: starting its services`);
      await kind.postDeploy(n, ctx.kindCtx);
    }
    for (const line of n.exec) {
      const r = await runtime.exec(n.containerName, splitCommand(line), { check: false, target: n.name }).catch((e: unknown) => ({ exitCode: -1, stdout: '', stderr: errorMessage(e) }));
      if (r.exitCode !== 0) warnings.push(`${n.name}: exec line failed again (exit ${r.exitCode}): ${line.length > 70 ? `${line.slice(0, 67)}...` : line}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`);
    }
  }
  await recordNodes(plan, runtime, (name) => kindFacts(byName.get(name)!.kind).managed, (name) => makeKindContext(plan, runtime).netnsPid(byName.get(name)!));
  return { done: describeRepair(repair), warnings };
}

/** Plans and carries out the repair of a lab; an empty plan does nothing. */
export async function repairLab(plan: LabPlan, opts: RepairOptions): Promise<RepairResult> {
  const { repair, health } = await planLabRepair(plan, opts.runtime, opts.startable);
  if (isEmptyRepair(repair)) {
    // a healthy lab deployed before the record existed gets one now: a later restart is then told apart
    if (health.every((h) => h.status === 'running') && !(await readNodeRecord(plan.labDir))) {
      const byName = new Map(plan.nodes.map((n) => [n.name, n]));
      const ctx = makeKindContext(plan, opts.runtime);
      await recordNodes(plan, opts.runtime, (name) => kindFacts(byName.get(name)!.kind).managed, (name) => ctx.netnsPid(byName.get(name)!)).catch(() => undefined);
    }
    return { plan: repair, before: health, done: [], warnings: [] };
  }
  const { done, warnings } = await carryOutRepair(plan, repair, opts);
  return { plan: repair, before: health, done, warnings };
}
