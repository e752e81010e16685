/**
 * `host`: the machine kindlab runs on, as containerlab's host kind. Nothing is created or removed:
 * links to the node end in the host's network namespace (its netns pid is 0, see the kind context)
 * and its `exec:` lines run on the host (deploy-steps). Nothing else of the host is touched.
 */
import type { NodeKind } from './types.js';

export const hostKind: NodeKind = {
  name: 'host',
};
