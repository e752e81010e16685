/**
 * `lab verify`: expectations declared in the topology (or derived from the running lab) checked
 * by probes run inside the lab's containers; results written as text, Markdown, JSON, JUnit, HTML.
 */
import { KindlabError } from '../errors.js';
import { dirname } from 'node:path';
import type { LabPlan } from '../topology/index.js';
import { kubeLookup, type ClusterLookup } from './cluster.js';
import { LabContext, type NodeExec } from './context.js';
import { deriveChecks } from './derive.js';
import { loadExpectations } from './expectations.js';
import { retryDelay, runChecks, verifyTrace, type RunOptions } from './run.js';
import { loadStages } from './stages.js';
import { runStages, type Kubectl, type StageRunOptions } from './stages-run.js';
import { resetStages } from './stages-reset.js';
import { checkNode, type Expectation, type VerifyReport } from './types.js';

export type * from './types.js';
export { checkNode } from './types.js';
export type { NodeExec, ExecOutput } from './context.js';
export { LabContext } from './context.js';
export { kubeLookup, parseObjectRef, type ClusterLookup } from './cluster.js';
export { loadExpectations, type VerifySection } from './expectations.js';
export { parseDuration, durationMs, formatMs } from './duration.js';
export { writeReport, REPORT_FORMATS, type ReportFormat } from './report/index.js';
export { readSessions, bgpSource } from './check-bgp.js';
export type { Session } from './probes/sessions.js';
export { loadStages, type Stage, type StageStep } from './stages.js';
export { runStages, stageSummary, type Kubectl } from './stages-run.js';
export { baselineFile, resetStages, RESET_NAME } from './stages-reset.js';

export interface VerifyOptions extends RunOptions {
  exec: NodeExec;
  /** kubectl with the lab's kubeconfig; needed when a stage has apply or kubectl steps. */
  kubectl?: Kubectl;
  onStage?: StageRunOptions['onStage'];
  /** The lab's cluster for pod/… and svc/… references and cluster checks (default: from the lab's kubeconfig). */
  cluster?: ClusterLookup;
  /** Only the checks that run in this node (`lab verify --node`); stages are left out. */
  node?: string;
}

/** The checks that run in `node` (all when undefined). A probe from a pod is scoped to no node. */
export function scopeChecks(checks: Expectation[], node: string | undefined): Expectation[] {
  return node === undefined ? checks : checks.filter((e) => checkNode(e) === node);
}

/** One line per check for `lab verify --list`: kind, node, name, and [derived]. Pure. */
export function formatCheckList(checks: Expectation[]): string {
  if (checks.length === 0) return 'no checks\n';
  const w = Math.max(...checks.map((e) => e.kind.length));
  const nw = Math.max(...checks.map((e) => checkNode(e).length));
  return `${checks.map((e) => `${e.kind.padEnd(w)}  ${checkNode(e).padEnd(nw)}  ${e.name}${e.derived ? '  [derived]' : ''}`).join('\n')}\n${checks.length} checks\n`;
}

/** The checks `lab verify` would run (declared, then derived when on; derivation reads the running lab), scoped to `node`. */
export async function listChecks(plan: LabPlan, exec: NodeExec, opts: { node?: string; concurrency?: number; cluster?: ClusterLookup } = {}): Promise<Expectation[]> {
  const cluster = opts.cluster ?? (plan.cluster ? kubeLookup(plan) : undefined);
  try {
    const checks = await labChecks(plan, () => new LabContext(plan, exec, cluster), opts.concurrency);
    return scopeChecks(checks, opts.node);
  } finally {
    if (!opts.cluster) cluster?.close();
  }
}

/**
 * The lab's checks without its stages (declared, plus derived when `derive` is on): what
 * `lab verify --impact` runs under each fault. Derived checks need the lab green.
 */
export async function labChecks(plan: LabPlan, newContext: () => LabContext, concurrency = 8): Promise<Expectation[]> {
  const section = loadExpectations(plan);
  return [...section.checks, ...(section.derive ? await deriveChecks(newContext(), concurrency) : [])];
}
export { runChecks, type RunOptions } from './run.js';

/** Loads the expectations (TopologyError on a bad `verify:` section), runs them, and reports. */
export async function verifyLab(plan: LabPlan, opts: VerifyOptions): Promise<VerifyReport> {
  const section = loadExpectations(plan);
  const stages = loadStages(plan);
  const cluster = opts.cluster ?? (plan.cluster ? kubeLookup(plan) : undefined);
  try {
    return await verifyWith(plan, opts, section, stages, cluster);
  } finally {
    if (!opts.cluster) cluster?.close();
  }
}

async function verifyWith(plan: LabPlan, opts: VerifyOptions, section: ReturnType<typeof loadExpectations>, stages: ReturnType<typeof loadStages>, cluster: ClusterLookup | undefined): Promise<VerifyReport> {
  const startedAt = new Date();
  const newContext = () => new LabContext(plan, opts.exec, cluster);
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const kubectl = opts.kubectl ?? (() => Promise.reject(new KindlabError('INTERNAL', 'no kubectl runner given to verifyLab')));
  // A staged lab may have been verified before: put back what its stages changed, so that this
  // run (the `verify:` checks included) starts from the state the first one did.
  verifyTrace('verifyLab');
  const reset = stages.length > 0 && plan.cluster && opts.node === undefined ? await resetStages(stages, { kubectl, labDir: plan.labDir, baseDir: dirname(plan.file) }) : undefined;
  verifyTrace('start');
  let checks: Expectation[] = [...section.checks];
  // The checks' first attempts share the context the checks were derived in: what derivation
  // read (each node's daemons and BGP sessions) is not asked again.
  let first = newContext();
  if (section.derive) {
    // Right after a deploy the speakers may not be up yet: with --wait, look again (soon: this is polling, not pacing).
    let derived = await deriveChecks(first, opts.concurrency);
    for (let attempt = 2; derived.length === 0 && Date.now() < deadline; attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(retryDelay(attempt, 1000), Math.max(0, deadline - Date.now()))));
      first = newContext();
      derived = await deriveChecks(first, opts.concurrency);
    }
    checks = [...checks, ...derived];
    verifyTrace(`derived ${derived.length} checks`);
  }
  checks = scopeChecks(checks, opts.node);
  const timeoutMs = opts.timeoutMs ?? section.timeoutMs;
  const results = await runChecks(newContext, checks, { ...opts, context: first, waitMs: Math.max(0, deadline - Date.now()), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  if (reset) results.unshift(reset);
  verifyTrace('checks done');
  if (stages.length > 0 && opts.node === undefined) {
    results.push(...(await runStages(newContext, stages, { ...opts, kubectl, ...(timeoutMs !== undefined ? { timeoutMs } : {}) })));
  }
  verifyTrace('stages done');
  return {
    lab: plan.name,
    passed: results.length > 0 && results.every((r) => r.passed),
    checks: results,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
  };
}
export { dockerExec } from './docker-exec.js';
export { labKubectl } from './stages-kubectl.js';
export { EvidenceLog } from './context.js';
export { podCidrsOf } from './derive-cluster.js';
export { xmlEscape, xmlText } from './report/junit.js';
