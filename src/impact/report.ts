/** `lab verify --impact` reports: a fault × check matrix as text, Markdown or JSON. Pure. */
import type { ImpactReport, ImpactRow } from './run.js';

export const IMPACT_FORMATS = ['text', 'markdown', 'json'] as const;
export type ImpactFormat = (typeof IMPACT_FORMATS)[number];

const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
const detect = (r: ImpactRow) => (r.failed.length ? s(Math.max(...r.failed.map((f) => f.detectMs))) : '—');

/** The rows that break the most checks: the lab's single points of failure. */
export function worstRows(report: ImpactReport): ImpactRow[] {
  const max = Math.max(0, ...report.rows.map((r) => r.failed.length));
  return max === 0 ? [] : report.rows.filter((r) => r.failed.length === max);
}

function summary(report: ImpactReport): string {
  const worst = worstRows(report);
  return `lab ${report.lab}: ${report.rows.length} faults × ${report.checks.length} checks in ${s(report.durationMs)}${report.stopped ? ` (stopped: ${report.stopped})` : ''}${worst.length ? `; most checks broken (${worst[0]!.failed.length}) by: ${worst.map((r) => r.element).join(', ')}` : ''}`;
}

export function writeImpact(report: ImpactReport, format: ImpactFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'markdown') {
    const lines = [`# Impact of failures: lab ${report.lab}`, '', summary(report), '', '| fault | checks failing | time to detect (last) | time to recover |', '|:--|--:|--:|--:|'];
    for (const r of report.rows) lines.push(`| ${r.kind} ${r.element} | ${r.error ? `error: ${r.error}` : `${r.failed.length} / ${report.checks.length}`} | ${detect(r)} | ${r.recovered ? s(r.recoverMs) : 'not recovered'} |`);
    lines.push('', '## Checks broken by each fault', '');
    for (const r of report.rows) {
      lines.push(`### ${r.kind} ${r.element}`, '');
      lines.push(...(r.failed.length ? r.failed.map((f) => `- ${f.check} (after ${s(f.detectMs)}): ${f.detail}`) : ['- none']), '');
    }
    lines.push('## Checks by the faults that break them', '', '| check | broken by |', '|:--|:--|');
    for (const c of report.checks) {
      const by = report.rows.filter((r) => r.failed.some((f) => f.check === c)).map((r) => r.element);
      lines.push(`| ${c} | ${by.join(', ') || '—'} |`);
    }
    return `${lines.join('\n')}\n`;
  }
  const out = [summary(report), ''];
  for (const r of report.rows) {
    out.push(`${r.kind} ${r.element}: ${r.error ? `ERROR ${r.error}` : `${r.failed.length} of ${report.checks.length} checks fail`}; detect ${detect(r)}, recover ${r.recovered ? s(r.recoverMs) : 'NOT RECOVERED'}`);
    for (const f of r.failed) out.push(`    FAIL ${f.check}`);
  }
  return `${out.join('\n')}\n`;
}
