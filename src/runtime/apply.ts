/**
 * `lab apply -t FILE [--dry-run]`: changes a running lab in place. The edited topology's plan is
 * compared with the one the lab was deployed from (`<labDir>/applied-plan.json`, plan-diff.ts);
 * only the containers of added, removed or changed nodes are created or removed, only the links
 * that differ are made or deleted, and exec lines run only on the nodes they concern. Every other
 * container keeps running untouched (containerlab #3379: nothing else may restart). The lab
 * directory is then written for the new plan, so destroy, inspect and a later apply see it.
 * Kubernetes workers join the running cluster or leave it (the cluster provider's forApply:
 * drained and deleted before their containers go, registered and started after their links and
 * exec lines); what cannot change in place (lab-wide settings, the control-plane) is refused
 * before anything changes (apply-check.ts).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KindlabError, errorMessage } from '../errors.js';
import { intToIpv4, mask4, parseCidr4, usesStages, type LabPlan, type LinkSpec, type NodePlan } from '../topology/index.js';
import { runCommand } from './node-exec.js';
import { running } from './repair.js';
import type { ClusterProvider, ClusterProviderFactory } from './cluster-provider.js';
import { DockerRuntime, type Runtime } from './docker.js';
import { type DeployContext, createNode, deployLink, isManaged, kindOf, makeKindContext } from './deploy-steps.js';
import { imageSettings } from './images.js';
import { kindFacts } from './kinds/index.js';
import { applyRefusal } from './apply-check.js';
import { LABEL_LAB } from './labels.js';
import { assertLabOwner } from './lab-owner.js';
import { withLabLock } from './lab-registry.js';
import { APPLIED_PLAN_FILE, readAppliedPlan, readLabState, writeLabDir, writeRenderedFiles, type NodeRuntimeInfo } from './labdir.js';
import { readDeployState } from './deploy-state.js';
import { ip } from './netns.js';
import { recordNodes } from './node-record.js';
import { type AppliedPlan, type ApplySteps, type PlanDiff, applySteps, diffPlans, formatDiff, isEmptyDiff, linkKey, pinMgmtAddresses } from './plan-diff.js';
import { pinClusterNodes } from './cluster-node-ids.js';
import { fileHashes } from './manifest-hash.js';

export interface ApplyOptions {
  runtime?: Runtime;
  /** Print the plan only. */
  dryRun?: boolean;
  force?: boolean;
  onNotice?: (message: string) => void;
  clusterProvider?: ClusterProviderFactory;
  concurrency?: number;
}

export interface ApplyResult {
  plan: LabPlan;
  diff: PlanDiff;
  steps: ApplySteps;
  /** The plan as text (`+`, `-`, `~`, `-/+`). */
  text: string;
  status: 'unchanged' | 'planned' | 'applied';
  /** Exec lines that failed (the apply went on, as a node start does). */
  warnings: string[];
}

/** A free management address in the lab's subnet (never the network, gateway or broadcast address). */
function freeMgmtAddress(plan: LabPlan): (taken: Set<string>) => string | undefined {
  return (taken) => {
    const net = parseCidr4(plan.mgmt.ipv4Subnet);
    if (typeof net === 'string') return undefined;
    const first = (net.addr & mask4(net.len)) >>> 0;
    const broadcast = (first | (~mask4(net.len) >>> 0)) >>> 0;
    const gw = plan.mgmt.ipv4Gateway ?? intToIpv4(first + 1);
    for (let a = first + 1; a < broadcast; a++) {
      const s = intToIpv4(a);
      if (s !== gw && !taken.has(s)) return s;
    }
    return undefined;
  };
}

/**
 * Deletes a link between nodes that stay: the end in the first node's namespace (a veth's peer
 * goes with it). The link is the old plan's: its ends are found by their containers (a cluster
 * node's name may have moved).
 */
async function deleteLink(ctx: DeployContext, old: AppliedPlan, link: LinkSpec): Promise<void> {
  for (const ep of link.endpoints) {
    const was = old.nodes.find((n) => n.name === ep.node);
    const node = ctx.plan.nodes.find((n) => n.containerName === was?.containerName);
    if (!node) continue;
    const pid = await ctx.kindCtx.netnsPid(node);
    await ip(pid, ['link', 'del', 'dev', ep.iface], ep.node).catch(() => undefined);
  }
}

/** Runs exec lines as a deploy does (in the container, or on the host for the host kind); a failing line is reported and the rest run. */
async function execLines(ctx: DeployContext, n: NodePlan, lines: string[], warnings: string[]): Promise<void> {
  const onHost = kindFacts(n.kind).start === 'host';
  for (const line of lines) {
    try {
      await runCommand(ctx.runtime, onHost ? undefined : n.containerName, line, n.name);
    } catch (e) {
      warnings.push(`${n.name}: exec line failed: ${line}: ${errorMessage(e).split('\n')[0]}`);
    }
  }
}

/** Carries the steps out, in this order: remove, delete links, create, restart sharers, make links, services, exec, record. */
async function carryOut(plan: LabPlan, old: AppliedPlan, steps: ApplySteps, runtime: Runtime, opts: ApplyOptions): Promise<string[]> {
  const notice = opts.onNotice ?? (() => undefined);
  const warnings: string[] = [];
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const oldByName = new Map(old.nodes.map((n) => [n.name, n]));
  const k8s = steps.leaveCluster.length + steps.joinCluster.length + steps.reapplyManifests.length > 0;
  const clusterApply = k8s ? opts.clusterProvider?.forApply?.(plan) : undefined;
  if (k8s && !clusterApply) throw new KindlabError('APPLY_UNSUPPORTED', `lab ${plan.name}: its cluster provider cannot join or remove Kubernetes nodes in place`, { hint: `lab deploy --reconfigure -t ${plan.file}` });
  // the joining nodes' containers are made by the cluster's apply kind (the running cluster's credentials, its store kept)
  const cluster: ClusterProvider | undefined = clusterApply ? { nodeKind: clusterApply.nodeKind, prepare: [], actions: [] } : undefined;
  const context = (): DeployContext => ({ plan, runtime, concurrency: opts.concurrency ?? 4, info: new Map(), kindCtx: makeKindContext(plan, runtime), cluster });
  let ctx = context();

  if (clusterApply && steps.leaveCluster.length) {
    notice(`Kubernetes nodes leaving the cluster: ${steps.leaveCluster.join(', ')}`);
    await clusterApply.leave(ctx, steps.leaveCluster.map((n) => oldByName.get(n)!), notice);
  }
  for (const name of steps.removeContainers) {
    notice(`removing node ${name}`);
    await runtime.removeContainer(oldByName.get(name)!.containerName);
  }
  const oldLinks = new Map(old.links.map((l) => [linkKey(l), l]));
  for (const key of steps.deleteLinks) {
    notice(`deleting link ${key}`);
    await deleteLink(ctx, old, oldLinks.get(key)!);
  }
  const creating = steps.createNodes.map((n) => byName.get(n)!);
  const managed = creating.filter(isManaged);
  if (managed.length) {
    ctx.images = await runtime.resolveImages(managed.map((n) => ({ node: n.name, image: n.image, policy: n.imagePullPolicy })), { settings: imageSettings(plan.sections['images']), progress: notice });
  }
  for (const n of creating) {
    notice(`creating node ${n.name}`);
    await writeRenderedFiles(plan, n);
    const kind = kindOf(ctx, n);
    if (kind.writeFiles) {
      await mkdir(ctx.kindCtx.nodeDir(n), { recursive: true });
      await kind.writeFiles(n, ctx.kindCtx);
    }
    await createNode(ctx, n);
  }
  for (const name of steps.restartSharers) {
    notice(`restarting ${name} into its owner's new namespace`);
    await runtime.containerAction(byName.get(name)!.containerName, 'restart', { timeoutS: 2 });
    await running(runtime, byName.get(name)!.containerName);
  }
  // pids of re-made and restarted containers changed: a new context, nothing cached
  const info = ctx.info;
  ctx = { ...context(), info, images: ctx.images };
  const links = new Map(plan.links.map((l) => [linkKey(l), l]));
  for (const key of steps.createLinks) {
    notice(`creating link ${key}`);
    await deployLink(ctx, links.get(key)!);
  }
  const fresh = [...creating, ...steps.restartSharers.map((s) => byName.get(s)!)];
  for (const n of fresh) {
    const kind = kindOf(ctx, n);
    if (kind.postDeploy) await kind.postDeploy(n, ctx.kindCtx);
    await execLines(ctx, n, n.exec, warnings);
  }
  for (const e of steps.execLines) await execLines(ctx, byName.get(e.node)!, e.lines, warnings);
  if (clusterApply && (steps.joinCluster.length || steps.reapplyManifests.length)) {
    if (steps.joinCluster.length) notice(`Kubernetes nodes joining the cluster: ${steps.joinCluster.join(', ')}`);
    await clusterApply.join(ctx, steps.joinCluster.map((n) => byName.get(n)!), { reapplyObjects: steps.reapplyObjects, manifests: steps.reapplyManifests }, notice);
  }

  // the lab directory for the new plan: kept nodes keep what the last deploy learnt about them
  const state = await readLabState(plan.labDir);
  for (const n of plan.nodes) {
    if (info.has(n.name)) continue;
    const s = state?.nodes.find((x) => x.container === n.containerName);
    const entry: NodeRuntimeInfo = { image: s?.image ?? n.image, ...(s?.imageSubstitute ? { imageSubstitute: s.imageSubstitute } : {}), ...(s?.mgmtIPv4 ? { mgmtIPv4: s.mgmtIPv4 } : {}) };
    info.set(n.name, entry);
  }
  await writeLabDir(plan, info, isManaged);
  await recordNodes(plan, runtime, (name) => isManaged(byName.get(name)!), (name) => ctx.kindCtx.netnsPid(byName.get(name)!));
  return warnings;
}

/**
 * `lab deploy` of a running lab whose topology was edited: the changes applied in place, as
 * `lab apply` does (the caller holds the lab's lock). Undefined when there is nothing to apply
 * that way: no lab running, a deploy that did not finish, no recorded plan (an older kindlab),
 * a staged lab, or no change; the deploy then goes on as before (repair, or nothing to do).
 */
export async function applyIfChanged(plan0: LabPlan, opts: ApplyOptions & { runtime: Runtime }): Promise<ApplyResult | undefined> {
  const { runtime } = opts;
  if (usesStages(plan0.nodes)) return undefined;
  if ((await runtime.listContainers({ [LABEL_LAB]: plan0.name })).length === 0) return undefined;
  const last = await readDeployState(plan0.labDir);
  if (!last || last.status !== 'complete') return undefined;
  const old = await readAppliedPlan(plan0.labDir);
  if (!old) return undefined;
  const plan = pinMgmtAddresses(old, pinClusterNodes(old, plan0), freeMgmtAddress(plan0));
  const diff = diffPlans(old, plan, await fileHashes(plan));
  if (isEmptyDiff(diff)) return undefined;
  const steps = applySteps(old, plan, diff);
  const text = formatDiff(plan.name, diff, steps);
  const refused = applyRefusal(plan, old, diff, steps);
  if (refused) throw new KindlabError(refused.code, refused.shortMessage, { hint: refused.hint, detail: text });
  opts.onNotice?.(text.trimEnd());
  const warnings = await carryOut(plan, old, steps, runtime, opts);
  return { plan, diff, steps, text, status: 'applied', warnings };
}

export async function applyLab(source: { plan: LabPlan }, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const runtime = opts.runtime ?? new DockerRuntime();
  const lab = source.plan.name;
  return withLabLock(lab, async () => {
    if (!opts.force) await assertLabOwner(runtime, lab, source.plan.file, 'deploy');
    const existing = await runtime.listContainers({ [LABEL_LAB]: lab });
    const old = await readAppliedPlan(source.plan.labDir);
    if (existing.length === 0) throw new KindlabError('APPLY', `lab ${lab} is not running: nothing to change in place`, { hint: `deploy it: lab deploy -t ${source.plan.file}` });
    const last = await readDeployState(source.plan.labDir);
    if (last && last.status !== 'complete') throw new KindlabError('APPLY', `lab ${lab}: its last deploy did not finish (${last.status})`, { hint: `finish it first: lab deploy -t ${source.plan.file}` });
    if (!old) {
      throw new KindlabError('APPLY', `lab ${lab} has no recorded plan (${join(source.plan.labDir, APPLIED_PLAN_FILE)}): it was deployed by an older kindlab`, { hint: `redeploy it once: lab deploy --reconfigure -t ${source.plan.file}` });
    }
    const plan = pinMgmtAddresses(old, pinClusterNodes(old, source.plan), freeMgmtAddress(source.plan));
    const diff = diffPlans(old, plan, await fileHashes(plan));
    const steps = applySteps(old, plan, diff);
    const text = formatDiff(lab, diff, steps);
    if (isEmptyDiff(diff)) return { plan, diff, steps, text, status: 'unchanged', warnings: [] };
    const refused = applyRefusal(plan, old, diff, steps);
    if (refused) throw new KindlabError(refused.code, refused.shortMessage, { hint: refused.hint, detail: text });
    if (opts.dryRun) return { plan, diff, steps, text, status: 'planned', warnings: [] };
    const warnings = await carryOut(plan, old, steps, runtime, opts);
    return { plan, diff, steps, text, status: 'applied', warnings };
  }, { onWait: opts.onNotice });
}
