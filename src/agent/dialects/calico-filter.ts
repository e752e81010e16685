/**
 * Calico BGPFilter (projectcalico.org/v3, crd.projectcalico.org/v1) → the speaker's per-peer prefix rules, as
 * calico-node's confd renders them for BIRD: each filter named in BGPPeer.spec.filters becomes one function per
 * direction and family whose rules are tried in order (first match accepts or rejects); the peer's import filter
 * calls them in the peer's order and then accepts, its export filter calls them and then falls back to Calico's
 * own export rules. A rule is `cidr` + `matchOperator` (+ `prefixLength`), `source: RemotePeers` (learned over
 * BGP) and `interface` (a glob on the route's interface), all ANDed; `action` Accept or Reject.
 */
import { isIP } from 'node:net';
import type { KubeObject } from '../../cluster/client/index.js';
import type { Family, RouteFilterRule } from '../../bgp/index.js';

type Dir = 'import' | 'export';
const FIELDS: Array<[Dir, Family, string]> = [
  ['export', 'ipv4-unicast', 'exportV4'],
  ['import', 'ipv4-unicast', 'importV4'],
  ['export', 'ipv6-unicast', 'exportV6'],
  ['import', 'ipv6-unicast', 'importV6'],
];
const OPS: Record<string, NonNullable<RouteFilterRule['prefix']>['match']> = { Equal: 'equal', NotEqual: 'not-equal', In: 'in', NotIn: 'not-in' };
/** Rule fields of newer Calico releases the agent's speaker cannot match on or apply. */
const UNSUPPORTED = ['communities', 'asPathPrefix', 'priority', 'peerType', 'operations'];

export interface PeerFilterRules {
  importRules: RouteFilterRule[];
  exportRules: RouteFilterRule[];
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One rule, or the reason it is refused (Calico's API validation refuses the same inputs). */
function ruleOf(r: unknown, family: Family): RouteFilterRule | string {
  if (!isObj(r)) return 'is not an object';
  const action = r.action;
  if (action !== 'Accept' && action !== 'Reject') return `action ${JSON.stringify(action)} is not Accept or Reject`;
  const out: RouteFilterRule = { family, action: action === 'Accept' ? 'accept' : 'reject' };
  const v = family === 'ipv4-unicast' ? 4 : 6;
  if (r.cidr !== undefined && r.cidr !== '') {
    const [addr, len, extra] = typeof r.cidr === 'string' ? r.cidr.split('/') : [];
    if (extra !== undefined || isIP(addr ?? '') !== v || !/^\d+$/.test(len ?? '') || Number(len) > (v === 4 ? 32 : 128)) return `cidr ${JSON.stringify(r.cidr)} is not an IPv${v} CIDR`;
    const op = typeof r.matchOperator === 'string' ? OPS[r.matchOperator] : undefined;
    if (!op) return `matchOperator ${JSON.stringify(r.matchOperator)} is not Equal, NotEqual, In or NotIn`;
    out.prefix = { cidr: r.cidr as string, match: op };
    if (r.prefixLength !== undefined) {
      const pl = r.prefixLength;
      const max = v === 4 ? 32 : 128;
      const okLen = (x: unknown) => x === undefined || (typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max);
      if (!isObj(pl) || !okLen(pl.min) || !okLen(pl.max)) return `prefixLength ${JSON.stringify(pl)} is not {min,max} within 0..${max}`;
      if (typeof pl.min === 'number') out.prefix.minLen = pl.min;
      if (typeof pl.max === 'number') out.prefix.maxLen = pl.max;
    }
  } else if (r.matchOperator !== undefined && r.matchOperator !== '') return 'matchOperator without cidr';
  else if (r.prefixLength !== undefined) return 'prefixLength without cidr';
  if (r.source !== undefined && r.source !== '') {
    if (r.source !== 'RemotePeers') return `source ${JSON.stringify(r.source)} is not RemotePeers`;
    out.learned = true;
  }
  if (r.interface !== undefined && r.interface !== '') {
    if (typeof r.interface !== 'string') return `interface ${JSON.stringify(r.interface)} is not a string`;
    out.ifname = r.interface;
  }
  const extra = UNSUPPORTED.filter((k) => r[k] !== undefined);
  if (extra.length) return `${extra.join(', ')} not applied by the agent's speaker (rule skipped)`;
  return out;
}

/**
 * A filter's rules per direction, or undefined when one of its rules is refused (the whole object is then left out,
 * as Calico's API server would not have stored it); problems name the filter, field and rule.
 */
export function filterRules(f: KubeObject, problems: string[]): PeerFilterRules | undefined {
  const spec = (f as { spec?: unknown }).spec;
  const out: PeerFilterRules = { importRules: [], exportRules: [] };
  const who = `BGPFilter ${f.metadata.name}`;
  if (spec !== undefined && !isObj(spec)) { problems.push(`${who}: spec is not an object`); return undefined; }
  let ok = true;
  for (const [dir, family, field] of FIELDS) {
    const list = spec?.[field];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) { problems.push(`${who}: spec.${field} is not a list`); ok = false; continue; }
    list.forEach((r, i) => {
      const rule = ruleOf(r, family);
      if (typeof rule === 'string') {
        problems.push(`${who}: spec.${field}[${i}] ${rule}`);
        if (!rule.endsWith('(rule skipped)')) ok = false;
      } else (dir === 'import' ? out.importRules : out.exportRules).push(rule);
    });
  }
  return ok ? out : undefined;
}

/** The rules of a BGPPeer's spec.filters, in its order; a missing or refused filter is named and contributes nothing. */
export function peerFilterRules(names: unknown, filters: KubeObject[], who: string, problems: string[]): PeerFilterRules {
  const out: PeerFilterRules = { importRules: [], exportRules: [] };
  if (names === undefined || names === null) return out;
  if (!Array.isArray(names)) { problems.push(`${who}: spec.filters is not a list`); return out; }
  for (const n of names) {
    const f = filters.find((x) => x.metadata.name === n);
    if (!f) { problems.push(`${who}: spec.filters: BGPFilter ${String(n)} not found`); continue; }
    const r = filterRules(f, []);
    if (!r) { problems.push(`${who}: spec.filters: BGPFilter ${String(n)} refused (see its problems)`); continue; }
    out.importRules.push(...r.importRules);
    out.exportRules.push(...r.exportRules);
  }
  return out;
}
