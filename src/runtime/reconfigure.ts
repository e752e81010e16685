/**
 * `lab deploy --reconfigure` for a running lab written as routing intent: the routers get their new
 * rendering in place (files rewritten over their bind-mounted copies, the daemon reloaded as
 * render/reload.ts plans it); no container is recreated. A lab whose nodes or links changed is not
 * reconfigurable in place: `inPlaceReason` says why and deploy falls back to destroy-and-deploy.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KindlabError } from '../errors.js';
import { planReload, type ReloadPlan } from '../render/index.js';
import type { LabPlan } from '../topology/index.js';
import type { Runtime } from './docker.js';
import { isManaged } from './deploy-steps.js';
import { readDeployState } from './deploy-state.js';
import { renderedExecPath, renderedFilePath, topologyDataLink } from './labdir.js';
import { LABEL_LAB } from './labels.js';

/** Undefined when the running lab can take the plan in place; else why not (for the notice). */
export async function inPlaceReason(plan: LabPlan, runtime: Runtime): Promise<string | undefined> {
  if (!plan.routing) return 'the topology has no routing: section';
  const last = await readDeployState(plan.labDir);
  if (last?.status !== 'complete') return 'its last deploy did not complete';
  const existing = await runtime.listContainers({ [LABEL_LAB]: plan.name });
  const want = plan.nodes.filter(isManaged).map((n) => n.containerName).sort();
  const running = existing.filter((c) => c.state === 'running').map((c) => c.name).sort();
  if (existing.length === 0) return 'it is not running';
  if (JSON.stringify(want) !== JSON.stringify(running)) return 'its nodes changed (or some are not running)';
  const data = await readFile(join(plan.labDir, 'topology-data.json'), 'utf8').then((t) => JSON.parse(t) as { links?: unknown[] }, () => undefined);
  const links = plan.links.map((l) => topologyDataLink(plan.name, l));
  if (!data || JSON.stringify(data.links) !== JSON.stringify(links)) return 'its links changed';
  const recreate = planLabReload(plan).find((r) => r.recreate);
  if (recreate) return `${recreate.node}: ${recreate.recreate}`;
  return undefined;
}

/** The reload of every rendered router of the plan (steps empty for the unchanged ones). Reads the lab directory. */
export function planLabReload(plan: LabPlan): ReloadPlan[] {
  const out: ReloadPlan[] = [];
  for (const r of plan.routing?.routers ?? []) {
    const node = plan.nodes.find((n) => n.name === r.node);
    // a node with its own exec/startup-config was not given the rendering
    if (!node?.files) continue;
    const read = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);
    const execFile = read(renderedExecPath(plan, node));
    const deployedExec = execFile ? (JSON.parse(execFile) as string[]) : node.exec;
    out.push(planReload(r, (path) => read(renderedFilePath(plan, node, path)), deployedExec));
  }
  return out;
}

/** Applies the plan's rendering to the running routers; returns one line per changed router. */
export async function reconfigureRouters(plan: LabPlan, runtime: Runtime, notice: (m: string) => void): Promise<string[]> {
  const reloads = planLabReload(plan).filter((r) => r.steps.length > 0);
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  const done = await Promise.allSettled(reloads.map(async (r) => {
    const node = byName.get(r.node)!;
    // rewritten in place: the container binds the file (its inode), not the directory
    for (const f of r.files) await writeFile(renderedFilePath(plan, node, f.path), f.content);
    for (const s of r.steps) {
      const x = await runtime.exec(node.containerName, s.argv, { target: r.node });
      const out = `${x.stdout}${x.stderr}`;
      if ((s.failsOn && s.failsOn.test(out)) || (s.needs && !s.needs.test(out))) {
        throw new KindlabError('RECONFIGURE', `${r.node}: ${s.what} failed: ${out.trim().split('\n').slice(0, 5).join(' | ')}`, { hint: `see the rendered config: lab config show ${r.node} -t ${plan.file}` });
      }
    }
    await writeFile(renderedExecPath(plan, node), JSON.stringify(node.exec, null, 1) + '\n');
    return `${r.node} (${r.daemon}): ${r.steps.map((s) => s.what).join('; ')}`;
  }));
  const failed = done.filter((d): d is PromiseRejectedResult => d.status === 'rejected');
  if (failed.length) {
    const first = failed[0]!.reason as unknown;
    throw first instanceof KindlabError ? first : new KindlabError('RECONFIGURE', String(first));
  }
  const lines = done.map((d) => (d as PromiseFulfilledResult<string>).value);
  if (plan.cluster && plan.routing?.clusterObjects.length) notice('note: the cluster\'s generated peering objects are not re-applied by --reconfigure (lab redeploy does)');
  return lines;
}
