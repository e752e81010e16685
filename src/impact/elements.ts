/**
 * What `lab verify --impact` fails, one at a time: every link between two lab nodes, and every
 * node that has links. A container sharing another's network namespace (a Kubernetes node's
 * server0…) is the same network element as its owner: failing the node cuts the links of both.
 * Pure: from the lab's view (its lab directory) and plan.
 */
import type { Endpoint, LabView } from '../faults/index.js';
import type { LabPlan } from '../topology/index.js';

export type ImpactElement =
  | { kind: 'link'; name: string; endpoints: [Endpoint, Endpoint] }
  | { kind: 'node'; name: string; links: Array<[Endpoint, Endpoint]> };

const epText = (e: Endpoint) => `${e.node}:${e.iface}`;

/** The netns owner of each node (itself when it has its own). */
function owners(plan: LabPlan): Map<string, string> {
  return new Map(plan.nodes.map((n) => [n.name, n.netnsOwner || n.name]));
}

export function impactElements(view: LabView, plan: LabPlan): ImpactElement[] {
  const owner = owners(plan);
  const links: ImpactElement[] = view.links.map((l) => ({ kind: 'link', name: `${epText(l[0])} — ${epText(l[1])}`, endpoints: l }));
  const byOwner = new Map<string, Array<[Endpoint, Endpoint]>>();
  for (const l of view.links) {
    for (const e of l) {
      const o = owner.get(e.node) ?? e.node;
      byOwner.set(o, [...(byOwner.get(o) ?? []), l]);
    }
  }
  const nodes: ImpactElement[] = [...byOwner.entries()].map(([o, ls]) => {
    const sharers = [...new Set(ls.flatMap((l) => l.map((e) => e.node)).filter((n) => n !== o && owner.get(n) === o))];
    return { kind: 'node', name: sharers.length ? `${o} (${sharers.join(', ')})` : o, links: ls };
  });
  return [...links, ...nodes];
}

/** `--elements a,b`: link names ("router0:net1 — tor1:net0", or "router0-tor1") and node names pick elements. */
export function pickElements(all: ImpactElement[], wanted: string[] | undefined): { picked: ImpactElement[]; unknown: string[] } {
  if (!wanted?.length) return { picked: all, unknown: [] };
  const matches = (e: ImpactElement, w: string): boolean => {
    if (e.name === w || e.name.split(' (')[0] === w) return true;
    if (e.kind !== 'link') return false;
    const [a, z] = e.endpoints;
    return [`${a.node}-${z.node}`, `${z.node}-${a.node}`, `${epText(a)}-${epText(z)}`, `${epText(z)}-${epText(a)}`].includes(w);
  };
  const unknown = wanted.filter((w) => !all.some((e) => matches(e, w)));
  return { picked: all.filter((e) => wanted.some((w) => matches(e, w))), unknown };
}
