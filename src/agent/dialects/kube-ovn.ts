/**
 * Kube-OVN speaker dialect: kube-ovn-speaker flags (--neighbor-address, --neighbor-ipv6-address, --neighbor-as,
 * --cluster-as, --announce-cluster-ip, --auth-password, --holdtime, --graceful-restart*, --passivemode,
 * --ebgp-multihop, --router-id); only nodes labelled ovn.kubernetes.io/bgp=true speak. The annotation
 * ovn.kubernetes.io/bgp on pods (pod /32), Subnets (the CIDR) and Services (ClusterIP /32 with
 * --announce-cluster-ip): `true`/`yes`/`cluster` = every speaker announces, `local` = only the pod's node, per pod.
 * IptablesEIPs annotated ovn.kubernetes.io/bgp (`kubectl annotate eip sample ovn.kubernetes.io/bgp=true`) are
 * announced as /32 by the speaker on the node running their VPC NAT gateway pod (kube-system/vpc-nat-gw-<natGwDp>-N),
 * where Kube-OVN's BGP sidecar would announce them.
 */
import { isIP } from 'node:net';
import type { KubeObject } from '../../cluster/client/index.js';
import { KindlabError } from '../../errors.js';
import { parseFlagArgs, list } from './flags.js';
import {
  addAdvert, clusterIPs, emptyIntent, finish, findNode, GOBGP_DEFAULTS, hostPrefix, inCidr, nodeAddresses, normalizeCidr, parseBool, parseDuration, peerDefaults, podIPs, svcName,
} from './common.js';
import type { AgentIntent, ClusterView, Dialect } from './types.js';

export interface KubeOvnOptions {
  neighborAddresses: string[];
  neighborIpv6Addresses: string[];
  neighborAs: number;
  clusterAs: number;
  announceClusterIp: boolean;
  authPassword?: string;
  holdTime: number;
  gracefulRestart: boolean;
  gracefulRestartTime: number;
  passiveMode: boolean;
  ebgpMultihop: number;
  routerId?: string;
  /** --enable-bfd with --bfd-min-tx / --bfd-min-rx (ms) and --bfd-detection-multiplier, as the speaker takes them. */
  bfd: { enabled: boolean; minTxMs: number; minRxMs: number; multiplier: number };
  /** Namespace of the VPC NAT gateway pods (--vpc-nat-gw-namespace, default kube-system). */
  vpcNatGwNamespace: string;
}

const BOOLS = new Set(['announce-cluster-ip', 'graceful-restart', 'passivemode', 'enable-bfd', 'extended-nexthop', 'nat-gw-mode', 'node-route-eip-mode', 'enable-lb-svc-announce', 'enable-metrics']);

const uintFlag = (f: Map<string, string>, k: string, d: number, max: number): number => {
  const t = f.get(k);
  if (t === undefined) return d;
  if (!/^\d+$/.test(t.trim()) || Number(t) > max) throw new KindlabError('BGP_CONFIG', `kube-ovn-speaker flag --${k}: invalid argument "${t}"`, { hint: 'kube-ovn-speaker exits on this value' });
  return Number(t);
};
const ANN = 'ovn.kubernetes.io/bgp';

/**
 * kube-ovn-speaker's flags with its checks: it exits with "missing required flags: …" without a neighbor
 * address, --cluster-as or --neighbor-as (the chart's defaults give none), and on a holdtime outside 3s-65536s,
 * an ebgp-multihop of 0, an IPv6 --neighbor-address, an IPv4 --neighbor-ipv6-address or bad BFD values.
 * Those are refused here with the same words (KindlabError BGP_CONFIG), so the agent does not start.
 */
export function parseKubeOvnFlags(argv: string[]): KubeOvnOptions {
  const f = parseFlagArgs(argv, BOOLS);
  const fail = (m: string): never => {
    throw new KindlabError('BGP_CONFIG', `kube-ovn-speaker: ${m}`, { hint: 'kube-ovn-speaker exits with this error; set the flags in the topology bgp.flags' });
  };
  const neighborAddresses = list(f.get('neighbor-address'));
  const neighborIpv6Addresses = list(f.get('neighbor-ipv6-address'));
  for (const a of [...neighborAddresses, ...neighborIpv6Addresses]) if (isIP(a) === 0) fail(`invalid argument "${a}" for --neighbor-address: not an IP address`);
  const clusterAs = uintFlag(f, 'cluster-as', 0, 4294967295);
  const neighborAs = uintFlag(f, 'neighbor-as', 0, 4294967295);
  const enableBfd = parseBool(f.get('enable-bfd'), false);
  const bfd = { enabled: enableBfd, minTxMs: uintFlag(f, 'bfd-min-tx', 1000, 4294967295), minRxMs: uintFlag(f, 'bfd-min-rx', 1000, 4294967295), multiplier: uintFlag(f, 'bfd-detection-multiplier', 3, 255) };
  const missing: string[] = [];
  if (neighborAddresses.length === 0 && neighborIpv6Addresses.length === 0) missing.push('at least one of --neighbor-address or --neighbor-ipv6-address must be specified');
  if (clusterAs === 0) missing.push('--cluster-as must be specified');
  if (neighborAs === 0) missing.push('--neighbor-as must be specified');
  if (enableBfd) {
    if (bfd.multiplier === 0) missing.push('--bfd-detection-multiplier must be between 1 and 255');
    if (bfd.minTxMs === 0 || bfd.minTxMs > 4294967) missing.push('--bfd-min-tx must be > 0 and <= 4294967 ms');
    if (bfd.minRxMs === 0 || bfd.minRxMs > 4294967) missing.push('--bfd-min-rx must be > 0 and <= 4294967 ms');
  }
  if (missing.length) fail(`missing required flags: ${missing.join('; ')}`);
  const holdTime = parseDuration(f.get('holdtime'), 90);
  if (!(holdTime >= 3 && holdTime <= 65536)) fail('the bgp holdtime must be in the range 3s to 65536s');
  const ebgpMultihop = uintFlag(f, 'ebgp-multihop', 1, 255);
  if (ebgpMultihop === 0) fail('the bgp MultihopTtl must be in the range 1 to 255');
  for (const a of neighborAddresses) if (isIP(a) !== 4) fail(`invalid neighbor-address format: expected IPv4, got ${a}`);
  for (const a of neighborIpv6Addresses) if (isIP(a) !== 6) fail(`invalid neighbor-ipv6-address format: expected IPv6, got ${a}`);
  const routerId = f.get('router-id');
  if (routerId !== undefined && isIP(routerId) !== 4) fail(`invalid router-id: expected IPv4, got ${routerId}`);
  const gracefulRestart = parseBool(f.get('graceful-restart'), false);
  const gracefulRestartTime = parseDuration(f.get('graceful-restart-time'), 90);
  if (gracefulRestart && !(gracefulRestartTime > 0 && gracefulRestartTime <= 4095)) fail('GracefulRestartTime should be less than 4095 seconds or more than 0');
  return {
    neighborAddresses,
    neighborIpv6Addresses,
    neighborAs,
    clusterAs,
    announceClusterIp: parseBool(f.get('announce-cluster-ip'), false),
    authPassword: f.get('auth-password') || undefined,
    holdTime,
    gracefulRestart,
    gracefulRestartTime,
    passiveMode: parseBool(f.get('passivemode'), false),
    ebgpMultihop,
    ...(routerId !== undefined ? { routerId } : {}),
    bfd,
    vpcNatGwNamespace: f.get('vpc-nat-gw-namespace') || 'kube-system',
  };
}

type Policy = 'cluster' | 'local' | undefined;

/** Annotation value → announcement policy; absent or false = not announced. */
export function policyOf(o: KubeObject): Policy {
  const v = o.metadata.annotations?.[ANN]?.trim().toLowerCase();
  if (v === undefined || v === 'false' || v === 'no' || v === '') return undefined;
  if (v === 'local') return 'local';
  return 'cluster';
}

/** kubeovn.io/v1 VpcNatGateway: the gateway an IptablesEIP's spec.natGwDp names. */
interface VpcNatGateway extends KubeObject {
  spec?: { vpc?: string; subnet?: string; lanIp?: string; selector?: string[] };
}

interface Subnet extends KubeObject {
  spec?: { cidrBlock?: string };
}

interface IptablesEip extends KubeObject {
  spec?: { v4ip?: string; v6ip?: string; natGwDp?: string };
  status?: { ip?: string; ready?: boolean };
}

/**
 * The node running VPC NAT gateway `gw`: its StatefulSet pod <ns>/vpc-nat-gw-<gw>-N (or label app=vpc-nat-gw-<gw>),
 * scheduled and not finished — the speaker announces only for a Running gateway pod on its own node.
 */
export function natGatewayNode(v: ClusterView, gw: string, ns = 'kube-system'): string | undefined {
  const name = `vpc-nat-gw-${gw}`;
  const re = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+$`);
  const pod = v.pods.find((p) => p.metadata.namespace === ns && (p.metadata.labels?.['app'] === name || re.test(p.metadata.name ?? '')) && p.spec.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && p.status?.phase !== 'Pending');
  return pod?.spec.nodeName;
}

export function computeKubeOvn(v: ClusterView, nodeName: string, o: KubeOvnOptions): AgentIntent {
  const node = findNode(v, nodeName);
  if (!node) return emptyIntent('kube-ovn', nodeName, [`node ${nodeName} not found`]);
  if (node.metadata.labels?.[ANN] !== 'true') return emptyIntent('kube-ovn', nodeName);
  const problems: string[] = [];
  const intent: AgentIntent = {
    dialect: 'kube-ovn', node: nodeName, localAsn: o.clusterAs, routerId: o.routerId ?? nodeAddresses(node).v4 ?? '',
    peers: [], advertise: [], installRoutes: false, ibgpMesh: false, problems,
  };
  for (const addr of [...o.neighborAddresses, ...o.neighborIpv6Addresses]) {
    // kube-ovn-speaker is GoBGP: 5 s connect retry, only the announced pods/subnets/services go out.
    const p = peerDefaults(addr, o.neighborAs, 'kube-ovn-speaker flags', GOBGP_DEFAULTS);
    p.holdTime = o.holdTime;
    p.keepalive = Math.max(1, Math.floor(o.holdTime / 3));
    p.password = o.authPassword;
    p.passive = o.passiveMode;
    p.gracefulRestart = { enabled: o.gracefulRestart, restartTime: o.gracefulRestartTime };
    if (o.ebgpMultihop > 1) p.multihopTtl = o.ebgpMultihop;
    if (o.bfd.enabled) p.bfd = { minTxMs: o.bfd.minTxMs, minRxMs: o.bfd.minRxMs, multiplier: o.bfd.multiplier };
    intent.peers.push(p);
  }
  const subnets = (v.objects.Subnet ?? []) as Subnet[];
  const localSubnets: string[] = [];
  for (const s of subnets) {
    const pol = policyOf(s);
    const cidrs = list(s.spec?.cidrBlock).map((c) => normalizeCidr(c)).filter((c): c is string => !!c);
    if (pol === 'cluster') for (const c of cidrs) addAdvert(intent.advertise, { prefix: c, communities: [], largeCommunities: [], reason: `subnet ${s.metadata.name}` });
    if (pol === 'local') localSubnets.push(...cidrs);
  }
  for (const p of v.pods) {
    if (p.spec.hostNetwork || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const own = policyOf(p);
    const here = p.spec.nodeName === nodeName;
    for (const ip of podIPs(p)) {
      const inLocalSubnet = localSubnets.some((c) => inCidr(ip, c));
      const announce = own === 'cluster' || ((own === 'local' || (own === undefined && inLocalSubnet)) && here);
      if (announce) addAdvert(intent.advertise, { prefix: hostPrefix(ip), communities: [], largeCommunities: [], reason: `pod ${p.metadata.namespace}/${p.metadata.name}${own === 'cluster' ? '' : ' (local)'}` });
    }
  }
  if (o.announceClusterIp) {
    for (const s of v.services) {
      if (!policyOf(s)) continue;
      // kube-ovn-speaker announces the cluster IP of type ClusterIP services only; a LoadBalancer service's address
      // is Kube-OVN lb-svc's (an L2 attachment from its Subnet), never a BGP route.
      const type = s.spec.type ?? 'ClusterIP';
      if (type !== 'ClusterIP') {
        problems.push(`service ${svcName(s)}: annotation ovn.kubernetes.io/bgp on a type ${type} service: kube-ovn-speaker announces only type ClusterIP services' cluster IPs, nothing is announced${type === 'LoadBalancer' ? ' (its LoadBalancer address is Kube-OVN lb-svc\'s, on the attachment network, not BGP)' : ''}`);
        continue;
      }
      for (const ip of clusterIPs(s)) addAdvert(intent.advertise, { prefix: hostPrefix(ip), communities: [], largeCommunities: [], reason: `service ${svcName(s)} clusterIP` });
    }
  }
  const gateways = (v.objects.VpcNatGateway ?? []) as VpcNatGateway[];
  for (const e of (v.objects.IptablesEIP ?? []) as IptablesEip[]) {
    if (!policyOf(e) || e.status?.ready === false) continue;
    const ips = [e.status?.ip || e.spec?.v4ip, e.spec?.v6ip].filter((x): x is string => typeof x === 'string' && isIP(x) !== 0);
    if (ips.length === 0) {
      problems.push(`eip ${e.metadata.name}: spec.v4ip / status.ip is not an IP address, not announced`);
      continue;
    }
    const gw = e.spec?.natGwDp;
    if (!gw) {
      problems.push(`eip ${e.metadata.name}: no spec.natGwDp, so no gateway announces it`);
      continue;
    }
    // With VpcNatGateway objects present, natGwDp must name one of them (the gateway's StatefulSet is vpc-nat-gw-<name>).
    if (gateways.length && !gateways.some((g) => g.metadata.name === gw)) {
      problems.push(`eip ${e.metadata.name}: spec.natGwDp "${gw}" names no VpcNatGateway, not announced`);
      continue;
    }
    if (natGatewayNode(v, gw, o.vpcNatGwNamespace) !== nodeName) continue;
    for (const ip of ips) addAdvert(intent.advertise, { prefix: hostPrefix(ip), communities: [], largeCommunities: [], reason: `eip ${e.metadata.name} (VPC NAT gateway ${gw})` });
  }
  return finish(intent);
}

export const kubeOvn: Dialect<KubeOvnOptions> = {
  name: 'kube-ovn',
  kinds: [
    { kind: 'Subnet', apiVersion: 'kubeovn.io/v1', plural: 'subnets', namespaced: false },
    { kind: 'IptablesEIP', apiVersion: 'kubeovn.io/v1', plural: 'iptables-eips', namespaced: false },
    { kind: 'VpcNatGateway', apiVersion: 'kubeovn.io/v1', plural: 'vpc-nat-gateways', namespaced: false },
  ],
  parseFlags: parseKubeOvnFlags,
  compute: computeKubeOvn,
};
