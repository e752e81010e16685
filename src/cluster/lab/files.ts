/**
 * Host-side files of the embedded cluster, written before the node containers exist: the kind
 * config the API server reads, the per-lab CA, serving certificate and token (the API server's
 * own ensurePki/ensureToken, run here on the host), each node's kubeconfig and boot script.
 * The host kubeconfig needs the published port and is written once the control-plane runs.
 */
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { ensurePki, ensureToken, type Pki } from '../apiserver/tls.js';
import type { LabPlan, NodePlan } from '../../topology/index.js';
import { AGENT_ARGS_FILE, AGENT_MARKER, API_PORT, NODE_DAEMON_MARKER, agentArgsFile, apiServerSans, bootScript, clusterOf, controlPlaneAddress, hostPaths } from './plan.js';

interface Credentials {
  pki: Pki;
  token: string;
}

/**
 * What the cluster's deploy steps share within one deploy (on the kind context, not in module
 * state keyed by the plan): the API's host port once reserved, the credentials once prepared.
 */
export interface ClusterDeployState {
  apiPort?: number;
  credentials?: Promise<Credentials>;
}

/** The cluster directory (kind config, PKI, token); once per deploy, whichever node asks first. */
export function prepareCluster(plan: LabPlan, state: ClusterDeployState): Promise<Credentials> {
  let p = state.credentials;
  if (!p) {
    p = (async () => {
      const cluster = clusterOf(plan);
      // A deploy makes a new cluster (like kind create): objects of an earlier deploy of this lab
      // directory go; the CA and token stay. A container restart keeps the store (not run then).
      await rm(join(hostPaths.clusterDir(plan), 'store'), { recursive: true, force: true });
      await mkdir(hostPaths.clusterDir(plan), { recursive: true });
      await writeFile(hostPaths.kindConfig(plan), `# The lab's kind Cluster config as kindlab read it${cluster.configFile ? ` from ${cluster.configFile}` : ''}.\n${YAML.stringify(cluster.raw)}`);
      const pki = await ensurePki(hostPaths.pki(plan), apiServerSans(plan));
      const token = ensureToken(hostPaths.token(plan));
      return { pki, token };
    })();
    state.credentials = p;
    p.catch(() => (state.credentials = undefined));
  }
  return p;
}

/** A node's directory: its kubeconfig (API at the control-plane's management address), boot.sh and agent.args. */
export async function writeNodeFiles(plan: LabPlan, node: NodePlan, state: ClusterDeployState): Promise<void> {
  const { pki, token } = await prepareCluster(plan, state);
  const dir = hostPaths.nodeDir(plan, node);
  await rm(join(dir, NODE_DAEMON_MARKER), { force: true });
  await rm(join(dir, AGENT_MARKER), { force: true });
  // A deploy makes a new cluster (its store is wiped): the node's pod addresses and pod state of an
  // earlier deploy go too, or the new pods would get other addresses than a fresh lab's.
  for (const f of ['ipam.json', 'ipam-ipv4.json', 'ipam-ipv6.json', 'pods']) await rm(join(dir, f), { recursive: true, force: true });
  await mkdir(join(dir, 'logs'), { recursive: true });
  writeKubeconfig(join(dir, 'kubeconfig'), { clusterName: clusterOf(plan).spec.name, server: `https://${controlPlaneAddress(plan)}:${API_PORT}`, caCert: pki.caCert, token });
  const boot = join(dir, 'boot.sh');
  await writeFile(boot, bootScript(plan, node));
  await chmod(boot, 0o755);
  await writeFile(join(dir, AGENT_ARGS_FILE), agentArgsFile(plan, node));
}

/** `<labDir>/kubeconfig` for the host: kind's context name, the API published on loopback. */
export async function writeHostKubeconfig(plan: LabPlan, hostIp: string, hostPort: number, state: ClusterDeployState): Promise<string> {
  const { pki, token } = await prepareCluster(plan, state);
  const file = hostPaths.kubeconfig(plan);
  const host = hostIp.includes(':') ? `[${hostIp}]` : hostIp;
  writeKubeconfig(file, { clusterName: clusterOf(plan).spec.name, server: `https://${host}:${hostPort}`, caCert: pki.caCert, token });
  return file;
}
