import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice, Service } from '../../client/types.js';
import { buildServiceModel, type ServicePortModel } from './model.js';
import { chainsInSave, extChain, renderCleanup, renderRules, sepChain, svcChain, svlChain } from './render.js';

const svc = (name: string, spec: Partial<Service['spec']>, status?: Service['status']): Service => ({ metadata: { name, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec }, ...(status ? { status } : {}) });
const slice = (svcName: string, eps: Array<[string, string, boolean?]>): EndpointSlice => ({
  metadata: { name: `${svcName}-abc`, namespace: 'default', labels: { 'kubernetes.io/service-name': svcName } },
  addressType: 'IPv4',
  endpoints: eps.map(([ip, node, ready]) => ({ addresses: [ip], nodeName: node, conditions: { ready: ready ?? true } })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

test('model: ready endpoints with the slice target port, locality, LB IPs only for LoadBalancer, affinity default', () => {
  const m = buildServiceModel(
    [svc('web', { type: 'LoadBalancer', clusterIP: '10.96.0.10', externalIPs: ['192.168.3.180'], ports: [{ name: 'http', port: 80, nodePort: 30080 }], sessionAffinity: 'ClientIP', externalTrafficPolicy: 'Local' }, { loadBalancer: { ingress: [{ ip: '172.18.0.200' }] } }), svc('headless', { clusterIP: 'None' }), svc('plain', { clusterIP: '10.96.0.11', status: undefined } as never, { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } })],
    [slice('web', [['10.1.1.5', 'w1'], ['10.1.2.5', 'w2'], ['10.1.1.6', 'w1', false]])],
    'w1',
  );
  assert.deepEqual(m.map((s) => s.id), ['default/plain:http', 'default/web:http']);
  const web = m[1]!;
  assert.deepEqual(web.endpoints, [{ ip: '10.1.1.5', port: 8080, local: true }, { ip: '10.1.2.5', port: 8080, local: false }]);
  assert.equal(web.nodePort, 30080);
  assert.deepEqual(web.loadBalancerIPs, ['172.18.0.200']);
  assert.equal(web.externalLocal, true);
  assert.equal(web.affinitySeconds, 10800);
  assert.deepEqual(m[0]!.loadBalancerIPs, [], 'a ClusterIP service does not take LB ingress IPs');
  assert.equal(m[0]!.endpoints.length, 0);
});

const base: ServicePortModel = { id: 'default/nginx:', protocol: 'tcp', clusterIPs: ['10.96.0.20'], port: 80, externalIPs: [], loadBalancerIPs: [], externalLocal: false, endpoints: [{ ip: '10.1.1.2', port: 80, local: true }, { ip: '10.1.2.2', port: 80, local: false }, { ip: '10.1.2.3', port: 80, local: false }] };
const lines = (text: string) => text.split('\n');

test('ClusterIP: random split 1/3, 1/2, rest; DNAT per endpoint; hairpin mark; no masquerade for pods', () => {
  const r = renderRules({ services: [base], bridge: 'kl0', podCIDR: '10.1.1.0/24' });
  const svc = svcChain(base.id, 'tcp');
  const nat = lines(r.nat);
  assert.ok(nat.includes(`-A KINDLAB-SERVICES -d 10.96.0.20/32 -p tcp --dport 80 -m comment --comment "default/nginx: cluster IP" -j ${svc}`));
  const split = nat.filter((l) => l.startsWith(`-A ${svc} `) && l.includes('-j KINDLAB-SEP-'));
  assert.equal(split.length, 3);
  assert.match(split[0]!, /--probability 0\.3333333333 -j KINDLAB-SEP-/);
  assert.match(split[1]!, /--probability 0\.5000000000 -j KINDLAB-SEP-/);
  assert.doesNotMatch(split[2]!, /probability/);
  const sep = sepChain(base.id, 'tcp', '10.1.2.2', 80);
  assert.ok(nat.includes(`-A ${sep} -m comment --comment "default/nginx:" -s 10.1.2.2/32 -j KINDLAB-MARK-HAIRPIN`));
  assert.ok(nat.includes(`-A ${sep} -m comment --comment "default/nginx:" -p tcp -j DNAT --to-destination 10.1.2.2:80`));
  assert.ok(!r.nat.includes(extChain(base.id, 'tcp')), 'no external chain without external destinations');
  assert.equal(nat.filter((l) => l.includes('MASQUERADE')).length, 1, 'only the shared KINDLAB-MASQ chain masquerades');
  assert.ok(nat.includes('-A KINDLAB-POSTROUTING -m mark --mark 0x4000/0x4000 ! -o kl0 -m comment --comment "external service traffic to a remote endpoint" -j KINDLAB-MASQ'));
  assert.equal(nat.at(-3), '-A KINDLAB-SERVICES -m addrtype --dst-type LOCAL -m comment --comment "node ports; keep last" -j KINDLAB-NODEPORTS');
  assert.equal(lines(r.filter).filter((l) => l.startsWith('-A')).length, 0);
  for (const name of ['KINDLAB-SERVICES', svc, sep]) assert.ok(name.length <= 28, `${name} fits iptables' chain name limit`);
});

test('NodePort + externalIP, eTP Cluster: external traffic marked for masquerade then cluster-wide', () => {
  const s = { ...base, nodePort: 30080, externalIPs: ['192.168.3.180'] };
  const nat = lines(renderRules({ services: [s], bridge: 'kl0' }).nat);
  const ext = extChain(s.id, 'tcp');
  assert.ok(nat.includes(`-A KINDLAB-NODEPORTS -p tcp --dport 30080 -m comment --comment "default/nginx:" -j ${ext}`));
  assert.ok(nat.includes(`-A KINDLAB-SERVICES -d 192.168.3.180/32 -p tcp --dport 80 -m comment --comment "default/nginx: external IP" -j ${ext}`));
  assert.deepEqual(nat.filter((l) => l.startsWith(`-A ${ext} `)), [`-A ${ext} -m comment --comment "default/nginx:" -j KINDLAB-MARK-MASQ`, `-A ${ext} -m comment --comment "default/nginx:" -j ${svcChain(s.id, 'tcp')}`]);
});

test('eTP Local: local endpoints only for outside traffic; local pods and the node use the cluster chain', () => {
  const s = { ...base, nodePort: 30080, externalLocal: true, loadBalancerIPs: ['172.18.0.200'] };
  const r = renderRules({ services: [s], bridge: 'kl0', podCIDR: '10.1.1.0/24' });
  const ext = extChain(s.id, 'tcp');
  const svl = svlChain(s.id, 'tcp');
  const rules = lines(r.nat).filter((l) => l.startsWith(`-A ${ext} `));
  assert.match(rules[0]!, /-s 10\.1\.1\.0\/24 .* -j KINDLAB-SVC-/);
  assert.match(rules[1]!, /--src-type LOCAL .* -j KINDLAB-MARK-MASQ/);
  assert.match(rules[2]!, /--src-type LOCAL .* -j KINDLAB-SVC-/);
  assert.equal(rules[3], `-A ${ext} -m comment --comment "default/nginx:" -j ${svl}`);
  assert.deepEqual(lines(r.nat).filter((l) => l.startsWith(`-A ${svl} `)).length, 1, 'one local endpoint, no random split');
  assert.ok(!lines(r.nat).some((l) => l.startsWith(`-A ${ext} `) && l.includes('MARK-MASQ') && !l.includes('src-type')), 'client IP preserved');
  // No local endpoint: drop NodePort and LB traffic in the filter table.
  const none = renderRules({ services: [{ ...s, endpoints: s.endpoints.filter((e) => !e.local) }], bridge: 'kl0', podCIDR: '10.1.1.0/24' });
  assert.ok(!none.nat.includes(svl));
  const drops = lines(none.filter).filter((l) => l.endsWith('-j DROP'));
  assert.deepEqual(drops, [
    '-A KINDLAB-FIREWALL -d 172.18.0.200/32 -p tcp --dport 80 -m comment --comment "default/nginx: externalTrafficPolicy Local: no endpoint on this node" -j DROP',
    '-A KINDLAB-FIREWALL -m addrtype --dst-type LOCAL -p tcp --dport 30080 -m comment --comment "default/nginx: externalTrafficPolicy Local: no endpoint on this node" -j DROP',
  ]);
});

test('sessionAffinity ClientIP: recent check per endpoint before the random split, recent set on DNAT', () => {
  const s = { ...base, affinitySeconds: 600, endpoints: base.endpoints.slice(0, 2) };
  const nat = lines(renderRules({ services: [s], bridge: 'kl0' }).nat);
  const svc = svcChain(s.id, 'tcp');
  const sep0 = sepChain(s.id, 'tcp', '10.1.1.2', 80);
  const chain = nat.filter((l) => l.startsWith(`-A ${svc} `));
  assert.equal(chain.length, 4);
  assert.ok(chain[0]!.includes(`-m recent --name ${sep0} --rcheck --seconds 600 --reap -j ${sep0}`));
  assert.ok(nat.includes(`-A ${sep0} -m comment --comment "default/nginx:" -p tcp -m recent --name ${sep0} --set -j DNAT --to-destination 10.1.1.2:80`));
});

test('no endpoints: REJECT in the filter table, nothing in nat', () => {
  const s = { ...base, endpoints: [], nodePort: 30081 };
  const r = renderRules({ services: [s], bridge: 'kl0' });
  assert.ok(!r.nat.includes('KINDLAB-SVC-'));
  assert.deepEqual(lines(r.filter).filter((l) => l.startsWith('-A')).map((l) => l.split(' -m comment')[0]), ['-A KINDLAB-FIREWALL -d 10.96.0.20/32 -p tcp --dport 80', '-A KINDLAB-FIREWALL -m addrtype --dst-type LOCAL -p tcp --dport 30081']);
});

test('stale chains from an earlier sync are flushed and deleted in the same transaction; cleanup', () => {
  const save = '*nat\n:PREROUTING ACCEPT [0:0]\n:KINDLAB-SERVICES - [0:0]\n:KINDLAB-SVC-OLD - [0:0]\nCOMMIT\n';
  const existing = { nat: chainsInSave(save), filter: ['KINDLAB-FIREWALL'] };
  assert.deepEqual(existing.nat, ['KINDLAB-SERVICES', 'KINDLAB-SVC-OLD']);
  const r = renderRules({ services: [base], bridge: 'kl0', existing });
  const nat = lines(r.nat);
  assert.ok(nat.includes(':KINDLAB-SVC-OLD - [0:0]') && nat.includes('-X KINDLAB-SVC-OLD'));
  assert.ok(nat.indexOf('-X KINDLAB-SVC-OLD') > nat.findLastIndex((l) => l.startsWith('-A')), 'deleted after the rules that referenced it are replaced');
  assert.equal(nat.at(-2), 'COMMIT');
  assert.equal(renderCleanup({ nat: ['KINDLAB-SERVICES'], filter: [] }), '*nat\n:KINDLAB-SERVICES - [0:0]\n-X KINDLAB-SERVICES\nCOMMIT\n');
});

test('ClusterIP from outside the cluster CIDR: marked for masquerade first in the service chain (kube-proxy ! -s <cluster CIDR>)', () => {
  const svc = svcChain(base.id, 'tcp');
  const mark = '! -s 10.1.0.0/16 -d 10.96.0.20/32 -p tcp --dport 80 -m comment --comment "default/nginx: cluster IP from outside the cluster" -j KINDLAB-MARK-MASQ';
  const chain = (r: ReturnType<typeof renderRules>) => lines(r.nat).filter((l) => l.startsWith(`-A ${svc} `));
  const r = renderRules({ services: [base], bridge: 'kl0', podCIDR: '10.1.1.0/24', clusterCIDR: '10.1.0.0/16' });
  assert.equal(chain(r)[0], `-A ${svc} ${mark}`, 'before the endpoint split, so every endpoint choice is covered');
  assert.equal(chain(r).length, 4);
  // Marked traffic is masqueraded only when it leaves the node (a remote endpoint); a local pod sees the client.
  assert.ok(lines(r.nat).includes('-A KINDLAB-POSTROUTING -m mark --mark 0x4000/0x4000 ! -o kl0 -m comment --comment "external service traffic to a remote endpoint" -j KINDLAB-MASQ'));
  // Without a cluster CIDR the node's own pod CIDR stands in for it.
  assert.match(chain(renderRules({ services: [base], bridge: 'kl0', podCIDR: '10.1.1.0/24' }))[0]!, /^-A \S+ ! -s 10\.1\.1\.0\/24 -d 10\.96\.0\.20\/32 .* -j KINDLAB-MARK-MASQ$/);
  // Every cluster IP of a dual-IP service gets its rule; a service without endpoints gets none (it is rejected).
  const two = chain(renderRules({ services: [{ ...base, clusterIPs: ['10.96.0.20', '10.96.0.21'] }], bridge: 'kl0', clusterCIDR: '10.1.0.0/16' }));
  assert.equal(two.filter((l) => l.includes('KINDLAB-MARK-MASQ')).length, 2);
  assert.ok(!renderRules({ services: [{ ...base, endpoints: [] }], bridge: 'kl0', clusterCIDR: '10.1.0.0/16' }).nat.includes('cluster IP from outside'));
});
