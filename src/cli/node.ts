/** `lab node stop|start|restart NAME -t FILE`: one node's container, its links and exec lines (runtime/node-lifecycle.ts). */
import { labLoadOptions } from './load-options.js';
import { KindlabError } from '../errors.js';
import { loadLabPlan, nodeLifecycle, type NodeAction } from '../runtime/index.js';
import { embeddedCluster } from '../cluster/lab/index.js';

const USAGE = 'usage: lab node stop|start|restart NAME -t FILE';

export async function runNode(sub: string | undefined, values: { topo?: string }, positionals: string[]): Promise<number> {
  if (sub !== 'stop' && sub !== 'start' && sub !== 'restart') throw new KindlabError('USAGE', `node: expected stop, start or restart${sub ? `, got "${sub}"` : ''}`, { detail: USAGE });
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { detail: USAGE });
  const name = positionals.find((p) => p !== sub);
  const plan = await loadLabPlan(values.topo, labLoadOptions());
  if (!name) throw new KindlabError('USAGE', `node ${sub}: name the node`, { detail: USAGE, hint: `nodes: ${plan.nodes.map((n) => n.name).join(', ')}` });
  const r = await nodeLifecycle(plan, name, sub as NodeAction, { clusterProvider: embeddedCluster, onNotice: (m) => process.stderr.write(`${m}\n`) });
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stdout.write(`${r.message}\n`);
  return 0;
}
