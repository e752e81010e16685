/**
 * A Service's ipFamilyPolicy / ipFamilies as the API server settles them before it allocates ClusterIPs
 * (Kubernetes' service REST storage: the stand-alone checks of the cluster-IP fields, then the family
 * defaulting against the families the cluster serves). Pure: the caller allocates one address per
 * settled family and reports the causes as one Invalid error.
 */
import { familyOf, type IPFamily } from '../controllers/cidr6.js';
import type { StatusCause } from '../store/errors.js';

export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';

export interface IPFamilyFields {
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

export interface SettleInput {
  /** The service subnets' families, primary first (one or two). */
  clusterFamilies: IPFamily[];
  spec: IPFamilyFields;
  /** The stored object's fields on an update. */
  old?: IPFamilyFields;
  /** The Service has a non-empty selector (a selectorless headless Service defaults to both families). */
  hasSelector: boolean;
}

/** What to allocate: the policy and families, and the requested address of each family (index-aligned; undefined: pick one). */
export type Settled = { ok: true; policy: IPFamilyPolicy; families: IPFamily[]; requested: Array<string | undefined>; headless: boolean } | { ok: false; causes: StatusCause[] };

const POLICIES: IPFamilyPolicy[] = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
/** Go's %#v of a []string, as field errors print a list value. */
const goList = (l: string[]) => `[]string{${l.map((s) => JSON.stringify(s)).join(', ')}}`;
const invalid = (field: string, value: string, detail: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${detail}`, field });
const other = (f: IPFamily): IPFamily => (f === 'IPv4' ? 'IPv6' : 'IPv4');
const same = (a: string[] | undefined, b: string[] | undefined) => (a ?? []).length === (b ?? []).length && (a ?? []).every((x, i) => x === b?.[i]);

export function settleIPFamilies(input: SettleInput): Settled {
  const { clusterFamilies, old, hasSelector } = input;
  const spec: IPFamilyFields = { ...input.spec, ...(input.spec.clusterIPs ? { clusterIPs: [...input.spec.clusterIPs] } : {}), ...(input.spec.ipFamilies ? { ipFamilies: [...input.spec.ipFamilies] } : {}) };
  const causes: StatusCause[] = [];
  const primary = clusterFamilies[0] ?? 'IPv4';
  // An old client sets clusterIP alone: clusterIPs follows it (never the other way round).
  if (!old && spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
  const ips = spec.clusterIPs ?? [];
  const headless = ips[0] === 'None';
  // The policy: the stored one on an update, both families for a selectorless headless Service, else SingleStack.
  const policy = (spec.ipFamilyPolicy ?? old?.ipFamilyPolicy ?? (headless && !hasSelector ? 'RequireDualStack' : 'SingleStack')) as IPFamilyPolicy;

  // Stand-alone checks of the fields.
  if (spec.clusterIP) {
    if (!ips.length) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.clusterIPs' });
    else if (ips[0] !== spec.clusterIP) causes.push(invalid('spec.clusterIPs', goList(ips), 'first value must match `clusterIP`'));
  } else if (ips.length) causes.push(invalid('spec.clusterIPs', goList(ips), 'must be empty when `clusterIP` is not specified'));
  const seen = new Set<string>();
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${f}": supported values: "IPv4", "IPv6"`, field: `spec.ipFamilies[${i}]` });
    if (seen.has(f)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${f}"`, field: `spec.ipFamilies[${i}]` });
    seen.add(f);
  });
  if (!POLICIES.includes(policy)) causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${policy}": supported values: ${POLICIES.map((p) => `"${p}"`).join(', ')}`, field: 'spec.ipFamilyPolicy' });
  let badIP = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        badIP = true;
        causes.push(invalid('spec.clusterIPs', goList(ips), "'None' must be the first and only value"));
      }
      return;
    }
    if (!familyOf(ip)) {
      badIP = true;
      causes.push(invalid(`spec.clusterIPs[${i}]`, JSON.stringify(ip), 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    }
  });
  if (ips.length > 2) causes.push(invalid('spec.clusterIPs', goList(ips), 'may only hold up to 2 values'));
  if (badIP) return { ok: false, causes };
  if (ips.length > 1 && familyOf(ips[0]!) === familyOf(ips[1]!)) causes.push(invalid('spec.clusterIPs', goList(ips), 'may specify no more than one IP for each IP family'));
  if (!headless)
    ips.forEach((ip, i) => {
      const want = spec.ipFamilies?.[i];
      if ((want === 'IPv4' || want === 'IPv6') && familyOf(ip) !== want) causes.push(invalid(`spec.clusterIPs[${i}]`, JSON.stringify(ip), `expected an ${want} value as indicated by \`ipFamilies[${i}]\``));
    });
  if (causes.length) return { ok: false, causes };

  // On an update: SingleStack releases the secondary address and family; any other policy may not.
  if (old) {
    if (policy === 'SingleStack') {
      if (same(old.clusterIPs, spec.clusterIPs) && (spec.clusterIPs?.length ?? 0) > 1) spec.clusterIPs = spec.clusterIPs!.slice(0, 1);
      if (same(old.ipFamilies, spec.ipFamilies) && (spec.ipFamilies?.length ?? 0) > 1) spec.ipFamilies = spec.ipFamilies!.slice(0, 1);
    } else {
      if ((spec.clusterIPs?.length ?? 0) < (old.clusterIPs?.length ?? 0)) causes.push(invalid('spec.ipFamilyPolicy', `"${policy}"`, "must be 'SingleStack' to release the secondary cluster IP"));
      if ((spec.ipFamilies?.length ?? 0) < (old.ipFamilies?.length ?? 0)) causes.push(invalid('spec.ipFamilyPolicy', `"${policy}"`, "must be 'SingleStack' to release the secondary IP family"));
    }
  }
  const cur = spec.clusterIPs ?? [];
  if (policy === 'SingleStack') {
    if (cur.length === 2) causes.push(invalid('spec.ipFamilyPolicy', `"${policy}"`, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if ((spec.ipFamilies?.length ?? 0) === 2) causes.push(invalid('spec.ipFamilyPolicy', `"${policy}"`, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  // Families the requested addresses imply, after any given explicitly.
  const families = [...(spec.ipFamilies ?? [])] as IPFamily[];
  for (let i = 0; i < cur.length && cur[i] !== 'None'; i++) {
    if (i < families.length) continue;
    const f = familyOf(cur[i]!)!;
    if (!clusterFamilies.includes(f)) causes.push(invalid(`spec.clusterIPs[${i}]`, goList(cur), `${f} is not configured on this cluster`));
    else families.push(f);
  }
  if (causes.length) return { ok: false, causes };

  // A selectorless headless Service may name families the cluster lacks (no address is allocated).
  if (headless && !hasSelector) {
    if (!families.length) families.push(primary);
    if (families.length < 2 && policy !== 'SingleStack') families.push(other(families[0]!));
    return { ok: true, policy, families, requested: [], headless };
  }
  if (policy === 'RequireDualStack' && clusterFamilies.length < 2) causes.push(invalid('spec.ipFamilyPolicy', `"${policy}"`, 'this cluster is not configured for dual-stack services'));
  families.forEach((f, i) => {
    if (!clusterFamilies.includes(f)) causes.push(invalid(`spec.ipFamilies[${i}]`, `"${f}"`, 'not configured on this cluster'));
  });
  if (causes.length) return { ok: false, causes };
  if (!families.length) families.push(primary);
  if (policy !== 'SingleStack' && families.length === 1 && clusterFamilies.length === 2) families.push(other(families[0]!));
  return { ok: true, policy, families, requested: headless ? [] : families.map((_, i) => cur[i]), headless };
}
