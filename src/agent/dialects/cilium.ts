/**
 * Cilium dialect. cilium.io/v2alpha1 CiliumBGPPeeringPolicy (nodeSelector, virtualRouters with neighbors, exportPodCIDR,
 * serviceSelector, podIPPoolSelector, per-neighbor advertisedPathAttributes) and the cilium.io/v2 objects
 * (see cilium-v2.ts). Like Cilium: a node selected by two policies gets no BGP configuration; a policy that selects the
 * node wins over the v2 objects; routes are not installed into the FIB.
 *
 * Our speaker sends one table to every peer, so path attributes a neighbor's advertisedPathAttributes set are put on
 * the prefix for all peers (Cilium sets them per neighbor).
 */
import type { KubeObject } from '../../cluster/client/index.js';
import { addPrefix, attrsOf, intField, labelsOf, listOf, MAX_ASN, mergeAttrs, nameOf, noAttrs, objOf, peerAddressOf, selectorOf, selects, strOf, virtualRouterAnnotation, type Attrs } from './cilium-common.js';
import { inLbPool, podPoolLabels, poolCidrsOnNode, SERVICE_ADDRESS_TYPES, servicePrefixes, within, type ServiceAddressType } from './cilium-adverts.js';
import { buildPeer, peerAsnOf } from './cilium-peer.js';
import { computeV2, V2_KINDS } from './cilium-v2.js';
import { emptyIntent, finish, findNode, nodeAddresses, podCidrs } from './common.js';
import type { AgentIntent, ClusterView, CustomKind, Dialect } from './types.js';

export interface CiliumOptions {
  /** Which API to read: auto = v2alpha1 policies when one selects the node, else the v2 objects. */
  api: 'auto' | 'v2alpha1' | 'v2';
}

/** The policies whose nodeSelector picks the node (empty/absent = every node); invalid selectors are named. */
export function selectedPolicies(v: ClusterView, nodeName: string, problems: string[]): KubeObject[] {
  const labels = labelsOf(findNode(v, nodeName));
  return ((v.objects.CiliumBGPPeeringPolicy ?? []) as KubeObject[]).filter((p) => {
    const sel = selectorOf(objOf(p.spec).nodeSelector);
    if (sel === null) problems.push(`CiliumBGPPeeringPolicy ${nameOf(p)}: spec.nodeSelector is not a valid label selector; it selects no node`);
    return selects(sel, labels);
  });
}

/** A prefix rule of advertisedPathAttributes: which advertised prefixes it matches and what it adds. */
interface AttrRule { matches: (prefix: string) => boolean; attrs: Attrs }

export function computeV2alpha1(v: ClusterView, nodeName: string): AgentIntent {
  const node = findNode(v, nodeName);
  const problems: string[] = [];
  const selected = selectedPolicies(v, nodeName, problems);
  if (selected.length === 0) return emptyIntent('cilium', nodeName, [...problems, ...(node ? [] : [`node ${nodeName} not found`])]);
  if (selected.length > 1) {
    return emptyIntent('cilium', nodeName, [...problems, `node ${nodeName} is selected by ${selected.length} CiliumBGPPeeringPolicies (${selected.map(nameOf).join(', ')}): like Cilium, no BGP configuration is applied`]);
  }
  const policy = selected[0]!;
  const name = `CiliumBGPPeeringPolicy ${nameOf(policy)}`;
  const vrs = listOf(objOf(policy.spec).virtualRouters);
  if (vrs.length === 0) return emptyIntent('cilium', nodeName, [...problems, `${name} has no virtualRouters`]);
  const vr = objOf(vrs[0]);
  const asn = intField(vr.localASN, 1, MAX_ASN);
  if (asn.value === undefined) return emptyIntent('cilium', nodeName, [...problems, `${name}: virtualRouters[0].localASN ${asn.error ?? 'is missing'}; no BGP on ${nodeName}`]);
  if (vrs.length > 1) problems.push(`${name}: ${vrs.length} virtualRouters; this agent runs one BGP instance and uses the first (localASN ${asn.value})`);
  const ann = virtualRouterAnnotation(node?.metadata.annotations, asn.value, problems);
  const routerId = ann.routerId ?? nodeAddresses(node).v4;
  if (!routerId) return emptyIntent('cilium', nodeName, [...problems, `node ${nodeName} has no IPv4 InternalIP and no router-id in annotation cilium.io/bgp-virtual-router.${asn.value}: Cilium cannot start the virtual router`]);
  if (ann.localPort !== undefined && ann.localPort !== 179) problems.push(`node annotation cilium.io/bgp-virtual-router.${asn.value}: local-port ${ann.localPort} is not applied in this lab (the agent listens on 179)`);
  const intent: AgentIntent = { dialect: 'cilium', node: nodeName, localAsn: asn.value, routerId, peers: [], advertise: [], installRoutes: false, ibgpMesh: false, problems };

  const rules: AttrRule[] = [];
  listOf(vr.neighbors).forEach((raw, i) => {
    const n = objOf(raw);
    const who = `${name} neighbor ${typeof n.peerAddress === 'string' ? n.peerAddress : `[${i}]`}`;
    const address = peerAddressOf(n.peerAddress);
    if (!address) return void problems.push(`${who}: peerAddress ${JSON.stringify(n.peerAddress)} is not an IP address (/32 or /128); neighbor refused`);
    const pa = peerAsnOf(n.peerASN);
    if (pa.asn === undefined) return void problems.push(`${who}: ${pa.error}; neighbor refused`);
    const p = buildPeer(v, intent.localAsn, address, pa.asn, {
      port: [n.peerPort, 'peerPort'], ttl: [n.eBGPMultihopTTL, 'eBGPMultihopTTL'], connectRetry: [n.connectRetryTimeSeconds, 'connectRetryTimeSeconds'],
      hold: [n.holdTimeSeconds, 'holdTimeSeconds'], keepalive: [n.keepAliveTimeSeconds, 'keepAliveTimeSeconds'], gracefulRestart: [n.gracefulRestart, 'gracefulRestart'],
      families: [n.families, 'families'], auth: [n.authSecretRef, 'authSecretRef'],
    }, name, who, problems);
    if (!p) return;
    intent.peers.push(p);
    for (const [j, a] of listOf(n.advertisedPathAttributes).entries()) {
      const rule = pathAttributesRule(v, node, objOf(a), problems, `${who} advertisedPathAttributes[${j}]`);
      if (rule) rules.push(rule);
    }
  });

  const adverts: Array<{ prefix: string; reason: string }> = [];
  if (vr.exportPodCIDR !== undefined && typeof vr.exportPodCIDR !== 'boolean') problems.push(`${name}: exportPodCIDR ${JSON.stringify(vr.exportPodCIDR)} is not a boolean; pod CIDR not exported`);
  if (vr.exportPodCIDR === true) for (const c of podCidrs(node)) adverts.push({ prefix: c, reason: 'pod CIDR (exportPodCIDR)' });
  const svcSel = selectorOf(vr.serviceSelector);
  if (svcSel === null) problems.push(`${name}: serviceSelector is not a valid label selector; no service is advertised`);
  if (svcSel) {
    if (vr.serviceAdvertisements !== undefined && !Array.isArray(vr.serviceAdvertisements)) problems.push(`${name}: serviceAdvertisements is not a list; no service address type selected`);
    const types = vr.serviceAdvertisements === undefined ? ['LoadBalancerIP'] : listOf(vr.serviceAdvertisements);
    const known = types.filter((t): t is ServiceAddressType => SERVICE_ADDRESS_TYPES.includes(t as ServiceAddressType));
    if (known.length < types.length) problems.push(`${name}: serviceAdvertisements ${JSON.stringify(types.filter((t) => !known.includes(t as ServiceAddressType)))} not known to Cilium; ignored`);
    adverts.push(...servicePrefixes(v, nodeName, svcSel, known));
  }
  const poolSel = selectorOf(vr.podIPPoolSelector);
  if (poolSel === null) problems.push(`${name}: podIPPoolSelector is not a valid label selector; no pool is advertised`);
  if (poolSel) {
    if (!v.objects.CiliumPodIPPool?.length) problems.push(`${name}: podIPPoolSelector set but no CiliumPodIPPool is visible to the agent`);
    for (const pool of v.objects.CiliumPodIPPool ?? []) {
      if (!selects(poolSel, podPoolLabels(pool))) continue;
      for (const c of poolCidrsOnNode(v, node, pool)) adverts.push({ prefix: c, reason: `CiliumPodIPPool ${nameOf(pool)} (podIPPoolSelector)` });
    }
  }
  for (const a of adverts) {
    const attrs = noAttrs();
    for (const r of rules) if (r.matches(a.prefix)) mergeAttrs(attrs, r.attrs);
    addPrefix(intent.advertise, a.prefix, attrs, a.reason);
  }
  return finish(intent);
}

/**
 * advertisedPathAttributes as Cilium's route policy reconciler matches them: PodCIDR (selector on the node's
 * labels) → the node's pod CIDRs; CiliumLoadBalancerIPPool (selector on pool labels, disabled pools skipped) →
 * host routes inside the pools' blocks; CiliumPodIPPool (selector on pool labels) → the pools' CIDRs on this node.
 */
function pathAttributesRule(v: ClusterView, node: ReturnType<typeof findNode>, a: Record<string, unknown>, problems: string[], where: string): AttrRule | undefined {
  const sel = selectorOf(a.selector);
  if (sel === null) {
    problems.push(`${where}: selector is not a valid label selector; attributes not applied`);
    return undefined;
  }
  const attrs = attrsOf(a.communities, a.localPreference, problems, where);
  switch (strOf(a.selectorType)) {
    case 'PodCIDR': {
      if (!selects(sel, labelsOf(node))) return undefined;
      const cidrs = podCidrs(node);
      return { matches: (p) => cidrs.includes(p), attrs };
    }
    case 'CiliumLoadBalancerIPPool': {
      const pools = (v.objects.CiliumLoadBalancerIPPool ?? []).filter((pool) => objOf(pool.spec).disabled !== true && selects(sel, labelsOf(pool)));
      if (pools.length === 0) problems.push(`${where}: no enabled CiliumLoadBalancerIPPool selected (or none visible to the agent); attributes not applied`);
      return { matches: (p) => pools.some((pool) => inLbPool(pool, p)), attrs };
    }
    case 'CiliumPodIPPool': {
      const cidrs = (v.objects.CiliumPodIPPool ?? []).filter((pool) => selects(sel, labelsOf(pool))).flatMap((pool) => poolCidrsOnNode(v, node, pool));
      return { matches: (p) => cidrs.some((c) => c === p || within(p, c)), attrs };
    }
    default:
      problems.push(`${where}: selectorType ${JSON.stringify(a.selectorType)} is not PodCIDR, CiliumLoadBalancerIPPool or CiliumPodIPPool; attributes not applied`);
      return undefined;
  }
}

/**
 * Pool kinds the dialect reads (path attributes of CiliumLoadBalancerIPPools, pod IP pool advertisements, a
 * CiliumNode's pool allocations); watched like the BGP kinds (the agent's ClusterRole grants them).
 */
export const CILIUM_POOL_KINDS: readonly CustomKind[] = [
  { kind: 'CiliumLoadBalancerIPPool', apiVersion: 'cilium.io/v2alpha1', plural: 'ciliumloadbalancerippools', namespaced: false },
  { kind: 'CiliumPodIPPool', apiVersion: 'cilium.io/v2alpha1', plural: 'ciliumpodippools', namespaced: false },
  { kind: 'CiliumNode', apiVersion: 'cilium.io/v2', plural: 'ciliumnodes', namespaced: false },
];

export const cilium: Dialect<CiliumOptions> = {
  name: 'cilium',
  kinds: [{ kind: 'CiliumBGPPeeringPolicy', apiVersion: 'cilium.io/v2alpha1', plural: 'ciliumbgppeeringpolicies', namespaced: false }, ...V2_KINDS, ...CILIUM_POOL_KINDS],
  parseFlags(argv) {
    const i = argv.indexOf('--cilium-api');
    const api = (i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--cilium-api='))?.split('=')[1]) ?? 'auto';
    return { api: api === 'v2' || api === 'v2alpha1' ? api : 'auto' };
  },
  compute(v, nodeName, opts) {
    if (opts.api === 'v2alpha1') return computeV2alpha1(v, nodeName);
    if (opts.api === 'v2') return computeV2(v, nodeName);
    // As Cilium: a peering policy that selects the node takes precedence over the v2 objects.
    const selectorProblems: string[] = [];
    if (selectedPolicies(v, nodeName, selectorProblems).length > 0) return computeV2alpha1(v, nodeName);
    const i = computeV2(v, nodeName);
    i.problems.unshift(...selectorProblems);
    return i;
  },
};
