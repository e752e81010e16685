/** Helpers shared by the dialects: selectors, node addresses, service IPs, local endpoints, durations. Pure. */
import { isIP } from 'node:net';
import type { Node, Pod, Service } from '../../cluster/client/index.js';
import type { Family } from '../../bgp/index.js';
import type { Advertisement, AgentIntent, ClusterView, DialectName, ExportPolicy, PeerIntent } from './types.js';
import { ip6ToBig, parseDurationMs, ipv4ToNumber as ipv4ToInt, numberToIpv4 as intToIpv4 } from '../../lib/index.js';

export { matchesSelector, type LabelSelector } from '../../lib/index.js';

export const stripMask = (a: string): string => a.replace(/\/\d+$/, '').trim();
export const familyOfAddress = (a: string): Family => (isIP(stripMask(a)) === 6 ? 'ipv6-unicast' : 'ipv4-unicast');
/** A host route: /32 for IPv4, /128 for IPv6. */
export const hostPrefix = (ip: string): string => `${ip}/${isIP(ip) === 6 ? 128 : 32}`;

/** Canonical CIDR text (host bits cleared for IPv4). Returns undefined for garbage. */
export function normalizeCidr(c: string | null | undefined): string | undefined {
  if (typeof c !== 'string' || c.trim() === '') return undefined;
  const [addr, lenText] = c.trim().split('/');
  if (!addr || isIP(addr) === 0) return undefined;
  const max = isIP(addr) === 6 ? 128 : 32;
  const len = lenText === undefined ? max : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > max) return undefined;
  if (max === 128) return `${addr.toLowerCase()}/${len}`;
  const n = ipv4ToInt(addr);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return `${intToIpv4((n & mask) >>> 0)}/${len}`;
}

/**
 * CIDRs of a list field, normalized; an empty, missing or invalid entry is refused with a
 * problem naming the field (e.g. `BGPConfiguration default spec.serviceExternalIPs[1].cidr`).
 */
export function cidrsOf(entries: ReadonlyArray<string | null | undefined>, field: (i: number) => string, problems: string[]): string[] {
  const out: string[] = [];
  entries.forEach((e, i) => {
    const c = normalizeCidr(e);
    if (c) out.push(c);
    else problems.push(typeof e !== 'string' || e.trim() === '' ? `${field(i)}: empty CIDR` : `${field(i)}: "${e}" is not a CIDR`);
  });
  return out;
}

export { ipv4ToInt, intToIpv4 };

/** Whether `ip` is inside `cidr`, either family (an address of the other family never is). */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, lenText] = cidr.split('/');
  const fam = isIP(ip);
  if (fam === 0 || fam !== isIP(net ?? '')) return false;
  if (fam === 6) {
    const len = BigInt(Number(lenText ?? 128));
    const shift = 128n - len;
    return ip6ToBig(ip) >> shift === ip6ToBig(net!) >> shift;
  }
  const len = Number(lenText ?? 32);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(net!) & mask) >>> 0);
}

/** The node's InternalIP addresses (kindlab also records `kindlab.io/node-ip`). */
export function nodeAddresses(n: Node | undefined): { v4?: string; v6?: string } {
  const out: { v4?: string; v6?: string } = {};
  const cands = [...(n?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address), n?.metadata.annotations?.['kindlab.io/node-ip']];
  for (const a of cands) {
    if (!a) continue;
    if (isIP(a) === 4 && !out.v4) out.v4 = a;
    if (isIP(a) === 6 && !out.v6) out.v6 = a;
  }
  return out;
}

export function podCidrs(n: Node | undefined): string[] {
  const s = n?.spec;
  const list = s?.podCIDRs?.length ? s.podCIDRs : s?.podCIDR ? [s.podCIDR] : [];
  return [...new Set(list.map((c) => normalizeCidr(c)).filter((c): c is string => !!c))];
}

export const findNode = (v: ClusterView, name: string): Node | undefined => v.nodes.find((n) => n.metadata.name === name);

export function clusterIPs(s: Service): string[] {
  const ips = s.spec.clusterIPs?.length ? s.spec.clusterIPs : s.spec.clusterIP ? [s.spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None' && isIP(ip) !== 0);
}
export const externalIPs = (s: Service): string[] => (s.spec.externalIPs ?? []).filter((ip) => isIP(ip) !== 0);
export function loadBalancerIPs(s: Service): string[] {
  if (s.spec.type !== 'LoadBalancer') return [];
  return (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => isIP(ip) !== 0);
}
export const svcName = (s: Service): string => `${s.metadata.namespace ?? 'default'}/${s.metadata.name}`;
export const isLocalPolicy = (s: Service): boolean => s.spec.externalTrafficPolicy === 'Local';

/** Nodes with a ready endpoint of the service (EndpointSlices labelled kubernetes.io/service-name). */
export function nodesWithReadyEndpoints(v: ClusterView, s: Service): Set<string> {
  const out = new Set<string>();
  for (const es of v.endpointSlices) {
    if (es.metadata.namespace !== s.metadata.namespace || es.metadata.labels?.['kubernetes.io/service-name'] !== s.metadata.name) continue;
    for (const ep of es.endpoints ?? []) {
      if (ep.conditions?.ready === false || !ep.nodeName) continue;
      out.add(ep.nodeName);
    }
  }
  return out;
}

export function hasLocalEndpoint(v: ClusterView, s: Service, node: string): boolean {
  return nodesWithReadyEndpoints(v, s).has(node);
}

export function podIPs(p: Pod): string[] {
  const list = p.status?.podIPs?.length ? p.status.podIPs.map((x) => x.ip) : p.status?.podIP ? [p.status.podIP] : [];
  return list.filter((ip) => isIP(ip) !== 0);
}

/** "90s", "1m30s", "2h", "120" (seconds), "500ms" → seconds; `fallback` when missing or not a duration (no spaces allowed). */
export function parseDuration(s: string | number | undefined, fallback: number): number {
  if (s === undefined || s === '') return fallback;
  if (typeof s === 'number') return s;
  const ms = /\s/.test(s) ? undefined : parseDurationMs(s);
  return ms === undefined ? fallback : ms / 1000;
}

export function parseBool(s: string | undefined, fallback: boolean): boolean {
  if (s === undefined) return fallback;
  const v = s.trim().toLowerCase();
  if (['true', 'yes', '1', 'on', ''].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  return fallback;
}

/** Secret value (base64 `data` or plain `stringData`). */
export function secretValue(v: ClusterView, namespaces: string[], name: string, key: string): string | undefined {
  for (const ns of namespaces) {
    const s = v.secrets.find((x) => x.metadata.namespace === ns && x.metadata.name === name);
    if (!s) continue;
    if (s.stringData?.[key] !== undefined) return s.stringData[key];
    if (s.data?.[key] !== undefined) return Buffer.from(s.data[key], 'base64').toString('utf8');
  }
  return undefined;
}

export function emptyIntent(dialect: DialectName, node: string, problems: string[] = []): AgentIntent {
  return { dialect, node, localAsn: 0, routerId: '', peers: [], advertise: [], installRoutes: false, ibgpMesh: false, problems };
}

/**
 * The per-peer behaviour of the daemon a dialect stands in for, where it differs from RFC 4271's suggestions.
 *
 * connectRetry: seconds to wait after a failed (e.g. refused) TCP connect before the next one. The first connect
 * is made as soon as the session starts in every dialect; this is only the wait after a failure, so with the
 * RFC's 120 s a router that starts a moment after the agent costs two minutes.
 *   - GoBGP (kube-router, the Kube-OVN speaker): 5 s, GoBGP's default ConnectRetry; neither CNI changes it.
 *   - BIRD as Calico runs it: 5 s. BIRD's own defaults are `connect delay time 5` (before the first attempt) and
 *     `connect retry time 120`, but calico-node's generated bird.cfg sets `connect delay time 2; connect retry
 *     time 5` on every peer. We take the retry; the first attempt is made at once rather than after 2 s.
 *   - Cilium: connectRetryTimeSeconds of the peering policy / CiliumBGPPeerConfig, 120 when unset (its CRD
 *     default); the dialect passes it per peer.
 * exportPolicy: all four CNIs advertise to their external peers only what the node originates (GoBGP export
 *   policies with a default reject in kube-router and Kube-OVN, Cilium's per-peer advertisements, Calico's
 *   export filters); route reflector servers (kube-router rr.server) reflect, which the dialect sets per peer.
 */
export interface DaemonDefaults {
  connectRetry: number;
  exportPolicy: ExportPolicy;
}
export const GOBGP_DEFAULTS: DaemonDefaults = { connectRetry: 5, exportPolicy: 'originated' };
export const CALICO_BIRD_DEFAULTS: DaemonDefaults = { connectRetry: 5, exportPolicy: 'originated' };
export const CILIUM_DEFAULTS: DaemonDefaults = { connectRetry: 120, exportPolicy: 'originated' };

export function peerDefaults(address: string, asn: number, source: string, daemon: DaemonDefaults): PeerIntent {
  return {
    address: stripMask(address),
    asn,
    port: 179,
    holdTime: 90,
    keepalive: 30,
    connectRetry: daemon.connectRetry,
    gracefulRestart: { enabled: false, restartTime: 120 },
    passive: false,
    families: [familyOfAddress(address)],
    nextHopSelf: false,
    keepOriginalNextHop: false,
    rrClient: false,
    exportPolicy: daemon.exportPolicy,
    source,
  };
}

/** Adds `a`, merging communities with an existing entry for the same prefix (first reason kept). */
export function addAdvert(list: Advertisement[], a: Advertisement): void {
  const cur = list.find((x) => x.prefix === a.prefix);
  if (!cur) {
    list.push({ ...a, communities: [...new Set(a.communities)], largeCommunities: [...new Set(a.largeCommunities)] });
    return;
  }
  cur.communities = [...new Set([...cur.communities, ...a.communities])];
  cur.largeCommunities = [...new Set([...cur.largeCommunities, ...a.largeCommunities])];
  if (a.localPref !== undefined && cur.localPref === undefined) cur.localPref = a.localPref;
}

/** Sorted, de-duplicated output so equal intents compare equal. */
export function finish(i: AgentIntent): AgentIntent {
  i.advertise.sort((a, b) => a.prefix.localeCompare(b.prefix));
  // GoBGP (Cilium, kube-router) and FRR (MetalLB, Kube-OVN) keep one neighbor per address: a second one at the
  // same address on another port is refused ("can't overwrite the existing peer"). Calico (BIRD) keeps both.
  const first = new Map<string, PeerIntent>();
  i.peers = i.peers.filter((p) => {
    const had = first.get(p.address);
    if (!had) return (first.set(p.address, p), true);
    if (had.port !== p.port) i.problems.push(`${p.source}: peer ${p.address} port ${p.port} refused: ${had.source} already peers with ${p.address} (port ${had.port}); one neighbor per address`);
    return false;
  }).sort((a, b) => a.address.localeCompare(b.address));
  return i;
}

/** Splits communities into standard (a:b) and large (a:b:c). */
export function splitCommunities(values: string[]): { communities: string[]; largeCommunities: string[] } {
  const communities: string[] = [];
  const largeCommunities: string[] = [];
  for (const v of values.map((x) => x.trim()).filter(Boolean)) (v.split(':').length === 3 ? largeCommunities : communities).push(v);
  return { communities, largeCommunities };
}
