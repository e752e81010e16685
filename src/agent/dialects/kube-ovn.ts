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
import type { KubeObject } from '../../cluster/client/types.js';
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
}

const BOOLS = new Set(['announce-cluster-ip', 'graceful-restart', 'passivemode']);
const ANN = 'ovn.kubernetes.io/bgp';

export function parseKubeOvnFlags(argv: string[]): KubeOvnOptions {
  const f = parseFlagArgs(argv, BOOLS);
  return {
    neighborAddresses: list(f.get('neighbor-address')),
    neighborIpv6Addresses: list(f.get('neighbor-ipv6-address')),
    neighborAs: Number(f.get('neighbor-as') ?? 65001),
    clusterAs: Number(f.get('cluster-as') ?? 65000),
    announceClusterIp: parseBool(f.get('announce-cluster-ip'), false),
    authPassword: f.get('auth-password') || undefined,
    holdTime: parseDuration(f.get('holdtime'), 90),
    gracefulRestart: parseBool(f.get('graceful-restart'), false),
    gracefulRestartTime: parseDuration(f.get('graceful-restart-time'), 90),
    passiveMode: parseBool(f.get('passivemode'), false),
    ebgpMultihop: Number(f.get('ebgp-multihop') ?? 1),
    routerId: f.get('router-id'),
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

interface Subnet extends KubeObject {
  spec?: { cidrBlock?: string };
}

interface IptablesEip extends KubeObject {
  spec?: { v4ip?: string; natGwDp?: string };
  status?: { ip?: string };
}

/** The node running VPC NAT gateway `gw`: its StatefulSet pod kube-system/vpc-nat-gw-<gw>-N (or label app=vpc-nat-gw-<gw>). */
export function natGatewayNode(v: ClusterView, gw: string): string | undefined {
  const name = `vpc-nat-gw-${gw}`;
  const pod = v.pods.find((p) => p.metadata.namespace === 'kube-system' && (p.metadata.labels?.['app'] === name || new RegExp(`^${name}-\\d+$`).test(p.metadata.name ?? '')) && p.spec.nodeName);
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
    intent.peers.push(p);
  }
  if (intent.peers.length === 0) problems.push('no --neighbor-address / --neighbor-ipv6-address given');
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
      for (const ip of clusterIPs(s)) addAdvert(intent.advertise, { prefix: hostPrefix(ip), communities: [], largeCommunities: [], reason: `service ${svcName(s)} clusterIP` });
    }
  }
  for (const e of (v.objects.IptablesEIP ?? []) as IptablesEip[]) {
    const ip = e.status?.ip || e.spec?.v4ip;
    const gw = e.spec?.natGwDp;
    if (!policyOf(e) || !ip) continue;
    if (!gw) {
      problems.push(`eip ${e.metadata.name}: no spec.natGwDp, so no gateway announces it`);
      continue;
    }
    if (natGatewayNode(v, gw) === nodeName) addAdvert(intent.advertise, { prefix: hostPrefix(ip), communities: [], largeCommunities: [], reason: `eip ${e.metadata.name} (VPC NAT gateway ${gw})` });
  }
  return finish(intent);
}

export const kubeOvn: Dialect<KubeOvnOptions> = {
  name: 'kube-ovn',
  kinds: [
    { kind: 'Subnet', apiVersion: 'kubeovn.io/v1', plural: 'subnets', namespaced: false },
    { kind: 'IptablesEIP', apiVersion: 'kubeovn.io/v1', plural: 'iptables-eips', namespaced: false },
  ],
  parseFlags: parseKubeOvnFlags,
  compute: computeKubeOvn,
};
