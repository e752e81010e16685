/**
 * The facts about each node kind, declared once: whether a node of the kind needs an image,
 * whether kindlab manages (creates and removes) its container, and how it starts. The topology
 * front end reads these rules; the runtime keys its kind implementations by the same names.
 */

export interface NodeKindFacts {
  /** A node of this kind must name an image (on the node, its kind, group or defaults). */
  needsImage: boolean;
  /** kindlab creates and removes the container (false: it exists already, e.g. ext-container). */
  managed: boolean;
  /**
   * How the node comes up: `image` runs the image's own command, `idle` a container that sleeps
   * (the kind builds inside its netns), `cluster` the embedded cluster's node, `existing` is not started,
   * `host` is the host itself (its exec lines run on the host, its links end in the host's netns).
   */
  start: 'image' | 'idle' | 'cluster' | 'existing' | 'host';
}

export const NODE_KIND_FACTS = {
  linux: { needsImage: true, managed: true, start: 'image' },
  frr: { needsImage: true, managed: true, start: 'image' },
  bridge: { needsImage: false, managed: true, start: 'idle' },
  'k8s-node': { needsImage: false, managed: true, start: 'cluster' },
  // containerlab's node that runs a kind cluster: replaced by that cluster's k8s-node nodes at normalize
  'k8s-kind': { needsImage: false, managed: true, start: 'cluster' },
  'ext-container': { needsImage: false, managed: false, start: 'existing' },
  host: { needsImage: false, managed: false, start: 'host' },
} as const satisfies Record<string, NodeKindFacts>;

export type NodeKindName = keyof typeof NODE_KIND_FACTS;

export const NODE_KINDS = Object.keys(NODE_KIND_FACTS) as readonly NodeKindName[];

export function isNodeKindName(name: string): name is NodeKindName {
  return Object.prototype.hasOwnProperty.call(NODE_KIND_FACTS, name);
}

/** The facts of a kind; undefined for a name that is not a node kind. */
export function nodeKindFacts(name: string): NodeKindFacts | undefined {
  return isNodeKindName(name) ? NODE_KIND_FACTS[name] : undefined;
}
