/**
 * A node kind: what is special about creating one kind of node. Everything common
 * (container creation, links, `exec:` lines) is done by runtime/deploy; a kind only adds
 * the optional hooks it needs.
 */
import type Docker from 'dockerode';
import type { NodeKindName } from '../../topology/index.js';
import type { LabPlan, NodePlan } from '../../topology/index.js';
import type { Runtime } from '../docker.js';

export interface KindContext {
  plan: LabPlan;
  runtime: Runtime;
  /** Host directory for this node's files: `<labDir>/<node>`. */
  nodeDir(node: NodePlan): string;
  /** PID whose netns holds the node's interfaces. */
  netnsPid(node: NodePlan): Promise<number>;
  /** The plan's node of that name. */
  node(name: string): NodePlan;
}

export interface NodeKind {
  /** A kind declared in topology/node-kinds.ts, whose facts (managed, image...) it follows. */
  readonly name: NodeKindName;
  /** Adjusts the planned container options (binds, command...). Pure given the context; runs before the container exists. */
  containerOptions?(node: NodePlan, opts: Docker.ContainerCreateOptions, ctx: KindContext): Docker.ContainerCreateOptions;
  /** Writes host files the container mounts (under ctx.nodeDir), before it is created. */
  writeFiles?(node: NodePlan, ctx: KindContext): Promise<void>;
  /** After the container runs, before any link: e.g. the bridge kind creates its bridge. */
  afterCreate?(node: NodePlan, ctx: KindContext): Promise<void>;
  /** After a link endpoint was placed in this node's netns. */
  onEndpoint?(node: NodePlan, iface: string, ctx: KindContext): Promise<void>;
  /** After all links are up, before the `exec:` lines: e.g. frr starts watchfrr. */
  postDeploy?(node: NodePlan, ctx: KindContext): Promise<void>;
}
