/** `lab export logs [DIR] (-t FILE | --name LAB)`: the lab's logs and state for CI artifacts. */
import { resolve } from 'node:path';
import { KindlabError } from '../errors.js';
import { DockerRuntime, exportLabLogs } from '../runtime/index.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab export logs [DIR] (-t FILE | --name LAB)';

export async function runExport(what: string | undefined, values: TargetValues, positionals: string[]): Promise<number> {
  if (what !== 'logs') throw new KindlabError('USAGE', what ? `unknown export "${what}" (logs)` : 'lab export needs what to export: logs', { detail: USAGE });
  const target = await resolveLab(values, USAGE);
  const dir = resolve(positionals.find((p) => p !== 'logs') ?? `${target.name}-logs`);
  const r = await exportLabLogs(new DockerRuntime(), target.name, dir, target.plan?.labDir);
  for (const s of r.skipped) process.stderr.write(`${s}\n`);
  process.stdout.write(`lab ${target.name}: ${r.files.length} files written to ${r.dir}\n`);
  return 0;
}
