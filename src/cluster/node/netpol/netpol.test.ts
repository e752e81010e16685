import { test } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { KubeObject, Pod } from '../../client/types.js';
import { subtractCidrs } from './cidr.js';
import { buildNetpolModel, namespaceDefaultDeny } from './model.js';
import { netpolChainsInSave, podChain, renderNetpol } from './render.js';
import type { NetworkPolicy } from './types.js';

const docs = (s: string): KubeObject[] => YAML.parseAllDocuments(s).map((d) => d.toJS() as KubeObject);

// Article 003's namespace `prod` with the beta DefaultDeny annotation, a `dev` namespace, and pods on two nodes.
const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: { name: prod, labels: { team: prod }, annotations: { net.beta.kubernetes.io/network-policy: '{"ingress":{"isolation":"DefaultDeny"}}' } }
---
apiVersion: v1
kind: Namespace
metadata: { name: dev, labels: { team: dev } }
---
apiVersion: v1
kind: Namespace
metadata: { name: default }
---
apiVersion: v1
kind: Pod
metadata: { name: nginx, namespace: prod, labels: { app: nginx } }
spec: { nodeName: node-a, containers: [{ name: nginx, ports: [{ name: http, containerPort: 80 }] }] }
status: { phase: Running, podIP: 10.254.1.2 }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: prod, labels: { role: client } }
spec: { nodeName: node-b, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.254.2.2 }
---
apiVersion: v1
kind: Pod
metadata: { name: tester, namespace: dev, labels: { role: client } }
spec: { nodeName: node-b, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.254.2.3 }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: default, labels: { app: web } }
spec: { nodeName: node-a, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.254.1.3 }
`;

const objs = (extra = '') => {
  const all = docs(CLUSTER + extra);
  return {
    nodeName: 'node-a',
    namespaces: all.filter((o) => o.kind === 'Namespace'),
    pods: all.filter((o) => o.kind === 'Pod') as Pod[],
    policies: all.filter((o) => o.kind === 'NetworkPolicy') as NetworkPolicy[],
  };
};

test('namespace DefaultDeny annotation isolates every pod of the namespace on this node, allowing nothing', () => {
  const m = buildNetpolModel(objs());
  assert.deepEqual(m, [{ pod: 'prod/nginx', ips: ['10.254.1.2'], isolatedBy: ['namespace prod DefaultDeny'], allow: [] }]);
  assert.equal(namespaceDefaultDeny({ metadata: { name: 'x', annotations: { 'net.beta.kubernetes.io/network-policy': 'not json' } } }), false);
});

test('podSelector, namespaceSelector (with and without podSelector), ipBlock with except, ports incl. named', () => {
  const m = buildNetpolModel(objs(`
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-clients, namespace: prod }
spec:
  podSelector: { matchLabels: { app: nginx } }
  ingress:
  - from: [{ podSelector: { matchLabels: { role: client } } }]
    ports: [{ protocol: TCP, port: http }]
  - from: [{ namespaceSelector: { matchLabels: { team: dev } }, podSelector: { matchLabels: { role: client } } }]
    ports: [{ port: 8000, endPort: 8080 }]
  - from: [{ ipBlock: { cidr: 172.26.6.0/24, except: [172.26.6.1/32] } }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-from-prod, namespace: default }
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress:
  - from: [{ namespaceSelector: { matchExpressions: [{ key: team, operator: In, values: [prod] }] } }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: egress-only, namespace: default }
spec: { podSelector: {}, policyTypes: [Egress] }
`));
  const nginx = m.find((p) => p.pod === 'prod/nginx')!;
  assert.deepEqual(nginx.isolatedBy, ['prod/allow-clients', 'namespace prod DefaultDeny']);
  assert.deepEqual(nginx.allow, [
    // same-namespace pods labelled role=client only (not dev's tester); the named port resolved from the pod
    { policy: 'prod/allow-clients', sources: ['10.254.2.2/32'], ports: [{ protocol: 'tcp', port: 80 }] },
    { policy: 'prod/allow-clients', sources: ['10.254.2.3/32'], ports: [{ protocol: 'tcp', port: 8000, endPort: 8080 }] },
    { policy: 'prod/allow-clients', sources: ['172.26.6.0/32', '172.26.6.2/31', '172.26.6.4/30', '172.26.6.8/29', '172.26.6.16/28', '172.26.6.32/27', '172.26.6.64/26', '172.26.6.128/25'] },
  ]);
  // web: isolated by the Ingress policy, not by the Egress-only one; every pod of prod may reach it
  assert.deepEqual(m.find((p) => p.pod === 'default/web'), { pod: 'default/web', ips: ['10.254.1.3'], isolatedBy: ['default/web-from-prod'], allow: [{ policy: 'default/web-from-prod', sources: ['10.254.1.2/32', '10.254.2.2/32'] }] });
  // pods on other nodes are not this node's business
  assert.ok(!m.some((p) => p.pod === 'prod/client'));
});

test('an empty ingress rule allows everything; a rule whose peers match no pod allows nothing', () => {
  const m = buildNetpolModel(objs(`
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: open, namespace: default }
spec: { podSelector: { matchLabels: { app: web } }, ingress: [{}] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: nobody, namespace: default }
spec: { podSelector: { matchLabels: { app: web } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: ghost } } }] }] }
`));
  assert.deepEqual(m.find((p) => p.pod === 'default/web')!.allow, [{ policy: 'default/open' }]);
});

test('subtractCidrs: except blocks are cut out, blocks outside are ignored, a whole except leaves nothing', () => {
  assert.deepEqual(subtractCidrs('10.0.0.0/24', ['10.0.0.128/25']), ['10.0.0.0/25']);
  assert.deepEqual(subtractCidrs('10.0.0.0/24', ['10.0.0.0/26', '10.0.0.192/26']), ['10.0.0.64/26', '10.0.0.128/26']);
  assert.deepEqual(subtractCidrs('10.0.0.0/24', ['192.168.0.0/16']), ['10.0.0.0/24']);
  assert.deepEqual(subtractCidrs('10.0.0.7/24', ['10.0.0.0/16']), []);
  assert.deepEqual(subtractCidrs('nonsense'), []);
});

test('rendering: replies first, one jump per isolated pod, allow rules RETURN, then DROP; stale chains removed', () => {
  const m = buildNetpolModel(objs(`
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-clients, namespace: prod }
spec:
  podSelector: { matchLabels: { app: nginx } }
  ingress: [{ from: [{ podSelector: { matchLabels: { role: client } } }], ports: [{ port: 80 }] }]
`));
  const chain = podChain('prod/nginx');
  const text = renderNetpol(m, ['KLNP-INGRESS', 'KLNP-POD-OLD']);
  assert.equal(text, [
    '*filter',
    ':KLNP-INGRESS - [0:0]',
    `:${chain} - [0:0]`,
    ':KLNP-POD-OLD - [0:0]',
    '-A KLNP-INGRESS -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "replies" -j RETURN',
    `-A KLNP-INGRESS -d 10.254.1.2/32 -m comment --comment "prod/nginx isolated by prod/allow-clients, namespace prod DefaultDeny" -j ${chain}`,
    `-A ${chain} -s 10.254.2.2/32 -p tcp -m tcp --dport 80 -m comment --comment "allowed by prod/allow-clients" -j RETURN`,
    `-A ${chain} -m comment --comment "prod/nginx: ingress no policy allows" -j DROP`,
    '-X KLNP-POD-OLD',
    'COMMIT',
    '',
  ].join('\n'));
  assert.ok(chain.length <= 28, 'iptables chain names are at most 28 characters');
  assert.deepEqual(netpolChainsInSave(`*filter\n:FORWARD ACCEPT [0:0]\n:KLNP-INGRESS - [0:0]\n:${chain} - [0:0]\n:KINDLAB-FIREWALL - [0:0]\n`), ['KLNP-INGRESS', chain]);
});

test('the rendered rules load into iptables (a scratch netns) and a re-render removes a stale pod chain', async () => {
  const { execFileSync } = await import('node:child_process');
  const ns = `klnp-test-${process.pid}`;
  const sh = (args: string[], input?: string) => execFileSync('ip', ['netns', 'exec', ns, ...args], { input, encoding: 'utf8' });
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const m = buildNetpolModel(objs(`
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p, namespace: default }
spec: { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] } }], ports: [{ protocol: UDP, port: 53 }, { port: 8000, endPort: 8080 }] }] }
`));
    sh(['iptables-restore', '--noflush'], renderNetpol(m));
    const saved = sh(['iptables-save', '-t', 'filter']);
    assert.match(saved, new RegExp(`-A ${podChain('default/web')} -s 10.128.0.0/9 -p tcp -m tcp --dport 8000:8080 .*-j RETURN`));
    assert.match(saved, new RegExp(`-A ${podChain('prod/nginx')} .*-j DROP`));
    sh(['iptables-restore', '--noflush'], renderNetpol(m.filter((p) => p.pod !== 'prod/nginx'), netpolChainsInSave(saved)));
    assert.deepEqual(netpolChainsInSave(sh(['iptables-save', '-t', 'filter'])), ['KLNP-INGRESS', podChain('default/web')]);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});

// A dual-stack cluster: each pod has an IPv4 and an IPv6 address (status.podIPs), one pod is IPv6 only.
const DUAL = `
apiVersion: v1
kind: Namespace
metadata: { name: default }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: default, labels: { app: web } }
spec: { nodeName: node-a, containers: [{ name: c, ports: [{ name: http, containerPort: 80 }] }] }
status: { phase: Running, podIP: 10.1.1.5, podIPs: [{ ip: 10.1.1.5 }, { ip: 'fd00:10:1:1::5' }] }
---
apiVersion: v1
kind: Pod
metadata: { name: client, namespace: default, labels: { role: client } }
spec: { nodeName: node-b, containers: [{ name: c }] }
status: { phase: Running, podIP: 10.1.2.7, podIPs: [{ ip: 10.1.2.7 }, { ip: 'fd00:10:1:2::7' }] }
---
apiVersion: v1
kind: Pod
metadata: { name: v6only, namespace: default, labels: { role: client } }
spec: { nodeName: node-b, containers: [{ name: c }] }
status: { phase: Running, podIP: 'fd00:10:1:2::9', podIPs: [{ ip: 'fd00:10:1:2::9' }] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: default }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
  - from: [{ podSelector: { matchLabels: { role: client } } }]
    ports: [{ port: http }]
  - from: [{ ipBlock: { cidr: 'fd00:99::/64', except: ['fd00:99::/66'] } }]
    ports: [{ protocol: UDP, port: 53 }]
  - from: [{ ipBlock: { cidr: 192.168.0.0/24, except: [192.168.0.0/25] } }]
`;
const dual = () => {
  const all = docs(DUAL);
  return { nodeName: 'node-a', namespaces: all.filter((o) => o.kind === 'Namespace'), pods: all.filter((o) => o.kind === 'Pod') as Pod[], policies: all.filter((o) => o.kind === 'NetworkPolicy') as NetworkPolicy[] };
};

test('subtractCidrs for IPv6: except blocks cut out, host bits cleared, other-family excepts ignored', () => {
  assert.deepEqual(subtractCidrs('fd00:10::/64', ['fd00:10::/66']), ['fd00:10:0:0:4000::/66', 'fd00:10:0:0:8000::/65']);
  assert.deepEqual(subtractCidrs('fd00:10::1/64', ['10.0.0.0/8']), ['fd00:10::/64']);
  assert.deepEqual(subtractCidrs('fd00:10::/120', ['fd00:10::80/121', 'fd00:10::/122']), ['fd00:10::40/122']);
  assert.deepEqual(subtractCidrs('fd00:10::/64', ['fd00::/16']), []);
  assert.deepEqual(subtractCidrs('fd00:::/64'), []);
  assert.deepEqual(subtractCidrs('fd00::/129'), []);
});

test('dual-stack model: every address of a source pod, both addresses of the isolated pod, ipBlocks of each family', () => {
  const [web, ...rest] = buildNetpolModel(dual());
  assert.equal(rest.length, 0);
  assert.deepEqual(web, {
    pod: 'default/web',
    ips: ['10.1.1.5', 'fd00:10:1:1::5'],
    isolatedBy: ['default/web'],
    allow: [
      { policy: 'default/web', sources: ['10.1.2.7/32', 'fd00:10:1:2::7/128', 'fd00:10:1:2::9/128'], ports: [{ protocol: 'tcp', port: 80 }] },
      { policy: 'default/web', sources: ['fd00:99:0:0:4000::/66', 'fd00:99:0:0:8000::/65'], ports: [{ protocol: 'udp', port: 53 }] },
      { policy: 'default/web', sources: ['192.168.0.128/25'] },
    ],
  });
});

test('rendering per family: ip6tables gets the IPv6 addresses and NDP; an IPv6-only allow is absent from iptables, not "any source"', () => {
  const m = buildNetpolModel(dual());
  const chain = podChain('default/web');
  const cmt = '-m comment --comment "allowed by default/web"';
  assert.equal(renderNetpol(m, [], 6), [
    '*filter',
    ':KLNP-INGRESS - [0:0]',
    `:${chain} - [0:0]`,
    '-A KLNP-INGRESS -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "replies" -j RETURN',
    ...['router-solicitation', 'router-advertisement', 'neighbour-solicitation', 'neighbour-advertisement', 'redirect'].map((t) => `-A KLNP-INGRESS -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -m comment --comment "neighbour discovery" -j RETURN`),
    `-A KLNP-INGRESS -d fd00:10:1:1::5/128 -m comment --comment "default/web isolated by default/web" -j ${chain}`,
    `-A ${chain} -s fd00:10:1:2::7/128 -p tcp -m tcp --dport 80 ${cmt} -j RETURN`,
    `-A ${chain} -s fd00:10:1:2::9/128 -p tcp -m tcp --dport 80 ${cmt} -j RETURN`,
    `-A ${chain} -s fd00:99:0:0:4000::/66 -p udp -m udp --dport 53 ${cmt} -j RETURN`,
    `-A ${chain} -s fd00:99:0:0:8000::/65 -p udp -m udp --dport 53 ${cmt} -j RETURN`,
    `-A ${chain} -m comment --comment "default/web: ingress no policy allows" -j DROP`,
    'COMMIT',
    '',
  ].join('\n'));
  const v4 = renderNetpol(m, [], 4);
  assert.deepEqual(v4.split('\n').filter((l) => l.startsWith(`-A ${chain}`)), [
    `-A ${chain} -s 10.1.2.7/32 -p tcp -m tcp --dport 80 ${cmt} -j RETURN`,
    `-A ${chain} -s 192.168.0.128/25 ${cmt} -j RETURN`,
    `-A ${chain} -m comment --comment "default/web: ingress no policy allows" -j DROP`,
  ]);
  assert.doesNotMatch(v4, /icmp6|fd00/);
  // a pod with no IPv4 address has no chain in iptables
  const v6only = [{ pod: 'default/x', ips: ['fd00::1'], isolatedBy: ['default/p'], allow: [] }];
  assert.doesNotMatch(renderNetpol(v6only, [], 4), /KLNP-POD/);
  assert.match(renderNetpol(v6only, [], 6), /-A KLNP-INGRESS -d fd00::1\/128 .*-j KLNP-POD-/);
});

test('the IPv6 rendering loads into ip6tables (a scratch netns)', async () => {
  const { execFileSync } = await import('node:child_process');
  const ns = `klnp6-test-${process.pid}`;
  const sh = (args: string[], input?: string) => execFileSync('ip', ['netns', 'exec', ns, ...args], { input, encoding: 'utf8' });
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    sh(['ip6tables-restore', '--noflush'], renderNetpol(buildNetpolModel(dual()), [], 6));
    const saved = sh(['ip6tables-save', '-t', 'filter']);
    const chain = podChain('default/web');
    assert.match(saved, new RegExp(`-A KLNP-INGRESS -d fd00:10:1:1::5/128 .*-j ${chain}`));
    assert.match(saved, new RegExp(`-A ${chain} -s fd00:99:0:0:4000::/66 -p udp -m udp --dport 53 .*-j RETURN`));
    assert.match(saved, /-A KLNP-INGRESS -p ipv6-icmp -m icmp6 --icmpv6-type 135 .*-j RETURN/);
    assert.deepEqual(netpolChainsInSave(saved), ['KLNP-INGRESS', chain]);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
