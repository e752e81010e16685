/**
 * MetalLB decisions, table-driven: for each case the metallb.io objects as users apply them (BGPPeer v1beta2,
 * IPAddressPool, BGPAdvertisement, Community) and what MetalLB's speaker on one node would do — the sessions it opens
 * and the prefixes with their communities/localPref — as read from MetalLB's configuration docs (BGP configuration,
 * advanced BGP configuration, advanced IPAddressPool configuration), its API reference and its config validation
 * tests. Cases written by hand. Plus a property test over hostile objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import type { KubeObject } from '../../cluster/client/index.js';
import { computeMetallb } from './metallb.js';
import { computeCalico } from './calico.js';
import { detectDialect } from './index.js';
import type { AgentIntent, PeerIntent } from './types.js';
import { viewFromObjects } from './view.js';
import { rng } from '../../../test/lib/rng.js';

const NS = 'metallb-system';
const node = (name: string, ip: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: {}, status: { addresses: [{ type: 'InternalIP', address: ip }] },
} as unknown as KubeObject);
const mlb = (kind: string, name: string, spec: unknown, o: { av?: string; labels?: Record<string, string> } = {}): KubeObject =>
  ({ apiVersion: o.av ?? (kind === 'BGPPeer' ? 'metallb.io/v1beta2' : 'metallb.io/v1beta1'), kind, metadata: { name, namespace: NS, labels: o.labels ?? {} }, spec } as unknown as KubeObject);
const peer = (name: string, spec: Record<string, unknown>) => mlb('BGPPeer', name, { myASN: 64500, peerASN: 64501, peerAddress: '10.0.0.1', ...spec });
const pool = (name: string, addresses: string[], labels?: Record<string, string>) => mlb('IPAddressPool', name, { addresses }, { labels });
const adv = (name: string, spec: Record<string, unknown> = {}) => mlb('BGPAdvertisement', name, spec);
const svc = (name: string, ip: string, o: { local?: boolean; annotations?: Record<string, string>; lbClass?: string; ns?: string } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: o.ns ?? 'default', annotations: o.annotations ?? {} },
  spec: { type: 'LoadBalancer', clusterIP: '10.96.0.10', externalTrafficPolicy: o.local ? 'Local' : 'Cluster', ...(o.lbClass ? { loadBalancerClass: o.lbClass } : {}) },
  status: { loadBalancer: { ingress: [{ ip }] } },
} as unknown as KubeObject);
const slice = (svcName: string, nodeName: string, ready = true, ns = 'default'): KubeObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svcName}-${nodeName}`, namespace: ns, labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'], nodeName, conditions: { ready } }],
} as unknown as KubeObject);
const secret = (name: string, pw: string, type = 'kubernetes.io/basic-auth'): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Secret', type, metadata: { name, namespace: NS }, data: { password: Buffer.from(pw).toString('base64') } } as unknown as KubeObject);

const N1 = node('n1', '10.0.0.11', { rack: 'a' });
const N2 = node('n2', '10.0.0.12', { rack: 'b' });
const CP = node('cp', '10.0.0.10', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' });
const BASE = [N1, N2, peer('tor', {}), pool('first', ['192.168.10.0/24']), adv('all')];
const WEB = [svc('web', '192.168.10.5'), slice('web', 'n2')];

const peers = (i: AgentIntent) => i.peers.map((p) => `${p.address}:${p.port} ${p.asn}`);
const prefixes = (i: AgentIntent) => i.advertise.map((a) => a.prefix);
const at = (i: AgentIntent, addr: string): PeerIntent => {
  const p = i.peers.find((x) => x.address === addr);
  assert.ok(p, `peer ${addr} in ${JSON.stringify(peers(i))}`);
  return p;
};

interface Case { name: string; objs: KubeObject[]; node?: string; asn?: number; peers?: string[]; prefixes?: string[]; problems?: RegExp[]; noProblems?: boolean; check?: (i: AgentIntent) => void }

const CASES: Case[] = [
  { name: 'docs basic BGP: one peer, one pool, one empty BGPAdvertisement → the service IP as /32', objs: [...BASE, ...WEB], asn: 64500, peers: ['10.0.0.1:179 64501'], prefixes: ['192.168.10.5/32'], noProblems: true,
    check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(p.holdTime, 90); assert.equal(p.keepalive, 30); assert.equal(p.multihopTtl, undefined); assert.equal(p.password, undefined); assert.deepEqual(p.families, ['ipv4-unicast', 'ipv6-unicast']); assert.equal(i.routerId, '10.0.0.11'); } },
  { name: 'dual-stack service from a pool of both families: its IPv4 /32 and IPv6 /128 (aggregationLengthV6 128)', objs: [N1, N2, peer('tor', {}), pool('first', ['192.168.10.0/24', 'fd00:99::/120']), adv('all'), { ...svc('web', '192.168.10.5'), status: { loadBalancer: { ingress: [{ ip: '192.168.10.5' }, { ip: 'fd00:99::5' }] } } } as unknown as KubeObject, slice('web', 'n2')],
    prefixes: ['192.168.10.5/32', 'fd00:99::5/128'] },
  { name: 'no BGPAdvertisement: the session comes up but nothing is announced', objs: [N1, peer('tor', {}), pool('first', ['192.168.10.0/24']), ...WEB], peers: ['10.0.0.1:179 64501'], prefixes: [] },
  { name: 'no BGPPeer selecting the node: no BGP at all', objs: [N1, peer('tor', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] }), pool('first', ['192.168.10.0/24']), adv('all'), ...WEB], asn: 0, peers: [], prefixes: [] },
  { name: 'BGPPeer nodeSelectors: any of the selectors (matchExpressions In)', objs: [N1, N2, peer('tor-a', { peerAddress: '10.0.0.1', nodeSelectors: [{ matchLabels: { rack: 'x' } }, { matchExpressions: [{ key: 'rack', operator: 'In', values: ['a'] }] }] }), peer('tor-b', { peerAddress: '10.0.0.2', nodeSelectors: [{ matchLabels: { rack: 'b' } }] })], peers: ['10.0.0.1:179 64501'] },
  { name: 'peerPort, holdTime (keepalive = a third), ebgpMultiHop (TTL 255), sourceAddress, routerID, gracefulRestart', objs: [N1, peer('tor', { peerPort: 1179, holdTime: '30s', ebgpMultiHop: true, sourceAddress: '10.0.0.11', routerID: '10.10.10.10', enableGracefulRestart: true })],
    peers: ['10.0.0.1:1179 64501'], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(p.holdTime, 30); assert.equal(p.keepalive, 10); assert.equal(p.multihopTtl, 255); assert.equal(p.localAddress, '10.0.0.11'); assert.deepEqual(p.gracefulRestart, { enabled: true, restartTime: 120 }); assert.equal(i.routerId, '10.10.10.10'); } },
  { name: 'explicit keepaliveTime and connectTime', objs: [N1, peer('tor', { holdTime: '1m30s', keepaliveTime: '20s', connectTime: '5s' })], check: (i) => { const p = at(i, '10.0.0.1'); assert.equal(p.holdTime, 90); assert.equal(p.keepalive, 20); assert.equal(p.connectRetry, 5); } },
  { name: 'holdTime below 3s is refused by MetalLB validation', objs: [N1, peer('tor', { holdTime: '2s' })], peers: [], problems: [/BGPPeer metallb-system\/tor: spec.holdTime 2s: must be 0 or at least 3s/] },
  { name: 'keepaliveTime longer than holdTime is refused', objs: [N1, peer('tor', { holdTime: '9s', keepaliveTime: '30s' })], peers: [], problems: [/keepaliveTime 30s is longer than spec.holdTime 9s/] },
  { name: 'ebgpMultiHop on an iBGP peer is refused', objs: [N1, peer('tor', { peerASN: 64500, ebgpMultiHop: true })], peers: [], problems: [/ebgpMultiHop is set on an iBGP peer/] },
  { name: 'password in the spec', objs: [N1, peer('tor', { password: 's3cret' })], check: (i) => assert.equal(at(i, '10.0.0.1').password, 's3cret') },
  { name: 'passwordSecret: basic-auth secret, key password', objs: [N1, secret('tor-pw', 'fromsecret'), peer('tor', { passwordSecret: { name: 'tor-pw', namespace: NS } })], check: (i) => assert.equal(at(i, '10.0.0.1').password, 'fromsecret') },
  { name: 'passwordSecret of a non basic-auth type is refused', objs: [N1, secret('tor-pw', 'x', 'Opaque'), peer('tor', { passwordSecret: { name: 'tor-pw' } })], peers: [], problems: [/type Opaque, MetalLB needs kubernetes.io\/basic-auth/] },
  { name: 'password and passwordSecret together are refused', objs: [N1, secret('tor-pw', 'x'), peer('tor', { password: 'a', passwordSecret: { name: 'tor-pw' } })], peers: [], problems: [/mutually exclusive/] },
  { name: 'bfdProfile: the BFDProfile\'s intervals, multiplier, passive mode and minimum TTL go on the session', objs: [N1, mlb('BFDProfile', 'fast', { receiveInterval: 100, transmitInterval: 150, detectMultiplier: 5, passiveMode: true, minimumTtl: 250 }), peer('tor', { bfdProfile: 'fast', ebgpMultiHop: true })], peers: ['10.0.0.1:179 64501'], noProblems: true,
    check: (i) => assert.deepEqual(at(i, '10.0.0.1').bfd, { minTxMs: 150, minRxMs: 100, multiplier: 5, passive: true, minTtl: 250 }) },
  { name: 'bfdProfile naming an empty BFDProfile: MetalLB\'s defaults 300 ms / 300 ms / 3', objs: [N1, mlb('BFDProfile', 'plain', {}), peer('tor', { bfdProfile: 'plain' })], noProblems: true, check: (i) => assert.deepEqual(at(i, '10.0.0.1').bfd, { minTxMs: 300, minRxMs: 300, multiplier: 3 }) },
  { name: 'bfdProfile naming no BFDProfile: the peer is refused in MetalLB\'s words', objs: [N1, peer('tor', { bfdProfile: 'fast' })], peers: [], problems: [/peer tor referencing non existing bfd profile fast/] },
  { name: 'a BFDProfile in another namespace does not count', objs: [N1, { ...mlb('BFDProfile', 'fast', {}), metadata: { name: 'fast', namespace: 'other' } } as unknown as KubeObject, peer('tor', { bfdProfile: 'fast' })], peers: [], problems: [/referencing non existing bfd profile fast/] },
  { name: 'BFDProfile detectMultiplier 1 is outside MetalLB\'s 2-255: the peer is refused, field named', objs: [N1, mlb('BFDProfile', 'bad', { detectMultiplier: 1 }), peer('tor', { bfdProfile: 'bad' })], peers: [], problems: [/BFDProfile metallb-system\/bad: spec.detectMultiplier 1 must be an integer in 2-255/] },
  { name: 'BFDProfile echoMode is reported (no echo function); BFD still runs', objs: [N1, mlb('BFDProfile', 'echo', { echoMode: true, echoInterval: 50 }), peer('tor', { bfdProfile: 'echo' })], problems: [/spec.echoMode is not applied/], check: (i) => assert.equal(at(i, '10.0.0.1').bfd?.multiplier, 3) },
  { name: 'IPv6 peer; disableMP keeps the session single-family', objs: [N1, peer('tor6', { peerAddress: 'fc00::1', disableMP: true })], peers: ['fc00::1:179 64501'], check: (i) => assert.deepEqual(at(i, 'fc00::1').families, ['ipv6-unicast']) },
  { name: 'a second BGPPeer with another myASN is refused (one AS per speaker)', objs: [N1, peer('a', {}), peer('b', { myASN: 64999, peerAddress: '10.0.0.2' })], asn: 64500, peers: ['10.0.0.1:179 64501'], problems: [/BGPPeer b: spec.myASN 64999 differs/] },
  { name: 'duplicate peer address is refused', objs: [N1, peer('a', {}), peer('b', {})], peers: ['10.0.0.1:179 64501'], problems: [/already defined by BGPPeer a/] },
  { name: 'dynamicASN internal peers in our own AS', objs: [N1, mlb('BGPPeer', 'ibgp', { myASN: 64500, dynamicASN: 'internal', peerAddress: '10.0.0.1' })], peers: ['10.0.0.1:179 64500'] },
  { name: 'docs advanced BGP: aggregationLength 24 announces the /24, a second advertisement the /32 with localPref and NO_ADVERTISE',
    objs: [...BASE.slice(0, 3), pool('first', ['198.51.100.10/24']), adv('local', { ipAddressPools: ['first'], aggregationLength: 32, localPref: 100, communities: ['65535:65282'] }), adv('external', { ipAddressPools: ['first'], aggregationLength: 24 }), svc('web', '198.51.100.10'), slice('web', 'n1')],
    prefixes: ['198.51.100.0/24', '198.51.100.10/32'], check: (i) => { const h = i.advertise.find((a) => a.prefix === '198.51.100.10/32')!; assert.equal(h.localPref, 100); assert.deepEqual(h.communities, ['65535:65282']); const agg = i.advertise.find((a) => a.prefix === '198.51.100.0/24')!; assert.deepEqual(agg.communities, []); assert.equal(agg.localPref, undefined); } },
  { name: 'aggregationLength shorter than the pool CIDR is refused', objs: [...BASE.slice(0, 3), pool('first', ['192.168.10.0/24']), adv('bad', { aggregationLength: 16 }), ...WEB], prefixes: [], problems: [/aggregation length 16\/128 is shorter than a CIDR of IPAddressPool first/] },
  { name: 'address range pool: its /32 block is more specific than aggregationLength 30, refused', objs: [...BASE.slice(0, 3), pool('range', ['192.168.9.1-192.168.9.5']), adv('agg', { aggregationLength: 30 }), svc('web', '192.168.9.2'), slice('web', 'n1')], prefixes: [], problems: [/aggregation length 30\/128 is shorter than a CIDR of IPAddressPool range/] },
  { name: 'aligned range pool (one /30 block) aggregates to the /30', objs: [...BASE.slice(0, 3), pool('range', ['192.168.9.4-192.168.9.7']), adv('agg', { aggregationLength: 30 }), svc('web', '192.168.9.5'), slice('web', 'n1')], prefixes: ['192.168.9.4/30'] },
  { name: 'range pool, /32 announcement', objs: [...BASE.slice(0, 3), pool('range', ['192.168.9.1-192.168.9.5']), adv('all'), svc('web', '192.168.9.2'), slice('web', 'n1')], prefixes: ['192.168.9.2/32'] },
  { name: 'communities: Community CRD alias and a large community', objs: [...BASE.slice(0, 3), pool('first', ['192.168.10.0/24']), mlb('Community', 'communities', { communities: [{ name: 'NO_ADVERTISE', value: '65535:65282' }] }), adv('c', { communities: ['NO_ADVERTISE', 'large:64500:1:2', '64500:300'] }), ...WEB],
    check: (i) => { const a = i.advertise[0]!; assert.deepEqual(a.communities.sort(), ['64500:300', '65535:65282']); assert.deepEqual(a.largeCommunities, ['64500:1:2']); } },
  { name: 'unknown community alias refuses the advertisement, others keep working', objs: [...BASE.slice(0, 3), pool('first', ['192.168.10.0/24']), adv('bad', { communities: ['NO_SUCH_ALIAS'] }), adv('good'), ...WEB], prefixes: ['192.168.10.5/32'], problems: [/BGPAdvertisement metallb-system\/bad: community "NO_SUCH_ALIAS"/] },
  { name: 'ipAddressPools by name: only that pool is announced', objs: [...BASE.slice(0, 3), pool('first', ['192.168.10.0/24']), pool('second', ['192.168.20.0/24']), adv('a', { ipAddressPools: ['second'] }), ...WEB, svc('api', '192.168.20.7'), slice('api', 'n1')], prefixes: ['192.168.20.7/32'] },
  { name: 'ipAddressPoolSelectors by pool label', objs: [...BASE.slice(0, 3), pool('first', ['192.168.10.0/24'], { public: 'yes' }), pool('second', ['192.168.20.0/24']), adv('a', { ipAddressPoolSelectors: [{ matchLabels: { public: 'yes' } }] }), ...WEB, svc('api', '192.168.20.7'), slice('api', 'n1')], prefixes: ['192.168.10.5/32'] },
  { name: 'BGPAdvertisement nodeSelectors: node not selected announces nothing', objs: [...BASE.slice(0, 3), pool('first', ['192.168.10.0/24']), adv('a', { nodeSelectors: [{ matchLabels: { rack: 'b' } }] }), ...WEB], prefixes: [] },
  { name: 'BGPAdvertisement peers naming a peer of another node: not announced here', objs: [...BASE.slice(0, 3), pool('first', ['192.168.10.0/24']), adv('a', { peers: ['other'] }), ...WEB], prefixes: [] },
  { name: 'eTP Local: not announced from a node without a local endpoint', objs: [...BASE, svc('web', '192.168.10.5', { local: true }), slice('web', 'n2')], prefixes: [] },
  { name: 'eTP Local: announced from the node with a ready endpoint', objs: [...BASE, svc('web', '192.168.10.5', { local: true }), slice('web', 'n2')], node: 'n2', prefixes: ['192.168.10.5/32'] },
  { name: 'eTP Local: a not-ready endpoint does not count', objs: [...BASE, svc('web', '192.168.10.5', { local: true }), slice('web', 'n1', false)], prefixes: [] },
  { name: 'eTP Cluster without any ready endpoint: withdrawn everywhere', objs: [...BASE, svc('web', '192.168.10.5')], prefixes: [] },
  { name: 'node labelled exclude-from-external-load-balancers keeps its session but announces nothing', objs: [CP, ...BASE, ...WEB], node: 'cp', peers: ['10.0.0.1:179 64501'], prefixes: [] },
  { name: 'a service with a loadBalancerClass is not MetalLB\'s', objs: [...BASE, svc('web', '192.168.10.5', { lbClass: 'other.io/lb' }), slice('web', 'n1')], prefixes: [] },
  { name: 'an IP outside every pool is not announced', objs: [...BASE, svc('web', '172.16.0.5'), slice('web', 'n1')], prefixes: [] },
  { name: 'IPv6 pool with aggregationLengthV6 124', objs: [...BASE.slice(0, 3), pool('v6', ['fc00:f853:ccd:e799::/120']), adv('a', { aggregationLengthV6: 124 }), svc('web6', 'fc00:f853:ccd:e799::15'), slice('web6', 'n1')], prefixes: ['fc00:f853:ccd:e799::10/124'] },
  { name: 'Calico BGPPeer next to MetalLB\'s: MetalLB reads only metallb.io objects', objs: [...BASE, ...WEB, { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'calico-tor' }, spec: { peerIP: '10.0.0.99', asNumber: 65099 } } as unknown as KubeObject], peers: ['10.0.0.1:179 64501'], noProblems: true },
];

for (const c of CASES) {
  test(`metallb: ${c.name}`, () => {
    const i = computeMetallb(viewFromObjects(c.objs), c.node ?? 'n1');
    if (c.asn !== undefined) assert.equal(i.localAsn, c.asn);
    if (c.peers) assert.deepEqual(peers(i), c.peers);
    if (c.prefixes) assert.deepEqual(prefixes(i), c.prefixes);
    for (const re of c.problems ?? []) assert.ok(i.problems.some((p) => re.test(p)), `problem ${re} in ${JSON.stringify(i.problems)}`);
    if (c.noProblems) assert.deepEqual(i.problems, []);
    c.check?.(i);
  });
}

test('metallb and calico BGPPeers do not collide in the view; detection tells them apart', () => {
  const mlbOnly = viewFromObjects([...BASE, ...WEB]);
  assert.equal(detectDialect(mlbOnly, []), 'metallb');
  assert.equal(mlbOnly.objects.BGPPeer, undefined, 'a MetalLB BGPPeer is not under the bare kind Calico reads');
  assert.equal(mlbOnly.objects['metallb.io/BGPPeer']?.length, 1);
  // Calico next to the MetalLB objects sees only its own peer.
  const both = viewFromObjects([...BASE, { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'calico-tor' }, spec: { peerIP: '10.0.0.99', asNumber: 65099 } } as unknown as KubeObject]);
  const cal = computeCalico(both, 'n1');
  assert.ok(cal.peers.some((p) => p.address === '10.0.0.99'));
  assert.ok(!cal.peers.some((p) => p.address === '10.0.0.1'), 'Calico does not read the MetalLB BGPPeer');
  assert.equal(detectDialect(both, []), 'calico');
});

const HOSTILE: unknown[] = [
  undefined, null, '', ' ', 0, -1, 1.5, NaN, Infinity, 4294967296, 65536, '64500', true, {}, [], [''], [null], [{}], ['10.0.0.0/33'], ['fd00::/64'], ['1.2.3.4-1.2.3.1'],
  ['10.1.0.0/24'], ['fc00::1-fc00::ff'], ['1.2.3.4-fc00::1'], '10.0.0.1', 'fd00::1', '<CHANGE ME>', '10.0.0.1/24', '90s', '1s', '-5s', 'abc', 'internal', 'external',
  [{ matchLabels: { rack: 'a' } }], [{ matchExpressions: [{ key: 'rack', operator: 'Bogus' }] }], ['65535:65282'], ['large:1:2:3'], ['99999:1'], ['NO_ADVERTISE'], ['tor'], { name: 'pw' }, { name: null },
];
const FIELDS: Record<string, string[]> = {
  BGPPeer: ['myASN', 'peerASN', 'peerAddress', 'peerPort', 'sourceAddress', 'holdTime', 'keepaliveTime', 'connectTime', 'password', 'passwordSecret', 'ebgpMultiHop', 'nodeSelectors', 'bfdProfile', 'routerID', 'dynamicASN', 'vrf', 'disableMP', 'enableGracefulRestart', 'interface'],
  IPAddressPool: ['addresses', 'autoAssign'],
  BGPAdvertisement: ['ipAddressPools', 'ipAddressPoolSelectors', 'aggregationLength', 'aggregationLengthV6', 'communities', 'localPref', 'peers', 'nodeSelectors'],
  Community: ['communities'],
  BFDProfile: ['receiveInterval', 'transmitInterval', 'detectMultiplier', 'echoMode', 'passiveMode', 'minimumTtl'],
};

test('metallb fuzz: 3000 hostile configurations never throw, never yield NaN/empty peers or prefixes, and the good peer and route stay', () => {
  for (let seed = 1; seed <= 3000; seed++) {
    const r = rng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const objs: KubeObject[] = [N1, N2];
    const n = 1 + Math.floor(r() * 6);
    for (let k = 0; k < n; k++) {
      const kind = pick(Object.keys(FIELDS));
      const spec = r() < 0.1 ? pick(HOSTILE) : Object.fromEntries(FIELDS[kind]!.filter(() => r() < 0.5).map((f) => [f, pick(HOSTILE)]));
      objs.push(mlb(kind, `x${k}`, spec));
    }
    if (r() < 0.5) objs.push(svc(`s${seed}`, pick(['10.1.0.9', 'fc00::5', '192.168.10.9'])), slice(`s${seed}`, 'n1'));
    // A well-formed peer (sorted first by name), pool and advertisement next to the noise.
    objs.push(peer('0-good', { peerAddress: '192.0.2.1' }), pool('0-good', ['203.0.113.0/24']), adv('0-good', { ipAddressPools: ['0-good'] }), svc('good', '203.0.113.7'), slice('good', 'n1'));
    let i: AgentIntent;
    try {
      i = computeMetallb(viewFromObjects(objs), 'n1');
    } catch (e) {
      assert.fail(`seed ${seed}: threw ${(e as Error).stack}`);
    }
    for (const p of i.peers) {
      assert.ok(isIP(p.address) !== 0, `seed ${seed}: peer address ${JSON.stringify(p.address)}`);
      assert.ok(Number.isInteger(p.asn) && p.asn > 0 && p.asn <= 4294967295, `seed ${seed}: asn ${p.asn}`);
      assert.ok(Number.isInteger(p.port) && p.port > 0 && p.port < 65536, `seed ${seed}: port ${p.port}`);
      assert.ok([p.holdTime, p.keepalive, p.connectRetry, p.multihopTtl ?? 1].every(Number.isFinite), `seed ${seed}: timers of ${p.address}`);
      if (p.localAddress !== undefined) assert.ok(isIP(p.localAddress) !== 0, `seed ${seed}: localAddress`);
      if (p.bfd) assert.ok([p.bfd.minTxMs, p.bfd.minRxMs, p.bfd.multiplier].every((x) => Number.isInteger(x) && x > 0), `seed ${seed}: bfd ${JSON.stringify(p.bfd)}`);
    }
    assert.ok(Number.isInteger(i.localAsn) && i.localAsn > 0, `seed ${seed}: local asn ${i.localAsn}`);
    for (const a of i.advertise) {
      assert.match(a.prefix, /^[0-9a-f.:]+\/\d+$/, `seed ${seed}`);
      if (a.localPref !== undefined) assert.ok(Number.isInteger(a.localPref), `seed ${seed}: localPref`);
    }
    assert.ok(i.peers.some((p) => p.address === '192.0.2.1' && p.asn === 64501), `seed ${seed}: good peer kept; problems ${JSON.stringify(i.problems)}`);
    assert.ok(i.advertise.some((a) => a.prefix === '203.0.113.7/32'), `seed ${seed}: good route kept; problems ${JSON.stringify(i.problems)}`);
  }
});
