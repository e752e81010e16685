/** The host's kubectl pointed at the lab's kubeconfig (lab-<name>/kubeconfig), for `stages:` steps. */
import { dirname } from 'node:path';
import { execa } from 'execa';
import { hostPaths } from '../cluster/lab/index.js';
import type { LabPlan } from '../topology/index.js';
import type { Kubectl } from './stages-run.js';
import { KindlabError } from '../errors.js';

export function labKubeconfig(plan: LabPlan): string {
  return hostPaths.kubeconfig(plan);
}

export function labKubectl(plan: LabPlan, timeoutMs = 60_000): Kubectl {
  return async (args, input) => {
    const r = await execa('kubectl', ['--kubeconfig', labKubeconfig(plan), ...args], { reject: false, cwd: dirname(plan.file), timeout: timeoutMs, ...(input !== undefined ? { input } : { stdin: 'ignore' as const }) });
    if (r.failed && r.exitCode === undefined) throw new KindlabError('VERIFY', r.shortMessage ?? '');
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
}
