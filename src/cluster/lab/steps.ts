/**
 * The embedded cluster's deploy steps (the runtime's Action type), handed to the deploy by the
 * provider (provider.ts); the deploy lists them only for a lab with a `cluster:` section.
 *   Cluster API network   before the containers: the control-plane's publishing network + fence
 *   Cluster API server    after exec: the API (started by the control-plane's boot.sh) answers
 *   Cluster node daemons  each node's daemon started (dist/cluster/node/main.js must be built)
 *   Cluster nodes Ready   every Node of the kind config is Ready
 *   Cluster BGP agents    lab-agent k8s on every node, in its node daemon's process (unless bgp.agent is false)
 *   Cluster manifests     the topology's manifests, then the objects rendered from the routing intent, applied (server-side apply)
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KindlabError, errorMessage } from '../../errors.js';
import type { Node } from '../client/index.js';
import type { LabPlan } from '../../topology/index.js';
import { apiReady, applyManifests, applyObject, type ManifestDoc, isNodeReady, labClient, listNodes, poll } from './api.js';
import { ensureApiNetwork, removeApiNetwork, reserveApiPort } from './api-net.js';
import { API_NET_SUBNET_FILE, apiNetwork, apiPublishAddress, AGENT_MAIN, AGENT_MARKER, AGENT_RUNNING_SH, agentControl, agentEnabled, APISERVER_MAIN, clusterNodes, clusterOf, controlPlane, hostPaths, IN_CONTAINER, NODE_DAEMON_MAIN, NODE_DAEMON_MARKER, requireBuilt } from './plan.js';
import type { Action } from '../../runtime/index.js';
import { runPool } from '../../lib/index.js';
import type { ClusterDeployState } from './files.js';


export const API_READY_TIMEOUT_MS = 30_000;
/** The Nodes-Ready step fails when no further node became Ready for this long. */
export const NODES_READY_TIMEOUT_MS = 60_000;

async function tail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Before the containers: the API network, and the host port reserved in this deploy's state. */
export const clusterNetworkAction = (state: ClusterDeployState): Action => ({
  title: 'Cluster API network',
  async run(ctx, progress) {
    requireBuilt([APISERVER_MAIN, NODE_DAEMON_MAIN, ...(agentEnabled(ctx.plan) ? [AGENT_MAIN] : [])]);
    const outcome = await ensureApiNetwork(ctx.runtime, ctx.plan);
    // the control-plane's boot.sh lets the API port be reached from this subnet (the published port) only
    const subnet = (await ctx.runtime.inspectNetwork(apiNetwork(ctx.plan).network))?.subnets[0];
    const cpDir = hostPaths.nodeDir(ctx.plan, controlPlane(ctx.plan));
    await mkdir(cpDir, { recursive: true });
    if (subnet) await writeFile(join(cpDir, API_NET_SUBNET_FILE), `${subnet}\n`);
    const ip = apiPublishAddress(ctx.plan);
    // on another engine's machine the port is chosen here, on loopback: that machine's are not visible
    progress(`${outcome}; API on ${ip}:${await reserveApiPort(ctx.plan, ctx.plan.hosts ? '127.0.0.1' : ip, state)} only, forwarding dropped`);
  },
  async rollback(ctx) {
    await removeApiNetwork(ctx.runtime, ctx.plan).catch(() => undefined);
  },
});

export const apiServerAction: Action = {
  title: 'Cluster API server',
  async run(ctx, progress) {
    const plan = ctx.plan;
    const cp = controlPlane(plan);
    // boot.sh ran at container start; run it again in case the container's command was overridden
    await ctx.runtime.exec(cp.containerName, ['sh', `${IN_CONTAINER.nodeDir}/boot.sh`], { target: cp.name });
    const client = labClient(hostPaths.kubeconfig(plan));
    try {
      await poll(() => apiReady(client), API_READY_TIMEOUT_MS, async (last) => new KindlabError('DEPLOY', `the API server on ${cp.containerName} did not become ready in ${API_READY_TIMEOUT_MS / 1000} s${last ? `: ${errorMessage(last)}` : ''}`, { detail: await tail(hostPaths.apiserverLog(plan)), hint: `its log: ${hostPaths.apiserverLog(plan)}` }), 50);
    } finally {
      client.close();
    }
    progress(`ready; kubeconfig: ${hostPaths.kubeconfig(plan)}`);
  },
  async rollback() {
    // the process lives in the control-plane container, removed with it
  },
};

export const nodeDaemonsAction: Action = {
  title: 'Cluster node daemons',
  async run(ctx, progress) {
    const plan = ctx.plan;
    const nodes = clusterNodes(plan);
    // The agents start in their own step: started here with each daemon (tried in session 7), 100 agents
    // loading at once on 2 cores slowed every daemon's start and Ready more than the agents step took.
    await runPool(nodes, ctx.concurrency, async (n) => {
      await writeFile(join(hostPaths.nodeDir(plan, n), NODE_DAEMON_MARKER), '');
      await ctx.runtime.exec(n.containerName, ['sh', `${IN_CONTAINER.nodeDir}/boot.sh`], { target: n.name });
    });
    progress(`${nodes.length} started`);
  },
  async rollback(ctx) {
    // the daemons live in the node containers; without the marker a restarted container does not start them
    for (const n of clusterNodes(ctx.plan)) for (const m of [NODE_DAEMON_MARKER, AGENT_MARKER]) await rm(join(hostPaths.nodeDir(ctx.plan, n), m), { force: true });
  },
};

export const nodesReadyAction: Action = {
  title: 'Cluster nodes Ready',
  async run(ctx, progress) {
    const plan = ctx.plan;
    const want = clusterOf(plan).spec.nodes.map((n) => n.name);
    // Ready must come from the node daemons (not the bootstrap's registration).
    const ok = (n: Node) => isNodeReady(n) && n.status?.conditions?.find((c) => c.type === 'Ready')?.reason !== 'KindlabBootstrap';
    const client = labClient(hostPaths.kubeconfig(plan));
    // The timeout runs from the last node that became Ready: 100 daemons starting on 2 busy cores take
    // minutes in all, yet each one that comes up shows the cluster is not stuck.
    let best = -1;
    let since = Date.now();
    let last: unknown;
    let seen = '';
    try {
      for (;;) {
        try {
          const nodes = await listNodes(client);
          const ready = want.filter((w) => nodes.some((n) => n.metadata.name === w && ok(n)));
          seen = `${ready.length}/${want.length} Ready`;
          progress(seen);
          if (ready.length === want.length) break;
          if (ready.length > best) [best, since] = [ready.length, Date.now()];
        } catch (e) {
          last = e;
        }
        if (Date.now() - since > NODES_READY_TIMEOUT_MS) {
          throw new KindlabError('DEPLOY', `cluster nodes not Ready: none more in ${NODES_READY_TIMEOUT_MS / 1000} s (${seen || 'none listed'})${last ? `: ${errorMessage(last)}` : ''}`, { hint: `look at: kubectl --kubeconfig ${hostPaths.kubeconfig(plan)} describe nodes, and <labDir>/<node>/logs/node.log` });
        }
        // each LIST costs the API server every Node's JSON: poll large clusters less often
        await new Promise((r) => setTimeout(r, Math.min(1000, 100 + 5 * want.length)));
      }
    } finally {
      client.close();
    }
  },
  async rollback() {},
};

/** How long a node's BGP agent may take to run once the check reaches the node (100 agents load on 2 cores at once). */
export const AGENT_START_TIMEOUT_MS = 30_000;

/**
 * One command that returns once an agent runs in the container (ours, or one the topology's exec lines started),
 * or fails after `timeoutMs`: the check is one exec per node, not one per poll. Its first round asks the
 * daemon to look at the marker now (it would within 2 s), which answers once the agent started.
 */
export function agentWaitScript(timeoutMs: number): string {
  const rounds = Math.max(1, Math.ceil(timeoutMs / 200));
  // the sync answers once the agent started: it is checked again at once, not after a pause (0.2 s of every deploy)
  return `i=0; until ${AGENT_RUNNING_SH}; do [ $i -gt ${rounds} ] && exit 1; if [ $i -eq 0 ]; then ${agentControl('POST', '/sync')} >/dev/null 2>&1 || true; else sleep 0.2; fi; i=$((i+1)); done`;
}

export const agentsAction: Action = {
  title: 'Cluster BGP agents',
  async run(ctx, progress) {
    const plan = ctx.plan;
    if (!agentEnabled(plan)) return progress('not started (bgp.agent: false)');
    const nodes = clusterNodes(plan);
    let running = 0;
    await runPool(nodes, ctx.concurrency, async (n) => {
      // one exec per node: it asks the daemon to start the agent (answered once it runs), then checks
      await writeFile(join(hostPaths.nodeDir(plan, n), AGENT_MARKER), '');
      const r = await ctx.runtime.exec(n.containerName, ['sh', '-c', agentWaitScript(AGENT_START_TIMEOUT_MS)], { check: false, target: n.name });
      if (r.exitCode !== 0) {
        const log = join(hostPaths.nodeDir(plan, n), 'logs', 'agent.log');
        throw new KindlabError('DEPLOY', `the BGP agent on ${n.name} is not running after ${AGENT_START_TIMEOUT_MS / 1000} s`, { detail: await tail(log), hint: `its log: ${log}` });
      }
      progress(`${++running}/${nodes.length} running`);
    });
    const bgp = clusterOf(plan).bgp;
    progress(`${nodes.length} running (dialect ${bgp?.dialect ?? 'detected'}${bgp?.flags.length ? `, ${bgp.flags.length} flags` : ''}); logs: <labDir>/<node>/logs/agent.log`);
  },
  async rollback(ctx) {
    for (const n of clusterNodes(ctx.plan)) await rm(join(hostPaths.nodeDir(ctx.plan, n), AGENT_MARKER), { force: true });
  },
};

export const manifestsAction: Action = {
  title: 'Cluster manifests',
  async run(ctx, progress) {
    const plan: LabPlan = ctx.plan;
    const cluster = clusterOf(plan);
    const generated = cluster.objects ?? [];
    if (cluster.manifests.length + generated.length === 0) return progress('none');
    const client = labClient(hostPaths.kubeconfig(plan));
    try {
      const applied = await applyManifests(client, cluster.manifests, progress);
      // Objects rendered from the routing intent (render/): named by the routing section in errors.
      for (const obj of generated) applied.push(await applyObject(client, { file: `${plan.file} routing`, line: 0, obj: obj as ManifestDoc['obj'] }));
      progress(`${applied.length} objects applied`);
    } finally {
      client.close();
    }
  },
  async rollback() {},
};

export const CLUSTER_UP_ACTIONS: readonly Action[] = [apiServerAction, nodeDaemonsAction, nodesReadyAction, agentsAction, manifestsAction];
