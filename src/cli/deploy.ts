/** `lab deploy -t FILE [--reconfigure] [--retain] [--max-workers N]` */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { deploy } from '../runtime/deploy.js';
import { loadPlan } from '../topology/index.js';

const USAGE = 'usage: lab deploy -t FILE [--reconfigure] [--retain] [--max-workers N] [--renderer default|simple|verbose|silent] [-v]';

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
  const r = await deploy({ plan }, { reconfigure: values.reconfigure, retain: values.retain, concurrency: workers, renderer: renderer ?? (values.verbose ? 'verbose' : undefined), onNotice: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`${r.message}${r.status === 'deployed' ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}\n`);
  if (r.status === 'deployed') process.stdout.write(`lab directory: ${r.plan.labDir}\n`);
  return 0;
}
