/**
 * `lab images build [--force]`  build (or find cached) the local base image
 * `lab images list`             show the aliases and which local images exist
 */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/index.js';
import { BASE_IMAGE, DEFAULT_ALIASES } from '../runtime/index.js';

const USAGE = `usage: lab images build [--force] [--quiet]
       lab images list [--format json]`;

export async function runImages(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const runtime = new DockerRuntime();
  if (sub === 'build') {
    const { values } = parseArgs({ args: rest, options: { force: { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } } });
    const log = values.quiet ? undefined : (l: string) => process.stderr.write(`  ${l}\n`);
    const r = await runtime.buildBaseImage({ force: values.force, log });
    process.stdout.write(`${BASE_IMAGE} → ${r.image} (${r.status}, ${r.seconds.toFixed(2)} s)\n`);
    return 0;
  }
  if (sub === 'list' || sub === 'ls') {
    const { values } = parseArgs({ args: rest, options: { format: { type: 'string', default: 'table' } } });
    const present = await runtime.imageExists(BASE_IMAGE);
    const size = present ? await runtime.imageSize(BASE_IMAGE) : undefined;
    const rows = Object.entries(DEFAULT_ALIASES).map(([pattern, target]) => ({ pattern, target, present }));
    if (values.format === 'json') {
      process.stdout.write(`${JSON.stringify({ base: { image: BASE_IMAGE, present, size }, aliases: rows }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${BASE_IMAGE}: ${present ? `present, ${((size ?? 0) / 1e6).toFixed(0)} MB` : 'missing (run `lab images build`)'}\n`);
    const w = Math.max(...rows.map((r) => r.pattern.length));
    for (const r of rows) process.stdout.write(`  ${r.pattern.padEnd(w)}  → ${r.target}\n`);
    return 0;
  }
  throw new KindlabError('USAGE', sub ? `unknown images command "${sub}"` : 'missing images command', { detail: USAGE });
}
