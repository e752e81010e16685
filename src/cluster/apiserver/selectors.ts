import { badRequest } from '../store/errors.js';
import type { K8sObject } from '../store/types.js';

/** One parsed label requirement. */
export interface LabelRequirement {
  key: string;
  op: 'eq' | 'neq' | 'in' | 'notin' | 'exists' | '!exists';
  values: string[];
}

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((p) => p.trim()).filter(Boolean);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

function checkKey(k: string, whole: string): string {
  if (!KEY.test(k)) throw badRequest(`unable to parse requirement: invalid label key "${k}" in selector "${whole}"`);
  return k;
}

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h` (`==` too). */
export function parseLabelSelector(sel: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const part of splitTopLevel(sel)) {
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3]!.split(',').map((v) => v.trim()).filter(Boolean);
      reqs.push({ key: checkKey(m[1]!, sel), op: m[2] as 'in' | 'notin', values });
    } else if ((m = part.match(/^([^!=\s]+)\s*(==|!=|=)\s*(\S*)$/))) {
      reqs.push({ key: checkKey(m[1]!, sel), op: m[2] === '!=' ? 'neq' : 'eq', values: [m[3]!] });
    } else if ((m = part.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: checkKey(m[1]!, sel), op: '!exists', values: [] });
    } else if (/^\S+$/.test(part)) {
      reqs.push({ key: checkKey(part, sel), op: 'exists', values: [] });
    } else {
      throw badRequest(`unable to parse requirement: "${part}" in selector "${sel}"`);
    }
  }
  return reqs;
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq':
        return has && v === r.values[0];
      case 'neq':
        return !has || v !== r.values[0];
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'exists':
        return has;
      case '!exists':
        return !has;
    }
  });
}

/** A Kubernetes LabelSelector object (`matchLabels` + `matchExpressions`) as requirements. */
export function selectorObjectToRequirements(sel: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): LabelRequirement[] {
  const reqs: LabelRequirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'eq' as const, values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[e.operator as 'In'];
    if (op) reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

export interface FieldRequirement {
  field: string;
  neq: boolean;
  value: string;
}

const FIELDS: Record<string, (o: K8sObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace,
  'spec.nodeName': (o) => ((o.spec as { nodeName?: string } | undefined)?.nodeName ?? ''),
  'status.phase': (o) => ((o.status as { phase?: string } | undefined)?.phase ?? ''),
  'spec.unschedulable': (o) => String(Boolean((o.spec as { unschedulable?: boolean } | undefined)?.unschedulable)),
  'spec.type': (o) => ((o.spec as { type?: string } | undefined)?.type ?? ''),
  'status.podIP': (o) => ((o.status as { podIP?: string } | undefined)?.podIP ?? ''),
  'spec.schedulerName': (o) => ((o.spec as { schedulerName?: string } | undefined)?.schedulerName ?? ''),
  'spec.serviceAccountName': (o) => ((o.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? ''),
  type: (o) => (o as { type?: string }).type ?? '',
  'involvedObject.name': (o) => (o as { involvedObject?: { name?: string } }).involvedObject?.name ?? '',
  'involvedObject.kind': (o) => (o as { involvedObject?: { kind?: string } }).involvedObject?.kind ?? '',
  'involvedObject.namespace': (o) => (o as { involvedObject?: { namespace?: string } }).involvedObject?.namespace ?? '',
  'involvedObject.uid': (o) => (o as { involvedObject?: { uid?: string } }).involvedObject?.uid ?? '',
  reason: (o) => (o as { reason?: string }).reason ?? '',
};

/** Parses `metadata.name=x,spec.nodeName!=y`; unknown fields → 400 like the real server. */
export function parseFieldSelector(sel: string, kind: string): FieldRequirement[] {
  return splitTopLevel(sel).map((part) => {
    const m = part.match(/^([^!=]+?)\s*(==|!=|=)\s*(.*)$/);
    if (!m) throw badRequest(`invalid field selector: "${part}"`);
    const field = m[1]!;
    if (!FIELDS[field]) throw badRequest(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"${kind === 'Pod' ? ', "spec.nodeName", "status.phase"' : ''}`);
    return { field, neq: m[2] === '!=', value: m[3]! };
  });
}

export function matchesFields(reqs: FieldRequirement[], o: K8sObject): boolean {
  return reqs.every((r) => {
    const v = FIELDS[r.field]!(o) ?? '';
    return r.neq ? v !== r.value : v === r.value;
  });
}
