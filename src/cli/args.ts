/** Option values shared by the commands, and the checks on them that give USAGE errors. */
import { KindlabError } from '../errors.js';

/** `-t FILE`, `-f/--format` (with the command's default), `-o PATH`, `-v`: the options of the commands that write a report or drawing. */
export function reportOptions(defaultFormat: string) {
  return {
    topo: { type: 'string', short: 't', describe: 'topology file (containerlab YAML)' },
    format: { type: 'string', short: 'f', default: defaultFormat, describe: 'output format' },
    output: { type: 'string', short: 'o', describe: 'write to this file instead of stdout' },
    verbose: { type: 'boolean', short: 'v', describe: 'verbose output; stack traces on errors' },
  } as const;
}

/** Parsed values of reportOptions. */
export interface ReportValues {
  topo?: string;
  format: string;
  output?: string;
  verbose?: boolean;
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
