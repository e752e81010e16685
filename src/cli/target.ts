/** Finds the lab a command is about: from `-t FILE` (the topology) or `--name LAB` (labels only). */
import { labLoadOptions } from './load-options.js';
import { KindlabError } from '../errors.js';
import { loadLabPlan } from '../runtime/index.js';
import type { LabPlan } from '../topology/index.js';

export interface LabTarget {
  name: string;
  plan?: LabPlan;
}

export async function resolveLab(values: { topo?: string; name?: string }, usage: string): Promise<LabTarget> {
  if (values.topo) {
    const plan = await loadLabPlan(values.topo, labLoadOptions());
    return { name: plan.name, plan };
  }
  if (values.name) return { name: values.name };
  throw new KindlabError('USAGE', 'give the lab with -t FILE or --name LAB', { detail: usage });
}

/** `-t FILE` or `--name LAB` (and `-v`), as parsed by lab.ts. */
export interface TargetValues {
  topo?: string;
  name?: string;
  verbose?: boolean;
}
