/**
 * `lab config show NODE` and `lab config diff [NODE]`: what the intent renders for a node (its
 * files and exec lines), and how that differs from what the running lab was given (the copies
 * written to the lab directory at deploy). Diffs are unified, by jsdiff.
 */
import { createTwoFilesPatch } from 'diff';
import { KindlabError } from '../errors.js';
import type { LabPlan } from '../topology/index.js';

function nodeOf(plan: LabPlan, name: string) {
  const n = plan.nodes.find((x) => x.name === name);
  if (!n) throw new KindlabError('NODE_NOT_FOUND', `node "${name}" is not in lab ${plan.name}`, { hint: `nodes: ${plan.nodes.map((x) => x.name).join(', ')}` });
  return n;
}

/** The rendered files and exec lines of a node, as text; says so when the node renders nothing. */
export function renderedConfig(plan: LabPlan, name: string): string {
  const n = nodeOf(plan, name);
  if (!plan.routing) return `# ${name}: the topology has no routing: section, nothing is rendered\n`;
  const r = plan.routing.routers.find((x) => x.node === name);
  const host = plan.routing.hostExec[name];
  if (!r && !host) return `# ${name}: not a router of the routing intent and not addressed by it\n`;
  const own = r && !n.files;
  const parts = [`# ${name}${r ? `: ${r.daemon}, AS ${r.asn}, router-id ${r.routerId}` : ''}${own ? ' (not applied: the node has its own exec/startup-config)' : ''}`];
  for (const f of r?.files ?? []) parts.push(`# --- ${f.path}`, f.content.trimEnd());
  parts.push('# --- exec', ...(r?.exec ?? host ?? []).map((l) => `  ${l}`));
  return parts.join('\n') + '\n';
}

/**
 * Unified diffs between what the intent renders now and what was deployed, per file of the node
 * (or of every rendered node). `deployed(node, path)` reads the deployed copy (undefined: none).
 */
export function configDiff(plan: LabPlan, deployed: (node: string, path: string) => string | undefined, only?: string): string {
  if (only) nodeOf(plan, only);
  const out: string[] = [];
  for (const r of plan.routing?.routers ?? []) {
    if (only && r.node !== only) continue;
    for (const f of r.files) {
      const before = deployed(r.node, f.path) ?? '';
      if (before === f.content) continue;
      out.push(createTwoFilesPatch(`${r.node}:${f.path} (deployed)`, `${r.node}:${f.path} (intent)`, before, f.content, '', '', { context: 3 }));
    }
  }
  return out.join('');
}
