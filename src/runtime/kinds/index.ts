/**
 * The node kind registry: one implementation per kind declared in topology/node-kinds.ts (the
 * facts table), keyed by its name. Registering a name twice, or a name the table does not
 * declare, is an error.
 */
import { KindlabError } from '../../errors.js';
import { NODE_KINDS, isNodeKindName, nodeKindFacts, type NodeKindFacts, type NodeKindName } from '../../topology/index.js';
import { bridgeKind } from './bridge.js';
import { extContainerKind } from './ext-container.js';
import { frrKind } from './frr.js';
import { k8sNodeKind } from './k8s-node.js';
import { linuxKind } from './linux.js';
import type { NodeKind } from './types.js';

export type { NodeKind, KindContext } from './types.js';

const registry = new Map<NodeKindName, NodeKind>();

export function registerKind(kind: NodeKind): void {
  if (!isNodeKindName(kind.name)) {
    throw new KindlabError('INTERNAL', `node kind "${kind.name}" is not declared in topology/node-kinds.ts`, { hint: `declared kinds: ${NODE_KINDS.join(', ')}` });
  }
  if (registry.has(kind.name)) throw new KindlabError('INTERNAL', `node kind "${kind.name}" is registered twice`);
  registry.set(kind.name, kind);
}

for (const k of [linuxKind, frrKind, bridgeKind, extContainerKind, k8sNodeKind]) registerKind(k);

export function getKind(name: string): NodeKind {
  const k = isNodeKindName(name) ? registry.get(name) : undefined;
  if (!k) {
    throw new KindlabError('TOPO_REF', `unknown node kind "${name}"`, { hint: `known kinds: ${[...registry.keys()].join(', ')}` });
  }
  return k;
}

/** The facts of a registered kind (managed, needs an image, how it starts). */
export function kindFacts(name: string): NodeKindFacts {
  getKind(name);
  return nodeKindFacts(name)!;
}
