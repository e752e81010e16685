/**
 * A self-contained HTML report: summary, the checks (failing ones open with their evidence)
 * and the lab's graph as inline SVG. No scripts, styles or images are loaded from anywhere.
 */
import type { VerifyReport } from '../types.js';
import { xmlEscape as esc } from './junit.js';

export interface HtmlOptions {
  /** The lab graph as an SVG document (inlined), or Mermaid text shown as source when no SVG. */
  graphSvg?: string;
  graphMermaid?: string;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1f2328;background:#fff}
h1{font-size:1.4rem}.ok{color:#1a7f37}.bad{color:#cf222e}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
details pre{background:#f6f8fa;padding:.6rem;overflow:auto;max-height:24rem}
.graph{border:1px solid #d0d7de;border-radius:6px;padding:1rem;overflow:auto;margin:1rem 0}
.graph svg{max-width:100%;height:auto}code{font-size:12px}`;

export function writeHtml(r: VerifyReport, opts: HtmlOptions = {}): string {
  const failed = r.checks.filter((c) => !c.passed).length;
  const rows = r.checks.map((c) => {
    const mark = c.passed ? '<span class="ok">✔</span>' : '<span class="bad">✘</span>';
    const ev = c.evidence.command
      ? `<details${c.passed ? '' : ' open'}><summary>evidence</summary><pre><code>${esc(c.evidence.command.split('\n').map((l) => `$ ${l}`).join('\n'))}\n${esc(c.evidence.output)}</code></pre></details>`
      : '';
    return `<tr><td>${mark}</td><td>${esc(c.kind)}</td><td>${esc(c.name)}</td><td>${esc(c.detail)}${ev}</td></tr>`;
  });
  const graph = opts.graphSvg
    ? `<div class="graph">${opts.graphSvg.replace(/^<\?xml[^>]*>\s*/, '')}</div>`
    : opts.graphMermaid
      ? `<div class="graph"><pre><code>${esc(opts.graphMermaid)}</code></pre></div>`
      : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>lab verify: ${esc(r.lab)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><h1>lab verify: ${esc(r.lab)}</h1>
<p class="${r.passed ? 'ok' : 'bad'}"><strong>${r.passed ? `All ${r.checks.length} checks passed` : `${failed} of ${r.checks.length} checks failed`}</strong> · ${esc(r.startedAt)}</p>
${graph}
<table><thead><tr><th></th><th>Kind</th><th>Check</th><th>Detail</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>
`;
}
