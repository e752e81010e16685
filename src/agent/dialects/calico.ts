/**
 * Calico dialect: crd.projectcalico.org/v1 BGPConfiguration "default" (asNumber, nodeToNodeMeshEnabled,
 * serviceClusterIPs / serviceExternalIPs / serviceLoadBalancerIPs, communities, prefixAdvertisements) and BGPPeer
 * (peerIP, asNumber, node, nodeSelector, peerSelector, password.secretKeyRef, keepOriginalNextHop, maxRestartTime,
 * localASNumber as BIRD's per-protocol `local as`, ttlSecurity as GTSM: TTL 255 out, IP_MINTTL 256-N in).
 * Service ranges are advertised whole from every node; a Service with externalTrafficPolicy Local also gets a
 * /32 (/128) from each node with a ready local endpoint. Timers are BIRD's (hold 240 s, keepalive 80 s); connect
 * retry 5 s and export of the node's own routes only, as calico-node configures BIRD (common.ts CALICO_BIRD_DEFAULTS).
 */
import { isIP } from 'node:net';
import type { KubeObject, Node } from '../../cluster/client/index.js';
import { parseCalicoSelector } from './calico-selector.js';
import { filterRules, peerFilterRules } from './calico-filter.js';
import {
  addAdvert, clusterIPs, emptyIntent, externalIPs, findNode, hasLocalEndpoint, hostPrefix, inCidr, loadBalancerIPs, nodeAddresses,
  CALICO_BIRD_DEFAULTS, cidrsOf, normalizeCidr, parseDuration, peerDefaults, podCidrs, secretValue, splitCommunities, stripMask, svcName,
} from './common.js';
import type { Advertisement, AgentIntent, ClusterView, Dialect, PeerIntent } from './types.js';
import { errorMessage } from '../../errors.js';

interface BgpConfiguration extends KubeObject {
  spec?: {
    asNumber?: number;
    nodeToNodeMeshEnabled?: boolean;
    serviceClusterIPs?: Array<{ cidr: string }> | null;
    serviceExternalIPs?: Array<{ cidr: string }> | null;
    serviceLoadBalancerIPs?: Array<{ cidr: string }> | null;
    communities?: Array<{ name: string; value: string }>;
    prefixAdvertisements?: Array<{ cidr: string; communities?: string[] }>;
    listenPort?: number;
    nodeMeshPassword?: { secretKeyRef?: { name: string; key: string } };
    nodeMeshMaxRestartTime?: string;
  };
}

interface BgpPeer extends KubeObject {
  spec?: {
    node?: string;
    nodeSelector?: string;
    peerIP?: string;
    peerSelector?: string;
    asNumber?: number;
    password?: { secretKeyRef?: { name: string; key: string } };
    keepOriginalNextHop?: boolean;
    nextHopMode?: 'Auto' | 'Self' | 'Keep';
    maxRestartTime?: string;
    keepaliveTime?: string;
    localASNumber?: number;
    ttlSecurity?: number;
    sourceAddress?: 'UseNodeIP' | 'None';
    reachableBy?: string;
    filters?: string[];
  };
}

export type CalicoOptions = Record<string, never>;

const DEFAULT_ASN = 64512;
const SECRET_NAMESPACES = ['calico-system', 'kube-system'];

/** The node's ASN: annotation projectcalico.org/ASNumber, else the global asNumber. */
function nodeAsn(n: Node | undefined, global: number): number {
  const a = Number(n?.metadata.annotations?.['projectcalico.org/ASNumber']);
  return Number.isInteger(a) && a > 0 && a <= 4294967295 ? a : global;
}

/** The node's BGP address: annotation projectcalico.org/IPv4Address ("10.0.1.2/24"), else its InternalIP. */
function nodeIp(n: Node | undefined): string | undefined {
  const a = n?.metadata.annotations?.['projectcalico.org/IPv4Address'];
  const ip = typeof a === 'string' && a ? stripMask(a) : nodeAddresses(n).v4;
  return ip && isIP(ip) === 4 ? ip : undefined;
}

/** "10.0.0.1", "10.0.0.1:1790", "[fd00::1]:1790" → address and port. */
export function parsePeerIP(s: string): { address: string; port: number } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return { address: v6[1]!, port: Number(v6[2] ?? 179) };
  if (isIP(s)) return { address: s, port: 179 };
  const i = s.lastIndexOf(':');
  return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

function selects(expr: string | undefined, labels: Record<string, string> | undefined, problems: string[], who: string): boolean {
  if (expr === undefined) return true;
  if (typeof expr !== 'string') {
    problems.push(`${who}: selector ${JSON.stringify(expr)} is not a string`);
    return false;
  }
  try {
    return parseCalicoSelector(expr)(labels ?? {});
  } catch (e) {
    problems.push(`${who}: ${errorMessage(e)}`);
    return false;
  }
}

function peerFrom(bp: BgpPeer, address: string, port: number, asn: number, nodeAsNumber: number, v: ClusterView, problems: string[]): PeerIntent {
  const s = bp.spec ?? {};
  const p = peerDefaults(address, asn, `BGPPeer ${bp.metadata.name}`, CALICO_BIRD_DEFAULTS);
  const rules = peerFilterRules(s.filters, byName(v.objects.BGPFilter), `BGPPeer ${bp.metadata.name}`, []);
  if (rules.importRules.length) p.importRules = rules.importRules;
  if (rules.exportRules.length) p.exportRules = rules.exportRules;
  p.port = port;
  p.holdTime = 240;
  p.keepalive = dur(s.keepaliveTime, 80);
  p.gracefulRestart = { enabled: true, restartTime: dur(s.maxRestartTime, 120) };
  // localASNumber: BIRD `local as N` in this peer's protocol; whether the session is iBGP follows it.
  if (validAsn(s.localASNumber)) p.localAsn = s.localASNumber;
  const ebgp = asn !== (p.localAsn ?? nodeAsNumber);
  // nextHopMode (v3.28+) supersedes keepOriginalNextHop (eBGP only): Self = always rewrite, Keep = keep the original.
  p.keepOriginalNextHop = s.nextHopMode === 'Keep' || (s.nextHopMode === undefined && s.keepOriginalNextHop === true && ebgp);
  p.nextHopSelf = s.nextHopMode === 'Self';
  // ttlSecurity N: BIRD `ttl security on; multihop N` — send with TTL 255, accept only TTL >= 256 - N (GTSM).
  if (validTtlSecurity(s.ttlSecurity) && s.ttlSecurity > 0) {
    p.multihopTtl = 255;
    p.minTtl = 256 - s.ttlSecurity;
  }
  const ref = s.password?.secretKeyRef;
  if (ref) {
    p.password = secretValue(v, SECRET_NAMESPACES, ref.name, ref.key);
    if (p.password === undefined) problems.push(`BGPPeer ${bp.metadata.name}: secret ${ref.name} key ${ref.key} not found in ${SECRET_NAMESPACES.join(' or ')}`);
  }
  return p;
}

/** Communities from BGPConfiguration prefixAdvertisements that cover `prefix` (names resolved via `communities`). */
function communitiesFor(prefix: string, cfg: BgpConfiguration['spec']): { communities: string[]; largeCommunities: string[] } {
  const list = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
  const named = new Map(list<{ name?: unknown; value?: unknown }>(cfg?.communities).filter((c) => typeof c?.name === 'string' && typeof c.value === 'string').map((c) => [c.name as string, c.value as string]));
  const vals: string[] = [];
  const [addr, len] = prefix.split('/');
  for (const pa of list<{ cidr?: unknown; communities?: unknown }>(cfg?.prefixAdvertisements)) {
    const c = typeof pa?.cidr === 'string' ? normalizeCidr(pa.cidr) : undefined;
    if (!c || !inCidr(addr!, c) || Number(len) < Number(c.split('/')[1])) continue;
    for (const x of list<unknown>(pa.communities)) if (typeof x === 'string') vals.push(named.get(x) ?? x);
  }
  return splitCommunities(vals);
}

/** A Go duration string ("3m", "90s") in seconds; anything else → fallback. */
function dur(x: unknown, fallback: number): number {
  if (typeof x !== 'string') return fallback;
  const n = parseDuration(x, fallback);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

const validAsn = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 4294967295;
/** Calico's ttlSecurity is a uint8 hop count; 0 = off. */
const validTtlSecurity = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 255;

/** The node's IPv6 BGP address: spec.bgp.ipv6Address or annotation projectcalico.org/IPv6Address, else an IPv6 InternalIP. */
function nodeIp6(n: Node | undefined): string | undefined {
  const spec = (n?.spec as { bgp?: { ipv6Address?: unknown } } | undefined)?.bgp;
  const a = typeof spec?.ipv6Address === 'string' ? spec.ipv6Address : n?.metadata.annotations?.['projectcalico.org/IPv6Address'];
  const ip = a ? stripMask(a) : nodeAddresses(n).v6;
  return ip && isIP(ip) === 6 ? ip : undefined;
}

/** The node's route reflector cluster ID: spec.bgp.routeReflectorClusterID or annotation projectcalico.org/RouteReflectorClusterID. */
function rrClusterId(n: Node | undefined): string | undefined {
  const spec = (n?.spec as { bgp?: { routeReflectorClusterID?: unknown } } | undefined)?.bgp;
  const a = typeof spec?.routeReflectorClusterID === 'string' ? spec.routeReflectorClusterID : n?.metadata.annotations?.['projectcalico.org/RouteReflectorClusterID'];
  return a && isIP(a) === 4 ? a : undefined;
}

/** v3 objects (what users apply) win over v1 objects (what Calico stores) of the same name. */
function byName<T extends KubeObject>(list: KubeObject[] | undefined): T[] {
  const m = new Map<string, T>();
  for (const o of (list ?? []) as T[]) {
    const name = o?.metadata?.name;
    if (typeof name !== 'string') continue;
    if (!m.has(name) || o.apiVersion === 'projectcalico.org/v3') m.set(name, o);
  }
  return [...m.values()];
}

/** A BGPConfiguration list of `{ cidr }` entries: the field-by-field rule is common.ts's cidrsOf. */
function cidrList(list: unknown, who: string, problems: string[]): string[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) { problems.push(`${who}: not a list`); return []; }
  const entries = list.map((x: unknown) => { const c = (x as { cidr?: unknown } | null)?.cidr; return typeof c === 'string' ? c : undefined; });
  return cidrsOf(entries, (i) => `${who}[${i}].cidr`, problems);
}

function finishCalico(i: AgentIntent): AgentIntent {
  i.advertise.sort((a, b) => a.prefix.localeCompare(b.prefix));
  const seen = new Set<string>();
  i.peers = i.peers
    .filter((p) => { const k = `${p.address}|${p.port}`; return seen.has(k) ? false : (seen.add(k), true); })
    .sort((a, b) => a.address.localeCompare(b.address) || a.port - b.port);
  // Calico keeps one BIRD protocol per address:port, and so does the agent's speaker (neighborKey).
  return i;
}

export function computeCalico(v: ClusterView, nodeName: string): AgentIntent {
  const node = findNode(v, nodeName);
  if (!node) return emptyIntent('calico', nodeName, [`node ${nodeName} not found`]);
  const problems: string[] = [];
  const cfgs = byName<BgpConfiguration>(v.objects.BGPConfiguration);
  const cfg = cfgs.find((c) => c.metadata.name === 'default')?.spec ?? {};
  const nodeCfg = (n: string): BgpConfiguration['spec'] => ({ ...cfg, ...(cfgs.find((c) => c.metadata.name === `node.${n}`)?.spec ?? {}) });
  if (cfg.asNumber !== undefined && !validAsn(cfg.asNumber)) problems.push(`BGPConfiguration default: spec.asNumber ${String(cfg.asNumber)} is not an AS number`);
  const globalAsn = validAsn(cfg.asNumber) ? cfg.asNumber : DEFAULT_ASN;
  const listenPort = (n: string): number => { const p = nodeCfg(n)?.listenPort; return typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536 ? p : 179; };
  const myIp = nodeIp(node);
  const myIp6 = nodeIp6(node);
  const myRr = rrClusterId(node);
  const intent: AgentIntent = {
    dialect: 'calico', node: nodeName, localAsn: nodeAsn(node, globalAsn), routerId: myIp ?? '', peers: [], advertise: [],
    installRoutes: false, ibgpMesh: cfg.nodeToNodeMeshEnabled ?? true, problems,
  };
  if (myRr) intent.routeReflector = { clusterId: myRr };
  if (!myIp && !myIp6) problems.push(`node ${nodeName} has no IPv4 or IPv6 address (projectcalico.org/IPv4Address, IPv6Address or InternalIP)`);
  else if (!myIp) problems.push(`node ${nodeName} has no IPv4 address (projectcalico.org/IPv4Address or InternalIP)`);
  const ref = cfg.nodeMeshPassword?.secretKeyRef;
  let meshPassword: string | undefined;
  if (ref) {
    meshPassword = secretValue(v, SECRET_NAMESPACES, ref.name, ref.key);
    if (meshPassword === undefined) problems.push(`BGPConfiguration default: spec.nodeMeshPassword secret ${ref.name} key ${ref.key} not found in ${SECRET_NAMESPACES.join(' or ')}`);
  }
  const rrRole = (p: PeerIntent, other: Node): void => {
    // A route reflector treats every peer node that is not a reflector of the same cluster as its client.
    // Only over iBGP: with localASNumber the session's own AS counts (as calico-node's confd decides).
    if (myRr && rrClusterId(other) !== myRr && p.asn === (p.localAsn ?? intent.localAsn)) { p.rrClient = true; p.exportPolicy = 'all'; }
  };
  const addrsOf = (n: Node): string[] => [myIp ? nodeIp(n) : undefined, myIp6 ? nodeIp6(n) : undefined].filter((x): x is string => !!x);
  if (intent.ibgpMesh) {
    // With route reflector nodes present, Calico still meshes only when nodeToNodeMeshEnabled; the mesh excludes nothing.
    for (const other of v.nodes) {
      if (other.metadata.name === nodeName) continue;
      for (const ip of addrsOf(other)) {
        const p = peerDefaults(ip, nodeAsn(other, globalAsn), 'node-to-node mesh', CALICO_BIRD_DEFAULTS);
        p.port = listenPort(other.metadata.name ?? "");
        p.holdTime = 240;
        p.keepalive = 80;
        p.gracefulRestart = { enabled: true, restartTime: dur(cfg.nodeMeshMaxRestartTime, 120) };
        if (meshPassword !== undefined) p.password = meshPassword;
        intent.peers.push(p);
      }
    }
  }
  for (const bp of byName<BgpPeer>(v.objects.BGPPeer)) {
    const s = (bp.spec ?? {}) as NonNullable<BgpPeer['spec']>;
    const who = `BGPPeer ${bp.metadata.name}`;
    if (s.node !== undefined && s.node !== nodeName) continue;
    if (!selects(s.nodeSelector, node.metadata.labels, problems, who)) continue;
    const notes = unsupportedFields(bp, v);
    for (const n of notes) problems.push(`${who}: ${n}`);
    if (s.localASNumber !== undefined && !validAsn(s.localASNumber)) { problems.push(`${who}: spec.localASNumber ${String(s.localASNumber)} is not an AS number`); continue; }
    if (s.ttlSecurity !== undefined && !validTtlSecurity(s.ttlSecurity)) { problems.push(`${who}: spec.ttlSecurity ${String(s.ttlSecurity)} is not a hop count 0-255`); continue; }
    if (s.peerIP !== undefined) {
      const parsed = typeof s.peerIP === 'string' ? parsePeerIPChecked(s.peerIP) : undefined;
      if (!parsed) problems.push(`${who}: spec.peerIP ${JSON.stringify(s.peerIP)} is not an IP or IP:port`);
      else if (!validAsn(s.asNumber)) problems.push(`${who}: spec.asNumber ${s.asNumber === undefined ? 'missing' : String(s.asNumber)} with peerIP`);
      else if (parsed.address !== myIp && parsed.address !== myIp6) {
        // No port given and the address is a Calico node's of the same AS: its (or the global) listenPort, as confd does.
        const t = s.peerIP.trim();
        const portGiven = isIP(t) === 0 && !/^\[[^\]]+\]$/.test(t);
        const asNode = portGiven ? undefined : v.nodes.find((n) => (nodeIp(n) === parsed.address || nodeIp6(n) === parsed.address) && nodeAsn(n, globalAsn) === s.asNumber);
        const port = asNode ? listenPort(asNode.metadata.name ?? '') : parsed.port;
        intent.peers.push(peerFrom(bp, parsed.address, port, s.asNumber, intent.localAsn, v, problems));
      }
    }
    if (s.peerSelector !== undefined) {
      for (const other of v.nodes) {
        if (other.metadata.name === nodeName || !selects(s.peerSelector, other.metadata.labels, problems, who)) continue;
        for (const ip of addrsOf(other)) {
          const p = peerFrom(bp, ip, listenPort(other.metadata.name ?? ""), nodeAsn(other, globalAsn), intent.localAsn, v, problems);
          rrRole(p, other);
          intent.peers.push(p);
        }
      }
    }
  }
  for (const f of byName(v.objects.BGPFilter)) filterRules(f, problems);
  const add = (a: Omit<Advertisement, 'communities' | 'largeCommunities'>) => addAdvert(intent.advertise, { ...a, ...communitiesFor(a.prefix, cfg) });
  for (const c of podCidrs(node)) add({ prefix: c, reason: 'pod CIDR' });
  const ranges: Array<[string, string, unknown, (s: Parameters<typeof clusterIPs>[0]) => string[]]> = [
    ['clusterIP', 'serviceClusterIPs', cfg.serviceClusterIPs, clusterIPs],
    ['externalIP', 'serviceExternalIPs', cfg.serviceExternalIPs, externalIPs],
    ['loadBalancerIP', 'serviceLoadBalancerIPs', cfg.serviceLoadBalancerIPs, loadBalancerIPs],
  ];
  for (const [what, field, list, ipsOf] of ranges) {
    const cidrs = cidrList(list, `BGPConfiguration default: spec.${field}`, problems);
    for (const c of cidrs) add({ prefix: c, reason: `BGPConfiguration service ${what} range` });
    for (const s of v.services) {
      if (s.spec.externalTrafficPolicy !== 'Local' || !hasLocalEndpoint(v, s, nodeName)) continue;
      for (const ip of ipsOf(s)) if (cidrs.some((c) => inCidr(ip, c))) add({ prefix: hostPrefix(ip), reason: `service ${svcName(s)} ${what} (eTP Local)` });
    }
  }
  return finishCalico(intent);
}

/** "10.0.0.1", "10.0.0.1:1790", "[fd00::1]:1790", "fd00::1" → address and port; undefined when malformed. */
export function parsePeerIPChecked(s: string): { address: string; port: number } | undefined {
  const t = s.trim();
  if (!t) return undefined;
  const r = parsePeerIP(t);
  return isIP(r.address) !== 0 && Number.isInteger(r.port) && r.port > 0 && r.port < 65536 ? r : undefined;
}

/** Fields the agent's speaker cannot apply: named once per object in problems (logged and raised as Events). */
function unsupportedFields(bp: BgpPeer, v: ClusterView): string[] {
  const s = (bp.spec ?? {}) as NonNullable<BgpPeer['spec']>;
  const out: string[] = [];
  if (s.sourceAddress === 'None') out.push('spec.sourceAddress None not applied (the agent binds the node IP)');
  if (s.reachableBy !== undefined && s.reachableBy !== '') out.push(`spec.reachableBy ${String(s.reachableBy)} not applied (no static route to the peer is installed)`);
  // Filter problems once per peer object, whichever addresses it yields.
  peerFilterRules(s.filters, byName(v.objects.BGPFilter), '', out);
  return out.map((x) => x.replace(/^: /, ''));
}

export const calico: Dialect<CalicoOptions> = {
  name: 'calico',
  kinds: [
    { kind: 'BGPConfiguration', apiVersion: 'crd.projectcalico.org/v1', plural: 'bgpconfigurations', namespaced: false },
    { kind: 'BGPPeer', apiVersion: 'crd.projectcalico.org/v1', plural: 'bgppeers', namespaced: false },
    { kind: 'BGPFilter', apiVersion: 'crd.projectcalico.org/v1', plural: 'bgpfilters', namespaced: false },
    { kind: 'BGPConfiguration', apiVersion: 'projectcalico.org/v3', plural: 'bgpconfigurations', namespaced: false },
    { kind: 'BGPPeer', apiVersion: 'projectcalico.org/v3', plural: 'bgppeers', namespaced: false },
    { kind: 'BGPFilter', apiVersion: 'projectcalico.org/v3', plural: 'bgpfilters', namespaced: false },
  ],
  parseFlags: () => ({}),
  compute: (v, nodeName) => computeCalico(v, nodeName),
};
