import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError, formatIssue } from '../errors.js';
import { parseTopology, planLab } from './index.js';
import { parseEngine } from './hosts.js';
import { placeNodes } from './placement.js';

function problems(text: string): string[] {
  try {
    planLab(parseTopology(text, { file: 'topo.yaml', env: {} }));
  } catch (e) {
    if (e instanceof TopologyError) return e.issues.map(formatIssue);
    throw e;
  }
  assert.fail('expected the topology to be rejected');
}

const HOSTS = `name: mh
hosts:
  a: { engine: unix:///run/a.sock, underlay: 10.250.0.1 }
  b: { engine: ssh://lab@b.example:2222, underlay: 10.250.0.2 }
`;

describe('hosts: section', () => {
  it('parses the engines Docker users write', () => {
    assert.deepEqual(parseEngine('unix:///var/run/docker.sock'), { type: 'unix', path: '/var/run/docker.sock' });
    assert.deepEqual(parseEngine('tcp://10.0.0.2:2376'), { type: 'tcp', host: '10.0.0.2', port: 2376 });
    assert.deepEqual(parseEngine('ssh://me@box'), { type: 'ssh', host: 'box', user: 'me' });
    assert.deepEqual(parseEngine('tcp://box'), { type: 'tcp', host: 'box' });
    assert.deepEqual(parseEngine('ssh://[2001:db8::2]:2200'), { type: 'ssh', host: '2001:db8::2', port: 2200 });
    assert.deepEqual(parseEngine('lab-b'), { type: 'context', name: 'lab-b' });
    assert.match(parseEngine('http://x') as string, /unknown scheme http/);
    assert.match(parseEngine('unix://rel.sock') as string, /absolute/);
    assert.match(parseEngine('tcp://u@h') as string, /expected tcp:\/\/HOST/);
  });

  it('tls: cert-path names a directory with docker\'s file names (ca.pem, cert.pem, key.pem); a file given by itself wins', () => {
    const plan = planLab(parseTopology(`name: mh
hosts:
  a: { engine: unix:///run/a.sock, underlay: 10.250.0.1 }
  b: { engine: tcp://b.example, underlay: 10.250.0.2, tls: { cert-path: /labs/certs/b, ca: /etc/lab/ca.pem } }
topology:
  nodes:
    r1: { kind: linux, image: kindlab/base }
`, { file: '/labs/topo.yaml', env: {} }));
    assert.deepEqual(plan.hosts?.[1]?.tls, { ca: '/etc/lab/ca.pem', cert: '/labs/certs/b/cert.pem', key: '/labs/certs/b/key.pem' });
    assert.deepEqual(plan.hosts?.[1]?.engine, { type: 'tcp', host: 'b.example' });
  });

  it('places pinned nodes, keeps a group (rack) together, spreads the rest by count', () => {
    const plan = planLab(parseTopology(`${HOSTS}topology:
  defaults: { kind: linux, image: kindlab/base }
  groups:
    rack0: { host: a }
    rack1: {}
  nodes:
    r0: { group: rack0 }
    r1: { group: rack0 }
    s0: { group: rack1 }
    s1: { group: rack1 }
    s2: { group: rack1 }
    x: {}
    y: { host: b }
    side: { network-mode: "container:x" }
`, { file: 'topo.yaml', env: {} }));
    const at = Object.fromEntries(plan.nodes.map((n) => [n.name, n.host]));
    // rack1 (3 nodes, biggest unplaced unit) goes to b (1 node so far) rather than a (2)
    assert.deepEqual(at, { r0: 'a', r1: 'a', s0: 'b', s1: 'b', s2: 'b', x: 'a', y: 'b', side: 'a' });
    assert.deepEqual(plan.hosts?.map((h) => [h.name, h.underlay]), [['a', '10.250.0.1'], ['b', '10.250.0.2']]);
  });

  it('an IPv6 management subnet over several hosts is refused at its key (only IPv4 is split per engine)', () => {
    const text = `${HOSTS}mgmt: { ipv6-subnet: "fd00:1::/64" }
topology:
  nodes:
    n1: { kind: linux, image: kindlab/base, host: a }
    n2: { kind: linux, image: kindlab/base, host: b }
`;
    assert.deepEqual(problems(text), ['topo.yaml:5:9 mgmt.ipv6-subnet: a lab spanning several hosts has an IPv4-only management network (its IPv6 subnet cannot be split per engine yet); remove mgmt.ipv6-subnet']);
  });

  it('placement alone: spreads ungrouped nodes evenly in file order', () => {
    const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'].map((name) => ({ name, netnsOwner: name }));
    const at = placeNodes(nodes, [{ name: 'a' }, { name: 'b' }]);
    assert.deepEqual([...at.values()], ['a', 'b', 'a', 'b', 'a']);
  });

  it('a pinned netns sharer pins its owner: cluster nodes split by their servers, the unpinned member with the first pinned', () => {
    const node = (name: string, extra: object = {}) => ({ name, netnsOwner: name, cluster: true, ...extra });
    const nodes = [
      node('control-plane'),
      node('worker'),
      node('worker2'),
      node('worker3'),
      { name: 'server0', netnsOwner: 'control-plane', host: 'a' },
      { name: 'server2', netnsOwner: 'worker2', host: 'b' },
      { name: 'server3', netnsOwner: 'worker3', host: 'b' },
    ];
    const at = Object.fromEntries(placeNodes(nodes, [{ name: 'a' }, { name: 'b' }]));
    assert.deepEqual(at, { 'control-plane': 'a', worker: 'a', worker2: 'b', worker3: 'b', server0: 'a', server2: 'b', server3: 'b' });
  });

  it('refuses an unknown host, a missing underlay, a bad address and a duplicate engine with positions', () => {
    const got = problems(`name: mh
hosts:
  a: { engine: unix:///run/a.sock, underlay: 10.250.0.1 }
  b: { engine: unix:///run/a.sock }
  c: { engine: tcp://c:2376, underlay: not-an-ip }
  d: { engine: lab-d, underlay: 10.250.0.1 }
topology:
  nodes:
    r1: { kind: linux, image: kindlab/base, host: z }
`);
    assert.deepEqual(got, [
      'topo.yaml:4:3 hosts.b: host "b" has no underlay address (the address the other hosts reach it on; cross-host links tunnel over it)',
      'topo.yaml:4:16 hosts.b.engine: engine unix:///run/a.sock is already host "a" (each host is one Docker engine)',
      'topo.yaml:5:40 hosts.c.underlay: underlay "not-an-ip" is not an IP address',
      'topo.yaml:6:33 hosts.d.underlay: underlay 10.250.0.1 is already host "a"\'s',
      'topo.yaml:9:51 topology.nodes.r1.host: host "z" is not defined (did you mean "a"?) (hosts: a, b, c, d)',
    ]);
  });

  it('refuses host: without a hosts section, and a netns sharer pinned away from its owner', () => {
    assert.deepEqual(problems(`name: mh
topology:
  nodes:
    r1: { kind: linux, image: kindlab/base, host: a }
`), ['topo.yaml:4:51 topology.nodes.r1.host: host "a": the topology has no hosts section (name the Docker engines under hosts:)']);
    const got = problems(`${HOSTS}topology:
  defaults: { kind: linux, image: kindlab/base }
  nodes:
    x: { host: a }
    side: { network-mode: "container:x", host: b }
`);
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^topo\.yaml:9:48 topology\.nodes\.side\.host: node "side" shares the network namespace of "x", which runs on host "a": it cannot run on "b"$/);
  });

  it('the schema refuses unknown keys in a host', () => {
    const got = problems(`name: mh
hosts:
  a: { engine: unix:///run/a.sock, underlay: 10.250.0.1, port: 3 }
topology:
  nodes:
    r1: { kind: linux, image: kindlab/base }
`);
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^topo\.yaml:3:\d+ hosts\.a/);
  });
});
