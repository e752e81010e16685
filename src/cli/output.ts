/**
 * How errors reach the user (like kind's logError): the message first, then the failed
 * command's output, then the hint; the stack (and causes) only with `-v`.
 */
import { KindlabError, errorMessage } from '../errors.js';

export function formatError(e: unknown, verbose: boolean): string {
  const lines: string[] = [];
  if (e instanceof KindlabError) {
    lines.push(`ERROR: ${e.shortMessage}`);
    if (e.detail) lines.push(e.detail.replace(/^/gm, '  '));
    if (e.hint) lines.push(`hint: ${e.hint}`);
  } else {
    lines.push(`ERROR: ${errorMessage(e)}`);
  }
  if (verbose) {
    let cur: unknown = e;
    while (cur instanceof Error) {
      if (cur.stack) lines.push(cur.stack);
      cur = cur.cause;
      if (cur) lines.push('caused by:');
    }
  }
  return lines.join('\n') + '\n';
}
