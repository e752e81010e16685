/**
 * Property test: random and hostile Cilium objects (v2alpha1 policies and neighbours, v2 cluster/peer configs,
 * advertisements, node overrides, pools, odd services and node annotations) never throw out of the dialect, never
 * yield a NaN/empty address, ASN, port or community, and a well-formed peer next to them still comes up with its route.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import type { KubeObject } from '../../cluster/client/types.js';
import { cilium } from './cilium.js';
import type { AgentIntent } from './types.js';
import { viewFromObjects } from './view.js';
import { rng } from '../../../test/lib/rng.js';

const HOSTILE: unknown[] = [
  undefined, null, '', ' ', 0, -1, 1.5, NaN, Infinity, 4294967296, 65536, 65001, '65001', 179, 1790, 256, 3, true, 'true', {}, [], [''], [null], [{}], [1],
  '10.0.0.1', '10.0.0.1/32', '10.0.0.1/24', 'fd00::1', 'fd00::1/128', 'fe80::1%eth0', ' 10.0.0.9 ', '<CHANGE ME>', '10.0.0.0/33', 'abc',
  { matchLabels: { rack: 'rack0' } }, { matchLabels: { rack: 5 } }, { matchLabels: 'x' }, { matchExpressions: 'x' }, { matchExpressions: [null] },
  { matchExpressions: [{ key: 'rack', operator: 'Bogus' }] }, { matchExpressions: [{ key: 'k', operator: 'In', values: [] }] }, { matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['v'] }] },
  ['65535:65282'], ['70000:1'], ['4294967041'], ['no-export'], ['NO_EXPORT'], ['1:2:3'], ['1:2:99999999999'], { standard: ['1:2'], wellKnown: ['blackhole'], large: ['1:2:3'] }, { standard: 'x', large: [5] },
  ['LoadBalancerIP', 'ClusterIP', 'ExternalIP'], ['Bogus'], [{ afi: 'ipv4', safi: 'unicast' }], [{ afi: 'l2vpn', safi: 'evpn' }], [{ afi: 'ipv6', safi: 'unicast', advertisements: { matchLabels: { advertise: 'bgp' } } }],
  { enabled: true, restartTimeSeconds: 5000 }, { enabled: 'yes' }, { peerPort: 0 }, { peerPort: 70000 }, { name: 'p0' }, { name: null }, 'PodCIDR', 'Service', 'CiliumPodIPPool', 'Interface',
  [{ cidr: '172.16.10.0/24' }], [{ start: '172.16.10.9', stop: '172.16.10.1' }], [{ cidr: 'bogus' }], { ipv4: { cidrs: ['10.1.0.0/16'], maskSize: 24 } }, { ipv4: { cidrs: 'x' } },
  { mode: 'DefaultGateway', defaultGateway: { addressFamily: 'ipv4' } },
];
/** Community attributes, mostly of the right shape with wrong values inside. */
const COMMUNITIES: unknown[] = [
  { standard: ['65000:1', '4294967041', '0'], wellKnown: ['no-export', 'planned-shut', 'internet'], large: ['1:2:3'] }, { wellKnown: ['NO_EXPORT', 5, null, 'graceful-shutdown'] },
  { standard: ['70000:1', '4294967296', 7, '1:2:3', ' 65000:2 ', '-1:5'] }, { large: ['1:2', 'a:b:c', '4294967296:1:1', 9] }, 'x', [], { standard: 'x' },
];
const NEIGHBOR = ['peerAddress', 'peerPort', 'peerASN', 'authSecretRef', 'eBGPMultihopTTL', 'connectRetryTimeSeconds', 'holdTimeSeconds', 'keepAliveTimeSeconds', 'gracefulRestart', 'families', 'advertisedPathAttributes'];
const PATH_ATTRS = ['selectorType', 'selector', 'communities', 'localPreference'];
const VROUTER = ['exportPodCIDR', 'serviceSelector', 'serviceAdvertisements', 'podIPPoolSelector'];
const V2_PEER = ['name', 'peerAddress', 'peerASN', 'peerConfigRef', 'autoDiscovery'];
const PEER_CONFIG = ['transport', 'timers', 'authSecretRef', 'gracefulRestart', 'ebgpMultihop', 'families'];
const ADVERT = ['advertisementType', 'service', 'selector', 'attributes'];
const OVERRIDE = ['routerID', 'localPort', 'localASN', 'peers'];
/** Selectors that never select n1 (valid and not matching, or invalid). */
const NOT_N1: unknown[] = [{ matchLabels: { rack: 'rack9' } }, { matchLabels: 'x' }, { matchExpressions: [{ key: 'rack', operator: 'Bogus' }] }, { matchExpressions: [{ key: 'rack', operator: 'In', values: [] }] }, [], 'abc', 5];

const N1 = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { rack: 'rack0' }, annotations: {} }, spec: { podCIDR: '10.1.1.0/24', podCIDRs: ['10.1.1.0/24', 'fd00:10:1:1::/64'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.1.2' }] } };
const obj = (kind: string, apiVersion: string, name: string, spec: unknown, labels: Record<string, string> = {}): KubeObject => ({ apiVersion, kind, metadata: { name, labels }, spec } as unknown as KubeObject);

function world(r: () => number, api: 'v2alpha1' | 'v2'): KubeObject[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const fields = (names: string[], extra: Record<string, unknown> = {}) => ({ ...Object.fromEntries(names.filter(() => r() < 0.5).map((f) => [f, pick(HOSTILE)])), ...extra });
  const many = <T>(max: number, f: (k: number) => T): T[] => Array.from({ length: Math.floor(r() * (max + 1)) }, (_, k) => f(k));
  const node = { ...N1, metadata: { ...N1.metadata, annotations: r() < 0.4 ? { 'cilium.io/bgp-virtual-router.65010': pick(['router-id=x', 'router-id=192.0.2.1,local-port=abc', 'local-port=1790', '', 'garbage']) } : {} } };
  const objs: KubeObject[] = [node as unknown as KubeObject];
  objs.push(...many(3, (k) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${k}`, namespace: 'default', labels: { app: 'web' } },
    spec: { type: pick(['LoadBalancer', 'ClusterIP', 5]), clusterIP: pick(HOSTILE), clusterIPs: pick(HOSTILE), externalIPs: pick(HOSTILE), loadBalancerClass: pick(HOSTILE), externalTrafficPolicy: pick(['Local', 'Cluster', 3]), internalTrafficPolicy: pick(['Local', 'Cluster']) },
    status: pick([{}, { loadBalancer: { ingress: [{ ip: pick(HOSTILE) }] } }, { loadBalancer: { ingress: 'x' } }, 'x']) } as unknown as KubeObject)));
  objs.push(...many(2, (k) => obj('CiliumLoadBalancerIPPool', 'cilium.io/v2alpha1', `lb${k}`, r() < 0.2 ? pick(HOSTILE) : { blocks: pick(HOSTILE), cidrs: pick(HOSTILE), disabled: pick(HOSTILE) }, pick<Record<string, string>>([{}, { color: 'blue' }]))));
  objs.push(...many(2, (k) => obj('CiliumPodIPPool', 'cilium.io/v2alpha1', `pp${k}`, r() < 0.2 ? pick(HOSTILE) : { ipv4: pick(HOSTILE), ipv6: pick(HOSTILE) }, pick<Record<string, string>>([{}, { pool: 'blue' }]))));
  if (r() < 0.2) objs.push(obj('CiliumNode', 'cilium.io/v2', 'n1', pick([{ ipam: { pools: { allocated: pick(HOSTILE) } } }, { ipam: { pools: { allocated: [{ pool: 'pp0', cidrs: pick(HOSTILE) }] } } }, pick(HOSTILE)])));
  objs.push(...many(2, (k) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: pick(['bgp-auth', `x${k}`]), namespace: 'kube-system' }, stringData: pick([{ password: 'pw' }, { pw: 'x' }, {}, { password: '' }]) } as unknown as KubeObject)));
  if (api === 'v2alpha1') {
    const neighbors = [...many(4, () => (r() < 0.1 ? pick(HOSTILE) : fields(NEIGHBOR, { ...(r() < 0.6 ? { peerAddress: pick(['10.0.0.9/32', 'fd00::9/128', '10.0.0.8/32']), peerASN: pick([65010, 65001, 4294967295, 0, -5, '65001']) } : {}), ...(r() < 0.3 ? { advertisedPathAttributes: many(3, () => fields(PATH_ATTRS, { selectorType: pick(['PodCIDR', 'CiliumLoadBalancerIPPool', 'CiliumPodIPPool', 'Bogus']), communities: pick(COMMUNITIES), localPreference: pick([100, -1, 1.5, '100', 4294967296]) })) } : {}) }))), { peerAddress: '192.0.2.1/32', peerASN: 65099 }];
    objs.push(obj('CiliumBGPPeeringPolicy', 'cilium.io/v2alpha1', 'good', { nodeSelector: {}, virtualRouters: [fields(VROUTER, { localASN: 65010, exportPodCIDR: true, neighbors: neighbors.sort(() => r() - 0.5) }), ...many(2, () => pick(HOSTILE))] }));
    objs.push(...many(3, (k) => obj('CiliumBGPPeeringPolicy', 'cilium.io/v2alpha1', `noise${k}`, { nodeSelector: pick(NOT_N1), virtualRouters: pick(HOSTILE) })));
  } else {
    const peers = [...many(4, (k) => (r() < 0.1 ? pick(HOSTILE) : fields(V2_PEER, { name: `p${k}`, ...(r() < 0.6 ? { peerAddress: pick(['10.0.0.9', 'fd00::9', '10.0.0.8']), peerASN: pick([65010, 65001, 4294967295, 0, -5, '65001']) } : {}), ...(r() < 0.5 ? { peerConfigRef: { name: pick(['c0', 'c1', 'nope']) } } : {}) }))), { name: 'good', peerAddress: '192.0.2.1', peerASN: 65099, peerConfigRef: { name: 'good' } }];
    objs.push(obj('CiliumBGPClusterConfig', 'cilium.io/v2', 'good', { bgpInstances: [fields(['localPort'], { name: 'i', localASN: 65010, peers: peers.sort(() => r() - 0.5) }), ...many(2, () => pick(HOSTILE))] }));
    objs.push(...many(2, (k) => obj('CiliumBGPClusterConfig', 'cilium.io/v2', `noise${k}`, { nodeSelector: pick(NOT_N1), bgpInstances: pick(HOSTILE) })));
    objs.push(obj('CiliumBGPPeerConfig', 'cilium.io/v2', 'good', { families: [{ afi: 'ipv4', safi: 'unicast', advertisements: { matchLabels: { advertise: 'good' } } }] }));
    objs.push(...many(2, (k) => obj('CiliumBGPPeerConfig', 'cilium.io/v2', `c${k}`, r() < 0.1 ? pick(HOSTILE) : fields(PEER_CONFIG))));
    objs.push(obj('CiliumBGPAdvertisement', 'cilium.io/v2', 'good', { advertisements: [{ advertisementType: 'PodCIDR' }] }, { advertise: 'good' }));
    objs.push(...many(3, (k) => obj('CiliumBGPAdvertisement', 'cilium.io/v2', `a${k}`, r() < 0.1 ? pick(HOSTILE) : { advertisements: many(3, () => (r() < 0.1 ? pick(HOSTILE) : fields(ADVERT, { advertisementType: pick(['PodCIDR', 'Service', 'CiliumPodIPPool', 'Interface', 5]), attributes: { communities: pick(COMMUNITIES), localPreference: pick([100, -1, 1.5, '100', 4294967296]) } }))) }, pick([{ advertise: 'good' }, { advertise: 'bgp' }]))));
    if (r() < 0.5) objs.push(obj('CiliumBGPNodeConfigOverride', 'cilium.io/v2', 'n1', r() < 0.1 ? pick(HOSTILE) : { bgpInstances: [fields(OVERRIDE, { name: pick(['i', 'other', 5]), peers: [{ name: 'good', localAddress: pick(HOSTILE) }] })] }));
  }
  return objs;
}

function checkIntent(i: AgentIntent, what: string): void {
  assert.ok(Number.isInteger(i.localAsn) && i.localAsn > 0 && i.localAsn <= 4294967295, `${what}: local asn ${i.localAsn}; problems ${JSON.stringify(i.problems)}`);
  assert.equal(isIP(i.routerId), 4, `${what}: router id ${JSON.stringify(i.routerId)}`);
  for (const p of i.peers) {
    assert.ok(isIP(p.address) !== 0, `${what}: peer address ${JSON.stringify(p.address)}`);
    assert.ok(Number.isInteger(p.asn) && p.asn > 0 && p.asn <= 4294967295, `${what}: peer ${p.address} asn ${p.asn}`);
    assert.ok(Number.isInteger(p.port) && p.port > 0 && p.port < 65536, `${what}: peer ${p.address} port ${p.port}`);
    assert.ok([p.holdTime, p.keepalive, p.connectRetry, p.gracefulRestart.restartTime, p.multihopTtl ?? 1].every(Number.isInteger), `${what}: timers of ${p.address}`);
    assert.ok(p.keepalive <= p.holdTime && p.families.length > 0, `${what}: ${p.address} keepalive/families`);
    if (p.localAddress !== undefined) assert.ok(isIP(p.localAddress) !== 0, `${what}: localAddress ${JSON.stringify(p.localAddress)}`);
    if (p.password !== undefined) assert.ok(typeof p.password === 'string' && p.password !== '', `${what}: password`);
  }
  for (const a of i.advertise) {
    assert.match(a.prefix, /^[0-9a-f.:]+\/\d+$/, what);
    for (const c of a.communities) assert.ok(/^\d+:\d+$/.test(c) && c.split(':').every((x) => Number(x) <= 65535), `${what}: community ${c}`);
    for (const c of a.largeCommunities) assert.ok(/^\d+:\d+:\d+$/.test(c) && c.split(':').every((x) => Number(x) <= 4294967295), `${what}: large community ${c}`);
    if (a.localPref !== undefined) assert.ok(Number.isInteger(a.localPref), `${what}: localPref`);
  }
}

for (const api of ['v2alpha1', 'v2'] as const) {
  test(`cilium fuzz (${api}): 2000 hostile configurations never throw, never yield NaN/empty peers, and the good peer and its route stay`, () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const objs = world(rng(seed), api);
      let i: AgentIntent;
      try {
        i = cilium.compute(viewFromObjects(objs), 'n1', { api: 'auto' });
      } catch (e) {
        assert.fail(`seed ${seed}: threw ${(e as Error).stack}`);
      }
      checkIntent(i, `seed ${seed}`);
      assert.ok(i.peers.some((p) => p.address === '192.0.2.1' && p.asn === 65099 && p.port === 179), `seed ${seed}: good peer kept; problems ${JSON.stringify(i.problems)}`);
      assert.ok(i.advertise.some((a) => a.prefix === '10.1.1.0/24'), `seed ${seed}: good route kept; problems ${JSON.stringify(i.problems)}`);
    }
  });
}
