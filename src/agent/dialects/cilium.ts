/**
 * Cilium dialect. cilium.io/v2alpha1 CiliumBGPPeeringPolicy (nodeSelector, virtualRouters with neighbors) and the
 * cilium.io/v2 trio CiliumBGPClusterConfig + CiliumBGPPeerConfig + CiliumBGPAdvertisement (see cilium-v2.ts).
 * Like Cilium: a node selected by two policies gets no BGP configuration; routes are not installed into the FIB.
 */
import type { KubeObject } from '../../cluster/client/index.js';
import type { Family } from '../../bgp/index.js';
import { authPassword, communityAttrs, serviceAdverts, virtualRouterAnnotation, type CiliumCommunities, type ServiceAddressType } from './cilium-common.js';
import { computeV2, V2_KINDS } from './cilium-v2.js';
import { addAdvert, CILIUM_DEFAULTS, emptyIntent, finish, findNode, matchesSelector, nodeAddresses, peerDefaults, podCidrs, stripMask, type LabelSelector } from './common.js';
import type { AgentIntent, ClusterView, Dialect } from './types.js';

interface Neighbor {
  peerAddress: string;
  peerPort?: number;
  peerASN: number;
  authSecretRef?: string;
  eBGPMultihopTTL?: number;
  connectRetryTimeSeconds?: number;
  holdTimeSeconds?: number;
  keepAliveTimeSeconds?: number;
  gracefulRestart?: { enabled?: boolean; restartTimeSeconds?: number };
  families?: Array<{ afi: string; safi: string }>;
  advertisedPathAttributes?: Array<{ selectorType: string; selector?: LabelSelector; communities?: CiliumCommunities; localPreference?: number }>;
}

interface VirtualRouter {
  localASN: number;
  exportPodCIDR?: boolean;
  serviceSelector?: LabelSelector;
  serviceAdvertisements?: ServiceAddressType[];
  neighbors?: Neighbor[];
}

export interface PeeringPolicy extends KubeObject {
  spec?: { nodeSelector?: LabelSelector; virtualRouters?: VirtualRouter[] };
}

export interface CiliumOptions {
  /** Which API to read: auto = v2alpha1 policies when one selects the node, else the v2 objects. */
  api: 'auto' | 'v2alpha1' | 'v2';
}

export const familiesOf = (fs: Array<{ afi: string; safi: string }> | undefined): Family[] =>
  fs?.length ? [...new Set(fs.filter((f) => f.safi === 'unicast').map((f): Family => (f.afi === 'ipv6' ? 'ipv6-unicast' : 'ipv4-unicast')))] : ['ipv4-unicast', 'ipv6-unicast'];

export function computeV2alpha1(v: ClusterView, nodeName: string, policies: PeeringPolicy[]): AgentIntent {
  const node = findNode(v, nodeName);
  const labels = node?.metadata.labels ?? {};
  const selected = policies.filter((p) => matchesSelector(p.spec?.nodeSelector ?? {}, labels));
  if (selected.length === 0) return emptyIntent('cilium', nodeName, node ? [] : [`node ${nodeName} not found`]);
  if (selected.length > 1) {
    return emptyIntent('cilium', nodeName, [`node ${nodeName} is selected by ${selected.length} CiliumBGPPeeringPolicies (${selected.map((p) => p.metadata.name).join(', ')}): like Cilium, no BGP configuration is applied`]);
  }
  const policy = selected[0]!;
  const name = policy.metadata.name ?? '';
  const problems: string[] = [];
  const vrs = policy.spec?.virtualRouters ?? [];
  if (vrs.length === 0) return emptyIntent('cilium', nodeName, [`CiliumBGPPeeringPolicy ${name} has no virtualRouters`]);
  if (vrs.length > 1) problems.push(`CiliumBGPPeeringPolicy ${name}: ${vrs.length} virtualRouters; this agent runs one BGP instance and uses the first (localASN ${vrs[0]!.localASN})`);
  const vr = vrs[0]!;
  const ann = virtualRouterAnnotation(node?.metadata.annotations, vr.localASN);
  const intent: AgentIntent = {
    dialect: 'cilium', node: nodeName, localAsn: vr.localASN, routerId: ann.routerId ?? nodeAddresses(node).v4 ?? '',
    peers: [], advertise: [], installRoutes: false, ibgpMesh: false, problems,
  };
  if (!intent.routerId) problems.push(`node ${nodeName} has no IPv4 InternalIP and no router-id annotation cilium.io/bgp-virtual-router.${vr.localASN}`);
  const podAttrs: { communities: string[]; largeCommunities: string[]; localPref?: number } = { communities: [], largeCommunities: [] };
  const lbAttrs: { communities: string[]; largeCommunities: string[]; localPref?: number } = { communities: [], largeCommunities: [] };
  for (const n of vr.neighbors ?? []) {
    const p = peerDefaults(stripMask(n.peerAddress), n.peerASN, `CiliumBGPPeeringPolicy ${name}`, CILIUM_DEFAULTS);
    p.port = n.peerPort ?? 179;
    p.multihopTtl = n.eBGPMultihopTTL !== undefined && n.eBGPMultihopTTL > 1 ? n.eBGPMultihopTTL : undefined;
    // The wait after a failed connect; the first attempt is made when the session starts.
    p.connectRetry = n.connectRetryTimeSeconds ?? CILIUM_DEFAULTS.connectRetry;
    p.holdTime = n.holdTimeSeconds ?? 90;
    p.keepalive = n.keepAliveTimeSeconds ?? 30;
    p.gracefulRestart = { enabled: n.gracefulRestart?.enabled ?? false, restartTime: n.gracefulRestart?.restartTimeSeconds ?? 120 };
    p.families = familiesOf(n.families);
    p.password = authPassword(v, n.authSecretRef, problems, `neighbor ${n.peerAddress}`);
    intent.peers.push(p);
    for (const a of n.advertisedPathAttributes ?? []) {
      const target = a.selectorType === 'PodCIDR' ? podAttrs : a.selectorType === 'CiliumLoadBalancerIPPool' ? lbAttrs : undefined;
      if (!target) continue;
      const c = communityAttrs(a.communities);
      target.communities.push(...c.communities);
      target.largeCommunities.push(...c.largeCommunities);
      if (a.localPreference !== undefined) target.localPref = a.localPreference;
    }
  }
  if (vr.exportPodCIDR) for (const c of podCidrs(node)) addAdvert(intent.advertise, { prefix: c, ...podAttrs, reason: 'pod CIDR (exportPodCIDR)' });
  if (vr.serviceSelector) {
    for (const a of serviceAdverts(v, nodeName, vr.serviceSelector, vr.serviceAdvertisements ?? ['LoadBalancerIP'], lbAttrs)) addAdvert(intent.advertise, a);
  }
  return finish(intent);
}

export const cilium: Dialect<CiliumOptions> = {
  name: 'cilium',
  kinds: [{ kind: 'CiliumBGPPeeringPolicy', apiVersion: 'cilium.io/v2alpha1', plural: 'ciliumbgppeeringpolicies', namespaced: false }, ...V2_KINDS],
  parseFlags(argv) {
    const i = argv.indexOf('--cilium-api');
    const api = (i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--cilium-api='))?.split('=')[1]) ?? 'auto';
    return { api: api === 'v2' || api === 'v2alpha1' ? api : 'auto' };
  },
  compute(v, nodeName, opts) {
    const policies = (v.objects.CiliumBGPPeeringPolicy ?? []) as PeeringPolicy[];
    if (opts.api === 'v2alpha1') return computeV2alpha1(v, nodeName, policies);
    if (opts.api === 'v2') return computeV2(v, nodeName);
    const a = computeV2alpha1(v, nodeName, policies);
    if (a.localAsn !== 0 || a.problems.length > 0) return a;
    return computeV2(v, nodeName);
  },
};
