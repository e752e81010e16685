/**
 * cilium.io/v2 BGP: CiliumBGPClusterConfig (nodeSelector, bgpInstances[].peers with peerConfigRef) →
 * CiliumBGPPeerConfig (transport, timers, ebgpMultihop, authSecretRef, gracefulRestart, families, each with an
 * advertisement label selector) → CiliumBGPAdvertisement (PodCIDR / Service with address types / CiliumPodIPPool,
 * attributes), with CiliumBGPNodeConfigOverride (named after the node: routerID, localASN, localPort, peer localAddress).
 *
 * As Cilium: a peer whose peerConfigRef names a missing CiliumBGPPeerConfig is not configured; a family advertises only
 * prefixes of its own AFI; overlapping advertisements union their communities and keep the largest local preference.
 * Our speaker sends one table to all peers, so what any peer's families select goes to every peer.
 */
import { isIP } from 'node:net';
import { addPrefix, attrsOf, intField, isObj, labelsOf, listOf, MAX_ASN, nameOf, objOf, peerAddressOf, prefixFamily, selectorOf, selects, strOf } from './cilium-common.js';
import { podPoolLabels, poolCidrsOnNode, SERVICE_ADDRESS_TYPES, servicePrefixes, type ServiceAddressType } from './cilium-adverts.js';
import { buildPeer, peerAsnOf } from './cilium-peer.js';
import { emptyIntent, finish, findNode, nodeAddresses, podCidrs } from './common.js';
import type { AgentIntent, ClusterView, CustomKind } from './types.js';
import type { Family } from '../../bgp/index.js';
import type { KubeObject, Node } from '../../cluster/client/index.js';

export const V2_KINDS: CustomKind[] = [
  { kind: 'CiliumBGPClusterConfig', apiVersion: 'cilium.io/v2', plural: 'ciliumbgpclusterconfigs', namespaced: false },
  { kind: 'CiliumBGPPeerConfig', apiVersion: 'cilium.io/v2', plural: 'ciliumbgppeerconfigs', namespaced: false },
  { kind: 'CiliumBGPAdvertisement', apiVersion: 'cilium.io/v2', plural: 'ciliumbgpadvertisements', namespaced: false },
  { kind: 'CiliumBGPNodeConfigOverride', apiVersion: 'cilium.io/v2', plural: 'ciliumbgpnodeconfigoverrides', namespaced: false },
];

const FAMILY_AFI: Record<string, Family> = { ipv4: 'ipv4-unicast', ipv6: 'ipv6-unicast' };

export function computeV2(v: ClusterView, nodeName: string): AgentIntent {
  const node = findNode(v, nodeName);
  const problems: string[] = [];
  const configs = ((v.objects.CiliumBGPClusterConfig ?? []) as KubeObject[]).filter((c) => {
    const sel = selectorOf(objOf(c.spec).nodeSelector);
    if (sel === null) problems.push(`CiliumBGPClusterConfig ${nameOf(c)}: spec.nodeSelector is not a valid label selector; it selects no node`);
    return selects(sel, labelsOf(node));
  });
  if (configs.length === 0) return emptyIntent('cilium', nodeName, problems);
  if (configs.length > 1) problems.push(`node ${nodeName} is selected by ${configs.length} CiliumBGPClusterConfigs (conflicting); using ${nameOf(configs[0])}`);
  const cc = configs[0]!;
  const ccName = `CiliumBGPClusterConfig ${nameOf(cc)}`;
  const instances = listOf(objOf(cc.spec).bgpInstances);
  if (instances.length === 0) return emptyIntent('cilium', nodeName, [...problems, `${ccName} has no bgpInstances`]);
  const inst = objOf(instances[0]);
  const instName = strOf(inst.name) ?? '';
  if (instances.length > 1) problems.push(`${ccName}: ${instances.length} bgpInstances; this agent runs one BGP instance and uses the first (${instName})`);

  const ovName = `CiliumBGPNodeConfigOverride ${nodeName}`;
  const ovObj = (v.objects.CiliumBGPNodeConfigOverride ?? []).find((o) => o.metadata.name === nodeName);
  const ov = objOf(listOf(objOf(ovObj?.spec).bgpInstances).find((b) => objOf(b).name === instName));
  const ovAsn = intField(ov.localASN, 1, MAX_ASN);
  if (ovAsn.error) problems.push(`${ovName}: localASN ${ovAsn.error}; ignored`);
  const asn = ovAsn.value !== undefined ? { value: ovAsn.value } : intField(inst.localASN, 1, MAX_ASN);
  if (asn.value === undefined) return emptyIntent('cilium', nodeName, [...problems, `${ccName} bgpInstance ${instName}: localASN ${asn.error ?? 'is missing'}; no BGP on ${nodeName}`]);
  const ovRouterId = strOf(ov.routerID);
  if (ov.routerID !== undefined && (!ovRouterId || isIP(ovRouterId) !== 4)) problems.push(`${ovName}: routerID ${JSON.stringify(ov.routerID)} is not an IPv4 address; ignored`);
  const addrs = nodeAddresses(node);
  // Cilium's default router-ID allocation: the node's IPv4 address; on an IPv6-only node 32 bits of the cilium_host
  // MAC, for which the low 32 bits of the node's IPv6 address stand in here.
  const routerId = ovRouterId && isIP(ovRouterId) === 4 ? ovRouterId : addrs.v4 ?? (addrs.v6 ? low32(addrs.v6) : undefined);
  if (!routerId) return emptyIntent('cilium', nodeName, [...problems, `node ${nodeName} has no InternalIP and ${ovName} sets no routerID: no router ID`]);
  // Without localPort Cilium does not listen at all; this agent always listens on 179, which only adds passive opens.
  for (const [port, where] of [[ov.localPort, ovName], [inst.localPort, `${ccName} bgpInstance ${instName}`]] as const) {
    if (port !== undefined && port !== 179) {
      problems.push(`${where}: localPort ${JSON.stringify(port)} is not applied in this lab (the agent listens on 179)`);
      break;
    }
  }
  const intent: AgentIntent = { dialect: 'cilium', node: nodeName, localAsn: asn.value, routerId, peers: [], advertise: [], installRoutes: false, ibgpMesh: false, problems };

  const peerConfigs = (v.objects.CiliumBGPPeerConfig ?? []) as KubeObject[];
  /** Advertisement selectors per family, from the peers actually configured. */
  const familySelectors: Array<{ family: Family; selector: NonNullable<ReturnType<typeof selectorOf>> }> = [];
  listOf(inst.peers).forEach((raw, i) => {
    const peer = objOf(raw);
    const pname = strOf(peer.name) ?? `[${i}]`;
    const who = `${ccName} peer ${pname}`;
    if (peer.peerAddress === undefined || peer.peerAddress === null) {
      const how = isObj(peer.autoDiscovery) ? `autoDiscovery (mode ${JSON.stringify(objOf(peer.autoDiscovery).mode)}) is not supported by this agent` : 'no peerAddress';
      return void problems.push(`${who}: ${how}; peer not configured`);
    }
    const address = peerAddressOf(peer.peerAddress);
    if (!address || String(peer.peerAddress).includes('/')) return void problems.push(`${who}: peerAddress ${JSON.stringify(peer.peerAddress)} is not an IP address; peer refused`);
    const pa = peerAsnOf(peer.peerASN);
    if (pa.asn === undefined) return void problems.push(`${who}: ${pa.error}; peer refused`);
    const refName = peer.peerConfigRef === undefined || peer.peerConfigRef === null ? '' : strOf(objOf(peer.peerConfigRef).name);
    if (refName === undefined) return void problems.push(`${who}: peerConfigRef.name is not a string; peer refused`);
    const pc = refName ? peerConfigs.find((x) => x.metadata.name === refName) : undefined;
    if (refName && !pc) return void problems.push(`${who}: CiliumBGPPeerConfig ${refName} not found; as Cilium, the peer is not configured until it exists`);
    const s = objOf(pc?.spec);
    const cfgName = refName ? `CiliumBGPPeerConfig ${refName}` : 'defaults';
    const p = buildPeer(v, intent.localAsn, address, pa.asn, {
      port: [objOf(s.transport).peerPort, 'transport.peerPort'], ttl: [s.ebgpMultihop, 'ebgpMultihop'],
      connectRetry: [objOf(s.timers).connectRetryTimeSeconds, 'timers.connectRetryTimeSeconds'], hold: [objOf(s.timers).holdTimeSeconds, 'timers.holdTimeSeconds'],
      keepalive: [objOf(s.timers).keepAliveTimeSeconds, 'timers.keepAliveTimeSeconds'], gracefulRestart: [s.gracefulRestart, 'gracefulRestart'],
      families: [s.families, 'families'], auth: [s.authSecretRef, 'authSecretRef'],
    }, `${ccName} peer ${pname}`, `${who} (${cfgName})`, problems);
    if (!p) return;
    const ovPeer = objOf(listOf(ov.peers).find((x) => objOf(x).name === pname));
    if (ovPeer.localAddress !== undefined) {
      const la = typeof ovPeer.localAddress === 'string' ? ovPeer.localAddress.trim() : '';
      if (isIP(la) !== 0) p.localAddress = la;
      else problems.push(`${ovName}: peer ${pname} localAddress ${JSON.stringify(ovPeer.localAddress)} is not an IP address; ignored`);
    }
    intent.peers.push(p);
    for (const f of listOf(s.families)) {
      const fam = objOf(f).safi === 'unicast' ? FAMILY_AFI[String(objOf(f).afi)] : undefined;
      const sel = selectorOf(objOf(f).advertisements);
      if (sel === null) problems.push(`${cfgName}: families advertisements selector is not valid; nothing advertised for it`);
      if (fam && sel) familySelectors.push({ family: fam, selector: sel });
    }
  });

  const adverts = (v.objects.CiliumBGPAdvertisement ?? []) as KubeObject[];
  for (const { family, selector } of familySelectors) {
    for (const a of adverts) {
      if (!selects(selector, labelsOf(a))) continue;
      listOf(objOf(a.spec).advertisements).forEach((raw, j) => {
        const where = `CiliumBGPAdvertisement ${nameOf(a)} advertisements[${j}]`;
        for (const [prefix, reason] of advertisementPrefixes(v, node, objOf(raw), where, problems)) {
          if (prefixFamily(prefix) !== family) continue;
          const ad = objOf(objOf(raw).attributes);
          addPrefix(intent.advertise, prefix, attrsOf(ad.communities, ad.localPreference, problems, where), reason);
        }
      });
    }
  }
  // One problem per object and field, however many families select the advertisement.
  intent.problems = [...new Set(problems)];
  return finish(intent);
}

/** The prefixes (with reasons) one CiliumBGPAdvertisement entry gives on this node, before the family filter. */
function advertisementPrefixes(v: ClusterView, node: Node | undefined, ad: Record<string, unknown>, where: string, problems: string[]): Array<[string, string]> {
  const type = strOf(ad.advertisementType);
  const sel = selectorOf(ad.selector);
  if (sel === null) problems.push(`${where}: selector is not a valid label selector; selects nothing`);
  switch (type) {
    case 'PodCIDR':
      return podCidrs(node).map((c) => [c, `pod CIDR (${where.split(' advertisements')[0]})`]);
    case 'Service': {
      const svc = objOf(ad.service);
      // No selector or no service options: Cilium selects no service.
      if (!sel || !isObj(ad.service)) return [];
      if (svc.aggregationLengthIPv4 !== undefined || svc.aggregationLengthIPv6 !== undefined) problems.push(`${where}: service aggregationLengthIPv4/IPv6 not applied by this agent; host routes advertised`);
      const types = listOf(svc.addresses);
      const known = types.filter((t): t is ServiceAddressType => SERVICE_ADDRESS_TYPES.includes(t as ServiceAddressType));
      if (known.length < types.length) problems.push(`${where}: service.addresses ${JSON.stringify(types.filter((t) => !known.includes(t as ServiceAddressType)))} not known to Cilium; ignored`);
      return servicePrefixes(v, node?.metadata.name ?? '', sel, known).map((x) => [x.prefix, x.reason]);
    }
    case 'CiliumPodIPPool': {
      if (!sel) return [];
      if (!v.objects.CiliumPodIPPool?.length) problems.push(`${where}: no CiliumPodIPPool is visible to the agent`);
      return (v.objects.CiliumPodIPPool ?? []).filter((pool) => selects(sel, podPoolLabels(pool)))
        .flatMap((pool) => poolCidrsOnNode(v, node, pool).map((c): [string, string] => [c, `CiliumPodIPPool ${nameOf(pool)}`]));
    }
    default:
      problems.push(`${where}: advertisementType ${JSON.stringify(ad.advertisementType)} is not supported by this agent (PodCIDR, Service, CiliumPodIPPool)`);
      return [];
  }
}

/** The low 32 bits of an IPv6 address as dotted quad (a stable router ID for an IPv6-only node). */
function low32(ip6: string): string | undefined {
  const [head, tail] = ip6.toLowerCase().split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const g = (tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]).map((x) => parseInt(x, 16));
  if (g.length !== 8 || g.some((x) => !Number.isInteger(x))) return undefined;
  const id = [g[6]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255].join('.');
  return id === '0.0.0.0' ? undefined : id;
}
