/** IPv6 arithmetic, per-family pod CIDRs, and dual-stack Service/Node admission and bootstrap. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { Registry } from '../apiserver/registry.js';
import { findResource, grOf } from '../apiserver/resources.js';
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import type { K8sObject } from '../store/types.js';
import { allocateClusterIP6, bigToIp6, firstFreePodCidrs, ip6ToBig, parseCidr6, podCidr6ForIndex, podCidrsForIndex } from './cidr6.js';

describe('IPv6 arithmetic', () => {
  test('parse and RFC 5952 formatting round-trip', () => {
    assert.equal(bigToIp6(ip6ToBig('fd00:10:244:0:0:0:0:1')), 'fd00:10:244::1');
    assert.equal(bigToIp6(ip6ToBig('::')), '::');
    assert.equal(bigToIp6(ip6ToBig('::ffff:10.0.0.1')), '::ffff:a00:1');
    assert.equal(bigToIp6(ip6ToBig('2001:db8:0:1:0:0:0:1')), '2001:db8:0:1::1');
    assert.equal(bigToIp6(ip6ToBig('2001:0:0:1:0:0:0:1')), '2001:0:0:1::1');
    for (const bad of ['fd00::1::2', '1:2:3:4:5:6:7:8:9', 'fd00:12345::', '10.0.0.1', 'g::1']) assert.throws(() => ip6ToBig(bad), /invalid IPv6/);
    assert.throws(() => parseCidr6('fd00::/129'), /invalid IPv6 CIDR "fd00::\/129"/);
    assert.deepEqual(parseCidr6('fd00:10:244::5/56'), { base: ip6ToBig('fd00:10:244::'), prefix: 56 });
  });

  test('pod CIDRs per node: /64 blocks of kind\'s fd00:10:244::/56, both families for dual', () => {
    assert.equal(podCidr6ForIndex('fd00:10:244::/56', 0), 'fd00:10:244::/64');
    assert.equal(podCidr6ForIndex('fd00:10:244::/56', 3), 'fd00:10:244:3::/64');
    assert.throws(() => podCidr6ForIndex('fd00:10:244::/63', 2), /only 2 \/64 blocks/);
    assert.deepEqual(podCidrsForIndex('10.244.0.0/16,fd00:10:244::/56', 2), ['10.244.2.0/24', 'fd00:10:244:2::/64']);
    assert.deepEqual(podCidrsForIndex('fd00:10:244::/56, 10.244.0.0/16', 1), ['fd00:10:244:1::/64', '10.244.1.0/24']);
    assert.deepEqual(firstFreePodCidrs('10.244.0.0/16,fd00:10:244::/56', new Set(['10.244.0.0/24', 'fd00:10:244:1::/64'])), ['10.244.2.0/24', 'fd00:10:244:2::/64']);
  });

  test('IPv6 ClusterIPs: lowest free from ::a, requested honoured and normalized, out of range refused', () => {
    assert.deepEqual(allocateClusterIP6('fd00:10:96::/112', new Set(['fd00:10:96::a'])), { ok: true, value: 'fd00:10:96::b' });
    assert.deepEqual(allocateClusterIP6('fd00:10:96::/112', new Set(), 'fd00:10:96:0::1'), { ok: true, value: 'fd00:10:96::1' });
    const r = allocateClusterIP6('fd00:10:96::/112', new Set(), 'fd00:10:97::1');
    assert.ok(!r.ok && /not in the valid range/.test(r.message));
    const u = allocateClusterIP6('fd00:10:96::/112', new Set(['fd00:10:96::20']), 'fd00:10:96::20');
    assert.ok(!u.ok && /already allocated/.test(u.message));
  });
});

const SVC = findResource('', 'v1', 'services')!;
const NODE = findResource('', 'v1', 'nodes')!;

function cluster(ipFamily: 'ipv4' | 'ipv6' | 'dual', nodeIP?: string) {
  const patch = nodeIP ? [`kind: InitConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n    node-ip: "${nodeIP}"\n`] : undefined;
  const spec = parseKindCluster({ name: 'd', networking: { ipFamily }, nodes: [{ role: 'control-plane', ...(patch ? { kubeadmConfigPatches: patch } : {}) }, { role: 'worker' }] });
  const reg = new Registry(new ObjectStore({ historySize: 20 }), { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec);
  const get = (def: typeof SVC, ns: string | undefined, name: string) => reg.store.get(grOf(def), ns, name) as K8sObject;
  const svc = (name: string, spec: Record<string, unknown> = {}) => reg.create(SVC, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], ...spec } }).spec as Record<string, unknown>;
  return { spec, reg, get, svc };
}

describe('dual-stack and IPv6 clusters (bootstrap and admission)', () => {
  test('ipv6: kubernetes Service on fd00:10:96::1, nodes get /64s of fd00:10:244::/56', () => {
    const c = cluster('ipv6', 'fd00:c::2');
    const k = c.get(SVC, 'default', 'kubernetes').spec as Record<string, unknown>;
    assert.deepEqual([k.clusterIP, k.clusterIPs, k.ipFamilies, k.ipFamilyPolicy], ['fd00:10:96::1', ['fd00:10:96::1'], ['IPv6'], 'SingleStack']);
    const n = c.get(NODE, undefined, 'd-worker').spec as Record<string, unknown>;
    assert.deepEqual([n.podCIDR, n.podCIDRs], ['fd00:10:244:1::/64', ['fd00:10:244:1::/64']]);
    const s = c.svc('web');
    assert.deepEqual([s.clusterIP, s.ipFamilies], ['fd00:10:96::a', ['IPv6']]);
    const slice = c.reg.store.get('endpointslices.discovery.k8s.io', 'default', 'kubernetes') as K8sObject & { addressType: string };
    assert.equal(slice.addressType, 'IPv6');
  });

  test('dual: node-ip with two addresses → two InternalIPs; podCIDRs of both families; Services single, preferred and required dual', () => {
    const c = cluster('dual', '10.0.1.2,fd00:c::2');
    const cp = c.get(NODE, undefined, 'd-control-plane') as K8sObject & { status: { addresses: Array<{ type: string; address: string }> } };
    assert.deepEqual(cp.status.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address), ['10.0.1.2', 'fd00:c::2']);
    assert.deepEqual((cp.spec as Record<string, unknown>).podCIDRs, ['10.244.0.0/24', 'fd00:10:244::/64']);
    const k = c.get(SVC, 'default', 'kubernetes').spec as Record<string, unknown>;
    assert.deepEqual(k.clusterIPs, ['10.96.0.1', 'fd00:10:96::1']);
    const single = c.svc('single');
    assert.deepEqual([single.clusterIPs, single.ipFamilies, single.ipFamilyPolicy], [['10.96.0.10'], ['IPv4'], 'SingleStack']);
    const pref = c.svc('pref', { ipFamilyPolicy: 'PreferDualStack' });
    assert.deepEqual([pref.clusterIPs, pref.ipFamilies], [['10.96.0.11', 'fd00:10:96::a'], ['IPv4', 'IPv6']]);
    const v6first = c.svc('v6first', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] });
    assert.deepEqual([v6first.clusterIP, v6first.clusterIPs], ['fd00:10:96::b', ['fd00:10:96::b', '10.96.0.12']]);
    const asked = c.svc('asked', { clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1', 'fd00:10:96::100'], ipFamilyPolicy: 'RequireDualStack' });
    assert.deepEqual([asked.clusterIP, asked.ipFamilyPolicy, asked.ipFamilies], ['10.96.1.1', 'RequireDualStack', ['IPv4', 'IPv6']]);
    assert.throws(() => c.svc('clash', { clusterIP: '10.96.2.1', clusterIPs: ['10.96.2.1', 'fd00:10:96::100'], ipFamilyPolicy: 'PreferDualStack' }), (e: Error) => e.message === 'Service "clash" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.2.1", "fd00:10:96::100"}: failed to allocate IP fd00:10:96::100: provided IP is already allocated');
    assert.throws(() => c.svc('far', { clusterIP: '10.97.0.5' }), (e: Error) => e.message === 'Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"10.97.0.5"}: failed to allocate IP 10.97.0.5: the provided IP (10.97.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/16');
    // two addresses without a policy: SingleStack by default, which cannot hold two (as kube-apiserver answers)
    assert.throws(() => c.svc('two', { clusterIP: '10.96.3.1', clusterIPs: ['10.96.3.1', 'fd00:10:96::300'] }), /spec\.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified/);
    const headless = c.svc('hl', { clusterIP: 'None', ipFamilyPolicy: 'RequireDualStack' });
    assert.deepEqual([headless.clusterIPs, headless.ipFamilies], [['None'], ['IPv4', 'IPv6']]);
  });

  test('ipv4 cluster: RequireDualStack and IPv6 families refused as the API server does', () => {
    const c = cluster('ipv4');
    assert.throws(() => c.svc('x', { ipFamilyPolicy: 'RequireDualStack' }), /not configured for dual-stack/);
    assert.throws(() => c.svc('y', { ipFamilies: ['IPv6'] }), /"IPv6": not configured on this cluster/);
    const p = c.svc('z', { ipFamilyPolicy: 'PreferDualStack' });
    assert.deepEqual([p.clusterIPs, p.ipFamilies], [['10.96.0.10'], ['IPv4']]);
  });
});
