/**
 * Converts the topology's `verify:` section (plan.sections.verify) into Expectations, checking
 * it against schemas/verify.schema.json and against the lab (node names, prefixes, addresses,
 * durations). Every problem is collected and reported with file:line:col (TopologyError).
 */
import { TopologyError, type TopologyIssue } from '../errors.js';
import { formatPath, locateIn } from '../topology/index.js';
import type { LabPlan } from '../topology/index.js';
import { parseDuration } from './duration.js';
import { looksLikeRef, parseObjectRef } from './cluster.js';
import { labClusterNames } from '../cluster/lab/index.js';
import { checkPrefix, isAddress } from './net.js';
import { schemaProblems, sectionObject, type PathSeg } from './schema.js';
import type { BgpSource, Expectation, RouteSource, Target } from './types.js';

export interface VerifySection {
  checks: Expectation[];
  /** Run the derived checks too (default: only when nothing is declared). */
  derive: boolean;
  timeoutMs?: number;
}

type Raw = Record<string, unknown>;

class Collector {
  readonly issues: TopologyIssue[] = [];
  constructor(readonly plan: LabPlan) {}
  add(path: PathSeg[], message: string): void {
    const pos = locateIn(this.plan, path) ?? { file: this.plan.file, line: 1, col: 1 };
    this.issues.push({ file: pos.file, line: pos.line, col: pos.col, path: formatPath(path), message });
  }
}

/** Reads the section; an absent section means "derive checks from the lab". */
export function loadExpectations(plan: LabPlan): VerifySection {
  const section = plan.sections['verify'];
  if (section === undefined || section === null) return { checks: [], derive: true };
  const c = new Collector(plan);
  for (const p of schemaProblems(section)) c.add(p.path, p.message);
  if (c.issues.length > 0) throw new TopologyError('TOPO_SCHEMA', c.issues, { hint: 'see schemas/verify.schema.json' });
  const { obj, listPath } = sectionObject(section);
  const o = obj as { checks?: Raw[]; derive?: boolean; timeout?: string | number };
  const out: VerifySection = { checks: [], derive: o.derive ?? (o.checks ?? []).length === 0 };
  if (o.timeout !== undefined) out.timeoutMs = duration(c, ['verify', 'timeout'], o.timeout);
  (o.checks ?? []).forEach((entry, i) => {
    const [kind, body] = Object.entries(entry)[0] as [Expectation['kind'], Raw];
    const e = convert(c, [...listPath, i, kind], kind, body);
    if (e) out.checks.push(e);
  });
  if (c.issues.length > 0) throw new TopologyError('TOPO_REF', c.issues, { hint: `nodes: ${plan.nodes.map((n) => n.name).join(', ')}` });
  return out;
}

/**
 * Converts a schema-valid check list found at `listPath` of the topology file (e.g.
 * ['stages', 2, 'verify']): the same conversion and checks as the `verify:` section. Problems
 * are appended to `issues` with file:line:col.
 */
export function convertChecks(plan: LabPlan, list: Raw[], listPath: PathSeg[], issues: TopologyIssue[]): Expectation[] {
  const c = new Collector(plan);
  const out: Expectation[] = [];
  list.forEach((entry, i) => {
    const [kind, body] = Object.entries(entry)[0] as [Expectation['kind'], Raw];
    const e = convert(c, [...listPath, i, kind], kind, body);
    if (e) out.push(e);
  });
  issues.push(...c.issues);
  return out;
}

function duration(c: Collector, path: PathSeg[], v: string | number): number | undefined {
  const ms = parseDuration(v);
  if (typeof ms === 'string') {
    c.add(path, ms);
    return undefined;
  }
  return ms;
}

function node(c: Collector, path: PathSeg[], name: string): string {
  if (!c.plan.nodes.some((n) => n.name === name)) c.add(path, `node "${name}" is not defined`);
  return name;
}

/** `pod/…`, `svc/…`: well-formed, of an allowed type, and the lab has a cluster; adds a problem otherwise. */
function objectRef(c: Collector, path: PathSeg[], s: string, types: Array<'pod' | 'service'>): boolean {
  if (!looksLikeRef(s)) return false;
  const r = parseObjectRef(s);
  const forms = types.map((t) => (t === 'pod' ? 'pod/NAME, pod/NAMESPACE/NAME' : 'svc/NAME, svc/NAMESPACE/NAME')).join(', ') + (labClusterNames(c.plan).length > 1 ? ' (each may start with CLUSTER/)' : '');
  if (!r || !types.includes(r.type)) c.add(path, `"${s}" is not one of ${forms}`);
  else if (!c.plan.cluster) c.add(path, `"${s}": pod and Service references need the lab's cluster, and this topology has no cluster section`);
  else if (r.cluster !== undefined && !labClusterNames(c.plan).includes(r.cluster)) c.add(path, `"${s}": the lab has no cluster "${r.cluster}" (its clusters: ${labClusterNames(c.plan).join(', ')})`);
  return true;
}

/** Where a probe runs: a node, or a pod (in its network namespace). */
function source(c: Collector, path: PathSeg[], name: string): string {
  if (objectRef(c, path, name, ['pod'])) return name;
  return node(c, path, name);
}

function target(c: Collector, path: PathSeg[], to: string): Target {
  if (c.plan.nodes.some((n) => n.name === to)) return { type: 'node', node: to };
  if (isAddress(to)) return { type: 'address', address: to };
  if (objectRef(c, path, to, ['pod', 'service'])) return { type: 'object', ref: to };
  c.add(path, `"${to}" is neither a node of this lab, an IP address, pod/NAME nor svc/NAME`);
  return { type: 'address', address: to };
}

function targetText(t: Target): string {
  return t.type === 'node' ? t.node : t.type === 'object' ? t.ref : t.address;
}

function convert(c: Collector, path: PathSeg[], kind: Expectation['kind'], b: Raw): Expectation | undefined {
  const at = (k: string): PathSeg[] => [...path, k];
  const common = { ...(b['timeout'] !== undefined ? { timeoutMs: duration(c, at('timeout'), b['timeout'] as string) } : {}), pos: locateIn(c.plan, path) };
  const named = (auto: string) => (typeof b['name'] === 'string' ? (b['name'] as string) : auto);
  switch (kind) {
    case 'bgp': {
      const n = node(c, at('node'), b['node'] as string);
      const peer = b['peer'] as string | undefined;
      const est = b['established'];
      if (est === false) c.add(at('established'), 'checking that sessions are down is not supported; leave `established` out or set it to true');
      return {
        kind, ...common, node: n, source: (b['source'] as BgpSource) ?? 'auto',
        name: named(peer ? `${n} peer ${peer} Established` : typeof est === 'number' ? `${n} at least ${est} sessions Established` : `${n} all sessions Established`),
        ...(peer ? { peer } : {}),
        ...(typeof est === 'number' ? { minEstablished: est } : {}),
        ...(typeof b['minPrefixes'] === 'number' ? { minPrefixes: b['minPrefixes'] as number } : {}),
        ...(typeof b['prefixes'] === 'number' ? { prefixes: b['prefixes'] as number } : {}),
        ...(typeof b['routes'] === 'number' ? { routes: b['routes'] as number } : {}),
      };
    }
    case 'route': {
      const n = node(c, at('node'), b['node'] as string);
      const prefix = b['prefix'] as string;
      // pod/NAME, svc/NAME: the pod's IP or the Service's ClusterIP as a host route, looked up when the check runs
      if (!objectRef(c, at('prefix'), prefix, ['pod', 'service'])) {
        const bad = checkPrefix(prefix);
        if (bad) c.add(at('prefix'), bad);
      }
      if (b['present'] !== undefined && b['absent'] !== undefined && b['present'] === b['absent']) c.add(at('absent'), '`present` and `absent` contradict each other');
      const present = b['absent'] === true ? false : b['present'] !== false;
      const nexthops = b['nexthops'] as string[] | undefined;
      const ifaces = new Set(c.plan.links.flatMap((l) => l.endpoints.filter((e) => e.node === n).map((e) => e.iface)));
      nexthops?.forEach((h, i) => {
        if (!c.plan.nodes.some((x) => x.name === h) && !isAddress(h) && !ifaces.has(h)) c.add([...at('nexthops'), i], `next hop "${h}" is neither a node, an IP address nor an interface of ${n}`);
      });
      if (!present && (nexthops || b['ecmp'] !== undefined)) c.add(at(nexthops ? 'nexthops' : 'ecmp'), 'an absent route has no next hops');
      const communities = b['communities'] as string[] | undefined;
      communities?.forEach((x, i) => {
        const m = /^(\d+):(\d+)$/.exec(x);
        if (!m || Number(m[1]) > 65535 || Number(m[2]) > 65535) c.add([...at('communities'), i], `"${x}" is not a standard community (ASN:VALUE, each 0-65535)`);
      });
      const aspath = b['aspath'] as string | undefined;
      if (aspath !== undefined && !/^\s*(\d+\s*)*$/.test(aspath)) c.add(at('aspath'), `AS path "${aspath}" is not a list of ASNs separated by spaces ("" for a local route)`);
      if (!present && (communities || aspath !== undefined)) c.add(at(communities ? 'communities' : 'aspath'), 'an absent route has no BGP attributes');
      if ((communities || aspath !== undefined) && (b['source'] === 'kernel' || b['source'] === 'agent')) c.add(at('source'), 'communities and AS paths are read from frr, bird or gobgp');
      return {
        kind, ...common, node: n, prefix, present, source: (b['source'] as RouteSource) ?? 'auto',
        name: named(`${n} ${present ? 'has' : 'has no'} route ${prefix}`),
        ...(nexthops ? { nexthops } : {}),
        ...(typeof b['ecmp'] === 'number' ? { ecmp: b['ecmp'] as number } : {}),
        ...(communities ? { communities } : {}),
        ...(aspath !== undefined ? { aspath } : {}),
      };
    }
    case 'exec': {
      const n = node(c, at('node'), b['node'] as string);
      const command = b['command'] as string;
      const regex = b['regex'] as string | undefined;
      if (regex !== undefined) {
        try {
          new RegExp(regex, 'm');
        } catch (err) {
          c.add(at('regex'), `not a regular expression: ${(err as Error).message}`);
        }
      }
      return {
        kind, ...common, node: n, command, exitCode: (b['exitCode'] as number | undefined) ?? 0,
        name: named(`${n}: ${command}`),
        ...(typeof b['contains'] === 'string' ? { contains: b['contains'] as string } : {}),
        ...(regex !== undefined ? { regex } : {}),
        ...(typeof b['equals'] === 'string' ? { equals: b['equals'] as string } : {}),
      };
    }
    case 'ping': {
      const from = source(c, at('from'), b['from'] as string);
      const to = target(c, at('to'), b['to'] as string);
      const family = familyField(b);
      return { kind, ...common, from, to, count: (b['count'] as number) ?? 3, maxLoss: (b['maxLoss'] as number) ?? 0, name: named(`${from} → ${targetText(to)}${family ? ` (IPv${family})` : ''}`), ...(family ? { family } : {}) };
    }
    case 'traceroute': {
      const from = source(c, at('from'), b['from'] as string);
      const to = target(c, at('to'), b['to'] as string);
      const hops = b['hops'] as string[];
      hops.forEach((h, i) => {
        if (h === '*' || c.plan.nodes.some((x) => x.name === h) || isAddress(h) || objectRef(c, [...at('hops'), i], h, ['pod'])) return;
        c.add([...at('hops'), i], `hop "${h}" is neither a node, an IP address, pod/NAME nor *`);
      });
      const family = familyField(b);
      return { kind, ...common, from, to, hops, maxHops: (b['maxHops'] as number) ?? 16, name: named(`${from} → ${targetText(to)}${family ? ` (IPv${family})` : ''} via ${hops.join(', ')}`), ...(family ? { family } : {}) };
    }
    case 'curl': {
      const from = source(c, at('from'), b['from'] as string);
      if ((b['url'] === undefined) === (b['to'] === undefined)) {
        c.add(path, 'give either `url` or `to` (with optional `port` and `path`)');
        return undefined;
      }
      const to = b['to'] !== undefined ? target(c, at('to'), b['to'] as string) : undefined;
      const url = (b['url'] as string | undefined) ?? `http://{host}${b['port'] ? `:${String(b['port'])}` : ''}${(b['path'] as string | undefined) ?? '/'}`;
      const family = familyField(b);
      if (family && !to) c.add(at('family'), '`family` needs `to` (a `url` names its address itself)');
      const shown = to ? url.replace('{host}', targetText(to)) : url;
      return {
        kind, ...common, from, url, status: (b['status'] as number) ?? 200, name: named(`${from} → ${shown}${family ? ` (IPv${family})` : ''}`),
        ...(to ? { to } : {}),
        ...(family && to ? { family } : {}),
        ...(typeof b['contains'] === 'string' ? { contains: b['contains'] as string } : {}),
        ...(b['blocked'] === true ? { blocked: true } : {}),
      };
    }
  }
}

/** `family: 4 | 6` of ping/traceroute/curl (the schema allows only those). */
function familyField(b: Raw): 4 | 6 | undefined {
  return b['family'] === 4 || b['family'] === 6 ? b['family'] : undefined;
}
