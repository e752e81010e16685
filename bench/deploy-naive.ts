/**
 * The naive sequential deploy that bench/deploy.ts compares `lab deploy` against: what a shell script
 * around `docker run`, `ip` and `docker exec` does, built from the runtime's own pieces so the
 * containers, links and commands are exactly the deploy's:
 *   1. every container created and started, one after the other;
 *   2. every link, one `ip` process per call (the pair, then each end's alias, addresses, up);
 *   3. after everything, every node's kind start-up and exec lines, node after node.
 * The lab it leaves is a normal lab (labels, lab directory), removed with destroyLab.
 * `containersOnly` is the floor under any deploy of the same file: every container created and started at
 * once, and nothing else (no links, no start-up, no exec lines).
 */
import type { LabPlan, VethLinkSpec } from '../src/topology/index.js';
import type { Runtime } from '../src/runtime/index.js';
import { createNode, execNodeLines, imagesAction, kindOf, labDirAction, makeKindContext, mgmtAction, type DeployContext } from '../src/runtime/deploy-steps.js';
import { endpointConfigLines, vethAddArgs } from '../src/runtime/links.js';
import { linkMark } from '../src/runtime/labels.js';
import { ip } from '../src/runtime/netns.js';

export interface NaiveTimings {
  prepare: number;
  containers: number;
  links: number;
  exec: number;
}

const now = () => performance.now();

const quiet = () => undefined;

/** The deploy's own first steps (images, lab directory, management network), timed. */
async function prepared(plan: LabPlan, runtime: Runtime, concurrency: number): Promise<{ ctx: DeployContext; prepare: number }> {
  const ctx: DeployContext = { plan, runtime, concurrency, info: new Map(), kindCtx: makeKindContext(plan, runtime) };
  const t = now();
  for (const a of [imagesAction, labDirAction, mgmtAction]) await a.run(ctx, quiet);
  return { ctx, prepare: now() - t };
}

export async function naiveDeploy(plan: LabPlan, runtime: Runtime): Promise<NaiveTimings> {
  const { ctx, prepare } = await prepared(plan, runtime, 1);
  let t = now();
  for (const n of plan.nodes) await createNode(ctx, n);
  const containers = now() - t;

  t = now();
  for (const link of plan.links) {
    if (link.type !== 'veth') throw new Error(`naive baseline: only veth links (got ${link.type})`);
    await naiveVeth(plan.name, link, (node) => ctx.kindCtx.netnsPid(ctx.kindCtx.node(node)));
  }
  const links = now() - t;

  t = now();
  for (const n of plan.nodes) {
    const kind = kindOf(ctx, n);
    if (kind.postDeploy) await kind.postDeploy(n, ctx.kindCtx);
    await execNodeLines(ctx, n, quiet);
  }
  return { prepare, containers, links, exec: now() - t };
}

/** The same preparation, then every container created and started at once; no links, no start-up, no exec lines. */
export async function containersOnly(plan: LabPlan, runtime: Runtime): Promise<Pick<NaiveTimings, 'prepare' | 'containers'>> {
  const { ctx, prepare } = await prepared(plan, runtime, plan.nodes.length);
  const t = now();
  await Promise.all(plan.nodes.map((n) => createNode(ctx, n)));
  return { prepare, containers: now() - t };
}

/** One `ip` process per command, as a script would run them. */
async function naiveVeth(lab: string, link: VethLinkSpec, pidOf: (node: string) => Promise<number>): Promise<void> {
  const [a, z] = link.endpoints;
  const mark = linkMark(lab, a, z);
  const pa = await pidOf(a.node);
  const pz = await pidOf(z.node);
  await ip(0, vethAddArgs(lab, link, pa, pz), a.node);
  for (const [ep, pid] of [[a, pa], [z, pz]] as const) {
    for (const line of endpointConfigLines(ep, mark)) await ip(pid, line.split(' '), ep.node);
  }
}
