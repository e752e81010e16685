/** The cluster side rendered per dialect: kube-router annotations, Kube-OVN speaker flags, MetalLB peers and pool. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { parseTopology, planLab } from '../topology/index.js';
import { clusterObjects } from './cluster-objects.js';
import { applyRouting, generateClos, type ClosOptions } from './index.js';
import type { ClusterAttachment } from './types.js';

const att = (k8sNode: string, tor: string, nodeAsn: number): ClusterAttachment => ({ k8sNode, via: k8sNode, tor, torAddress: '10.10.0.1', nodeAddress: '10.10.0.2', prefixLength: 24, iface: 'e3', nodeAsn });
const TWO_RACKS = [att('c-worker', 'leaf1', 65001), att('c-control-plane', 'leaf1', 65001), att('c-worker2', 'leaf2', 65002)];
const SIDE = { torAsn: (t: string) => (t === 'leaf1' ? 65001 : 65002), torLoopback: (t: string) => (t === 'leaf1' ? '10.255.255.3' : '10.255.255.4') };

test('kube-router: each Node gets node.asn and its ToR in peer.ips/peer.asns annotations', () => {
  const r = clusterObjects('kube-router', TWO_RACKS, SIDE);
  assert.deepEqual(r.flags, []);
  assert.deepEqual(r.objects, [
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'c-control-plane', annotations: { 'kube-router.io/node.asn': '65001', 'kube-router.io/peer.ips': '10.255.255.3', 'kube-router.io/peer.asns': '65001' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'c-worker', annotations: { 'kube-router.io/node.asn': '65001', 'kube-router.io/peer.ips': '10.255.255.3', 'kube-router.io/peer.asns': '65001' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'c-worker2', annotations: { 'kube-router.io/node.asn': '65002', 'kube-router.io/peer.ips': '10.255.255.4', 'kube-router.io/peer.asns': '65002' } } },
  ]);
});

test('Kube-OVN: one flag set, every ToR a neighbor, when ToRs and nodes share an ASN; a note when they do not', () => {
  const same = clusterObjects('kube-ovn', [att('c-worker', 'leaf1', 65000), att('c-worker2', 'leaf2', 65000)], { ...SIDE, torAsn: () => 65100 });
  assert.deepEqual(same.flags, ['--neighbor-address=10.255.255.3,10.255.255.4', '--neighbor-as=65100', '--cluster-as=65000']);
  assert.deepEqual(same.objects, []);
  const differ = clusterObjects('kube-ovn', TWO_RACKS, SIDE);
  assert.deepEqual(differ.flags, []);
  assert.match(differ.notes.join('\n'), /kube-ovn: the speaker takes one --neighbor-as .* \(65001, 65002\)/);
});

test('MetalLB: a BGPPeer per ToR selecting its rack by hostname; IPAddressPool and BGPAdvertisement with lb-pool, else a note', () => {
  const r = clusterObjects('metallb', TWO_RACKS, { ...SIDE, lbPool: '192.0.2.0/28' });
  assert.deepEqual(r.objects.map((o) => `${String(o['kind'])}/${String((o['metadata'] as { name: string }).name)}`), ['BGPPeer/kindlab-leaf1', 'BGPPeer/kindlab-leaf2', 'IPAddressPool/kindlab', 'BGPAdvertisement/kindlab']);
  assert.deepEqual(r.objects[0], {
    apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'kindlab-leaf1', namespace: 'metallb-system' },
    spec: { myASN: 65001, peerASN: 65001, peerAddress: '10.255.255.3', nodeSelectors: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['c-control-plane', 'c-worker'] }] }] },
  });
  assert.deepEqual(r.objects[2]!['spec'], { addresses: ['192.0.2.0/28'] });
  assert.deepEqual(r.objects[3]!['spec'], { ipAddressPools: ['kindlab'] });
  const noPool = clusterObjects('metallb', TWO_RACKS, SIDE);
  assert.equal(noPool.objects.length, 2);
  assert.match(noPool.notes.join('\n'), /no routing.cluster.lb-pool/);
});

/** A generated 1-spine, 2-leaf Clos in `dialect`, with `routing` merged over its routing section and cluster.bgp.flags set. */
function plan(dialect: ClosOptions['dialect'], routing: Record<string, unknown>, flags?: string[]) {
  const doc = parseDocument(generateClos({ name: 'd', spines: 1, leaves: 2, nodesPerLeaf: 1, dialect }));
  for (const [k, v] of Object.entries(routing)) doc.setIn(['routing', k], doc.createNode(v));
  if (flags) doc.setIn(['cluster', 'bgp', 'flags'], doc.createNode(flags));
  return applyRouting(planLab(parseTopology(doc.toString(), { file: 'd.yaml', env: {} }), { labDir: '/tmp/kl-dialects' }), () => undefined);
}

test('in a lab: Kube-OVN flags go to cluster.bgp.flags unless the lab gives its own; MetalLB objects join the cluster objects', () => {
  const shared = { asns: { spine: 65100, leaf: 65001 }, cluster: { asn: 65000 } };
  assert.deepEqual(plan('kube-ovn', shared).cluster!.bgp!.flags, ['--neighbor-address=10.255.255.1,10.255.255.2', '--neighbor-as=65001', '--cluster-as=65000']);
  const own = plan('kube-ovn', shared, ['--neighbor-address=10.9.9.9', '--neighbor-as=1', '--cluster-as=2']);
  assert.deepEqual(own.cluster!.bgp!.flags, ['--neighbor-address=10.9.9.9', '--neighbor-as=1', '--cluster-as=2']);
  assert.ok(own.routing!.notes.some((n) => /cluster\.bgp\.flags are the lab's own/.test(n)), own.routing!.notes.join('\n'));
  const ml = plan('metallb', { cluster: { 'lb-pool': '192.0.2.0/28' } });
  assert.deepEqual(ml.cluster!.objects!.map((o) => String(o['kind'])).sort(), ['BGPAdvertisement', 'BGPPeer', 'BGPPeer', 'IPAddressPool']);
  assert.throws(() => plan('metallb', { cluster: { 'lb-pool': '192.0.2.0/33' } }), /LoadBalancer pool/);
});
