/**
 * Topology front end: containerlab-format YAML → validated, normalized TopologySpec → LabPlan.
 * Pure apart from reading the topology file and checking that files it names exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Env } from './env-subst.js';
import { parseTopologyText, readTopologyText } from './load.js';
import { renderTopologyTemplate } from './template.js';
export { MAX_TOPOLOGY_BYTES } from './load.js';
import { normalizeTopology } from './normalize.js';
import { planLab, type PlanOptions } from './plan.js';
import { attachSource, sourceOf, type PathSeg } from './source-map.js';
import type { LabPlan, SourcePos, TopologySpec } from './types.js';
import { validateTopology } from './validate.js';

export type * from './types.js';
export { STAGES, stageOf } from './types.js';
export { usesStages, linkEndWaits, dependencyEdges } from './plan-graph.js';
export type { RawTopologyFile, RawNodeProps, RawLink, RawEndpoint, RawMgmt } from './raw-types.js';
export { NODE_KINDS, NODE_KIND_FACTS, nodeKindFacts, isNodeKindName, type NodeKindFacts, type NodeKindName } from './node-kinds.js';
export { planLab, containerName, nodeDirName } from './plan.js';
export { parseEngine } from './hosts.js';
export { extraEngineGateways, mgmtPerEngine, mgmtVni, mgmtVxlanName, type EngineMgmt } from './hosts-mgmt.js';
export { placeNodes, type PlacementNode } from './placement.js';
export type { PlanOptions } from './plan.js';
export { formatPath } from './source-map.js';
export type { PathSeg } from './source-map.js';
export { DEFAULT_LINK_MTU } from './normalize-links.js';
export { DEFAULT_MGMT_SUBNET } from './normalize-mgmt.js';

import { applyRouting } from '../render/index.js';

export interface LoadOptions {
  /** Variables for `${VAR}` substitution; default process.env. */
  env?: Env;
  /** The management subnet of a topology that sets none (the one its deploy recorded or picked). */
  defaultMgmtSubnet?: string;
  /** Go-template variables files (containerlab's --vars); default: `<name>_vars.*` beside the topology. */
  templateVars?: readonly string[];
  /** Size cap of the topology file in bytes; default MAX_TOPOLOGY_BYTES (32 MiB). Only benchmarks raise it. */
  maxBytes?: number;
}

/** Reads, validates and normalizes a topology file. Throws TopologyError (TOPO_PARSE/VAR/SCHEMA/REF) or KindlabError TOPO_READ. */
export async function loadTopology(file: string, opts: LoadOptions = {}): Promise<TopologySpec> {
  const abs = resolve(file);
  const source = await readTopologyText(abs, opts.maxBytes);
  // as containerlab: the file is a Go template first, then ${VAR} substitution and YAML
  const { text, rendered } = await renderTopologyTemplate(source, abs, file, opts.templateVars, opts.maxBytes);
  const parsed = parseTopologyText(text, rendered ? `${file} (rendered)` : file, opts.env ?? process.env);
  const doc = { file: abs, dir: dirname(abs), map: parsed.map, data: parsed.data };
  const raw = validateTopology(doc.data, doc.map);
  const spec = normalizeTopology(raw, { file: doc.file, dir: doc.dir, map: doc.map, exists: existsSync, readText: (p) => readFileSync(p, 'utf8'), defaultMgmtSubnet: opts.defaultMgmtSubnet });
  return attachSource(spec, doc.map);
}

/**
 * The same pipeline on YAML text (no file read): `file` is the name used in messages, `dir` the
 * directory relative paths resolve against. Files named by the topology are not checked.
 */
export function parseTopology(text: string, opts: LoadOptions & { file?: string; dir?: string } = {}): TopologySpec {
  const file = opts.file ?? 'topology.yaml';
  const { map, data } = parseTopologyText(text, file, opts.env ?? process.env);
  const raw = validateTopology(data, map);
  const spec = normalizeTopology(raw, { file: resolve(opts.dir ?? '.', file), dir: resolve(opts.dir ?? '.'), map, defaultMgmtSubnet: opts.defaultMgmtSubnet });
  return attachSource(spec, map);
}

/** loadTopology + planLab. Also throws TopologyError TOPO_CYCLE. */
export async function loadPlan(file: string, opts: LoadOptions & PlanOptions = {}): Promise<LabPlan> {
  const spec = await loadTopology(file, opts);
  const plan = planLab(spec, opts.labDir !== undefined ? { labDir: opts.labDir } : {});
  const routed = applyRouting(plan, (path) => locateIn(plan, path));
  const src = sourceOf(plan);
  return routed !== plan && src ? attachSource(routed, src) : routed;
}

/** A copy derived from a loaded plan (names pinned, addresses kept) keeps its positions in the file. */
export function withSourceOf<T extends object>(from: object, to: T): T {
  const src = sourceOf(from);
  return src && to !== from ? attachSource(to, src) : to;
}

/**
 * Position in the topology file of a data path, for modules that convert their own sections
 * (e.g. `locateIn(plan, ['cluster', 'nodes', 2])`). Undefined when the spec was not loaded from a file.
 */
export function locateIn(specOrPlan: TopologySpec | LabPlan, path: PathSeg[]): SourcePos | undefined {
  return sourceOf(specOrPlan)?.locate(path);
}
export type { DummyLinkSpec, HostEnd, HostLinkSpec, LabCluster, LabPlan, LinkEndpoint, LinkSpec, LinkType, MacvlanLinkSpec, MacvlanMode, NodePlan, SingleEndpointLinkSpec, SourcePos, VethLinkSpec, VxlanLinkSpec } from './types.js';
export { intToIpv4, ipv4ToInt, mask4, parseCidr4 } from './net.js';
export type { Cidr4 } from './net.js';
export { shellSplit } from './parse-values.js';
export { loadHostsFile, parseHostsText } from './hosts-file.js';
