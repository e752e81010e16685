/**
 * containerlab's deployment stages, for every lab (a node without `stages:` has the default ones). Every node runs its own
 * pipeline — create → create-links → configure → healthy → exit — and enters a stage only after its
 * previous stage and every stage it waits for (`wait-for: [{node, stage}]`) are done. On entering a
 * stage its `on-enter` commands run, on finishing it its `on-exit` commands. What each stage does:
 * - create: the container is created and started;
 * - create-links: the node's links are created; a link is made once both its ends have entered
 *   create-links, so the stage ends when every peer got there too — except for a peer that can only
 *   get there after this node's stage (it waits for a later stage of this node): that link is made
 *   when the peer arrives. (containerlab makes this node's end at once and parks the far end in the
 *   host netns; here the interface appears when the peer arrives.)
 * - configure: the kind's post-deploy work (e.g. FRR starts), then after the stage the node's
 *   `exec:` lines (containerlab runs them right after configure);
 * - healthy: only when another node waits for it or it has commands: waits until Docker reports
 *   the container healthy (fails when Docker reports it unhealthy or the container stops);
 * - exit: only when waited for or with commands: waits until the container has stopped.
 * Node-level `wait-for` and `network-mode: container:<node>` wait for that node's create stage.
 * Cycles among the waits are refused before anything runs (topology/plan-graph checkStageCycles).
 */
import { KindlabError, withPrefix } from '../errors.js';
import { STAGES, dependencyEdges, linkEndWaits, stageOf, usesStages, type NodePlan, type Stage, type StageExec } from '../topology/index.js';
import { createNode, deployLink, execNodeLines, kindOf, unlockNodeSysctls, type Action, type DeployContext } from './deploy-steps.js';
import { kindFacts } from './kinds/index.js';
import { runCommand } from './node-exec.js';
import { quickPrefix } from './exec-batch.js';
import { splitCommand } from './argv.js';
import { Semaphore } from '../lib/index.js';

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** How often the healthy and exit stages look at the container (containerlab polls every second). */
const POLL_MS = 1000;

export const nodesAction: Action = {
  title: 'Nodes',
  async run(ctx, progress) {
    await runStages(ctx, progress);
  },
};

export async function runStages(ctx: DeployContext, progress: (msg: string) => void): Promise<void> {
  const plan = ctx.plan;
  const done = new Map<string, Deferred>();
  const entered = new Map<string, Deferred>();
  const key = (node: string, stage: Stage): string => `${node}\u0000${stage}`;
  for (const n of plan.nodes) {
    for (const st of STAGES) {
      done.set(key(n.name, st), deferred());
      entered.set(key(n.name, st), deferred());
    }
  }
  // a failing node stops every other pipeline at its next wait
  const abort = new AbortController();
  const failed = new Promise<never>((_, reject) => abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true }));
  failed.catch(() => undefined);
  const waitFor = async (p: Promise<void>): Promise<void> => {
    abort.signal.throwIfAborted();
    await Promise.race([p, failed]);
  };

  const active = activeStages(plan.nodes);
  const endWaits = linkEndWaits(plan.nodes, plan.links, dependencyEdges(plan.nodes));
  const linkRuns = new Map<number, Promise<void>>();
  const concurrency = new Semaphore(ctx.concurrency);
  const hasStartUp = (n: NodePlan) => !!kindOf(ctx, n).postDeploy;
  const createRank = creationRanks(plan.nodes, plan.links, hasStartUp);
  // links have slots of their own: they are kernel work (nsenter + ip), not Docker's, and behind one queue with
  // the creates a link waited for the lab's last container (60-node leaf-spine: leaf1 created at 1.4 s, its
  // links made at 16.8 s, when the 60th container was)
  const linkSlots = new Semaphore(ctx.concurrency);
  const startUps = startUpGate(plan.nodes, hasStartUp);
  const startUpDone = new Map([...startUps.startUps].map((name) => [name, deferred()]));

  // a node's net sysctls are unlocked beside its links, not inside its creation slot: the slot goes to the next
  // container at once; the node's first command (stage, kind start-up or exec line) waits for it
  const unlocked = new Map<string, Promise<void>>();
  const sysctlsReady = (n: NodePlan): Promise<void> => unlocked.get(n.name) ?? Promise.resolve();
  const runExecs = async (n: NodePlan, stage: Stage, list: StageExec[], phase: string): Promise<void> => {
    if (list.length > 0) await sysctlsReady(n);
    for (const e of list) {
      progress(`${n.name} ${stage} ${phase}: ${e.command}`);
      const onHost = e.target === 'host' || kindFacts(n.kind).start === 'host';
      await runCommand(ctx.runtime, onHost ? undefined : n.containerName, e.command, `${n.name} (stage ${stage} ${phase})`);
    }
  };
  const enter = async (n: NodePlan, stage: Stage, extra: string[] = []): Promise<void> => {
    const waits = [...stageOf(n, stage).waitFor.map((w) => done.get(key(w.node, w.stage))!.promise), ...extra.map((d) => done.get(key(d, 'create'))!.promise)];
    if (waits.length > 0) progress(`${n.name}: waiting to enter ${stage}`);
    await waitFor(Promise.all(waits).then(() => undefined));
    entered.get(key(n.name, stage))!.resolve();
    await runExecs(n, stage, stageOf(n, stage).onEnter, 'on-enter');
  };
  const finish = async (n: NodePlan, stage: Stage): Promise<void> => {
    await runExecs(n, stage, stageOf(n, stage).onExit, 'on-exit');
    done.get(key(n.name, stage))!.resolve();
  };

  // KINDLAB_STAGE_TRACE=1: each node's milestones (seconds since the step began) on stderr, for the deploy benches
  const t0 = performance.now();
  const trace = process.env['KINDLAB_STAGE_TRACE'] ? (n: NodePlan, what: string) => process.stderr.write(`stage-trace ${((performance.now() - t0) / 1000).toFixed(3)} ${n.name} ${what}\n`) : () => undefined;
  const pipeline = async (n: NodePlan): Promise<void> => {
    trace(n, 'start');
    await enter(n, 'create', n.dependsOn);
    await concurrency.run(() => createNode(ctx, n, progress, { deferSysctls: true }), createRank.get(n.name));
    unlocked.set(n.name, unlockNodeSysctls(ctx, n, progress).then(() => {
      trace(n, 'sysctls');
    }));
    progress(`${n.name}: created`);
    trace(n, 'created');
    await finish(n, 'create');

    await enter(n, 'create-links');
    const mine = plan.links.map((l, i) => [l, i] as const).filter(([l]) => l.endpoints.some((ep) => ep.node === n.name));
    await Promise.all(
      mine.map(([link, i]) => {
        // a peer that only gets here after this stage makes the link when it arrives
        if (!endWaits.has(`${i}:${n.name}`)) return undefined;
        let run = linkRuns.get(i);
        if (!run) {
          const peers = [...new Set(link.endpoints.map((ep) => ep.node))];
          run = waitFor(Promise.all(peers.map((p) => entered.get(key(p, 'create-links'))!.promise)).then(() => undefined)).then(() => linkSlots.run(() => deployLink(ctx, link)));
          linkRuns.set(i, run);
        }
        return run;
      }),
    );
    await finish(n, 'create-links');
    trace(n, 'links');

    await enter(n, 'configure');
    const kind = kindOf(ctx, n);
    await sysctlsReady(n);
    // the kind's start-up (FRR's frrinit) is the node's own work, as its exec lines are: it holds no slot that
    // container creation and links need
    if (kind.postDeploy) {
      trace(n, 'start-up');
      await kind.postDeploy(n, ctx.kindCtx);
    }
    await finish(n, 'configure');
    trace(n, 'configured');
    // in a lab without stages the routers (kinds with a start-up) are configured, start-up and exec lines, before
    // the exec lines of every other node (startUpGate)
    // the node's leading quick lines (ip, sysctl, ln…: exec-batch.ts) start no process and need no router: not gated
    const gate = startUps.waitsFor(n.name);
    const early = gate.length > 0 ? quickPrefix(n.exec.map(splitCommand)) : n.exec.length;
    if (early > 0) await execNodeLines(ctx, n, progress, n.exec.slice(0, early));
    if (early < n.exec.length) {
      if (gate.length > 0) await waitFor(Promise.all(gate.map((r) => startUpDone.get(r)!.promise)).then(() => undefined));
      await execNodeLines(ctx, n, progress, n.exec.slice(early));
    }
    startUpDone.get(n.name)?.resolve();
    trace(n, 'exec');

    if (active.has(key(n.name, 'healthy'))) {
      await enter(n, 'healthy');
      await untilHealthy(ctx, n, abort.signal);
      progress(`${n.name}: healthy`);
      await finish(n, 'healthy');
    }
    if (active.has(key(n.name, 'exit'))) {
      await enter(n, 'exit');
      await untilStopped(ctx, n, abort.signal);
      progress(`${n.name}: exited`);
      await finish(n, 'exit');
    }
  };

  const results = await Promise.allSettled(
    // started in rank order: the first slots go to rank 0 too
    [...plan.nodes].sort((a, b) => createRank.get(a.name)! - createRank.get(b.name)!).map((n) =>
      pipeline(n).catch((e: unknown) => {
        const err = e instanceof KindlabError && e.shortMessage.startsWith(`${n.name}`) ? e : withPrefix(n.name, e, 'DEPLOY');
        if (!abort.signal.aborted) abort.abort(err);
        throw err;
      }),
    ),
  );
  const first = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (first) {
    // the first failure is the cause; the others only stopped because of it
    throw abort.signal.reason ?? first.reason;
  }
}

/** Stages a node enters beyond configure: healthy/exit only when some node waits for them or they have commands (containerlab's MustWait). */
export function activeStages(nodes: NodePlan[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    for (const st of ['healthy', 'exit'] as const) {
      if (stageOf(n, st).onEnter.length + stageOf(n, st).onExit.length > 0) out.add(`${n.name}\u0000${st}`);
    }
    for (const st of STAGES) for (const w of stageOf(n, st).waitFor) out.add(`${w.node}\u0000${w.stage}`);
  }
  return out;
}

async function untilHealthy(ctx: DeployContext, n: NodePlan, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const c = await ctx.runtime.inspectContainer(n.containerName);
    if (!c || c.state === 'exited' || c.state === 'dead') {
      throw new KindlabError('DEPLOY', `${n.name}: container ${c ? c.state : 'is gone'} while waiting for it to become healthy`);
    }
    if (c.health === undefined) throw new KindlabError('DEPLOY', `${n.name}: container has no healthcheck, so it never becomes healthy`, { hint: 'give the node a healthcheck' });
    if (c.health === 'healthy') return;
    if (c.health === 'unhealthy') {
      throw new KindlabError('DEPLOY', `${n.name}: Docker reports the container unhealthy`, { detail: c.healthOutput ? `last healthcheck output: ${c.healthOutput}` : undefined, hint: 'check the node\'s healthcheck test (and its retries, interval and start-period)' });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function untilStopped(ctx: DeployContext, n: NodePlan, signal: AbortSignal): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const c = await ctx.runtime.inspectContainer(n.containerName);
    if (!c || c.state === 'exited' || c.state === 'dead') return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * The order in which waiting nodes get a creation slot (rank 0 first, the plan's order within a rank): the nodes
 * whose kind has a start-up (FRR's daemons), then the link peers they need before they can configure, then the
 * rest. Their start-up and exec lines are the longest tail of the step; created last, their start-up ran beside
 * the other nodes' creations and exec lines (the kube-router multihop lab: router2's FRR start took 5–7 s instead
 * of 2–3 s, and its exec lines, which sleep 5 s, began that much later). The routers come before their other
 * peers because a router linked to many routers (a spine) can configure only when the last of them exists: with
 * routers and hosts interleaved in plan order, the 60-node leaf-spine's spines waited for the 58th container of 60
 * (14.7 s) and their sessions came up 16.5–26.5 s into the deploy (one traced run). Pure.
 */
export function creationRanks(nodes: NodePlan[], links: Array<{ endpoints: ReadonlyArray<{ node: string }> }>, hasStartUp: (n: NodePlan) => boolean): Map<string, number> {
  const startUp = new Set(nodes.filter(hasStartUp).map((n) => n.name));
  const peers = new Set<string>();
  for (const l of links) {
    const ends = l.endpoints.map((e) => e.node);
    if (ends.some((e) => startUp.has(e))) for (const e of ends) peers.add(e);
  }
  return new Map(nodes.map((n) => [n.name, startUp.has(n.name) ? 0 : peers.has(n.name) ? 1 : 2]));
}

/**
 * Which nodes have a kind start-up (FRR's daemons), and whether the exec lines of every node without one wait
 * until all of them are configured: start-up and their own exec lines (`gated`). An exec line often starts a heavy
 * process (the Kubernetes nodes' BGP agents are Node.js programs, retried every second), and on 2 cores FRR's start
 * beside them took 4.5–7 s instead of ≈ 1.4 s, on the lab's longest chain (the kube-router multihop lab: router2's
 * FRR start, then its exec lines, which sleep 5 s). A router's own exec lines follow its own start-up at once, and
 * what the other nodes start then finds the routers configured: the multihop lab's agents connect to a VRRP
 * address that router1's exec lines make; started beside them, their first connect failed before the VRRP
 * master-down timer ran out and the sessions waited for the 5 s connect retry. A node's leading quick lines
 * (`ip addr add`, `ip route add`, `ln -sf`: exec-batch.ts) are not held: they start nothing and need no router, and
 * held they cost kube-ovn-speaker's nodes the switches' whole start-up. A lab with stages is not gated: a
 * start-up node may wait for a stage that comes after another node's exec lines. A lab without start-ups (exec-
 * configured FRR) is not gated either: each node's exec lines begin as soon as its links are up. Pure.
 */
export function startUpGate(nodes: NodePlan[], hasStartUp: (n: NodePlan) => boolean): { startUps: Set<string>; gated: boolean; waitsFor: (node: string) => string[] } {
  const startUps = new Set(nodes.filter(hasStartUp).map((n) => n.name));
  const gated = startUps.size > 0 && !usesStages(nodes);
  return { startUps, gated, waitsFor: (node) => (gated && !startUps.has(node) ? [...startUps] : []) };
}
