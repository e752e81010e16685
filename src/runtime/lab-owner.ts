/**
 * Which topology file owns a lab: the `kindlab.topo` label of its containers, or (when none is
 * left but its directory is) the recorded lab. A command given another file with the same lab
 * name is refused unless forced, so one file cannot redeploy or destroy another file's lab.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { KindlabError } from '../errors.js';
import type { Runtime } from './docker.js';
import { LABEL_LAB, LABEL_TOPO } from './labels.js';
import { readLabRecord } from './lab-registry.js';

export async function labOwner(runtime: Runtime, lab: string): Promise<string | undefined> {
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  const fromLabel = containers.map((c) => c.labels[LABEL_TOPO]).find(Boolean);
  if (fromLabel) return fromLabel;
  const rec = await readLabRecord(lab);
  if (rec && (await stat(rec.labDir).then(() => true, () => false))) return rec.file;
  return undefined;
}

/** Throws LAB_OWNER when the lab belongs to another topology file. */
export async function assertLabOwner(runtime: Runtime, lab: string, file: string, action: 'deploy' | 'destroy'): Promise<void> {
  const owner = await labOwner(runtime, lab);
  if (!owner || resolve(owner) === resolve(file)) return;
  throw new KindlabError('LAB_OWNER', `lab ${lab} belongs to another topology file: ${owner} (not ${file}); refusing to ${action} it`, {
    hint: `use that file (lab ${action} -t ${owner}), rename the lab in ${file}, or add --force to ${action} it anyway`,
  });
}
