/**
 * LoadBalancer IPAM, planning only (IPv4): from whichever pools exist — Cilium
 * CiliumLoadBalancerIPPool, Calico IPPool with `allowedUses: [LoadBalancer]`, MetalLB
 * IPAddressPool — pick each `type: LoadBalancer` Service's ingress address. An address a
 * service already holds stays while a pool still covers it; requested addresses
 * (annotations, spec.loadBalancerIP) are honoured or refused with a reason.
 */
import type { K8sObject } from '../store/types.js';

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
export interface LbPool {
  source: 'cilium' | 'calico' | 'metallb';
  name: string;
  ranges: Array<[number, number]>;
  /** Cilium serviceSelector / MetalLB serviceAllocation.serviceSelectors (any of). */
  selectors?: Selector[];
  namespaces?: string[];
  autoAssign: boolean;
  /** MetalLB avoidBuggyIPs: never hand out .0 or .255. */
  avoidBuggy?: boolean;
}
export type LbDecision = { ips: string[] } | { error: string };

const REQUEST_ANNOTATIONS = ['lbipam.cilium.io/ips', 'io.cilium/lb-ipam-ips', 'metallb.io/loadBalancerIPs', 'metallb.universe.tf/loadBalancerIPs'];

export function v4ToInt(ip: string): number | undefined {
  const p = ip.trim().split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
  return p.reduce((a, x) => a * 256 + Number(x), 0);
}
const intToV4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function cidrRange(cidr: string, trimEnds: boolean): [number, number] | undefined {
  const [ip, len] = cidr.trim().split('/');
  const base = v4ToInt(ip ?? '');
  const prefix = Number(len);
  if (base === undefined || !/^\d{1,2}$/.test(len ?? '') || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const lo = base - (base % size);
  return trimEnds && size > 2 ? [lo + 1, lo + size - 2] : [lo, lo + size - 1];
}
function startStop(a: string, b: string): [number, number] | undefined {
  const lo = v4ToInt(a), hi = v4ToInt(b);
  return lo !== undefined && hi !== undefined && lo <= hi ? [lo, hi] : undefined;
}
const spec = (o: K8sObject): Record<string, unknown> => (o.spec ?? {}) as Record<string, unknown>;
const strs = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

/** Pools from the three projects' objects; unusable entries are skipped. */
export function lbPools(cilium: K8sObject[], calico: K8sObject[], metallb: K8sObject[]): LbPool[] {
  const out: LbPool[] = [];
  for (const o of cilium) {
    const s = spec(o) as { disabled?: boolean; blocks?: Array<{ cidr?: string; start?: string; stop?: string }>; cidrs?: Array<{ cidr?: string; start?: string; stop?: string }>; serviceSelector?: Selector; allowFirstLastIPs?: string };
    if (s.disabled === true) continue;
    const ranges: Array<[number, number]> = [];
    for (const b of [...(Array.isArray(s.blocks) ? s.blocks : []), ...(Array.isArray(s.cidrs) ? s.cidrs : [])]) {
      const r = typeof b?.cidr === 'string' ? cidrRange(b.cidr, s.allowFirstLastIPs === 'No') : typeof b?.start === 'string' ? startStop(b.start, typeof b.stop === 'string' ? b.stop : b.start) : undefined;
      if (r) ranges.push(r);
    }
    out.push({ source: 'cilium', name: o.metadata.name ?? '', ranges, selectors: s.serviceSelector ? [s.serviceSelector] : undefined, autoAssign: true });
  }
  for (const o of calico) {
    const s = spec(o) as { cidr?: string; disabled?: boolean; allowedUses?: unknown };
    if (s.disabled === true || !strs(s.allowedUses).includes('LoadBalancer') || typeof s.cidr !== 'string') continue;
    const r = cidrRange(s.cidr, false);
    if (r) out.push({ source: 'calico', name: o.metadata.name ?? '', ranges: [r], autoAssign: true });
  }
  for (const o of metallb) {
    const s = spec(o) as { addresses?: unknown; autoAssign?: boolean; avoidBuggyIPs?: boolean; serviceAllocation?: { namespaces?: unknown; serviceSelectors?: Selector[] } };
    const ranges: Array<[number, number]> = [];
    for (const a of strs(s.addresses)) {
      const r = a.includes('/') ? cidrRange(a, false) : a.includes('-') ? startStop(a.split('-')[0]!, a.split('-')[1]!) : undefined;
      if (r) ranges.push(r);
    }
    const sa = s.serviceAllocation;
    out.push({ source: 'metallb', name: o.metadata.name ?? '', ranges, avoidBuggy: s.avoidBuggyIPs === true, selectors: sa?.serviceSelectors?.length ? sa.serviceSelectors : undefined, namespaces: strs(sa?.namespaces).length ? strs(sa?.namespaces) : undefined, autoAssign: s.autoAssign !== false });
  }
  return out;
}

function matches(sel: Selector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels, vals = e.values ?? [];
    const ok = e.operator === 'In' ? has && vals.includes(labels[e.key]!) : e.operator === 'NotIn' ? !has || !vals.includes(labels[e.key]!) : e.operator === 'Exists' ? has : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

function svcLabels(s: K8sObject): Labels {
  return { ...(s.metadata.labels ?? {}), 'io.kubernetes.service.namespace': s.metadata.namespace ?? 'default', 'io.kubernetes.service.name': s.metadata.name ?? '' };
}
function eligible(p: LbPool, s: K8sObject): boolean {
  if (p.namespaces && !p.namespaces.includes(s.metadata.namespace ?? 'default')) return false;
  return !p.selectors || p.selectors.some((sel) => matches(sel, svcLabels(s)));
}
const covers = (p: LbPool, n: number): boolean => p.ranges.some(([a, b]) => n >= a && n <= b);

export const isLbService = (s: K8sObject): boolean => {
  const sp = spec(s) as { type?: string; loadBalancerClass?: string };
  return sp.type === 'LoadBalancer' && !sp.loadBalancerClass;
};

function requested(s: K8sObject): string[] {
  for (const a of REQUEST_ANNOTATIONS) {
    const v = s.metadata.annotations?.[a];
    if (v) return v.split(',').map((x) => x.trim()).filter(Boolean);
  }
  const lbip = (spec(s) as { loadBalancerIP?: string }).loadBalancerIP;
  return lbip ? [lbip] : [];
}
export function currentIngress(s: K8sObject): string[] {
  const ing = (s.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined)?.loadBalancer?.ingress ?? [];
  return ing.map((i) => i.ip).filter((x): x is string => typeof x === 'string' && v4ToInt(x) !== undefined);
}

/**
 * Decisions per service key `ns/name` for every LoadBalancer service. Services are visited
 * oldest first, so a conflict (two services asking for one address) goes to the older one.
 */
export function planLbIpam(services: K8sObject[], pools: LbPool[]): Map<string, LbDecision> {
  const out = new Map<string, LbDecision>();
  const used = new Set<number>();
  const lbs = services.filter(isLbService).sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const key = (s: K8sObject) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
  const pending: K8sObject[] = [];
  // Keep what services already hold (still covered by an eligible pool, not taken).
  for (const s of lbs) {
    const want = requested(s);
    const have = currentIngress(s).map((ip) => v4ToInt(ip)!);
    const keep = have.length && (!want.length || want.every((w) => have.includes(v4ToInt(w) ?? -1))) && have.every((n) => !used.has(n) && pools.some((p) => eligible(p, s) && covers(p, n)));
    if (keep) {
      for (const n of have) used.add(n);
      out.set(key(s), { ips: have.map(intToV4) });
    } else pending.push(s);
  }
  for (const s of pending) {
    const want = requested(s);
    if (!pools.length) { out.set(key(s), { error: 'no LoadBalancer IP pool exists' }); continue; }
    if (want.length) {
      const ns = want.map((w) => v4ToInt(w));
      const bad = want.find((w, i) => ns[i] === undefined);
      if (bad !== undefined) { out.set(key(s), { error: `requested address "${bad}" is not an IPv4 address` }); continue; }
      const taken = ns.find((n) => used.has(n!));
      if (taken !== undefined) { out.set(key(s), { error: `requested address ${intToV4(taken)} is already in use` }); continue; }
      const outside = ns.find((n) => !pools.some((p) => eligible(p, s) && covers(p, n!)));
      if (outside !== undefined) { out.set(key(s), { error: `requested address ${intToV4(outside)} is in no pool that selects this service` }); continue; }
      for (const n of ns) used.add(n!);
      out.set(key(s), { ips: want.map((w) => w.trim()) });
      continue;
    }
    const ip = pick(pools.filter((p) => p.autoAssign && eligible(p, s)), used);
    if (ip === undefined) out.set(key(s), { error: 'no free address in any pool that selects this service' });
    else { used.add(ip); out.set(key(s), { ips: [intToV4(ip)] }); }
  }
  return out;
}

function pick(pools: LbPool[], used: Set<number>): number | undefined {
  for (const p of pools) {
    const buggy = p.avoidBuggy === true;
    for (const [a, b] of p.ranges)
      for (let n = a; n <= b && n - a < 1 << 20; n++) if (!used.has(n) && !(buggy && ((n & 255) === 0 || (n & 255) === 255))) return n;
  }
  return undefined;
}
