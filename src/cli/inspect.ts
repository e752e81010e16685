/** `lab inspect (-t FILE | --name LAB | --all) [--pods] [--format table|json]` */
import { KindlabError } from '../errors.js';
import { existsSync } from 'node:fs';
import { DockerRuntime, LABEL_LAB, LABEL_TOPO, findLabsEverywhere, formatTable, imageColumn, inspectLab, loadLabPlan, runtimeForLab, type InspectResult, type Runtime } from '../runtime/index.js';
import type { LabPlan } from '../topology/index.js';
import { labLoadOptions } from './load-options.js';
import { hostsFileOf, unreachableLine } from './hosts-file.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab inspect (-t FILE | --name LAB | --all) [--hosts FILE] [--pods] [--format table|json]';

export interface InspectValues extends TargetValues {
  all?: boolean;
  /** More engines to look on (a hosts: file or a hosts.json). */
  hosts?: string;
  /** Also list pods' containers (real-image pods run by the cluster's node daemons). */
  pods?: boolean;
  format: string;
}

export async function runInspect(values: InspectValues): Promise<number> {
  if (values.format !== 'table' && values.format !== 'json') throw new KindlabError('USAGE', `unknown format "${values.format}"`, { detail: USAGE });
  const runtime = new DockerRuntime();
  if (values.all) {
    if (values.topo || values.name) throw new KindlabError('USAGE', '--all takes no -t or --name', { detail: USAGE });
    // every engine this machine knows of: its own, each lab's hosts (hosts.json), the --hosts file's
    const found = await findLabsEverywhere({ local: runtime, hostsFile: await hostsFileOf(values.hosts) });
    const labs = await Promise.all(found.labs.map(({ lab, runtime: labRuntime }) => inspectLab(labRuntime, lab, undefined, { pods: !!values.pods })));
    for (const u of found.unreachable) process.stderr.write(`warning: ${unreachableLine(u)}\n`);
    if (values.format === 'json') {
      process.stdout.write(JSON.stringify(labs.map((r) => ({ lab: r.lab, nodes: r.nodes })), null, 2) + '\n');
      return 0;
    }
    process.stdout.write(labs.length === 0 ? 'no kindlab labs found\n' : allTable(labs) + '\n');
    return 0;
  }
  const target = await resolveLab(values, USAGE);
  // a lab over several engines (hosts:) is looked up on each of them
  const file = await hostsFileOf(values.hosts);
  const labRuntime = await runtimeForLab(target.name, { hosts: target.plan?.hosts ?? file?.hosts, labDir: target.plan?.labDir, local: runtime });
  const r = await inspectLab(labRuntime, target.name, target.plan ?? (await ownPlan(labRuntime, target.name)), { pods: !!values.pods });
  if (values.format === 'json') {
    process.stdout.write(JSON.stringify({ lab: r.lab, nodes: r.nodes }, null, 2) + '\n');
    return 0;
  }
  if (r.nodes.length === 0) {
    process.stdout.write(`lab ${r.lab}: no containers\n`);
    return 0;
  }
  const rows = [['NAME', 'CONTAINER', 'KIND', 'IMAGE', 'STATE', 'MGMT IPV4'], ...r.nodes.map((n) => [n.name, n.container, n.kind, imageColumn(n), n.state, n.mgmtIPv4 || '-'])];
  process.stdout.write(formatTable(rows) + '\n');
  const degraded = r.nodes.filter((n) => n.reasons?.length);
  for (const n of degraded) for (const why of n.reasons!) process.stdout.write(`${n.name}: ${why}\n`);
  if (degraded.length) process.stdout.write(`repair with: lab deploy -t ${values.topo ?? 'FILE'} (or lab node start NODE for a stopped one)\n`);
  return 0;
}

/** `--name LAB`: the plan of the topology file its containers name, when that file still loads (to tell degraded nodes). */
async function ownPlan(runtime: Runtime, lab: string): Promise<LabPlan | undefined> {
  const file = (await runtime.listContainers({ [LABEL_LAB]: lab })).map((c) => c.labels[LABEL_TOPO]).find(Boolean);
  if (!file || !existsSync(file)) return undefined;
  return loadLabPlan(file, labLoadOptions()).catch(() => undefined);
}

/** One table for every lab, with a LAB column first (as `containerlab inspect --all`). Pure. */
export function allTable(labs: InspectResult[]): string {
  const rows = [['LAB', 'NAME', 'CONTAINER', 'KIND', 'IMAGE', 'STATE', 'MGMT IPV4']];
  for (const r of labs) {
    if (r.nodes.length === 0) rows.push([r.lab, '-', '-', '-', '-', 'no containers', '-']);
    for (const n of r.nodes) rows.push([r.lab, n.name, n.container, n.kind, imageColumn(n), n.state, n.mgmtIPv4 || '-']);
  }
  return formatTable(rows);
}
