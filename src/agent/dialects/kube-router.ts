/**
 * kube-router dialect: its router flags (with kube-router's defaults), node annotations (kube-router.io/node.asn,
 * peer.ips/peer.asns/peer.passwords/peer.ports, kube-router.io/peers, rr.server/rr.client, path-prepend,
 * node.bgp.communities) and per-service annotations (service.advertise.clusterip/externalip/loadbalancerip,
 * service.local). iBGP full mesh between nodes of the same ASN, route reflector roles; learned routes go to the FIB.
 */
import YAML from 'yaml';
import type { Node } from '../../cluster/client/types.js';
import { parseFlagArgs, list } from './flags.js';
import {
  addAdvert, clusterIPs, emptyIntent, externalIPs, finish, findNode, hasLocalEndpoint, hostPrefix, loadBalancerIPs, nodeAddresses,
  GOBGP_DEFAULTS, parseBool, parseDuration, peerDefaults, podCidrs, splitCommunities, svcName,
} from './common.js';
import type { Advertisement, AgentIntent, ClusterView, Dialect, PeerIntent } from './types.js';
import { errorMessage } from '../../errors.js';

export interface KubeRouterOptions {
  runRouter: boolean;
  advertisePodCidr: boolean;
  advertiseClusterIp: boolean;
  advertiseExternalIp: boolean;
  advertiseLoadBalancerIp: boolean;
  clusterAsn?: number;
  peerRouterIps: string[];
  peerRouterAsns: number[];
  peerRouterPasswords: string[];
  peerRouterPorts: number[];
  peerRouterMultihopTtl?: number;
  nodesFullMesh: boolean;
  enableIbgp: boolean;
  gracefulRestart: boolean;
  gracefulRestartTime: number;
  holdTime: number;
  overrideNexthop: boolean;
  routerId?: string;
}

const BOOLS = new Set(['run-router', 'advertise-pod-cidr', 'advertise-cluster-ip', 'advertise-external-ip', 'advertise-loadbalancer-ip', 'nodes-full-mesh', 'enable-ibgp', 'bgp-graceful-restart', 'override-nexthop', 'run-firewall', 'run-service-proxy', 'enable-overlay', 'enable-pod-egress']);

export function parseKubeRouterFlags(argv: string[]): KubeRouterOptions {
  const f = parseFlagArgs(argv, BOOLS);
  const b = (k: string, d: boolean) => parseBool(f.get(k), d);
  const nums = (k: string) => list(f.get(k)).map(Number);
  const asn = f.get('cluster-asn');
  const ttl = f.get('peer-router-multihop-ttl');
  return {
    runRouter: b('run-router', true),
    advertisePodCidr: b('advertise-pod-cidr', true),
    advertiseClusterIp: b('advertise-cluster-ip', false),
    advertiseExternalIp: b('advertise-external-ip', false),
    advertiseLoadBalancerIp: b('advertise-loadbalancer-ip', false),
    clusterAsn: asn ? Number(asn) : undefined,
    peerRouterIps: list(f.get('peer-router-ips')),
    peerRouterAsns: nums('peer-router-asns'),
    peerRouterPasswords: list(f.get('peer-router-passwords')),
    peerRouterPorts: nums('peer-router-ports'),
    peerRouterMultihopTtl: ttl ? Number(ttl) : undefined,
    nodesFullMesh: b('nodes-full-mesh', true),
    enableIbgp: b('enable-ibgp', true),
    gracefulRestart: b('bgp-graceful-restart', false),
    gracefulRestartTime: parseDuration(f.get('bgp-graceful-restart-time'), 90),
    holdTime: parseDuration(f.get('bgp-holdtime'), 90),
    overrideNexthop: b('override-nexthop', false),
    routerId: f.get('router-id'),
  };
}

const A = 'kube-router.io/';
const ann = (n: Node | undefined, k: string): string | undefined => n?.metadata.annotations?.[A + k];
const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

function asnOf(n: Node | undefined, o: KubeRouterOptions): number {
  const a = Number(ann(n, 'node.asn'));
  return Number.isInteger(a) && a > 0 ? a : (o.clusterAsn ?? 64512);
}

function basePeer(address: string, asn: number, o: KubeRouterOptions, source: string): PeerIntent {
  // GoBGP's behaviour: 5 s connect retry, only our own routes to a peer (the route reflector case is in meshPeers).
  const p = peerDefaults(address, asn, source, GOBGP_DEFAULTS);
  p.holdTime = o.holdTime;
  p.keepalive = Math.max(1, Math.floor(o.holdTime / 3));
  p.gracefulRestart = { enabled: o.gracefulRestart, restartTime: o.gracefulRestartTime };
  p.nextHopSelf = o.overrideNexthop;
  return p;
}

/** External peers: flags for every node, plus this node's annotations. */
function externalPeers(node: Node, o: KubeRouterOptions, problems: string[]): PeerIntent[] {
  const out: PeerIntent[] = [];
  const add = (ips: string[], asns: number[], pws: string[], ports: number[], source: string) => {
    if (ips.length !== asns.length) {
      problems.push(`${source}: ${ips.length} peer IPs but ${asns.length} ASNs`);
      return;
    }
    ips.forEach((ip, i) => {
      const p = basePeer(ip, asns[i]!, o, source);
      if (pws[i]) p.password = b64(pws[i]!);
      if (ports[i]) p.port = ports[i]!;
      if (o.peerRouterMultihopTtl !== undefined && o.peerRouterMultihopTtl > 1) p.multihopTtl = o.peerRouterMultihopTtl;
      out.push(p);
    });
  };
  add(o.peerRouterIps, o.peerRouterAsns, o.peerRouterPasswords, o.peerRouterPorts, 'flags --peer-router-ips');
  add(list(ann(node, 'peer.ips')), list(ann(node, 'peer.asns')).map(Number), list(ann(node, 'peer.passwords')), list(ann(node, 'peer.ports')).map(Number), 'annotation kube-router.io/peer.ips');
  const peersYaml = ann(node, 'peers');
  if (peersYaml) {
    try {
      const arr = (YAML.parse(peersYaml) ?? []) as Array<{ remoteip?: string; remoteasn?: number; password?: string; remoteport?: number }>;
      add(arr.map((x) => String(x.remoteip ?? '')), arr.map((x) => Number(x.remoteasn)), arr.map((x) => x.password ?? ''), arr.map((x) => Number(x.remoteport ?? 0)), 'annotation kube-router.io/peers');
    } catch (e) {
      problems.push(`annotation kube-router.io/peers: ${errorMessage(e)}`);
    }
  }
  return out;
}

function meshPeers(v: ClusterView, node: Node, asn: number, o: KubeRouterOptions): PeerIntent[] {
  if (!o.enableIbgp) return [];
  const meServer = ann(node, 'rr.server');
  const meClient = ann(node, 'rr.client');
  const out: PeerIntent[] = [];
  for (const other of v.nodes) {
    const ip = nodeAddresses(other).v4;
    if (other.metadata.name === node.metadata.name || !ip || asnOf(other, o) !== asn) continue;
    const server = ann(other, 'rr.server');
    const client = ann(other, 'rr.client');
    let peer = false;
    if (meServer !== undefined) peer = true;
    else if (meClient !== undefined) peer = server !== undefined;
    else peer = server !== undefined || (o.nodesFullMesh && client === undefined);
    if (!peer) continue;
    const p = basePeer(ip, asn, o, meServer !== undefined && client !== undefined ? 'route reflector client' : 'iBGP node mesh');
    p.rrClient = meServer !== undefined && client !== undefined;
    // A route reflector server passes routes on to its iBGP peers (clients, and the other servers for the
    // clients' routes); every other node sends its peers only its own routes, as kube-router's export policy does.
    if (meServer !== undefined) p.exportPolicy = 'all';
    out.push(p);
  }
  return out;
}

function serviceAdverts(v: ClusterView, nodeName: string, o: KubeRouterOptions, attrs: Omit<Advertisement, 'prefix' | 'reason'>): Advertisement[] {
  const out: Advertisement[] = [];
  for (const s of v.services) {
    if (s.spec.type === 'ExternalName') continue;
    const sa = s.metadata.annotations ?? {};
    const local = parseBool(sa[`${A}service.local`], false) || s.spec.externalTrafficPolicy === 'Local';
    if (local && !hasLocalEndpoint(v, s, nodeName)) continue;
    const kinds: Array<[string, boolean, string[]]> = [
      ['clusterIP', parseBool(sa[`${A}service.advertise.clusterip`], o.advertiseClusterIp), clusterIPs(s)],
      ['externalIP', parseBool(sa[`${A}service.advertise.externalip`], o.advertiseExternalIp), externalIPs(s)],
      ['loadBalancerIP', parseBool(sa[`${A}service.advertise.loadbalancerip`], o.advertiseLoadBalancerIp), loadBalancerIPs(s)],
    ];
    for (const [what, on, ips] of kinds) {
      if (!on) continue;
      for (const ip of ips) out.push({ prefix: hostPrefix(ip), ...attrs, reason: `service ${svcName(s)} ${what}${local ? ' (local)' : ''}` });
    }
  }
  return out;
}

export function computeKubeRouter(v: ClusterView, nodeName: string, o: KubeRouterOptions): AgentIntent {
  if (!o.runRouter) return emptyIntent('kube-router', nodeName, ['--run-router=false: BGP is off']);
  const node = findNode(v, nodeName);
  if (!node) return emptyIntent('kube-router', nodeName, [`node ${nodeName} not found`]);
  const problems: string[] = [];
  const asn = asnOf(node, o);
  const routerId = o.routerId ?? nodeAddresses(node).v4 ?? '';
  const server = ann(node, 'rr.server');
  const intent: AgentIntent = {
    dialect: 'kube-router', node: nodeName, localAsn: asn, routerId, peers: [], advertise: [], installRoutes: true,
    ibgpMesh: o.enableIbgp && o.nodesFullMesh, problems, ...(server !== undefined ? { routeReflector: { clusterId: server } } : {}),
  };
  intent.peers.push(...meshPeers(v, node, asn, o), ...externalPeers(node, o, problems));
  const prependAs = Number(ann(node, 'path-prepend.as'));
  const prependN = Number(ann(node, 'path-prepend.repeat-n') ?? 1);
  const attrs: Omit<Advertisement, 'prefix' | 'reason'> = {
    ...splitCommunities(list(ann(node, 'node.bgp.communities'))),
    ...(Number.isInteger(prependAs) && prependAs > 0 ? { asPathPrepend: { asn: prependAs, count: Number.isInteger(prependN) && prependN > 0 ? prependN : 1 } } : {}),
  };
  if (o.advertisePodCidr) for (const c of podCidrs(node)) addAdvert(intent.advertise, { prefix: c, ...attrs, reason: 'pod CIDR' });
  for (const a of serviceAdverts(v, nodeName, o, attrs)) addAdvert(intent.advertise, a);
  return finish(intent);
}

export const kubeRouter: Dialect<KubeRouterOptions> = {
  name: 'kube-router',
  kinds: [],
  parseFlags: parseKubeRouterFlags,
  compute: computeKubeRouter,
};
