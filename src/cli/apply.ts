/** `lab apply -t FILE [--dry-run] [--force]`: the running lab changed in place (runtime/apply.ts). */
import { labLoadOptions } from './load-options.js';
import { KindlabError } from '../errors.js';
import { applyLab, loadLabPlan } from '../runtime/index.js';
import { embeddedCluster } from '../cluster/lab/index.js';

const USAGE = 'usage: lab apply -t FILE [--dry-run] [--force]';

export interface ApplyValues {
  topo?: string;
  'dry-run'?: boolean;
  force?: boolean;
}

export async function runApply(values: ApplyValues): Promise<number> {
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { detail: USAGE });
  // a topology that does not load stops here, before the running lab is touched
  const plan = await loadLabPlan(values.topo, labLoadOptions());
  const r = await applyLab({ plan }, { dryRun: values['dry-run'], force: values.force, clusterProvider: embeddedCluster, onNotice: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(r.text);
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  if (r.status === 'applied') process.stdout.write(`lab ${plan.name} changed in place; the other containers were not touched\n`);
  if (r.status === 'planned') process.stdout.write(`(--dry-run: nothing changed; run without --dry-run to apply)\n`);
  return 0;
}
