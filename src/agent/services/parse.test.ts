import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renderRules } from '../../cluster/node/proxy/render.js';
import type { ServicePortModel } from '../../cluster/node/proxy/model.js';
import { formatServiceNat, parseServiceNat } from './parse.js';

// Article 003's three services: the kubernetes ClusterIP (persistent 10800), nginx with ClientIP
// affinity, nginx as a NodePort; plus an eTP Local external IP with one local endpoint.
const EP = { ip: '10.254.1.2', port: 80, local: true };
const MODEL: ServicePortModel[] = [
  { id: 'default/kubernetes:https', protocol: 'tcp', clusterIPs: ['10.96.0.1'], port: 443, externalIPs: [], loadBalancerIPs: [], externalLocal: false, affinitySeconds: 10800, endpoints: [{ ip: '172.26.6.1', port: 6443, local: false }] },
  { id: 'default/nginx:', protocol: 'tcp', clusterIPs: ['10.96.116.179'], port: 80, externalIPs: [], loadBalancerIPs: [], externalLocal: false, affinitySeconds: 10800, endpoints: [EP, { ip: '10.254.2.2', port: 80, local: false }] },
  { id: 'default/nginx-np:', protocol: 'tcp', clusterIPs: ['10.96.102.188'], port: 80, nodePort: 31117, externalIPs: [], loadBalancerIPs: [], externalLocal: false, endpoints: [EP] },
  { id: 'default/local:', protocol: 'udp', clusterIPs: ['10.96.0.53'], port: 53, externalIPs: ['192.168.3.180'], loadBalancerIPs: [], externalLocal: true, endpoints: [{ ip: '10.254.1.5', port: 5353, local: true }, { ip: '10.254.2.5', port: 5353, local: false }] },
];

function check(save: string): void {
  const vs = parseServiceNat(save);
  const row = (a: string, p: number) => vs.find((v) => v.address === a && v.port === p)!;
  assert.deepEqual(row('10.96.0.1', 443), { protocol: 'TCP', address: '10.96.0.1', port: 443, kind: 'ClusterIP', service: 'default/kubernetes:https', persistentSeconds: 10800, localOnly: false, servers: [{ address: '172.26.6.1', port: 6443 }] });
  assert.deepEqual(row('10.96.116.179', 80).servers, [{ address: '10.254.1.2', port: 80 }, { address: '10.254.2.2', port: 80 }]);
  assert.equal(row('10.96.116.179', 80).persistentSeconds, 10800);
  assert.equal(row('10.96.102.188', 80).persistentSeconds, undefined);
  assert.deepEqual({ ...row('*', 31117), servers: row('*', 31117).servers.length }, { protocol: 'TCP', address: '*', port: 31117, kind: 'NodePort', service: 'default/nginx-np:', localOnly: false, servers: 1 });
  assert.deepEqual({ kind: row('192.168.3.180', 53).kind, local: row('192.168.3.180', 53).localOnly, servers: row('192.168.3.180', 53).servers, p: row('192.168.3.180', 53).protocol }, { kind: 'ExternalIP', local: true, servers: [{ address: '10.254.1.5', port: 5353 }], p: 'UDP' });
  assert.equal(vs.length, 6);
  const text = formatServiceNat(vs);
  assert.match(text, /^TCP {2}10\.96\.116\.179:80 +random persistent 10800 +# ClusterIP default\/nginx:$/m);
  assert.match(text, /^ {2}-> 10\.254\.2\.2:80 +Masq {4}1$/m);
}

test('parses the rendered Service NAT rules into ipvsadm-style virtual services', () => {
  const r = renderRules({ services: MODEL, bridge: 'kl0', podCIDR: '10.254.1.0/24' });
  check(r.nat);
});

test('parses what iptables-save prints after loading them (a scratch netns)', () => {
  const ns = `svcnat-test-${process.pid}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const r = renderRules({ services: MODEL, bridge: 'kl0', podCIDR: '10.254.1.0/24' });
    execFileSync('ip', ['netns', 'exec', ns, 'iptables-restore', '--noflush'], { input: r.nat });
    check(execFileSync('ip', ['netns', 'exec', ns, 'iptables-save', '-t', 'nat'], { encoding: 'utf8' }));
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
