/**
 * Mermaid → SVG / PNG through @mermaid-js/mermaid-cli's Node API, in Debian's Chromium
 * (/usr/bin/chromium, or $KINDLAB_CHROMIUM); puppeteer never downloads a browser.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KindlabError } from '../errors.js';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function chromiumPath(): string {
  const p = process.env['KINDLAB_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(p)) throw new KindlabError('USAGE', `no Chromium at ${p}: SVG and PNG output need it`, { hint: 'apt-get install chromium (or set KINDLAB_CHROMIUM to a Chrome/Chromium binary)' });
  return p;
}

export interface RenderOptions {
  /** PNG viewport width in CSS pixels (default 1600) and pixel ratio (default 2). */
  width?: number;
  scale?: number;
}

const MERMAID_CONFIG = {
  theme: 'default',
  securityLevel: 'strict',
  flowchart: { htmlLabels: true, curve: 'basis', nodeSpacing: 30, rankSpacing: 70, padding: 12, useMaxWidth: false },
  maxEdges: 2000,
  maxTextSize: 500000,
} as const;

async function render(mermaid: string, format: 'svg' | 'png', opts: RenderOptions): Promise<Buffer> {
  const { run } = await import('@mermaid-js/mermaid-cli');
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-graph-'));
  try {
    const input = join(dir, 'graph.mmd');
    const output = join(dir, `graph.${format}`) as `${string}.svg`;
    await writeFile(input, mermaid);
    await run(input, output, {
      quiet: true,
      outputFormat: format,
      puppeteerConfig: { executablePath: chromiumPath(), args: CHROMIUM_ARGS, headless: true },
      parseMMDOptions: {
        backgroundColor: 'white',
        mermaidConfig: MERMAID_CONFIG as never,
        viewport: { width: opts.width ?? 1600, height: 1000, deviceScaleFactor: opts.scale ?? 2 },
      },
    });
    return await readFile(output);
  } catch (e) {
    if (e instanceof KindlabError) throw e;
    throw new KindlabError('INTERNAL', `mermaid-cli could not render the graph: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, { cause: e });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function renderSvg(mermaid: string, opts: RenderOptions = {}): Promise<string> {
  return (await render(mermaid, 'svg', opts)).toString('utf8');
}

export async function renderPng(mermaid: string, opts: RenderOptions = {}): Promise<Buffer> {
  return render(mermaid, 'png', opts);
}
