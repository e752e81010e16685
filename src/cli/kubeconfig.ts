/**
 * `lab kubeconfig (-t FILE | --name LAB) [--content]`: prints the path of the lab's kubeconfig
 * (`KUBECONFIG=$(lab kubeconfig -t topo.yaml) kubectl get nodes`), or with --content the file itself
 * (like `kind get kubeconfig`).
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/index.js';
import { LABEL_LAB, LABEL_LABDIR } from '../runtime/index.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab kubeconfig (-t FILE | --name LAB) [--content]';

/** The lab's kubeconfig file: from the plan's lab directory, or from the containers' labels. */
export async function labKubeconfig(values: { topo?: string; name?: string }): Promise<{ lab: string; file: string }> {
  const target = await resolveLab(values, USAGE);
  let labDir = target.plan?.labDir;
  if (!labDir) {
    const containers = await new DockerRuntime().listContainers({ [LABEL_LAB]: target.name });
    labDir = containers.map((c) => c.labels[LABEL_LABDIR]).find(Boolean);
    if (!labDir) throw new KindlabError('LAB_NOT_FOUND', `lab ${target.name} is not running`, { hint: 'deploy it: lab deploy -t FILE' });
  }
  if (target.plan && !target.plan.cluster) throw new KindlabError('USAGE', `lab ${target.name} has no cluster (its topology has no cluster: section)`);
  const file = join(labDir, 'kubeconfig');
  if (!(await stat(file).then(() => true, () => false))) {
    throw new KindlabError('LAB_NOT_FOUND', `lab ${target.name} has no kubeconfig yet (${file})`, { hint: `deploy it: lab deploy -t ${target.plan?.file ?? 'FILE'}` });
  }
  return { lab: target.name, file };
}

export async function runKubeconfig(values: TargetValues & { content?: boolean }): Promise<number> {
  const { file } = await labKubeconfig(values);
  process.stdout.write(values.content ? await readFile(file, 'utf8') : `${file}\n`);
  return 0;
}
