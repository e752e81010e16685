/**
 * Reads the routing intent at the edge: the `routing:` section and each router's `bgp:` block
 * (already inherited defaults < kinds < groups < node by topology/normalize) become typed,
 * checked values. Every problem is positioned; nothing is defaulted into NaN or "".
 */
import { isIPv4 } from 'node:net';
import type { LabPlan, NodeSpec } from '../topology/index.js';
import { parseCidr4 } from '../topology/index.js';
import { IntentIssues } from './issues.js';
import { ROUTER_DAEMONS, type AsnScheme, type RouterDaemon, type RouterIntent, type RoutingDefaults } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

const ROUTING_KEYS = ['asns', 'asn', 'loopbacks', 'links', 'access', 'multipath', 'bfd', 'password', 'redistribute', 'cluster', 'ospf'];
const BGP_KEYS = ['role', 'daemon', 'asn', 'router-id', 'loopback', 'originate', 'default-originate', 'password', 'bfd', 'multipath', 'prefix-in', 'prefix-out', 'communities'];
const CLUSTER_KEYS = ['asn', 'objects', 'lb-pool'];

export function validAsn(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 4294967295;
}

function unknownKeys(o: Obj, allowed: string[], at: (string | number)[], issues: IntentIssues): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) issues.add([...at, k], `unknown key "${k}" (expected one of: ${allowed.join(', ')})`);
}

function parseScheme(v: unknown, at: (string | number)[], issues: IntentIssues): AsnScheme | undefined {
  if (validAsn(v)) return { fixed: v };
  const m = typeof v === 'string' ? /^(\d+)\+$/.exec(v.trim()) : null;
  if (m && validAsn(Number(m[1]))) return { start: Number(m[1]) };
  issues.add(at, `ASN ${JSON.stringify(v)} is out of range: an ASN is 1-4294967295, or "N+" for one per router counting up from N`);
  return undefined;
}

function cidr(v: unknown, at: (string | number)[], issues: IntentIssues, what: string): string | undefined {
  if (typeof v === 'string') {
    const c = parseCidr4(v);
    if (typeof c !== 'string') return v;
    issues.add(at, `${what}: ${c}`);
  } else issues.add(at, `${what}: expected an IPv4 CIDR such as 10.0.0.0/24, got ${JSON.stringify(v)}`);
  return undefined;
}

function bool(v: unknown, dflt: boolean, at: (string | number)[], issues: IntentIssues): boolean {
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  issues.add(at, `expected true or false, got ${JSON.stringify(v)}`);
  return dflt;
}

function strings(v: unknown, at: (string | number)[], issues: IntentIssues, check?: (s: string) => string | undefined): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  list.forEach((s, i) => {
    if (typeof s !== 'string' || !s.trim()) return issues.add([...at, i], `expected a non-empty string, got ${JSON.stringify(s)}`);
    const bad = check?.(s);
    if (bad) issues.add([...at, i], bad);
    else out.push(s.trim());
  });
  return out;
}

const checkPrefix = (s: string): string | undefined => {
  const c = parseCidr4(s);
  return typeof c === 'string' ? c : undefined;
};
const checkCommunity = (s: string): string | undefined => {
  const m = /^(\d+):(\d+)$/.exec(s);
  return m && Number(m[1]) <= 65535 && Number(m[2]) <= 65535 ? undefined : `community "${s}" is not ASN:VALUE with both parts 0-65535`;
};

/** The `routing:` section's lab-wide defaults (an empty or null section gives the defaults). */
export function readRoutingDefaults(spec: LabPlan, issues: IntentIssues): RoutingDefaults | undefined {
  const raw = spec.sections['routing'] ?? {};
  const at = ['routing'];
  const pos = issues.pos(at);
  if (raw !== null && !isObj(raw)) {
    issues.add(at, 'routing must be a map (asns, loopbacks, links, access, multipath, bfd, password, redistribute, cluster, ospf)');
    return undefined;
  }
  unknownKeys(raw, ROUTING_KEYS, at, issues);
  const asns: Record<string, AsnScheme> = {};
  if (raw['asn'] !== undefined) {
    const s = parseScheme(raw['asn'], ['routing', 'asn'], issues);
    if (s) asns['*'] = s;
  }
  if (raw['asns'] !== undefined) {
    if (!isObj(raw['asns'])) issues.add(['routing', 'asns'], 'asns maps a role to an ASN ("spine: 65000") or a scheme ("leaf: 65010+")');
    else for (const [role, v] of Object.entries(raw['asns'])) {
      const s = parseScheme(v, ['routing', 'asns', role], issues);
      if (s) asns[role] = s;
    }
  }
  let links: RoutingDefaults['links'] = { pool: '10.255.0.0/16' };
  if (raw['links'] === 'unnumbered') links = { unnumbered: true };
  else if (raw['links'] !== undefined) {
    const c = cidr(raw['links'], ['routing', 'links'], issues, 'link pool');
    if (c) links = { pool: c };
  }
  const red = strings(raw['redistribute'], ['routing', 'redistribute'], issues, (s) => (s === 'connected' ? undefined : `redistribute "${s}" is not supported (connected)`));
  const cl = raw['cluster'];
  let clusterAsn: number | undefined;
  let clusterObjects = true;
  let lbPool: string | undefined;
  if (cl !== undefined) {
    if (!isObj(cl)) issues.add(['routing', 'cluster'], 'cluster must be a map (asn, objects, lb-pool)');
    else {
      unknownKeys(cl, CLUSTER_KEYS, ['routing', 'cluster'], issues);
      if (cl['asn'] !== undefined) {
        if (validAsn(cl['asn'])) clusterAsn = cl['asn'];
        else issues.add(['routing', 'cluster', 'asn'], `ASN ${JSON.stringify(cl['asn'])} is out of range (1-4294967295)`);
      }
      clusterObjects = bool(cl['objects'], true, ['routing', 'cluster', 'objects'], issues);
      if (cl['lb-pool'] !== undefined) lbPool = cidr(cl['lb-pool'], ['routing', 'cluster', 'lb-pool'], issues, 'LoadBalancer pool');
    }
  }
  const password = raw['password'];
  if (password !== undefined && (typeof password !== 'string' || !password)) issues.add(['routing', 'password'], 'password must be a non-empty string');
  let ospf: { area: number } | undefined;
  const o = raw['ospf'];
  if (o === true) ospf = { area: 0 };
  else if (isObj(o)) {
    unknownKeys(o, ['area'], ['routing', 'ospf'], issues);
    const area = o['area'] ?? 0;
    if (typeof area === 'number' && Number.isInteger(area) && area >= 0 && area <= 4294967295) ospf = { area };
    else issues.add(['routing', 'ospf', 'area'], `area ${JSON.stringify(area)} must be a number from 0 to 4294967295`);
  } else if (o !== undefined && o !== false) issues.add(['routing', 'ospf'], 'ospf is true, false or a map ({ area: 0 })');
  if (ospf && 'unnumbered' in links) issues.add(['routing', 'ospf'], 'OSPF is rendered on numbered links only (routing.links is unnumbered)');
  return {
    asns,
    ...(raw['loopbacks'] !== undefined ? { loopbacks: cidr(raw['loopbacks'], ['routing', 'loopbacks'], issues, 'loopback pool') ?? '' } : {}),
    links,
    access: raw['access'] !== undefined ? (cidr(raw['access'], ['routing', 'access'], issues, 'access pool') ?? '10.0.1.0/24') : '10.0.1.0/24',
    multipath: bool(raw['multipath'], true, ['routing', 'multipath'], issues),
    bfd: bool(raw['bfd'], false, ['routing', 'bfd'], issues),
    ...(typeof password === 'string' && password ? { password } : {}),
    redistributeConnected: raw['redistribute'] === undefined ? true : red.includes('connected'),
    ...(clusterAsn !== undefined ? { clusterAsn } : {}),
    clusterObjects,
    ...(lbPool ? { lbPool } : {}),
    ...(ospf ? { ospf } : {}),
    pos,
  };
}

/** The daemon a router runs: its `daemon:` key, else guessed from the image, else FRR. */
function daemonOf(n: NodeSpec, v: unknown, at: (string | number)[], issues: IntentIssues): RouterDaemon {
  if (v !== undefined) {
    if (typeof v === 'string' && (ROUTER_DAEMONS as readonly string[]).includes(v)) return v as RouterDaemon;
    issues.add(at, `daemon ${JSON.stringify(v)} is not supported (${ROUTER_DAEMONS.join(', ')})`);
  }
  if (/bird/i.test(n.image)) return 'bird';
  if (/gobgp/i.test(n.image)) return 'gobgp';
  return 'frr';
}

/** Each node with a `bgp:` block, as a router. */
export function readRouters(spec: LabPlan, issues: IntentIssues, defaults: RoutingDefaults | undefined): RouterIntent[] {
  const out: RouterIntent[] = [];
  for (const n of spec.nodes) {
    const raw = n.extra['bgp'];
    if (raw === undefined || n.k8s) continue;
    const at = ['topology', 'nodes', n.name, 'bgp'];
    if (!isObj(raw)) {
      issues.add(at, 'bgp must be a map (role, asn, daemon, ...)', n.pos);
      continue;
    }
    unknownKeys(raw, BGP_KEYS, at, issues);
    const role = typeof raw['role'] === 'string' && raw['role'] ? raw['role'] : 'router';
    let asn: number | undefined;
    if (raw['asn'] !== undefined) {
      if (validAsn(raw['asn'])) asn = raw['asn'];
      else issues.add([...at, 'asn'], `ASN ${JSON.stringify(raw['asn'])} is out of range (1-4294967295)`, n.pos);
    }
    const ip = (k: string): string | undefined => {
      const v = raw[k];
      if (v === undefined) return undefined;
      if (typeof v === 'string' && isIPv4(v)) return v;
      issues.add([...at, k], `${k} must be an IPv4 address, got ${JSON.stringify(v)}`, n.pos);
      return undefined;
    };
    const password = raw['password'] ?? defaults?.password;
    out.push({
      node: n.name,
      role,
      daemon: daemonOf(n, raw['daemon'], [...at, 'daemon'], issues),
      ...(asn !== undefined ? { asn } : {}),
      ...(ip('router-id') ? { routerId: ip('router-id')! } : {}),
      ...(ip('loopback') ? { loopback: ip('loopback')! } : {}),
      originate: strings(raw['originate'], [...at, 'originate'], issues, checkPrefix),
      defaultOriginate: bool(raw['default-originate'], false, [...at, 'default-originate'], issues),
      ...(typeof password === 'string' && password ? { password } : {}),
      bfd: bool(raw['bfd'], defaults?.bfd ?? false, [...at, 'bfd'], issues),
      multipath: bool(raw['multipath'], defaults?.multipath ?? true, [...at, 'multipath'], issues),
      prefixIn: strings(raw['prefix-in'], [...at, 'prefix-in'], issues, checkPrefix),
      prefixOut: strings(raw['prefix-out'], [...at, 'prefix-out'], issues, checkPrefix),
      communities: strings(raw['communities'], [...at, 'communities'], issues, checkCommunity),
      pos: issues.pos(at, n.pos),
    });
  }
  return out;
}
