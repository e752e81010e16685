/**
 * Per-dialect peer behaviour of the daemon each dialect stands in for: connect retry after a failed connect
 * (GoBGP 5 s, Calico's BIRD 5 s, Cilium connectRetryTimeSeconds / 120) and the export policy (only the node's
 * own routes to its peers; kube-router route reflector servers reflect). And that both reach the speaker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { neighborConfig } from '../k8s/reconcile.js';
import { computeCalico } from './calico.js';
import { cilium } from './cilium.js';
import { computeKubeOvn, parseKubeOvnFlags } from './kube-ovn.js';
import { computeKubeRouter, parseKubeRouterFlags } from './kube-router.js';
import type { PeerIntent } from './types.js';
import { viewFromObjects } from './view.js';

const fixture = (f: string, extra = ''): KubeObject[] =>
  YAML.parseAllDocuments(readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8') + extra).map((d) => d.toJS() as KubeObject).filter(Boolean);
const behaviour = (peers: PeerIntent[]) => peers.map((p) => [p.address, p.connectRetry, p.exportPolicy]);

const KUBE_ROUTER_ARGS = ['--cluster-asn=64512', '--peer-router-ips=192.168.0.100', '--peer-router-asns=64513', '--advertise-cluster-ip=true'];

test('kube-router (GoBGP): 5 s connect retry; the VIP router and the mesh peer get only what the node originates', () => {
  const i = computeKubeRouter(viewFromObjects(fixture('kube-router-article.yaml')), '170', parseKubeRouterFlags(KUBE_ROUTER_ARGS));
  assert.deepEqual(behaviour(i.peers), [['192.168.0.100', 5, 'originated'], ['192.168.0.171', 5, 'originated']]);
});

test('kube-router route reflector: the rr.server reflects to its iBGP peers, still only its own routes to the external router; the client sends its own', () => {
  const extra = `
---
apiVersion: v1
kind: Node
metadata: { name: "172", annotations: { kube-router.io/rr.client: "42" } }
spec: { podCIDR: 10.244.2.0/24 }
status: { addresses: [{ type: InternalIP, address: 192.168.0.172 }] }
`;
  const objs = fixture('kube-router-article.yaml', extra);
  objs.find((o) => o.kind === 'Node' && o.metadata.name === '170')!.metadata.annotations = { 'kube-router.io/rr.server': '42' };
  const v = viewFromObjects(objs);
  const o = parseKubeRouterFlags(KUBE_ROUTER_ARGS);
  assert.deepEqual(behaviour(computeKubeRouter(v, '170', o).peers), [['192.168.0.100', 5, 'originated'], ['192.168.0.171', 5, 'all'], ['192.168.0.172', 5, 'all']]);
  assert.deepEqual(behaviour(computeKubeRouter(v, '172', o).peers), [['192.168.0.100', 5, 'originated'], ['192.168.0.170', 5, 'originated']]);
});

test("Calico (calico-node's BIRD config): 5 s connect retry, own blocks and service ranges only, to the BGPPeer and the mesh", () => {
  const i = computeCalico(viewFromObjects(fixture('calico-article.yaml')), 'node-10');
  assert.ok(i.peers.length >= 3);
  for (const p of i.peers) assert.deepEqual([p.connectRetry, p.exportPolicy], [5, 'originated'], p.address);
});

test('Cilium: connectRetryTimeSeconds per neighbor, 120 when unset (its CRD default); only the advertised routes go out', () => {
  const v = viewFromObjects(fixture('cilium-article.yaml'));
  assert.deepEqual(behaviour(cilium.compute(v, 'clab-bgp-cplane-demo-control-plane', cilium.parseFlags([])).peers), [['10.0.0.1', 120, 'originated']]);
  const policy = `
---
apiVersion: cilium.io/v2alpha1
kind: CiliumBGPPeeringPolicy
metadata: { name: fast }
spec:
  nodeSelector: { matchLabels: { fast: "yes" } }
  virtualRouters:
  - localASN: 64512
    neighbors: [{ peerAddress: 172.16.0.1/32, peerASN: 65000, connectRetryTimeSeconds: 12 }]
---
apiVersion: v1
kind: Node
metadata: { name: fast-node, labels: { fast: "yes" } }
status: { addresses: [{ type: InternalIP, address: 172.16.0.10 }] }
`;
  assert.deepEqual(behaviour(cilium.compute(viewFromObjects(fixture('cilium-article.yaml', policy)), 'fast-node', cilium.parseFlags([])).peers), [['172.16.0.1', 12, 'originated']]);
});

test('Kube-OVN speaker (GoBGP): 5 s connect retry, only the announced objects', () => {
  const v = viewFromObjects(YAML.parseAllDocuments(`
apiVersion: v1
kind: Node
metadata: { name: speaker-node-1, labels: { ovn.kubernetes.io/bgp: "true" } }
status: { addresses: [{ type: InternalIP, address: 10.32.32.11 }] }
`).map((d) => d.toJS() as KubeObject));
  const i = computeKubeOvn(v, 'speaker-node-1', parseKubeOvnFlags(['--neighbor-address=10.32.32.252', '--neighbor-as=65030', '--cluster-as=65000']));
  assert.deepEqual(behaviour(i.peers), [['10.32.32.252', 5, 'originated']]);
});

test('the speaker gets both: connectRetryTime and exportPolicy in the neighbor config', () => {
  const i = computeKubeRouter(viewFromObjects(fixture('kube-router-article.yaml')), '170', parseKubeRouterFlags(KUBE_ROUTER_ARGS));
  const c = neighborConfig(i.peers[0]!);
  assert.deepEqual([c.peerAddress, c.connectRetryTime, c.exportPolicy], ['192.168.0.100', 5, 'originated']);
});
