/**
 * The topology's `stages:` section: an article's story as ordered steps. Each stage applies
 * manifests and/or runs kubectl commands against the lab's cluster, then checks expectations
 * (the same check kinds as `verify:`). Pure: converts and validates the section, collecting
 * every problem with file:line:col; stages-run.ts runs them.
 *
 *   stages:
 *   - name: serviceClusterIPs
 *     apply: [bgpconfiguration-cluster-ips.yaml]          # relative to the topology file
 *     kubectl: ["patch svc nginx -p '{\"spec\":{...}}'"]   # kubectl arguments (split like exec lines)
 *     verify:
 *     - route: { node: tor, prefix: 10.49.0.0/16, ecmp: 3 }
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { TopologyError, type TopologyIssue } from '../errors.js';
import { formatPath, locateIn } from '../topology/index.js';
import { shellSplit } from '../topology/index.js';
import type { LabPlan, SourcePos } from '../topology/index.js';
import { parseDuration } from './duration.js';
import { convertChecks } from './expectations.js';
import { pointerSegs, problemsFor, type PathSeg } from './schema.js';
import type { Expectation } from './types.js';

/** One thing a stage does before its checks, in the order written: all `apply` files, then all `kubectl` lines. */
export type StageStep =
  | { kind: 'apply'; /** Absolute path of the manifest file or directory. */ file: string; /** As written. */ text: string; pos: SourcePos }
  | { kind: 'kubectl'; /** kubectl's arguments (without `kubectl`, without --kubeconfig). */ args: string[]; text: string; pos: SourcePos };

export interface Stage {
  name: string;
  description?: string;
  steps: StageStep[];
  checks: Expectation[];
  /** Pause after the steps before the first check round. */
  waitMs?: number;
  /** Per-check timeout for this stage's checks. */
  timeoutMs?: number;
  pos: SourcePos;
}

interface RawStage {
  name: string;
  description?: string;
  apply?: string[];
  kubectl?: string[];
  wait?: string | number;
  timeout?: string | number;
  verify?: Array<Record<string, unknown>>;
}

class Issues {
  readonly list: TopologyIssue[] = [];
  constructor(readonly plan: LabPlan) {}
  pos(path: PathSeg[]): SourcePos {
    return locateIn(this.plan, path) ?? { file: this.plan.file, line: 1, col: 1 };
  }
  add(path: PathSeg[], message: string): void {
    const p = this.pos(path);
    this.list.push({ file: p.file, line: p.line, col: p.col, path: formatPath(path), message });
  }
}

/** Reads `stages:` (absent: no stages). Throws TopologyError listing every problem. */
export function loadStages(plan: LabPlan): Stage[] {
  const section = plan.sections['stages'];
  if (section === undefined || section === null) return [];
  const issues = new Issues(plan);
  for (const p of problemsFor('stages', section, (ptr) => ['stages', ...pointerSegs(ptr)])) issues.add(p.path, p.message);
  if (issues.list.length > 0) throw new TopologyError('TOPO_SCHEMA', issues.list, { hint: 'see schemas/verify.schema.json (definitions/stages)' });
  const stages = (section as RawStage[]).map((raw, i) => convertStage(issues, raw, i));
  const seen = new Map<string, number>();
  stages.forEach((s, i) => {
    const first = seen.get(s.name);
    if (first !== undefined) issues.add(['stages', i, 'name'], `stage name "${s.name}" is used twice (first at stages[${first}])`);
    else seen.set(s.name, i);
  });
  if (issues.list.length > 0) throw new TopologyError('TOPO_REF', issues.list, { hint: `nodes: ${plan.nodes.map((n) => n.name).join(', ')}` });
  return stages;
}

function duration(issues: Issues, path: PathSeg[], v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (typeof ms === 'string') {
    issues.add(path, ms);
    return undefined;
  }
  return ms;
}

function convertStage(issues: Issues, raw: RawStage, i: number): Stage {
  const at = (...p: PathSeg[]): PathSeg[] => ['stages', i, ...p];
  const plan = issues.plan;
  const baseDir = dirname(plan.file);
  const steps: StageStep[] = [];
  const needsCluster = (raw.apply?.length ?? 0) + (raw.kubectl?.length ?? 0) > 0;
  if (needsCluster && !plan.cluster) issues.add(at(raw.apply?.length ? 'apply' : 'kubectl'), 'apply and kubectl steps act on the lab\'s cluster, but the topology has no cluster section');
  (raw.apply ?? []).forEach((text, j) => {
    const file = isAbsolute(text) ? text : resolve(baseDir, text);
    if (!existsSync(file)) issues.add(at('apply', j), `manifest ${file} does not exist`);
    steps.push({ kind: 'apply', file, text, pos: issues.pos(at('apply', j)) });
  });
  (raw.kubectl ?? []).forEach((text, j) => {
    const argv = shellSplit(text);
    if (typeof argv === 'string') {
      issues.add(at('kubectl', j), argv);
      return;
    }
    const args = argv[0] === 'kubectl' ? argv.slice(1) : argv;
    if (args.length === 0) issues.add(at('kubectl', j), 'a kubectl line needs a command (e.g. "patch svc nginx -p ...")');
    const own = args.find((a) => a === '--kubeconfig' || a.startsWith('--kubeconfig=') || a === '--context' || a.startsWith('--context='));
    if (own) issues.add(at('kubectl', j), `leave out ${own.split('=')[0]}: stages always use the lab's kubeconfig`);
    steps.push({ kind: 'kubectl', args, text, pos: issues.pos(at('kubectl', j)) });
  });
  const checks = convertChecks(plan, raw.verify ?? [], at('verify'), issues.list);
  if (steps.length === 0 && checks.length === 0 && !(raw.verify?.length)) issues.add(at('name'), `stage "${raw.name}" does nothing: give it apply, kubectl or verify entries`);
  const waitMs = duration(issues, at('wait'), raw.wait);
  const timeoutMs = duration(issues, at('timeout'), raw.timeout);
  return {
    name: raw.name,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    steps,
    checks,
    ...(waitMs !== undefined ? { waitMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    pos: issues.pos(['stages', i]),
  };
}
