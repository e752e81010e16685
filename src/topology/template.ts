/**
 * containerlab renders every topology file as a Go template before reading it as YAML: the data
 * comes from the files given with --vars, else from `<topology name minus its last extension>_vars.*`
 * (.yaml, .yml, .json) beside it, merged in name order (maps merged deeply, anything else replaced);
 * `clab_templates/*.gotmpl` beside it are partials for {{template}}. A file without `{{` is left as is.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { KindlabError } from '../errors.js';
import { renderGoTemplate, TemplateExecError, TemplateSyntaxError } from './go-template/index.js';
import { MAX_TOPOLOGY_BYTES } from './load.js';

const VARS_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface RenderedTopology {
  text: string;
  /** The vars files and partials used (empty when the file has no template action). */
  varsFiles: string[];
  partials: string[];
  /** True when the template changed the text (YAML positions then refer to the rendered text). */
  rendered: boolean;
}

/** containerlab's merge of vars files: maps deeply, anything else replaced by the later file. */
export function mergeVars(dst: unknown, src: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(dst) || !isMap(src)) return src;
  for (const [k, v] of Object.entries(src)) dst[k] = k in dst ? mergeVars(dst[k], v) : v;
  return dst;
}

/** `<dir>/<name minus last extension>_vars.{yaml,yml,json}` (and `…_vars.more.yml`), in name order. */
export async function findVarsFiles(topoFile: string): Promise<string[]> {
  const dir = dirname(topoFile);
  const stem = `${basename(topoFile, extname(topoFile))}_vars.`;
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(stem) && VARS_EXTENSIONS.includes(extname(n))).sort().map((n) => join(dir, n));
}

async function readVars(files: string[]): Promise<unknown> {
  let data: unknown = {};
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new KindlabError('TOPO_TEMPLATE', `template variables file ${f}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    });
    const doc = YAML.parseDocument(text);
    const err = doc.errors[0];
    if (err) {
      const at = err.linePos?.[0];
      throw new KindlabError('TOPO_TEMPLATE', `${f}${at ? `:${at.line}:${at.col}` : ''}: template variables: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value !== null && (typeof value !== 'object' || Array.isArray(value))) throw new KindlabError('TOPO_TEMPLATE', `${f}: template variables must be a map`);
    data = mergeVars(data, value ?? {});
  }
  return data;
}

async function readPartials(topoFile: string): Promise<Array<{ name: string; text: string; file: string }>> {
  const dir = join(dirname(topoFile), 'clab_templates');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.gotmpl')).sort();
  return Promise.all(names.map(async (n) => ({ name: n, file: join(dir, n), text: await readFile(join(dir, n), 'utf8') })));
}

/**
 * Renders the topology text as containerlab does. `displayName` names the file in errors;
 * `varsFiles` (resolved against the working directory) replace the discovered ones.
 */
export async function renderTopologyTemplate(text: string, topoFile: string, displayName: string, varsFiles?: readonly string[], maxBytes = MAX_TOPOLOGY_BYTES): Promise<RenderedTopology> {
  if (!text.includes('{{')) return { text, varsFiles: [], partials: [], rendered: false };
  const files = varsFiles?.length ? varsFiles.map((f) => resolve(f)) : await findVarsFiles(topoFile);
  const data = await readVars(files);
  const partials = await readPartials(topoFile);
  const where = (template: string) => partials.find((p) => p.name === template)?.file ?? displayName;
  try {
    const out = renderGoTemplate(text, { name: basename(topoFile), data, partials, maxOutput: maxBytes });
    return { text: out, varsFiles: files, partials: partials.map((p) => p.file), rendered: out !== text };
  } catch (e) {
    if (e instanceof TemplateSyntaxError) throw new KindlabError('TOPO_TEMPLATE', `${displayName}:${e.line}:${e.col}: template: ${e.message}`, { hint: 'containerlab reads every topology file as a Go template ({{ … }}); escape a literal "{{" as {{ "{{" }}' });
    if (e instanceof TemplateExecError) {
      throw new KindlabError('TOPO_TEMPLATE', `${where(e.template)}:${e.line}:${e.col}: template: ${e.message}`, { hint: files.length ? `template variables from: ${files.join(', ')}` : `no template variables file (looked for ${basename(topoFile, extname(topoFile))}_vars.yml beside it; or give --vars FILE)` });
    }
    throw e;
  }
}
