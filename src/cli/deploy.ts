/**
 * `lab deploy -t FILE [--reconfigure] [--retain] [--max-workers N]`
 * `lab redeploy -t FILE [--cleanup] ...`: destroy (from the labels, as `lab destroy`) then deploy.
 */
import { KindlabError } from '../errors.js';
import { deploy, type DeployOptions } from '../runtime/index.js';
import { loadPlan } from '../topology/index.js';
import type { LabPlan } from '../topology/index.js';

const REDEPLOY_USAGE = 'usage: lab redeploy -t FILE [--cleanup] [--max-workers N] [--renderer default|simple|verbose|silent] [-v]';
const USAGE = 'usage: lab deploy -t FILE [--reconfigure] [--retain] [--max-workers N] [--renderer default|simple|verbose|silent] [-v]';

export interface DeployValues {
  topo?: string;
  reconfigure?: boolean;
  retain?: boolean;
  'max-workers'?: string;
  renderer?: string;
  verbose?: boolean;
}

export async function runDeploy(values: DeployValues): Promise<number> {
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { detail: USAGE });
  const opts = deployOptions(values);
  // Load and validate before anything exists: a bad topology creates nothing.
  return deployPlan(await loadPlan(values.topo), opts);
}

export async function runRedeploy(values: DeployValues & { cleanup?: boolean }): Promise<number> {
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { detail: REDEPLOY_USAGE });
  const opts = deployOptions({ ...values, reconfigure: false });
  // A topology that does not load stops here, before the running lab is touched.
  const plan = await loadPlan(values.topo);
  const [{ DockerRuntime, destroyLab }, { report }] = await Promise.all([import('../runtime/index.js'), import('./destroy.js')]);
  process.stdout.write(report(await destroyLab(new DockerRuntime(), plan.name, { cleanup: values.cleanup, labDir: plan.labDir })));
  return deployPlan(plan, opts);
}

function deployOptions(values: DeployValues): DeployOptions {
  const workers = values['max-workers'] ? Number(values['max-workers']) : undefined;
  if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) {
    throw new KindlabError('USAGE', `--max-workers must be a positive integer, not ${values['max-workers']}`);
  }
  const renderer = values.renderer as 'default' | 'simple' | 'verbose' | 'silent' | undefined;
  return { reconfigure: values.reconfigure, retain: values.retain, concurrency: workers, renderer: renderer ?? (values.verbose ? 'verbose' : undefined) };
}

async function deployPlan(plan: LabPlan, opts: DeployOptions): Promise<number> {
  const started = Date.now();
  const r = await deploy({ plan }, opts);
  process.stdout.write(`${r.message}${r.status === 'deployed' ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}\n`);
  if (r.status === 'deployed') process.stdout.write(`lab directory: ${r.plan.labDir}\n`);
  return 0;
}
