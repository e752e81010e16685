/**
 * Cilium decisions, table-driven: for each case the objects (cilium.io/v2alpha1 CiliumBGPPeeringPolicy or the
 * cilium.io/v2 CiliumBGPClusterConfig / PeerConfig / Advertisement / NodeConfigOverride, pools, services) and the
 * peers/advertisements Cilium's BGP control plane would configure on one node — as read from Cilium's reconcilers
 * and their tests (neighbor, service, pod CIDR, pod IP pool, route policy; v1 and v2) and its BGP docs
 * (CRD defaults, traffic policies, load balancer class, communities, overrides). Cases written by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../cluster/client/types.js';
import { cilium } from './cilium.js';
import type { AgentIntent, PeerIntent } from './types.js';
import { viewFromObjects } from './view.js';

interface NodeOpts { labels?: Record<string, string>; ann?: Record<string, string>; pods?: string[]; v6?: string; noV4?: boolean }
const node = (name: string, ip: string, o: NodeOpts = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, labels: o.labels ?? {}, annotations: o.ann ?? {} },
  spec: { podCIDR: o.pods?.[0], podCIDRs: o.pods },
  status: { addresses: [...(o.noV4 ? [] : [{ type: 'InternalIP', address: ip }]), ...(o.v6 ? [{ type: 'InternalIP', address: o.v6 }] : [])] },
} as unknown as KubeObject);
const obj = (kind: string, apiVersion: string, name: string, spec: unknown, labels: Record<string, string> = {}): KubeObject =>
  ({ apiVersion, kind, metadata: { name, labels }, spec } as unknown as KubeObject);

// v2alpha1
const nb = (peerAddress: string, peerASN: number | undefined, extra: Record<string, unknown> = {}) => ({ peerAddress, peerASN, ...extra });
const policy = (name: string, vr: Record<string, unknown>, nodeSelector: unknown = { matchLabels: { rack: 'rack0' } }) =>
  obj('CiliumBGPPeeringPolicy', 'cilium.io/v2alpha1', name, { nodeSelector, virtualRouters: [{ localASN: 65010, ...vr }] });
// v2
const cc = (name: string, peers: unknown[], inst: Record<string, unknown> = {}, nodeSelector: unknown = { matchLabels: { rack: 'rack0' } }) =>
  obj('CiliumBGPClusterConfig', 'cilium.io/v2', name, { nodeSelector, bgpInstances: [{ name: 'instance-65010', localASN: 65010, peers, ...inst }] });
const peer = (name: string, peerAddress: string, peerASN: number | undefined, ref?: string) => ({ name, peerAddress, peerASN, ...(ref ? { peerConfigRef: { name: ref } } : {}) });
const pc = (name: string, spec: Record<string, unknown>) => obj('CiliumBGPPeerConfig', 'cilium.io/v2', name, spec);
const advObj = (name: string, advertisements: unknown[], labels = { advertise: 'bgp' }) => obj('CiliumBGPAdvertisement', 'cilium.io/v2', name, { advertisements }, labels);
const fam = (afi: string, sel: unknown = { matchLabels: { advertise: 'bgp' } }) => ({ afi, safi: 'unicast', advertisements: sel });
const override = (nodeName: string, inst: Record<string, unknown>) => obj('CiliumBGPNodeConfigOverride', 'cilium.io/v2', nodeName, { bgpInstances: [{ name: 'instance-65010', ...inst }] });
// pools, services, secrets
const lbPool = (name: string, blocks: unknown[], labels: Record<string, string> = {}, disabled = false) => obj('CiliumLoadBalancerIPPool', 'cilium.io/v2alpha1', name, { blocks, disabled }, labels);
const podPool = (name: string, v4: string[], labels: Record<string, string> = {}) => obj('CiliumPodIPPool', 'cilium.io/v2alpha1', name, { ipv4: { cidrs: v4, maskSize: 24 } }, labels);
interface SvcOpts { type?: string; cip?: string[]; ext?: string[]; lb?: string; etp?: string; itp?: string; lbClass?: string; labels?: Record<string, string> }
const svc = (name: string, o: SvcOpts = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', labels: o.labels ?? { app: name } },
  spec: { type: o.type ?? 'LoadBalancer', clusterIP: o.cip?.[0] ?? '10.96.0.10', clusterIPs: o.cip ?? ['10.96.0.10'], externalIPs: o.ext, externalTrafficPolicy: o.etp, internalTrafficPolicy: o.itp, loadBalancerClass: o.lbClass },
  status: { loadBalancer: { ingress: o.lb ? [{ ip: o.lb }] : [] } },
} as unknown as KubeObject);
const slice = (svcName: string, nodeName: string, ready = true): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svcName}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4', endpoints: [{ addresses: ['10.1.1.9'], nodeName, conditions: { ready } }],
} as unknown as KubeObject);
const secret = (name: string, data: Record<string, string>, ns = 'kube-system'): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: data } as unknown as KubeObject);

const N1 = node('n1', '10.0.1.2', { labels: { rack: 'rack0' }, pods: ['10.1.1.0/24'] });
const N2 = node('n2', '10.0.2.2', { labels: { rack: 'rack1' }, pods: ['10.1.2.0/24'] });
const DUAL = node('n1', '10.0.1.2', { labels: { rack: 'rack0' }, v6: 'fd00:10:0:1::2', pods: ['10.1.1.0/24', 'fd00:10:1:1::/64'] });
const TOR = nb('10.0.0.1/32', 65010);
const WEB = svc('web', { lb: '172.16.10.5', ext: ['192.0.2.5'] });
const ALL = { matchExpressions: [{ key: 'somekey', operator: 'NotIn', values: ['never-used-value'] }] };
const V2_BASE = [N1, N2, cc('bgp', [peer('tor', '10.0.0.1', 65010, 'p')]), pc('p', { families: [fam('ipv4'), fam('ipv6')] })];

/** "address:port asn" per peer, in the intent's order. */
const peers = (i: AgentIntent) => i.peers.map((p) => `${p.address}:${p.port} ${p.asn}`);
const prefixes = (i: AgentIntent) => i.advertise.map((a) => a.prefix).sort();
const at = (i: AgentIntent, addr: string): PeerIntent => {
  const p = i.peers.find((x) => x.address === addr);
  assert.ok(p, `peer ${addr} in ${JSON.stringify(peers(i))}`);
  return p;
};
const adv = (i: AgentIntent, prefix: string) => {
  const a = i.advertise.find((x) => x.prefix === prefix);
  assert.ok(a, `${prefix} in ${JSON.stringify(prefixes(i))}`);
  return a;
};
const timers = (p: PeerIntent) => [p.port, p.holdTime, p.keepalive, p.connectRetry, p.multihopTtl, p.gracefulRestart.enabled, p.gracefulRestart.restartTime];

interface Case { name: string; objs: KubeObject[]; node?: string; api?: 'auto' | 'v2alpha1' | 'v2'; peers?: string[]; prefixes?: string[]; asn?: number; routerId?: string; problems?: RegExp[]; noProblems?: boolean; check?: (i: AgentIntent) => void }

const CASES: Case[] = [
  // ---- v2alpha1 CiliumBGPPeeringPolicy: node selection and the virtual router
  { name: 'v2alpha1: policy selects the node by label; iBGP neighbour with the CRD defaults', objs: [N1, N2, policy('rack0', { neighbors: [TOR] })],
    peers: ['10.0.0.1:179 65010'], asn: 65010, routerId: '10.0.1.2', prefixes: [], noProblems: true,
    check: (i) => { const p = at(i, '10.0.0.1'); assert.deepEqual(timers(p), [179, 90, 30, 120, undefined, false, 120]); assert.deepEqual(p.families, ['ipv4-unicast', 'ipv6-unicast']); assert.equal(p.password, undefined); assert.equal(i.installRoutes, false); } },
  { name: 'v2alpha1: a node the nodeSelector does not match runs no BGP', objs: [N1, N2, policy('rack0', { neighbors: [TOR] })], node: 'n2', asn: 0, peers: [] },
  { name: 'v2alpha1: an absent nodeSelector selects every node', objs: [N1, N2, policy('all', { neighbors: [TOR] }, null)], node: 'n2', asn: 65010, peers: ['10.0.0.1:179 65010'] },
  { name: 'v2alpha1: matchExpressions NotIn excludes the node', objs: [N1, policy('not-rack0', { neighbors: [TOR] }, { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['rack0'] }] })], asn: 0 },
  { name: 'v2alpha1: two policies select the node: no BGP at all', objs: [N1, policy('a', { neighbors: [TOR] }), policy('b', { localASN: 65099, neighbors: [TOR] }, {})], asn: 0, peers: [], problems: [/selected by 2 CiliumBGPPeeringPolicies \(a, b\)/] },
  { name: 'v2alpha1: two virtualRouters: one BGP instance, the first, and the second named', objs: [N1, obj('CiliumBGPPeeringPolicy', 'cilium.io/v2alpha1', 'two', { nodeSelector: {}, virtualRouters: [{ localASN: 65010, neighbors: [TOR] }, { localASN: 65020, neighbors: [nb('10.0.0.9/32', 65020)] }] })],
    asn: 65010, peers: ['10.0.0.1:179 65010'], problems: [/2 virtualRouters/] },
  { name: 'v2alpha1: router-id from the cilium.io/bgp-virtual-router.<asn> annotation', objs: [node('n1', '10.0.1.2', { labels: { rack: 'rack0' }, ann: { 'cilium.io/bgp-virtual-router.65010': 'router-id=192.0.2.9' } }), policy('rack0', { neighbors: [TOR] })], routerId: '192.0.2.9', noProblems: true },
  { name: 'v2alpha1: IPv6-only node without a router-id annotation: Cilium cannot start the router', objs: [node('n1', '', { labels: { rack: 'rack0' }, v6: 'fd00::2', noV4: true }), policy('rack0', { neighbors: [nb('fd00::1/128', 65010)] })], asn: 0, problems: [/no IPv4 InternalIP and no router-id/] },
  // ---- v2alpha1 neighbours
  { name: 'v2alpha1: eBGP neighbour with peerPort, eBGPMultihopTTL, timers and graceful restart', objs: [N1, policy('rack0', { neighbors: [nb('172.16.0.1/32', 65000, { peerPort: 1790, eBGPMultihopTTL: 4, connectRetryTimeSeconds: 5, holdTimeSeconds: 9, keepAliveTimeSeconds: 3, gracefulRestart: { enabled: true, restartTimeSeconds: 15 } })] })],
    peers: ['172.16.0.1:1790 65000'], check: (i) => assert.deepEqual(timers(at(i, '172.16.0.1')), [1790, 9, 3, 5, 4, true, 15]) },
  { name: 'v2alpha1: one address on a second peerPort is refused as GoBGP does (one neighbour per address)', objs: [N1, policy('rack0', { neighbors: [nb('172.16.0.1/32', 65000), nb('172.16.0.1/32', 65001, { peerPort: 1790 })] })], peers: ['172.16.0.1:179 65000'], problems: [/peer 172.16.0.1 port 1790 refused.*one neighbor per address/] },
  { name: 'v2alpha1: eBGPMultihopTTL is ignored for an iBGP neighbour', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', 65010, { eBGPMultihopTTL: 4 })] })], check: (i) => assert.equal(at(i, '10.0.0.1').multihopTtl, undefined) },
  { name: 'v2alpha1: graceful restart enabled without restartTimeSeconds: 120', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', 65010, { gracefulRestart: { enabled: true } })] })], check: (i) => assert.deepEqual(at(i, '10.0.0.1').gracefulRestart, { enabled: true, restartTime: 120 }) },
  { name: 'v2alpha1: IPv6 neighbour (/128) with families ipv6/unicast only', objs: [DUAL, policy('rack0', { neighbors: [nb('fd00:10::1/128', 65010, { families: [{ afi: 'ipv6', safi: 'unicast' }] })] })],
    peers: ['fd00:10::1:179 65010'], check: (i) => assert.deepEqual(at(i, 'fd00:10::1').families, ['ipv6-unicast']) },
  { name: 'v2alpha1: authSecretRef password from kube-system', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', 65010, { authSecretRef: 'bgp-auth' })] }), secret('bgp-auth', { password: 's3cret' })], noProblems: true, check: (i) => assert.equal(at(i, '10.0.0.1').password, 's3cret') },
  { name: 'v2alpha1: authSecretRef secret missing: session without password, named', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', 65010, { authSecretRef: 'nope' })] })], peers: ['10.0.0.1:179 65010'], problems: [/authSecretRef "nope": no secret kube-system\/nope/], check: (i) => assert.equal(at(i, '10.0.0.1').password, undefined) },
  { name: 'v2alpha1: a secret in another namespace is not read', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', 65010, { authSecretRef: 'bgp-auth' })] }), secret('bgp-auth', { password: 'x' }, 'default')], check: (i) => assert.equal(at(i, '10.0.0.1').password, undefined) },
  { name: 'v2alpha1: secret without a password key: neighbour refused, the other kept', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', 65010, { authSecretRef: 'bad' }), nb('10.0.0.2/32', 65010)] }), secret('bad', { pw: 'x' })], peers: ['10.0.0.2:179 65010'], problems: [/has no "password" key; peer refused/] },
  { name: 'v2alpha1: neighbour without peerASN refused, the other kept', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', undefined), nb('10.0.0.2/32', 65010)] })], peers: ['10.0.0.2:179 65010'], problems: [/neighbor 10.0.0.1\/32: no peerASN/] },
  { name: 'v2alpha1: keepAliveTimeSeconds larger than holdTimeSeconds: neighbour refused', objs: [N1, policy('rack0', { neighbors: [nb('10.0.0.1/32', 65010, { holdTimeSeconds: 9, keepAliveTimeSeconds: 30 })] })], peers: [], problems: [/keepAliveTimeSeconds 30 is larger than holdTimeSeconds 9/] },
  { name: 'v2alpha1: peerAddress that is not an address is refused by name', objs: [N1, policy('rack0', { neighbors: [nb('<CHANGE ME>', 65010), TOR] })], peers: ['10.0.0.1:179 65010'], problems: [/peerAddress "<CHANGE ME>" is not an IP address/] },
  // ---- v2alpha1 advertisements
  { name: 'v2alpha1: exportPodCIDR on a dual-stack node: both pod CIDRs', objs: [DUAL, policy('rack0', { exportPodCIDR: true, neighbors: [TOR] })], prefixes: ['10.1.1.0/24', 'fd00:10:1:1::/64'] },
  { name: 'v2alpha1: exportPodCIDR false and no serviceSelector: nothing advertised', objs: [N1, WEB, policy('rack0', { exportPodCIDR: false, neighbors: [TOR] })], prefixes: [] },
  { name: 'v2alpha1: serviceSelector with the default serviceAdvertisements: LoadBalancer IP only', objs: [N1, WEB, policy('rack0', { serviceSelector: { matchLabels: { app: 'web' } }, neighbors: [TOR] })], prefixes: ['172.16.10.5/32'] },
  { name: 'v2alpha1: serviceAdvertisements ClusterIP + ExternalIP, dual-stack ClusterIPs', objs: [N1, svc('web', { type: 'ClusterIP', cip: ['10.96.0.10', 'fd00:96::10'], ext: ['192.0.2.5'] }), policy('rack0', { serviceSelector: ALL, serviceAdvertisements: ['ClusterIP', 'ExternalIP'], neighbors: [TOR] })],
    prefixes: ['10.96.0.10/32', '192.0.2.5/32', 'fd00:96::10/128'] },
  { name: 'v2alpha1: dual-stack LoadBalancer service on a dual-stack node: its IPv4 /32 and IPv6 /128', objs: [DUAL, { ...WEB, status: { loadBalancer: { ingress: [{ ip: '172.16.10.5' }, { ip: '2004::5' }] } } } as unknown as KubeObject, policy('rack0', { serviceSelector: { matchLabels: { app: 'web' } }, neighbors: [TOR] })], prefixes: ['172.16.10.5/32', '2004::5/128'] },
  { name: 'v2alpha1: the io.kubernetes.service.name label selects one service', objs: [N1, WEB, svc('api', { lb: '172.16.10.6' }), policy('rack0', { serviceSelector: { matchLabels: { 'io.kubernetes.service.name': 'api' } }, neighbors: [TOR] })], prefixes: ['172.16.10.6/32'] },
  { name: 'v2alpha1: a LoadBalancer of another loadBalancerClass is not announced; io.cilium/bgp-control-plane is', objs: [N1, svc('other', { lb: '172.16.10.7', lbClass: 'metallb.io/metallb' }), svc('ours', { lb: '172.16.10.8', lbClass: 'io.cilium/bgp-control-plane' }), policy('rack0', { serviceSelector: ALL, neighbors: [TOR] })], prefixes: ['172.16.10.8/32'] },
  { name: 'v2alpha1: eTP Local LoadBalancer withheld without a local endpoint', objs: [N1, svc('web', { lb: '172.16.10.5', etp: 'Local' }), slice('web', 'n2'), policy('rack0', { serviceSelector: ALL, neighbors: [TOR] })], prefixes: [] },
  { name: 'v2alpha1: eTP Local LoadBalancer announced with a ready local endpoint', objs: [N1, svc('web', { lb: '172.16.10.5', etp: 'Local' }), slice('web', 'n1'), policy('rack0', { serviceSelector: ALL, neighbors: [TOR] })], prefixes: ['172.16.10.5/32'] },
  { name: 'v2alpha1: path attributes of a CiliumLoadBalancerIPPool only on host routes inside its blocks', objs: [N1, svc('web', { lb: '172.16.10.5', cip: ['10.96.0.10'] }), lbPool('blue', [{ cidr: '172.16.10.0/24' }], { color: 'blue' }),
    policy('rack0', { serviceSelector: ALL, serviceAdvertisements: ['LoadBalancerIP', 'ClusterIP'], neighbors: [nb('10.0.0.1/32', 65010, { advertisedPathAttributes: [{ selectorType: 'CiliumLoadBalancerIPPool', selector: { matchLabels: { color: 'blue' } }, communities: { standard: ['65010:100'], large: ['65010:1:1'] }, localPreference: 150 }] })] })],
    prefixes: ['10.96.0.10/32', '172.16.10.5/32'], check: (i) => {
      assert.deepEqual([adv(i, '172.16.10.5/32').communities, adv(i, '172.16.10.5/32').largeCommunities, adv(i, '172.16.10.5/32').localPref], [['65010:100'], ['65010:1:1'], 150]);
      assert.deepEqual([adv(i, '10.96.0.10/32').communities, adv(i, '10.96.0.10/32').localPref], [[], undefined]);
    } },
  { name: 'v2alpha1: a disabled CiliumLoadBalancerIPPool gives no attributes', objs: [N1, WEB, lbPool('blue', [{ cidr: '172.16.10.0/24' }], {}, true), policy('rack0', { serviceSelector: ALL, neighbors: [nb('10.0.0.1/32', 65010, { advertisedPathAttributes: [{ selectorType: 'CiliumLoadBalancerIPPool', communities: { standard: ['65010:100'] } }] })] })],
    problems: [/no enabled CiliumLoadBalancerIPPool selected/], check: (i) => assert.deepEqual(adv(i, '172.16.10.5/32').communities, []) },
  { name: 'v2alpha1: a start/stop block counts as the pool', objs: [N1, WEB, lbPool('range', [{ start: '172.16.10.1', stop: '172.16.10.9' }]), policy('rack0', { serviceSelector: ALL, neighbors: [nb('10.0.0.1/32', 65010, { advertisedPathAttributes: [{ selectorType: 'CiliumLoadBalancerIPPool', communities: { wellKnown: ['no-export'] } }] })] })],
    check: (i) => assert.deepEqual(adv(i, '172.16.10.5/32').communities, ['65535:65281']) },
  { name: 'v2alpha1: PodCIDR attributes: a 32-bit standard community and well-known names as a:b', objs: [N1, policy('rack0', { exportPodCIDR: true, neighbors: [nb('10.0.0.1/32', 65010, { advertisedPathAttributes: [{ selectorType: 'PodCIDR', communities: { standard: ['4259840100'], wellKnown: ['no-advertise', 'planned-shut'] } }] })] })],
    noProblems: true, check: (i) => assert.deepEqual(adv(i, '10.1.1.0/24').communities, ['65000:100', '65535:65282', '65535:0']) },
  { name: 'v2alpha1: PodCIDR attributes whose selector does not match the node\'s labels are not applied', objs: [N1, policy('rack0', { exportPodCIDR: true, neighbors: [nb('10.0.0.1/32', 65010, { advertisedPathAttributes: [{ selectorType: 'PodCIDR', selector: { matchLabels: { rack: 'rack1' } }, localPreference: 200 }] })] })],
    check: (i) => assert.equal(adv(i, '10.1.1.0/24').localPref, undefined) },
  { name: 'v2alpha1: a community Cilium\'s schema rejects is left out and named, the valid one kept', objs: [N1, policy('rack0', { exportPodCIDR: true, neighbors: [nb('10.0.0.1/32', 65010, { advertisedPathAttributes: [{ selectorType: 'PodCIDR', communities: { standard: ['70000:1', '65010:7'] } }] })] })],
    problems: [/standard community "70000:1"/], check: (i) => assert.deepEqual(adv(i, '10.1.1.0/24').communities, ['65010:7']) },
  { name: 'v2alpha1: podIPPoolSelector advertises the pool CIDR the node holds', objs: [N1, podPool('blue', ['10.1.0.0/16'], { pool: 'blue' }), podPool('red', ['10.2.0.0/16'], { pool: 'red' }), policy('rack0', { podIPPoolSelector: ALL, neighbors: [TOR] })], prefixes: ['10.1.1.0/24'] },
  { name: 'v2alpha1: a CiliumNode\'s allocated pool CIDRs are what is advertised', objs: [N1, podPool('blue', ['10.50.0.0/16'], { pool: 'blue' }), obj('CiliumNode', 'cilium.io/v2', 'n1', { ipam: { pools: { allocated: [{ pool: 'blue', cidrs: ['10.50.3.0/24', '10.50.4.0/24'] }] } } }), policy('rack0', { podIPPoolSelector: { matchLabels: { pool: 'blue' } }, neighbors: [TOR] })],
    prefixes: ['10.50.3.0/24', '10.50.4.0/24'] },

  // ---- v2 CiliumBGPClusterConfig / PeerConfig / Advertisement
  { name: 'v2: peer without peerConfigRef: CRD defaults, and no advertisement (none selected)', objs: [N1, cc('bgp', [peer('tor', '10.0.0.1', 65010)])], api: 'v2',
    peers: ['10.0.0.1:179 65010'], prefixes: [], asn: 65010, routerId: '10.0.1.2', noProblems: true, check: (i) => assert.deepEqual(timers(at(i, '10.0.0.1')), [179, 90, 30, 120, undefined, false, 120]) },
  { name: 'v2: peerConfigRef names a missing CiliumBGPPeerConfig: that peer is not configured', objs: [N1, cc('bgp', [peer('tor', '10.0.0.1', 65010, 'missing'), peer('tor2', '10.0.0.2', 65010)])], api: 'v2',
    peers: ['10.0.0.2:179 65010'], problems: [/peer tor: CiliumBGPPeerConfig missing not found/] },
  { name: 'v2: CiliumBGPPeerConfig transport, timers, ebgpMultihop, graceful restart and password', objs: [N1, cc('bgp', [peer('tor', '172.16.0.1', 65000, 'p')]), pc('p', { transport: { peerPort: 1790 }, timers: { connectRetryTimeSeconds: 5, holdTimeSeconds: 9, keepAliveTimeSeconds: 3 }, ebgpMultihop: 4, gracefulRestart: { enabled: true, restartTimeSeconds: 15 }, authSecretRef: 'bgp-auth' }), secret('bgp-auth', { password: 'pw' })], api: 'v2',
    peers: ['172.16.0.1:1790 65000'], noProblems: true, check: (i) => { const p = at(i, '172.16.0.1'); assert.deepEqual(timers(p), [1790, 9, 3, 5, 4, true, 15]); assert.equal(p.password, 'pw'); } },
  { name: 'v2: timers of 0 mean the defaults (SetDefaults)', objs: [N1, cc('bgp', [peer('tor', '10.0.0.1', 65010, 'p')]), pc('p', { timers: { holdTimeSeconds: 0, keepAliveTimeSeconds: 0, connectRetryTimeSeconds: 0 } })], api: 'v2', check: (i) => assert.deepEqual(timers(at(i, '10.0.0.1')).slice(1, 4), [90, 30, 120]) },
  { name: 'v2: holdTimeSeconds below the CRD minimum 3: peer refused by field', objs: [N1, cc('bgp', [peer('tor', '10.0.0.1', 65010, 'p')]), pc('p', { timers: { holdTimeSeconds: 2 } })], api: 'v2', peers: [], problems: [/timers.holdTimeSeconds 2 is out of range 3-65535/] },
  { name: 'v2: peerASN absent (0 = learn from OPEN): refused by name', objs: [N1, cc('bgp', [peer('tor', '10.0.0.1', undefined)])], api: 'v2', peers: [], problems: [/peer tor: no peerASN/] },
  { name: 'v2: autoDiscovery without peerAddress is named as not supported', objs: [N1, cc('bgp', [{ name: 'gw', peerASN: 65010, autoDiscovery: { mode: 'DefaultGateway', defaultGateway: { addressFamily: 'ipv4' } } }, peer('tor', '10.0.0.1', 65010)])], api: 'v2',
    peers: ['10.0.0.1:179 65010'], problems: [/peer gw: autoDiscovery \(mode "DefaultGateway"\) is not supported/] },
  { name: 'v2: family ipv4 only: on a dual-stack node only the IPv4 pod CIDR', objs: [DUAL, cc('bgp', [peer('tor', '10.0.0.1', 65010, 'p')]), pc('p', { families: [fam('ipv4')] }), advObj('pods', [{ advertisementType: 'PodCIDR' }])], api: 'v2',
    prefixes: ['10.1.1.0/24'], check: (i) => assert.deepEqual(at(i, '10.0.0.1').families, ['ipv4-unicast']) },
  { name: 'v2: families ipv4 and ipv6: both pod CIDRs', objs: [DUAL, cc('bgp', [peer('tor', '10.0.0.1', 65010, 'p')]), pc('p', { families: [fam('ipv4'), fam('ipv6')] }), advObj('pods', [{ advertisementType: 'PodCIDR' }])], api: 'v2', prefixes: ['10.1.1.0/24', 'fd00:10:1:1::/64'] },
  { name: 'v2: a family whose selector matches no CiliumBGPAdvertisement advertises nothing', objs: [N1, cc('bgp', [peer('tor', '10.0.0.1', 65010, 'p')]), pc('p', { families: [fam('ipv4', { matchLabels: { advertise: 'other' } })] }), advObj('pods', [{ advertisementType: 'PodCIDR' }])], api: 'v2', prefixes: [] },
  { name: 'v2: Service advertisement without a selector selects no service', objs: [...V2_BASE, WEB, advObj('svc', [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP'] } }])], prefixes: [] },
  { name: 'v2: eTP Local without a local endpoint: ClusterIP still advertised (iTP Cluster), LoadBalancer and external IPs withheld', objs: [...V2_BASE, svc('web', { lb: '172.16.10.5', ext: ['192.0.2.5'], etp: 'Local' }), slice('web', 'n2'), advObj('svc', [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP', 'ClusterIP', 'ExternalIP'] }, selector: ALL }])],
    prefixes: ['10.96.0.10/32'] },
  { name: 'v2: iTP Local without a local endpoint: ClusterIP withheld, LoadBalancer still advertised', objs: [...V2_BASE, svc('web', { lb: '172.16.10.5', itp: 'Local' }), slice('web', 'n2'), advObj('svc', [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP', 'ClusterIP'] }, selector: ALL }])],
    prefixes: ['172.16.10.5/32'] },
  { name: 'v2: a not-ready local endpoint does not count for eTP Local', objs: [...V2_BASE, svc('web', { lb: '172.16.10.5', etp: 'Local' }), slice('web', 'n1', false), advObj('svc', [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP'] }, selector: ALL }])], prefixes: [] },
  { name: 'v2: overlapping advertisements: union of communities, the largest localPreference', objs: [...V2_BASE, svc('web', { lb: '172.16.10.5', labels: { vpc1: 'true', vpc2: 'true' } }),
    advObj('a', [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP'] }, selector: { matchLabels: { vpc1: 'true' } }, attributes: { communities: { large: ['1111:1111:1111'] }, localPreference: 100 } }]),
    advObj('b', [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP'] }, selector: { matchLabels: { vpc2: 'true' } }, attributes: { communities: { large: ['2222:2222:2222'], standard: ['65010:5'] }, localPreference: 300 } }])],
    check: (i) => { const a = adv(i, '172.16.10.5/32'); assert.deepEqual([[...a.largeCommunities].sort(), a.communities, a.localPref], [['1111:1111:1111', '2222:2222:2222'], ['65010:5'], 300]); } },
  { name: 'v2: PodCIDR attributes: wellKnown names become their a:b values', objs: [...V2_BASE, advObj('pods', [{ advertisementType: 'PodCIDR', attributes: { communities: { standard: ['65000:99'], wellKnown: ['no-export', 'blackhole'] }, localPreference: 99 } }])],
    noProblems: true, check: (i) => { const a = adv(i, '10.1.1.0/24'); assert.deepEqual([a.communities, a.localPref], [['65000:99', '65535:65281', '65535:666'], 99]); } },
  { name: 'v2: CiliumPodIPPool advertisement by the io.cilium.podippool.name label', objs: [...V2_BASE, podPool('default', ['10.1.0.0/16']), podPool('other', ['10.1.0.0/16']), advObj('pools', [{ advertisementType: 'CiliumPodIPPool', selector: { matchLabels: { 'io.cilium.podippool.name': 'default' } } }])],
    prefixes: ['10.1.1.0/24'], check: (i) => assert.match(adv(i, '10.1.1.0/24').reason, /CiliumPodIPPool default/) },
  { name: 'v2: LoadBalancer of another loadBalancerClass is not announced', objs: [...V2_BASE, svc('web', { lb: '172.16.10.5', lbClass: 'example.com/lb' }), advObj('svc', [{ advertisementType: 'Service', service: { addresses: ['LoadBalancerIP'] }, selector: ALL }])], prefixes: [] },
  { name: 'v2: an advertisementType this agent has not is named, the others still advertised', objs: [...V2_BASE, advObj('mixed', [{ advertisementType: 'Interface', interface: { name: 'lo' } }, { advertisementType: 'PodCIDR' }])],
    prefixes: ['10.1.1.0/24'], problems: [/advertisementType "Interface" is not supported/] },
  { name: 'v2: CiliumBGPNodeConfigOverride: routerID, localASN and a peer\'s localAddress on the named node', objs: [...V2_BASE, override('n1', { routerID: '192.168.10.1', localASN: 65099, peers: [{ name: 'tor', localAddress: '10.0.1.2' }] })],
    asn: 65099, routerId: '192.168.10.1', noProblems: true, check: (i) => assert.equal(at(i, '10.0.0.1').localAddress, '10.0.1.2') },
  { name: 'v2: a CiliumBGPNodeConfigOverride named after another node changes nothing here', objs: [...V2_BASE, override('n2', { routerID: '192.168.10.1', localASN: 65099 })], asn: 65010, routerId: '10.0.1.2' },
  { name: 'v2: localPort other than 179 is named as not applied', objs: [N1, cc('bgp', [peer('tor', '10.0.0.1', 65010)], { localPort: 1790 })], api: 'v2', peers: ['10.0.0.1:179 65010'], problems: [/localPort 1790 is not applied/] },
  { name: 'v2: two ClusterConfigs select the node: the first is used, the conflict named', objs: [N1, cc('a', [peer('tor', '10.0.0.1', 65010)]), cc('b', [peer('tor', '10.0.0.2', 65020)], { localASN: 65020 })], api: 'v2', asn: 65010, peers: ['10.0.0.1:179 65010'], problems: [/selected by 2 CiliumBGPClusterConfigs/] },
  { name: 'v2: IPv6-only node: a router ID is still picked (Cilium: from the cilium_host MAC; here the low 32 bits of the node IPv6)', objs: [node('n1', '', { labels: { rack: 'rack0' }, v6: 'fd00:10:0:1::2:3', noV4: true }), cc('bgp', [peer('tor', 'fd00:10::1', 65010)])], api: 'v2',
    asn: 65010, routerId: '0.2.0.3', peers: ['fd00:10::1:179 65010'] },
  { name: 'v2: a ClusterConfig not selecting the node: no BGP', objs: [...V2_BASE], node: 'n2', asn: 0 },
  // ---- both APIs present
  { name: 'auto: a CiliumBGPPeeringPolicy that selects the node takes precedence over CiliumBGPClusterConfig', objs: [...V2_BASE, policy('rack0', { localASN: 65077, neighbors: [nb('10.0.0.7/32', 65077)] })], asn: 65077, peers: ['10.0.0.7:179 65077'] },
  { name: 'auto: a policy for other nodes leaves the v2 objects in charge', objs: [...V2_BASE, policy('rack1', { localASN: 65077, neighbors: [nb('10.0.0.7/32', 65077)] }, { matchLabels: { rack: 'rack1' } })], asn: 65010, peers: ['10.0.0.1:179 65010'] },
];

for (const c of CASES) {
  test(`cilium: ${c.name}`, () => {
    const i = cilium.compute(viewFromObjects(c.objs), c.node ?? 'n1', { api: c.api ?? 'auto' });
    if (c.asn !== undefined) assert.equal(i.localAsn, c.asn);
    if (c.routerId !== undefined) assert.equal(i.routerId, c.routerId);
    if (c.peers) assert.deepEqual(peers(i), c.peers);
    if (c.prefixes) assert.deepEqual(prefixes(i), [...c.prefixes].sort());
    for (const re of c.problems ?? []) assert.ok(i.problems.some((p) => re.test(p)), `problem ${re} in ${JSON.stringify(i.problems)}`);
    if (c.noProblems) assert.deepEqual(i.problems, []);
    c.check?.(i);
  });
}
