/**
 * Where the embedded cluster's pieces live and how its processes are started. Pure: paths,
 * argv, the certificate SANs, the boot script; runtime/cluster-*.ts do the I/O.
 *
 * Layout:
 *   host <labDir>/kubeconfig            kubeconfig for the host (https://127.0.0.1:<port>)
 *        (several clusters in the lab: <labDir>/<cluster>/kubeconfig and <labDir>/<cluster>/cluster/)
 *   host <labDir>/cluster/              API server data: store, pki, token, kind config, apiserver.log
 *        → /var/lib/kindlab/cluster     in the control-plane container only (holds the CA key)
 *   host <labDir>/<node>/               kubeconfig (https://<control-plane mgmt IP>:6443), boot.sh, logs
 *        → /var/lib/kindlab/node        in every node container
 *   host <repo root>/{dist,node_modules,bin,templates,schemas,package.json} → /opt/kindlab/…:ro  the built code only
 */
import { SMALL_PROCESS_NODE_FLAGS } from '../../node-flags.js';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSans } from '../apiserver/tls.js';
import { AGENT_CONTROL_SOCKET, SUPERVISED_AGENT_ARGS, SUPERVISED_AGENT_MARKER } from '../node/project-agent.js';
import { KindlabError } from '../../errors.js';
import { nodeDirName, type LabCluster, type LabPlan, type NodePlan } from '../../topology/index.js';
import { shellQuoteArg as shq } from '../../lib/index.js';
import { labRuleComment } from '../../runtime/index.js';

export const IN_CONTAINER = {
  root: '/opt/kindlab',
  clusterDir: '/var/lib/kindlab/cluster',
  nodeDir: '/var/lib/kindlab/node',
} as const;
export const API_PORT = 6443;
export const APISERVER_MAIN = 'dist/cluster/apiserver/main.js';
export const NODE_DAEMON_MAIN = 'dist/cluster/node/main.js';
/** Present in a node's directory once the deploy has started its node daemon (boot.sh restarts it then). */
export const NODE_DAEMON_MARKER = 'node-daemon.enabled';
/**
 * The node BGP agent (`lab-agent k8s`) runs inside the node daemon's process (node/agent-host.ts) while its
 * marker exists, with the flags of its args file; the daemon's control socket kills/restarts/stops it.
 */
export const AGENT_MAIN = 'dist/agent/cli.js';
export const AGENT_MARKER = SUPERVISED_AGENT_MARKER;
export const AGENT_ARGS_FILE = SUPERVISED_AGENT_ARGS;
export const AGENT_CONTROL = AGENT_CONTROL_SOCKET;
/** Shell: ask the node daemon's agent host (`agentControl('POST', '/kill?wait=15')`); curl fails on an error answer and prints it. */
export function agentControl(method: 'GET' | 'POST', what: string): string {
  return `curl -sS --fail-with-body --unix-socket ${AGENT_CONTROL} -X ${method} 'http://agent${what}'`;
}
/** Shell, exit 0 when a BGP agent runs in the node: the one the node daemon hosts, or a process of the topology's exec lines. */
export const AGENT_RUNNING_SH = `pgrep -f '(agent/cli|bin/lab-agent)\\.js k8s' >/dev/null || ${agentControl('GET', '/status')} 2>/dev/null | grep -q '"running":true'`;
/** The command users run in a node (`lab exec -t FILE worker -- lab-agent neighbor`). */
export const AGENT_WRAPPER = '/usr/local/bin/lab-agent';
/** Matches the agent's command line in pgrep -f: ours (dist/agent/cli.js k8s) or one a topology's exec line started. */
export const AGENT_PROCESS_PATTERN = '(agent/cli|bin/lab-agent)\\.js k8s';

/** The repository root (the directory holding dist/ and node_modules/), from this module's location. */
export function repoRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** The built files a lab cluster runs; deploy fails up front, naming the first one missing. */
export function requireBuilt(mains: readonly string[], root = repoRoot()): void {
  const missing = mains.find((m) => !existsSync(join(root, m)));
  if (missing) throw new KindlabError('DEPLOY', `kindlab is not built (${missing} is missing)`, { hint: 'run npm run build in the kindlab repository' });
}

export function clusterOf(plan: LabPlan): LabCluster {
  if (!plan.cluster) throw new KindlabError('INTERNAL', `lab ${plan.name} has no cluster`);
  return plan.cluster;
}

export function clusterNodes(plan: LabPlan): NodePlan[] {
  return plan.nodes.filter((n) => n.k8s);
}

/** The first control-plane node: it runs the API server and the controllers. */
export function controlPlane(plan: LabPlan): NodePlan {
  const cp = clusterNodes(plan).find((n) => n.k8s!.role === 'control-plane');
  if (!cp) throw new KindlabError('INTERNAL', `cluster of lab ${plan.name} has no control-plane node`);
  return cp;
}

export function isControlPlane(plan: LabPlan, node: NodePlan): boolean {
  return !!node.k8s && controlPlane(plan).name === node.name;
}

/** With several clusters in the lab, each keeps its files under `<labDir>/<cluster name>/`. */
const clusterBase = (plan: LabPlan): string => ((plan.clusters?.length ?? 0) > 1 ? join(plan.labDir, clusterOf(plan).spec.name) : plan.labDir);

export const hostPaths = {
  clusterDir: (plan: LabPlan) => join(clusterBase(plan), 'cluster'),
  kubeconfig: (plan: LabPlan) => join(clusterBase(plan), 'kubeconfig'),
  kindConfig: (plan: LabPlan) => join(clusterBase(plan), 'cluster', 'kind-cluster.yaml'),
  apiserverLog: (plan: LabPlan) => join(clusterBase(plan), 'cluster', 'apiserver.log'),
  pki: (plan: LabPlan) => join(clusterBase(plan), 'cluster', 'pki'),
  token: (plan: LabPlan) => join(clusterBase(plan), 'cluster', 'token'),
  nodeDir: (plan: LabPlan, n: NodePlan) => join(plan.labDir, nodeDirName(n)),
};

/** The control-plane's management address: what the nodes' kubeconfig points at. */
export function controlPlaneAddress(plan: LabPlan): string {
  const cp = controlPlane(plan);
  if (!cp.mgmtIPv4) throw new KindlabError('INTERNAL', `control-plane node ${cp.name} has no management address`);
  return cp.mgmtIPv4;
}

/** `--node-ip NAME=IP` for nodes whose kind config gives no node-ip: their management address. */
export function fallbackNodeIPs(plan: LabPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of clusterNodes(plan)) if (!n.k8s!.nodeIP && n.mgmtIPv4) out[n.k8s!.nodeName] = n.mgmtIPv4;
  return out;
}

/**
 * The serving certificate's SANs, computed exactly as the API server's main does from the same
 * arguments, so the PKI made on the host is the one it keeps (no re-issue in the container).
 */
export function apiServerSans(plan: LabPlan): string[] {
  const spec = clusterOf(plan).spec;
  const nodeIPs = fallbackNodeIPs(plan);
  const ips = [...spec.nodes.map((n) => n.nodeIP ?? nodeIPs[n.name]).filter((x): x is string => !!x), spec.apiServerAddress, ...spec.nodes.filter((n) => n.role === 'control-plane').map((n) => n.name)];
  return defaultSans([...ips, ...tlsSans(plan)]);
}

function tlsSans(plan: LabPlan): string[] {
  const published = apiPublishAddress(plan);
  return [controlPlaneAddress(plan), ...(published !== clusterOf(plan).spec.apiServerAddress ? [published] : [])];
}

/**
 * Where the API server is published for the machine running `lab`: kind's apiServerAddress
 * (loopback) on one engine; in a lab over several engines (`hosts:`), the underlay address of
 * the control-plane's host, since that engine's loopback is another machine's.
 */
export function apiPublishAddress(plan: LabPlan): string {
  const spec = clusterOf(plan).spec;
  if (!plan.hosts) return spec.apiServerAddress;
  const host = controlPlane(plan).host;
  return plan.hosts.find((h) => h.name === host)?.underlay ?? spec.apiServerAddress;
}

/** With the node daemon built, Nodes are Ready only while their daemon heartbeats (as with a kubelet). */
/** V8 flags of each Kubernetes node's own Node.js processes (node daemon, agent, the lab-agent wrapper): src/node-flags.ts. */
export const NODE_FLAGS: readonly string[] = SMALL_PROCESS_NODE_FLAGS;

export function apiServerArgv(plan: LabPlan): string[] {
  const spec = clusterOf(plan).spec;
  return [
    'node', `${IN_CONTAINER.root}/${APISERVER_MAIN}`,
    '--data', IN_CONTAINER.clusterDir,
    '--listen', `0.0.0.0:${API_PORT}`,
    '--cluster-config', `${IN_CONTAINER.clusterDir}/kind-cluster.yaml`,
    '--cluster-name', spec.name,
    ...tlsSans(plan).flatMap((s) => ['--tls-san', s]),
    ...Object.entries(fallbackNodeIPs(plan)).flatMap(([k, v]) => ['--node-ip', `${k}=${v}`]),
    '--require-heartbeats',
  ];
}

/**
 * The node daemon's V8 flags (it hosts the node's agent too): a 1 MB semi-space and V8's optimize-for-size mode
 * take ~2.5 MB off its resident heap (issue 16's ≤ 60 MB per node); a node's agent handles a few prefixes, so the
 * extra scavenges cost little. `--no-opt` keeps TurboFan out (Sparkplug stays): its code and the binary pages it
 * touches are ~4.4 MB of RSS, for ~5 % more CPU over a deploy (bench/cluster.ts, 60.7 → 56.3 MB, 0.43 → 0.45 s).
 * The standalone agent keeps NODE_FLAGS (large RIBs, bench/bgp-*).
 */
export const NODE_DAEMON_FLAGS: readonly string[] = [...NODE_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size')), '--max-semi-space-size=1', '--optimize-for-size', '--no-opt'];

export function nodeDaemonArgv(node: NodePlan): string[] {
  return ['node', ...NODE_DAEMON_FLAGS, `${IN_CONTAINER.root}/${NODE_DAEMON_MAIN}`, '--node', node.k8s!.nodeName, '--kubeconfig', `${IN_CONTAINER.nodeDir}/kubeconfig`];
}

/** Starts the agent unless the topology turned it off (`bgp: { agent: false }`). */
export function agentEnabled(plan: LabPlan): boolean {
  return !!plan.cluster && plan.cluster.bgp?.agent !== false;
}

/** `lab-agent k8s` for a node: its Node name, the node's kubeconfig, the lab's dialect (else detected) and flags. */
export function agentArgv(plan: LabPlan, node: NodePlan): string[] {
  const bgp = clusterOf(plan).bgp;
  return [
    'node', ...NODE_FLAGS, `${IN_CONTAINER.root}/${AGENT_MAIN}`, 'k8s',
    '--node', node.k8s!.nodeName,
    '--kubeconfig', `${IN_CONTAINER.nodeDir}/kubeconfig`,
    ...(bgp?.dialect ? ['--dialect', bgp.dialect] : []),
    ...(bgp?.flags ?? []),
  ];
}


/** One background process, started unless already running (matched by its main script). */
function startLine(argv: string[], log: string, guard?: string): string {
  const main = argv.find((a) => a.endsWith('.js'))!;
  const cond = guard ? `[ -f ${guard} ] && ` : '';
  return `${cond}{ pgrep -f ${shq(main)} >/dev/null || nohup ${argv.map(shq).join(' ')} >>${shq(log)} 2>&1 </dev/null & }`;
}

/**
 * /var/lib/kindlab/node/boot.sh: run by the container's command at every (re)start and by the
 * deploy; idempotent. The control-plane starts the API server at once (its state is in the
 * bind-mounted data dir); the node daemon starts once the deploy has enabled it (after links
 * and the topology's exec lines gave the node its address).
 */
/** The control-plane's file naming the API network's subnet (written by the Cluster API network step; read by boot.sh). */
export const API_NET_SUBNET_FILE = 'api-net.subnet';
// Not KINDLAB-*: that prefix is the node daemon's Service proxy's, which deletes any such chain it did not render.
export const API_FENCE_CHAIN = 'KL-API-FENCE';

/**
 * Who may open the API server's port inside the control-plane's netns (defect 7: it listens on
 * 0.0.0.0:6443, so without this every lab container and the host, through the mgmt bridge, reach
 * it): the node itself (lo), the cluster's nodes (their mgmt and node-ip addresses), its pods (the
 * `kubernetes` Service's backend is this port) and the API network the host's published port
 * arrives through. Everyone else gets a TCP reset. Per family; sorted, deduplicated.
 */
export function apiAllowedSources(plan: LabPlan): { v4: string[]; v6: string[] } {
  const spec = clusterOf(plan).spec;
  const all = new Set<string>();
  for (const n of clusterNodes(plan)) {
    for (const a of [n.mgmtIPv4, n.mgmtIPv6, n.k8s!.nodeIP, ...(n.k8s!.nodeIPs ?? [])]) if (a) all.add(a.split('/')[0]!);
  }
  for (const s of spec.podSubnet.split(',').map((x) => x.trim()).filter(Boolean)) all.add(s);
  const list = [...all].sort();
  return { v4: list.filter((a) => !a.includes(':')), v6: list.filter((a) => a.includes(':')) };
}

/** The boot lines that fence 6443 (idempotent: the chain is flushed and refilled at every start). */
export function apiFenceLines(plan: LabPlan): string[] {
  const { v4, v6 } = apiAllowedSources(plan);
  const chain = API_FENCE_CHAIN;
  const family = (bin: string, sources: string[], extra: string[]) => [
    `${bin} -N ${chain} 2>/dev/null; ${bin} -F ${chain}`,
    `${bin} -C INPUT -p tcp --dport ${API_PORT} -j ${chain} 2>/dev/null || ${bin} -I INPUT -p tcp --dport ${API_PORT} -j ${chain}`,
    `${bin} -A ${chain} -i lo -j RETURN`,
    ...sources.map((s) => `${bin} -A ${chain} -s ${s} -j RETURN`),
    ...extra,
    `${bin} -A ${chain} -p tcp -j REJECT --reject-with tcp-reset`,
  ];
  const subnetFile = `${IN_CONTAINER.nodeDir}/${API_NET_SUBNET_FILE}`;
  const lines = [
    ...family('iptables', v4, [`[ -s ${subnetFile} ] && iptables -A ${chain} -s "$(cat ${subnetFile})" -j RETURN`]),
    ...family('ip6tables', v6, []),
  ];
  return ['# the API server port: only this node, the cluster\'s nodes and pods, and the published port (api-net)', `if command -v iptables >/dev/null; then`, ...lines.map((l) => `  ${l}`), 'fi'];
}

export function bootScript(plan: LabPlan, node: NodePlan): string {
  const lines = ['#!/bin/sh', '# Written by kindlab: starts this Kubernetes node\'s processes (idempotent).', `mkdir -p ${IN_CONTAINER.nodeDir}/logs`];
  if (isControlPlane(plan, node)) lines.push(...apiFenceLines(plan), startLine(apiServerArgv(plan), `${IN_CONTAINER.clusterDir}/apiserver.log`));
  lines.push(startLine(nodeDaemonArgv(node), `${IN_CONTAINER.nodeDir}/logs/node.log`, `${IN_CONTAINER.nodeDir}/${NODE_DAEMON_MARKER}`));
  lines.push(`[ -x ${AGENT_WRAPPER} ] || { printf '#!/bin/sh\\nexec node ${NODE_FLAGS.join(' ')} ${IN_CONTAINER.root}/bin/lab-agent.js "$@"\\n' >${AGENT_WRAPPER} && chmod 755 ${AGENT_WRAPPER}; }`);
  // the node daemon runs the agent while the marker exists: tell a running daemon to look now (one starting looks itself)
  if (agentEnabled(plan)) lines.push(`[ -f ${IN_CONTAINER.nodeDir}/${AGENT_MARKER} ] && { ${agentControl('POST', '/sync')} >/dev/null 2>&1 || true; }`);
  lines.push('exit 0');
  return lines.join('\n') + '\n';
}

/** /var/lib/kindlab/node/agent.args: the flags the node daemon starts its hosted `lab-agent k8s` with (a JSON array). */
export function agentArgsFile(plan: LabPlan, node: NodePlan): string {
  const argv = agentArgv(plan, node);
  return `${JSON.stringify(argv.slice(argv.indexOf('k8s') + 1))}\n`;
}

/** The container's command: tini reaps the background processes; boot.sh runs at every start. */
export function nodeCommand(): string[] {
  return ['/usr/bin/tini', '-s', '--', 'sh', '-c', `[ -f ${IN_CONTAINER.nodeDir}/boot.sh ] && sh ${IN_CONTAINER.nodeDir}/boot.sh; exec sleep infinity`];
}

/** The lab's API network (see api-net.ts): Docker network and bridge names. */
export function apiNetwork(plan: LabPlan): { network: string; bridge: string; comment: string } {
  const h = createHash('sha256').update(plan.name).digest('hex').slice(0, 8);
  return { network: `kindlab-${plan.name}-api`, bridge: `kla-${h}`, comment: labRuleComment(plan.name, API_RULE_PURPOSE) };
}

/** The purpose in the comment of the API network's fence rules (destroy sweeps every rule of the lab). */
export const API_RULE_PURPOSE = 'api';
