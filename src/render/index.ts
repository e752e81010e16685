/**
 * render/: routing intent → addresses, sessions, FRR/BIRD/GoBGP configs, the cluster's peering
 * objects and the checks that prove them. `applyRouting` folds the result into a lab plan:
 * rendered files and exec lines on routers and hosts that have none of their own (plain exec:
 * and startup-config win), generated objects beside the cluster's manifests, and checks for verify.
 */
import type { LabPlan } from '../topology/index.js';
import { clusterObjects } from './cluster-objects.js';
import { deriveIntentChecks } from './checks.js';
import { deriveFabric } from './derive.js';
import { readRouters, readRoutingDefaults } from './intent.js';
import { IntentIssues, type Locate } from './issues.js';
import { renderRouter } from './routers.js';
import type { RoutingPlan } from './types.js';

export type * from './types.js';
export type { Locate } from './issues.js';
export { DEFAULT_FRR_DAEMONS, FRR_DAEMONS, renderDaemons } from './frr-daemons.js';

/**
 * The routing plan of a lab, or undefined when it declares no intent. The `routing:` section turns
 * rendering on (even empty: `routing: {}`); without it, node `bgp:` blocks stay free-form data as before.
 */
export function renderRouting(plan: LabPlan, locate: Locate): RoutingPlan | undefined {
  if (plan.sections['routing'] === undefined) return undefined;
  const issues = new IntentIssues(locate, plan.file);
  const defaults = readRoutingDefaults(plan, issues);
  const intents = readRouters(plan, issues, defaults);
  issues.throwIfAny();
  const fabric = deriveFabric(plan, intents, defaults, issues);
  for (const r of fabric.routers.values()) {
    if (!fabric.sessions.some((s) => s.local === r.node)) issues.add(['topology', 'nodes', r.node, 'bgp'], `router ${r.node} has no BGP peer: link it to another router or to a Kubernetes node`, r.pos);
  }
  issues.throwIfAny();
  const routers = [...fabric.routers.keys()].map((n) => renderRouter(n, fabric, defaults));
  const cl = plan.cluster && (defaults?.clusterObjects ?? true)
    ? clusterObjects(plan.cluster.bgp?.dialect, fabric.attachments, { torAsn: (t) => fabric.routers.get(t)!.asn, torLoopback: (t) => fabric.routers.get(t)!.loopback, ...(defaults?.lbPool ? { lbPool: defaults.lbPool } : {}) })
    : { objects: [], flags: [], notes: [] };
  return {
    routers,
    addresses: fabric.addresses,
    sessions: fabric.sessions,
    attachments: fabric.attachments,
    hostExec: fabric.hostExec,
    clusterObjects: cl.objects,
    clusterFlags: cl.flags,
    notes: cl.notes,
    checks: deriveIntentChecks(fabric, defaults?.redistributeConnected ?? true, !!defaults?.ospf),
  };
}

/** The plan with the routing intent applied (unchanged when there is none). */
export function applyRouting(plan: LabPlan, locate: Locate): LabPlan {
  const routing = renderRouting(plan, locate);
  if (!routing) return plan;
  const byNode = new Map(routing.routers.map((r) => [r.node, r]));
  const notes = [...routing.notes];
  const nodes = plan.nodes.map((n) => {
    const r = byNode.get(n.name);
    const own = n.exec.length > 0 || n.startupConfig !== undefined;
    if (r && own) notes.push(`${n.name}: its own exec/startup-config is used; the rendered ${r.daemon} config is not applied (lab config show ${n.name})`);
    if (r && !own) return { ...n, exec: r.exec, files: r.files };
    const host = routing.hostExec[n.name];
    if (host && n.exec.length === 0) return { ...n, exec: host };
    return n;
  });
  let cluster = plan.cluster && routing.clusterObjects.length ? { ...plan.cluster, objects: [...(plan.cluster.objects ?? []), ...routing.clusterObjects] } : plan.cluster;
  // the dialect's flags (Kube-OVN) when the lab gives none of its own
  if (cluster?.bgp && routing.clusterFlags.length) {
    if (cluster.bgp.flags.length === 0) cluster = { ...cluster, bgp: { ...cluster.bgp, flags: routing.clusterFlags } };
    else notes.push(`cluster.bgp.flags are the lab's own; the rendered ones are not used: ${routing.clusterFlags.join(' ')}`);
  }
  return { ...plan, nodes, ...(cluster ? { cluster } : {}), routing: { ...routing, notes } };
}
export { generateClos, type ClosOptions } from './generate-clos.js';
export { configDiff, renderedConfig } from './config-view.js';
export { addressingDelta, frrConfigDiff, planReload, type ReloadPlan, type ReloadStep } from './reload.js';
