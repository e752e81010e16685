/**
 * `lab images build [--force]`         build (or find cached) the local base image
 * `lab images list`                    show the aliases and which local images exist
 * `lab images pull IMAGE...`           pull through the Docker engine (with the user's Docker credentials)
 * `lab images save -o FILE IMAGE...`   write images to a tar (to carry into a machine without a registry)
 * `lab images load FILE...`            load images from such a tar
 */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/index.js';
import { BASE_IMAGE, DEFAULT_ALIASES } from '../runtime/index.js';

const USAGE = `usage: lab images build [--force] [--quiet]
       lab images list [--format json]
       lab images pull IMAGE...
       lab images save -o FILE.tar IMAGE...
       lab images load FILE.tar...
example: lab images save -o labs.tar frrouting/frr:v8.2.2 nicolaka/netshoot:latest   (then on the other machine: lab images load labs.tar)`;

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
  if (sub === 'pull') {
    const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { quiet: { type: 'boolean', short: 'q' } } });
    if (positionals.length === 0) throw new KindlabError('USAGE', 'lab images pull: name at least one image', { detail: USAGE });
    for (const ref of positionals) {
      await runtime.pullImage(ref, values.quiet ? undefined : (l) => process.stderr.write(`  ${l}\n`));
      process.stdout.write(`pulled ${ref}\n`);
    }
    return 0;
  }
  if (sub === 'save') {
    const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
    if (!values.output || positionals.length === 0) throw new KindlabError('USAGE', 'lab images save: needs -o FILE.tar and at least one image', { detail: USAGE });
    const r = await runtime.saveImages(positionals, values.output);
    process.stdout.write(`saved ${positionals.join(', ')} to ${values.output} (${(r.bytes / 1e6).toFixed(1)} MB)\n`);
    return 0;
  }
  if (sub === 'load') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
    if (positionals.length === 0) throw new KindlabError('USAGE', 'lab images load: name at least one tar file', { detail: USAGE });
    for (const file of positionals) {
      const loaded = await runtime.loadImages(file);
      process.stdout.write(`loaded from ${file}: ${loaded.join(', ') || '(no tagged images)'}\n`);
    }
    return 0;
  }
  throw new KindlabError('USAGE', sub ? `unknown images command "${sub}"` : 'missing images command', { detail: USAGE });
}
