/** Cilium's service advertisement rules per traffic policy: table of cases (service spec → prefixes per node). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { cilium } from './cilium.js';
import { viewFromObjects } from './view.js';

const nodes = YAML.parseAllDocuments(readFileSync(new URL('./fixtures/cilium-article.yaml', import.meta.url), 'utf8'))
  .map((d) => d.toJS() as KubeObject).filter((o) => o?.kind === 'Node');
const opts = cilium.parseFlags([]);
const WITH = 'clab-bgp-cplane-demo-worker2';
const WITHOUT = 'clab-bgp-cplane-demo-worker3';

const policy = `
apiVersion: cilium.io/v2
kind: CiliumBGPClusterConfig
metadata: { name: c }
spec:
  bgpInstances:
  - name: i
    localASN: 65011
    peers: [{ name: tor, peerASN: 65011, peerAddress: 10.0.0.2, peerConfigRef: { name: p } }]
---
apiVersion: cilium.io/v2
kind: CiliumBGPPeerConfig
metadata: { name: p }
spec: { families: [{ afi: ipv4, safi: unicast, advertisements: { matchLabels: { advertise: bgp } } }] }
---
apiVersion: cilium.io/v2
kind: CiliumBGPAdvertisement
metadata: { name: a, labels: { advertise: bgp } }
spec:
  advertisements:
  - advertisementType: Service
    service: { addresses: [ClusterIP, ExternalIP, LoadBalancerIP] }
    selector: { matchLabels: { app: web } }
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: web-1, namespace: default, labels: { kubernetes.io/service-name: web } }
endpoints: [{ addresses: [10.1.2.9], conditions: { ready: true }, nodeName: ${WITH} }]
`;

interface Case { name: string; etp?: string; itp?: string; with: string[]; without: string[] }
const CIP = '10.96.0.40/32', EIP = '192.0.2.40/32', LB = '172.16.10.40/32';
const cases: Case[] = [
  { name: 'eTP Cluster, iTP Cluster: all addresses everywhere', etp: 'Cluster', itp: 'Cluster', with: [CIP, EIP, LB], without: [CIP, EIP, LB] },
  { name: 'eTP Local: ClusterIP still from every node (follows iTP only)', etp: 'Local', itp: 'Cluster', with: [CIP, EIP, LB], without: [CIP] },
  { name: 'iTP Local: ClusterIP only with endpoint, LB/external everywhere', etp: 'Cluster', itp: 'Local', with: [CIP, EIP, LB], without: [EIP, LB] },
  { name: 'eTP Local + iTP Local: nothing without endpoint', etp: 'Local', itp: 'Local', with: [CIP, EIP, LB], without: [] },
  { name: 'defaults (no policies): all everywhere', with: [CIP, EIP, LB], without: [CIP, EIP, LB] },
];

for (const c of cases) {
  test(`cilium traffic policy: ${c.name}`, () => {
    const spec = { type: 'LoadBalancer', clusterIP: '10.96.0.40', externalIPs: ['192.0.2.40'], ...(c.etp ? { externalTrafficPolicy: c.etp } : {}), ...(c.itp ? { internalTrafficPolicy: c.itp } : {}) };
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } }, spec, status: { loadBalancer: { ingress: [{ ip: '172.16.10.40' }] } } } as unknown as KubeObject;
    const v = viewFromObjects([...nodes, ...YAML.parseAllDocuments(policy).map((d) => d.toJS() as KubeObject), svc]);
    const pfx = (n: string) => cilium.compute(v, n, opts).advertise.map((a) => a.prefix).sort();
    assert.deepEqual(pfx(WITH), [...c.with].sort());
    assert.deepEqual(pfx(WITHOUT), [...c.without].sort());
  });
}

test('CiliumBGPNodeConfigOverride: routerID and peer localAddress for the named node and instance only; localPort reported', () => {
  const ov = YAML.parseAllDocuments(`
apiVersion: cilium.io/v2
kind: CiliumBGPNodeConfigOverride
metadata: { name: ${WITH} }
spec:
  bgpInstances:
  - name: i
    routerID: 192.0.2.1
    localPort: 1790
    peers: [{ name: tor, localAddress: 10.0.0.9 }]
`).map((d) => d.toJS() as KubeObject);
  const v = viewFromObjects([...nodes, ...YAML.parseAllDocuments(policy).map((d) => d.toJS() as KubeObject), ...ov]);
  const w = cilium.compute(v, WITH, opts);
  assert.equal(w.routerId, '192.0.2.1');
  assert.equal(w.peers[0]!.localAddress, '10.0.0.9');
  assert.deepEqual(w.problems.filter((p) => p.includes('CiliumBGPNodeConfigOverride')).length, 1);
  const other = cilium.compute(v, WITHOUT, opts);
  assert.notEqual(other.routerId, '192.0.2.1');
  assert.equal(other.peers[0]!.localAddress, undefined);
});
