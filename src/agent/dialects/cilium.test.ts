import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { cilium } from './cilium.js';
import { viewFromObjects } from './view.js';
import { detectDialect } from './index.js';

const load = (f: string, extra = ''): KubeObject[] =>
  YAML.parseAllDocuments(readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8') + extra).map((d) => d.toJS() as KubeObject).filter(Boolean);
const opts = cilium.parseFlags([]);
const prefixes = (i: { advertise: Array<{ prefix: string }> }) => i.advertise.map((a) => a.prefix);

test('article 004: rack0 nodes peer with tor0 (10.0.0.1, iBGP 65010) and export their pod CIDR', () => {
  const v = viewFromObjects(load('cilium-article.yaml'));
  const cp = cilium.compute(v, 'clab-bgp-cplane-demo-control-plane', opts);
  assert.equal(cp.localAsn, 65010);
  assert.equal(cp.routerId, '10.0.1.2');
  assert.equal(cp.installRoutes, false);
  assert.deepEqual(cp.problems, []);
  assert.deepEqual(cp.peers.map((p) => [p.address, p.asn, p.port, p.holdTime, p.keepalive, p.connectRetry, p.multihopTtl, p.gracefulRestart.enabled]), [['10.0.0.1', 65010, 179, 90, 30, 120, undefined, false]]);
  assert.deepEqual(prefixes(cp), ['10.1.0.0/24']);
  const w = cilium.compute(v, 'clab-bgp-cplane-demo-worker', opts);
  assert.deepEqual(prefixes(w), ['10.1.2.0/24']);
});

test('article 004: rack1 nodes peer with tor1 (10.0.0.2, 65011); the four nodes export the four pod /24s', () => {
  const v = viewFromObjects(load('cilium-article.yaml'));
  const w3 = cilium.compute(v, 'clab-bgp-cplane-demo-worker3', opts);
  assert.equal(w3.localAsn, 65011);
  assert.deepEqual(w3.peers.map((p) => [p.address, p.asn]), [['10.0.0.2', 65011]]);
  const all = v.nodes.flatMap((n) => prefixes(cilium.compute(v, n.metadata.name!, opts)));
  assert.deepEqual(all.sort(), ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24']);
  assert.equal(detectDialect(v, []), 'cilium');
});

test('a node matched by no policy runs no BGP; matched by two gets none (as Cilium)', () => {
  const v = viewFromObjects(load('cilium-article.yaml', `
---
apiVersion: cilium.io/v2alpha1
kind: CiliumBGPPeeringPolicy
metadata: { name: all }
spec: { nodeSelector: { matchExpressions: [{ key: rack, operator: In, values: [rack1] }] }, virtualRouters: [{ localASN: 65099, neighbors: [] }] }
`));
  const w3 = cilium.compute(v, 'clab-bgp-cplane-demo-worker3', opts);
  assert.equal(w3.localAsn, 0);
  assert.match(w3.problems[0]!, /selected by 2 CiliumBGPPeeringPolicies \(rack1, all\)/);
  const v2 = viewFromObjects(load('cilium-article.yaml').filter((o) => o.metadata.name !== 'rack0'));
  assert.equal(cilium.compute(v2, 'clab-bgp-cplane-demo-worker', opts).localAsn, 0);
});

test('serviceSelector, neighbor timers, multihop, graceful restart, auth secret and eTP Local', () => {
  const objs = load('cilium-article.yaml').filter((o) => o.kind === 'Node');
  const extra = YAML.parseAllDocuments(`
apiVersion: cilium.io/v2alpha1
kind: CiliumBGPPeeringPolicy
metadata: { name: lb }
spec:
  nodeSelector: { matchLabels: { rack: rack0 } }
  virtualRouters:
  - localASN: 64512
    exportPodCIDR: false
    serviceSelector: { matchExpressions: [{ key: somekey, operator: NotIn, values: [never-used-value] }] }
    neighbors:
    - peerAddress: 172.16.0.1/32
      peerASN: 65000
      eBGPMultihopTTL: 4
      connectRetryTimeSeconds: 12
      holdTimeSeconds: 9
      keepAliveTimeSeconds: 3
      gracefulRestart: { enabled: true, restartTimeSeconds: 15 }
      authSecretRef: bgp-auth
      advertisedPathAttributes:
      - selectorType: CiliumLoadBalancerIPPool
        communities: { standard: ["65000:100"], large: ["65000:1:1"] }
        localPreference: 150
---
apiVersion: cilium.io/v2alpha1
kind: CiliumLoadBalancerIPPool
metadata: { name: lb }
spec: { blocks: [{ cidr: 172.16.10.0/24 }] }
---
apiVersion: v1
kind: Secret
metadata: { name: bgp-auth, namespace: kube-system }
data: { password: ${Buffer.from('s3cret').toString('base64')} }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: LoadBalancer, clusterIP: 10.96.0.20, externalTrafficPolicy: Cluster }
status: { loadBalancer: { ingress: [{ ip: 172.16.10.1 }] } }
---
apiVersion: v1
kind: Service
metadata: { name: local, namespace: default }
spec: { type: LoadBalancer, clusterIP: 10.96.0.21, externalTrafficPolicy: Local }
status: { loadBalancer: { ingress: [{ ip: 172.16.10.2 }] } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: local-1, namespace: default, labels: { kubernetes.io/service-name: local } }
endpoints: [{ addresses: [10.1.2.9], conditions: { ready: true }, nodeName: clab-bgp-cplane-demo-worker }]
`).map((d) => d.toJS() as KubeObject);
  const v = viewFromObjects([...objs, ...extra]);
  const cp = cilium.compute(v, 'clab-bgp-cplane-demo-control-plane', opts);
  const p = cp.peers[0]!;
  assert.deepEqual([p.address, p.asn, p.multihopTtl, p.connectRetry, p.holdTime, p.keepalive, p.gracefulRestart, p.password], ['172.16.0.1', 65000, 4, 12, 9, 3, { enabled: true, restartTime: 15 }, 's3cret']);
  assert.deepEqual(cp.advertise, [{ prefix: '172.16.10.1/32', communities: ['65000:100'], largeCommunities: ['65000:1:1'], localPref: 150, reason: 'service default/web loadBalancerIP' }]);
  const w = cilium.compute(v, 'clab-bgp-cplane-demo-worker', opts);
  assert.deepEqual(prefixes(w), ['172.16.10.1/32', '172.16.10.2/32']);
});

test('cilium.io/v2: ClusterConfig + PeerConfig + Advertisement', () => {
  const nodes = load('cilium-article.yaml').filter((o) => o.kind === 'Node');
  const extra = YAML.parseAllDocuments(`
apiVersion: cilium.io/v2
kind: CiliumBGPClusterConfig
metadata: { name: cilium-bgp }
spec:
  nodeSelector: { matchLabels: { rack: rack1 } }
  bgpInstances:
  - name: instance-65011
    localASN: 65011
    peers:
    - name: tor1
      peerASN: 65011
      peerAddress: 10.0.0.2
      peerConfigRef: { name: cilium-peer }
---
apiVersion: cilium.io/v2
kind: CiliumBGPPeerConfig
metadata: { name: cilium-peer }
spec:
  timers: { holdTimeSeconds: 9, keepAliveTimeSeconds: 3 }
  gracefulRestart: { enabled: true, restartTimeSeconds: 15 }
  families:
  - afi: ipv4
    safi: unicast
    advertisements: { matchLabels: { advertise: bgp } }
---
apiVersion: cilium.io/v2
kind: CiliumBGPAdvertisement
metadata: { name: bgp-advertisements, labels: { advertise: bgp } }
spec:
  advertisements:
  - advertisementType: PodCIDR
    attributes: { communities: { standard: ["65011:1"] } }
  - advertisementType: Service
    service: { addresses: [ClusterIP, ExternalIP] }
    selector: { matchLabels: { app: web } }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default, labels: { app: web } }
spec: { type: ClusterIP, clusterIP: 10.96.0.30, externalIPs: [192.0.2.30] }
---
apiVersion: v1
kind: Service
metadata: { name: other, namespace: default }
spec: { type: ClusterIP, clusterIP: 10.96.0.31 }
`).map((d) => d.toJS() as KubeObject);
  const v = viewFromObjects([...nodes, ...extra]);
  const i = cilium.compute(v, 'clab-bgp-cplane-demo-worker2', opts);
  assert.equal(i.localAsn, 65011);
  assert.deepEqual(i.peers.map((p) => [p.address, p.asn, p.holdTime, p.keepalive, p.gracefulRestart.restartTime, p.families]), [['10.0.0.2', 65011, 9, 3, 15, ['ipv4-unicast']]]);
  assert.deepEqual(i.advertise.map((a) => [a.prefix, a.communities]), [['10.1.1.0/24', ['65011:1']], ['10.96.0.30/32', []], ['192.0.2.30/32', []]]);
  assert.equal(cilium.compute(v, 'clab-bgp-cplane-demo-worker', opts).localAsn, 0);
});
