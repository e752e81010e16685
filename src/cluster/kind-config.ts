import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { KindlabError, errorMessage } from '../errors.js';
import { isIPv4, isIPv6, parseCidr } from './controllers/ipam.js';

/**
 * kind `Cluster` (kind.x-k8s.io/v1alpha4) → internal ClusterSpec. The user's file is
 * converted once, here; nothing else reads kind's shape.
 */
export type NodeRole = 'control-plane' | 'worker';

export interface ClusterNodeSpec {
  /** kind's container/node name: `<cluster>-control-plane`, `<cluster>-worker`, `<cluster>-worker2`… */
  name: string;
  role: NodeRole;
  /** Position in the config (0 = first node); drives the pod CIDR. */
  index: number;
  /** From kubeletExtraArgs `node-ip`, if given. */
  nodeIP?: string;
  /** `labels:` merged with kubeletExtraArgs `node-labels`. */
  labels: Record<string, string>;
  image?: string;
  kubeletExtraArgs: Record<string, string>;
}

export interface ClusterSpec {
  name: string;
  ipFamily: 'ipv4' | 'ipv6' | 'dual';
  podSubnet: string;
  serviceSubnet: string;
  disableDefaultCNI: boolean;
  kubeProxyMode?: string;
  apiServerAddress: string;
  /** 0 = pick a free port. */
  apiServerPort: number;
  nodes: ClusterNodeSpec[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const TOP_KEYS = ['kind', 'apiVersion', 'name', 'nodes', 'networking', 'featureGates', 'runtimeConfig', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches', 'containerdConfigPatchesJSON6902'];
const NET_KEYS = ['ipFamily', 'apiServerPort', 'apiServerAddress', 'podSubnet', 'serviceSubnet', 'disableDefaultCNI', 'kubeProxyMode', 'dnsSearch'];
const NODE_KEYS = ['role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902'];

class Issues {
  readonly list: string[] = [];
  add(path: string, msg: string): void {
    this.list.push(`${path}: ${msg}`);
  }
  unknownKeys(o: Obj, allowed: string[], at: string): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(`${at}${at ? '.' : ''}${k}`, `unknown field (known: ${allowed.join(', ')})`);
  }
}

/** `rack=rack0,a=b` → { rack: 'rack0', a: 'b' }. */
function parseNodeLabels(s: string, at: string, issues: Issues): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) issues.add(at, `"${part}" is not key=value`);
    else out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** kubeletExtraArgs from kubeadm patches (v1beta3 map or v1beta4 name/value list). */
function kubeletArgsFrom(patches: unknown, wantKind: string, at: string, issues: Issues): Record<string, string> {
  const out: Record<string, string> = {};
  if (patches === undefined) return out;
  if (!Array.isArray(patches)) return issues.add(at, 'must be a list of YAML documents'), out;
  patches.forEach((p, i) => {
    if (typeof p !== 'string') return issues.add(`${at}[${i}]`, 'must be a string holding a kubeadm YAML document');
    let docs: unknown[];
    try {
      docs = YAML.parseAllDocuments(p).map((d) => d.toJS());
    } catch (e) {
      return issues.add(`${at}[${i}]`, `invalid YAML: ${errorMessage(e)}`);
    }
    for (const d of docs) {
      if (!isObj(d) || d.kind !== wantKind) continue;
      const args = isObj(d.nodeRegistration) ? d.nodeRegistration.kubeletExtraArgs : undefined;
      if (isObj(args)) for (const [k, v] of Object.entries(args)) out[k] = String(v);
      else if (Array.isArray(args)) for (const a of args) if (isObj(a) && typeof a.name === 'string') out[a.name] = String(a.value ?? '');
    }
  });
  return out;
}

function nodeNames(cluster: string, roles: NodeRole[]): string[] {
  const count: Record<NodeRole, number> = { 'control-plane': 0, worker: 0 };
  return roles.map((r) => {
    const n = ++count[r];
    return `${cluster}-${r}${n > 1 ? n : ''}`;
  });
}

/** Converts a parsed kind Cluster object; every problem is reported at once, naming its key. */
export function parseKindCluster(input: unknown, opts: { source?: string; defaultName?: string } = {}): ClusterSpec {
  const src = opts.source ?? 'cluster';
  const issues = new Issues();
  if (!isObj(input)) throw new KindlabError('CLUSTER_CONFIG', `${src}: a kind Cluster must be a mapping`);
  issues.unknownKeys(input, TOP_KEYS, '');
  if (input.kind !== undefined && input.kind !== 'Cluster') issues.add('kind', `must be "Cluster" (got ${JSON.stringify(input.kind)})`);
  if (input.apiVersion !== undefined && input.apiVersion !== 'kind.x-k8s.io/v1alpha4') issues.add('apiVersion', `must be "kind.x-k8s.io/v1alpha4" (got ${JSON.stringify(input.apiVersion)})`);
  const name = typeof input.name === 'string' && input.name ? input.name : (opts.defaultName ?? 'kind');
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) issues.add('name', `"${name}" is not a valid cluster name (lower case letters, digits, '-', '.')`);
  const net = input.networking === undefined ? {} : input.networking;
  if (!isObj(net)) issues.add('networking', 'must be a mapping');
  const n = isObj(net) ? net : {};
  issues.unknownKeys(n, NET_KEYS, 'networking');
  const ipFamily = (n.ipFamily ?? 'ipv4') as ClusterSpec['ipFamily'];
  if (!['ipv4', 'ipv6', 'dual'].includes(ipFamily)) issues.add('networking.ipFamily', `must be ipv4, ipv6 or dual (got ${JSON.stringify(n.ipFamily)})`);
  const v6 = ipFamily === 'ipv6';
  const podSubnet = String(n.podSubnet ?? (v6 ? 'fd00:10:244::/56' : '10.244.0.0/16'));
  const serviceSubnet = String(n.serviceSubnet ?? (v6 ? 'fd00:10:96::/112' : '10.96.0.0/16'));
  for (const [k, v] of [['podSubnet', podSubnet], ['serviceSubnet', serviceSubnet]] as const) {
    const first = v.split(',')[0]!.trim();
    if (!first.includes(':')) {
      try {
        parseCidr(first);
      } catch {
        issues.add(`networking.${k}`, `"${v}" is not a valid CIDR`);
      }
    }
  }
  const apiServerAddress = String(n.apiServerAddress ?? '127.0.0.1');
  if (!isIPv4(apiServerAddress) && !isIPv6(apiServerAddress)) issues.add('networking.apiServerAddress', `"${apiServerAddress}" is not an IP address`);
  const apiServerPort = n.apiServerPort === undefined ? 0 : Number(n.apiServerPort);
  if (!Number.isInteger(apiServerPort) || apiServerPort < 0 || apiServerPort > 65535) issues.add('networking.apiServerPort', `must be a port number (got ${JSON.stringify(n.apiServerPort)})`);
  if (n.disableDefaultCNI !== undefined && typeof n.disableDefaultCNI !== 'boolean') issues.add('networking.disableDefaultCNI', 'must be true or false');

  const rawNodes = input.nodes === undefined ? [{ role: 'control-plane' }] : input.nodes;
  if (!Array.isArray(rawNodes) || rawNodes.length === 0) issues.add('nodes', 'must be a non-empty list');
  const list = Array.isArray(rawNodes) ? rawNodes : [];
  const roles: NodeRole[] = list.map((raw, i) => {
    const role = isObj(raw) ? (raw.role ?? 'control-plane') : undefined;
    if (!isObj(raw)) issues.add(`nodes[${i}]`, 'must be a mapping');
    else if (role !== 'control-plane' && role !== 'worker') issues.add(`nodes[${i}].role`, `must be "control-plane" or "worker" (got ${JSON.stringify(raw.role)})`);
    return role === 'worker' ? 'worker' : 'control-plane';
  });
  if (list.length && !roles.includes('control-plane')) issues.add('nodes', 'needs at least one node with role control-plane');
  const names = nodeNames(name, roles);
  let seenInit = false;
  const nodes: ClusterNodeSpec[] = list.map((raw, i) => {
    const node = isObj(raw) ? raw : {};
    const at = `nodes[${i}]`;
    issues.unknownKeys(node, NODE_KEYS, at);
    // The first control-plane node runs `kubeadm init`; every other node `kubeadm join`.
    const initNode = roles[i] === 'control-plane' && !seenInit;
    if (initNode) seenInit = true;
    const cfgKind = initNode ? 'InitConfiguration' : 'JoinConfiguration';
    const args = { ...kubeletArgsFrom(input.kubeadmConfigPatches, cfgKind, 'kubeadmConfigPatches', issues), ...kubeletArgsFrom(node.kubeadmConfigPatches, cfgKind, `${at}.kubeadmConfigPatches`, issues) };
    const labels: Record<string, string> = {};
    if (node.labels !== undefined) {
      if (!isObj(node.labels)) issues.add(`${at}.labels`, 'must be a mapping of strings');
      else for (const [k, v] of Object.entries(node.labels)) labels[k] = String(v);
    }
    if (args['node-labels'] !== undefined) Object.assign(labels, parseNodeLabels(args['node-labels'], `${at}.kubeadmConfigPatches: node-labels`, issues));
    const nodeIP = args['node-ip'];
    if (nodeIP !== undefined && !nodeIP.split(',').every((x) => isIPv4(x.trim()) || isIPv6(x.trim()))) issues.add(`${at}.kubeadmConfigPatches: node-ip`, `"${nodeIP}" is not an IP address`);
    return {
      name: names[i]!,
      role: roles[i]!,
      index: i,
      ...(nodeIP ? { nodeIP: nodeIP.split(',')[0]!.trim() } : {}),
      labels,
      ...(typeof node.image === 'string' ? { image: node.image } : {}),
      kubeletExtraArgs: args,
    };
  });
  if (issues.list.length) {
    const [first, ...rest] = issues.list;
    throw new KindlabError('CLUSTER_CONFIG', `${src}: ${first}`, { detail: rest.length ? rest.map((l) => `  ${src}: ${l}`).join('\n') : undefined, hint: 'see https://kind.sigs.k8s.io/docs/user/configuration/' });
  }
  return { name, ipFamily, podSubnet, serviceSubnet, disableDefaultCNI: n.disableDefaultCNI === true, ...(typeof n.kubeProxyMode === 'string' ? { kubeProxyMode: n.kubeProxyMode } : {}), apiServerAddress, apiServerPort, nodes };
}

/** Reads a kind cluster.yaml (first YAML document). */
export function loadKindClusterFile(file: string, defaultName?: string): ClusterSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new KindlabError('CLUSTER_CONFIG', `${file}: cannot read the kind cluster config`, { cause: e });
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new KindlabError('CLUSTER_CONFIG', `${file}: invalid YAML: ${errorMessage(e)}`, { cause: e });
  }
  return parseKindCluster(doc, { source: file, defaultName });
}

/**
 * The topology's `cluster:` section: an inline kind Cluster, or `{ config: FILE }` naming a
 * kind cluster.yaml (relative to the topology's directory); `name` may override the file's.
 */
export function loadClusterSection(section: unknown, baseDir: string, defaultName?: string): ClusterSpec {
  if (section && typeof section === 'object' && !Array.isArray(section) && typeof (section as Obj).config === 'string') {
    const { config, name, ...rest } = section as Obj;
    if (Object.keys(rest).length) throw new KindlabError('CLUSTER_CONFIG', `cluster.${Object.keys(rest)[0]}: not allowed next to cluster.config (put it in ${String(config)})`);
    const file = path.isAbsolute(String(config)) ? String(config) : path.join(baseDir, String(config));
    const spec = loadKindClusterFile(file, defaultName);
    return typeof name === 'string' ? parseKindCluster({ ...(YAML.parse(fs.readFileSync(file, 'utf8')) as Obj), name }, { source: file }) : spec;
  }
  return parseKindCluster(section ?? {}, { source: 'cluster', defaultName });
}
