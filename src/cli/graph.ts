/** `lab graph -t FILE [--format mermaid|svg|png|html] [-o PATH] [--serve PORT] [--direction auto|TB|LR] [--static]` */
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { KindlabError } from '../errors.js';
import { pickFormat, requireTopo, type ReportValues } from './args.js';
import { graphHtml, labGraph, renderPng, renderSvg, toMermaid, type LabGraphOptions } from '../graph/index.js';

const FORMATS = ['mermaid', 'svg', 'png', 'html'] as const;
type Format = (typeof FORMATS)[number];
const USAGE = 'usage: lab graph -t FILE [--format mermaid|svg|png|html] [-o PATH] [--serve PORT] [--direction auto|TB|LR] [--static]';

async function produce(file: string, format: Format, opts: LabGraphOptions): Promise<string | Buffer> {
  const model = await labGraph(file, opts);
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
}

export async function runGraph(values: GraphValues): Promise<number> {
  const topo = requireTopo(values.topo, USAGE);
  const format = pickFormat(values.format, FORMATS, USAGE);
  if (values.direction !== 'TB' && values.direction !== 'LR' && values.direction !== 'auto') throw new KindlabError('USAGE', `--direction must be TB, LR or auto`, { detail: USAGE });
  const opts: LabGraphOptions = { direction: values.direction, live: !values.static };
  if (values.serve !== undefined) return serve(topo, values.serve, opts);
  if (format === 'png' && !values.output && process.stdout.isTTY) throw new KindlabError('USAGE', 'PNG output needs -o FILE (or a pipe)', { detail: USAGE });
  const out = await produce(topo, format, opts);
  if (values.output) {
    await writeFile(values.output, out);
    process.stderr.write(`${format} graph written to ${values.output}\n`);
  } else process.stdout.write(out);
  return 0;
}

/** Serves the HTML page on 127.0.0.1:PORT, redrawn (with fresh session state) at most every 10 s. */
async function serve(file: string, portText: string, opts: LabGraphOptions): Promise<number> {
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KindlabError('USAGE', `--serve: "${portText}" is not a port`, { detail: USAGE });
  let cache: { at: number; page: Promise<string> } | undefined;
  const page = () => {
    if (!cache || Date.now() - cache.at > 10_000) {
      const p = labGraph(file, opts).then(async (m) => graphHtml(m, await renderSvg(toMermaid(m)), { refreshSeconds: 30 }));
      cache = { at: Date.now(), page: p };
      p.catch(() => (cache = undefined));
    }
    return cache.page;
  };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url !== '/' && req.url !== '/index.html')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    page().then(
      (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e instanceof Error ? e.message : String(e)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  process.stdout.write(`serving the lab graph on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/ (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
