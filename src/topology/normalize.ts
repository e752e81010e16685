/**
 * Raw (schema-valid) topology → TopologySpec: inheritance resolved, values parsed, links in the
 * extended form, and cross-node checks (references, addresses, ports). Every problem is
 * collected with its position before one TopologyError is thrown.
 */
import { TopologyError } from '../errors.js';
import { SECTION_KEYS, type RawTopologyFile } from './raw-types.js';
import { CONTAINER_NAME, normalizeNode, nodeOrigin } from './normalize-node.js';
import { stageWaitPath } from './normalize-node-extras.js';
import { normalizeLinks } from './normalize-links.js';
import { aliasLinks, clusterAliases, normalizeCluster, normalizeKindNodes, resolveClusterAliases } from './normalize-cluster.js';
import { planClusters } from './plan-clusters.js';
import { checkStaticMgmt, normalizeMgmt } from './normalize-mgmt.js';
import { checkNodeHosts, normalizeHosts } from './hosts.js';
import { IssueList, sortIssues, type PathSeg, type SourceMap } from './source-map.js';
import { didYouMean } from './suggest.js';
import { nodeKindFacts } from './node-kinds.js';
import { STAGES, stageOf, type CertificateAuthority, type LabCluster, type NodeSpec, type TopologySpec } from './types.js';
import { resolveHostPath } from './parse-values.js';
import { parseDurationMs } from '../lib/index.js';

/** containerlab's generated lab CA is valid for one year by default. */
const CA_DEFAULT_VALIDITY_MS = 365 * 24 * 3600 * 1000;

export interface NormalizeContext {
  /** Absolute path of the topology file. */
  file: string;
  /** Directory relative paths are resolved against. */
  dir: string;
  map: SourceMap;
  /** Existence check for files named by the topology; omitted → not checked. */
  exists?: (path: string) => boolean;
  /** The management subnet when the topology sets none (default 172.20.20.0/24; a deploy may pick a free one). */
  defaultMgmtSubnet?: string;
  /** Reads files named by the topology (env-files); omitted → not read. */
  readText?: (path: string) => string;
}

export function normalizeTopology(raw: RawTopologyFile, ctx: NormalizeContext): TopologySpec {
  const issues = new IssueList(ctx.map);
  const topo = raw.topology ?? {};
  checkLayers(raw, issues);

  const nodes = new Map<string, NodeSpec>();
  for (const name of Object.keys(topo.nodes ?? {})) {
    nodes.set(name, normalizeNode(name, { topo, dir: ctx.dir, issues, ...(ctx.exists ? { exists: ctx.exists } : {}), ...(ctx.readText ? { readText: ctx.readText } : {}) }));
  }
  // The kind cluster's nodes join the topology (k8s-node); references may use their container names.
  const cctx = { dir: ctx.dir, issues, ...(ctx.exists ? { exists: ctx.exists } : {}) };
  const kindClusters = normalizeKindNodes(raw, nodes, cctx);
  const first = normalizeCluster(raw, nodes, { ...cctx, kindClusters: kindClusters.length });
  const all = [...(first ? [first] : []), ...kindClusters];
  if (all.length > 1) placeClusters(all, issues);
  const cluster = all[0];
  const aliases = clusterAliases(nodes.values());
  resolveClusterAliases(nodes.values(), aliases);
  if (nodes.size === 0 && raw.cluster === undefined) {
    issues.add(raw.topology ? ['topology'] : ['name'], 'the topology has no nodes (add topology.nodes, or a cluster section)', 'key');
  }
  resolveReferences(nodes, issues);
  checkStageWaits(nodes, issues);
  const ca = certificateAuthority(raw, [...nodes.values()], ctx, issues);
  const mgmt = normalizeMgmt(raw.name, raw.mgmt, issues, ctx.defaultMgmtSubnet);
  checkStaticMgmt([...nodes.values()], mgmt, issues);
  // a lab pinning management addresses keeps its subnet
  if ([...nodes.values()].some((n) => n.mgmtIPv4 !== undefined)) mgmt.defaultSubnet = false;
  checkPorts([...nodes.values()], issues);
  const links = normalizeLinks(aliasLinks(topo.links ?? [], aliases), nodes, issues);
  const hosts = normalizeHosts(raw.hosts, ctx.dir, issues, ctx.exists);
  checkNodeHosts([...nodes.values()], raw.hosts, issues);
  // each engine's bridge would take the same IPv6 gateway on the joined segment: only IPv4 is split per engine
  if (hosts && Object.keys(hosts).length > 1 && mgmt.ipv6Subnet !== undefined) {
    issues.add(['mgmt', 'ipv6-subnet'], 'a lab spanning several hosts has an IPv4-only management network (its IPv6 subnet cannot be split per engine yet); remove mgmt.ipv6-subnet', 'key');
  }

  if (issues.size > 0) throw new TopologyError(issues.code, sortIssues(issues.issues));
  const sections: Record<string, unknown> = {};
  for (const k of SECTION_KEYS) if (raw[k] !== undefined) sections[k] = raw[k];
  return {
    name: raw.name,
    prefix: raw.prefix ?? 'clab',
    file: ctx.file,
    dir: ctx.dir,
    mgmt,
    nodes: [...nodes.values()],
    links,
    sections,
    ...(cluster ? { cluster } : {}),
    ...(all.length > 1 ? { clusters: all } : {}),
    ...(ca ? { ca } : {}),
    ...(hosts ? { hosts } : {}),
  };
}

/**
 * Several clusters on one fabric: their subnets moved apart (or overlaps refused) by planClusters,
 * and the moved ones written into the spec and into the kind config the API server reads.
 */
function placeClusters(all: LabCluster[], issues: IssueList): void {
  const r = planClusters(all.map((c) => ({ spec: c.spec, pos: c.pos ?? issues.map.locate(['cluster']) })));
  for (const i of r.issues) issues.issues.push({ ...i.pos, path: '(clusters)', message: i.message });
  r.clusters.forEach((p, i) => {
    const c = all[i]!;
    if (p.podSubnet === c.spec.podSubnet && p.serviceSubnet === c.spec.serviceSubnet) return;
    c.spec = { ...c.spec, podSubnet: p.podSubnet, serviceSubnet: p.serviceSubnet };
    const net = (c.raw.networking && typeof c.raw.networking === 'object' ? c.raw.networking : {}) as Record<string, unknown>;
    c.raw = { ...c.raw, networking: { ...net, podSubnet: p.podSubnet, serviceSubnet: p.serviceSubnet } };
  });
}

/**
 * Stage wait-for entries name nodes of this topology. Waiting for `healthy` of a node without a
 * `healthcheck` is accepted (its image may declare one); the deploy fails if the container has none.
 */
function checkStageWaits(nodes: Map<string, NodeSpec>, issues: IssueList): void {
  const names = [...nodes.keys()];
  for (const n of nodes.values()) {
    for (const st of STAGES) {
      stageOf(n, st).waitFor.forEach((w) => {
        const path = stageWaitPath(w) ?? ['topology', 'nodes', n.name, 'stages', st];
        const target = nodes.get(w.node);
        if (!target) {
          if (w.node !== n.name) issues.addRef(path, `wait-for: node "${w.node}" is not defined${didYouMean(w.node, names)} (nodes: ${names.join(', ')})`);
        } else if (w.stage !== 'create' && !nodeKindFacts(target.kind)?.managed) {
          issues.add(path, `wait-for: node "${w.node}" is of kind ${target.kind}, whose only stage is create`);
        }
      });
    }
  }
}

/** containerlab's `settings.certificate-authority`: an external CA (cert + key) or the generated one's key size and validity. */
function certificateAuthority(raw: RawTopologyFile, nodes: NodeSpec[], ctx: NormalizeContext, issues: IssueList): CertificateAuthority | undefined {
  const s = raw.settings?.['certificate-authority'];
  if (!s && !nodes.some((n) => n.certificate)) return undefined;
  const at: PathSeg[] = ['settings', 'certificate-authority'];
  const ca: CertificateAuthority = { keySize: s?.['key-size'] ?? 2048, validityMs: CA_DEFAULT_VALIDITY_MS };
  if (s?.['validity-duration'] !== undefined) {
    const ms = parseDurationMs(s['validity-duration']);
    if (ms === undefined || ms <= 0) issues.add([...at, 'validity-duration'], `validity-duration "${s['validity-duration']}" is not a positive duration such as 8760h`);
    else ca.validityMs = ms;
  }
  const external = s?.cert !== undefined || s?.key !== undefined;
  if (external) {
    if (s?.cert === undefined || s.key === undefined) issues.add(at, 'an external CA needs both cert and key', 'key');
    for (const k of ['key-size', 'validity-duration'] as const) {
      if (s?.[k] !== undefined) issues.add([...at, k], `${k} applies to the CA kindlab generates; it cannot be set with an external CA (cert/key)`, 'key');
    }
    for (const k of ['cert', 'key'] as const) {
      const v = s?.[k];
      if (v === undefined) continue;
      const abs = resolveHostPath(v, ctx.dir);
      if (ctx.exists && !ctx.exists(abs)) issues.add([...at, k], `CA ${k} file ${abs} does not exist`);
      if (k === 'cert') ca.certFile = abs;
      else ca.keyFile = abs;
    }
  }
  return ca;
}

/** `group` only makes sense on nodes and defaults; a kinds entry must not name another kind. */
function checkLayers(raw: RawTopologyFile, issues: IssueList): void {
  const t = raw.topology ?? {};
  for (const [k, props] of Object.entries(t.kinds ?? {})) {
    if (props?.group !== undefined) issues.add(['topology', 'kinds', k, 'group'], 'group cannot be set in kinds: put the node in the group on the node itself', 'key');
    if (props?.kind !== undefined && props.kind !== k) issues.add(['topology', 'kinds', k, 'kind'], `kinds.${k} cannot set kind to "${props.kind}"`);
  }
  for (const [g, props] of Object.entries(t.groups ?? {})) {
    if (props?.group !== undefined) issues.add(['topology', 'groups', g, 'group'], 'groups cannot be nested: group is not allowed inside a group', 'key');
  }
}

/** network-mode container:X and wait-for name nodes (or, for network-mode, an existing container). */
function resolveReferences(nodes: Map<string, NodeSpec>, issues: IssueList): void {
  const names = [...nodes.keys()];
  const list = names.join(', ');
  for (const n of nodes.values()) {
    const mode = n.networkMode;
    if (mode.type === 'container' && mode.node !== undefined && !nodes.has(mode.node)) {
      const target = mode.node;
      if (CONTAINER_NAME.test(target)) {
        n.networkMode = { type: 'container', container: target };
      } else {
        issues.addRef(nodeOrigin(n, 'network-mode'), `network-mode container:${target}: "${target}" is neither a node of this topology${didYouMean(target, names)} (nodes: ${list}) nor a valid container name`);
      }
    }
    if (mode.type === 'container' && !nodeKindFacts(n.kind)?.managed) {
      issues.add(nodeOrigin(n, 'network-mode'), 'an ext-container node is an existing container: its network-mode is not ours to set');
    }
    // nodeOrigin works the path out again: only for an entry at fault
    n.waitFor.forEach((w, i) => {
      if (w === n.name) issues.add(nodeOrigin(n, 'wait-for', i), `node "${n.name}" cannot wait for itself`);
      else if (!nodes.has(w)) issues.addRef(nodeOrigin(n, 'wait-for', i), `wait-for: node "${w}" is not defined${didYouMean(w, names)} (nodes: ${list})`);
    });
  }
}

/** Two nodes cannot publish the same host address and port. */
function checkPorts(nodes: NodeSpec[], issues: IssueList): void {
  const seen: Array<{ ip: string; port: number; proto: string; node: string }> = [];
  const wildcard = (ip: string): boolean => ip === '0.0.0.0' || ip === '::';
  for (const n of nodes) {
    n.ports.forEach((p, i) => {
      if (p.hostPort === 0) return;
      const clash = seen.find((s) => s.port === p.hostPort && s.proto === p.protocol && (s.ip === p.hostIp || wildcard(s.ip) || wildcard(p.hostIp)));
      if (clash) issues.add(nodeOrigin(n, 'ports', i), `host port ${p.hostIp}:${p.hostPort}/${p.protocol} is already published by node "${clash.node}"`);
      else seen.push({ ip: p.hostIp, port: p.hostPort, proto: p.protocol, node: n.name });
    });
  }
}
