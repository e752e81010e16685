/** `lab inspect`: the lab's nodes as Docker labels show them (works without the topology file). */
import type { LabPlan } from '../topology/index.js';
import type { Runtime } from './docker.js';
import { labHealth } from './node-probe.js';
import { type ImageSubstitute, substituteFromLabels, substitutionLine } from './image-plan.js';
import { LABEL_KIND, LABEL_LAB, LABEL_NODE, LABEL_POD_OF } from './labels.js';

/** One row of `lab inspect --format json` (contract in architecture.md). */
export interface InspectNode {
  name: string;
  container: string;
  kind: string;
  image: string;
  /** The image the topology names and the local substitute that runs instead (fallback or offline). */
  imageSubstitute?: ImageSubstitute;
  /** Docker's state, or `degraded` when the container runs but lacks what the plan gives it (see `reasons`). */
  state: string;
  mgmtIPv4: string;
  /** Why the node is degraded: missing links, an old shared netns, exec lines not run since a restart. */
  reasons?: string[];
  /** For a pod's container (shown with `--pods`): the node container that runs it. */
  podOf?: string;
}

export interface InspectResult {
  lab: string;
  nodes: InspectNode[];
}

/** With the lab's plan, nodes that run but lack links, their owner's netns or their exec lines are `degraded` (node-state.ts). */
export async function inspectLab(runtime: Runtime, lab: string, plan?: LabPlan, opts: { pods?: boolean } = {}): Promise<InspectResult> {
  // A pod's containers (real-image pods of the cluster) are not nodes: shown only when asked.
  const containers = (await runtime.listContainers({ [LABEL_LAB]: lab })).filter((c) => opts.pods || !c.labels[LABEL_POD_OF]);
  const nodes = containers
    .map((c) => ({
      ...(c.labels[LABEL_POD_OF] ? { podOf: c.labels[LABEL_POD_OF] } : {}),
      // the plan's name first: a cluster node's topology name follows its place in the kind config, its container's label does not
      name: (plan?.name === lab ? plan.nodes.find((n) => n.containerName === c.name)?.name : undefined) ?? c.labels[LABEL_NODE] ?? c.name,
      container: c.name,
      kind: c.labels[LABEL_KIND] ?? '',
      image: c.image,
      ...substitute(c.labels, c.image),
      state: c.state,
      mgmtIPv4: c.mgmtIPv4 ? `${c.mgmtIPv4}/${c.mgmtIPv4PrefixLength ?? 32}` : '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  if (plan && plan.name === lab && nodes.length > 0) {
    const { health } = await labHealth(plan, runtime);
    for (const h of health) {
      const n = nodes.find((x) => x.name === h.node);
      if (n && h.status === 'degraded') Object.assign(n, { state: 'degraded', reasons: h.reasons });
    }
  }
  return { lab, nodes };
}

function substitute(labels: Record<string, string>, image: string): { imageSubstitute?: ImageSubstitute } {
  const s = substituteFromLabels(labels, image);
  return s ? { imageSubstitute: s } : {};
}

/** The IMAGE column: `frrouting/frr:v8.2.2 → kindlab/base (FRR 8.4.4)` for a substituted image. */
export function imageColumn(n: InspectNode): string {
  return n.imageSubstitute ? substitutionLine(n.imageSubstitute) : n.image;
}

/** A fixed-width text table. Pure. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
