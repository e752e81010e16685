/**
 * Runs checks: concurrently with a bounded pool, each with its own timeout; with `waitMs`,
 * each failing check is retried (in a fresh context, after a short backoff) until it passes or the time is up.
 */
import { checkBgp, type Outcome } from './check-bgp.js';
import { checkCurl, checkPing, checkTraceroute } from './check-reach.js';
import { checkRoute } from './check-route.js';
import { checkExec } from './check-exec.js';
import { EvidenceLog, type LabContext } from './context.js';
import { formatMs } from './duration.js';
import type { CheckResult, Expectation } from './types.js';
import { Semaphore } from '../lib/index.js';

export interface RunOptions {
  /** Checks running at once (default 8). */
  concurrency?: number;
  /** Per-check timeout unless the check sets its own (default 15 s). */
  timeoutMs?: number;
  /** Keep retrying failing checks for this long (default 0: one round). */
  waitMs?: number;
  /** Longest pause before retrying a failing check (default 2 s; the pauses start at 100 ms and double). */
  retryDelayMs?: number;
  /** The context of the first attempts (e.g. the one checks were derived in, so its lookups are reused). */
  context?: LabContext;
  /** Called with each round's results (progress). */
  onRound?: (round: number, results: CheckResult[]) => void;
}

/**
 * How long a curl attempt waits for its answer, in seconds. A destination that is not routed yet drops the SYN, and
 * curl then spends its whole wait: while `--wait` leaves room for another attempt, the first ones wait 1 s, 2 s,
 * 4 s (calico-service-ips: the stage's curl started before the ToR had the /24 spent 5 s, then passed at once). The
 * last attempt, a single round and a `blocked` expectation (it passes only by waiting) wait the full 5 s. Pure.
 */
export function curlWaitS(attempt: number, retryFollows: boolean, blocked: boolean): number {
  return blocked || !retryFollows ? CURL_FULL_WAIT_S : Math.min(CURL_FULL_WAIT_S, 2 ** (attempt - 1));
}
const CURL_FULL_WAIT_S = 5;

/** Which attempt of a check this is, and whether `--wait` leaves time for another after it. */
export interface AttemptInfo {
  attempt: number;
  retryFollows: boolean;
}
const SINGLE: AttemptInfo = { attempt: 1, retryFollows: false };

function dispatch(ctx: LabContext, log: EvidenceLog, e: Expectation, at: AttemptInfo): Promise<Outcome> {
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
      return checkCurl(ctx, log, e, curlWaitS(at.attempt, at.retryFollows, e.blocked === true));
    case 'exec':
      return checkExec(ctx, log, e);
  }
}

/** Runs one check, never throwing: errors and timeouts become a failed result with evidence. */
export async function runCheck(ctx: LabContext, e: Expectation, timeoutMs: number, at: AttemptInfo = SINGLE): Promise<CheckResult> {
  const log = new EvidenceLog();
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ passed: false, detail: `timed out after ${formatMs(timeoutMs)}` }), timeoutMs);
  });
  let outcome: Outcome;
  try {
    outcome = await Promise.race([dispatch(ctx, log, e, at), timeout]);
  } catch (err) {
    outcome = { passed: false, detail: err instanceof Error ? err.message.split('\n')[0]! : String(err) };
  } finally {
    clearTimeout(timer);
  }
  const derived = e.derived;
  return { kind: e.kind, name: e.name, passed: outcome.passed, detail: outcome.detail, evidence: log.evidence(!outcome.passed), durationMs: Date.now() - start, attempts: 1, ...(derived ? { derived } : {}) };
}

/** KINDLAB_VERIFY_TRACE=1: each check's result with seconds since the process started, on stderr (for the benches). */
export const verifyTrace: (what: string) => void = process.env['KINDLAB_VERIFY_TRACE']
  ? (what) => process.stderr.write(`verify-trace ${(performance.now() / 1000).toFixed(3)} ${what}\n`)
  : () => undefined;

const traceResult = (attempt: number, r: CheckResult) => verifyTrace(`attempt ${attempt} ${r.passed ? 'pass' : 'FAIL'} ${r.name} (${r.durationMs} ms): ${r.detail}`);

/** The pause before attempt `attempt` (2, 3, …) of a failing check: 100 ms doubling, at most `max`. */
export function retryDelay(attempt: number, max: number): number {
  return Math.min(max, 100 * 2 ** Math.max(0, attempt - 2));
}

/**
 * Every check runs once (all in one context, so checks reading the same node share its output);
 * with `waitMs` each failing check then retries on its own, after a short backoff, without
 * waiting for the slowest check of a round. A retry's context is newer than its last failure.
 */
export async function runChecks(newContext: () => LabContext, checks: Expectation[], opts: RunOptions = {}): Promise<CheckResult[]> {
  const slots = new Semaphore(opts.concurrency ?? 8);
  const deadline = Date.now() + (opts.waitMs ?? 0);
  const maxDelay = opts.retryDelayMs ?? 2000;
  const timeoutOf = (e: Expectation) => e.timeoutMs ?? opts.timeoutMs ?? 15_000;
  const first = opts.context ?? newContext();
  let fresh = { ctx: first, born: Date.now() };
  const contextAfter = (t: number) => (fresh.born >= t ? fresh.ctx : (fresh = { ctx: newContext(), born: Date.now() }).ctx);
  const results = new Array<CheckResult | undefined>(checks.length);
  const settled = new Array<boolean>(checks.length).fill(false);
  // onRound(n): every check has passed, made n attempts, or stopped retrying
  let reported = 0;
  const report = () => {
    const reached = (n: number) => results.every((r, i) => r && (r.passed || r.attempts >= n || settled[i])) && !results.includes(undefined);
    const most = Math.max(0, ...results.map((r) => r?.attempts ?? 0));
    while (reported < most && reached(reported + 1)) {
      reported++;
      opts.onRound?.(reported, results as CheckResult[]);
    }
  };
  await Promise.all(
    checks.map(async (e, i) => {
      let ctx = first;
      for (let attempt = 1; ; attempt++) {
        const r = await slots.run(() => runCheck(ctx, e, timeoutOf(e), { attempt, retryFollows: deadline - Date.now() > CURL_FULL_WAIT_S * 1000 }));
        results[i] = { ...r, attempts: attempt };
        traceResult(attempt, r);
        const done = Date.now();
        if (r.passed || done >= deadline) settled[i] = true;
        report();
        if (settled[i]) return;
        await new Promise((res) => setTimeout(res, Math.min(retryDelay(attempt + 1, maxDelay), Math.max(0, deadline - Date.now()))));
        ctx = contextAfter(done);
      }
    }),
  );
  return results as CheckResult[];
}
