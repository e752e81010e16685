/**
 * `k8s-node`: a node of the lab's kind-style cluster (the topology's `cluster:` section).
 * - container `<cluster>-control-plane` / `<cluster>-worker2`…, hostname = the Kubernetes Node name;
 * - the base image, the project's code bind-mounted read-only at /opt/kindlab, the node's
 *   directory at /var/lib/kindlab/node, and on the control-plane the cluster's data directory at
 *   /var/lib/kindlab/cluster (API state survives a container restart);
 * - the command runs boot.sh at every start (the control-plane's API server; the node daemon once
 *   enabled), under tini;
 * - the control-plane publishes 6443 on 127.0.0.1 via the lab's API network (api-net.ts)
 *   and the host kubeconfig is written once the port is known.
 * The node's data-plane address (kind's node-ip) is configured by the topology (links, exec).
 */
import type { LabPlan, NodePlan } from '../../topology/index.js';
import { apiHostPort, connectControlPlane } from './api-net.js';
import { writeHostKubeconfig, writeNodeFiles } from './files.js';
import { API_PORT, apiPublishAddress, hostPaths, IN_CONTAINER, isControlPlane, nodeCommand, repoRoot } from './plan.js';
import { join } from 'node:path';
import type { NodeKind } from '../../runtime/index.js';
import type { ClusterDeployState } from './files.js';

/** Sysctls a Kubernetes node needs (Docker mounts /proc/sys read-only: they must be set at create). */
export const K8S_NODE_SYSCTLS: Record<string, string> = {
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
  'net.ipv4.conf.all.route_localnet': '1',
  'net.ipv4.conf.all.forwarding': '1',
};

function k8sLabels(node: NodePlan): Record<string, string> {
  const k = node.k8s!;
  return { 'io.x-k8s.kind.cluster': k.cluster, 'io.x-k8s.kind.role': k.role, 'kindlab.k8s.node': k.nodeName };
}

/**
 * Only the built code is mounted (read-only), never the whole checkout: lab directories often sit
 * inside it (labs/<lab>/lab-<name>/) and hold other labs' CA keys and tokens.
 */
export const CODE_PATHS = ['dist', 'node_modules', 'bin', 'templates', 'schemas', 'package.json'] as const;

function codeBinds(root: string): string[] {
  return CODE_PATHS.map((p) => `${join(root, p)}:${IN_CONTAINER.root}/${p}:ro`);
}

/**
 * The engine's unix socket on the host (DOCKER_HOST when it names one), bind-mounted into each
 * node so its daemon runs pods' real images as sibling containers (cluster/node/docker-pods.ts
 * says why a socket and not a host-side channel). A TCP engine gives nodes no socket: stand-ins only.
 */
export function engineSocket(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const host = env['DOCKER_HOST'];
  if (!host) return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/** The socket of the engine running the node: its host's unix:// engine in a lab with hosts: (else none: stand-ins only). */
function nodeEngineSocket(plan: LabPlan, node: NodePlan): string | undefined {
  if (!plan.hosts) return engineSocket();
  const e = plan.hosts.find((h) => h.name === node.host)?.engine;
  return e?.type === 'unix' ? e.path : undefined;
}

/** Docker's default cpu.shares for a container, and the kernel's (cgroup v1) maximum. */
const DEFAULT_CPU_SHARES = 1024;
const MAX_CPU_SHARES = 262_144;

/**
 * The control-plane container's cpu.shares: one default share per container of the lab, so the API
 * server (and the controllers in its process) keeps about half of the machine however many node
 * processes compete. With Docker's default (1024 each) it got 1/112 of the CPU at 100 nodes and
 * `kubectl get nodes` took 15 s. Shares only weigh busy containers against each other: the
 * topology's `cpu` (a quota) and `cpu-set` still bound the container as written.
 */
export function controlPlaneCpuShares(plan: LabPlan): number {
  return Math.min(MAX_CPU_SHARES, Math.max(DEFAULT_CPU_SHARES, DEFAULT_CPU_SHARES * plan.nodes.length));
}

/** The kind for one deploy: its state holds the API port reserved and the credentials prepared. */
export function k8sNodeKind(state: ClusterDeployState): NodeKind {
  return {
    name: 'k8s-node',
    containerOptions(node, opts, ctx) {
      const { plan } = ctx;
      const nodeDir = ctx.nodeDir(node);
      const cp = isControlPlane(plan, node);
      const socket = nodeEngineSocket(plan, node);
      const binds = [...(opts.HostConfig?.Binds ?? []), ...codeBinds(repoRoot()), `${nodeDir}:${IN_CONTAINER.nodeDir}`, ...(socket ? [`${socket}:/var/run/docker.sock`] : [])];
      if (cp) binds.push(`${hostPaths.clusterDir(plan)}:${IN_CONTAINER.clusterDir}`);
      const port = `${API_PORT}/tcp`;
      return {
        ...opts,
        Hostname: node.k8s!.nodeName,
        Cmd: nodeCommand(),
        Entrypoint: [],
        Tty: false,
        OpenStdin: false,
        Labels: { ...opts.Labels, ...k8sLabels(node) },
        // The node daemon names its own container to the engine (labels, image, mounts, PID namespace for pod sandboxes).
        Env: [...(opts.Env ?? []), `KUBECONFIG=${IN_CONTAINER.nodeDir}/kubeconfig`, `KINDLAB_NODE_CONTAINER=${node.containerName}`],
        ...(cp ? { ExposedPorts: { ...opts.ExposedPorts, [port]: {} } } : {}),
        HostConfig: {
          ...opts.HostConfig,
          Binds: binds,
          Sysctls: { ...K8S_NODE_SYSCTLS, ...opts.HostConfig?.Sysctls },
          ...(cp ? { CpuShares: opts.HostConfig?.CpuShares ?? controlPlaneCpuShares(plan) } : {}),
          // Published once the container joins the API network (the port reserved by the deploy step).
          ...(cp ? { PortBindings: { ...opts.HostConfig?.PortBindings, [port]: [{ HostIp: apiPublishAddress(plan), HostPort: apiHostPort(plan, state) }] } } : {}),
        },
      };
    },
    async writeFiles(node, ctx) {
      await writeNodeFiles(ctx.plan, node, state);
    },
    async afterCreate(node, ctx) {
      if (!isControlPlane(ctx.plan, node)) return;
      const { hostIp, hostPort } = await connectControlPlane(ctx.runtime, ctx.plan, node.containerName);
      await writeHostKubeconfig(ctx.plan, hostIp, hostPort, state);
    },
  };
}
