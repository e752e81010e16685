/** ip6tables Service NAT for dual-stack and IPv6 Services: the IPv6 half of the model, /128 matches, [ip]:port DNAT. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice, Service } from '../../client/types.js';
import { coveringCidr6 } from './cluster-cidr.js';
import { buildServiceModel } from './model.js';
import { extChain, renderRules, sepChain, svcChain } from './render.js';
import { toolsFor } from './proxier.js';

const dual: Service = { metadata: { name: 'web', namespace: 'default' }, spec: { ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'PreferDualStack', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00:10:96::a'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] } } as Service;
const slice = (addressType: 'IPv4' | 'IPv6', ips: Array<[string, string]>): EndpointSlice => ({
  metadata: { name: `web-${addressType}`, namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType,
  endpoints: ips.map(([ip, node]) => ({ addresses: [ip], nodeName: node, conditions: { ready: true } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});
const slices = [slice('IPv4', [['10.1.1.5', 'w1']]), slice('IPv6', [['fd00:10:1:1::5', 'w1'], ['fd00:10:1:2::5', 'w2']])];

test('model per family: the IPv4 model keeps IPv4 ClusterIPs and IPv4 slices, the IPv6 model the IPv6 ones', () => {
  const m4 = buildServiceModel([dual], slices, 'w1');
  const m6 = buildServiceModel([dual], slices, 'w1', 6);
  assert.deepEqual(m4.map((s) => [s.clusterIPs, s.endpoints.map((e) => e.ip)]), [[['10.96.0.10'], ['10.1.1.5']]]);
  assert.deepEqual(m6.map((s) => [s.clusterIPs, s.endpoints.map((e) => [e.ip, e.local])]), [[['fd00:10:96::a'], [['fd00:10:1:1::5', true], ['fd00:10:1:2::5', false]]]]);
  const v4only: Service = { metadata: { name: 'old', namespace: 'default' }, spec: { clusterIP: '10.96.0.11', ports: [{ port: 80 }] } } as Service;
  assert.deepEqual(buildServiceModel([v4only], [], 'w1', 6), [], 'a single-stack IPv4 Service has no ip6tables rules');
});

test('ip6tables rules: /128 matches, DNAT to [ip]:port, IPv6 cluster CIDR for the masquerade mark', () => {
  const m6 = buildServiceModel([dual], slices, 'w1', 6);
  const r = renderRules({ services: m6, bridge: 'kl0', podCIDR: 'fd00:10:1:1::/64', clusterCIDR: 'fd00:10:1::/62', family: 6 });
  const nat = r.nat.split('\n');
  const svc = svcChain('default/web:http', 'tcp');
  assert.ok(nat.includes(`-A KINDLAB-SERVICES -d fd00:10:96::a/128 -p tcp --dport 80 -m comment --comment "default/web:http cluster IP" -j ${svc}`), r.nat);
  assert.ok(nat.some((l) => l.startsWith(`-A ${svc} ! -s fd00:10:1::/62 -d fd00:10:96::a/128 -p tcp --dport 80`)), r.nat);
  const sep = sepChain('default/web:http', 'tcp', 'fd00:10:1:2::5', 8080);
  assert.ok(nat.includes(`-A ${sep} -m comment --comment "default/web:http" -s fd00:10:1:2::5/128 -j KINDLAB-MARK-HAIRPIN`), r.nat);
  assert.ok(nat.includes(`-A ${sep} -m comment --comment "default/web:http" -p tcp -j DNAT --to-destination [fd00:10:1:2::5]:8080`), r.nat);
  assert.doesNotMatch(r.nat, /\/32\b/);
});

test('the IPv6 cluster CIDR covers every node\'s IPv6 pod CIDR; tools per family', () => {
  assert.equal(coveringCidr6(['10.1.0.0/24', 'fd00:10:1::/64', 'fd00:10:1:1::/64', 'fd00:10:1:2::/64', 'fd00:10:1:3::/64']), 'fd00:10:1::/62');
  assert.equal(coveringCidr6(['fd00:10:1:1::/64']), 'fd00:10:1:1::/64');
  assert.equal(coveringCidr6(['10.1.0.0/24']), undefined);
  assert.deepEqual(toolsFor(6), { cmd: 'ip6tables', save: 'ip6tables-save', restore: 'ip6tables-restore' });
  assert.deepEqual(toolsFor(4), { cmd: 'iptables', save: 'iptables-save', restore: 'iptables-restore' });
});

test('NodePort in ip6tables: the IPv6 model keeps the node port; node-local destinations jump to the external chain, as for IPv4', () => {
  const np: Service = { ...dual, spec: { ...dual.spec, type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }] } } as Service;
  const [m6] = buildServiceModel([np], slices, 'w1', 6);
  assert.equal(m6?.nodePort, 30080);
  const r = renderRules({ services: [m6!], bridge: 'kl0', podCIDR: 'fd00:10:1:1::/64', clusterCIDR: 'fd00:10:1::/62', family: 6 });
  const nat = r.nat.split('\n');
  const ext = extChain('default/web:http', 'tcp');
  assert.ok(nat.includes(`-A KINDLAB-NODEPORTS -p tcp --dport 30080 -m comment --comment "default/web:http" -j ${ext}`), r.nat);
  assert.ok(nat.includes(`-A ${ext} -m comment --comment "default/web:http" -j KINDLAB-MARK-MASQ`), r.nat);
  assert.ok(nat.includes('-A KINDLAB-SERVICES -m addrtype --dst-type LOCAL -m comment --comment "node ports; keep last" -j KINDLAB-NODEPORTS'), r.nat);
});
