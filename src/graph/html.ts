/** The graph as one self-contained HTML page: inline SVG, a legend, no external resources. */
import type { GraphModel } from './model.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function graphHtml(model: GraphModel, svg: string, opts: { refreshSeconds?: number } = {}): string {
  const hasState = model.edges.some((e) => e.state);
  const legend = hasState ? '<p class="legend"><span class="up">━━</span> BGP Established &nbsp; <span class="down">╍╍</span> BGP down</p>' : '';
  const refresh = opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(model.lab)}: lab graph</title>${refresh}
<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<style>body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.3rem}.graph svg{max-width:100%;height:auto}.legend .up{color:#1a7f37}.legend .down{color:#cf222e}
.meta{color:#57606a}</style></head>
<body><h1>${esc(model.lab)}</h1>
<p class="meta">${model.nodes.length} nodes, ${model.edges.filter((e) => !e.session).length} links</p>${legend}
<div class="graph">${svg.replace(/^<\?xml[^>]*>\s*/, '')}</div>
</body></html>
`;
}
