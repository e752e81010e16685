/** The node kind registry: every kind module registers here. */
import { KindlabError } from '../../errors.js';
import { bridgeKind } from './bridge.js';
import { extContainerKind } from './ext-container.js';
import { frrKind } from './frr.js';
import { k8sNodeKind } from './k8s-node.js';
import { linuxKind } from './linux.js';
import type { NodeKind } from './types.js';

export type { NodeKind, KindContext } from './types.js';

const registry = new Map<string, NodeKind>();

export function registerKind(kind: NodeKind): void {
  registry.set(kind.name, kind);
}

for (const k of [linuxKind, frrKind, bridgeKind, extContainerKind, k8sNodeKind]) registerKind(k);

export function getKind(name: string): NodeKind {
  const k = registry.get(name);
  if (!k) {
    throw new KindlabError('TOPO_REF', `unknown node kind "${name}"`, { hint: `known kinds: ${[...registry.keys()].join(', ')}` });
  }
  return k;
}

export function kindNames(): string[] {
  return [...registry.keys()];
}
