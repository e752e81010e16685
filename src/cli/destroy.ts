/** `lab destroy (-t FILE | --name LAB | --all) [--cleanup]` — works from Docker labels alone. */
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/index.js';
import { type DestroyResult, destroyLabLocked, isEmptyResult } from '../runtime/index.js';
import { assertLabOwner } from '../runtime/index.js';
import { runtimeForLab, withLabLock } from '../runtime/index.js';
import { findLabsEverywhere } from '../runtime/index.js';
import { hostsFileOf, unreachableLine } from './hosts-file.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab destroy (-t FILE | --name LAB | --all) [--hosts FILE] [--cleanup] [--force] [-v]';

/** What `lab destroy` prints for one lab. */
export function report(r: DestroyResult): string {
  if (isEmptyResult(r)) return `lab ${r.lab}: nothing to remove\n`;
  const parts = [`lab ${r.lab} destroyed:`];
  if (r.containers.length) parts.push(`  containers: ${r.containers.join(', ')}`);
  if (r.networks.length) parts.push(`  networks:   ${r.networks.join(', ')}`);
  if (r.links.length) parts.push(`  interfaces: ${r.links.join(', ')}`);
  if (r.netns.length) parts.push(`  netns:      ${r.netns.join(', ')}`);
  if (r.labDir) parts.push(`  lab dir:    ${r.labDir}`);
  if (r.labDirCopies?.length) parts.push(`  lab dir copies: ${r.labDirCopies.join(', ')}`);
  for (const n of r.notRemoved ?? []) parts.push(`  NOT REMOVED: ${n.reason}\n    to clear it: ${n.hint}`);
  for (const u of r.unreachable ?? []) parts.push(`  NOT REMOVED: host ${u.host} is unreachable (${u.reason}); run this again once it is back`);
  return parts.join('\n') + '\n';
}

export interface DestroyValues extends TargetValues {
  all?: boolean;
  /** More engines to look on (a hosts: file or a hosts.json). */
  hosts?: string;
  cleanup?: boolean;
  force?: boolean;
}

const notice = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

export async function runDestroy(values: DestroyValues): Promise<number> {
  const runtime = new DockerRuntime();
  if (values.all) {
    if (values.topo || values.name) throw new KindlabError('USAGE', '--all takes no -t or --name', { detail: USAGE });
    // every engine this machine knows of: its own, each lab's hosts (hosts.json), the --hosts file's
    const found = await findLabsEverywhere({ local: runtime, hostsFile: await hostsFileOf(values.hosts) });
    if (found.labs.length === 0 && found.unreachable.length === 0) process.stdout.write('no kindlab labs found\n');
    let failed = false;
    for (const { lab, runtime: labRuntime } of found.labs) {
      const r = await destroyLabLocked(labRuntime, lab, { cleanup: values.cleanup, onWait: notice });
      failed ||= !!(r.unreachable?.length || r.notRemoved?.length);
      process.stdout.write(report(r));
    }
    for (const u of found.unreachable) process.stdout.write(`${unreachableLine(u)}\n`);
    return failed || found.unreachable.length > 0 ? 1 : 0;
  }
  const target = await resolveLab(values, USAGE);
  const file = await hostsFileOf(values.hosts);
  const labRuntime = await runtimeForLab(target.name, { hosts: target.plan?.hosts ?? file?.hosts, labDir: target.plan?.labDir, local: runtime });
  if (target.plan && !values.force) await withLabLock(target.name, () => assertLabOwner(labRuntime, target.name, target.plan!.file, 'destroy'));
  const r = await destroyLabLocked(labRuntime, target.name, { cleanup: values.cleanup, labDir: target.plan?.labDir, onWait: notice });
  process.stdout.write(report(r));
  return r.unreachable?.length || r.notRemoved?.length ? 1 : 0;
}
