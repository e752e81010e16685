/** The terminal report: one line per check (coloured on a TTY), then the failing checks' evidence. */
import { formatMs } from '../duration.js';
import type { VerifyReport } from '../types.js';
import { clean } from './clean.js';

const paint = (on: boolean, code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export interface TextOptions {
  color: boolean;
  /** Lines of evidence output shown per failing check (default 15). */
  evidenceLines?: number;
}

export function writeText(r: VerifyReport, opts: TextOptions): string {
  const green = paint(opts.color, '32');
  const red = paint(opts.color, '31');
  const dim = paint(opts.color, '2');
  const bold = paint(opts.color, '1');
  const kindW = Math.max(4, ...r.checks.map((c) => c.kind.length));
  const nameW = Math.min(60, Math.max(...r.checks.map((c) => c.name.length), 4));
  const lines: string[] = [];
  let stage: string | undefined;
  for (const c of r.checks) {
    if (c.stage !== stage) {
      stage = c.stage;
      lines.push(`${lines.length ? '\n' : ''}${bold(`stage ${clean(stage ?? '')}`)}`);
    }
    const mark = c.passed ? green('PASS') : red('FAIL');
    const tries = c.attempts > 1 ? dim(` (${c.attempts} attempts)`) : '';
    lines.push(`${stage !== undefined ? '  ' : ''}${mark} ${c.kind.padEnd(kindW)} ${clean(c.name).padEnd(nameW)}  ${dim(clean(c.detail))}${tries}`);
  }
  const failed = r.checks.filter((c) => !c.passed);
  const max = opts.evidenceLines ?? 15;
  for (const c of failed) {
    if (!c.evidence.command) continue;
    lines.push('', bold(`${c.stage !== undefined ? `[${c.stage}] ` : ''}${c.kind} ${c.name}`) + ':', ...c.evidence.command.split('\n').map((l) => `  $ ${clean(l)}`));
    const out = clean(c.evidence.output).split('\n');
    lines.push(...out.slice(0, max).map((l) => `  ${l}`));
    if (out.length > max) lines.push(dim(`  ... ${out.length - max} more lines (see --format json)`));
  }
  const passed = r.checks.length - failed.length;
  const verdict = r.passed ? green(bold('all checks passed')) : red(bold(`${failed.length} of ${r.checks.length} checks failed`));
  lines.push('', `lab ${r.lab}: ${verdict} (${passed} passed, ${failed.length} failed, ${formatMs(r.durationMs)})`);
  return lines.join('\n') + '\n';
}
