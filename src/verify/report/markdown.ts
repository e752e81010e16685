/** Markdown report: a summary line, a table of checks, and the failing checks' evidence. */
import type { VerifyReport } from '../types.js';
import { clean } from './clean.js';

const cell = (s: string) => clean(s).replace(/</g, '&lt;').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function writeMarkdown(r: VerifyReport): string {
  const failed = r.checks.filter((c) => !c.passed);
  const staged = r.checks.some((c) => c.stage !== undefined);
  const out = [
    `# lab verify: ${r.lab}`,
    '',
    r.passed ? `**All ${r.checks.length} checks passed.**` : `**${failed.length} of ${r.checks.length} checks failed.**`,
    '',
    ...(staged ? ['| | Stage | Kind | Check | Detail |', '|---|---|---|---|---|'] : ['| | Kind | Check | Detail |', '|---|---|---|---|']),
    ...r.checks.map((c) => `| ${c.passed ? '✅' : '❌'} |${staged ? ` ${cell(c.stage ?? '')} |` : ''} ${c.kind} | ${cell(c.name)} | ${cell(c.detail)} |`),
  ];
  if (failed.length > 0) out.push('', '## Evidence');
  for (const c of failed) {
    const fence = c.evidence.output.includes('```') ? '~~~~' : '```';
    out.push('', `### ${c.stage !== undefined ? `${cell(c.stage)} / ` : ''}${c.kind}: ${cell(c.name)}`, '', cell(c.detail), '', fence, ...c.evidence.command.split('\n').map((l) => `$ ${clean(l)}`), clean(c.evidence.output), fence);
  }
  return out.join('\n') + '\n';
}
