import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { computeCalico, parsePeerIP } from './calico.js';
import { parseCalicoSelector } from './calico-selector.js';
import { viewFromObjects } from './view.js';

const fixture = (): KubeObject[] => YAML.parseAllDocuments(readFileSync(new URL('./fixtures/calico-article.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as KubeObject);
const docs = (s: string): KubeObject[] => YAML.parseAllDocuments(s).map((d) => d.toJS() as KubeObject);
const prefixes = (i: { advertise: Array<{ prefix: string }> }) => i.advertise.map((a) => a.prefix);

test('article 002: the service CIDR from every node, the eTP Local /32 only from nodes with nginx endpoints', () => {
  const v = viewFromObjects(fixture());
  const n10 = computeCalico(v, 'node-10');
  const n11 = computeCalico(v, 'node-11');
  const n12 = computeCalico(v, 'node-12');
  assert.deepEqual(prefixes(n10), ['10.48.0.0/24', '10.49.0.0/16']);
  assert.deepEqual(prefixes(n11), ['10.48.1.0/24', '10.49.0.0/16', '10.49.62.131/32']);
  assert.deepEqual(prefixes(n12), ['10.48.2.0/24', '10.49.0.0/16', '10.49.62.131/32']);
  assert.equal(n11.advertise.find((a) => a.prefix === '10.49.62.131/32')!.reason, 'service default/nginx clusterIP (eTP Local)');
});

test('article 002: the global BGPPeer (iBGP 64512 to the ToR) plus the node-to-node mesh', () => {
  const n10 = computeCalico(viewFromObjects(fixture()), 'node-10');
  assert.equal(n10.localAsn, 64512);
  assert.equal(n10.routerId, '192.168.1.10');
  assert.deepEqual(n10.peers.map((p) => [p.address, p.asn, p.source]), [
    ['192.168.1.1', 64512, 'BGPPeer bgppeer-global-64512'],
    ['192.168.1.11', 64512, 'node-to-node mesh'],
    ['192.168.1.12', 64512, 'node-to-node mesh'],
  ]);
  assert.equal(n10.peers[0]!.holdTime, 240);
  assert.deepEqual(n10.peers[0]!.gracefulRestart, { enabled: true, restartTime: 120 });
});

test('article 002, second BGPConfiguration: serviceExternalIPs only; external IP 192.168.3.180 with eTP Local', () => {
  const objs = fixture().map((o) => (o.kind === 'BGPConfiguration' ? docs(`
apiVersion: crd.projectcalico.org/v1
kind: BGPConfiguration
metadata:
  name: default
spec:
  serviceClusterIPs:
  serviceExternalIPs:
  - cidr: 192.168.3.0/24
`)[0]! : o.metadata.name === 'nginx' ? { ...o, spec: { ...(o.spec as object), externalIPs: ['192.168.3.180'] } } : o));
  const v = viewFromObjects(objs);
  assert.deepEqual(prefixes(computeCalico(v, 'node-10')), ['10.48.0.0/24', '192.168.3.0/24']);
  assert.deepEqual(prefixes(computeCalico(v, 'node-11')), ['10.48.1.0/24', '192.168.3.0/24', '192.168.3.180/32']);
});

test('BGPPeer node / nodeSelector / peerSelector, password secret, keepOriginalNextHop, maxRestartTime, mesh off', () => {
  const v = viewFromObjects([
    ...fixture().filter((o) => o.kind === 'Node').map((o): KubeObject => (o.metadata.name === 'node-12' ? { ...o, metadata: { ...o.metadata, labels: { rack: 'rack1', 'route-reflector': 'true' } } } : { ...o, metadata: { ...o.metadata, labels: { rack: 'rack0' } } })),
    ...docs(`
apiVersion: crd.projectcalico.org/v1
kind: BGPConfiguration
metadata: { name: default }
spec: { asNumber: 65100, nodeToNodeMeshEnabled: false, communities: [{ name: big, value: "65100:300:100" }], prefixAdvertisements: [{ cidr: 10.48.0.0/16, communities: [big, "65100:120"] }] }
---
apiVersion: crd.projectcalico.org/v1
kind: BGPPeer
metadata: { name: rack0-tor }
spec: { nodeSelector: "rack == 'rack0'", peerIP: "10.0.0.1:1790", asNumber: 65001, keepOriginalNextHop: true, maxRestartTime: 3m, password: { secretKeyRef: { name: bgp-secrets, key: rr-password } } }
---
apiVersion: crd.projectcalico.org/v1
kind: BGPPeer
metadata: { name: only-node-11 }
spec: { node: node-11, peerIP: 10.0.0.99, asNumber: 65002 }
---
apiVersion: crd.projectcalico.org/v1
kind: BGPPeer
metadata: { name: to-rr }
spec: { nodeSelector: "!has(route-reflector)", peerSelector: "has(route-reflector)" }
---
apiVersion: v1
kind: Secret
metadata: { name: bgp-secrets, namespace: kube-system }
stringData: { rr-password: very-secret }
`),
  ]);
  const n10 = computeCalico(v, 'node-10');
  assert.deepEqual(n10.peers.map((p) => [p.address, p.port, p.asn]), [['10.0.0.1', 1790, 65001], ['192.168.1.12', 179, 65100]]);
  const tor = n10.peers[0]!;
  assert.deepEqual([tor.password, tor.keepOriginalNextHop, tor.gracefulRestart.restartTime], ['very-secret', true, 180]);
  assert.deepEqual(computeCalico(v, 'node-11').peers.map((p) => p.address), ['10.0.0.1', '10.0.0.99', '192.168.1.12']);
  assert.deepEqual(computeCalico(v, 'node-12').peers, []);
  assert.deepEqual(n10.advertise, [{ prefix: '10.48.0.0/24', communities: ['65100:120'], largeCommunities: ['65100:300:100'], reason: 'pod CIDR' }]);
});

test('selector expressions and peerIP forms', () => {
  const l = { rack: 'rack0', zone: 'a' };
  assert.equal(parseCalicoSelector("rack == 'rack0' && has(zone)")(l), true);
  assert.equal(parseCalicoSelector("rack in {'rack1', 'rack2'} || zone != \"a\"")(l), false);
  assert.equal(parseCalicoSelector('!(rack not in {"rack0"})')(l), true);
  assert.equal(parseCalicoSelector('all()')({}), true);
  assert.throws(() => parseCalicoSelector('rack === x'));
  assert.deepEqual(parsePeerIP('[fd00::1]:1790'), { address: 'fd00::1', port: 1790 });
  assert.deepEqual(parsePeerIP('fd00::1'), { address: 'fd00::1', port: 179 });
});
