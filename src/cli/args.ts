/** Argument handling shared by the commands that read a topology file and write a report or drawing (graph, verify). */
import { KindlabError } from '../errors.js';

/** `-t FILE`, `-f/--format` (with the command's default), `-o PATH`, `-v` for `parseArgs`. */
export function reportOptions(defaultFormat: string) {
  return {
    topo: { type: 'string', short: 't' },
    format: { type: 'string', short: 'f', default: defaultFormat },
    output: { type: 'string', short: 'o' },
    verbose: { type: 'boolean', short: 'v' },
  } as const;
}

/** The topology file given with `-t`, or a USAGE error. */
export function requireTopo(topo: string | undefined, usage: string): string {
  if (!topo) throw new KindlabError('USAGE', 'give the topology with -t FILE', { detail: usage });
  return topo;
}

/** `--format`'s value if it is one of `formats`, else a USAGE error. */
export function pickFormat<F extends string>(value: string, formats: readonly F[], usage: string): F {
  if (!(formats as readonly string[]).includes(value)) throw new KindlabError('USAGE', `unknown format "${value}"`, { detail: usage });
  return value as F;
}
