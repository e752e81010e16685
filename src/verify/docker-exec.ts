/** NodeExec over the lab runtime: `docker exec` into the node's container (by plan, else by labels). */
import type { Runtime } from '../runtime/index.js';
import { LABEL_LAB, LABEL_NODE } from '../runtime/index.js';
import type { LabPlan } from '../topology/index.js';
import type { NodeExec } from './context.js';
import { NodeShells } from './node-shell.js';
import { KindlabError } from '../errors.js';
import { verifyTrace } from './run.js';

/** KINDLAB_VERIFY_TRACE=2: each command's start and duration too. */
const TRACE_EXECS = process.env['KINDLAB_VERIFY_TRACE'] === '2';

/**
 * Commands are wrapped in `timeout` so a hung probe cannot keep an exec session open forever.
 * With `shells` (default) and a runtime that has interactive exec, commands run through
 * long-lived shells in the containers (node-shell.ts); `close()` ends them (idle ones never keep
 * the process alive).
 */
export function dockerExec(runtime: Runtime, plan: LabPlan, capSeconds = 60, opts: { shells?: boolean } = {}): NodeExec & { close(): void } {
  const names = new Map(plan.nodes.map((n) => [n.name, n.containerName]));
  const shells = opts.shells !== false && runtime.openExec && process.env['KINDLAB_VERIFY_SHELLS'] !== '0' ? new NodeShells((c, argv, on) => runtime.openExec!(c, argv, on)) : undefined;
  const exec: NodeExec = async (node, argv) => {
    let container = names.get(node);
    if (!container) {
      container = (await runtime.listContainers({ [LABEL_LAB]: plan.name, [LABEL_NODE]: node }))[0]?.name;
      if (!container) throw new KindlabError('NODE_NOT_FOUND', `node ${node} has no container in lab ${plan.name}`);
    }
    const wrapped = ['timeout', '-k', '2', String(capSeconds), ...argv];
    const t = performance.now();
    const r = (await shells?.run(container, wrapped)) ?? (await runtime.exec(container, wrapped, { check: false, target: node }));
    if (TRACE_EXECS) verifyTrace(`exec ${node} started ${(t / 1000).toFixed(3)} took ${(performance.now() - t).toFixed(0)} ms: ${argv.join(' ').slice(0, 60)}`);
    return r;
  };
  return Object.assign(exec, { close: () => shells?.close() });
}
