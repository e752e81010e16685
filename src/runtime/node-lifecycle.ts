/**
 * `lab node stop|start|restart NAME`: one node's container stopped or started while the rest of
 * the lab runs on (containerlab 0.75's node lifecycle). A stopped node's namespace goes with its
 * container, and its links with it; starting it re-creates them and runs the node's services
 * and exec lines again (repair.ts), and its peers' ends get back their recorded addresses.
 * Sharers of its namespace (network-mode container:NAME) are restarted into the new one.
 */
import { KindlabError } from '../errors.js';
import type { LabPlan, NodePlan } from '../topology/index.js';
import type { ClusterProviderFactory } from './cluster-provider.js';
import { DockerRuntime, type Runtime } from './docker.js';
import { kindFacts } from './kinds/index.js';
import { withLabLock } from './lab-registry.js';
import { repairLab } from './repair.js';
import { LABEL_POD_OF } from './labels.js';

export type NodeAction = 'stop' | 'start' | 'restart';

export interface NodeLifecycleOptions {
  runtime?: Runtime;
  clusterProvider?: ClusterProviderFactory;
  onNotice?: (message: string) => void;
}

export interface NodeLifecycleResult {
  message: string;
  warnings: string[];
}

function nodeOf(plan: LabPlan, name: string): NodePlan {
  const n = plan.nodes.find((x) => x.name === name);
  if (!n) throw new KindlabError('NODE_NOT_FOUND', `lab ${plan.name} has no node "${name}"`, { hint: `nodes: ${plan.nodes.map((x) => x.name).join(', ')}` });
  if (!kindFacts(n.kind).managed) throw new KindlabError('NODE_NOT_FOUND', `node ${name} is an ${n.kind}: kindlab does not manage its container`);
  return n;
}

export async function nodeLifecycle(plan: LabPlan, name: string, action: NodeAction, opts: NodeLifecycleOptions = {}): Promise<NodeLifecycleResult> {
  const node = nodeOf(plan, name);
  const runtime = opts.runtime ?? new DockerRuntime();
  return withLabLock(plan.name, async () => {
    const c = await runtime.inspectContainer(node.containerName);
    if (!c) {
      throw new KindlabError('NODE_NOT_FOUND', `node ${name}: container ${node.containerName} does not exist`, { hint: `deploy the lab first: lab deploy -t ${plan.file}` });
    }
    if (action === 'stop') {
      if (c.state !== 'running') return { message: `${name} is already stopped (${c.state})`, warnings: [] };
      await runtime.containerAction(node.containerName, 'stop');
      await removePodContainers(runtime, node.containerName);
      return { message: `${name} stopped; its links went with its network namespace (lab node start ${name} re-creates them)`, warnings: [] };
    }
    if (action === 'restart' && c.state === 'running') await runtime.containerAction(node.containerName, 'stop');
    await removePodContainers(runtime, node.containerName);
    const cluster = plan.cluster ? opts.clusterProvider?.forDeploy(plan) : undefined;
    const r = await repairLab(plan, { runtime, cluster, onNotice: opts.onNotice, startable: (n) => n === name });
    const verb = action === 'restart' ? 'restarted' : 'started';
    if (r.done.length === 0) return { message: `${name} is running; nothing to repair`, warnings: [] };
    return { message: `${name} ${verb}: ${r.done.join('; ')}`, warnings: r.warnings };
  }, { onWait: opts.onNotice });
}

/** A k8s node's pod containers die with it (their sandbox is in its PID namespace) but stay listed: removed, its node daemon makes them again. */
async function removePodContainers(runtime: Runtime, nodeContainer: string): Promise<void> {
  for (const c of await runtime.listContainers({ [LABEL_POD_OF]: nodeContainer })) await runtime.removeContainer(c.id);
}
