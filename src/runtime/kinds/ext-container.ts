/**
 * `ext-container`: a container that already runs (started by someone else). kindlab neither
 * creates nor removes it; links attach to its netns and `exec:` lines run in it.
 */
import { KindlabError } from '../../errors.js';
import type { NodeKind } from './types.js';

export const extContainerKind: NodeKind = {
  name: 'ext-container',
  async afterCreate(node, ctx) {
    const c = await ctx.runtime.inspectContainer(node.containerName);
    if (!c || c.state !== 'running') {
      throw new KindlabError('NODE_NOT_FOUND', `ext-container ${node.name}: container ${node.containerName} is ${c ? c.state : 'missing'}`, {
        hint: 'start that container before deploying the lab',
      });
    }
  },
};
