/** JSON report, per the contract: `{ lab, passed, checks: [ { kind, name, passed, detail, ... } ] }`. */
import type { VerifyReport } from '../types.js';

export function writeJson(r: VerifyReport): string {
  const checks = r.checks.map((c) => ({ kind: c.kind, name: c.name, passed: c.passed, detail: c.detail, evidence: c.evidence, durationMs: c.durationMs, attempts: c.attempts, ...(c.derived ? { derived: true } : {}), ...(c.stage !== undefined ? { stage: c.stage } : {}) }));
  return JSON.stringify({ lab: r.lab, passed: r.passed, checks, startedAt: r.startedAt, durationMs: r.durationMs }, null, 2) + '\n';
}
