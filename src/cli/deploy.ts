/**
 * `lab deploy -t FILE [--reconfigure] [--retain] [--force] [--max-workers N]`
 * `lab redeploy -t FILE [--cleanup] ...`: destroy (from the labels, as `lab destroy`) then deploy.
 */
import { labLoadOptions } from './load-options.js';
import { KindlabError } from '../errors.js';
import { deploy, DockerRuntime, loadLabPlan, planOnFreeSubnet, readLabState, substitutionLine, type DeployOptions, type StepTiming } from '../runtime/index.js';
import { embeddedCluster } from '../cluster/lab/index.js';
import type { LabPlan } from '../topology/index.js';
import { formatError } from './output.js';

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

const REDEPLOY_USAGE = 'usage: lab redeploy -t FILE [--cleanup] [--max-workers N] [--renderer default|simple|verbose|silent] [-v]';
const USAGE = 'usage: lab deploy -t FILE [--reconfigure] [--retain] [--force] [--max-workers N] [--offline] [--renderer default|simple|verbose|silent] [-v]';

export interface DeployValues {
  topo?: string;
  timings?: boolean;
  reconfigure?: boolean;
  retain?: boolean;
  force?: boolean;
  'max-workers'?: string;
  renderer?: string;
  verbose?: boolean;
  offline?: boolean;
}

export async function runDeploy(values: DeployValues): Promise<number> {
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { detail: USAGE });
  const opts = deployOptions(values);
  // Load and validate before anything exists: a bad topology creates nothing.
  return deployPlan(await loadLabPlan(values.topo, labLoadOptions()), opts, values.timings);
}

export async function runRedeploy(values: DeployValues & { cleanup?: boolean }): Promise<number> {
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { detail: REDEPLOY_USAGE });
  const opts = deployOptions({ ...values, reconfigure: false });
  // A topology that does not load stops here, before the running lab is touched.
  const plan = await loadLabPlan(values.topo, labLoadOptions());
  const [{ DockerRuntime, destroyLabLocked }, { report }] = await Promise.all([import('../runtime/index.js'), import('./destroy.js')]);
  process.stdout.write(report(await destroyLabLocked(new DockerRuntime(), plan.name, { cleanup: values.cleanup, labDir: plan.labDir, onWait: (m) => process.stderr.write(`${m}\n`) })));
  return deployPlan(plan, opts, values.timings);
}

function deployOptions(values: DeployValues): DeployOptions {
  const workers = values['max-workers'] ? Number(values['max-workers']) : undefined;
  if (workers !== undefined && !(Number.isInteger(workers) && workers > 0)) {
    throw new KindlabError('USAGE', `--max-workers must be a positive integer, not ${values['max-workers']}`);
  }
  const renderer = values.renderer as 'default' | 'simple' | 'verbose' | 'silent' | undefined;
  return { reconfigure: values.reconfigure, retain: values.retain, force: values.force, concurrency: workers, renderer: renderer ?? (values.verbose ? 'verbose' : undefined), offline: values.offline };
}

/** `--timings`: each step's wall time and share of the whole, slowest marked. */
export function formatTimings(timings: StepTiming[]): string {
  const total = timings.reduce((a, t) => a + t.ms, 0);
  const slowest = Math.max(...timings.map((t) => t.ms));
  const width = Math.max(4, ...timings.map((t) => t.step.length));
  const rows = timings.map((t) => `  ${t.step.padEnd(width)}  ${(t.ms / 1000).toFixed(2).padStart(7)} s  ${total ? ((100 * t.ms) / total).toFixed(0).padStart(3) : '  0'} %${t.ms === slowest && timings.length > 1 ? '  ← slowest' : ''}`);
  return `deploy steps (wall time):\n${rows.join('\n')}\n  ${'total'.padEnd(width)}  ${(total / 1000).toFixed(2).padStart(7)} s\n`;
}

async function deployPlan(planned: LabPlan, opts: DeployOptions, timings = false): Promise<number> {
  const started = Date.now();
  const plan = await planOnFreeSubnet(new DockerRuntime(), planned, (m) => process.stderr.write(`${m}\n`), labLoadOptions());
  // Ctrl-C / SIGTERM: stop, remove what was created, exit 130 / 143; a second signal stops at once
  const ac = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    const code = sig === 'SIGINT' ? 130 : 143;
    if (signalled) {
      process.stderr.write(`\n${sig} again: stopping now; the lab is left half-built. Deploy again (lab deploy -t ${plan.file}) to redo it, or remove it: lab destroy --name ${plan.name}\n`);
      process.exit(code);
    }
    signalled = sig;
    process.stderr.write(`\n${sig}: stopping the deploy of lab ${plan.name} and removing what it created (send it again to stop at once)\n`);
    ac.abort(sig === 'SIGINT' ? 'interrupted (SIGINT)' : 'terminated (SIGTERM)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await deploy({ plan }, { ...opts, clusterProvider: embeddedCluster, onNotice: (m) => process.stderr.write(`${m}\n`), signal: ac.signal });
    process.stdout.write(`${r.message}${r.status === 'deployed' ? ` in ${((Date.now() - started) / 1000).toFixed(1)} s` : ''}\n`);
    for (const n of r.notes ?? []) process.stdout.write(`  ${n}\n`);
    if (r.status === 'deployed') {
      if (timings) process.stdout.write(formatTimings(r.timings));
      process.stdout.write(`lab directory: ${r.plan.labDir}\n`);
      for (const line of await substitutionLines(r.plan.labDir)) process.stdout.write(`${line}\n`);
    }
    return 0;
  } catch (e) {
    if (!signalled) throw e;
    const err = e instanceof KindlabError ? e : new KindlabError('DEPLOY_INTERRUPTED', `lab ${plan.name}: deploy ${String(ac.signal.reason)} before it started; nothing was created`);
    process.stderr.write(formatError(err, opts.renderer === 'verbose'));
    return signalled === 'SIGINT' ? 130 : 143;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
