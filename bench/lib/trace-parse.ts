/**
 * Parsers for the traces the benches read: `lab deploy --timings`' step table, KINDLAB_STAGE_TRACE's per-node
 * milestones and KINDLAB_VERIFY_TRACE's verify milestones. Pure (test/bench/trace-parse.test.ts).
 */

/** `deploy --timings` lines ("  Step name   1.23 s   45 %") as step → seconds. */
export function timingsOf(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stdout.matchAll(/^ {2}(\S.*?)\s+([\d.]+) s\s+\d+ %/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** The Nodes step's milestones from KINDLAB_STAGE_TRACE lines: the latest time each milestone was reached by any node. */
export function milestonesOf(stderr: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stderr.matchAll(/^stage-trace ([\d.]+) \S+ (\S+)$/gm)) out.set(`Nodes: last ${m[2]}`, Math.max(out.get(`Nodes: last ${m[2]}`) ?? 0, Number(m[1])));
  out.delete('Nodes: last start');
  return out;
}

/**
 * verify's milestones from KINDLAB_VERIFY_TRACE lines, in seconds since its process started: its modules loaded,
 * checks derived, every check passed, every stage done; and how many check attempts failed before passing.
 */
export function verifyMilestonesOf(stderr: string): Map<string, number> {
  const names: Record<string, string> = { verifyLab: 'verify: CLI loaded', derived: 'verify: checks derived', checks: 'verify: checks passed', stages: 'verify: stages done' };
  const out = new Map<string, number>();
  let retries = 0;
  // an attempt's line: "verify-trace T attempt N pass|FAIL name (ms): detail"
  for (const m of stderr.matchAll(/^verify-trace ([\d.]+) (\S+)(?: \d+ (pass|FAIL) )?/gm)) {
    const key = names[m[2]!];
    if (key && !out.has(key)) out.set(key, Number(m[1]));
    if (m[2] === 'attempt' && m[3] === 'FAIL') retries++;
  }
  if (out.size > 0) out.set('verify: failed check attempts', retries);
  return out;
}
