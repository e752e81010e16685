/**
 * kube-router dialect: its router flags (with kube-router's defaults), node annotations (kube-router.io/node.asn,
 * peer.ips/peer.asns/peer.passwords/peer.ports, kube-router.io/peers, rr.server/rr.client, path-prepend,
 * node.bgp.communities) and per-service annotations (service.advertise.clusterip/externalip/loadbalancerip,
 * service.local). iBGP full mesh between nodes of the same ASN, route reflector roles; learned routes go to the FIB.
 * `--run-loadbalancer` with `--loadbalancer-ip-range` allocates LoadBalancer addresses as kube-router's lballoc
 * controller does: the intent carries the statuses to write, and the agent holding the kube-router-lballoc Lease writes them.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Node } from '../../cluster/client/index.js';
import { planKubeRouterLb } from '../../cluster/controllers/index.js';
import { KindlabError, errorMessage } from '../../errors.js';
import { parseFlagArgs, list } from './flags.js';
import { clusterAsnOk, parseCommunity, positional, positionalPeers, yamlPeers, type KrPeer } from './kube-router-peers.js';
import {
  addAdvert, clusterIPs, emptyIntent, externalIPs, finish, findNode, hasLocalEndpoint, hostPrefix, loadBalancerIPs, nodeAddresses,
  GOBGP_DEFAULTS, normalizeCidr, parseBool, parseDuration, peerDefaults, podCidrs, svcName,
} from './common.js';
import type { Advertisement, AgentIntent, ClusterView, Dialect, PeerIntent } from './types.js';

export interface KubeRouterOptions {
  runRouter: boolean;
  advertisePodCidr: boolean;
  advertiseClusterIp: boolean;
  advertiseExternalIp: boolean;
  advertiseLoadBalancerIp: boolean;
  clusterAsn?: number;
  peerRouterIps: string[];
  peerRouterAsns: number[];
  /** Decoded, positional ('' = no password for that peer). */
  peerRouterPasswords: string[];
  peerRouterPorts: number[];
  /** The validated global peers (--peer-router-*); when any exist, node peer annotations are not read. */
  globalPeers: KrPeer[];
  peerRouterMultihopTtl?: number;
  nodesFullMesh: boolean;
  enableIbgp: boolean;
  gracefulRestart: boolean;
  gracefulRestartTime: number;
  holdTime: number;
  overrideNexthop: boolean;
  routerId?: string;
  /** kube-router's LoadBalancer allocator (--run-loadbalancer, --loadbalancer-ip-range, --loadbalancer-default-class). */
  runLoadBalancer: boolean;
  loadBalancerIpRanges: string[];
  loadBalancerDefaultClass: boolean;
}

const BOOLS = new Set(['run-loadbalancer', 'loadbalancer-default-class', 'run-router', 'advertise-pod-cidr', 'advertise-cluster-ip', 'advertise-external-ip', 'advertise-loadbalancer-ip', 'nodes-full-mesh', 'enable-ibgp', 'bgp-graceful-restart', 'override-nexthop', 'run-firewall', 'run-service-proxy', 'enable-overlay', 'enable-pod-egress']);

const refuse = (flag: string, why: string): never => {
  throw new KindlabError('BGP_CONFIG', `kube-router flag --${flag}: ${why}`, { hint: 'kube-router refuses to start with this value' });
};

/** kube-router's flags; values kube-router refuses at startup are refused here (KindlabError naming the flag). */
export function parseKubeRouterFlags(argv: string[]): KubeRouterOptions {
  const f = parseFlagArgs(argv, BOOLS);
  const b = (k: string, d: boolean) => parseBool(f.get(k), d);
  const asnText = f.get('cluster-asn');
  const asn = asnText === undefined || asnText === '0' ? undefined : Number(asnText);
  if (asn !== undefined && !clusterAsnOk(asn)) refuse('cluster-asn', `invalid ASN number for cluster ASN: "${asnText}"`);
  const ttlText = f.get('peer-router-multihop-ttl');
  const ttl = ttlText === undefined ? undefined : Number(ttlText);
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 0 && ttl <= 255)) refuse('peer-router-multihop-ttl', `"${ttlText}" is not a TTL (0-255)`);
  const holdTime = parseDuration(f.get('bgp-holdtime'), 90);
  if (!(holdTime >= 3 && holdTime <= 65536)) refuse('bgp-holdtime', 'holdtime must be in the range 3s to 18h12m16s');
  for (const ip of positional(f.get('peer-router-ips'))) if (isIP(ip) === 0) refuse('peer-router-ips', `invalid argument "${ip}": not an IP address`);
  for (const a of positional(f.get('peer-router-asns'))) if (!/^\d+$/.test(a)) refuse('peer-router-asns', `invalid argument "${a}": not an unsigned integer`);
  for (const p of positional(f.get('peer-router-ports'))) if (!/^\d+$/.test(p)) refuse('peer-router-ports', `invalid argument "${p}": not an unsigned integer`);
  // Passwords on the command line win over --peer-router-passwords-file (same comma-separated base64 format).
  let pwText = f.get('peer-router-passwords');
  const pwFile = f.get('peer-router-passwords-file');
  if (!pwText && pwFile) {
    try {
      pwText = readFileSync(pwFile, 'utf8').trim();
    } catch (e) {
      refuse('peer-router-passwords-file', `error loading peer passwords file: ${errorMessage(e)}`);
    }
  }
  // --loadbalancer-ip-range is a string slice: repeated or comma-separated; kube-router refuses a bad CIDR at start.
  const lbRanges = sliceFlag(argv, 'loadbalancer-ip-range');
  for (const c of lbRanges) if (!normalizeCidr(c)) refuse('loadbalancer-ip-range', `invalid CIDR address: ${c}`);
  const ips = positional(f.get('peer-router-ips'));
  const asns = positional(f.get('peer-router-asns'));
  const ports = positional(f.get('peer-router-ports'));
  const passwords = positional(pwText);
  const built = positionalPeers({ ips, asns, ports, passwords, localIps: [] }, 'flags --peer-router-ips/--peer-router-asns');
  if (built.error) refuse('peer-router-ips', built.error);
  return {
    runRouter: b('run-router', true),
    advertisePodCidr: b('advertise-pod-cidr', true),
    advertiseClusterIp: b('advertise-cluster-ip', false),
    advertiseExternalIp: b('advertise-external-ip', false),
    advertiseLoadBalancerIp: b('advertise-loadbalancer-ip', false),
    clusterAsn: asn,
    peerRouterIps: built.peers.map((p) => p.ip),
    peerRouterAsns: built.peers.map((p) => p.asn),
    peerRouterPasswords: built.peers.map((p) => p.password ?? ''),
    peerRouterPorts: built.peers.map((p) => p.port),
    globalPeers: built.peers,
    peerRouterMultihopTtl: ttl,
    nodesFullMesh: b('nodes-full-mesh', true),
    enableIbgp: b('enable-ibgp', true),
    gracefulRestart: b('bgp-graceful-restart', false),
    gracefulRestartTime: parseDuration(f.get('bgp-graceful-restart-time'), 90),
    holdTime,
    overrideNexthop: b('override-nexthop', false),
    routerId: f.get('router-id'),
    runLoadBalancer: b('run-loadbalancer', false),
    loadBalancerIpRanges: lbRanges.map((c) => normalizeCidr(c)!),
    loadBalancerDefaultClass: b('loadbalancer-default-class', true),
  };
}

/** Every value of a repeatable string-slice flag (`--x=a,b --x c`). */
function sliceFlag(argv: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith(`--${name}=`)) out.push(...list(a.slice(name.length + 3)));
    else if (a === `--${name}` && i + 1 < argv.length) out.push(...list(argv[++i]));
  }
  return out;
}

/**
 * kube-router's allocator: the addresses to write, and why a service gets none (in problems). Every node plans the
 * same; the agent writes only while it holds the kube-router-lballoc Lease, as kube-router's leader election does.
 */
function lbAllocation(v: ClusterView, o: KubeRouterOptions, intent: AgentIntent): void {
  if (!o.runLoadBalancer) return;
  intent.lbStatus = [];
  const plan = planKubeRouterLb(v.services as unknown as Parameters<typeof planKubeRouterLb>[0], { ranges: o.loadBalancerIpRanges, defaultClass: o.loadBalancerDefaultClass });
  for (const [key, d] of plan) {
    const [namespace, name] = key.split('/') as [string, string];
    if ('ips' in d) intent.lbStatus.push({ namespace, name, ips: d.ips });
    else intent.problems.push(`service ${key}: no LoadBalancer address (--run-loadbalancer): ${d.error}`);
  }
}

const A = 'kube-router.io/';
const ann = (n: Node | undefined, k: string): string | undefined => n?.metadata.annotations?.[A + k];

/** The node's ASN: kube-router.io/node.asn, else --cluster-asn, else 64512; undefined when the annotation is not a uint32. */
function asnOf(n: Node | undefined, o: KubeRouterOptions): number | undefined {
  const t = ann(n, 'node.asn');
  if (t === undefined) return o.clusterAsn ?? 64512;
  const a = /^\s*\d+\s*$/.test(t) ? Number(t) : NaN;
  return Number.isInteger(a) && a >= 1 && a <= 4294967295 ? a : undefined;
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

/**
 * External peers: the global peers of the flags; only when there are none, this node's annotations — the
 * kube-router.io/peers YAML, or else the deprecated positional peer.ips/asns/ports/passwords/localips. A bad
 * annotation refuses all of that annotation's peers (kube-router stops there) and names the field.
 */
function externalPeers(node: Node, o: KubeRouterOptions, problems: string[]): PeerIntent[] {
  let peers: KrPeer[] = o.globalPeers;
  let source = 'flags --peer-router-ips';
  if (peers.length === 0) {
    const where = `node ${node.metadata.name}: annotation ${A}`;
    const yamlText = ann(node, 'peers');
    const r = yamlText !== undefined
      ? yamlPeers(yamlText, `${where}peers`)
      : ann(node, 'peer.ips') !== undefined || ann(node, 'peer.asns') !== undefined
        ? positionalPeers({ ips: positional(ann(node, 'peer.ips')), asns: positional(ann(node, 'peer.asns')), ports: positional(ann(node, 'peer.ports')), passwords: positional(ann(node, 'peer.passwords')), localIps: positional(ann(node, 'peer.localips')) }, `${where}peer.ips/peer.asns`)
        : { peers: [] };
    if (r.error) problems.push(r.error);
    peers = r.peers;
    source = yamlText !== undefined ? `annotation ${A}peers` : `annotation ${A}peer.ips`;
  }
  return peers.map((x) => {
    const p = basePeer(x.ip, x.asn, o, source);
    if (x.password) p.password = x.password;
    p.port = x.port;
    if (x.localIp) p.localAddress = x.localIp;
    if (o.peerRouterMultihopTtl !== undefined && o.peerRouterMultihopTtl > 1) p.multihopTtl = o.peerRouterMultihopTtl;
    return p;
  });
}

function meshPeers(v: ClusterView, node: Node, asn: number, o: KubeRouterOptions): PeerIntent[] {
  if (!o.enableIbgp) return [];
  const meServer = ann(node, 'rr.server');
  const meClient = ann(node, 'rr.client');
  const out: PeerIntent[] = [];
  for (const other of v.nodes) {
    const ip = nodeAddresses(other).v4;
    if (other.metadata.name === node.metadata.name || !ip || asnOf(other, o) === undefined || asnOf(other, o) !== asn) continue;
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

/** Annotations that change kube-router's BGP but have no counterpart in the agent: validated, then said once. */
function nodeNotes(node: Node, problems: string[]): void {
  const name = node.metadata.name;
  const reject = ann(node, 'node.bgp.customimportreject');
  if (reject !== undefined) {
    const bad = list(reject).filter((c) => !normalizeCidr(c));
    if (bad.length) problems.push(`node ${name}: annotation ${A}node.bgp.customimportreject: "${bad[0]}" is not a CIDR`);
    else problems.push(`node ${name}: annotation ${A}node.bgp.customimportreject (${list(reject).join(', ')}) not applied: the agent has no import filter; learned routes in these CIDRs are still accepted`);
  }
  const local = ann(node, 'bgp-local-addresses');
  if (local !== undefined) {
    const bad = list(local).filter((a) => isIP(a) === 0);
    if (bad.length) problems.push(`node ${name}: annotation ${A}bgp-local-addresses: could not parse "${bad[0]}" as an IP`);
    else problems.push(`node ${name}: annotation ${A}bgp-local-addresses (${list(local).join(', ')}) not applied: the agent listens on all addresses`);
  }
}

export function computeKubeRouter(v: ClusterView, nodeName: string, o: KubeRouterOptions): AgentIntent {
  if (!o.runRouter) return emptyIntent('kube-router', nodeName, ['--run-router=false: BGP is off']);
  const node = findNode(v, nodeName);
  if (!node) return emptyIntent('kube-router', nodeName, [`node ${nodeName} not found`]);
  const problems: string[] = [];
  const asn = asnOf(node, o);
  if (asn === undefined) return emptyIntent('kube-router', nodeName, [`node ${nodeName}: annotation ${A}node.asn "${ann(node, 'node.asn')}" is not an ASN: failed to parse ASN number specified for the node, BGP not started`]);
  const routerId = o.routerId ?? nodeAddresses(node).v4 ?? '';
  const server = ann(node, 'rr.server');
  const intent: AgentIntent = {
    dialect: 'kube-router', node: nodeName, localAsn: asn, routerId, peers: [], advertise: [], installRoutes: true,
    ibgpMesh: o.enableIbgp && o.nodesFullMesh, problems, ...(server !== undefined ? { routeReflector: { clusterId: server } } : {}),
  };
  intent.peers.push(...meshPeers(v, node, asn, o), ...externalPeers(node, o, problems));
  const prependAs = Number(ann(node, 'path-prepend.as'));
  const prependN = Number(ann(node, 'path-prepend.repeat-n') ?? 1);
  const communities: string[] = [];
  const largeCommunities: string[] = [];
  for (const c of list(ann(node, 'node.bgp.communities'))) {
    const r = parseCommunity(c);
    if (!r) problems.push(`node ${nodeName}: annotation ${A}node.bgp.communities: failed to parse "${c}" as community, skipped`);
    if (r?.standard) communities.push(r.standard);
    if (r?.large) largeCommunities.push(r.large);
  }
  nodeNotes(node, problems);
  const attrs: Omit<Advertisement, 'prefix' | 'reason'> = {
    communities,
    largeCommunities,
    ...(Number.isInteger(prependAs) && prependAs > 0 ? { asPathPrepend: { asn: prependAs, count: Number.isInteger(prependN) && prependN > 0 ? prependN : 1 } } : {}),
  };
  if (o.advertisePodCidr) for (const c of podCidrs(node)) addAdvert(intent.advertise, { prefix: c, ...attrs, reason: 'pod CIDR' });
  for (const a of serviceAdverts(v, nodeName, o, attrs)) addAdvert(intent.advertise, a);
  lbAllocation(v, o, intent);
  return finish(intent);
}

export const kubeRouter: Dialect<KubeRouterOptions> = {
  name: 'kube-router',
  kinds: [],
  parseFlags: parseKubeRouterFlags,
  compute: computeKubeRouter,
};
