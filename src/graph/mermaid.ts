/**
 * GraphModel → Mermaid flowchart: one subgraph per role (the Kubernetes nodes of several clusters in one
 * box per cluster inside it), interface names on the edges
 * (`a -- "net0 — net1" --- b`), session state as link colours (green Established, red down).
 */
import { ROLE_ORDER, ROLE_TITLES, type GraphModel, type GraphNode, type Role } from './model.js';

const CLASS_STYLE: Record<Role, string> = {
  router: 'fill:#fff4e5,stroke:#d4750c,stroke-width:2px,color:#1f2328',
  tor: 'fill:#e8f1fe,stroke:#2f6fd6,stroke-width:2px,color:#1f2328',
  k8s: 'fill:#eef6ee,stroke:#2e7d32,stroke-width:2px,color:#1f2328',
  host: 'fill:#f6f8fa,stroke:#6e7781,stroke-width:1px,color:#1f2328',
  bridge: 'fill:#f3e8fd,stroke:#8250df,stroke-width:1px,color:#1f2328',
};
const STATE_STYLE = { established: 'stroke:#1a7f37,stroke-width:3px', down: 'stroke:#cf222e,stroke-width:3px,stroke-dasharray:6 4' };
/** Above this many links, the picture keeps interface names short to stay readable. */
const BUSY = 40;

/** A Mermaid-safe id for a node name (names may hold dots, dashes, or be keywords like `end`). */
export function nodeId(name: string): string {
  return `n_${name.replace(/[^A-Za-z0-9_]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
}

/** The id of a cluster's box (kept apart from node ids). */
export function clusterId(name: string): string {
  return `cluster_${nodeId(name).slice(2)}`;
}

/** Text inside a quoted Mermaid label: quotes and markup become entities. */
export function labelText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '#quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function nodeLine(n: GraphNode): string {
  const lines = [`<b>${labelText(n.name)}</b>`, ...n.notes.map((x) => `<small>${labelText(x)}</small>`)];
  const shape = n.role === 'router' || n.role === 'tor' ? ['([', '])'] : n.role === 'bridge' ? ['{{', '}}'] : ['[', ']'];
  return `${nodeId(n.name)}${shape[0]}"${lines.join('<br/>')}"${shape[1]}:::${n.role}`;
}

/**
 * Colours laid over the picture (e.g. `lab verify --impact`: each element by the checks its failure
 * breaks): a node's fill and stroke by name, a link's stroke by its ends (either order).
 */
export interface MermaidOverlay {
  nodes?: Record<string, { fill: string; stroke: string }>;
  edge?: (a: { node: string; iface: string }, z: { node: string; iface: string }) => string | undefined;
}

export function toMermaid(m: GraphModel, overlay: MermaidOverlay = {}): string {
  const out = [`---`, `title: ${m.lab.replace(/[\r\n]/g, ' ')}`, `---`, `flowchart ${m.direction}`];
  for (const role of ROLE_ORDER) {
    const members = m.nodes.filter((n) => n.role === role);
    if (members.length === 0) continue;
    out.push(`  subgraph ${role}s["${ROLE_TITLES[role]}"]`);
    out.push(`    direction ${m.direction === 'TB' ? 'LR' : 'TB'}`);
    for (const n of members.filter((x) => x.cluster === undefined)) out.push(`    ${nodeLine(n)}`);
    // several clusters: each one's nodes in a box of their own inside the role's
    const clusters = [...new Set(members.flatMap((x) => (x.cluster !== undefined ? [x.cluster] : [])))];
    for (const c of clusters) {
      out.push(`    subgraph ${clusterId(c)}["cluster ${labelText(c)}"]`);
      for (const n of members.filter((x) => x.cluster === c)) out.push(`      ${nodeLine(n)}`);
      out.push('    end');
    }
    out.push('  end');
  }
  const busy = m.edges.length > BUSY;
  const styles: string[] = [];
  m.edges.forEach((e, i) => {
    const label = e.session ? 'BGP' : busy ? `${e.a.iface}·${e.z.iface}` : `${e.a.iface} — ${e.z.iface}`;
    const arrow = e.session ? `-. "${labelText(label)}" .-` : `-- "${labelText(label)}" ---`;
    out.push(`  ${nodeId(e.a.node)} ${arrow} ${nodeId(e.z.node)}`);
    // the overlay knows the elements by their own names (a folded sharer's link is still server0:net0)
    const colour = overlay.edge?.({ node: e.a.folded ?? e.a.node, iface: e.a.folded ? e.a.iface.slice(e.a.folded.length + 1) : e.a.iface }, { node: e.z.folded ?? e.z.node, iface: e.z.folded ? e.z.iface.slice(e.z.folded.length + 1) : e.z.iface });
    if (colour) styles.push(`  linkStyle ${i} stroke:${colour},stroke-width:4px`);
    else if (e.state) styles.push(`  linkStyle ${i} ${STATE_STYLE[e.state]}`);
  });
  out.push(...styles);
  for (const [name, c] of Object.entries(overlay.nodes ?? {})) if (m.nodes.some((n) => n.name === name)) out.push(`  style ${nodeId(name)} fill:${c.fill},stroke:${c.stroke},stroke-width:3px`);
  for (const role of ROLE_ORDER) out.push(`  classDef ${role} ${CLASS_STYLE[role]}`);
  for (const role of ROLE_ORDER) if (m.nodes.some((n) => n.role === role)) out.push(`  style ${role}s fill:transparent,stroke:#d0d7de,stroke-dasharray:4 3`);
  return out.join('\n') + '\n';
}
