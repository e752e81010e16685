import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { KindlabError, errorMessage } from '../errors.js';
import { checkCidr, isStrictIPv6, splitList } from './controllers/cidr6.js';
import { isIPv4 } from './controllers/ipam.js';

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
  /** Every `node-ip` address (one per family for dual-stack; `nodeIP` is the first). */
  nodeIPs?: string[];
  image?: string;
  kubeletExtraArgs: Record<string, string>;
  /** `extraMounts`: the runtime binds each into the node container. */
  extraMounts: KindMount[];
  /** `extraPortMappings`: the runtime publishes each on the host. */
  extraPortMappings: KindPortMapping[];
}

export interface KindMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
  /** kind's `propagation` (None, HostToContainer, Bidirectional). */
  propagation: 'None' | 'HostToContainer' | 'Bidirectional';
}

export interface KindPortMapping {
  containerPort: number;
  /** 0 (or kind's -1) = a random free port. */
  hostPort: number;
  /** Default 127.0.0.1: labs do not publish on every interface unless asked. */
  listenAddress: string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** A field kindlab reads but cannot apply as kind would: kept on the plan and shown with its position. */
export interface ClusterWarning {
  /** Key path in the kind Cluster object, e.g. `containerdConfigPatches[0]`. */
  path: string;
  message: string;
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
  /** kube-proxy mode as configured (kind default iptables); `none` = the runtime turns kindlab's proxy off. */
  proxyMode: 'iptables' | 'ipvs' | 'nftables' | 'none';
  /** `networking.dnsSearch` (undefined = the host's; [] = none). */
  dnsSearch?: string[];
  /** `featureGates`, recorded for the components that read them. */
  featureGates: Record<string, boolean>;
  /** `runtimeConfig` (API groups/versions switched on or off), recorded. */
  runtimeConfig: Record<string, string>;
  /** Fields read but not applicable in kindlab, with the reason. */
  warnings: ClusterWarning[];
  /** Subnets taken from kind's defaults (not written by the user): a multi-cluster lab may move them apart. */
  defaulted?: Array<'podSubnet' | 'serviceSubnet'>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const TOP_KEYS = ['kind', 'apiVersion', 'name', 'nodes', 'networking', 'featureGates', 'runtimeConfig', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902', 'containerdConfigPatches', 'containerdConfigPatchesJSON6902'];
const NET_KEYS = ['ipFamily', 'apiServerPort', 'apiServerAddress', 'podSubnet', 'serviceSubnet', 'disableDefaultCNI', 'kubeProxyMode', 'dnsSearch'];
const NODE_KEYS = ['role', 'image', 'labels', 'extraMounts', 'extraPortMappings', 'gpus', 'kubeadmConfigPatches', 'kubeadmConfigPatchesJSON6902'];
const MOUNT_KEYS = ['hostPath', 'containerPath', 'readOnly', 'selinuxRelabel', 'propagation'];
const PORT_KEYS = ['containerPort', 'hostPort', 'listenAddress', 'protocol'];
const JSON6902_KEYS = ['group', 'version', 'kind', 'patch'];
const PROXY_MODES = ['iptables', 'ipvs', 'nftables', 'none'] as const;

/** kind's default subnets per family (pkg/apis/config/v1alpha4 defaults). */
export const KIND_DEFAULT_SUBNETS = {
  ipv4: { pod: '10.244.0.0/16', service: '10.96.0.0/16' },
  ipv6: { pod: 'fd00:10:244::/56', service: 'fd00:10:96::/112' },
  dual: { pod: '10.244.0.0/16,fd00:10:244::/56', service: '10.96.0.0/16,fd00:10:96::/112' },
} as const;

class Issues {
  readonly list: string[] = [];
  readonly warnings: ClusterWarning[] = [];
  add(path: string, msg: string): void {
    this.list.push(`${path}: ${msg}`);
  }
  warn(path: string, message: string): void {
    if (!this.warnings.some((w) => w.path === path && w.message === message)) this.warnings.push({ path, message });
  }
  unknownKeys(o: Obj, allowed: string[], at: string): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(`${at}${at ? '.' : ''}${k}`, `unknown field "${k}" (kind decodes strictly; known: ${allowed.join(', ')})`);
  }
}

/** One family's CIDR list as kind validates it: ipv4/ipv6 one CIDR of that family; dual one CIDR or one of each family. */
function checkSubnets(value: string, family: ClusterSpec['ipFamily'], at: string, issues: Issues): void {
  const parts = splitList(value);
  const fams: string[] = [];
  for (const part of parts) {
    try {
      fams.push(checkCidr(part).family);
    } catch {
      return issues.add(at, `"${part}" is not a valid CIDR`);
    }
  }
  if (parts.length === 0) issues.add(at, 'no subnets defined');
  else if (family === 'dual') {
    if (parts.length > 2 || (parts.length === 2 && fams[0] === fams[1])) issues.add(at, `"${value}": expected one (IPv4 or IPv6) CIDR or two CIDRs from each family for dual-stack networking`);
    else if (parts.length === 1) issues.warn(at, `"${value}" is one family only: with ipFamily dual, pods and Services get ${fams[0]} addresses only (add the ${fams[0] === 'IPv4' ? 'IPv6' : 'IPv4'} CIDR after a comma)`);
  } else if (parts.length !== 1) issues.add(at, `"${value}": only one CIDR allowed for single-stack networking`);
  else if (fams[0] !== (family === 'ipv6' ? 'IPv6' : 'IPv4')) issues.add(at, `"${value}": expected ${family === 'ipv6' ? 'IPv6' : 'IPv4'} CIDR for ${family === 'ipv6' ? 'IPv6' : 'IPv4'} family`);
}

/** featureGates (name → bool) or runtimeConfig (name → string). */
function stringMap<T>(v: unknown, at: string, issues: Issues, conv: (x: unknown) => T | undefined, what: string): Record<string, T> {
  const out: Record<string, T> = {};
  if (v === undefined) return out;
  if (!isObj(v)) return issues.add(at, `must be a mapping of ${what}`), out;
  for (const [k, x] of Object.entries(v)) {
    const c = conv(x);
    if (c === undefined) issues.add(`${at}.${k}`, `must be ${what} (got ${JSON.stringify(x)})`);
    else out[k] = c;
  }
  return out;
}

function intIn(v: unknown, min: number, max: number): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

function parseMounts(v: unknown, at: string, issues: Issues): KindMount[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return issues.add(at, 'must be a list of mounts'), [];
  const out: KindMount[] = [];
  v.forEach((m, i) => {
    const p = `${at}[${i}]`;
    if (!isObj(m)) return issues.add(p, 'must be a mapping (hostPath, containerPath, readOnly, propagation)');
    issues.unknownKeys(m, MOUNT_KEYS, p);
    if (typeof m.hostPath !== 'string' || !m.hostPath) issues.add(`${p}.hostPath`, 'is required (a path on the host)');
    if (typeof m.containerPath !== 'string' || !m.containerPath.startsWith('/')) issues.add(`${p}.containerPath`, 'is required (an absolute path inside the node)');
    if (m.readOnly !== undefined && typeof m.readOnly !== 'boolean') issues.add(`${p}.readOnly`, 'must be true or false');
    const prop = m.propagation ?? 'None';
    if (prop !== 'None' && prop !== 'HostToContainer' && prop !== 'Bidirectional') issues.add(`${p}.propagation`, `must be None, HostToContainer or Bidirectional (got ${JSON.stringify(m.propagation)})`);
    if (m.selinuxRelabel !== undefined) {
      if (typeof m.selinuxRelabel !== 'boolean') issues.add(`${p}.selinuxRelabel`, 'must be true or false');
      else if (m.selinuxRelabel) issues.warn(`${p}.selinuxRelabel`, 'not applied: kindlab binds without an SELinux relabel (:Z); relabel the host path yourself if SELinux enforces');
    }
    if (typeof m.hostPath === 'string' && typeof m.containerPath === 'string') out.push({ hostPath: m.hostPath, containerPath: m.containerPath, readOnly: m.readOnly === true, propagation: prop as KindMount['propagation'] });
  });
  return out;
}

function parsePorts(v: unknown, at: string, issues: Issues): KindPortMapping[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return issues.add(at, 'must be a list of port mappings'), [];
  const out: KindPortMapping[] = [];
  v.forEach((m, i) => {
    const p = `${at}[${i}]`;
    if (!isObj(m)) return issues.add(p, 'must be a mapping (containerPort, hostPort, listenAddress, protocol)');
    issues.unknownKeys(m, PORT_KEYS, p);
    const containerPort = intIn(m.containerPort, 0, 65535);
    if (containerPort === undefined) issues.add(`${p}.containerPort`, `must be a port number 0-65535 (got ${JSON.stringify(m.containerPort)})`);
    const hostPort = m.hostPort === undefined ? 0 : intIn(m.hostPort, -1, 65535);
    if (hostPort === undefined) issues.add(`${p}.hostPort`, `must be a port number 0-65535, or -1 for a random one (got ${JSON.stringify(m.hostPort)})`);
    const listenAddress = m.listenAddress === undefined ? '127.0.0.1' : String(m.listenAddress);
    if (!isIPv4(listenAddress) && !isStrictIPv6(listenAddress)) issues.add(`${p}.listenAddress`, `"${listenAddress}" is not an IP address`);
    const protocol = m.protocol === undefined ? 'TCP' : String(m.protocol).toUpperCase();
    if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') issues.add(`${p}.protocol`, `must be TCP, UDP or SCTP (got ${JSON.stringify(m.protocol)})`);
    if (containerPort === undefined || hostPort === undefined) return;
    const pm: KindPortMapping = { containerPort, hostPort: Math.max(0, hostPort), listenAddress, protocol: protocol as KindPortMapping['protocol'] };
    // as kind: a random host port (0/-1) never clashes; 0.0.0.0 and :: are one wildcard that clashes with any address
    const wild = (a: string) => a === '0.0.0.0' || a === '::';
    if (pm.hostPort !== 0 && out.some((o) => o.hostPort === pm.hostPort && o.protocol === pm.protocol && (o.listenAddress === pm.listenAddress || wild(o.listenAddress) || wild(pm.listenAddress)))) {
      issues.add(p, `port mapping with same listen address, port and protocol already configured: ${listenAddress}:${pm.hostPort}/${protocol}`);
    }
    out.push(pm);
  });
  return out;
}

/** kubeadmConfigPatchesJSON6902 / containerdConfigPatches*: checked, then warned: kindlab runs no kubeadm or containerd. */
function unappliedPatches(input: Obj, key: string, at: string, issues: Issues, reason: string): void {
  const v = input[key];
  if (v === undefined) return;
  if (!Array.isArray(v)) return issues.add(`${at}${key}`, 'must be a list');
  v.forEach((p, i) => {
    const here = `${at}${key}[${i}]`;
    if (key.endsWith('JSON6902') && key.startsWith('kubeadm')) {
      if (!isObj(p)) return issues.add(here, 'must be a mapping (group, version, kind, patch)');
      issues.unknownKeys(p, JSON6902_KEYS, here);
      for (const k of ['kind', 'patch']) if (typeof p[k] !== 'string' || !p[k]) issues.add(`${here}.${k}`, 'is required');
      if (typeof p.patch === 'string') {
        try {
          const ops = YAML.parse(p.patch) as unknown;
          if (!Array.isArray(ops)) issues.add(`${here}.patch`, 'must be a JSON 6902 list of operations');
        } catch (e) {
          issues.add(`${here}.patch`, `invalid YAML/JSON: ${errorMessage(e).split('\n')[0]}`);
        }
      }
    } else if (typeof p !== 'string') return issues.add(here, 'must be a string (a TOML or JSON 6902 patch document)');
    issues.warn(here, reason);
  });
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

interface KubeadmPatchInfo {
  kubeletExtraArgs: Record<string, string>;
  /** ClusterConfiguration networking.podSubnet / serviceSubnet (they override kind's networking, as in kind). */
  podSubnet?: string;
  serviceSubnet?: string;
}

const KUBEADM_KINDS = ['InitConfiguration', 'JoinConfiguration', 'ClusterConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration'];

/**
 * What kindlab takes from kubeadm patches: kubeletExtraArgs of the node's Init/JoinConfiguration
 * (v1beta3 map or v1beta4 name/value list; node-ip and node-labels applied, the rest recorded) and
 * ClusterConfiguration networking subnets. Any other setting is warned, naming the patch.
 */
function kubeadmPatches(patches: unknown, wantKind: string, at: string, issues: Issues, warnOthers: boolean): KubeadmPatchInfo {
  const out: KubeadmPatchInfo = { kubeletExtraArgs: {} };
  if (patches === undefined) return out;
  if (!Array.isArray(patches)) return issues.add(at, 'must be a list of YAML documents'), out;
  patches.forEach((p, i) => {
    const here = `${at}[${i}]`;
    if (typeof p !== 'string') return issues.add(here, 'must be a string holding a kubeadm YAML document');
    let docs: unknown[];
    try {
      const parsed = YAML.parseAllDocuments(p);
      const bad = parsed.find((d) => d.errors.length);
      if (bad) throw new Error(bad.errors[0]!.message.split('\n')[0]);
      docs = parsed.map((d) => d.toJS() as unknown);
    } catch (e) {
      return issues.add(here, `invalid YAML: ${errorMessage(e)}`);
    }
    for (const d of docs) {
      if (!isObj(d)) continue;
      const kind = String(d.kind ?? '');
      if (!KUBEADM_KINDS.includes(kind)) {
        if (warnOthers) issues.add(here, `kind "${kind}" is not a kubeadm configuration kind (${KUBEADM_KINDS.join(', ')})`);
        continue;
      }
      if (kind === 'ClusterConfiguration') {
        if (!warnOthers) continue;
        const { networking, apiVersion: _v, kind: _k, ...rest } = d;
        if (isObj(networking)) {
          const { podSubnet, serviceSubnet, ...other } = networking;
          if (typeof podSubnet === 'string') out.podSubnet = podSubnet;
          if (typeof serviceSubnet === 'string') out.serviceSubnet = serviceSubnet;
          for (const k of Object.keys(other)) issues.warn(here, `ClusterConfiguration networking.${k} is not applied: kindlab's cluster uses ${k === 'dnsDomain' ? 'cluster.local' : 'its own setting'}`);
        }
        for (const k of Object.keys(rest)) issues.warn(here, `ClusterConfiguration ${k} is not applied: kindlab runs its own API server and controllers, not kubeadm's static pods`);
        continue;
      }
      if (kind === 'KubeletConfiguration' || kind === 'KubeProxyConfiguration') {
        if (warnOthers) issues.warn(here, `${kind} is not applied: kindlab's node daemon is not the kubelet/kube-proxy (use networking.kubeProxyMode to turn the proxy off)`);
        continue;
      }
      if (kind !== wantKind) continue;
      const { nodeRegistration, apiVersion: _v, kind: _k, ...rest } = d;
      const reg = isObj(nodeRegistration) ? nodeRegistration : {};
      const args = reg.kubeletExtraArgs;
      if (isObj(args)) for (const [k, v] of Object.entries(args)) out.kubeletExtraArgs[k] = String(v);
      else if (Array.isArray(args)) for (const a of args) if (isObj(a) && typeof a.name === 'string') out.kubeletExtraArgs[a.name] = String(a.value ?? '');
      for (const k of Object.keys(reg)) if (k !== 'kubeletExtraArgs') issues.warn(here, `${kind} nodeRegistration.${k} is not applied: kindlab registers the node itself`);
      for (const k of Object.keys(rest)) issues.warn(here, `${kind} ${k} is not applied: kindlab does not run kubeadm`);
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
  const famOk = ['ipv4', 'ipv6', 'dual'].includes(ipFamily);
  if (!famOk) issues.add('networking.ipFamily', `must be ipv4, ipv6 or dual (got ${JSON.stringify(n.ipFamily)})`);
  const defaults = KIND_DEFAULT_SUBNETS[famOk ? ipFamily : 'ipv4'];
  // ClusterConfiguration patches that set the subnets win over networking, as kubeadm reads the patched config.
  const clusterPatch = kubeadmPatches(input.kubeadmConfigPatches, '', 'kubeadmConfigPatches', issues, true);
  for (const [k, v] of [['podSubnet', n.podSubnet], ['serviceSubnet', n.serviceSubnet]] as const) if (v !== undefined && typeof v !== 'string') issues.add(`networking.${k}`, `must be a CIDR string (got ${JSON.stringify(v)})`);
  let podSubnet = typeof n.podSubnet === 'string' ? n.podSubnet : defaults.pod;
  let serviceSubnet = typeof n.serviceSubnet === 'string' ? n.serviceSubnet : defaults.service;
  if (famOk) {
    checkSubnets(podSubnet, ipFamily, 'networking.podSubnet', issues);
    checkSubnets(serviceSubnet, ipFamily, 'networking.serviceSubnet', issues);
  }
  if (clusterPatch.podSubnet !== undefined) {
    if (famOk) checkSubnets(clusterPatch.podSubnet, ipFamily, 'kubeadmConfigPatches', issues);
    podSubnet = clusterPatch.podSubnet;
  }
  if (clusterPatch.serviceSubnet !== undefined) {
    if (famOk) checkSubnets(clusterPatch.serviceSubnet, ipFamily, 'kubeadmConfigPatches', issues);
    serviceSubnet = clusterPatch.serviceSubnet;
  }
  podSubnet = splitList(podSubnet).join(',');
  serviceSubnet = splitList(serviceSubnet).join(',');
  const apiServerAddress = String(n.apiServerAddress ?? (ipFamily === 'ipv6' ? '::1' : '127.0.0.1'));
  if (!isIPv4(apiServerAddress) && !isStrictIPv6(apiServerAddress)) issues.add('networking.apiServerAddress', `"${apiServerAddress}" is not an IP address`);
  const apiServerPort = n.apiServerPort === undefined ? 0 : Number(n.apiServerPort);
  if (!Number.isInteger(apiServerPort) || apiServerPort < -1 || apiServerPort > 65535) issues.add('networking.apiServerPort', `must be a port number (got ${JSON.stringify(n.apiServerPort)})`);
  if (n.disableDefaultCNI !== undefined && typeof n.disableDefaultCNI !== 'boolean') issues.add('networking.disableDefaultCNI', 'must be true or false');
  const proxyMode = (n.kubeProxyMode ?? 'iptables') as ClusterSpec['proxyMode'];
  if (!(PROXY_MODES as readonly string[]).includes(proxyMode)) issues.add('networking.kubeProxyMode', `must be one of ${PROXY_MODES.join(', ')} (got ${JSON.stringify(n.kubeProxyMode)})`);
  else if (proxyMode === 'ipvs' || proxyMode === 'nftables') issues.warn('networking.kubeProxyMode', `kindlab's Service proxy programs iptables rules; mode ${proxyMode} behaves as iptables (use none to run your own proxy)`);
  let dnsSearch: string[] | undefined;
  if (n.dnsSearch !== undefined && n.dnsSearch !== null) {
    if (!Array.isArray(n.dnsSearch) || n.dnsSearch.some((d) => typeof d !== 'string')) issues.add('networking.dnsSearch', 'must be a list of domain names');
    else dnsSearch = n.dnsSearch as string[];
  }
  const featureGates = stringMap(input.featureGates, 'featureGates', issues, (x) => (typeof x === 'boolean' ? x : undefined), 'true or false');
  const runtimeConfig = stringMap(input.runtimeConfig, 'runtimeConfig', issues, (x) => (typeof x === 'string' || typeof x === 'boolean' ? String(x) : undefined), 'strings ("true", "false", "v1")');
  unappliedPatches(input, 'kubeadmConfigPatchesJSON6902', '', issues, 'not applied: kindlab does not run kubeadm, so there is no kubeadm document to patch (kubeadmConfigPatches with node-ip, node-labels or ClusterConfiguration networking are read)');
  unappliedPatches(input, 'containerdConfigPatches', '', issues, 'not applied: kindlab nodes run no containerd (pods are processes in the node\'s namespaces); registry mirrors and runtimes cannot be configured this way');
  unappliedPatches(input, 'containerdConfigPatchesJSON6902', '', issues, 'not applied: kindlab nodes run no containerd (pods are processes in the node\'s namespaces)');

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
    const args = { ...kubeadmPatches(input.kubeadmConfigPatches, cfgKind, 'kubeadmConfigPatches', issues, false).kubeletExtraArgs, ...kubeadmPatches(node.kubeadmConfigPatches, cfgKind, `${at}.kubeadmConfigPatches`, issues, true).kubeletExtraArgs };
    unappliedPatches(node, 'kubeadmConfigPatchesJSON6902', `${at}.`, issues, 'not applied: kindlab does not run kubeadm, so there is no kubeadm document to patch');
    if (node.gpus !== undefined) {
      if (typeof node.gpus !== 'string') issues.add(`${at}.gpus`, 'must be a string ("all" or device ids)');
      else issues.warn(`${at}.gpus`, 'not applied: kindlab does not pass GPU devices into nodes');
    }
    if (node.image !== undefined && typeof node.image !== 'string') issues.add(`${at}.image`, 'must be an image reference');
    const labels: Record<string, string> = {};
    if (node.labels !== undefined) {
      if (!isObj(node.labels)) issues.add(`${at}.labels`, 'must be a mapping of strings');
      else for (const [k, v] of Object.entries(node.labels)) labels[k] = String(v);
    }
    if (args['node-labels'] !== undefined) Object.assign(labels, parseNodeLabels(args['node-labels'], `${at}.kubeadmConfigPatches: node-labels`, issues));
    const nodeIP = args['node-ip'];
    const nodeIPs = nodeIP === undefined ? [] : splitList(nodeIP);
    if (nodeIP !== undefined) {
      const where = node.kubeadmConfigPatches !== undefined ? `${at}.kubeadmConfigPatches` : 'kubeadmConfigPatches';
      if (!nodeIPs.length || !nodeIPs.every((x) => isIPv4(x) || isStrictIPv6(x))) issues.add(where, `node-ip: "${nodeIP}" is not an IP address (or two, comma-separated, for dual-stack)`);
      else if (nodeIPs.length > 2 || (nodeIPs.length === 2 && isIPv4(nodeIPs[0]!) === isIPv4(nodeIPs[1]!))) issues.add(where, `node-ip: "${nodeIP}": at most one address per family`);
      else if (famOk && ipFamily !== 'dual' && nodeIPs.length === 2) issues.add(where, `node-ip: "${nodeIP}" has two families but networking.ipFamily is ${ipFamily}`);
    }
    return {
      name: names[i]!,
      role: roles[i]!,
      index: i,
      ...(nodeIPs.length ? { nodeIP: nodeIPs[0]!, nodeIPs } : {}),
      labels,
      ...(typeof node.image === 'string' ? { image: node.image } : {}),
      kubeletExtraArgs: args,
      extraMounts: parseMounts(node.extraMounts, `${at}.extraMounts`, issues),
      extraPortMappings: parsePorts(node.extraPortMappings, `${at}.extraPortMappings`, issues),
    };
  });
  if (issues.list.length) {
    const [first, ...rest] = issues.list;
    throw new KindlabError('CLUSTER_CONFIG', `${src}: ${first}`, { detail: rest.length ? rest.map((l) => `  ${src}: ${l}`).join('\n') : undefined, hint: 'see https://kind.sigs.k8s.io/docs/user/configuration/' });
  }
  return {
    name,
    ipFamily,
    podSubnet,
    serviceSubnet,
    disableDefaultCNI: n.disableDefaultCNI === true,
    ...(typeof n.kubeProxyMode === 'string' ? { kubeProxyMode: n.kubeProxyMode } : {}),
    proxyMode,
    ...(dnsSearch ? { dnsSearch } : {}),
    apiServerAddress,
    apiServerPort: Math.max(0, apiServerPort),
    nodes,
    featureGates,
    runtimeConfig,
    warnings: issues.warnings,
    defaulted: [...(n.podSubnet === undefined && clusterPatch.podSubnet === undefined ? ['podSubnet' as const] : []), ...(n.serviceSubnet === undefined && clusterPatch.serviceSubnet === undefined ? ['serviceSubnet' as const] : [])],
  };
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
