/**
 * Calico decisions, table-driven: for each case the objects (projectcalico.org/v3 as users apply them, or the v1 CRDs
 * Calico stores) and the peers/advertisements calico-node's BIRD would have for one node — as read from Calico's
 * docs (BGPPeer, BGPConfiguration, BGPFilter, Node resources) and confd's BIRD templates. Cases written by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../cluster/client/types.js';
import { computeCalico } from './calico.js';
import type { AgentIntent, PeerIntent } from './types.js';
import { viewFromObjects } from './view.js';
import { routeFilterVerdict } from '../../bgp/index.js';

interface NodeOpts { labels?: Record<string, string>; ann?: Record<string, string>; bgp?: Record<string, unknown>; pod?: string; v6?: string }
const node = (name: string, ip: string, o: NodeOpts = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, labels: o.labels ?? {}, annotations: o.ann ?? {} },
  spec: { podCIDR: o.pod, ...(o.bgp ? { bgp: o.bgp } : {}) },
  status: { addresses: [{ type: 'InternalIP', address: ip }, ...(o.v6 ? [{ type: 'InternalIP', address: o.v6 }] : [])] },
} as unknown as KubeObject);
const V3 = 'projectcalico.org/v3';
const V1 = 'crd.projectcalico.org/v1';
const obj = (kind: string, name: string, spec: Record<string, unknown>, apiVersion = V3): KubeObject => ({ apiVersion, kind, metadata: { name }, spec } as unknown as KubeObject);
const peer = (name: string, spec: Record<string, unknown>, av = V3) => obj('BGPPeer', name, spec, av);
const cfg = (spec: Record<string, unknown>, name = 'default', av = V3) => obj('BGPConfiguration', name, spec, av);
const filter = (name: string, spec: Record<string, unknown>) => obj('BGPFilter', name, spec);
const secret = (name: string, key: string, value: string, ns = 'calico-system'): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: ns }, stringData: { [key]: value } } as unknown as KubeObject);
const slice = (svcName: string, nodeName: string, ip: string): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svcName}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4', endpoints: [{ addresses: [ip], nodeName, conditions: { ready: true } }],
} as unknown as KubeObject);

const N1 = node('n1', '10.0.0.11', { pod: '10.48.1.0/24', labels: { rack: 'a' } });
const N2 = node('n2', '10.0.0.12', { pod: '10.48.2.0/24', labels: { rack: 'a' } });
const N3 = node('n3', '10.0.0.13', { pod: '10.48.3.0/24', labels: { rack: 'b' } });
const WEB: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '10.96.0.10' }, status: { loadBalancer: { ingress: [{ ip: '192.168.4.7' }] } } } as unknown as KubeObject;
const MESH_OFF = cfg({ nodeToNodeMeshEnabled: false, asNumber: 64512 });

/** "address:port asn" per peer, in the intent's order. */
const peers = (i: AgentIntent) => i.peers.map((p) => `${p.address}:${p.port} ${p.asn}`);
/** Calico's export: the peer's filter rules first, then calico_export_to_bgp_peers (own routes only to external peers). */
const sends = (p: PeerIntent, prefix: string, learned = false, ifname?: string): boolean =>
  (routeFilterVerdict(p.exportRules ?? [], prefix, { learned, ...(ifname ? { ifname } : {}) }) ?? (learned ? p.exportPolicy === 'all' : 'accept')) === 'accept';
/** Calico's import: the peer's filter rules first, then accept. */
const accepts = (p: PeerIntent, prefix: string): boolean => routeFilterVerdict(p.importRules ?? [], prefix, { learned: true }) !== 'reject';
const at = (i: AgentIntent, addr: string, port = 179): PeerIntent => {
  const p = i.peers.find((x) => x.address === addr && x.port === port);
  assert.ok(p, `peer ${addr}:${port} in ${JSON.stringify(peers(i))}`);
  return p;
};

interface Case { name: string; objs: KubeObject[]; node?: string; peers?: string[]; prefixes?: string[]; asn?: number; problems?: RegExp[]; noProblems?: boolean; check?: (i: AgentIntent) => void }

const CASES: Case[] = [
  { name: 'no BGPConfiguration: AS 64512, full mesh', objs: [N1, N2, N3], peers: ['10.0.0.12:179 64512', '10.0.0.13:179 64512'], asn: 64512, noProblems: true },
  { name: 'v3 BGPConfiguration asNumber sets the global AS for the node and its mesh peers', objs: [N1, N2, cfg({ asNumber: 65010 })], peers: ['10.0.0.12:179 65010'], asn: 65010 },
  { name: 'v1 BGPConfiguration (what Calico stores) is read too', objs: [N1, N2, cfg({ asNumber: 65011 }, 'default', V1)], asn: 65011 },
  { name: 'v3 wins over v1 of the same name', objs: [N1, N2, cfg({ asNumber: 65011 }, 'default', V1), cfg({ asNumber: 65012 })], asn: 65012 },
  { name: 'nodeToNodeMeshEnabled false: no mesh peers', objs: [N1, N2, N3, MESH_OFF], peers: [] },
  { name: 'node AS annotation overrides the global AS (own and mesh peer)', objs: [node('n1', '10.0.0.11', { ann: { 'projectcalico.org/ASNumber': '65100' } }), node('n2', '10.0.0.12', { ann: { 'projectcalico.org/ASNumber': '65200' } })], peers: ['10.0.0.12:179 65200'], asn: 65100 },
  { name: 'IPv4Address annotation is the node BGP address (mask stripped)', objs: [N1, node('n2', '10.0.0.12', { ann: { 'projectcalico.org/IPv4Address': '172.16.0.2/24' } })], peers: ['172.16.0.2:179 64512'] },
  { name: 'IPv6: spec.bgp.ipv6Address of both nodes adds a v6 mesh session', objs: [node('n1', '10.0.0.11', { bgp: { ipv6Address: 'fd00::11/64' } }), node('n2', '10.0.0.12', { bgp: { ipv6Address: 'fd00::12/64' } })], peers: ['10.0.0.12:179 64512', 'fd00::12:179 64512'], check: (i) => assert.deepEqual(at(i, 'fd00::12').families, ['ipv6-unicast']) },
  { name: 'IPv6: projectcalico.org/IPv6Address annotation', objs: [node('n1', '10.0.0.11', { ann: { 'projectcalico.org/IPv6Address': 'fd00::11/64' } }), node('n2', '10.0.0.12', { ann: { 'projectcalico.org/IPv6Address': 'fd00::12/64' } })], peers: ['10.0.0.12:179 64512', 'fd00::12:179 64512'] },
  { name: 'IPv6 only on the other node: no v6 session (we have no v6 address)', objs: [N1, node('n2', '10.0.0.12', { bgp: { ipv6Address: 'fd00::12/64' } })], peers: ['10.0.0.12:179 64512'] },
  { name: 'IPv6 peers via peerSelector', objs: [node('n1', '10.0.0.11', { bgp: { ipv6Address: 'fd00::11/64' } }), node('n2', '10.0.0.12', { labels: { rr: 'y' }, bgp: { ipv6Address: 'fd00::12/64' } }), MESH_OFF, peer('to-rr', { peerSelector: 'has(rr)' })], peers: ['10.0.0.12:179 64512', 'fd00::12:179 64512'] },
  { name: 'global BGPPeer (no node/nodeSelector) applies to every node', objs: [N1, N2, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001 })], node: 'n2', peers: ['10.0.0.1:179 65001'] },
  { name: 'BGPPeer spec.node limits the peer to that node', objs: [N1, N2, MESH_OFF, peer('tor', { node: 'n2', peerIP: '10.0.0.1', asNumber: 65001 })], peers: [] },
  { name: 'BGPPeer spec.node matching', objs: [N1, N2, MESH_OFF, peer('tor', { node: 'n1', peerIP: '10.0.0.1', asNumber: 65001 })], peers: ['10.0.0.1:179 65001'] },
  { name: 'nodeSelector rack == "b" does not select n1', objs: [N1, N3, MESH_OFF, peer('tor', { nodeSelector: "rack == 'b'", peerIP: '10.0.0.1', asNumber: 65001 })], peers: [] },
  { name: 'nodeSelector rack == "a" selects n1', objs: [N1, N3, MESH_OFF, peer('tor', { nodeSelector: "rack == 'a'", peerIP: '10.0.0.1', asNumber: 65001 })], peers: ['10.0.0.1:179 65001'] },
  { name: 'peerIP with port', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1:1790', asNumber: 65001 })], peers: ['10.0.0.1:1790 65001'] },
  { name: 'IPv6 peerIP with port in brackets', objs: [N1, MESH_OFF, peer('tor6', { peerIP: '[fd00::1]:1790', asNumber: 65001 })], peers: ['fd00::1:1790 65001'] },
  { name: 'two peers with the same IP and different ports stay two peers', objs: [N1, MESH_OFF, peer('a', { peerIP: '10.0.0.1:179', asNumber: 65001 }), peer('b', { peerIP: '10.0.0.1:1790', asNumber: 65001 })], peers: ['10.0.0.1:179 65001', '10.0.0.1:1790 65001'], noProblems: true },
  { name: 'a BGPPeer whose peerIP is the node itself is skipped', objs: [N1, MESH_OFF, peer('self', { peerIP: '10.0.0.11', asNumber: 65001 })], peers: [] },
  { name: 'listenPort: mesh peers connect to the port the other node listens on', objs: [N1, N2, cfg({ listenPort: 1790 })], peers: ['10.0.0.12:1790 64512'] },
  { name: 'per-node BGPConfiguration node.<name> overrides listenPort for that node only', objs: [N1, N2, N3, cfg({ listenPort: 1790 }), cfg({ listenPort: 1791 }, 'node.n3')], peers: ['10.0.0.12:1790 64512', '10.0.0.13:1791 64512'] },
  { name: 'per-node BGPConfiguration does not change the global AS', objs: [N1, N2, cfg({ asNumber: 65010 }), cfg({ listenPort: 1791 }, 'node.n1')], asn: 65010 },
  { name: 'nodeMeshPassword from a secret in calico-system', objs: [N1, N2, cfg({ nodeMeshPassword: { secretKeyRef: { name: 'bgp', key: 'mesh' } } }), secret('bgp', 'mesh', 's3cret')], check: (i) => assert.equal(at(i, '10.0.0.12').password, 's3cret') },
  { name: 'nodeMeshPassword secret missing: mesh stays up without password, problem named', objs: [N1, N2, cfg({ nodeMeshPassword: { secretKeyRef: { name: 'nope', key: 'k' } } })], peers: ['10.0.0.12:179 64512'], problems: [/BGPConfiguration default: spec.nodeMeshPassword secret nope/], check: (i) => assert.equal(at(i, '10.0.0.12').password, undefined) },
  { name: 'nodeMeshMaxRestartTime sets the mesh graceful-restart time', objs: [N1, N2, cfg({ nodeMeshMaxRestartTime: '3m' })], check: (i) => assert.deepEqual(at(i, '10.0.0.12').gracefulRestart, { enabled: true, restartTime: 180 }) },
  { name: 'BIRD timers on a BGPPeer: hold 240, keepalive 80, GR 120', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001 })], check: (i) => { const p = at(i, '10.0.0.1'); assert.deepEqual([p.holdTime, p.keepalive, p.gracefulRestart.restartTime], [240, 80, 120]); } },
  { name: 'BGPPeer keepaliveTime and maxRestartTime', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, keepaliveTime: '30s', maxRestartTime: '10m' })], check: (i) => { const p = at(i, '10.0.0.1'); assert.deepEqual([p.keepalive, p.gracefulRestart.restartTime], [30, 600]); } },
  { name: 'BGPPeer password from kube-system secret', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, password: { secretKeyRef: { name: 'p', key: 'k' } } }), secret('p', 'k', 'pw', 'kube-system')], check: (i) => assert.equal(at(i, '10.0.0.1').password, 'pw') },
  { name: 'keepOriginalNextHop true', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, keepOriginalNextHop: true })], check: (i) => assert.deepEqual([at(i, '10.0.0.1').keepOriginalNextHop, at(i, '10.0.0.1').nextHopSelf], [true, false]) },
  { name: 'nextHopMode Self rewrites the next hop always', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 64512, nextHopMode: 'Self' })], check: (i) => assert.deepEqual([at(i, '10.0.0.1').keepOriginalNextHop, at(i, '10.0.0.1').nextHopSelf], [false, true]) },
  { name: 'nextHopMode Keep', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, nextHopMode: 'Keep' })], check: (i) => assert.equal(at(i, '10.0.0.1').keepOriginalNextHop, true) },
  { name: 'nextHopMode Auto overrides keepOriginalNextHop', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, nextHopMode: 'Auto', keepOriginalNextHop: true })], check: (i) => assert.deepEqual([at(i, '10.0.0.1').keepOriginalNextHop, at(i, '10.0.0.1').nextHopSelf], [false, false]) },
  { name: 'route reflector: node with routeReflectorClusterID reflects to the nodes selecting it', objs: [node('rr', '10.0.0.1', { labels: { 'route-reflector': 'true' }, bgp: { routeReflectorClusterID: '224.0.0.1' } }), N1, N2, MESH_OFF, peer('rr-mesh', { nodeSelector: 'all()', peerSelector: 'route-reflector == "true"' }), peer('rr-clients', { nodeSelector: 'route-reflector == "true"', peerSelector: '!has(route-reflector)' })], node: 'rr', peers: ['10.0.0.11:179 64512', '10.0.0.12:179 64512'], check: (i) => { assert.deepEqual(i.routeReflector, { clusterId: '224.0.0.1' }); assert.ok(i.peers.every((p) => p.rrClient && p.exportPolicy === 'all')); } },
  { name: 'route reflector client side: a plain node peers with the RR, not as client', objs: [node('rr', '10.0.0.1', { labels: { 'route-reflector': 'true' }, bgp: { routeReflectorClusterID: '224.0.0.1' } }), N1, N2, MESH_OFF, peer('rr-mesh', { nodeSelector: 'all()', peerSelector: 'route-reflector == "true"' })], peers: ['10.0.0.1:179 64512'], check: (i) => { assert.equal(i.routeReflector, undefined); assert.equal(at(i, '10.0.0.1').rrClient, false); } },
  { name: 'two reflectors of the same cluster ID are not each other\'s clients', objs: [node('rr1', '10.0.0.1', { labels: { rr: 'y' }, ann: { 'projectcalico.org/RouteReflectorClusterID': '224.0.0.1' } }), node('rr2', '10.0.0.2', { labels: { rr: 'y' }, ann: { 'projectcalico.org/RouteReflectorClusterID': '224.0.0.1' } }), MESH_OFF, peer('rr-mesh', { peerSelector: 'has(rr)' })], node: 'rr1', peers: ['10.0.0.2:179 64512'], check: (i) => assert.equal(at(i, '10.0.0.2').rrClient, false) },
  { name: 'peerSelector peers connect to the selected node\'s listenPort', objs: [N1, N2, cfg({ nodeToNodeMeshEnabled: false, listenPort: 1790 }), peer('p', { peerSelector: "rack == 'a'" })], peers: ['10.0.0.12:1790 64512'] },
  // localASNumber and ttlSecurity: confd's explicit_peering/local-as* and ttl_security/* golden BIRD configs.
  { name: 'localASNumber: that peer\'s protocol gets `local as 64515` while the node speaks 64567 to the others (confd local-as-global)', objs: [N1, cfg({ nodeToNodeMeshEnabled: false, asNumber: 64567 }), peer('bgppeer-1', { peerIP: '10.192.0.3', asNumber: 64567, localASNumber: 64515 }), peer('bgppeer-2', { peerIP: '10.192.0.1:166', asNumber: 64567, localASNumber: 64567 })],
    asn: 64567, peers: ['10.192.0.1:166 64567', '10.192.0.3:179 64567'], noProblems: true, check: (i) => { assert.equal(at(i, '10.192.0.3').localAsn, 64515); assert.equal(at(i, '10.192.0.1', 166).localAsn, 64567); } },
  { name: 'confd local-as-global in full: a peerIP without port that is a Calico node of the same AS takes the global listenPort 150; an explicit :166 stays; localASNumber 64515 on one',
    objs: [node('kube-master', '10.192.0.2', { bgp: { ipv4Address: '10.192.0.2/16' } }), node('kube-node-1', '10.192.0.3', { bgp: { ipv4Address: '10.192.0.3/16' } }), node('kube-node-2', '10.192.0.1', { bgp: { ipv4Address: '10.192.0.1/16' } }), cfg({ nodeToNodeMeshEnabled: false, asNumber: 64567, listenPort: 150 }),
      peer('bgppeer-1', { peerIP: '10.192.0.3', asNumber: 64567, localASNumber: 64515, sourceAddress: 'None' }), peer('bgppeer-2', { peerIP: '10.192.0.1:166', asNumber: 64567, localASNumber: 64567 }), peer('bgppeer-3', { peerIP: '10.192.0.1', asNumber: 64567, localASNumber: 64567, numAllowedLocalASNumbers: 1 })],
    node: 'kube-master', peers: ['10.192.0.1:150 64567', '10.192.0.1:166 64567', '10.192.0.3:150 64567'], check: (i) => { assert.equal(at(i, '10.192.0.3', 150).localAsn, 64515); assert.equal(at(i, '10.192.0.1', 150).localAsn, 64567); } },
  { name: 'a peerIP without port that is a Calico node of another AS keeps port 179', objs: [N1, node('n2', '10.0.0.12', { ann: { 'projectcalico.org/ASNumber': '65002' } }), cfg({ nodeToNodeMeshEnabled: false, asNumber: 64512, listenPort: 1790 }), peer('x', { peerIP: '10.0.0.12', asNumber: 64512 })], peers: ['10.0.0.12:179 64512'] },
  { name: 'no localASNumber: the peer speaks the node\'s AS (no per-peer local as)', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001 })], check: (i) => assert.equal(at(i, '10.0.0.1').localAsn, undefined) },
  { name: 'localASNumber equal to the peer\'s AS makes the session iBGP: keepOriginalNextHop (eBGP only) is not applied', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, localASNumber: 65001, keepOriginalNextHop: true })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(p.localAsn, 65001); assert.equal(p.keepOriginalNextHop, false); } },
  { name: 'keepOriginalNextHop on an iBGP peer is not applied (confd: next hop keep only when the AS differs)', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 64512, keepOriginalNextHop: true })], check: (i) => assert.equal(at(i, '10.0.0.1').keepOriginalNextHop, false) },
  { name: 'localASNumber different from the node AS turns an iBGP peer eBGP: keepOriginalNextHop applies', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 64512, localASNumber: 65100, keepOriginalNextHop: true })], check: (i) => assert.equal(at(i, '10.0.0.1').keepOriginalNextHop, true) },
  { name: 'localASNumber on a route reflector\'s peerSelector peer: eBGP by its local AS, so no rr client', objs: [node('n1', '10.0.0.11', { bgp: { routeReflectorClusterID: '224.0.0.1' } }), N2, MESH_OFF, peer('rr', { peerSelector: "rack == 'a'", localASNumber: 65300 })],
    peers: ['10.0.0.12:179 64512'], check: (i) => { const p = at(i, '10.0.0.12'); assert.equal(p.localAsn, 65300); assert.equal(p.rrClient, false); } },
  { name: 'localASNumber out of range is refused with object and field, the peer is not made', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, localASNumber: 4294967296 })], peers: [], problems: [/BGPPeer tor: spec.localASNumber 4294967296 is not an AS number/] },
  { name: 'ttlSecurity 1 and 2 on node-specific peers: `ttl security on; multihop N` — TTL 255 out, minimum TTL 255 / 254 in (confd ttl_security/explicit_node)',
    objs: [node('kube-master', '10.192.0.2'), node('kube-node-1', '10.192.0.3'), node('kube-node-2', '10.192.0.4'), MESH_OFF, peer('ttl-explicit-peer-1', { node: 'kube-master', peerIP: '10.192.0.3', asNumber: 64517, ttlSecurity: 1 }), peer('ttl-explicit-peer-2', { node: 'kube-master', peerIP: '10.192.0.4', asNumber: 64517, ttlSecurity: 2 })],
    node: 'kube-master', peers: ['10.192.0.3:179 64517', '10.192.0.4:179 64517'], noProblems: true,
    check: (i) => { assert.deepEqual([at(i, '10.192.0.3').multihopTtl, at(i, '10.192.0.3').minTtl], [255, 255]); assert.deepEqual([at(i, '10.192.0.4').multihopTtl, at(i, '10.192.0.4').minTtl], [255, 254]); } },
  { name: 'ttlSecurity on a peerSelector BGPPeer: every selected node\'s session has GTSM (confd ttl_security/peer_selector)',
    objs: [node('kube-master', '10.192.0.2'), node('kube-node-1', '10.192.0.3', { labels: { 'ttl-security-node': 'yes' } }), node('kube-node-2', '10.192.0.4', { labels: { 'ttl-security-node': 'yes' } }), MESH_OFF, peer('ttl-selector-peers', { node: 'kube-master', peerSelector: 'has(ttl-security-node)', ttlSecurity: 1 })],
    node: 'kube-master', peers: ['10.192.0.3:179 64512', '10.192.0.4:179 64512'], check: (i) => { for (const p of i.peers) assert.deepEqual([p.multihopTtl, p.minTtl], [255, 255]); } },
  { name: 'ttlSecurity on a global peer; the node mesh keeps `ttl security off` (confd ttl_security/global)', objs: [N1, N2, peer('global-ttl', { peerIP: '10.0.0.1', asNumber: 64512, ttlSecurity: 1 })],
    peers: ['10.0.0.1:179 64512', '10.0.0.12:179 64512'], check: (i) => { assert.equal(at(i, '10.0.0.1').minTtl, 255); assert.equal(at(i, '10.0.0.12').minTtl, undefined); assert.equal(at(i, '10.0.0.12').multihopTtl, undefined); } },
  { name: 'ttlSecurity 0 is off: no minimum TTL, the speaker\'s default TTL', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, ttlSecurity: 0 })], noProblems: true, check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(p.minTtl, undefined); assert.equal(p.multihopTtl, undefined); } },
  { name: 'ttlSecurity above 255 (Calico\'s uint8) is refused with object and field; other peers kept', objs: [N1, MESH_OFF, peer('bad', { peerIP: '10.0.0.2', asNumber: 65001, ttlSecurity: 300 }), peer('good', { peerIP: '10.0.0.1', asNumber: 65001, ttlSecurity: 255 })], peers: ['10.0.0.1:179 65001'], problems: [/BGPPeer bad: spec.ttlSecurity 300 is not a hop count 0-255/], check: (i) => assert.equal(at(i, '10.0.0.1').minTtl, 1) },
  { name: 'sourceAddress UseNodeIP is the default (no problem)', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, sourceAddress: 'UseNodeIP' })], peers: ['10.0.0.1:179 65001'], noProblems: true },
  { name: 'sourceAddress None is named as not applied', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, sourceAddress: 'None' })], problems: [/BGPPeer tor: spec.sourceAddress None/] },
  { name: 'reachableBy is named as not applied', objs: [N1, MESH_OFF, peer('tor', { peerIP: '10.0.0.99', asNumber: 65001, reachableBy: '10.0.0.1' })], peers: ['10.0.0.99:179 65001'], problems: [/BGPPeer tor: spec.reachableBy 10.0.0.1/] },
  { name: 'BGPFilter exportV4 Reject In: the ToR is not sent the pod CIDR; a missing BGPFilter is named, the rest applies', objs: [N1, MESH_OFF, filter('f1', { exportV4: [{ cidr: '10.48.0.0/16', matchOperator: 'In', action: 'Reject' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f1', 'f2'] })], peers: ['10.0.0.1:179 65001'], problems: [/BGPPeer tor: spec.filters: BGPFilter f2 not found/], check: (i) => { assert.equal(sends(at(i, '10.0.0.1'), '10.48.1.0/24'), false); assert.equal(sends(at(i, '10.0.0.1'), '10.96.0.0/12'), true); } },
  { name: 'BGPFilter importV4 Reject NotIn 44.0.0.0/16: only routes inside it are accepted', objs: [N1, MESH_OFF, filter('f', { importV4: [{ cidr: '44.0.0.0/16', matchOperator: 'NotIn', action: 'Reject' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], noProblems: true, check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(accepts(p, '44.0.3.0/24'), true); assert.equal(accepts(p, '55.0.0.0/24'), false); assert.equal(accepts(p, '44.0.0.0/8'), false); } },
  { name: 'BGPFilter Equal matches the exact prefix only', objs: [N1, MESH_OFF, filter('f', { importV4: [{ cidr: '44.4.0.0/16', matchOperator: 'Equal', action: 'Reject' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(accepts(p, '44.4.0.0/16'), false); assert.equal(accepts(p, '44.4.1.0/24'), true); } },
  { name: 'BGPFilter NotEqual: everything but the exact prefix', objs: [N1, MESH_OFF, filter('f', { importV4: [{ cidr: '44.4.0.0/16', matchOperator: 'NotEqual', action: 'Reject' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(accepts(p, '44.4.0.0/16'), true); assert.equal(accepts(p, '44.4.1.0/24'), false); } },
  { name: 'BGPFilter export Accept source RemotePeers: routes learned over BGP are passed on to the ToR (Calico would not by default)', objs: [N1, MESH_OFF, filter('f', { exportV4: [{ action: 'Accept', matchOperator: 'In', cidr: '77.0.0.0/16', source: 'RemotePeers' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(sends(p, '77.0.5.0/24', true), true); assert.equal(sends(p, '78.0.5.0/24', true), false); assert.equal(p.exportPolicy, 'originated'); } },
  { name: 'BGPFilter source RemotePeers does not match the node\'s own routes', objs: [N1, MESH_OFF, filter('f', { exportV4: [{ action: 'Reject', source: 'RemotePeers' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => assert.equal(sends(at(i, '10.0.0.1'), '10.48.1.0/24'), true) },
  { name: 'BGPFilter interface glob matches a route\'s interface only when it has one', objs: [N1, MESH_OFF, filter('f', { exportV4: [{ action: 'Reject', interface: '*.calico' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(sends(p, '10.48.1.0/24'), true); assert.equal(sends(p, '10.50.0.0/24', true, 'vxlan.calico'), false); assert.equal(sends(p, '10.50.0.0/24', true, 'eth0'), false); } },
  { name: 'BGPFilter rules are tried in order: the first match decides', objs: [N1, MESH_OFF, filter('f', { importV4: [{ action: 'Accept', matchOperator: 'In', cidr: '55.0.0.0/16', prefixLength: { min: 30 } }, { action: 'Reject', matchOperator: 'In', cidr: '55.0.0.0/8' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(accepts(p, '55.0.1.4/30'), true); assert.equal(accepts(p, '55.0.1.0/24'), false); assert.equal(accepts(p, '56.0.0.0/24'), true); } },
  { name: 'two BGPFilters on a peer apply in the peer\'s filters order', objs: [N1, MESH_OFF, filter('a', { importV4: [{ action: 'Accept', matchOperator: 'In', cidr: '44.0.0.0/16' }] }), filter('b', { importV4: [{ action: 'Reject', matchOperator: 'In', cidr: '44.0.0.0/8' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['b', 'a'] })], check: (i) => assert.equal(accepts(at(i, '10.0.0.1'), '44.0.1.0/24'), false) },
  { name: 'BGPFilter V6 rules apply to IPv6 routes only, V4 rules to IPv4 only', objs: [N1, MESH_OFF, filter('f', { exportV6: [{ action: 'Reject', matchOperator: 'In', cidr: 'fd00:10::/32' }], exportV4: [{ action: 'Reject' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(sends(p, 'fd00:10:0:1::/64'), false); assert.equal(sends(p, 'fd00:11::/64'), true); assert.equal(sends(p, '10.48.1.0/24'), false); } },
  { name: 'BGPFilter applies to the BGPPeer\'s sessions only, not to the node mesh', objs: [N1, N2, filter('f', { exportV4: [{ action: 'Reject' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['f'] })], check: (i) => { assert.equal(sends(at(i, '10.0.0.12'), '10.48.1.0/24'), true); assert.equal(sends(at(i, '10.0.0.1'), '10.48.1.0/24'), false); } },
  { name: 'BGPFilter on a peerSelector BGPPeer filters each selected node\'s session', objs: [N1, N2, N3, MESH_OFF, filter('f', { exportV4: [{ action: 'Reject', matchOperator: 'Equal', cidr: '10.48.1.0/24' }] }), peer('p', { peerSelector: "rack == 'a'", filters: ['f'] })], peers: ['10.0.0.12:179 64512'], check: (i) => assert.equal(sends(at(i, '10.0.0.12'), '10.48.1.0/24'), false) },
  { name: 'BGPFilter with a bad matchOperator is refused whole, named by field; the peer comes up without it', objs: [N1, MESH_OFF, filter('bad', { exportV4: [{ action: 'Reject', matchOperator: 'Like', cidr: '10.48.0.0/16' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['bad'] })], peers: ['10.0.0.1:179 65001'], problems: [/BGPFilter bad: spec.exportV4\[0\] matchOperator "Like"/, /BGPPeer tor: spec.filters: BGPFilter bad refused/], check: (i) => assert.equal(at(i, '10.0.0.1').exportRules, undefined) },
  { name: 'BGPFilter cidr without matchOperator, an IPv6 cidr in a V4 rule and a bad action are refused', objs: [N1, MESH_OFF, filter('x', { importV4: [{ action: 'Reject', cidr: '10.0.0.0/8' }, { action: 'Reject', matchOperator: 'In', cidr: 'fd00::/8' }, { action: 'Drop' }] })], problems: [/BGPFilter x: spec.importV4\[0\] matchOperator undefined/, /spec.importV4\[1\] cidr "fd00::\/8" is not an IPv4 CIDR/, /spec.importV4\[2\] action "Drop"/] },
  { name: 'BGPFilter rule fields the speaker cannot match (communities) skip that rule, named', objs: [N1, MESH_OFF, filter('c', { importV4: [{ action: 'Reject', communities: { values: ['65000:100'] } }, { action: 'Reject', matchOperator: 'In', cidr: '44.0.0.0/16' }] }), peer('tor', { peerIP: '10.0.0.1', asNumber: 65001, filters: ['c'] })], problems: [/BGPFilter c: spec.importV4\[0\] communities not applied/], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(accepts(p, '55.0.0.0/24'), true); assert.equal(accepts(p, '44.0.1.0/24'), false); } },
  { name: 'pod CIDR advertised', objs: [N1], prefixes: ['10.48.1.0/24'] },
  { name: 'serviceClusterIPs range advertised from every node', objs: [N1, cfg({ serviceClusterIPs: [{ cidr: '10.96.0.0/12' }] })], prefixes: ['10.48.1.0/24', '10.96.0.0/12'] },
  { name: 'serviceExternalIPs and serviceLoadBalancerIPs ranges', objs: [N1, cfg({ serviceExternalIPs: [{ cidr: '192.168.3.0/24' }], serviceLoadBalancerIPs: [{ cidr: '192.168.4.0/24' }] })], prefixes: ['10.48.1.0/24', '192.168.3.0/24', '192.168.4.0/24'] },
  { name: 'serviceClusterIPs with an empty entry: refused by field, others kept (no crash)', objs: [N1, cfg({ serviceClusterIPs: [{ cidr: '' }, { cidr: '10.96.0.0/12' }] })], prefixes: ['10.48.1.0/24', '10.96.0.0/12'], problems: [/spec.serviceClusterIPs\[0\].cidr/] },
  { name: 'eTP Local LoadBalancer service: /32 from the node with an endpoint', objs: [N1, N2, cfg({ serviceLoadBalancerIPs: [{ cidr: '192.168.4.0/24' }] }), WEB, slice('web', 'n2', '10.48.2.5')], node: 'n2', prefixes: ['10.48.2.0/24', '192.168.4.0/24', '192.168.4.7/32'] },
  { name: 'dual-stack eTP Local LoadBalancer service: a /32 and a /128 (IPv6 serviceLoadBalancerIPs range) from the node with an endpoint',
    objs: [N1, N2, cfg({ serviceLoadBalancerIPs: [{ cidr: '192.168.4.0/24' }, { cidr: 'fd00:99::/120' }] }), { ...WEB, status: { loadBalancer: { ingress: [{ ip: '192.168.4.7' }, { ip: 'fd00:99::7' }] } } } as unknown as KubeObject, slice('web', 'n2', '10.48.2.5')], node: 'n2',
    prefixes: ['10.48.2.0/24', '192.168.4.0/24', '192.168.4.7/32', 'fd00:99::/120', 'fd00:99::7/128'] },
  { name: 'an IPv6 LoadBalancer IP outside every serviceLoadBalancerIPs range: no /128', objs: [N1, N2, cfg({ serviceLoadBalancerIPs: [{ cidr: 'fd00:98::/120' }] }), { ...WEB, status: { loadBalancer: { ingress: [{ ip: 'fd00:99::7' }] } } } as unknown as KubeObject, slice('web', 'n2', '10.48.2.5')], node: 'n2',
    prefixes: ['10.48.2.0/24', 'fd00:98::/120'] },
  { name: 'eTP Local LoadBalancer service: no /32 from a node without an endpoint', objs: [N1, N2, cfg({ serviceLoadBalancerIPs: [{ cidr: '192.168.4.0/24' }] }), WEB, slice('web', 'n2', '10.48.2.5')], prefixes: ['10.48.1.0/24', '192.168.4.0/24'] },
  { name: 'eTP Local: an IP outside the configured ranges is not advertised', objs: [N1, N2, cfg({ serviceLoadBalancerIPs: [{ cidr: '192.168.5.0/24' }] }), WEB, slice('web', 'n2', '10.48.2.5')], node: 'n2', prefixes: ['10.48.2.0/24', '192.168.5.0/24'] },
  { name: 'bad peerIP refused with object and field, other peers kept', objs: [N1, MESH_OFF, peer('bad', { peerIP: 'not-an-ip', asNumber: 65001 }), peer('good', { peerIP: '10.0.0.1', asNumber: 65001 })], peers: ['10.0.0.1:179 65001'], problems: [/BGPPeer bad: spec.peerIP "not-an-ip"/] },
  { name: 'peerIP without asNumber refused', objs: [N1, MESH_OFF, peer('noasn', { peerIP: '10.0.0.1' })], peers: [], problems: [/BGPPeer noasn: spec.asNumber missing/] },
  { name: 'bad selector refused, object named', objs: [N1, N2, MESH_OFF, peer('sel', { peerSelector: 'rack === a' })], peers: [], problems: [/BGPPeer sel/] },
];

test('at least 40 Calico cases', () => assert.ok(CASES.length >= 40, String(CASES.length)));

for (const c of CASES) {
  test(`calico: ${c.name}`, () => {
    const i = computeCalico(viewFromObjects(c.objs), c.node ?? 'n1');
    if (c.peers) assert.deepEqual(peers(i), c.peers);
    if (c.prefixes) assert.deepEqual(i.advertise.map((a) => a.prefix), c.prefixes);
    if (c.asn !== undefined) assert.equal(i.localAsn, c.asn);
    for (const re of c.problems ?? []) assert.ok(i.problems.some((p) => re.test(p)), `${re} in ${JSON.stringify(i.problems)}`);
    if (c.noProblems) assert.deepEqual(i.problems, []);
    c.check?.(i);
  });
}
