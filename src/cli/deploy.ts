/** `lab deploy -t FILE [--reconfigure] [--retain] [--force] [--max-workers N]` */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { deploy } from '../runtime/deploy.js';
import { loadPlan } from '../topology/index.js';
import { formatError } from './output.js';

const USAGE = 'usage: lab deploy -t FILE [--reconfigure] [--retain] [--force] [--max-workers N] [--renderer default|simple|verbose|silent] [-v]';

export async function runDeploy(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      topo: { type: 'string', short: 't' },
      reconfigure: { type: 'boolean', short: 'c' },
      retain: { type: 'boolean' },
      force: { type: 'boolean' },
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
  // Ctrl-C / SIGTERM: stop, remove what was created, exit 130 / 143; a second signal stops at once
  const ac = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    const code = sig === 'SIGINT' ? 130 : 143;
    if (signalled) {
      process.stderr.write(`\n${sig} again: stopping now; the lab is left half-built. Deploy again (lab deploy -t ${values.topo}) to redo it, or remove it: lab destroy --name ${plan.name}\n`);
      process.exit(code);
    }
    signalled = sig;
    process.stderr.write(`\n${sig}: stopping the deploy of lab ${plan.name} and removing what it created (send it again to stop at once)\n`);
    ac.abort(sig === 'SIGINT' ? 'interrupted (SIGINT)' : 'terminated (SIGTERM)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await deploy({ plan }, {
      reconfigure: values.reconfigure,
      retain: values.retain,
      force: values.force,
      concurrency: workers,
      renderer: renderer ?? (values.verbose ? 'verbose' : undefined),
      onNotice: (m) => process.stderr.write(`${m}\n`),
      signal: ac.signal,
    });
    process.stdout.write(`${r.message}${r.status === 'deployed' ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}\n`);
    if (r.status === 'deployed') process.stdout.write(`lab directory: ${r.plan.labDir}\n`);
    return 0;
  } catch (e) {
    if (!signalled) throw e;
    const err = e instanceof KindlabError ? e : new KindlabError('DEPLOY_INTERRUPTED', `lab ${plan.name}: deploy ${String(ac.signal.reason)} before it started; nothing was created`);
    process.stderr.write(formatError(err, !!values.verbose));
    return signalled === 'SIGINT' ? 130 : 143;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
