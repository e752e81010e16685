/**
 * LoadBalancer IPAM, planning only, both families: from whichever pools exist — Cilium
 * CiliumLoadBalancerIPPool, Calico IPPool with `allowedUses: [LoadBalancer]`, MetalLB
 * IPAddressPool — pick each `type: LoadBalancer` Service's ingress addresses. An address a
 * service already holds stays while a pool still covers it; requested addresses
 * (annotations, spec.loadBalancerIP) are honoured or refused with a reason.
 *
 * Families, as the projects decide them: the service wants one address per family of
 * spec.ipFamilies (its order is the order of status.loadBalancer.ingress); SingleStack wants
 * only the first; without ipFamilies, IPv4. RequireDualStack needs every family or nothing;
 * PreferDualStack (and no policy) takes what the pools give. Cilium and Calico take each
 * family from any eligible pool; MetalLB treats a service with two ipFamilies as dual-stack
 * whatever its policy and gives it both addresses from one pool that has both, or nothing (its
 * allocator works per pool); avoidBuggyIPs is IPv4 only.
 */
import type { K8sObject } from '../store/types.js';
import { bigToIp6, ip6ToBig } from '../../lib/index.js';

type Labels = Record<string, string>;
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
export type IpFamily = 'IPv4' | 'IPv6';
export interface LbRange {
  family: IpFamily;
  lo: bigint;
  hi: bigint;
}
export interface LbPool {
  source: 'cilium' | 'calico' | 'metallb';
  name: string;
  ranges: LbRange[];
  /** Cilium serviceSelector / MetalLB serviceAllocation.serviceSelectors (any of). */
  selectors?: Selector[];
  namespaces?: string[];
  autoAssign: boolean;
  /** MetalLB avoidBuggyIPs: never hand out .0 or .255 (IPv4). */
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

/** An address of either family as (family, number); undefined when it is neither. */
interface Addr {
  family: IpFamily;
  n: bigint;
}
function parseAddr(ip: string): Addr | undefined {
  const t = ip.trim();
  if (!t.includes(':')) {
    const n = v4ToInt(t);
    return n === undefined ? undefined : { family: 'IPv4', n: BigInt(n) };
  }
  try {
    return { family: 'IPv6', n: ip6ToBig(t) };
  } catch {
    return undefined;
  }
}
const addrText = (a: Addr): string => (a.family === 'IPv4' ? intToV4(Number(a.n)) : bigToIp6(a.n));
const addrKey = (a: Addr): string => `${a.family}/${a.n}`;

function cidrRange(cidr: string, trimEnds: boolean): LbRange | undefined {
  const [ip, len, extra] = cidr.trim().split('/');
  const a = parseAddr(ip ?? '');
  const bits = a?.family === 'IPv6' ? 128 : 32;
  if (!a || extra !== undefined || !/^\d{1,3}$/.test(len ?? '') || Number(len) > bits) return undefined;
  const size = 1n << BigInt(bits - Number(len));
  const lo = a.n - (a.n % size);
  return trimEnds && size > 2n ? { family: a.family, lo: lo + 1n, hi: lo + size - 2n } : { family: a.family, lo, hi: lo + size - 1n };
}
function startStop(x: string, y: string): LbRange | undefined {
  const lo = parseAddr(x), hi = parseAddr(y);
  return lo && hi && lo.family === hi.family && lo.n <= hi.n ? { family: lo.family, lo: lo.n, hi: hi.n } : undefined;
}
const spec = (o: K8sObject): Record<string, unknown> => (o.spec ?? {}) as Record<string, unknown>;
const strs = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

/** Pools from the three projects' objects; unusable entries are skipped. */
export function lbPools(cilium: K8sObject[], calico: K8sObject[], metallb: K8sObject[]): LbPool[] {
  const out: LbPool[] = [];
  for (const o of cilium) {
    const s = spec(o) as { disabled?: boolean; blocks?: Array<{ cidr?: string; start?: string; stop?: string }>; cidrs?: Array<{ cidr?: string; start?: string; stop?: string }>; serviceSelector?: Selector; allowFirstLastIPs?: string };
    if (s.disabled === true) continue;
    const ranges: LbRange[] = [];
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
    const ranges: LbRange[] = [];
    for (const a of strs(s.addresses)) {
      const r = a.includes('/') ? cidrRange(a, false) : a.split('-').length === 2 ? startStop(a.split('-')[0]!, a.split('-')[1]!) : undefined;
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
const covers = (p: LbPool, a: Addr): boolean => p.ranges.some((r) => r.family === a.family && a.n >= r.lo && a.n <= r.hi);
const hasFamily = (p: LbPool, f: IpFamily): boolean => p.ranges.some((r) => r.family === f);

export const isLbService = (s: K8sObject): boolean => {
  const sp = spec(s) as { type?: string; loadBalancerClass?: string };
  return sp.type === 'LoadBalancer' && !sp.loadBalancerClass;
};

/** The families a service wants an address of, in spec.ipFamilies order, and whether it needs them all. */
export function wantedFamilies(s: K8sObject): { families: IpFamily[]; requireAll: boolean } {
  const sp = spec(s) as { ipFamilies?: unknown; ipFamilyPolicy?: unknown };
  const fams = strs(sp.ipFamilies).filter((f): f is IpFamily => f === 'IPv4' || f === 'IPv6');
  const listed = fams.length ? [...new Set(fams)] : (['IPv4'] as IpFamily[]);
  if (sp.ipFamilyPolicy === 'SingleStack') return { families: listed.slice(0, 1), requireAll: true };
  return { families: listed, requireAll: sp.ipFamilyPolicy === 'RequireDualStack' };
}

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
  return ing.map((i) => i.ip).filter((x): x is string => typeof x === 'string' && parseAddr(x) !== undefined);
}

const byFamilyOrder = (families: IpFamily[]) => (a: Addr, b: Addr) => families.indexOf(a.family) - families.indexOf(b.family);

/**
 * Decisions per service key `ns/name` for every LoadBalancer service. Services are visited
 * oldest first, so a conflict (two services asking for one address) goes to the older one.
 */
export function planLbIpam(services: K8sObject[], pools: LbPool[]): Map<string, LbDecision> {
  const out = new Map<string, LbDecision>();
  const used = new Set<string>();
  const lbs = services.filter(isLbService).sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const key = (s: K8sObject) => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
  const pending: K8sObject[] = [];
  // Keep what services already hold (still covered by an eligible pool, not taken, of the families wanted).
  for (const s of lbs) {
    const { families, requireAll } = wantedFamilies(s);
    const want = requested(s).map(parseAddr);
    const have = currentIngress(s).map((ip) => parseAddr(ip)!);
    const haveFams = new Set(have.map((a) => a.family));
    const keep =
      have.length &&
      haveFams.size === have.length &&
      have.every((a) => families.includes(a.family)) &&
      (!requireAll || families.every((f) => haveFams.has(f))) &&
      (!want.length || want.every((w) => w && have.some((h) => addrKey(h) === addrKey(w)))) &&
      have.every((a) => !used.has(addrKey(a)) && pools.some((p) => eligible(p, s) && covers(p, a))) &&
      // a family a pool could now give is not left out
      families.every((f) => haveFams.has(f) || !pools.some((p) => p.autoAssign && eligible(p, s) && hasFamily(p, f)));
    if (keep) {
      for (const a of have) used.add(addrKey(a));
      out.set(key(s), { ips: have.sort(byFamilyOrder(families)).map(addrText) });
    } else pending.push(s);
  }
  for (const s of pending) out.set(key(s), decide(s, pools, used));
  return out;
}

function decide(s: K8sObject, pools: LbPool[], used: Set<string>): LbDecision {
  const { families, requireAll } = wantedFamilies(s);
  const want = requested(s);
  if (!pools.length) return { error: 'no LoadBalancer IP pool exists' };
  const eligiblePools = pools.filter((p) => eligible(p, s));
  if (want.length) {
    const addrs: Addr[] = [];
    for (const w of want) {
      const a = parseAddr(w);
      if (!a) return { error: `requested address "${w}" is not an IP address` };
      if (!families.includes(a.family)) return { error: `requested address ${w} is ${a.family}, not of the service's ipFamilies (${families.join(', ')})` };
      if (addrs.some((x) => x.family === a.family)) return { error: `more than one ${a.family} address requested (${want.join(', ')})` };
      addrs.push(a);
    }
    const taken = addrs.find((a) => used.has(addrKey(a)));
    if (taken) return { error: `requested address ${addrText(taken)} is already in use` };
    const outside = addrs.find((a) => !eligiblePools.some((p) => covers(p, a)));
    if (outside) return { error: `requested address ${addrText(outside)} is in no pool that selects this service` };
    if (requireAll) {
      const missing = families.find((f) => !addrs.some((a) => a.family === f));
      if (missing) return { error: `ipFamilyPolicy ${familyPolicy(s)} needs an ${missing} address too, none requested` };
    }
    for (const a of addrs) used.add(addrKey(a));
    return { ips: addrs.sort(byFamilyOrder(families)).map(addrText) };
  }
  const auto = eligiblePools.filter((p) => p.autoAssign);
  const got: Addr[] = [];
  const missing: IpFamily[] = [];
  if (families.length > 1 && auto.length && auto.every((p) => p.source === 'metallb')) {
    // MetalLB: a service with two ipFamilies is dual-stack whatever its policy, and gets both
    // addresses from one pool that has both families, or none.
    for (const p of auto.filter((x) => families.every((f) => hasFamily(x, f)))) {
      const picks = families.map((f) => pick([p], f, used));
      if (picks.every((x) => x !== undefined)) {
        got.push(...(picks as Addr[]));
        break;
      }
    }
    if (!got.length) return { error: `no pool that selects this service has free ${families.join(' and ')} addresses` };
  } else {
    // An address held from before (a family added later, say) stays; the others are picked.
    const held = currentIngress(s).map((ip) => parseAddr(ip)!).filter((a) => !used.has(addrKey(a)) && eligiblePools.some((p) => covers(p, a)));
    for (const f of families) {
      const a = held.find((h) => h.family === f) ?? pick(auto, f, used);
      if (a) got.push(a);
      else missing.push(f);
    }
  }
  if (!got.length || (requireAll && missing.length)) return { error: families.length > 1 ? `no free ${missing.join(' or ')} address in any pool that selects this service` : noFree(families[0]!) };
  for (const a of got) used.add(addrKey(a));
  return { ips: got.map(addrText) };
}

const noFree = (f: IpFamily) => (f === 'IPv4' ? 'no free address in any pool that selects this service' : `no free IPv6 address in any pool that selects this service`);
const familyPolicy = (s: K8sObject) => String((spec(s) as { ipFamilyPolicy?: unknown }).ipFamilyPolicy);

function pick(pools: LbPool[], family: IpFamily, used: Set<string>): Addr | undefined {
  for (const p of pools) {
    const buggy = p.avoidBuggy === true && family === 'IPv4';
    for (const r of p.ranges) {
      if (r.family !== family) continue;
      for (let n = r.lo; n <= r.hi && n - r.lo < 1n << 20n; n++) {
        const a = { family, n };
        if (!used.has(addrKey(a)) && !(buggy && ((n & 255n) === 0n || (n & 255n) === 255n))) return a;
      }
    }
  }
  return undefined;
}

/**
 * kube-router's LoadBalancer allocator (`--run-loadbalancer`, its lballoc controller), planning only. It handles
 * services of type LoadBalancer whose loadBalancerClass is "kube-router", or empty / "default" while
 * `--loadbalancer-default-class` is on; it gives each a free address of every family in spec.ipFamilies it does not
 * hold yet, from the `--loadbalancer-ip-range` CIDRs in order, starting at a range's first address (the network
 * address included, as kube-router counts up from it). An address is in use when any service holds it as ingress or
 * externalIP. Requested addresses (spec.loadBalancerIP, annotations) are not honoured: kube-router cannot take them.
 * RequireDualStack gets both families or nothing. Only services that need an address appear in the result.
 */
export function planKubeRouterLb(services: K8sObject[], o: { ranges: string[]; defaultClass: boolean }): Map<string, LbDecision> {
  const ranges = o.ranges.map((c) => cidrRange(c, false)).filter((r): r is LbRange => r !== undefined);
  const used = new Set<string>();
  for (const s of services) {
    const ext = strs((spec(s) as { externalIPs?: unknown }).externalIPs);
    for (const ip of [...ext, ...currentIngress(s)]) {
      const a = parseAddr(ip);
      if (a && ranges.some((r) => r.family === a.family && a.n >= r.lo && a.n <= r.hi)) used.add(addrKey(a));
    }
  }
  const out = new Map<string, LbDecision>();
  const ours = services.filter((s) => {
    const sp = spec(s) as { type?: string; loadBalancerClass?: string };
    const cls = sp.loadBalancerClass ?? '';
    return sp.type === 'LoadBalancer' && (cls === 'kube-router' || (o.defaultClass && (cls === '' || cls === 'default')));
  }).sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')) || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  for (const s of ours) {
    const { families } = wantedFamilies(s);
    const requireDual = (spec(s) as { ipFamilyPolicy?: unknown }).ipFamilyPolicy === 'RequireDualStack';
    const have = currentIngress(s).map((ip) => parseAddr(ip)!);
    const need = families.filter((f) => !have.some((a) => a.family === f));
    if (!need.length) continue;
    const key = `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
    // kube-router's canAllocate, then allocateService (a family without ranges has nothing left to allocate).
    const can = (f: IpFamily) => ranges.some((r) => r.family === f);
    const cannot = requireDual ? (['IPv4', 'IPv6'] as IpFamily[]).find((f) => !can(f)) : undefined;
    if (cannot) { out.set(key, { error: `${cannot} address required, but no ${cannot} ranges available` }); continue; }
    if (families.length === 1 && !can(families[0]!)) { out.set(key, { error: `no ${families[0]} ranges specified` }); continue; }
    const got: Addr[] = [];
    const errs: string[] = [];
    for (const f of need) {
      const a = pick([{ source: 'metallb', name: '', ranges, autoAssign: true }], f, used);
      if (a) got.push(a);
      else errs.push(`${f}: no IPs left to allocate`);
    }
    if (!got.length || (requireDual && errs.length)) {
      out.set(key, { error: `unable to allocate ${requireDual ? 'dual-stack addresses' : 'address'}: ${errs.join('; ')}` });
      continue;
    }
    for (const a of got) used.add(addrKey(a));
    // kube-router appends to what the service holds.
    out.set(key, { ips: [...have, ...got].sort(byFamilyOrder(families)).map(addrText) });
  }
  return out;
}

/** Kube-OVN lb-svc: the service annotation naming the attachment network (NetworkAttachmentDefinition name.namespace). */
export const KUBE_OVN_ATTACHMENT_PROVIDER = 'ovn.kubernetes.io/attachmentprovider';

/**
 * Kube-OVN's LoadBalancer services (kube-ovn-controller `--enable-lb-svc`): only services annotated
 * ovn.kubernetes.io/attachmentprovider get an address — the IP of their lb-svc pod's attachment, allocated by
 * Kube-OVN's IPAM from the Subnet whose spec.provider is that provider (first free address of its cidrBlock after
 * the network address, skipping the gateway and excludeIps), or spec.loadBalancerIP when the subnet holds it.
 * Services without the annotation are not Kube-OVN's. Planning only; returns a decision for every annotated service.
 */
export function planKubeOvnLb(services: K8sObject[], subnets: K8sObject[]): Map<string, LbDecision> {
  const out = new Map<string, LbDecision>();
  const used = new Set<string>();
  const ours = services.filter((s) => (spec(s) as { type?: string }).type === 'LoadBalancer' && s.metadata.annotations?.[KUBE_OVN_ATTACHMENT_PROVIDER] !== undefined);
  for (const s of ours) for (const ip of currentIngress(s)) { const a = parseAddr(ip); if (a) used.add(addrKey(a)); }
  for (const s of ours) {
    const key = `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
    const provider = s.metadata.annotations![KUBE_OVN_ATTACHMENT_PROVIDER]!;
    if (provider.split('.').length < 2) { out.set(key, { error: `annotation ${KUBE_OVN_ATTACHMENT_PROVIDER} "${provider}": the provider name should consist of name and namespace` }); continue; }
    const subnet = subnets.find((n) => (spec(n) as { provider?: unknown }).provider === provider);
    if (!subnet) { out.set(key, { error: `no Subnet with spec.provider ${provider}` }); continue; }
    const ss = spec(subnet) as { cidrBlock?: unknown; gateway?: unknown; excludeIps?: unknown };
    const blocks = typeof ss.cidrBlock === 'string' ? ss.cidrBlock.split(',').map((c) => cidrRange(c, true)).filter((r): r is LbRange => r !== undefined) : [];
    if (!blocks.length) { out.set(key, { error: `Subnet ${subnet.metadata.name}: spec.cidrBlock ${JSON.stringify(ss.cidrBlock)} is not a CIDR` }); continue; }
    const pool: LbPool = { source: 'metallb', name: subnet.metadata.name ?? '', ranges: blocks, autoAssign: true };
    const have = currentIngress(s).map((ip) => parseAddr(ip)!).filter((a) => covers(pool, a));
    if (have.length) { out.set(key, { ips: have.map(addrText) }); continue; }
    const lbip = (spec(s) as { loadBalancerIP?: unknown }).loadBalancerIP;
    if (typeof lbip === 'string' && lbip !== '') {
      const a = parseAddr(lbip);
      if (!a) out.set(key, { error: `invalid static loadbalancerIP ${lbip}` });
      else if (!covers(pool, a)) out.set(key, { error: `the loadbalancer IP ${lbip} is not in the range of subnet ${subnet.metadata.name}, cidr ${String(ss.cidrBlock)}` });
      else if (used.has(addrKey(a))) out.set(key, { error: `requested address ${lbip} is already in use` });
      else { used.add(addrKey(a)); out.set(key, { ips: [addrText(a)] }); }
      continue;
    }
    // The gateway and excludeIps ("a" or "a..b") are never handed out.
    const reserved = new Set(used);
    const ex = [typeof ss.gateway === 'string' ? ss.gateway : '', ...strs(ss.excludeIps)].filter(Boolean);
    for (const e of ex) {
      const [lo, hi] = e.split('..');
      const r = startStop(lo!, hi ?? lo!);
      if (r) for (let n = r.lo; n <= r.hi && n - r.lo < 1n << 16n; n++) reserved.add(addrKey({ family: r.family, n }));
    }
    const a = pick([pool], blocks[0]!.family, reserved);
    if (!a) { out.set(key, { error: `Subnet ${subnet.metadata.name} has no free address` }); continue; }
    used.add(addrKey(a));
    out.set(key, { ips: [addrText(a)] });
  }
  return out;
}
