/**
 * cilium.io/v2 BGP: CiliumBGPClusterConfig (nodeSelector, bgpInstances[].peers with peerConfigRef) →
 * CiliumBGPPeerConfig (transport, timers, ebgpMultihop, authSecretRef, gracefulRestart, families with an
 * advertisement label selector) → CiliumBGPAdvertisement (PodCIDR / Service with address types, attributes).
 * Our speaker sends one table to all peers, so advertisements selected for any peer go to every peer.
 */
import type { KubeObject } from '../../cluster/client/index.js';
import { authPassword, communityAttrs, serviceAdverts, virtualRouterAnnotation, type CiliumCommunities, type ServiceAddressType } from './cilium-common.js';
import { addAdvert, CILIUM_DEFAULTS, emptyIntent, finish, findNode, matchesSelector, nodeAddresses, peerDefaults, podCidrs, stripMask, type LabelSelector } from './common.js';
import type { AgentIntent, ClusterView, CustomKind } from './types.js';
import type { Family } from '../../bgp/index.js';

export const V2_KINDS: CustomKind[] = [
  { kind: 'CiliumBGPClusterConfig', apiVersion: 'cilium.io/v2', plural: 'ciliumbgpclusterconfigs', namespaced: false },
  { kind: 'CiliumBGPPeerConfig', apiVersion: 'cilium.io/v2', plural: 'ciliumbgppeerconfigs', namespaced: false },
  { kind: 'CiliumBGPAdvertisement', apiVersion: 'cilium.io/v2', plural: 'ciliumbgpadvertisements', namespaced: false },
  { kind: 'CiliumBGPNodeConfigOverride', apiVersion: 'cilium.io/v2', plural: 'ciliumbgpnodeconfigoverrides', namespaced: false },
];

/** CiliumBGPNodeConfigOverride, named after the node: per-instance routerID (localPort/localAddress noted). */
interface NodeOverride extends KubeObject {
  spec?: { bgpInstances?: Array<{ name?: string; routerID?: string; localPort?: number; peers?: Array<{ name?: string; localAddress?: string }> }> };
}

interface ClusterConfig extends KubeObject {
  spec?: {
    nodeSelector?: LabelSelector;
    bgpInstances?: Array<{ name: string; localASN: number; peers?: Array<{ name: string; peerAddress?: string; peerASN?: number; peerConfigRef?: { name: string } }> }>;
  };
}

interface PeerConfig extends KubeObject {
  spec?: {
    transport?: { peerPort?: number };
    timers?: { connectRetryTimeSeconds?: number; holdTimeSeconds?: number; keepAliveTimeSeconds?: number };
    authSecretRef?: string;
    ebgpMultihop?: number;
    gracefulRestart?: { enabled?: boolean; restartTimeSeconds?: number };
    families?: Array<{ afi: string; safi: string; advertisements?: LabelSelector }>;
  };
}

interface AdvertisementObj extends KubeObject {
  spec?: {
    advertisements?: Array<{
      advertisementType: 'PodCIDR' | 'Service' | 'CiliumPodIPPool' | 'Interface';
      service?: { addresses?: ServiceAddressType[] };
      selector?: LabelSelector;
      attributes?: { communities?: CiliumCommunities; localPreference?: number };
    }>;
  };
}

export function computeV2(v: ClusterView, nodeName: string): AgentIntent {
  const node = findNode(v, nodeName);
  const configs = ((v.objects.CiliumBGPClusterConfig ?? []) as ClusterConfig[]).filter((c) => matchesSelector(c.spec?.nodeSelector ?? {}, node?.metadata.labels));
  if (configs.length === 0) return emptyIntent('cilium', nodeName);
  const problems: string[] = [];
  if (configs.length > 1) problems.push(`node ${nodeName} is selected by ${configs.length} CiliumBGPClusterConfigs; using ${configs[0]!.metadata.name}`);
  const cc = configs[0]!;
  const instances = cc.spec?.bgpInstances ?? [];
  if (instances.length === 0) return emptyIntent('cilium', nodeName, [`CiliumBGPClusterConfig ${cc.metadata.name} has no bgpInstances`]);
  if (instances.length > 1) problems.push(`CiliumBGPClusterConfig ${cc.metadata.name}: ${instances.length} bgpInstances; using the first (${instances[0]!.name})`);
  const inst = instances[0]!;
  const ann = virtualRouterAnnotation(node?.metadata.annotations, inst.localASN);
  const ov = ((v.objects.CiliumBGPNodeConfigOverride ?? []) as NodeOverride[]).find((o) => o.metadata.name === nodeName)?.spec?.bgpInstances?.find((b) => b?.name === inst.name);
  const ovRouterId = typeof ov?.routerID === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(ov.routerID) ? ov.routerID : undefined;
  if (ov?.localPort !== undefined) problems.push(`CiliumBGPNodeConfigOverride ${nodeName}: localPort ${ov.localPort} is not applied in this lab (the agent listens on 179)`);
  for (const pr of ov?.peers ?? []) if (pr?.localAddress) problems.push(`CiliumBGPNodeConfigOverride ${nodeName}: peer ${pr.name} localAddress ${pr.localAddress} is not applied in this lab`);
  const intent: AgentIntent = {
    dialect: 'cilium', node: nodeName, localAsn: inst.localASN, routerId: ovRouterId ?? ann.routerId ?? nodeAddresses(node).v4 ?? '',
    peers: [], advertise: [], installRoutes: false, ibgpMesh: false, problems,
  };
  const peerConfigs = (v.objects.CiliumBGPPeerConfig ?? []) as PeerConfig[];
  const adverts = (v.objects.CiliumBGPAdvertisement ?? []) as AdvertisementObj[];
  const selectedAdverts = new Set<AdvertisementObj>();
  for (const peer of inst.peers ?? []) {
    if (!peer.peerAddress || peer.peerASN === undefined) {
      problems.push(`bgpInstance ${inst.name} peer ${peer.name}: needs peerAddress and peerASN (auto-discovery is not supported)`);
      continue;
    }
    const pc = peer.peerConfigRef ? peerConfigs.find((x) => x.metadata.name === peer.peerConfigRef!.name) : undefined;
    if (peer.peerConfigRef && !pc) problems.push(`peer ${peer.name}: CiliumBGPPeerConfig ${peer.peerConfigRef.name} not found; defaults used`);
    const s = pc?.spec ?? {};
    const p = peerDefaults(stripMask(peer.peerAddress), peer.peerASN, `CiliumBGPClusterConfig ${cc.metadata.name} peer ${peer.name}`, CILIUM_DEFAULTS);
    p.port = s.transport?.peerPort ?? 179;
    // The wait after a failed connect; the first attempt is made when the session starts.
    p.connectRetry = s.timers?.connectRetryTimeSeconds ?? CILIUM_DEFAULTS.connectRetry;
    p.holdTime = s.timers?.holdTimeSeconds ?? 90;
    p.keepalive = s.timers?.keepAliveTimeSeconds ?? 30;
    p.multihopTtl = s.ebgpMultihop !== undefined && s.ebgpMultihop > 1 ? s.ebgpMultihop : undefined;
    p.gracefulRestart = { enabled: s.gracefulRestart?.enabled ?? false, restartTime: s.gracefulRestart?.restartTimeSeconds ?? 120 };
    const fams = s.families ?? [{ afi: 'ipv4', safi: 'unicast' }, { afi: 'ipv6', safi: 'unicast' }];
    p.families = [...new Set(fams.filter((f) => f.safi === 'unicast').map((f): Family => (f.afi === 'ipv6' ? 'ipv6-unicast' : 'ipv4-unicast')))];
    p.password = authPassword(v, s.authSecretRef, problems, `peer ${peer.name}`);
    intent.peers.push(p);
    for (const f of fams) {
      if (!f.advertisements) continue;
      for (const a of adverts) if (matchesSelector(f.advertisements, a.metadata.labels)) selectedAdverts.add(a);
    }
  }
  for (const a of selectedAdverts) {
    for (const ad of a.spec?.advertisements ?? []) {
      const attrs = { ...communityAttrs(ad.attributes?.communities), ...(ad.attributes?.localPreference !== undefined ? { localPref: ad.attributes.localPreference } : {}) };
      if (ad.advertisementType === 'PodCIDR') {
        for (const c of podCidrs(node)) addAdvert(intent.advertise, { prefix: c, ...attrs, reason: `pod CIDR (CiliumBGPAdvertisement ${a.metadata.name})` });
      } else if (ad.advertisementType === 'Service') {
        // A Service advertisement without a selector selects no services (Cilium requires one).
        if (!ad.selector) continue;
        for (const x of serviceAdverts(v, nodeName, ad.selector, ad.service?.addresses ?? [], attrs)) addAdvert(intent.advertise, x);
      } else problems.push(`CiliumBGPAdvertisement ${a.metadata.name}: advertisementType ${ad.advertisementType} is not supported`);
    }
  }
  return finish(intent);
}
