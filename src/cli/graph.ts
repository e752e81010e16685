/** `lab graph -t FILE [--format mermaid|svg|png|html] [-o PATH] [--serve PORT] [--direction auto|TB|LR] [--static] [--unfold]` */
import { labLoadOptions } from './load-options.js';
import { loadLabPlan } from '../runtime/index.js';
import { writeFile } from 'node:fs/promises';
import { KindlabError } from '../errors.js';
import { pickFormat, requireTopo, type ReportValues } from './args.js';
import { cachedPage, graphHtml, graphOfPlan, parsePort, renderPng, renderSvg, serveGraph, toMermaid, type LabGraphOptions } from '../graph/index.js';

const FORMATS = ['mermaid', 'svg', 'png', 'html'] as const;
type Format = (typeof FORMATS)[number];
const USAGE = 'usage: lab graph -t FILE [--format mermaid|svg|png|html] [-o PATH] [--serve PORT] [--direction auto|TB|LR] [--static] [--unfold]';

async function produce(file: string, format: Format, opts: LabGraphOptions): Promise<string | Buffer> {
  const model = await graphOfPlan(await loadLabPlan(file, labLoadOptions()), opts);
  const mermaid = toMermaid(model);
  if (format === 'mermaid') return mermaid;
  if (format === 'png') return renderPng(mermaid);
  const svg = await renderSvg(mermaid);
  return format === 'svg' ? svg : graphHtml(model, svg);
}

export interface GraphValues extends ReportValues {
  serve?: string;
  direction: string;
  static: boolean;
  unfold?: boolean;
}

export async function runGraph(values: GraphValues): Promise<number> {
  const topo = requireTopo(values.topo, USAGE);
  const format = pickFormat(values.format, FORMATS, USAGE);
  if (values.direction !== 'TB' && values.direction !== 'LR' && values.direction !== 'auto') throw new KindlabError('USAGE', `--direction must be TB, LR or auto`, { detail: USAGE });
  const opts: LabGraphOptions = { direction: values.direction, live: !values.static, fold: !values.unfold };
  if (values.serve !== undefined) return serve(topo, values.serve, opts);
  if (format === 'png' && !values.output && process.stdout.isTTY) throw new KindlabError('USAGE', 'PNG output needs -o FILE (or a pipe)', { detail: USAGE });
  const out = await produce(topo, format, opts);
  if (values.output) {
    await writeFile(values.output, out);
    process.stderr.write(`${format} graph written to ${values.output}\n`);
  } else process.stdout.write(out);
  return 0;
}

/** Serves the page until SIGINT/SIGTERM, then closes at once (open keep-alive connections too). */
async function serve(file: string, portText: string, opts: LabGraphOptions): Promise<number> {
  const port = parsePort(portText);
  if (port === undefined) throw new KindlabError('USAGE', `--serve: "${portText}" is not a port (an integer 1-65535, or 0 for any free port)`, { detail: USAGE });
  const server = await serveGraph(cachedPage(async () => graphOfPlan(await loadLabPlan(file, labLoadOptions()), opts)), port);
  process.stdout.write(`serving the lab graph on ${server.url} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  // A draw still running (mermaid-cli in Chromium) cannot be cancelled: exit without waiting for it
  // (puppeteer kills its browser on exit).
  if (server.pending() > 0) process.exit(0);
  return 0;
}
