import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError, formatIssue } from '../errors.js';
import { loadTopology, parseTopology } from './index.js';
import type { NodeSpec, TopologySpec } from './types.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/topology/', import.meta.url));
const node = (t: TopologySpec, name: string): NodeSpec => t.nodes.find((n) => n.name === name)!;

function problems(text: string): string[] {
  try {
    parseTopology(text, { file: 'topo.yaml', env: {} });
  } catch (e) {
    if (e instanceof TopologyError) return e.issues.map(formatIssue);
    throw e;
  }
  assert.fail('expected the topology to be rejected');
}

describe('inheritance: defaults < kinds < groups < node', () => {
  it('resolves scalars, merges maps, appends exec, unions cap-add, merges binds by target', async () => {
    const t = await loadTopology(join(fixtures, 'valid-inheritance.yaml'), { env: {} });
    const s = node(t, 'spine1');
    assert.equal(s.kind, 'frr');
    assert.equal(s.group, 'spines');
    assert.equal(s.image, 'frrouting/frr:v8.2.2');
    assert.deepEqual(s.exec, ['echo defaults', 'echo kind', 'echo group', 'echo node']);
    assert.deepEqual(s.env, { LEVEL: 'group', A: '1', B: '2', C: '3' });
    assert.deepEqual(s.labels, { team: 'net' });
    assert.deepEqual(s.capAdd, ['NET_ADMIN', 'SYS_ADMIN']);
    assert.deepEqual(s.binds, [
      { source: '/etc/hosts', target: '/shared', readOnly: false },
      { source: join(fixtures, 'configs/r1.conf'), target: '/etc/frr/frr.conf', readOnly: false },
    ]);
    assert.deepEqual(s.extra.bgp, { asn: 65000, timers: { keepalive: 3, hold: 30 }, routerId: '10.0.0.1' });
    assert.equal(s.startupConfig, join(fixtures, 'configs/r1.conf'));
    assert.equal(s.cmd, undefined);
  });
  it('linux nodes get the kind-level cmd split like a shell, ports and sysctls parsed', async () => {
    const t = await loadTopology(join(fixtures, 'valid-inheritance.yaml'), { env: {} });
    const h = node(t, 'host1');
    assert.equal(h.kind, 'linux');
    assert.equal(h.image, 'alpine:3.19');
    assert.deepEqual(h.cmd, ['sh', '-c', 'sleep infinity']);
    assert.deepEqual(h.exec, ['echo defaults']);
    assert.equal(h.user, '0');
    assert.deepEqual(h.sysctls, { 'net.ipv4.ip_forward': '1' });
    assert.deepEqual(h.ports.map((p) => `${p.hostIp}|${p.hostPort}|${p.containerPort}|${p.protocol}`), ['127.0.0.1|8080|80|tcp', '0.0.0.0|5353|53|udp', '::1|9090|90|tcp', '127.0.0.1|0|443|tcp']);
  });
  it('an error in an inherited value points into the layer that set it', () => {
    const got = problems('name: x\ntopology:\n  groups:\n    g:\n      kind: linux\n      image: alpine\n      mgmt-ipv4: 172.20.20.9\n  nodes:\n    a: {group: g}\n    b: {group: g}\n');
    assert.deepEqual(got, ['topo.yaml:7:18 topology.groups.g.mgmt-ipv4: mgmt-ipv4 172.20.20.9 is already used by topology.groups.g.mgmt-ipv4']);
  });
});

describe('links', () => {
  it('brief links become extended veth links with the default MTU 9500', () => {
    const t = parseTopology('name: x\ntopology:\n  nodes:\n    a: {kind: linux, image: i}\n    b: {kind: linux, image: i}\n  links:\n    - endpoints: ["a:eth1", "b:e1"]\n', { env: {} });
    assert.deepEqual(t.links[0]!.endpoints, [
      { node: 'a', iface: 'eth1', ipv4: [], ipv6: [] },
      { node: 'b', iface: 'e1', ipv4: [], ipv6: [] },
    ]);
    assert.equal(t.links[0]!.mtu, 9500);
    assert.equal(t.links[0]!.pos.line, 7);
    const l = t.links[0]!;
    assert.equal(l.type, 'veth');
    assert.deepEqual(l.type === 'veth' && l.endpointPos!.map((p) => p.col), [19, 29]);
  });
  it('extended links keep MACs, address lists and MTU; brief link-level addresses go to each end', async () => {
    const t = await loadTopology(join(fixtures, 'valid-extended-links.yaml'), { env: {} });
    const [l0, l1] = t.links;
    assert.equal(l0!.mtu, 1500);
    assert.deepEqual(l0!.endpoints[0], { node: 'r1', iface: 'eth1', mac: '02:00:00:00:01:01', ipv4: ['10.0.12.0/31'], ipv6: ['2001:db8:12::0/127', 'fd00::1/64'] });
    assert.deepEqual(l1!.endpoints.map((e) => e.ipv4), [['10.0.23.0/31'], ['10.0.23.1/31']]);
  });
  it('collects every problem before failing, in file order', () => {
    const got = problems(
      'name: x\ntopology:\n  nodes:\n    leaf1: {kind: linux, image: i}\n    leaf2: {kind: linux, image: i}\n    spine1: {kind: linux, image: i}\n  links:\n    - endpoints: ["leaf1:eth1", "spine1:eth1"]\n    - endpoints: ["leaf2:eth1", "spine1:eth2"]\n    - endpoints: ["leaf3:eth1", "spine1:eth3"]\n    - endpoints: ["leaf2:eth1", "spine1:this-name-is-too-long"]\n',
    );
    assert.deepEqual(got, [
      'topo.yaml:10:19 topology.links[2].endpoints[0]: node "leaf3" is not defined (nodes: leaf1, leaf2, spine1)',
      'topo.yaml:11:19 topology.links[3].endpoints[0]: interface "eth1" of node "leaf2" is already used by topology.links[1].endpoints[0] (line 9)',
      'topo.yaml:11:33 topology.links[3].endpoints[1]: interface name "this-name-is-too-long" is 21 characters long; Linux allows at most 15',
    ]);
  });
  it('nodes sharing a netns cannot both use the same interface name', () => {
    const got = problems('name: x\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes:\n    a: {}\n    b: {network-mode: "container:a"}\n    c: {}\n    d: {}\n  links:\n    - endpoints: ["a:eth1", "c:eth1"]\n    - endpoints: ["b:eth1", "d:eth1"]\n');
    assert.equal(got.length, 1);
    assert.match(got[0]!, /^topo\.yaml:11:19 .*interface "eth1" of node "b" is already used .*shares the network namespace of "a"/);
  });
});

describe('network modes, mgmt and sections', () => {
  it('the default mgmt subnet is movable only when the topology chose no subnet, network, range, gateway or node address', () => {
    const mk = (extra: string, node = '{kind: linux, image: alpine}') => parseTopology(`name: x\n${extra}topology:\n  nodes:\n    n1: ${node}\n`, { env: {} }).mgmt;
    assert.deepEqual([mk('').ipv4Subnet, mk('').defaultSubnet], ['172.20.20.0/24', true]);
    assert.equal(mk('mgmt: {ipv4-subnet: 172.20.20.0/24}\n').defaultSubnet, false);
    assert.equal(mk('mgmt: {network: clab}\n').defaultSubnet, false);
    assert.equal(mk('', '{kind: linux, image: alpine, mgmt-ipv4: 172.20.20.9}').defaultSubnet, false);
    const moved = parseTopology('name: x\ntopology:\n  nodes:\n    n1: {kind: linux, image: alpine}\n', { env: {}, defaultMgmtSubnet: '172.20.23.0/24' }).mgmt;
    assert.deepEqual([moved.ipv4Subnet, moved.ipv4Gateway, moved.defaultSubnet], ['172.20.23.0/24', '172.20.23.1', true]);
  });

  it('container:<node> stays a node reference, anything else is an external container', async () => {
    const t = await loadTopology(join(fixtures, 'valid-network-mode.yaml'), { env: {} });
    assert.deepEqual(node(t, 'side1').networkMode, { type: 'container', node: 'base' });
    assert.deepEqual(node(t, 'ext').networkMode, { type: 'container', container: 'kind-control-plane' });
    assert.deepEqual(node(t, 'hostnet').networkMode, { type: 'host' });
    assert.deepEqual(node(t, 'isolated').networkMode, { type: 'none' });
    assert.deepEqual(t.mgmt, { network: 'custom-mgmt', ipv4Subnet: '10.200.0.0/28', ipv4Gateway: '10.200.0.1', ipv6Subnet: 'fd00:200::/64', external: true, defaultSubnet: false, pos: t.mgmt.pos });
    assert.equal(t.prefix, '');
  });
  it('defaults: network kindlab-<lab>, 172.20.20.0/24, gateway .1, internal, prefix clab', () => {
    const t = parseTopology('name: demo\ntopology:\n  nodes:\n    a: {kind: linux, image: i}\n', { env: {} });
    assert.equal(t.mgmt.network, 'kindlab-demo');
    assert.equal(t.mgmt.ipv4Subnet, '172.20.20.0/24');
    assert.equal(t.mgmt.ipv4Gateway, '172.20.20.1');
    assert.equal(t.mgmt.external, false);
    assert.equal(t.prefix, 'clab');
  });
  it('keeps cluster, manifests, verify, stages and images verbatim', async () => {
    const t = await loadTopology(join(fixtures, 'valid-sections.yaml'), { env: {} });
    assert.deepEqual(Object.keys(t.sections).sort(), ['cluster', 'images', 'manifests', 'stages', 'verify']);
    assert.deepEqual(t.sections.images, { 'frrouting/frr:v8.2.2': 'kindlab/base:latest' });
    assert.deepEqual((t.sections.cluster as { networking: unknown }).networking, { podSubnet: '10.1.0.0/16' });
  });
  it('variables fill the lab name, image and typed values', async () => {
    const t = await loadTopology(join(fixtures, 'valid-vars.yaml'), { env: { FRR_IMAGE: 'frr:local' } });
    assert.equal(t.name, 'vars-lab');
    assert.equal(t.nodes[0]!.image, 'frr:local');
    assert.deepEqual(t.nodes[0]!.exec, ['echo vars-lab', "sh -c 'echo $HOME ${NOT_A_VAR}'"]);
    assert.equal(t.links[0]!.mtu, 1500);
  });
});

describe('image-pull-policy (containerlab key) and images: { offline }', () => {
  it('reads the policy per node, inherited from kinds, in any case; absent means the default', () => {
    const t = parseTopology(
      [
        'name: p',
        'images: { offline: true, "wbitt/*": kindlab/base:latest }',
        'topology:',
        '  kinds: { linux: { image-pull-policy: Never } }',
        '  nodes:',
        '    a: { kind: linux, image: x:1 }',
        '    b: { kind: linux, image: x:1, image-pull-policy: always }',
        '    c: { kind: frr, image: frrouting/frr:v8.2.2 }',
      ].join('\n'),
      { file: 'topo.yaml', env: {} },
    );
    assert.equal(node(t, 'a').imagePullPolicy, 'Never');
    assert.equal(node(t, 'b').imagePullPolicy, 'Always');
    assert.equal(node(t, 'c').imagePullPolicy, undefined);
  });

  it('rejects an unknown policy at its line', () => {
    const p = problems(['name: p', 'topology:', '  nodes:', '    a: { kind: linux, image: x:1, image-pull-policy: Sometimes }'].join('\n'));
    assert.ok(p.some((l) => /topo\.yaml:4:\d+/.test(l) && /image-pull-policy/.test(l)), p.join('\n'));
  });
});
