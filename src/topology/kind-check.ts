/**
 * Unknown node kinds are reported first. A topology written for containerlab's vendor kinds
 * (srl, ceos, crpd, vr-*, …) cannot run here whatever else is wrong with it, so its kind
 * error leads the report even when a `${VAR}` or another key problem sits earlier in the file.
 */
import type { TopologyIssue } from '../errors.js';
import { NODE_KINDS } from './node-kinds.js';
import type { SourceMap } from './source-map.js';

const UNKNOWN_KIND = /^unknown kind "/;

/** The `unknown kind` issues of every node whose kind is a string no kindlab kind matches. */
export function unknownKindIssues(data: unknown, map: SourceMap): TopologyIssue[] {
  const nodes = record(record(data)?.['topology'])?.['nodes'];
  const out: TopologyIssue[] = [];
  for (const [name, props] of Object.entries(record(nodes) ?? {})) {
    const kind = record(props)?.['kind'];
    if (typeof kind !== 'string' || (NODE_KINDS as readonly string[]).includes(kind)) continue;
    out.push(map.issue(['topology', 'nodes', name, 'kind'], `unknown kind "${kind}" (known: ${NODE_KINDS.join(', ')})`, 'value'));
  }
  return out;
}

/** Moves unknown-kind issues to the front, keeping the order within each part. */
export function kindIssuesFirst(issues: TopologyIssue[]): TopologyIssue[] {
  const kinds = issues.filter((i) => UNKNOWN_KIND.test(i.message));
  return kinds.length === 0 ? issues : [...kinds, ...issues.filter((i) => !UNKNOWN_KIND.test(i.message))];
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
