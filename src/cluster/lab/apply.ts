/**
 * The embedded cluster under `lab apply`: a worker joins the running cluster, or a node leaves
 * it, while every other node, pod and object stays (kind refuses this, kind#452).
 *   join   the control-plane's API fence and kind config refreshed for the new node list; the
 *          node's files written with the cluster's credentials (its store is not reset, unlike a
 *          deploy); once its container, links and exec lines exist, its Node registered as the
 *          bootstrap would (labels, node-ip; the API's admission hands it a pod CIDR), its daemon
 *          and BGP agent started, Ready awaited; the manifests applied again (node selectors).
 *   leave  its pods deleted (drain), its agent stopped (the routers drop its session and pod
 *          CIDR at once instead of at hold time), its Lease and Node deleted, the fence refreshed.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { nodeObject } from '../apiserver/bootstrap.js';
import { ensurePki, ensureToken } from '../apiserver/tls.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { KubeApiError, LEASES, NODES, PODS } from '../client/index.js';
import type { KubeClient, Node, Pod } from '../client/index.js';
import type { ClusterApply, DeployContext } from '../../runtime/index.js';
import type { LabPlan, NodePlan } from '../../topology/index.js';
import { KindlabError } from '../../errors.js';
import { applyManifests, labClient, poll } from './api.js';
import { k8sNodeKind } from './node-kind.js';
import { AGENT_ARGS_FILE, AGENT_MARKER, AGENT_PROCESS_PATTERN, API_PORT, IN_CONTAINER, NODE_DAEMON_MARKER, agentArgsFile, agentControl, apiServerSans, bootScript, clusterOf, controlPlane, controlPlaneAddress, hostPaths } from './plan.js';
import { agentsAction, manifestsAction, nodeDaemonsAction, nodesReadyAction } from './steps.js';
import type { ClusterDeployState } from './files.js';

export const DRAIN_TIMEOUT_MS = 30_000;

const notFound = (e: unknown) => e instanceof KubeApiError && e.statusCode === 404;
const exists = (e: unknown) => e instanceof KubeApiError && e.statusCode === 409;

/** The plan with only `names` as the cluster's nodes (in the plan and in the kind spec): the deploy steps run for them alone. */
function viewOf(plan: LabPlan, names: Set<string>): LabPlan {
  const cluster = clusterOf(plan);
  const nodeNames = new Set(plan.nodes.filter((n) => n.k8s && names.has(n.name)).map((n) => n.k8s!.nodeName));
  return { ...plan, nodes: plan.nodes.filter((n) => !n.k8s || names.has(n.name)), cluster: { ...cluster, spec: { ...cluster.spec, nodes: cluster.spec.nodes.filter((c) => nodeNames.has(c.name)) } } };
}

/**
 * The control-plane for the new node list: its boot.sh (the API fence lets exactly the cluster's
 * nodes in) run again, which refills the fence without restarting the API server, and the kind
 * config the API server reads at its next start (so a restart registers the nodes the lab has).
 */
async function refreshControlPlane(ctx: DeployContext): Promise<void> {
  const plan = ctx.plan;
  const cp = controlPlane(plan);
  const cluster = clusterOf(plan);
  await writeFile(hostPaths.kindConfig(plan), `# The lab's kind Cluster config as kindlab read it${cluster.configFile ? ` from ${cluster.configFile}` : ''}.\n${YAML.stringify(cluster.raw)}`);
  const boot = join(hostPaths.nodeDir(plan, cp), 'boot.sh');
  await writeFile(boot, bootScript(plan, cp));
  await chmod(boot, 0o755);
  await ctx.runtime.exec(cp.containerName, ['sh', `${IN_CONTAINER.nodeDir}/boot.sh`], { target: cp.name });
}

/** A joining node's directory: as a deploy writes it, with the running cluster's CA and token (its store is kept). */
async function writeJoinFiles(plan: LabPlan, node: NodePlan): Promise<void> {
  // the serving certificate is re-issued on the host when the SANs gained the node's address, so a
  // later restart of the API server finds the one it would make (the running one keeps its own)
  const pki = await ensurePki(hostPaths.pki(plan), apiServerSans(plan));
  const token = ensureToken(hostPaths.token(plan));
  const dir = hostPaths.nodeDir(plan, node);
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  writeKubeconfig(join(dir, 'kubeconfig'), { clusterName: clusterOf(plan).spec.name, server: `https://${controlPlaneAddress(plan)}:${API_PORT}`, caCert: pki.caCert, token });
  await writeFile(join(dir, 'boot.sh'), bootScript(plan, node), { mode: 0o755 });
  await writeFile(join(dir, AGENT_ARGS_FILE), agentArgsFile(plan, node));
}

/** The Node as the cluster's bootstrap registers a configured node: kind labels and node-labels, node-ip (else the mgmt address). */
async function registerNode(client: KubeClient, plan: LabPlan, node: NodePlan): Promise<void> {
  const spec = clusterOf(plan).spec;
  const cn = spec.nodes.find((c) => c.name === node.k8s!.nodeName);
  if (!cn) throw new KindlabError('INTERNAL', `node ${node.name} is not in the kind config of cluster ${spec.name}`);
  const ip = cn.nodeIPs?.join(',') ?? cn.nodeIP ?? node.mgmtIPv4;
  try {
    await client.create(NODES, nodeObject(spec, cn, ip, { awaitDaemon: true }) as unknown as Node);
  } catch (e) {
    if (!exists(e)) throw e;
  }
}

async function podsOn(client: KubeClient, nodeName: string): Promise<Pod[]> {
  return (await client.list(PODS)).items.filter((p) => p.spec.nodeName === nodeName);
}

/** Drain: every pod bound to the node deleted (its daemon stops them, real-image ones too); what is left after the timeout is deleted at once. */
async function drain(client: KubeClient, nodeName: string, progress: (msg: string) => void): Promise<number> {
  const pods = await podsOn(client, nodeName);
  for (const p of pods) await client.delete(PODS, p.metadata.name!, { namespace: p.metadata.namespace }).catch((e: unknown) => (notFound(e) ? undefined : Promise.reject(e)));
  if (pods.length) progress(`${nodeName}: ${pods.length} pods deleted, waiting for its daemon to stop them`);
  await poll(async () => ((await podsOn(client, nodeName)).length === 0 ? true : undefined), DRAIN_TIMEOUT_MS, () => new Error('drain timeout'), 250).catch(async () => {
    for (const p of await podsOn(client, nodeName)) await client.delete(PODS, p.metadata.name!, { namespace: p.metadata.namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
  });
  return pods.length;
}

/**
 * The manifest entries whose contents changed, applied again as the deploy applies them (server-side
 * apply, field manager kindlab). Nothing records which objects a file made, so an object taken out
 * of a file stays in the cluster.
 */
async function reapplyManifests(plan: LabPlan, paths: readonly string[], progress: (msg: string) => void): Promise<void> {
  const entries = clusterOf(plan).manifests.filter((m) => paths.includes(m.path));
  const client = labClient(hostPaths.kubeconfig(plan));
  try {
    const applied = await applyManifests(client, entries, (m) => progress(`manifests: ${m}`));
    progress(`manifests: ${applied.length} objects applied again from ${entries.length} changed entr${entries.length === 1 ? 'y' : 'ies'}`);
  } finally {
    client.close();
  }
}

export function clusterApply(): ClusterApply {
  const state: ClusterDeployState = {};
  const kind = k8sNodeKind(state);
  return {
    // as a deploy's node kind, but the files keep the cluster's credentials and store; a joining node is never the control-plane
    nodeKind: { ...kind, writeFiles: (n, ctx) => writeJoinFiles(ctx.plan, n), afterCreate: undefined },
    async leave(ctx, nodes, progress) {
      const client = labClient(hostPaths.kubeconfig(ctx.plan));
      try {
        for (const n of nodes) {
          const name = n.k8s!.nodeName;
          const drained = await drain(client, name, progress);
          // the agent ends its sessions: the routers withdraw the node's pod CIDR now, not at hold time
          // (the node daemon hosts the agent: /stop ends it as SIGTERM ended a separate agent; an exec line's own agent gets SIGTERM)
          const stop = `rm -f ${IN_CONTAINER.nodeDir}/${AGENT_MARKER} ${IN_CONTAINER.nodeDir}/${NODE_DAEMON_MARKER}; ${agentControl('POST', '/stop')} >/dev/null 2>&1; pkill -TERM -f '${AGENT_PROCESS_PATTERN}'; true`;
          await ctx.runtime.exec(n.containerName, ['sh', '-c', stop], { check: false, target: n.name }).catch(() => undefined);
          await client.delete(LEASES, name, { namespace: 'kube-node-lease' }).catch(() => undefined);
          await client.delete(NODES, name).catch((e: unknown) => (notFound(e) ? undefined : Promise.reject(e)));
          progress(`${name}: drained (${drained} pods), agent stopped, Node deleted`);
        }
      } finally {
        client.close();
      }
      await refreshControlPlane(ctx);
      // its directory goes unless a node of the new plan has it (a node made again)
      const kept = new Set(ctx.plan.nodes.map((x) => hostPaths.nodeDir(ctx.plan, x)));
      for (const n of nodes) if (!kept.has(hostPaths.nodeDir(ctx.plan, n))) await rm(hostPaths.nodeDir(ctx.plan, n), { recursive: true, force: true });
    },
    async join(ctx, nodes, opts, progress) {
      if (!nodes.length && !opts.reapplyObjects) {
        if (opts.manifests?.length) await reapplyManifests(ctx.plan, opts.manifests, progress);
        return;
      }
      await refreshControlPlane(ctx);
      const client = labClient(hostPaths.kubeconfig(ctx.plan));
      try {
        for (const n of nodes) await registerNode(client, ctx.plan, n);
      } finally {
        client.close();
      }
      const view = { ...ctx, plan: viewOf(ctx.plan, new Set(nodes.map((n) => n.name))) };
      for (const a of [nodeDaemonsAction, nodesReadyAction, agentsAction]) await a.run(view, (m) => progress(`${a.title}: ${m}`));
      if (opts.reapplyObjects) await manifestsAction.run(ctx, (m) => progress(`${manifestsAction.title}: ${m}`));
      else if (opts.manifests?.length) await reapplyManifests(ctx.plan, opts.manifests, progress);
    },
  };
}
