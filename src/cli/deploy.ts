/** `lab deploy -t FILE [--reconfigure] [--retain] [--max-workers N]` */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { deploy, readLabState, substitutionLine } from '../runtime/index.js';
import { loadPlan } from '../topology/index.js';

/** `image frrouting/frr:v8.2.2 → kindlab/base (FRR 8.4.4) on r1, r2: reason`, one line per substitution. */
async function substitutionLines(labDir: string): Promise<string[]> {
  const state = await readLabState(labDir);
  const byLine = new Map<string, string[]>();
  for (const n of state?.nodes ?? []) {
    if (!n.imageSubstitute) continue;
    const key = `${substitutionLine(n.imageSubstitute)}\u0000${n.imageSubstitute.reason}`;
    byLine.set(key, [...(byLine.get(key) ?? []), n.name]);
  }
  return [...byLine].map(([key, nodes]) => {
    const [line, reason] = key.split('\u0000');
    return `image ${line} on ${nodes.join(', ')}: ${reason}`;
  });
}

const USAGE = 'usage: lab deploy -t FILE [--reconfigure] [--retain] [--max-workers N] [--offline] [--renderer default|simple|verbose|silent] [-v]';

export async function runDeploy(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      topo: { type: 'string', short: 't' },
      reconfigure: { type: 'boolean', short: 'c' },
      retain: { type: 'boolean' },
      'max-workers': { type: 'string' },
      renderer: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      offline: { type: 'boolean' },
    },
  });
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { detail: USAGE });
  const workers = values['max-workers'] ? Number(values['max-workers']) : undefined;
  if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) {
    throw new KindlabError('USAGE', `--max-workers must be a positive integer, not ${values['max-workers']}`);
  }
  const renderer = values.renderer as 'default' | 'simple' | 'verbose' | 'silent' | undefined;
  const started = Date.now();
  // Load and validate before anything exists: a bad topology creates nothing.
  const plan = await loadPlan(values.topo);
  const r = await deploy({ plan }, { reconfigure: values.reconfigure, retain: values.retain, concurrency: workers, renderer: renderer ?? (values.verbose ? 'verbose' : undefined), offline: values.offline });
  process.stdout.write(`${r.message}${r.status === 'deployed' ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}\n`);
  if (r.status === 'deployed') {
    process.stdout.write(`lab directory: ${r.plan.labDir}\n`);
    for (const line of await substitutionLines(r.plan.labDir)) process.stdout.write(`${line}\n`);
  }
  return 0;
}
