/**
 * `lab kubeconfig (-t FILE | --name LAB) [--cluster NAME] [--content]`: prints the path of the lab's
 * kubeconfig (`KUBECONFIG=$(lab kubeconfig -t topo.yaml) kubectl get nodes`), or with --content the file
 * itself (like `kind get kubeconfig`). With several clusters (k8s-kind nodes), --cluster picks one as
 * kind's --name does (kubectl's context name `kind-NAME` too); without it, the first, and stderr names
 * the others.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KindlabError } from '../errors.js';
import { clusterPlan, hostPaths, labClusterNames, matchClusterName } from '../cluster/lab/index.js';
import { DockerRuntime } from '../runtime/index.js';
import { LABEL_LAB, LABEL_LABDIR } from '../runtime/index.js';
import { resolveLab, type TargetValues } from './target.js';
import type { LabPlan } from '../topology/index.js';

const USAGE = 'usage: lab kubeconfig (-t FILE | --name LAB) [--cluster NAME] [--content]';
const exists = (p: string) => stat(p).then(() => true, () => false);

export interface LabKubeconfig {
  lab: string;
  file: string;
  /** The plan as the chosen cluster sees it (clusterPlan), when the topology was given. */
  plan?: LabPlan;
  /** The chosen cluster's name; undefined for a lab found by --name whose one cluster is unnamed on disk. */
  cluster?: string;
  /** Every cluster of the lab, first first. */
  clusters: string[];
}

/**
 * The clusters of a lab known only by its directory (--name): `<labDir>/kubeconfig` is a one-cluster
 * lab's; with several, each has `<labDir>/<cluster>/kubeconfig` beside its `cluster/` data directory
 * (a node directory has a kubeconfig but no `cluster/`).
 */
async function clustersOnDisk(labDir: string): Promise<string[]> {
  const dirs = await readdir(labDir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const d of dirs) if (d.isDirectory() && (await exists(join(labDir, d.name, 'kubeconfig'))) && (await exists(join(labDir, d.name, 'cluster')))) out.push(d.name);
  return out.sort();
}

/** The kubeconfig of the lab's cluster `values.cluster` (default: the first): from the plan's lab directory, or from the containers' labels. */
export async function labKubeconfig(values: { topo?: string; name?: string; cluster?: string }): Promise<LabKubeconfig> {
  const target = await resolveLab(values, USAGE);
  const hint = { hint: `deploy it: lab deploy -t ${target.plan?.file ?? 'FILE'}` };
  if (target.plan) {
    const clusters = labClusterNames(target.plan);
    if (clusters.length === 0) throw new KindlabError('USAGE', `lab ${target.name} has no cluster (its topology has no cluster: section or k8s-kind node)`);
    const plan = clusterPlan(target.plan, values.cluster);
    const file = hostPaths.kubeconfig(plan);
    if (!(await exists(file))) throw new KindlabError('LAB_NOT_FOUND', `lab ${target.name} has no kubeconfig yet (${file})`, hint);
    return { lab: target.name, file, plan, cluster: plan.cluster!.spec.name, clusters };
  }
  const containers = await new DockerRuntime().listContainers({ [LABEL_LAB]: target.name });
  const labDir = containers.map((c) => c.labels[LABEL_LABDIR]).find(Boolean);
  if (!labDir) throw new KindlabError('LAB_NOT_FOUND', `lab ${target.name} is not running`, { hint: 'deploy it: lab deploy -t FILE' });
  const clusters = await clustersOnDisk(labDir);
  if (clusters.length === 0) {
    const file = join(labDir, 'kubeconfig');
    if (!(await exists(file))) throw new KindlabError('LAB_NOT_FOUND', `lab ${target.name} has no kubeconfig yet (${file})`, hint);
    // one cluster: its name is the kubeconfig's kind-NAME context, which a --cluster must match
    if (values.cluster !== undefined) {
      const ctx = /current-context:\s*kind-(\S+)/.exec(await readFile(file, 'utf8'))?.[1];
      matchClusterName(target.name, ctx ? [ctx] : [], values.cluster);
    }
    return { lab: target.name, file, clusters: [] };
  }
  const cluster = values.cluster === undefined ? clusters[0]! : matchClusterName(target.name, clusters, values.cluster);
  return { lab: target.name, file: join(labDir, cluster, 'kubeconfig'), cluster, clusters };
}

export async function runKubeconfig(values: TargetValues & { content?: boolean; cluster?: string }): Promise<number> {
  const k = await labKubeconfig(values);
  if (values.cluster === undefined && k.clusters.length > 1) {
    process.stderr.write(`lab ${k.lab} has ${k.clusters.length} clusters (${k.clusters.join(', ')}); this is ${k.cluster}'s: choose with --cluster NAME\n`);
  }
  process.stdout.write(values.content ? await readFile(k.file, 'utf8') : `${k.file}\n`);
  return 0;
}
