import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { computeKubeRouter, parseKubeRouterFlags } from './kube-router.js';
import { viewFromObjects } from './view.js';
import { detectDialect } from './index.js';

const fixture = (): KubeObject[] => YAML.parseAllDocuments(readFileSync(new URL('./fixtures/kube-router-article.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as KubeObject);
const docs = (s: string): KubeObject[] => YAML.parseAllDocuments(s).map((d) => d.toJS() as KubeObject);
const prefixes = (i: { advertise: Array<{ prefix: string }> }) => i.advertise.map((a) => a.prefix);

// The DaemonSet args of article 000, verbatim.
const ARTICLE_ARGS = ['--run-router=true', '--run-firewall=true', '--run-service-proxy=true', '--advertise-cluster-ip=true', '--advertise-external-ip=true', '--cluster-asn=64512', '--peer-router-ips=192.168.0.100', '--peer-router-asns=64513'];

test('article 000: each node advertises its pod CIDR and the two cluster IPs (3 prefixes, as the routers show)', () => {
  const o = parseKubeRouterFlags(ARTICLE_ARGS);
  const v = viewFromObjects(fixture());
  assert.deepEqual(prefixes(computeKubeRouter(v, '170', o)), ['10.244.0.0/24', '10.96.0.1/32', '10.96.0.10/32']);
  assert.deepEqual(prefixes(computeKubeRouter(v, '171', o)), ['10.244.1.0/24', '10.96.0.1/32', '10.96.0.10/32']);
  assert.equal(detectDialect(v, ARTICLE_ARGS), 'kube-router');
});

test('article 000: eBGP to the VRRP VIP 192.168.0.100 (AS 64513) and iBGP full mesh in AS 64512; routes go to the FIB', () => {
  const i = computeKubeRouter(viewFromObjects(fixture()), '170', parseKubeRouterFlags(ARTICLE_ARGS));
  assert.equal(i.localAsn, 64512);
  assert.equal(i.routerId, '192.168.0.170');
  assert.equal(i.installRoutes, true);
  assert.equal(i.ibgpMesh, true);
  assert.deepEqual(i.peers.map((p) => [p.address, p.asn, p.holdTime, p.keepalive, p.multihopTtl, p.gracefulRestart.enabled]), [
    ['192.168.0.100', 64513, 90, 30, undefined, false],
    ['192.168.0.171', 64512, 90, 30, undefined, false],
  ]);
});

test('defaults: pod CIDR on, services off; flag parsing forms', () => {
  const o = parseKubeRouterFlags([]);
  assert.deepEqual([o.runRouter, o.advertisePodCidr, o.advertiseClusterIp, o.advertiseExternalIp, o.advertiseLoadBalancerIp, o.nodesFullMesh, o.enableIbgp, o.gracefulRestart, o.holdTime], [true, true, false, false, false, true, true, false, 90]);
  const p = parseKubeRouterFlags(['--bgp-holdtime', '30s', '--bgp-graceful-restart', '--bgp-graceful-restart-time=1m', '--advertise-pod-cidr=false', '--peer-router-ips=10.0.0.1', '--peer-router-asns=65000', '--peer-router-passwords=' + Buffer.from('pw').toString('base64')]);
  assert.deepEqual([p.holdTime, p.gracefulRestart, p.gracefulRestartTime, p.advertisePodCidr, p.peerRouterPasswords.length], [30, true, 60, false, 1]);
  assert.deepEqual(prefixes(computeKubeRouter(viewFromObjects(fixture()), '170', o)), ['10.244.0.0/24']);
  assert.equal(computeKubeRouter(viewFromObjects(fixture()), '170', parseKubeRouterFlags(['--run-router=false'])).peers.length, 0);
});

test('service annotations override the flags; service.local and eTP Local need a local endpoint', () => {
  const v = viewFromObjects([...fixture(), ...docs(`
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default, annotations: { kube-router.io/service.advertise.clusterip: "false", kube-router.io/service.advertise.loadbalancerip: "true" } }
spec: { type: LoadBalancer, clusterIP: 10.96.5.5, externalIPs: [203.0.113.5] }
status: { loadBalancer: { ingress: [{ ip: 198.51.100.5 }] } }
---
apiVersion: v1
kind: Service
metadata: { name: pinned, namespace: default, annotations: { kube-router.io/service.local: "true" } }
spec: { type: ClusterIP, clusterIP: 10.96.6.6 }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: pinned-x, namespace: default, labels: { kubernetes.io/service-name: pinned } }
endpoints: [{ addresses: [10.244.1.9], conditions: { ready: true }, nodeName: "171" }]
`)]);
  const o = parseKubeRouterFlags(ARTICLE_ARGS);
  assert.deepEqual(prefixes(computeKubeRouter(v, '170', o)), ['10.244.0.0/24', '10.96.0.1/32', '10.96.0.10/32', '198.51.100.5/32', '203.0.113.5/32']);
  assert.deepEqual(prefixes(computeKubeRouter(v, '171', o)), ['10.244.1.0/24', '10.96.0.1/32', '10.96.0.10/32', '10.96.6.6/32', '198.51.100.5/32', '203.0.113.5/32']);
});

test('node annotations: node.asn, peer.ips/asns/passwords, kube-router.io/peers, communities, path prepend, route reflectors', () => {
  const objs = fixture();
  const n170 = objs[0]!;
  n170.metadata.annotations = {
    'kube-router.io/node.asn': '64512',
    'kube-router.io/peer.ips': '10.9.9.1,10.9.9.2',
    'kube-router.io/peer.asns': '65001,65002',
    'kube-router.io/peer.passwords': `${Buffer.from('a').toString('base64')},${Buffer.from('b').toString('base64')}`,
    // kube-router.io/peers wins over the deprecated positional peer.* annotations when both are present.
    'kube-router.io/peers': `- remoteip: 10.9.9.1\n  remoteasn: 65001\n  password: ${Buffer.from('a').toString('base64')}\n- remoteip: 10.9.9.2\n  remoteasn: 65002\n  password: ${Buffer.from('b').toString('base64')}\n- remoteip: 10.9.9.3\n  remoteasn: 65003\n`,
    'kube-router.io/node.bgp.communities': '64512:100,64512:1:2',
    'kube-router.io/path-prepend.as': '64512',
    'kube-router.io/path-prepend.repeat-n': '3',
    'kube-router.io/rr.server': '42',
  };
  const extra = docs(`
apiVersion: v1
kind: Node
metadata: { name: "172", annotations: { kube-router.io/rr.client: "42" } }
spec: { podCIDR: 10.244.2.0/24 }
status: { addresses: [{ type: InternalIP, address: 192.168.0.172 }] }
---
apiVersion: v1
kind: Node
metadata: { name: "180", annotations: { kube-router.io/node.asn: "64600" } }
status: { addresses: [{ type: InternalIP, address: 192.168.0.180 }] }
`);
  const v = viewFromObjects([...objs, ...extra]);
  const o = parseKubeRouterFlags(['--cluster-asn=64512']);
  const i = computeKubeRouter(v, '170', o);
  assert.deepEqual(i.routeReflector, { clusterId: '42' });
  assert.deepEqual(i.peers.map((p) => [p.address, p.asn, p.password, p.rrClient]), [
    ['10.9.9.1', 65001, 'a', false], ['10.9.9.2', 65002, 'b', false], ['10.9.9.3', 65003, undefined, false],
    ['192.168.0.171', 64512, undefined, false], ['192.168.0.172', 64512, undefined, true],
  ]);
  assert.deepEqual(i.advertise[0], { prefix: '10.244.0.0/24', communities: ['64512:100'], largeCommunities: ['64512:1:2'], asPathPrepend: { asn: 64512, count: 3 }, reason: 'pod CIDR' });
  // The RR client peers only with the server; node 171 (plain) meshes with the server but not with the client.
  assert.deepEqual(computeKubeRouter(v, '172', o).peers.map((p) => p.address), ['192.168.0.170']);
  assert.deepEqual(computeKubeRouter(v, '171', o).peers.map((p) => p.address), ['192.168.0.170']);
  assert.deepEqual(computeKubeRouter(v, '180', o).peers, []);
});
