/**
 * `lab graph`: the topology as a Mermaid flowchart (grouped by role, interface names on edges),
 * drawn to SVG/PNG by mermaid-cli in Chromium, or as an HTML page; after a deploy, with BGP
 * session state on the edges and pod CIDRs on the nodes.
 */
import { DockerRuntime, runtimeForLab } from '../runtime/index.js';
import { LABEL_LAB, LABEL_NODE } from '../runtime/index.js';
import type { LabPlan } from '../topology/index.js';
import { dockerExec } from '../verify/index.js';
import { applyPodCidrs, applySessions, collectSessions, podCidrs } from './live.js';
import { applyHosts, buildModel, foldSharers, type GraphModel } from './model.js';

export { applyHosts, buildModel, autoDirection, foldSharers, roleOf, ROLE_ORDER, ROLE_TITLES } from './model.js';
export type { EdgeEnd, GraphModel, GraphNode, GraphEdge, Role, SessionState } from './model.js';
export { toMermaid, nodeId, type MermaidOverlay } from './mermaid.js';
export { renderSvg, renderPng, chromiumPath, CHROMIUM_ARGS } from './render.js';
export { graphHtml } from './html.js';
export { cachedPage, parsePort, serveGraph, type GraphServer } from './serve.js';

export interface LabGraphOptions {
  direction?: 'TB' | 'LR' | 'auto';
  /** Add session state and pod CIDRs when the lab is running (default true). */
  live?: boolean;
  /** Draw the nodes sharing another node's netns inside it (default true; false: each its own box). */
  fold?: boolean;
}

/** The model of a lab from its plan, plus live state when the lab is deployed. */
export async function graphOfPlan(plan: LabPlan, opts: LabGraphOptions = {}): Promise<GraphModel> {
  const model = buildModel(plan, opts.direction ? { direction: opts.direction } : {});
  const done = (m: GraphModel) => (opts.fold === false ? m : foldSharers(m, plan));
  if (opts.live === false) {
    applyHosts(model, plan, new Map());
    return done(model);
  }
  // a lab over several engines (hosts:): its containers are listed and asked on each engine
  const runtime = await runtimeForLab(plan.name, { hosts: plan.hosts, labDir: plan.labDir, local: new DockerRuntime() });
  const running = await runtime.listContainers({ [LABEL_LAB]: plan.name }).catch(() => []);
  applyHosts(model, plan, new Map(running.flatMap((c) => (c.engine && c.labels[LABEL_NODE] ? [[c.labels[LABEL_NODE], c.engine] as [string, string]] : []))));
  if (!running.some((c) => c.state === 'running')) return done(model);
  const { ctx, ends } = await collectSessions(plan, dockerExec(runtime, plan, 10));
  await applySessions(model, ctx, ends);
  applyPodCidrs(model, plan, await podCidrs(plan));
  return done(model);
}
