/**
 * One node: inherited raw properties → NodeSpec with native values (argv lists, parsed ports,
 * absolute bind paths), reporting every problem with the position of the value at fault.
 */
import type { RawNodeProps, RawTopologySection } from './raw-types.js';
import { resolveNodeProps, type ResolvedProps } from './inherit.js';
import { parseBind, parsePort, resolveHostPath, shellSplit } from './parse-values.js';
import { isIPv4, isIPv6 } from 'node:net';
import type { IssueList, PathSeg } from './source-map.js';
import type { NetworkMode, NodeSpec, SourcePos } from './types.js';
import { didYouMean } from './suggest.js';
import { imageRefProblem, sysctlKeyProblem } from './image-ref.js';
import { nodeKindFacts } from './node-kinds.js';
import * as extras from './normalize-node-extras.js';

export const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const EXTRA_KEYS = ['bgp', 'startup-delay', 'restart-policy', 'auto-remove'] as const;

export interface NodeContext {
  topo: RawTopologySection;
  dir: string;
  issues: IssueList;
  /** Existence check for files the topology names (startup-config); omitted → not checked. */
  exists?: (path: string) => boolean;
  /** Reads files the topology names (env-files); omitted → not read. */
  readText?: (path: string) => string;
}

/**
 * The topology section each normalized node was built from: where its properties came from (the
 * layer in the file) is worked out again when a later check reports one, not kept for every node.
 */
const ORIGINS = new WeakMap<NodeSpec, RawTopologySection>();

/** Path in the file of a node property (inherited ones point into defaults/kinds/groups). */
export function nodeOrigin(n: NodeSpec, key: keyof RawNodeProps, sub?: string | number): PathSeg[] {
  const topo = ORIGINS.get(n);
  return topo ? resolveNodeProps(topo, n.name).at(key, sub) : ['topology', 'nodes', n.name, key, ...(sub === undefined ? [] : [sub])];
}

export function normalizeNode(name: string, ctx: NodeContext): NodeSpec {
  const r = resolveNodeProps(ctx.topo, name);
  const spec = buildNode(name, r, ctx);
  ORIGINS.set(spec, ctx.topo);
  return spec;
}

function buildNode(name: string, r: ResolvedProps, ctx: NodeContext): NodeSpec {
  const p = r.props;
  const { issues } = ctx;
  const nodePath = r.nodePath;

  if (!CONTAINER_NAME.test(name)) {
    issues.add(nodePath, `node name "${name}" is not a valid container name (letters, digits, '_', '.', '-'; starting with a letter or digit)`, 'key');
  } else if (name.length > 63) {
    issues.add(nodePath, `node name "${name}" is longer than 63 characters (it becomes the container's hostname)`, 'key');
  }
  const groupName = p.group;
  if (groupName !== undefined && !ctx.topo.groups?.[groupName]) {
    const known = Object.keys(ctx.topo.groups ?? {});
    issues.addRef(r.at('group'), `group "${groupName}" is not defined${didYouMean(groupName, known)} (groups: ${known.join(', ') || 'none'})`);
  }
  const groupMissing = groupName !== undefined && !ctx.topo.groups?.[groupName];
  if (p.kind === undefined && !groupMissing) {
    issues.add(nodePath, `node "${name}" has no kind (set kind: on the node, its group, or topology.defaults)`, 'key');
  } else if (p.kind !== undefined && nodeKindFacts(p.kind)?.needsImage && !p.image) {
    issues.add(nodePath, `node "${name}" of kind ${p.kind} has no image (set image: on the node, kinds.${p.kind}, its group, or topology.defaults)`, 'key');
  }

  if (typeof p.image === 'string' && p.image) {
    const bad = imageRefProblem(p.image);
    if (bad) issues.add(r.at('image'), bad);
  }
  for (const k of Object.keys(p.sysctls ?? {})) {
    const bad = sysctlKeyProblem(k);
    if (bad) issues.add(r.at('sysctls', k), bad, 'key');
  }

  const keyPos: Record<string, SourcePos> = {};
  for (const k of ['network-mode', 'mgmt-ipv4', 'mgmt-ipv6', 'image', 'kind', 'startup-config', 'host'] as const) {
    if (p[k] !== undefined) keyPos[k] = issues.map.locateOwn(r.at(k));
  }
  (p['wait-for'] ?? []).forEach((_, i) => (keyPos[`wait-for[${i}]`] = issues.map.locateOwn(r.at('wait-for', i))));
  const hostKind = p.kind !== undefined && nodeKindFacts(p.kind)?.start === 'host';
  if (hostKind && p['network-mode'] !== undefined && p['network-mode'] !== 'host') {
    issues.add(r.at('network-mode'), `a node of kind host is the host itself: its network-mode cannot be "${p['network-mode']}"`);
  }
  const envFiles = extras.envFiles(r, ctx);
  const healthcheck = extras.healthcheck(r, issues);
  const dns = extras.dns(r, issues);
  const certificate = extras.certificate(r, issues);

  // Built key by key in the order of the former object literal (same keys, same order, checks run
  // in the same order): a conditional spread per optional key cost an object and a generic copy per node.
  const o: Record<string, unknown> = { name, kind: p.kind ?? '', image: p.image ?? '' };
  if (p['image-pull-policy'] !== undefined) o.imagePullPolicy = pullPolicy(p['image-pull-policy']);
  if (groupName !== undefined) o.group = groupName;
  if (typeof p.host === 'string') o.host = p.host;
  o.exec = execLines(p, r, issues);
  o.binds = binds(p, r, ctx);
  const env = stringMap(p.env);
  o.env = Object.keys(envFiles.env).length === 0 ? env : { ...envFiles.env, ...env };
  o.labels = labels(p, r, issues);
  Object.assign(o, optionalArgv('cmd', p.cmd, r, issues));
  Object.assign(o, optionalArgv('entrypoint', p.entrypoint, r, issues));
  if (p.user !== undefined) o.user = String(p.user);
  if (p.workdir !== undefined) o.workdir = p.workdir;
  // the host kind keeps the default mode in the model: the runtime puts its links in the host netns by kind (runtime/deploy-steps netnsPid)
  o.networkMode = hostKind ? { type: 'bridge' } : networkMode(name, p['network-mode'], r, issues);
  Object.assign(o, mgmtAddrs(p, r, issues));
  o.ports = ports(p, r, issues);
  o.sysctls = stringMap(p.sysctls);
  o.capAdd = (p['cap-add'] ?? []).map(capName);
  Object.assign(o, startupConfig(p, r, ctx));
  o.waitFor = [...(p['wait-for'] ?? [])];
  if (healthcheck) o.healthcheck = healthcheck;
  o.stages = extras.stages(name, r, issues, p.kind !== undefined && ['existing', 'host'].includes(nodeKindFacts(p.kind)?.start ?? ''));
  if (dns) o.dns = dns;
  o.aliases = extras.aliases(r, issues);
  if (certificate) o.certificate = certificate;
  Object.assign(o, extras.cgroupParent(r, issues));
  o.envFiles = envFiles.paths;
  o.resources = extras.resources(r, issues);
  o.extra = extra(p);
  o.pos = issues.map.locateOwn(nodePath, 'key');
  o.keyPos = keyPos;
  return o as unknown as NodeSpec;
}

const capName = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');

function pullPolicy(v: string): NonNullable<NodeSpec['imagePullPolicy']> {
  const l = v.toLowerCase();
  return l === 'always' ? 'Always' : l === 'never' ? 'Never' : 'IfNotPresent';
}

function execLines(p: RawNodeProps, r: ResolvedProps, issues: IssueList): string[] {
  // The merged list is the node's own (inherit.ts builds a new one): no copy.
  const lines = p.exec ?? [];
  lines.forEach((l, i) => {
    if (l.trim() === '') issues.add(r.at('exec', i), 'exec line is empty');
  });
  return lines;
}

function binds(p: RawNodeProps, r: ResolvedProps, ctx: NodeContext): NodeSpec['binds'] {
  const out: NodeSpec['binds'] = [];
  (p.binds ?? []).forEach((b, i) => {
    const parsed = parseBind(b, ctx.dir);
    if (typeof parsed === 'string') ctx.issues.add(r.at('binds', i), parsed);
    else out.push({ source: parsed.source, target: parsed.target, readOnly: parsed.readOnly });
  });
  return out;
}

function stringMap(m: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (m === undefined) return out;
  // as Object.fromEntries: every key an own data property, "__proto__" too
  for (const k of Object.keys(m)) {
    if (k === '__proto__') Object.defineProperty(out, k, { value: String(m[k]), enumerable: true, writable: true, configurable: true });
    else out[k] = String(m[k]);
  }
  return out;
}

function labels(p: RawNodeProps, r: ResolvedProps, issues: IssueList): Record<string, string> {
  for (const k of Object.keys(p.labels ?? {})) {
    if (k.startsWith('kindlab.')) issues.add(r.at('labels', k), `label "${k}" is reserved: kindlab sets kindlab.* labels itself`, 'key');
  }
  return stringMap(p.labels);
}

function optionalArgv(key: 'cmd' | 'entrypoint', v: string | string[] | undefined, r: ResolvedProps, issues: IssueList): { cmd?: string[] } | { entrypoint?: string[] } {
  if (v === undefined) return {};
  if (Array.isArray(v)) return { [key]: [...v] };
  const argv = shellSplit(v);
  if (typeof argv === 'string') {
    issues.add(r.at(key), argv);
    return {};
  }
  if (argv.length === 0) issues.add(r.at(key), `${key} is empty`);
  return { [key]: argv };
}

function networkMode(self: string, v: string | undefined, r: ResolvedProps, issues: IssueList): NetworkMode {
  if (v === undefined || v === 'bridge') return { type: 'bridge' };
  if (v === 'host' || v === 'none') return { type: v };
  const target = v.slice('container:'.length);
  if (target === self) issues.add(r.at('network-mode'), `node "${self}" cannot share its own network namespace`);
  return { type: 'container', node: target }; // resolved to node or external container in normalize.ts
}

function mgmtAddrs(p: RawNodeProps, r: ResolvedProps, issues: IssueList): { mgmtIPv4?: string; mgmtIPv6?: string } {
  const out: { mgmtIPv4?: string; mgmtIPv6?: string } = {};
  const v4 = p['mgmt-ipv4'];
  if (v4 !== undefined) {
    if (v4.includes('/')) issues.add(r.at('mgmt-ipv4'), `mgmt-ipv4 is a plain address without prefix length (got "${v4}", use "${v4.split('/')[0]}")`);
    else if (!isIPv4(v4)) issues.add(r.at('mgmt-ipv4'), `"${v4}" is not an IPv4 address`);
    else out.mgmtIPv4 = v4;
  }
  const v6 = p['mgmt-ipv6'];
  if (v6 !== undefined) {
    if (v6.includes('/')) issues.add(r.at('mgmt-ipv6'), `mgmt-ipv6 is a plain address without prefix length (got "${v6}")`);
    else if (!isIPv6(v6)) issues.add(r.at('mgmt-ipv6'), `"${v6}" is not an IPv6 address`);
    else out.mgmtIPv6 = v6;
  }
  return out;
}

function ports(p: RawNodeProps, r: ResolvedProps, issues: IssueList): NodeSpec['ports'] {
  const out: NodeSpec['ports'] = [];
  (p.ports ?? []).forEach((spec, i) => {
    const parsed = parsePort(spec);
    if (typeof parsed === 'string') issues.add(r.at('ports', i), parsed);
    else out.push(parsed);
  });
  return out;
}

function startupConfig(p: RawNodeProps, r: ResolvedProps, ctx: NodeContext): { startupConfig?: string } {
  const v = p['startup-config'];
  if (v === undefined) return {};
  if (v.includes('\n')) {
    ctx.issues.add(r.at('startup-config'), 'inline startup-config is not supported: put the configuration in a file and give its path');
    return {};
  }
  const abs = resolveHostPath(v, ctx.dir);
  if (ctx.exists && !ctx.exists(abs)) ctx.issues.add(r.at('startup-config'), `startup-config file ${abs} does not exist`);
  return { startupConfig: abs };
}

function extra(p: RawNodeProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of EXTRA_KEYS) if (p[k] !== undefined) out[k] = p[k];
  return out;
}
