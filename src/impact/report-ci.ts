/**
 * `lab verify --impact --junit FILE --html FILE`: the fault × check matrix for CI. Pure.
 * - JUnit: one testsuite per fault; one testcase per check (a failure when the fault broke it, with
 *   the time to detect and the check's detail), and a `recovered` testcase that fails when the lab
 *   did not come back green. A fault that could not be applied is an <error>.
 * - HTML: self-contained (no scripts, nothing loaded): the summary, the lab's graph with every
 *   element coloured by how many checks its failure breaks (the single points of failure in red),
 *   the fault × check matrix and detect/recover times.
 */
import type { Endpoint } from '../faults/index.js';
import { xmlEscape, xmlText } from '../verify/index.js';
import type { ImpactReport, ImpactRow } from './run.js';
import { worstRows } from './report.js';

const secs = (ms: number | undefined) => ((ms ?? 0) / 1000).toFixed(3);
const s1 = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function writeImpactJunit(report: ImpactReport): string {
  const suites = report.rows.map((r) => suite(report, r));
  const tests = suites.reduce((a, x) => a + x.tests, 0);
  const failures = suites.reduce((a, x) => a + x.failures, 0);
  const errors = suites.reduce((a, x) => a + x.errors, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lab verify --impact: ${xmlEscape(report.lab)}" tests="${tests}" failures="${failures}" errors="${errors}" time="${secs(report.durationMs)}">`,
    ...suites.map((x) => x.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(report: ImpactReport, r: ImpactRow): { xml: string; tests: number; failures: number; errors: number } {
  const name = `${r.kind} ${r.element}`;
  const cls = xmlEscape(`${report.lab}.impact.${r.kind}`);
  if (r.error) {
    const xml = [
      `  <testsuite name="${xmlEscape(name)}" tests="1" failures="0" errors="1" skipped="0" time="0.000" timestamp="${xmlEscape(report.startedAt.replace(/\.\d+Z$/, ''))}">`,
      `    <testcase classname="${cls}" name="${xmlEscape(`apply ${name}`)}" time="0.000">`,
      `      <error message="${xmlEscape(r.error)}" type="fault">${xmlText(r.error)}</error>`,
      '    </testcase>',
      '  </testsuite>',
    ].join('\n');
    return { xml, tests: 1, failures: 0, errors: 1 };
  }
  const cases: string[] = [];
  let failures = 0;
  // a run knows a check by its name (two derived checks may share one): one testcase per name
  const names = [...new Set(report.checks)];
  for (const check of names) {
    const f = r.failed.find((x) => x.check === check);
    const head = `    <testcase classname="${cls}" name="${xmlEscape(`${check} under ${name}`)}" time="${secs(f?.detectMs)}"`;
    if (!f) {
      cases.push(`${head}/>`);
      continue;
    }
    failures++;
    cases.push(`${head}>`, `      <failure message="${xmlEscape(`broken by ${name} after ${s1(f.detectMs)}`)}" type="impact">${xmlText(f.detail)}</failure>`, '    </testcase>');
  }
  const rec = `    <testcase classname="${cls}" name="${xmlEscape(`recovered after ${name}`)}" time="${secs(r.recoverMs)}"`;
  if (r.recovered) cases.push(`${rec}/>`);
  else {
    failures++;
    cases.push(`${rec}>`, `      <failure message="${xmlEscape(`the lab was not green again after ${name} was restored`)}" type="recovery"/>`, '    </testcase>');
  }
  const tests = names.length + 1;
  const time = (r.failed.length ? Math.max(...r.failed.map((x) => x.detectMs)) : 0) + (r.recoverMs ?? 0);
  const xml = [
    `  <testsuite name="${xmlEscape(name)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${secs(time)}" timestamp="${xmlEscape(report.startedAt.replace(/\.\d+Z$/, ''))}">`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
  return { xml, tests, failures, errors: 0 };
}

/** How bad an element's failure is: the share of the checks it breaks, in four steps. */
export type Severity = 'none' | 'low' | 'high' | 'worst';

export const SEVERITY_COLOURS: Record<Severity, { fill: string; stroke: string }> = {
  none: { fill: '#dafbe1', stroke: '#1a7f37' },
  low: { fill: '#fff8c5', stroke: '#bf8700' },
  high: { fill: '#ffe2cc', stroke: '#d4750c' },
  worst: { fill: '#ffd8d3', stroke: '#cf222e' },
};

export function severityOf(row: ImpactRow, max: number): Severity {
  const n = row.failed.length;
  if (n === 0) return 'none';
  if (n === max) return 'worst';
  return n / max > 0.5 ? 'high' : 'low';
}

/** The elements of the report to colour: nodes by name (a node row's owner and its sharers), links by their ends. */
export interface ImpactOverlay {
  nodes: Record<string, Severity>;
  links: Array<{ a: Endpoint; z: Endpoint; severity: Severity }>;
}

const parseEnd = (s: string): Endpoint | undefined => {
  const i = s.indexOf(':');
  return i > 0 ? { node: s.slice(0, i), iface: s.slice(i + 1) } : undefined;
};

export function impactOverlay(report: ImpactReport): ImpactOverlay {
  const max = Math.max(0, ...report.rows.map((r) => r.failed.length));
  const out: ImpactOverlay = { nodes: {}, links: [] };
  for (const r of report.rows) {
    if (r.error) continue;
    const sev = severityOf(r, max);
    if (r.kind === 'node') {
      // "control-plane (server0, server1)": the owner and the containers sharing its netns
      const m = /^([^ ]+)(?: \((.*)\))?$/.exec(r.element);
      for (const n of [m?.[1], ...(m?.[2]?.split(', ') ?? [])]) if (n) out.nodes[n] = sev;
    } else {
      const [a, z] = r.element.split(' — ').map(parseEnd);
      if (a && z) out.links.push({ a, z, severity: sev });
    }
  }
  return out;
}

/** A link's colour in the overlay (either order of its ends). */
export function linkSeverity(o: ImpactOverlay, a: Endpoint, z: Endpoint): Severity | undefined {
  const same = (x: Endpoint, y: Endpoint) => x.node === y.node && x.iface === y.iface;
  return o.links.find((l) => (same(l.a, a) && same(l.z, z)) || (same(l.a, z) && same(l.z, a)))?.severity;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:center}
th.check{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;font-weight:normal;max-height:16rem}
td.el{text-align:left;white-space:nowrap}td.x{background:#ffd8d3;color:#cf222e}td.o{color:#8c959f}
.graph{border:1px solid #d0d7de;border-radius:6px;padding:1rem;overflow:auto;margin:1rem 0}.graph svg{max-width:100%;height:auto}
.key span{display:inline-block;padding:.1rem .5rem;margin-right:.4rem;border:2px solid}.bad{color:#cf222e}`;

export interface ImpactHtmlOptions {
  /** The lab graph coloured by the overlay, as SVG (inlined), or its Mermaid text when it could not be drawn. */
  graphSvg?: string;
  graphMermaid?: string;
}

export function writeImpactHtml(report: ImpactReport, opts: ImpactHtmlOptions = {}): string {
  const esc = xmlEscape;
  const worst = worstRows(report);
  const max = Math.max(0, ...report.rows.map((r) => r.failed.length));
  const names = [...new Set(report.checks)];
  const head = `<tr><th>fault</th><th>broken</th><th>detect (last)</th><th>recover</th>${names.map((c) => `<th class="check" title="${esc(c)}">${esc(c)}</th>`).join('')}</tr>`;
  const rows = report.rows.map((r) => {
    const sev = r.error ? undefined : SEVERITY_COLOURS[severityOf(r, max)];
    const style = sev ? ` style="background:${sev.fill};border-left:4px solid ${sev.stroke}"` : '';
    const cells = names.map((c) => {
      const f = r.failed.find((x) => x.check === c);
      return f ? `<td class="x" title="${esc(`${f.detail} (after ${s1(f.detectMs)})`)}">✘</td>` : '<td class="o">·</td>';
    });
    const detect = r.failed.length ? s1(Math.max(...r.failed.map((f) => f.detectMs))) : '—';
    const broken = r.error ? `<span class="bad">error: ${esc(r.error)}</span>` : `${r.failed.length} / ${report.checks.length}`;
    return `<tr><td class="el"${style}>${esc(`${r.kind} ${r.element}`)}</td><td>${broken}</td><td>${detect}</td><td>${r.recovered ? s1(r.recoverMs) : '<span class="bad">not recovered</span>'}</td>${cells.join('')}</tr>`;
  });
  const graph = opts.graphSvg
    ? `<div class="graph">${opts.graphSvg.replace(/^<\?xml[^>]*>\s*/, '')}</div>`
    : opts.graphMermaid
      ? `<div class="graph"><pre><code>${esc(opts.graphMermaid)}</code></pre></div>`
      : '';
  const key = (['none', 'low', 'high', 'worst'] as Severity[])
    .map((k) => `<span style="background:${SEVERITY_COLOURS[k].fill};border-color:${SEVERITY_COLOURS[k].stroke}">${{ none: 'breaks nothing', low: 'breaks some', high: 'breaks many', worst: `breaks the most (${max})` }[k]}</span>`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lab verify --impact: ${esc(report.lab)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><h1>Impact of failures: lab ${esc(report.lab)}</h1>
<p>${report.rows.length} faults × ${report.checks.length} checks in ${s1(report.durationMs)} · ${esc(report.startedAt)}${report.stopped ? ` · <span class="bad">stopped: ${esc(report.stopped)}</span>` : ''}</p>
${worst.length ? `<p><strong>Single points of failure</strong> (most checks broken, ${worst[0]!.failed.length}): ${worst.map((r) => esc(`${r.kind} ${r.element}`)).join(', ')}</p>` : '<p>No fault broke any check.</p>'}
<p class="key">${key}</p>
${graph}
<table><thead>${head}</thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>
`;
}
