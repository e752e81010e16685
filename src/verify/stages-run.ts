/**
 * Runs `stages:` in order: each stage's steps (kubectl apply -f FILE, then kubectl lines) one
 * after another, then its checks with the --wait retry window of their own. A failed step fails
 * the stage and skips the stages after it (they build on its state); failed checks do not.
 * Every result carries its stage's name so reports group by stage.
 */
import type { LabContext } from './context.js';
import { EvidenceLog, shellQuote, type ExecOutput } from './context.js';
import { formatMs } from './duration.js';
import { runChecks, type RunOptions } from './run.js';
import type { Stage, StageStep } from './stages.js';
import type { CheckResult } from './types.js';
import { errorMessage } from '../errors.js';

/** Runs kubectl with the lab's kubeconfig; `args` has neither `kubectl` nor --kubeconfig; `input` is its stdin (`-f -`). */
export type Kubectl = (args: string[], input?: string) => Promise<ExecOutput>;

export interface StageRunOptions extends RunOptions {
  kubectl: Kubectl;
  /** Called as each stage starts (progress). */
  onStage?: (stage: Stage, index: number, stages: readonly Stage[]) => void;
}

export function stepArgs(step: StageStep): string[] {
  return step.kind === 'apply' ? ['apply', '-f', step.file] : step.args;
}

async function runStep(kubectl: Kubectl, stage: string, step: StageStep): Promise<CheckResult> {
  const args = stepArgs(step);
  const log = new EvidenceLog();
  const start = Date.now();
  const name = step.kind === 'apply' ? `apply ${step.text}` : `kubectl ${step.text.replace(/^kubectl\s+/, '')}`;
  let passed = false;
  let detail: string;
  try {
    const r = await kubectl(args);
    const output = [r.stdout.trimEnd(), r.stderr.trimEnd()].filter(Boolean).join('\n');
    log.add(`host$ kubectl ${shellQuote(args)}`, output + (r.exitCode !== 0 ? `\n(exit ${r.exitCode})` : ''));
    passed = r.exitCode === 0;
    const firstLine = (passed ? r.stdout : r.stderr || r.stdout).trim().split('\n')[0] ?? '';
    detail = passed ? firstLine || 'done' : `kubectl exited ${r.exitCode}: ${firstLine}`;
  } catch (e) {
    const msg = errorMessage(e);
    log.add(`host$ kubectl ${shellQuote(args)}`, msg);
    detail = `kubectl could not run: ${msg.split('\n')[0]}`;
  }
  return { kind: 'stage', name, passed, detail, evidence: log.evidence(), durationMs: Date.now() - start, attempts: 1, stage };
}

export async function runStages(newContext: () => LabContext, stages: Stage[], opts: StageRunOptions): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  let broken: string | undefined;
  for (const [i, stage] of stages.entries()) {
    if (broken) {
      out.push({ kind: 'stage', name: 'not run', passed: false, detail: `skipped: a step of stage "${broken}" failed`, evidence: { command: '', output: '' }, durationMs: 0, attempts: 0, stage: stage.name });
      continue;
    }
    opts.onStage?.(stage, i, stages);
    for (const step of stage.steps) {
      const r = await runStep(opts.kubectl, stage.name, step);
      out.push(r);
      if (!r.passed) {
        broken = stage.name;
        break;
      }
    }
    if (broken) continue;
    if (stage.waitMs) await new Promise((r) => setTimeout(r, stage.waitMs));
    const timeoutMs = stage.timeoutMs ?? opts.timeoutMs;
    const results = await runChecks(newContext, stage.checks, { ...opts, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
    out.push(...results.map((r) => ({ ...r, stage: stage.name })));
  }
  return out;
}

/** One line per stage for progress output: `stage 2/3 etpLocal: 1 apply, 1 kubectl, 2 checks`. */
export function stageSummary(stage: Stage, index: number, total: number): string {
  const n = (k: StageStep['kind']) => stage.steps.filter((s) => s.kind === k).length;
  const parts = [n('apply') ? `${n('apply')} apply` : '', n('kubectl') ? `${n('kubectl')} kubectl` : '', `${stage.checks.length} checks`, stage.waitMs ? `wait ${formatMs(stage.waitMs)}` : ''].filter(Boolean);
  return `stage ${index + 1}/${total} ${stage.name}: ${parts.join(', ')}`;
}
