/** NodeExec over the lab runtime: `docker exec` into the node's container (by plan, else by labels). */
import type { Runtime } from '../runtime/index.js';
import { LABEL_LAB, LABEL_NODE } from '../runtime/index.js';
import type { LabPlan } from '../topology/index.js';
import type { NodeExec } from './context.js';
import { KindlabError } from '../errors.js';

/** Commands are wrapped in `timeout` so a hung probe cannot keep an exec session open forever. */
export function dockerExec(runtime: Runtime, plan: LabPlan, capSeconds = 60): NodeExec {
  const names = new Map(plan.nodes.map((n) => [n.name, n.containerName]));
  return async (node, argv) => {
    let container = names.get(node);
    if (!container) {
      container = (await runtime.listContainers({ [LABEL_LAB]: plan.name, [LABEL_NODE]: node }))[0]?.name;
      if (!container) throw new KindlabError('NODE_NOT_FOUND', `node ${node} has no container in lab ${plan.name}`);
    }
    return runtime.exec(container, ['timeout', '-k', '2', String(capSeconds), ...argv], { check: false, target: node });
  };
}
