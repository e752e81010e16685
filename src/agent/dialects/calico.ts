/**
 * Calico dialect: crd.projectcalico.org/v1 BGPConfiguration "default" (asNumber, nodeToNodeMeshEnabled,
 * serviceClusterIPs / serviceExternalIPs / serviceLoadBalancerIPs, communities, prefixAdvertisements) and BGPPeer
 * (peerIP, asNumber, node, nodeSelector, peerSelector, password.secretKeyRef, keepOriginalNextHop, maxRestartTime).
 * Service ranges are advertised whole from every node; a Service with externalTrafficPolicy Local also gets a
 * /32 (/128) from each node with a ready local endpoint. Timers are BIRD's (hold 240 s, keepalive 80 s); connect
 * retry 5 s and export of the node's own routes only, as calico-node configures BIRD (common.ts CALICO_BIRD_DEFAULTS).
 */
import { isIP } from 'node:net';
import type { KubeObject, Node } from '../../cluster/client/types.js';
import { parseCalicoSelector } from './calico-selector.js';
import {
  addAdvert, clusterIPs, emptyIntent, externalIPs, finish, findNode, hasLocalEndpoint, hostPrefix, inCidr, loadBalancerIPs, nodeAddresses,
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
    maxRestartTime?: string;
    keepaliveTime?: string;
  };
}

export type CalicoOptions = Record<string, never>;

const DEFAULT_ASN = 64512;
const SECRET_NAMESPACES = ['calico-system', 'kube-system'];

/** The node's ASN: annotation projectcalico.org/ASNumber, else the global asNumber. */
function nodeAsn(n: Node | undefined, global: number): number {
  const a = Number(n?.metadata.annotations?.['projectcalico.org/ASNumber']);
  return Number.isInteger(a) && a > 0 ? a : global;
}

/** The node's BGP address: annotation projectcalico.org/IPv4Address ("10.0.1.2/24"), else its InternalIP. */
function nodeIp(n: Node | undefined): string | undefined {
  const a = n?.metadata.annotations?.['projectcalico.org/IPv4Address'];
  return a ? stripMask(a) : nodeAddresses(n).v4;
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
  try {
    return parseCalicoSelector(expr)(labels ?? {});
  } catch (e) {
    problems.push(`${who}: ${errorMessage(e)}`);
    return false;
  }
}

function peerFrom(bp: BgpPeer, address: string, port: number, asn: number, v: ClusterView, problems: string[]): PeerIntent {
  const s = bp.spec ?? {};
  const p = peerDefaults(address, asn, `BGPPeer ${bp.metadata.name}`, CALICO_BIRD_DEFAULTS);
  p.port = port;
  p.holdTime = 240;
  p.keepalive = parseDuration(s.keepaliveTime, 80);
  p.gracefulRestart = { enabled: true, restartTime: parseDuration(s.maxRestartTime, 120) };
  p.keepOriginalNextHop = s.keepOriginalNextHop ?? false;
  const ref = s.password?.secretKeyRef;
  if (ref) {
    p.password = secretValue(v, SECRET_NAMESPACES, ref.name, ref.key);
    if (p.password === undefined) problems.push(`BGPPeer ${bp.metadata.name}: secret ${ref.name} key ${ref.key} not found in ${SECRET_NAMESPACES.join(' or ')}`);
  }
  return p;
}

/** Communities from BGPConfiguration prefixAdvertisements that cover `prefix` (names resolved via `communities`). */
function communitiesFor(prefix: string, cfg: BgpConfiguration['spec']): { communities: string[]; largeCommunities: string[] } {
  const named = new Map((cfg?.communities ?? []).map((c) => [c.name, c.value]));
  const vals: string[] = [];
  const [addr, len] = prefix.split('/');
  for (const pa of cfg?.prefixAdvertisements ?? []) {
    const c = normalizeCidr(pa.cidr);
    if (!c || !inCidr(addr!, c) || Number(len) < Number(c.split('/')[1])) continue;
    for (const x of pa.communities ?? []) vals.push(named.get(x) ?? x);
  }
  return splitCommunities(vals);
}

export function computeCalico(v: ClusterView, nodeName: string): AgentIntent {
  const node = findNode(v, nodeName);
  if (!node) return emptyIntent('calico', nodeName, [`node ${nodeName} not found`]);
  const problems: string[] = [];
  const cfgObj = ((v.objects.BGPConfiguration ?? []) as BgpConfiguration[]).find((c) => c.metadata.name === 'default');
  const cfg = cfgObj?.spec ?? {};
  const globalAsn = cfg.asNumber ?? DEFAULT_ASN;
  const myIp = nodeIp(node);
  const intent: AgentIntent = {
    dialect: 'calico', node: nodeName, localAsn: nodeAsn(node, globalAsn), routerId: myIp ?? '', peers: [], advertise: [],
    installRoutes: false, ibgpMesh: cfg.nodeToNodeMeshEnabled ?? true, problems,
  };
  if (!myIp) problems.push(`node ${nodeName} has no IPv4 address (projectcalico.org/IPv4Address or InternalIP)`);
  if (intent.ibgpMesh) {
    for (const other of v.nodes) {
      const ip = nodeIp(other);
      if (other.metadata.name === nodeName || !ip) continue;
      const p = peerDefaults(ip, nodeAsn(other, globalAsn), 'node-to-node mesh', CALICO_BIRD_DEFAULTS);
      p.holdTime = 240;
      p.keepalive = 80;
      p.gracefulRestart = { enabled: true, restartTime: 120 };
      intent.peers.push(p);
    }
  }
  for (const bp of (v.objects.BGPPeer ?? []) as BgpPeer[]) {
    const s = bp.spec ?? {};
    const who = `BGPPeer ${bp.metadata.name}`;
    if (s.node !== undefined && s.node !== nodeName) continue;
    if (!selects(s.nodeSelector, node.metadata.labels, problems, who)) continue;
    if (s.peerIP) {
      const { address, port } = parsePeerIP(s.peerIP);
      if (s.asNumber === undefined) problems.push(`${who}: peerIP without asNumber`);
      else if (address !== myIp) intent.peers.push(peerFrom(bp, address, port, s.asNumber, v, problems));
    }
    if (s.peerSelector !== undefined) {
      for (const other of v.nodes) {
        const ip = nodeIp(other);
        if (other.metadata.name === nodeName || !ip || !selects(s.peerSelector, other.metadata.labels, problems, who)) continue;
        intent.peers.push(peerFrom(bp, ip, 179, nodeAsn(other, globalAsn), v, problems));
      }
    }
  }
  const add = (a: Omit<Advertisement, 'communities' | 'largeCommunities'>) => addAdvert(intent.advertise, { ...a, ...communitiesFor(a.prefix, cfg) });
  for (const c of podCidrs(node)) add({ prefix: c, reason: 'pod CIDR' });
  const ranges: Array<[string, Array<{ cidr: string }> | null | undefined, (s: Parameters<typeof clusterIPs>[0]) => string[]]> = [
    ['clusterIP', cfg.serviceClusterIPs, clusterIPs],
    ['externalIP', cfg.serviceExternalIPs, externalIPs],
    ['loadBalancerIP', cfg.serviceLoadBalancerIPs, loadBalancerIPs],
  ];
  const fieldOf: Record<string, string> = { clusterIP: 'serviceClusterIPs', externalIP: 'serviceExternalIPs', loadBalancerIP: 'serviceLoadBalancerIPs' };
  for (const [what, list, ipsOf] of ranges) {
    const cidrs = cidrsOf((list ?? []).map((x) => x?.cidr), (i) => `BGPConfiguration spec.${fieldOf[what]}[${i}].cidr`, problems);
    for (const c of cidrs) add({ prefix: c, reason: `BGPConfiguration service ${what} range` });
    for (const s of v.services) {
      if (s.spec.externalTrafficPolicy !== 'Local' || !hasLocalEndpoint(v, s, nodeName)) continue;
      for (const ip of ipsOf(s)) if (cidrs.some((c) => inCidr(ip, c))) add({ prefix: hostPrefix(ip), reason: `service ${svcName(s)} ${what} (eTP Local)` });
    }
  }
  return finish(intent);
}

export const calico: Dialect<CalicoOptions> = {
  name: 'calico',
  kinds: [
    { kind: 'BGPConfiguration', apiVersion: 'crd.projectcalico.org/v1', plural: 'bgpconfigurations', namespaced: false },
    { kind: 'BGPPeer', apiVersion: 'crd.projectcalico.org/v1', plural: 'bgppeers', namespaced: false },
  ],
  parseFlags: () => ({}),
  compute: (v, nodeName) => computeCalico(v, nodeName),
};
