/**
 * The node kind registry: one implementation per kind declared in topology/node-kinds.ts (the
 * facts table), keyed by its name. Registering a name twice, or a name the table does not
 * declare, is an error. Kinds the table says a cluster starts (`k8s-node`) are not here: the
 * lab's cluster provider implements them (runtime/cluster-provider.ts).
 */
import { KindlabError } from '../../errors.js';
import { NODE_KINDS, isNodeKindName, nodeKindFacts, type NodeKindFacts, type NodeKindName } from '../../topology/index.js';
import { bridgeKind } from './bridge.js';
import { extContainerKind } from './ext-container.js';
import { frrKind } from './frr.js';
import { hostKind } from './host.js';
import { linuxKind } from './linux.js';
import type { NodeKind } from './types.js';

export type { NodeKind, KindContext } from './types.js';

const registry = new Map<NodeKindName, NodeKind>();

export function registerKind(kind: NodeKind): void {
  if (!isNodeKindName(kind.name)) {
    throw new KindlabError('INTERNAL', `node kind "${kind.name}" is not declared in topology/node-kinds.ts`, { hint: `declared kinds: ${NODE_KINDS.join(', ')}` });
  }
  if (nodeKindFacts(kind.name)!.start === 'cluster') throw new KindlabError('INTERNAL', `node kind "${kind.name}" is implemented by the lab's cluster provider, not registered`);
  if (registry.has(kind.name)) throw new KindlabError('INTERNAL', `node kind "${kind.name}" is registered twice`);
  registry.set(kind.name, kind);
}

for (const k of [linuxKind, frrKind, bridgeKind, extContainerKind, hostKind]) registerKind(k);

export function getKind(name: string): NodeKind {
  const k = isNodeKindName(name) ? registry.get(name) : undefined;
  if (!k && nodeKindFacts(name)?.start === 'cluster') throw new KindlabError('INTERNAL', `node kind "${name}" is implemented by the lab's cluster provider`);
  if (!k) {
    throw new KindlabError('TOPO_REF', `unknown node kind "${name}"`, { hint: `known kinds: ${[...registry.keys()].join(', ')}` });
  }
  return k;
}

/** The facts of a registered kind (managed, needs an image, how it starts). */
export function kindFacts(name: string): NodeKindFacts {
  const facts = nodeKindFacts(name);
  if (!facts) getKind(name); // throws: unknown kind
  return facts!;
}
