/**
 * `lab images build [--force]`         build (or find cached) the local base image
 * `lab images list`                    show the aliases and which local images exist
 * `lab images pull IMAGE...`           pull through the Docker engine (with the user's Docker credentials)
 * `lab images save -o FILE IMAGE...`   write images to a tar (to carry into a machine without a registry)
 * `lab images load FILE...`            load images from such a tar
 */
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/index.js';
import { BASE_IMAGE, DEFAULT_ALIASES } from '../runtime/index.js';

import { IMAGES_USAGE as USAGE } from './spec.js';

export interface ImagesValues {
  force?: boolean;
  quiet?: boolean;
  format?: string;
  output?: string;
}

/** Checks the subcommand before anything touches Docker. */
export function imagesUsage(sub: string | undefined): KindlabError {
  return new KindlabError('USAGE', sub ? `unknown images command "${sub}"` : 'missing images command', { detail: USAGE });
}

export async function runImages(sub: string | undefined, values: ImagesValues, positionals: string[] = []): Promise<number> {
  if (!['build', 'list', 'ls', 'pull', 'save', 'load'].includes(sub ?? '')) throw imagesUsage(sub);
  const runtime = new DockerRuntime();
  if (sub === 'build') {
    const log = values.quiet ? undefined : (l: string) => process.stderr.write(`  ${l}\n`);
    const r = await runtime.buildBaseImage({ force: values.force, log });
    process.stdout.write(`${BASE_IMAGE} → ${r.image} (${r.status}, ${r.seconds.toFixed(2)} s)\n`);
    return 0;
  }
  if (sub === 'list' || sub === 'ls') {
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
  if (sub === 'pull') {
    if (positionals.length === 0) throw new KindlabError('USAGE', 'lab images pull: name at least one image', { detail: USAGE });
    for (const ref of positionals) {
      await runtime.pullImage(ref, values.quiet ? undefined : (l) => process.stderr.write(`  ${l}\n`));
      process.stdout.write(`pulled ${ref}\n`);
    }
    return 0;
  }
  if (sub === 'save') {
    const output = values.output ?? '';
    if (output === '' || positionals.length === 0) throw new KindlabError('USAGE', 'lab images save: needs -o FILE.tar and at least one image', { detail: USAGE });
    const r = await runtime.saveImages(positionals, output);
    process.stdout.write(`saved ${positionals.join(', ')} to ${output} (${(r.bytes / 1e6).toFixed(1)} MB)\n`);
    return 0;
  }
  if (sub === 'load') {
    if (positionals.length === 0) throw new KindlabError('USAGE', 'lab images load: name at least one tar file', { detail: USAGE });
    for (const file of positionals) {
      const loaded = await runtime.loadImages(file);
      process.stdout.write(`loaded from ${file}: ${loaded.join(', ') || '(no tagged images)'}\n`);
    }
    return 0;
  }
  throw new KindlabError('USAGE', sub ? `unknown images command "${sub}"` : 'missing images command', { detail: USAGE });
}
