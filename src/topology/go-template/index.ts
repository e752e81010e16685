/** Go text/template, as containerlab renders topology files before reading them as YAML. */
import { executeTemplate } from './exec.js';
import { isFuncName } from './funcs.js';
import { parseTemplate, type Templates } from './parse.js';

export { TemplateSyntaxError } from './lex.js';
export { TemplateExecError } from './exec.js';
export { formatValue, sprintf } from './format.js';

export interface RenderOptions {
  /** The template's name (containerlab: the topology file's base name). */
  name: string;
  data: unknown;
  /** Templates the main one may call with {{template}}: each file is a template named after it, plus its {{define}}s. */
  partials?: Array<{ name: string; text: string }>;
  /** Output cap in bytes. */
  maxOutput: number;
  /** {{template}} nesting cap. */
  maxDepth?: number;
}

/** Parses and executes `text`; throws TemplateSyntaxError / TemplateExecError with the position. */
export function renderGoTemplate(text: string, opts: RenderOptions): string {
  const templates: Templates = new Map();
  parseTemplate(opts.name, text, isFuncName, templates);
  for (const p of opts.partials ?? []) parseTemplate(p.name, p.text, isFuncName, templates);
  return executeTemplate(templates, opts.name, opts.data, { maxOutput: opts.maxOutput, maxDepth: opts.maxDepth ?? 1000 });
}
