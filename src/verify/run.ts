/**
 * Runs checks: concurrently with a bounded pool, each with its own timeout; with `waitMs`,
 * failing checks are retried (in a fresh context) until they pass or the time is up.
 */
import { checkBgp, type Outcome } from './check-bgp.js';
import { checkCurl, checkPing, checkTraceroute } from './check-reach.js';
import { checkRoute } from './check-route.js';
import { checkExec } from './check-exec.js';
import { EvidenceLog, type LabContext } from './context.js';
import { formatMs } from './duration.js';
import type { CheckResult, Expectation } from './types.js';
import { mapPool } from '../lib/index.js';

export interface RunOptions {
  /** Checks running at once (default 8). */
  concurrency?: number;
  /** Per-check timeout unless the check sets its own (default 15 s). */
  timeoutMs?: number;
  /** Keep retrying failing checks for this long (default 0: one round). */
  waitMs?: number;
  /** Pause between retry rounds (default 2 s). */
  retryDelayMs?: number;
  /** Called with each round's results (progress). */
  onRound?: (round: number, results: CheckResult[]) => void;
}

function dispatch(ctx: LabContext, log: EvidenceLog, e: Expectation): Promise<Outcome> {
  switch (e.kind) {
    case 'bgp':
      return checkBgp(ctx, log, e);
    case 'route':
      return checkRoute(ctx, log, e);
    case 'ping':
      return checkPing(ctx, log, e);
    case 'traceroute':
      return checkTraceroute(ctx, log, e);
    case 'curl':
      return checkCurl(ctx, log, e);
    case 'exec':
      return checkExec(ctx, log, e);
  }
}

/** Runs one check, never throwing: errors and timeouts become a failed result with evidence. */
export async function runCheck(ctx: LabContext, e: Expectation, timeoutMs: number): Promise<CheckResult> {
  const log = new EvidenceLog();
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ passed: false, detail: `timed out after ${formatMs(timeoutMs)}` }), timeoutMs);
  });
  let outcome: Outcome;
  try {
    outcome = await Promise.race([dispatch(ctx, log, e), timeout]);
  } catch (err) {
    outcome = { passed: false, detail: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  } finally {
    clearTimeout(timer);
  }
  const derived = e.derived;
  return { kind: e.kind, name: e.name, passed: outcome.passed, detail: outcome.detail, evidence: log.evidence(!outcome.passed), durationMs: Date.now() - start, attempts: 1, ...(derived ? { derived } : {}) };
}

export async function runChecks(newContext: () => LabContext, checks: Expectation[], opts: RunOptions = {}): Promise<CheckResult[]> {
  const limit = opts.concurrency ?? 8;
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const timeoutOf = (e: Expectation) => e.timeoutMs ?? opts.timeoutMs ?? 15_000;
  let ctx = newContext();
  const results = await mapPool(checks, limit, (e) => runCheck(ctx, e, timeoutOf(e)));
  opts.onRound?.(1, results);
  for (let round = 2; results.some((r) => !r.passed) && Date.now() < deadline; round++) {
    await new Promise((r) => setTimeout(r, Math.min(opts.retryDelayMs ?? 2000, Math.max(0, deadline - Date.now()))));
    ctx = newContext();
    const failing = results.map((r, i) => (r.passed ? -1 : i)).filter((i) => i >= 0);
    await mapPool(failing, limit, async (i) => {
      const r = await runCheck(ctx, checks[i]!, timeoutOf(checks[i]!));
      results[i] = { ...r, attempts: results[i]!.attempts + 1 };
    });
    opts.onRound?.(round, results);
  }
  return results;
}
