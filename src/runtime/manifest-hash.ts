/**
 * Content hashes of the files a plan names whose contents `lab apply` compares with the ones the
 * running lab was made with: the cluster's manifest entries (a file's bytes, or a directory's
 * YAML/JSON files, the ones the manifest step reads, with their names) and each node's
 * startup-config. A missing file hashes as such, so its return shows too.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabPlan } from '../topology/index.js';
import type { FileHashes, ManifestHashes } from './plan-diff.js';

async function entryHash(path: string): Promise<string> {
  const h = createHash('sha256');
  const st = await stat(path).catch(() => undefined);
  if (!st) return 'missing';
  const files = st.isDirectory() ? (await readdir(path)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(path, f)) : [path];
  for (const f of files) {
    h.update(`${f}\0`);
    h.update(await readFile(f));
    h.update('\0');
  }
  return h.digest('hex');
}

/** Hashes of the plan's manifest entries by path; undefined for a lab without a cluster section. */
export async function manifestHashes(plan: Pick<LabPlan, 'cluster'>): Promise<ManifestHashes | undefined> {
  if (!plan.cluster) return undefined;
  const out: ManifestHashes = {};
  for (const m of plan.cluster.manifests) out[m.path] = await entryHash(m.path);
  return out;
}

/** The manifests' hashes and each node's startup-config hash (by container). */
export async function fileHashes(plan: Pick<LabPlan, 'cluster' | 'nodes'>): Promise<FileHashes> {
  const manifests = await manifestHashes(plan);
  const startupConfigs: Record<string, string> = {};
  for (const n of plan.nodes) if (n.startupConfig) startupConfigs[n.containerName] = await entryHash(n.startupConfig);
  return { ...(manifests ? { manifests } : {}), startupConfigs };
}
