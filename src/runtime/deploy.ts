/**
 * `lab deploy`: an ordered list of small named actions run under listr2. On failure everything
 * carrying the lab's label is removed (unless `retain`), and the error names the step and node.
 * A second deploy of a running lab changes nothing and says so (or repairs restarted nodes, or, when the
 * topology was edited, applies just the changes: apply.ts); `reconfigure` applies a changed routing intent to
 * the running routers in place (reconfigure.ts), or else destroys first.
 */
import { Listr } from 'listr2';
import { KindlabError, errorMessage, withPrefix } from '../errors.js';
import type { LabPlan } from '../topology/index.js';
import { nodesAction } from './stages.js';
import { certificatesAction } from './node-certs.js';
import { DockerRuntime, type Runtime } from './docker.js';
import {
  type Action,
  type DeployContext,
  imagesAction,
  isManaged,
  labDirAction,
  makeKindContext,
  mgmtAction,
  writeLabDirAction,
} from './deploy-steps.js';
import type { ClusterProvider, ClusterProviderFactory } from './cluster-provider.js';
import { multiClusterProvider } from './cluster-providers.js';
import { destroyLab } from './destroy.js';
import { LABEL_LAB, LABEL_POD_OF } from './labels.js';
import { recordLab, withLabLock } from './lab-registry.js';
import { assertLabOwner } from './lab-owner.js';
import { DeployProgress, readDeployState, stoppedIn, type StepTiming } from './deploy-state.js';
import { repairLab } from './repair.js';
import { beginRecordAction, recordNodesAction } from './node-record.js';
import { applyIfChanged } from './apply.js';
import { engineRuntime, type EngineRuntime } from './engines.js';
import { VtepHelpers, isHelper } from './cross-links.js';

export type RendererName = 'default' | 'simple' | 'verbose' | 'silent';

export interface DeployOptions {
  runtime?: Runtime;
  /** Nodes created / configured at once (default 4). */
  concurrency?: number;
  reconfigure?: boolean;
  /** Keep what was created when the deploy fails (for debugging). */
  retain?: boolean;
  renderer?: RendererName;
  /** Never pull: missing images run as their local substitutes (article aliases). */
  offline?: boolean;
  /** Told what the deploy decides on its own (waiting for another command on the lab, redeploying...). */
  onNotice?: (message: string) => void;
  /** Act on the lab even when another topology file owns it. */
  force?: boolean;
  /** Aborting stops the deploy and removes what it created (Ctrl-C). */
  signal?: AbortSignal;
  /** Brings up the lab's `cluster:` section (required when the plan has one): src/cluster/lab's embeddedCluster. */
  clusterProvider?: ClusterProviderFactory;
}

export interface DeployResult {
  plan: LabPlan;
  /**
   * `unchanged`: the lab was already running; nothing was done. `repaired`: stopped or restarted nodes were brought back (repair.ts).
   * `applied`: the edited topology's changes were made in place (apply.ts).
   * `reconfigured`: the routers took the new routing intent in place (reconfigure.ts).
   */
  status: 'deployed' | 'unchanged' | 'repaired' | 'applied' | 'reconfigured';
  message: string;
  /** Wall time of each step of this deploy (empty when nothing was done). */
  timings: StepTiming[];
  /** What the user should know of the lab as built (cross-host links: VNI, lowered MTU), one line each (additive). */
  notes?: string[];
}

export function defaultRenderer(): RendererName {
  return process.stdout.isTTY && !process.env['CI'] ? 'default' : 'simple';
}

/** The lab's current state from Docker labels: unchanged, fresh, or an error for a partial lab. */
async function checkState(ctx: DeployContext, reconfigure: boolean, notice: (m: string) => void): Promise<string | undefined> {
  // A cluster's pod containers (real-image pods) are the node daemons' business, not nodes of the lab; nor are the
  // cross-host links' helpers (a deploy that stopped may have left one).
  const existing = (await ctx.runtime.listContainers({ [LABEL_LAB]: ctx.plan.name })).filter((c) => !c.labels[LABEL_POD_OF] && !isHelper(c.labels));
  const last = await readDeployState(ctx.plan.labDir);
  if (last && last.status !== 'complete' && !reconfigure) {
    // killed midway (or its rollback was): the containers may run but links, exec or the cluster are missing
    const step = stoppedIn(last);
    notice(`lab ${ctx.plan.name}: the last deploy (pid ${last.pid}, ${last.startedAt}) did not finish (${last.status}${step ? `, stopped in step "${step}"` : ''}); removing what it left and deploying again`);
    await destroyLab(ctx.runtime, ctx.plan.name, { labDir: ctx.plan.labDir });
    return undefined;
  }
  if (existing.length === 0) return undefined;
  if (reconfigure) {
    await destroyLab(ctx.runtime, ctx.plan.name, {});
    return undefined;
  }
  const want = ctx.plan.nodes.filter(isManaged).map((n) => n.containerName);
  const running = new Set(existing.filter((c) => c.state === 'running').map((c) => c.name));
  const present = new Set(existing.map((c) => c.name));
  // every container is there (some may be stopped or restarted): the lab is checked and repaired
  if (want.every((w) => present.has(w)) && existing.length === want.length) {
    return `lab ${ctx.plan.name} is already deployed: ${want.length} nodes running, nothing to do`;
  }
  throw new KindlabError('DEPLOY', `lab ${ctx.plan.name} is partly deployed (${running.size} of ${want.length} containers running)`, {
    hint: `if you edited the topology, change the running lab in place: lab apply -t ${ctx.plan.file} (--dry-run shows the plan); else redeploy from scratch with: lab deploy --reconfigure -t ${ctx.plan.file}, or remove it: lab destroy --name ${ctx.plan.name}`,
  });
}

/** Rejects when the signal aborts, so an interrupted step stops the deploy at once. */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, lab: string, step: string): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted(lab, step, signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function interrupted(lab: string, step: string, signal: AbortSignal): KindlabError {
  const why = typeof signal.reason === 'string' ? signal.reason : 'interrupted';
  return new KindlabError('DEPLOY_INTERRUPTED', `lab ${lab}: deploy ${why} during step "${step}"`);
}

/** One runtime over the lab's engines, each container routed to its node's host; `local` is a source of images. */
async function labEngines(plan: LabPlan, local: Runtime | undefined): Promise<EngineRuntime> {
  const placement = new Map(plan.nodes.filter((n) => n.host !== undefined).map((n) => [n.containerName, n.host!]));
  const engines = await engineRuntime(plan.hosts!, placement, local ?? new DockerRuntime());
  // a wrong certificate or an ssh host that does not answer is told (naming the host) before anything is made
  await engines.checkReachable();
  return engines;
}

/** The deploy's steps: the base actions, and the cluster provider's only when the lab has one (as kind builds its list). */
export function deployActions(cluster?: ClusterProvider, plan?: LabPlan): Action[] {
  // Every node runs its own pipeline (containerlab's stages: create → links → configure → exec), with or without
  // `stages:` in the topology: a node's exec lines start once its own links are up, not after every container and
  // link of the lab (measured on the Cilium article lab: 10.7 s → 7.5 s, 21.9 s → 18.3 s under load).
  return [imagesAction, labDirAction, ...(plan?.ca ? [certificatesAction] : []), mgmtAction, ...(cluster?.prepare ?? []), nodesAction, ...(cluster?.actions?.length ? [beginRecordAction, ...cluster.actions] : []), recordNodesAction, writeLabDirAction];
}

/** The deploy's cluster provider: one per deploy, only for a plan with a `cluster:` section. */
function providerFor(plan: LabPlan, factory: ClusterProviderFactory | undefined): ClusterProvider | undefined {
  if (!plan.cluster) return undefined;
  if (!factory) throw new KindlabError('INTERNAL', `lab ${plan.name} has a cluster section but the deploy was given no cluster provider`, { hint: 'pass clusterProvider: embeddedCluster (src/cluster/lab)' });
  // several clusters (k8s-kind nodes): one provider per cluster
  if (plan.clusters && plan.clusters.length > 1) return multiClusterProvider(plan, plan.clusters, factory);
  return factory.forDeploy(plan);
}

function wrapStepError(lab: string, title: string, e: unknown): KindlabError {
  if (e instanceof AggregateError) {
    const first = e.errors[0];
    const k = first instanceof KindlabError ? first : undefined;
    return new KindlabError(k?.code === 'RUNTIME_EXEC' ? 'RUNTIME_EXEC' : 'DEPLOY', `lab ${lab}: ${title} failed on ${e.errors.length} nodes: ${e.errors.map((x) => (x instanceof KindlabError ? x.shortMessage : String(x))).join('; ')}`, {
      cause: e,
      detail: k?.detail,
      hint: k?.hint,
    });
  }
  return withPrefix(`lab ${lab}: ${title}`, e, 'DEPLOY');
}

/** The deploy failed and removing what it created failed too: the error names both. */
export function cleanupFailed(lab: string, err: KindlabError, cleanup: unknown): KindlabError {
  return new KindlabError(err.code, `${err.shortMessage}; removing what the deploy created failed too: ${errorMessage(cleanup)}`, {
    cause: new AggregateError([err, cleanup], 'deploy and cleanup failed'),
    detail: err.detail,
    hint: `remove the rest by hand: lab destroy --name ${lab}`,
  });
}

/**
 * Deploys a lab from its plan (the caller loads and validates the topology: a bad one creates nothing).
 * Holds the lab's lock throughout: a second deploy or destroy of the same lab waits for this one.
 */
export async function deploy(source: { plan: LabPlan }, opts: DeployOptions = {}): Promise<DeployResult> {
  return withLabLock(source.plan.name, () => deployLocked(source, opts), { onWait: opts.onNotice, signal: opts.signal });
}

async function deployLocked(source: { plan: LabPlan }, opts: DeployOptions): Promise<DeployResult> {
  const plan = source.plan;
  const engines = plan.hosts ? await labEngines(plan, opts.runtime) : undefined;
  const runtime = engines ?? opts.runtime ?? new DockerRuntime();
  const renderer = opts.renderer ?? defaultRenderer();
  const ctx: DeployContext = {
    plan,
    runtime,
    concurrency: opts.concurrency ?? 4,
    info: new Map(),
    kindCtx: makeKindContext(plan, runtime),
    cluster: providerFor(plan, opts.clusterProvider),
    offline: opts.offline,
    ...(engines ? { engines, vteps: new VtepHelpers(plan.name, { labDir: plan.labDir, topo: plan.file }) } : {}),
  };
  let current = 'check lab state';
  const notice = opts.onNotice ?? (() => undefined);
  if (!opts.force) await assertLabOwner(runtime, plan.name, plan.file, 'deploy');
  if (!opts.reconfigure) {
    // the topology was edited since the lab was deployed: only what changed is made or removed (lab apply)
    const applied = await applyIfChanged(plan, { runtime, onNotice: notice, clusterProvider: opts.clusterProvider, concurrency: ctx.concurrency });
    if (applied) {
      for (const w of applied.warnings) notice(`warning: ${w}`);
      return { plan: applied.plan, status: 'applied', message: `lab ${plan.name} changed in place (the other containers were not touched)`, timings: [] };
    }
  }
  if (opts.reconfigure && plan.routing) {
    // loaded here: it brings the config renderer (templates, diff), which no other command of runtime/ needs
    const { inPlaceReason, reconfigureRouters } = await import('./reconfigure.js');
    const why = await inPlaceReason(plan, runtime);
    if (!why) {
      const lines = await reconfigureRouters(plan, runtime, notice);
      const message = lines.length ? `lab ${plan.name} reconfigured in place, no container recreated:\n${lines.map((l) => `  ${l}`).join('\n')}` : `lab ${plan.name}: the rendered configs are unchanged, nothing to reconfigure`;
      return { plan, status: 'reconfigured', message, timings: [] };
    }
    if (why !== 'it is not running') notice(`lab ${plan.name} cannot be reconfigured in place (${why}): destroying and deploying it again`);
  }
  try {
    ctx.unchanged = await checkState(ctx, !!opts.reconfigure, notice);
  } catch (e) {
    throw wrapStepError(plan.name, current, e);
  }
  if (ctx.unchanged) {
    // a node stopped or restarted behind the lab's back: its links, sharers and exec lines are redone
    const r = await repairLab(plan, { runtime, cluster: ctx.cluster, onNotice: notice, concurrency: ctx.concurrency }).catch((e: unknown) => {
      throw withPrefix(`lab ${plan.name}: repair`, e, 'DEPLOY');
    });
    if (r.done.length === 0) return { plan, status: 'unchanged', message: ctx.unchanged, timings: [] };
    for (const w of r.warnings) notice(`warning: ${w}`);
    const degraded = r.before.filter((h) => h.status !== 'running').map((h) => `${h.node} (${h.status})`);
    return { plan, status: 'repaired', message: `lab ${plan.name} repaired: ${degraded.join(', ')}: ${r.done.join('; ')}`, timings: [] };
  }
  // remembered apart from Docker: destroy --cleanup finds the directory even with no container left
  await recordLab({ lab: plan.name, file: plan.file, labDir: plan.labDir });
  // progress is on disk before anything is created: a deploy killed midway is redone by the next one
  const progress = new DeployProgress(plan.labDir, plan.name, plan.file);
  await progress.start();
  /** The step still running when the signal came (it cannot be cancelled: cleanup waits for it). */
  let inFlight: Promise<unknown> = Promise.resolve();

  const list = new Listr<DeployContext, RendererName, RendererName>(
    deployActions(ctx.cluster, plan).map((a) => ({
      title: a.title,
      task: async (c: DeployContext, task) => {
        current = a.title;
        opts.signal?.throwIfAborted();
        await progress.stepStarted(a.title);
        const run = a.run(c, (msg) => {
          task.output = msg;
        });
        inFlight = run.catch(() => undefined);
        await abortable(run, opts.signal, plan.name, a.title);
        await progress.stepFinished(a.title);
      },
      ...(a.rollback ? { rollback: async (c: DeployContext) => a.rollback!(c) } : {}),
    })),
    { renderer, fallbackRenderer: renderer, exitOnError: true, registerSignalListeners: false, ctx },
  );
  try {
    await list.run();
  } catch (e) {
    const stopped = opts.signal?.aborted === true;
    const err = stopped ? interrupted(plan.name, current, opts.signal!) : wrapStepError(plan.name, current, e);
    await progress.finish(stopped ? 'interrupted' : 'failed').catch(() => undefined);
    // the record begun beside the cluster's steps writes into the lab directory: done before anything is removed
    await ctx.recording?.catch(() => undefined);
    if (!opts.retain) {
      if (stopped) notice(`lab ${plan.name}: removing what the deploy created (waiting up to 20 s for step "${current}" to stop)`);
      const removeAll = () => destroyLab(runtime, plan.name, { cleanup: true, labDir: plan.labDir });
      let cleanup = await removeAll().then(() => undefined, (c: unknown) => c);
      if (stopped) {
        // the interrupted step may still create things: let it settle, then sweep again
        await Promise.race([inFlight, new Promise((r) => setTimeout(r, 20_000).unref())]);
        cleanup = await removeAll().then(() => undefined, (c: unknown) => c);
      }
      if (cleanup !== undefined) throw cleanupFailed(plan.name, err, cleanup);
      const gone = [...(engines?.unreachable ?? [])];
      if (gone.length > 0) {
        throw new KindlabError(err.code, `${err.shortMessage}; what it created on the other hosts was removed; unreachable: ${gone.map(([h, why]) => `host ${h} (${why})`).join(', ')}`, {
          cause: err.cause,
          detail: err.detail,
          hint: `once the host is back, remove what is left there: lab destroy --name ${plan.name}`,
        });
      }
      throw new KindlabError(err.code, err.shortMessage, {
        cause: err.cause,
        detail: err.detail,
        hint: stopped ? 'everything the deploy created was removed; deploy again with the same command' : (err.hint ?? `everything the deploy created was removed; rerun with --retain to keep it for debugging`),
      });
    }
    throw new KindlabError(err.code, err.shortMessage, {
      cause: err.cause,
      detail: err.detail,
      hint: `--retain: the half-built lab is kept; finish it with: lab deploy -t ${plan.file} (it redoes the lab), or remove it with: lab destroy --name ${plan.name}`,
    });
  }
  await progress.finish('complete');
  const managed = plan.nodes.filter(isManaged).length;
  const hosts = plan.hosts ? ` on ${plan.hosts.length} hosts` : '';
  return { plan, status: 'deployed', message: `lab ${plan.name} deployed: ${managed} containers, ${plan.links.length} links${hosts}`, timings: progress.timings(), ...(ctx.notes ? { notes: ctx.notes } : {}) };
}
