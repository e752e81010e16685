/** exec checks: a command in a node, and a condition on its output (contains, regex, equals) and exit code. */
import type { Outcome } from './check-bgp.js';
import type { EvidenceLog, LabContext } from './context.js';
import { splitCommand } from '../runtime/index.js';
import type { ExecExpectation } from './types.js';

const clip = (s: string): string => {
  const one = s.trim().replace(/\s*\n\s*/g, ' | ');
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
};

/** The verdict on one run's output. Pure. */
export function judgeExec(e: Pick<ExecExpectation, 'contains' | 'regex' | 'equals' | 'exitCode'>, r: { exitCode: number; stdout: string; stderr: string }): Outcome {
  if (r.exitCode !== e.exitCode) return { passed: false, detail: `exit ${r.exitCode}, expected ${e.exitCode}${r.stderr.trim() ? `: ${clip(r.stderr)}` : ''}` };
  const out = r.stdout;
  if (e.contains !== undefined && !out.includes(e.contains)) return { passed: false, detail: `output does not contain "${e.contains}": ${clip(out)}` };
  if (e.regex !== undefined && !new RegExp(e.regex, 'm').test(out)) return { passed: false, detail: `output does not match /${e.regex}/: ${clip(out)}` };
  if (e.equals !== undefined && out.trim() !== e.equals.trim()) return { passed: false, detail: `output is "${clip(out)}", expected "${e.equals.trim()}"` };
  const what = [e.contains !== undefined ? `contains "${e.contains}"` : '', e.regex !== undefined ? `matches /${e.regex}/` : '', e.equals !== undefined ? 'equals the expected text' : ''].filter(Boolean);
  return { passed: true, detail: `exit ${r.exitCode}${what.length ? `; output ${what.join(', ')}` : ''}` };
}

export async function checkExec(ctx: LabContext, log: EvidenceLog, e: ExecExpectation): Promise<Outcome> {
  const r = await ctx.run(log, e.node, splitCommand(e.command));
  return judgeExec(e, r);
}
