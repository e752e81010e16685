/**
 * `lab images build [--force]`  build (or find cached) the local base image
 * `lab images list`             show the aliases and which local images exist
 */
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/index.js';
import { BASE_IMAGE, DEFAULT_ALIASES } from '../runtime/index.js';

import { IMAGES_USAGE as USAGE } from './spec.js';

export interface ImagesValues {
  force?: boolean;
  quiet?: boolean;
  format?: string;
}

/** Checks the subcommand before anything touches Docker. */
export function imagesUsage(sub: string | undefined): KindlabError {
  return new KindlabError('USAGE', sub ? `unknown images command "${sub}"` : 'missing images command', { detail: USAGE });
}

export async function runImages(sub: string | undefined, values: ImagesValues): Promise<number> {
  if (sub !== 'build' && sub !== 'list' && sub !== 'ls') throw imagesUsage(sub);
  const runtime = new DockerRuntime();
  if (sub === 'build') {
    const log = values.quiet ? undefined : (l: string) => process.stderr.write(`  ${l}\n`);
    const r = await runtime.buildBaseImage({ force: values.force, log });
    process.stdout.write(`${BASE_IMAGE} → ${r.image} (${r.status}, ${r.seconds.toFixed(2)} s)\n`);
    return 0;
  }
  {
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
}
