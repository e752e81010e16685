/**
 * The topology's `cluster:` section (a kind Cluster, inline or `{ config: cluster.yaml }`) and
 * `manifests:` list → k8s-node NodeSpecs and a LabCluster. The kind config itself is converted by
 * src/cluster/kind-config.ts; here its problems are mapped to file:line:col (in the topology, or in
 * the cluster.yaml it names) and its nodes become topology nodes named kind's way:
 * node `control-plane` / `worker` / `worker2`… in container `<cluster>-control-plane` / `<cluster>-worker`…
 * Links, `network-mode: container:` and `wait-for` may name either form.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter } from 'yaml';
import { parseYaml } from './parse-yaml.js';
import { parseKindCluster, type ClusterNodeSpec, type ClusterSpec } from '../cluster/config/index.js';
import { KindlabError } from '../errors.js';
import type { RawEndpoint, RawLink, RawTopologyFile, RawTopologySection } from './raw-types.js';
import { kindNodeBgp, normalizeClusterBgp, withoutBgp } from './normalize-cluster-bgp.js';
import { normalizeNode } from './normalize-node.js';
import { IssueList, SourceMap, type PathSeg } from './source-map.js';
import type { BindMount, ClusterBgp, LabCluster, NodeSpec, PortMapping, SourcePos } from './types.js';

export const K8S_NODE_KIND = 'k8s-node';
/** containerlab's kind for a node that runs a whole kind cluster (its config in startup-config). */
export const K8S_KIND_KIND = 'k8s-kind';
export const K8S_NODE_IMAGE = 'kindlab/base:latest';

export interface ClusterContext {
  dir: string;
  issues: IssueList;
  exists?: (path: string) => boolean;
  /** How many clusters k8s-kind nodes declared (normalizeKindNodes runs first). */
  kindClusters?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** `nodes[2].kubeadmConfigPatches` → ['nodes', 2, 'kubeadmConfigPatches']. */
export function parseKeyPath(s: string): PathSeg[] {
  const out: PathSeg[] = [];
  for (const m of s.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/** The `path: message` lines of a CLUSTER_CONFIG error from the kind-config parser. */
function parserIssues(e: KindlabError, src: string): Array<{ path: PathSeg[]; message: string }> {
  const lines = [e.shortMessage, ...(e.detail ? e.detail.split('\n') : [])].map((l) => l.trim()).filter(Boolean);
  return lines.map((l) => {
    const body = l.startsWith(`${src}: `) ? l.slice(src.length + 2) : l;
    const cut = body.indexOf(': ');
    const head = cut > 0 ? body.slice(0, cut) : '';
    // a key path has no spaces; otherwise the whole line is the message about the section
    if (!head || /\s/.test(head)) return { path: [], message: body };
    return { path: parseKeyPath(head), message: body.slice(cut + 2) };
  });
}

interface Source {
  /** The kind Cluster object. */
  obj: unknown;
  /** Where its keys are: a data path → position. */
  locate(path: PathSeg[], at?: 'key' | 'value'): SourcePos;
  /** Reports a problem at a path inside the kind Cluster object (at its key or its value). */
  report(path: PathSeg[], message: string, at?: 'key' | 'value'): void;
  configFile?: string;
  src: string;
  /** Put before a kind path in messages ('' for a file of its own). */
  prefix?: string;
}

function inlineSource(section: Obj, ctx: ClusterContext): Source {
  return {
    obj: withoutBgp(section),
    src: 'cluster',
    prefix: 'cluster.',
    locate: (p, at) => ctx.issues.map.locate(['cluster', ...p], at),
    report: (p, m, at) => ctx.issues.add(['cluster', ...p], m, at),
  };
}

/**
 * `cluster: { config: { kind: Cluster, nodes: [...] } }`: the kind config written inline under
 * `config:`. Its problems are shown at their own lines (cluster.config.nodes[1].role...), not at
 * the `config` key (defect 11 of issue 18: it was taken as an unknown kind field "config").
 */
function inlineConfigSource(section: Obj, ctx: ClusterContext): Source {
  for (const k of Object.keys(section)) {
    if (k !== 'config' && k !== 'name' && k !== 'bgp') ctx.issues.add(['cluster', k], `"${k}" cannot sit next to cluster.config: put it in the kind config under cluster.config`, 'key');
  }
  const obj: Obj = { ...(section.config as Obj) };
  if (typeof section.name === 'string') obj.name = section.name;
  return {
    obj,
    src: 'cluster.config',
    prefix: 'cluster.config.',
    locate: (p, at) => ctx.issues.map.locate(['cluster', 'config', ...p], at),
    report: (p, m, at) => ctx.issues.add(['cluster', 'config', ...p], m, at),
  };
}

function fileSource(section: Obj, ctx: ClusterContext): Source | undefined {
  const { issues } = ctx;
  for (const k of Object.keys(section)) {
    if (k !== 'config' && k !== 'name' && k !== 'bgp') issues.add(['cluster', k], `"${k}" cannot sit next to cluster.config: put it in the kind config file`, 'key');
  }
  if (String(section.config).includes('\n')) {
    // a `config: |` block of YAML text is not a file name
    issues.add(['cluster', 'config'], 'cluster.config names a kind config file, but it holds YAML text here: write the kind Cluster as a mapping under cluster.config (no "|"), or give a file name');
    return undefined;
  }
  const file = isAbsolute(String(section.config)) ? String(section.config) : resolve(ctx.dir, String(section.config));
  const source = readKindFile(file, ['cluster', 'config'], ctx);
  if (source && typeof section.name === 'string' && isObj(source.obj)) source.obj.name = section.name;
  return source;
}

/** A kind Cluster config file as a Source; problems reading or parsing it are reported at `at` (the key naming it). */
function readKindFile(file: string, at: PathSeg[], ctx: ClusterContext): Source | undefined {
  const { issues } = ctx;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    issues.add(at, `kind config file ${file} cannot be read (does it exist?)`);
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseYaml(text, lineCounter);
  const map = new SourceMap(file, { doc, lineCounter });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(err.pos[0]);
    issues.issues.push({ file, line, col, path: '(document)', message: `invalid YAML in the kind config: ${err.message.split('\n')[0]}` });
    return undefined;
  }
  const obj = doc.toJS() as unknown;
  return {
    obj,
    src: file,
    prefix: '',
    configFile: file,
    locate: (p, at2) => map.locate(p, at2),
    report: (p, m, at2) => issues.issues.push(map.issue(p, m, at2)),
  };
}

/**
 * Converts the cluster section and puts its nodes into `nodes` (first, in config order; a user
 * node of kind k8s-node with the same name adds exec/binds/labels/mgmt-ipv4 to it). Returns
 * undefined without a cluster section. Problems go to ctx.issues. Nodes that already belong to a
 * `k8s-kind` node's cluster (normalizeKindNodes, run first) are left alone.
 */
export function normalizeCluster(raw: RawTopologyFile, nodes: Map<string, NodeSpec>, ctx: ClusterContext): LabCluster | undefined {
  const { issues } = ctx;
  const section = raw.cluster;
  const loose = () => [...nodes.values()].filter((n) => n.kind === K8S_NODE_KIND && !n.k8s);
  if (section === undefined) {
    for (const n of loose()) {
      issues.add(['topology', 'nodes', n.name, 'kind'], `node "${n.name}" is of kind k8s-node, but the topology has no cluster section (k8s-node nodes come from cluster.nodes or a k8s-kind node's cluster)`);
    }
    if (raw.manifests !== undefined) issues.add(['manifests'], 'manifests are applied to the lab\'s cluster, but the topology has no cluster section', 'key');
    if (raw.bgp !== undefined && !ctx.kindClusters) normalizeClusterBgp(raw, issues);
    return undefined;
  }
  const source = isObj(section.config) ? inlineConfigSource(section, ctx) : typeof section.config === 'string' ? fileSource(section, ctx) : inlineSource(section, ctx);
  if (!source) return undefined;
  const cluster = convertCluster(source, raw, raw.name, nodes, ctx, false);
  if (!cluster) return undefined;
  const names = new Set([...nodes.values()].filter((n) => n.k8s?.cluster === cluster.spec.name).map((n) => n.name));
  for (const n of loose()) {
    if (!names.has(n.name)) issues.add(['topology', 'nodes', n.name], `node "${n.name}" is of kind k8s-node but cluster ${cluster.spec.name} has no such node (its nodes: ${[...names].join(', ')})`, 'key');
  }
  return { ...cluster, manifests: manifestList(raw, ctx), ...bgpOf(raw, issues) };
}

const bgpOf = (raw: RawTopologyFile, issues: IssueList): { bgp?: ClusterBgp } => {
  const bgp = normalizeClusterBgp(raw, issues);
  return bgp ? { bgp } : {};
};

/**
 * containerlab's `k8s-kind` nodes: each runs a kind cluster whose config is the node's
 * `startup-config`; its name is the node's unless the config sets one. The node is replaced by
 * the cluster's nodes, named as their containers (`<cluster>-control-plane`, `<cluster>-worker`…,
 * as containerlab's examples link them); a user node of kind k8s-node with such a name adds
 * settings to it. Such a cluster gets no manifests (the topology's `manifests:` go to `cluster:`);
 * the topology-level `bgp:` applies to every cluster's agents, and the node's own `bgp:` (same keys)
 * overrides it for its cluster (its own ASN and peers).
 */
export function normalizeKindNodes(raw: RawTopologyFile, nodes: Map<string, NodeSpec>, ctx: ClusterContext): LabCluster[] {
  const out: LabCluster[] = [];
  const kindNodes = [...nodes.values()].filter((x) => x.kind === K8S_KIND_KIND);
  // the topology-level agent settings, reported here when there is no cluster section to report them
  const bgp = kindNodes.length ? normalizeClusterBgp(raw, raw.cluster === undefined ? ctx.issues : new IssueList(ctx.issues.map), true) : undefined;
  for (const n of kindNodes) {
    nodes.delete(n.name);
    if (!n.startupConfig) {
      ctx.issues.add(['topology', 'nodes', n.name], `node "${n.name}" is of kind k8s-kind: name its kind Cluster config in startup-config`, 'key');
      continue;
    }
    const source = readKindFile(n.startupConfig, ['topology', 'nodes', n.name, 'startup-config'], ctx);
    if (!source) continue;
    const cluster = convertCluster(source, raw, n.name, nodes, ctx, true);
    const own = kindNodeBgp(n.extra['bgp'], n.name, bgp, ctx.issues);
    if (cluster) out.push({ ...cluster, manifests: [], ...(own ? { bgp: own } : {}), pos: n.pos });
  }
  return out;
}

/** The kind Cluster of `source` → its nodes put first into `nodes`; undefined (problems reported) when it does not parse. */
function convertCluster(source: Source, raw: RawTopologyFile, defaultName: string, nodes: Map<string, NodeSpec>, ctx: ClusterContext, fullNames: boolean): Omit<LabCluster, 'manifests'> | undefined {
  let spec: ClusterSpec;
  try {
    spec = parseKindCluster(source.obj, { source: source.src, defaultName });
  } catch (e) {
    if (!(e instanceof KindlabError) || e.code !== 'CLUSTER_CONFIG') throw e;
    // an unknown field is shown at its key (kind's strict decoding names the key)
    for (const i of parserIssues(e, source.src)) source.report(i.path, i.message, /^unknown field/.test(i.message) ? 'key' : 'value');
    return undefined;
  }
  if (!/^127\./.test(spec.apiServerAddress) && spec.apiServerAddress !== '::1') {
    source.report(['networking', 'apiServerAddress'], `kindlab publishes the API server on loopback only (127.0.0.1 or ::1), not on ${spec.apiServerAddress}`);
  }
  const clusterNodes = spec.nodes.map((cn) => clusterNode(cn, spec, raw.topology ?? {}, nodes, source, ctx, fullNames));
  // Fields read but not applicable in kindlab: kept on the plan, each at its position in the file.
  const warnings = spec.warnings.map((w) => {
    const path = parseKeyPath(w.path);
    const pos = source.locate(path, 'key');
    return { file: pos.file, line: pos.line, col: pos.col, path: `${source.prefix ?? ''}${w.path}`, message: w.message };
  });
  const names = new Set(clusterNodes.map((n) => n.name));
  const rest = [...nodes.values()].filter((n) => !names.has(n.name));
  nodes.clear();
  for (const n of [...clusterNodes, ...rest]) nodes.set(n.name, n);
  const obj = isObj(source.obj) ? { ...source.obj, name: spec.name } : { name: spec.name };
  return { spec, raw: obj, ...(source.configFile ? { configFile: source.configFile } : {}), warnings };
}

/** `<cluster>-worker2` → `worker2`. */
export function shortName(spec: ClusterSpec, cn: ClusterNodeSpec): string {
  return cn.name.slice(spec.name.length + 1);
}

function clusterNode(cn: ClusterNodeSpec, spec: ClusterSpec, topo: RawTopologySection, nodes: Map<string, NodeSpec>, source: Source, ctx: ClusterContext, fullNames: boolean): NodeSpec {
  const name = fullNames ? cn.name : shortName(spec, cn);
  const user = nodes.get(name) ?? nodes.get(cn.name);
  const userKey = nodes.has(name) ? name : cn.name;
  if (user && user.kind !== K8S_NODE_KIND) {
    ctx.issues.add(['topology', 'nodes', userKey], `node "${userKey}" clashes with node ${name} of cluster ${spec.name}: rename it, or make it kind k8s-node to add settings to the cluster node`, 'key');
  }
  const userRaw = user?.kind === K8S_NODE_KIND ? topo.nodes?.[userKey] ?? {} : {};
  // Inheritance (defaults < kinds.k8s-node < group < node) as for any node.
  const patched: RawTopologySection = { ...topo, nodes: { ...topo.nodes, [name]: { ...userRaw, kind: K8S_NODE_KIND } } };
  const n = normalizeNode(name, { topo: patched, dir: ctx.dir, issues: ctx.issues, ...(ctx.exists ? { exists: ctx.exists } : {}) });
  if (n.networkMode.type !== 'bridge') {
    ctx.issues.add(['topology', 'nodes', userKey, 'network-mode'], `node "${name}" is a Kubernetes node: it owns its network namespace (no network-mode)`);
    n.networkMode = { type: 'bridge' };
  }
  const kindDir = source.configFile ? dirname(source.configFile) : ctx.dir;
  // extraPortMappings → published ports, extraMounts → binds: the runtime applies them as for any node.
  const ports: PortMapping[] = [];
  cn.extraPortMappings.forEach((pm, i) => {
    if (pm.protocol === 'SCTP') return source.report(['nodes', cn.index, 'extraPortMappings', i, 'protocol'], 'SCTP port mappings are not supported: kindlab publishes TCP and UDP ports');
    ports.push({ hostIp: pm.listenAddress, hostPort: pm.hostPort, containerPort: pm.containerPort, protocol: pm.protocol === 'UDP' ? 'udp' : 'tcp' });
  });
  const binds: BindMount[] = cn.extraMounts.map((m) => ({ source: isAbsolute(m.hostPath) ? m.hostPath : resolve(kindDir, m.hostPath), target: m.containerPath, readOnly: m.readOnly }));
  cn.extraMounts.forEach((m, i) => {
    if (m.propagation !== 'None') spec.warnings.push({ path: `nodes[${cn.index}].extraMounts[${i}].propagation`, message: `${m.propagation} is not applied: kindlab binds with the default (private) propagation` });
  });
  return {
    ...n,
    ports: [...n.ports, ...ports],
    binds: [...n.binds, ...binds],
    image: n.image || cn.image || K8S_NODE_IMAGE,
    pos: user ? n.pos : source.locate(['nodes', cn.index]),
    k8s: {
      cluster: spec.name,
      nodeName: cn.name,
      role: cn.role,
      index: cn.index,
      ...(cn.nodeIP ? { nodeIP: cn.nodeIP } : {}),
      ...(cn.nodeIPs && cn.nodeIPs.length > 1 ? { nodeIPs: [...cn.nodeIPs] } : {}),
      labels: { ...cn.labels },
    },
  };
}

function manifestList(raw: RawTopologyFile, ctx: ClusterContext): LabCluster['manifests'] {
  const m = raw.manifests;
  if (m === undefined) return [];
  if (!Array.isArray(m)) {
    ctx.issues.add(['manifests'], 'manifests is a list of files or directories of Kubernetes YAML');
    return [];
  }
  const out: LabCluster['manifests'] = [];
  m.forEach((entry, i) => {
    if (typeof entry !== 'string' || entry === '') return ctx.issues.add(['manifests', i], 'a manifest entry is the path of a YAML file or of a directory');
    const path = isAbsolute(entry) ? entry : resolve(ctx.dir, entry);
    if (ctx.exists && !ctx.exists(path)) ctx.issues.add(['manifests', i], `manifest ${path} does not exist`);
    out.push({ path, pos: ctx.issues.map.locate(['manifests', i]) });
  });
  return out;
}

/** Container name of a cluster node → its topology node name (for references written kind's way). */
export function clusterAliases(nodes: Iterable<NodeSpec>): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of nodes) if (n.k8s && n.k8s.nodeName !== n.name) out.set(n.k8s.nodeName, n.name);
  return out;
}

/** network-mode container:<cluster container> and wait-for <cluster container> → the topology node name. */
export function resolveClusterAliases(nodes: Iterable<NodeSpec>, aliases: Map<string, string>): void {
  if (aliases.size === 0) return;
  for (const n of nodes) {
    const m = n.networkMode;
    if (m.type === 'container' && m.node !== undefined && aliases.has(m.node)) n.networkMode = { type: 'container', node: aliases.get(m.node)! };
    n.waitFor = n.waitFor.map((w) => aliases.get(w) ?? w);
  }
}

/** Links naming a cluster node by its container name → by its topology node name (positions are by index, unchanged). */
export function aliasLinks(links: RawLink[], aliases: Map<string, string>): RawLink[] {
  if (aliases.size === 0) return links;
  const obj = (e: RawEndpoint): RawEndpoint => (aliases.has(e.node) ? { ...e, node: aliases.get(e.node)! } : e);
  return links.map((l) => ({
    ...l,
    ...(l.endpoint ? { endpoint: obj(l.endpoint) } : {}),
    ...(l.endpoints
      ? {
          endpoints: l.endpoints.map((e) => {
            if (typeof e !== 'string') return obj(e);
            const idx = e.indexOf(':');
            const node = idx < 0 ? e : e.slice(0, idx);
            return aliases.has(node) ? `${aliases.get(node)}${e.slice(node.length)}` : e;
          }),
        }
      : {}),
  }));
}
