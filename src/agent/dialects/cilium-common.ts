/**
 * Pieces both Cilium API versions share: reading untrusted object fields the way Cilium's CRD schema and
 * Go types accept them, label selectors, BGP communities and local preference, the auth secret and the
 * v2alpha1 router-id annotation. Pure.
 */
import { isIP } from 'node:net';
import type { Family } from '../../bgp/index.js';
import { matchesSelector, secretValue, stripMask, type LabelSelector } from './common.js';
import type { Advertisement, ClusterView } from './types.js';

export const MAX_ASN = 4294967295;

export const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
export const objOf = (x: unknown): Record<string, unknown> => (isObj(x) ? x : {});
export const listOf = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
export const strOf = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
/** Object name for messages: never undefined, never an object dump. */
export const nameOf = (o: { metadata?: { name?: unknown } } | undefined): string => (typeof o?.metadata?.name === 'string' ? o.metadata.name : '<unnamed>');

/**
 * An integer field as Cilium's CRD schema bounds it: undefined when absent (or 0 where Cilium's SetDefaults
 * treats 0 as unset), the number when in [min, max], and an error text otherwise.
 */
export function intField(x: unknown, min: number, max: number, zeroIsUnset = false): { value?: number; error?: string } {
  if (x === undefined || x === null) return {};
  if (typeof x !== 'number' || !Number.isInteger(x)) return { error: `${JSON.stringify(x) ?? String(x)} is not an integer` };
  if (x === 0 && zeroIsUnset) return {};
  if (x < min || x > max) return { error: `${x} is out of range ${min}-${max}` };
  return { value: x };
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/**
 * A Kubernetes LabelSelector as metav1.LabelSelectorAsSelector accepts it: undefined when absent, null when
 * present but invalid (Cilium fails the reconciliation for such a selector; here it selects nothing).
 */
export function selectorOf(x: unknown): LabelSelector | undefined | null {
  if (x === undefined || x === null) return undefined;
  if (!isObj(x)) return null;
  const ml = x.matchLabels;
  if (ml !== undefined && ml !== null && (!isObj(ml) || Object.values(ml).some((val) => typeof val !== 'string'))) return null;
  const me = x.matchExpressions;
  if (me !== undefined && me !== null) {
    if (!Array.isArray(me)) return null;
    for (const e of me) {
      if (!isObj(e) || typeof e.key !== 'string' || typeof e.operator !== 'string' || !OPERATORS.has(e.operator)) return null;
      const vals = e.values ?? [];
      if (!Array.isArray(vals) || vals.some((val) => typeof val !== 'string')) return null;
      const needsValues = e.operator === 'In' || e.operator === 'NotIn';
      if (needsValues !== vals.length > 0) return null;
    }
  }
  return x as LabelSelector;
}

/** Selector match that never throws; an invalid selector (null) matches nothing. */
export const selects = (sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean =>
  sel !== null && matchesSelector(sel ?? {}, labels);

/** Object labels as a plain string map (hostile objects may carry anything there). */
export function labelsOf(o: { metadata?: { labels?: unknown } } | undefined): Record<string, string> {
  const l = o?.metadata?.labels;
  return isObj(l) ? Object.fromEntries(Object.entries(l).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
}

/** A peer address: an IP, or (v2alpha1 peerAddress) an IP with a host mask; Cilium's pattern allows spaces around it. */
export function peerAddressOf(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  const t = x.trim();
  const m = /^(.*)\/(\d+)$/.exec(t);
  const ip = m ? m[1]! : t;
  if (isIP(ip) === 0) return undefined;
  if (m && Number(m[2]) !== (isIP(ip) === 4 ? 32 : 128)) return undefined;
  return stripMask(ip);
}

/** Cilium's families (afi/safi pairs) → our unicast families in canonical order; undefined list = both. */
export function familiesOf(x: unknown): { families: Family[]; ignored: string[] } {
  const list = listOf(x);
  if (list.length === 0) return { families: ['ipv4-unicast', 'ipv6-unicast'], ignored: [] };
  const got = new Set<Family>();
  const ignored: string[] = [];
  for (const f of list) {
    const afi = strOf(objOf(f).afi), safi = strOf(objOf(f).safi);
    if (safi === 'unicast' && afi === 'ipv4') got.add('ipv4-unicast');
    else if (safi === 'unicast' && afi === 'ipv6') got.add('ipv6-unicast');
    else ignored.push(`${afi ?? '?'}/${safi ?? '?'}`);
  }
  return { families: (['ipv4-unicast', 'ipv6-unicast'] as const).filter((f) => got.has(f)), ignored };
}

export const prefixFamily = (prefix: string): Family => (isIP(stripMask(prefix)) === 6 ? 'ipv6-unicast' : 'ipv4-unicast');

/** Cilium's well-known community names (GoBGP's table) and their values. */
const WELL_KNOWN: Record<string, string> = {
  internet: '0:0', 'planned-shut': '65535:0', 'accept-own': '65535:1', 'route-filter-translated-v4': '65535:2', 'route-filter-v4': '65535:3',
  'route-filter-translated-v6': '65535:4', 'route-filter-v6': '65535:5', 'llgr-stale': '65535:6', 'no-llgr': '65535:7', blackhole: '65535:666',
  'no-export': '65535:65281', 'no-advertise': '65535:65282', 'no-export-subconfed': '65535:65283', 'no-peer': '65535:65284',
};

const uintText = (s: string, max: number): number | undefined => (/^\d{1,10}$/.test(s) && Number(s) <= max ? Number(s) : undefined);

/** Path attributes to add to a prefix. */
export interface Attrs {
  communities: string[];
  largeCommunities: string[];
  localPref?: number;
}

/**
 * `communities` (standard as a:b or one 32-bit decimal, wellKnown by name, large as a:b:c) and
 * `localPreference`, as "a:b" / "a:b:c" text. Values Cilium's schema rejects are named in `problems` and left out.
 */
export function attrsOf(communities: unknown, localPreference: unknown, problems: string[], where: string): Attrs {
  const out: Attrs = { communities: [], largeCommunities: [] };
  const c = objOf(communities);
  for (const s of listOf(c.standard)) {
    const t = typeof s === 'string' ? s.trim() : undefined;
    const n = t === undefined ? undefined : uintText(t, MAX_ASN);
    const parts = t?.split(':') ?? [];
    const pair = parts.length === 2 ? parts.map((p) => uintText(p, 65535)) : [];
    if (n !== undefined) out.communities.push(`${Math.floor(n / 65536)}:${n % 65536}`);
    else if (pair.length === 2 && pair.every((p) => p !== undefined)) out.communities.push(`${pair[0]}:${pair[1]}`);
    else problems.push(`${where}: standard community ${JSON.stringify(s)} is neither a:b (16 bits each) nor a 32-bit number; left out`);
  }
  for (const s of listOf(c.wellKnown)) {
    const val = typeof s === 'string' ? WELL_KNOWN[s] : undefined;
    if (val) out.communities.push(val);
    else problems.push(`${where}: wellKnown community ${JSON.stringify(s)} is not one of Cilium's names; left out`);
  }
  for (const s of listOf(c.large)) {
    const parts = typeof s === 'string' ? s.trim().split(':').map((p) => uintText(p, MAX_ASN)) : [];
    if (parts.length === 3 && parts.every((p) => p !== undefined)) out.largeCommunities.push(parts.join(':'));
    else problems.push(`${where}: large community ${JSON.stringify(s)} is not a:b:c (32 bits each); left out`);
  }
  out.communities = [...new Set(out.communities)];
  out.largeCommunities = [...new Set(out.largeCommunities)];
  const lp = intField(localPreference, 0, MAX_ASN);
  if (lp.error) problems.push(`${where}: localPreference ${lp.error}; left out`);
  else if (lp.value !== undefined) out.localPref = lp.value;
  return out;
}

export const noAttrs = (): Attrs => ({ communities: [], largeCommunities: [] });

/** Merges `b` into `a` as Cilium merges overlapping advertisements: union of communities, the largest local preference. */
export function mergeAttrs(a: Attrs, b: Attrs): void {
  a.communities = [...new Set([...a.communities, ...b.communities])];
  a.largeCommunities = [...new Set([...a.largeCommunities, ...b.largeCommunities])];
  if (b.localPref !== undefined && (a.localPref === undefined || b.localPref > a.localPref)) a.localPref = b.localPref;
}

/** Adds a prefix to the list, merging attributes with an entry for the same prefix (first reason kept). */
export function addPrefix(list: Advertisement[], prefix: string, attrs: Attrs, reason: string): void {
  const cur = list.find((x) => x.prefix === prefix);
  if (cur) {
    mergeAttrs(cur as Attrs, attrs);
    return;
  }
  const a: Advertisement = { prefix, communities: [...attrs.communities], largeCommunities: [...attrs.largeCommunities], reason };
  if (attrs.localPref !== undefined) a.localPref = attrs.localPref;
  list.push(a);
}

/** v2alpha1: `cilium.io/bgp-virtual-router.<asn>: "router-id=10.0.0.2,local-port=179"` on the node. */
export function virtualRouterAnnotation(annotations: unknown, asn: number, problems: string[]): { routerId?: string; localPort?: number } {
  const key = `cilium.io/bgp-virtual-router.${asn}`;
  const raw = objOf(annotations)[key];
  if (typeof raw !== 'string' || !raw) return {};
  const out: { routerId?: string; localPort?: number } = {};
  for (const kv of raw.split(',')) {
    const [k, val] = kv.split('=').map((x) => x.trim());
    if (k === 'router-id') {
      if (val && isIP(val) === 4) out.routerId = val;
      else problems.push(`node annotation ${key}: router-id ${JSON.stringify(val ?? '')} is not an IPv4 address; ignored`);
    }
    if (k === 'local-port') {
      const port = uintText(val ?? '', 65535);
      if (port !== undefined && port > 0) out.localPort = port;
      else problems.push(`node annotation ${key}: local-port ${JSON.stringify(val ?? '')} is not a port; ignored`);
    }
  }
  return out;
}

/**
 * The TCP MD5 password of `authSecretRef`, read as Cilium reads it from its BGP secrets namespace (kube-system by
 * default), key `password`. A missing secret gives an empty password (the session comes up without one, as in
 * Cilium); a secret without a `password` key fails Cilium's reconciliation, so the peer is refused.
 */
export function authPassword(v: ClusterView, ref: unknown, problems: string[], who: string): { password?: string; refused?: boolean } {
  if (ref === undefined || ref === null) return {};
  if (typeof ref !== 'string' || ref === '') {
    problems.push(`${who}: authSecretRef ${JSON.stringify(ref)} is not a secret name; peer refused`);
    return { refused: true };
  }
  const exists = v.secrets.some((s) => s.metadata.namespace === 'kube-system' && s.metadata.name === ref);
  if (!exists) {
    problems.push(`${who}: authSecretRef "${ref}": no secret kube-system/${ref}; the session uses no password (as Cilium)`);
    return {};
  }
  const pw = secretValue(v, ['kube-system'], ref, 'password');
  if (typeof pw !== 'string' || pw === '') {
    problems.push(`${who}: authSecretRef "${ref}": secret kube-system/${ref} has no "password" key; peer refused (Cilium fails the reconciliation)`);
    return { refused: true };
  }
  return { password: pw };
}
