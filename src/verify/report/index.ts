/** Report writers for `lab verify --format ...`. */
import type { VerifyReport } from '../types.js';
import { writeHtml, type HtmlOptions } from './html.js';
import { writeJson } from './json.js';
import { writeJunit } from './junit.js';
import { writeMarkdown } from './markdown.js';
import { writeText } from './text.js';

export const REPORT_FORMATS = ['text', 'markdown', 'json', 'junit', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function writeReport(r: VerifyReport, format: ReportFormat, opts: { color?: boolean } & HtmlOptions = {}): string {
  switch (format) {
    case 'text':
      return writeText(r, { color: opts.color ?? false });
    case 'markdown':
      return writeMarkdown(r);
    case 'json':
      return writeJson(r);
    case 'junit':
      return writeJunit(r);
    case 'html':
      return writeHtml(r, opts);
  }
}

export { writeHtml, writeJson, writeJunit, writeMarkdown, writeText };
