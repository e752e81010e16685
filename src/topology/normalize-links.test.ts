import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError, formatIssue } from '../errors.js';
import { loadTopology, parseTopology } from './index.js';
import type { LinkSpec, TopologySpec } from './types.js';
import { checkRemote } from './link-checks.js';

const fixtures = fileURLToPath(new URL('../../test/fixtures/topology/', import.meta.url));
const HEAD = 'name: x\ntopology:\n  defaults: {kind: linux, image: i}\n  nodes:\n    a: {}\n    b: {}\n  links:\n';

function links(body: string): LinkSpec[] {
  return parseTopology(HEAD + body, { file: 'topo.yaml', env: {} }).links;
}

function problems(body: string): string[] {
  try {
    parseTopology(HEAD + body, { file: 'topo.yaml', env: {} });
  } catch (e) {
    if (e instanceof TopologyError) return e.issues.map(formatIssue);
    throw e;
  }
  assert.fail('expected the topology to be rejected');
}

const strip = (l: LinkSpec) => {
  const { pos: _pos, ...rest } = l as LinkSpec & { endpointPos?: unknown };
  delete (rest as { endpointPos?: unknown }).endpointPos;
  return rest;
};
const ep = (node: string, iface: string, more: object = {}) => ({ node, iface, ipv4: [], ipv6: [], ...more });

describe('containerlab link forms: brief', () => {
  it('host:<iface> is a host link in either position, with the brief addresses of each end', () => {
    const [l0, l1] = links('    - endpoints: ["a:eth1", "host:kl-a1"]\n      ipv4: [10.9.0.2/30, 10.9.0.1/30]\n    - endpoints: ["host:kl-b1", "b:eth1"]\n');
    assert.deepEqual(strip(l0!), { type: 'host', endpoints: [ep('a', 'eth1', { ipv4: ['10.9.0.2/30'] })], host: { iface: 'kl-a1', ipv4: ['10.9.0.1/30'], ipv6: [] }, mtu: 9500 });
    assert.deepEqual(strip(l1!), { type: 'host', endpoints: [ep('b', 'eth1')], host: { iface: 'kl-b1', ipv4: [], ipv6: [] }, mtu: 9500 });
    assert.equal(l1!.pos.line, 10);
  });

  it('mgmt-net:<iface> and macvlan:<parent> (mode bridge, MTU left to the parent)', () => {
    const [m, v] = links('    - endpoints: ["a:eth1", "mgmt-net:kl-a1"]\n      mtu: 1500\n    - endpoints: ["b:eth1", "macvlan:ens3"]\n');
    assert.deepEqual(strip(m!), { type: 'mgmt-net', endpoints: [ep('a', 'eth1')], host: { iface: 'kl-a1', ipv4: [], ipv6: [] }, mtu: 1500 });
    assert.deepEqual(strip(v!), { type: 'macvlan', endpoints: [ep('b', 'eth1')], parent: 'ens3', mode: 'bridge' });
  });

  it('link vars and endpoint vars are kept', () => {
    const [l] = links('    - endpoints: ["a:eth1", "b:eth1"]\n      vars: {foo: bar, n: [1, 2]}\n');
    assert.deepEqual(l!.vars, { foo: 'bar', n: [1, 2] });
  });

  it('refuses two special ends, addresses on a mgmt-net or macvlan end, a clashing host name, at the value', () => {
    assert.deepEqual(
      problems(
        '    - endpoints: ["host:kl-1", "mgmt-net:kl-2"]\n' +
          '    - endpoints: ["a:eth1", "mgmt-net:kl-3"]\n      ipv4: [10.0.0.1/24, 10.0.0.2/24]\n' +
          '    - endpoints: ["a:eth2", "host:kl-3"]\n' +
          '    - endpoints: ["b:eth2", "macvlan:this-parent-is-too-long"]\n',
      ),
      [
        'topo.yaml:8:32 topology.links[0].endpoints[1]: both endpoints are special ("host" and "mgmt-net"); one end must be a node',
        'topo.yaml:10:27 topology.links[1].ipv4[1]: the mgmt-net end takes no address (it is a port of the management bridge); set ipv4 on the node\'s end only',
        'topo.yaml:11:29 topology.links[2].endpoints[1]: host interface "kl-3" is already created by topology.links[1].endpoints[1] (line 9)',
        'topo.yaml:12:29 topology.links[3].endpoints[1]: interface name "this-parent-is-too-long" is 23 characters long; Linux allows at most 15',
      ],
    );
  });
});

describe('containerlab link forms: extended', () => {
  it('every single-endpoint type and a veth end on node "host" load from one fixture', async () => {
    const t: TopologySpec = await loadTopology(join(fixtures, 'valid-clab-links.yaml'), { env: {} });
    assert.deepEqual(
      t.links.map((l) => l.type),
      ['veth', 'host', 'mgmt-net', 'macvlan', 'host', 'mgmt-net', 'macvlan', 'dummy', 'vxlan', 'vxlan-stitch', 'host'],
    );
    assert.deepEqual(strip(t.links[4]!), { type: 'host', endpoints: [ep('b', 'eth3', { mac: '02:00:00:00:0b:03', vars: { x: 1 } })], host: { iface: 'kl-b-eth3', ipv4: [], ipv6: [] }, mtu: 1500 });
    assert.deepEqual(strip(t.links[6]!), { type: 'macvlan', endpoints: [ep('b', 'eth5')], parent: 'kl-parent0', mode: 'vepa' });
    assert.deepEqual(strip(t.links[7]!), { type: 'dummy', endpoints: [ep('a', 'dummy0')], mtu: 1400 });
    assert.deepEqual(strip(t.links[8]!), { type: 'vxlan', endpoints: [ep('a', 'vx0', { mac: '02:00:00:00:0a:10' })], remote: '192.0.2.10', vni: 100, dstPort: 14790 });
    // udp-port is containerlab's old name of dst-port; parent-interface and labels are kept
    assert.deepEqual(strip(t.links[9]!), { type: 'vxlan-stitch', endpoints: [ep('b', 'vx1')], remote: 'vtep.example.net', vni: 101, dstPort: 14791, parent: 'eth0', labels: { team: 'net' } });
    assert.deepEqual(strip(t.links[10]!), { type: 'host', endpoints: [ep('a', 'eth6')], host: { iface: 'kl-a-eth6', ipv4: [], ipv6: [] }, mtu: 9500 });
  });

  it('vxlan defaults to containerlab\'s port 14789 and the kernel\'s MTU', () => {
    const [l] = links('    - type: vxlan\n      endpoint: {node: a, interface: vx0}\n      remote: 2001:db8::1\n      vni: 7\n');
    assert.deepEqual(strip(l!), { type: 'vxlan', endpoints: [ep('a', 'vx0')], remote: '2001:db8::1', vni: 7, dstPort: 14789 });
  });

  it('each type takes only its own keys, and its required ones, named with the key at fault', () => {
    assert.deepEqual(
      problems(
        '    - type: host\n      endpoint: {node: a, interface: eth1}\n      host-interface: kl-a1\n      vni: 3\n' +
          '    - type: dummy\n      endpoints: ["a:eth2", "b:eth2"]\n' +
          '    - type: vxlan\n      endpoint: {node: a, interface: vx0}\n      remote: 192.0.2.1\n' +
          '    - type: macvlan\n      endpoint: {node: b, interface: eth3}\n      host-interface: ens3\n      mode: bridged\n' +
          '    - type: vlan\n      endpoint: {node: b, interface: eth4}\n',
      ),
      [
        'topo.yaml:11:7 topology.links[0].vni: unknown key "vni" (allowed keys: type, mtu, vars, labels, endpoint, host-interface)',
        'topo.yaml:12:7 topology.links[1]: missing required key "endpoint"',
        'topo.yaml:13:7 topology.links[1].endpoints: unknown key "endpoints" (did you mean "endpoint"?)',
        'topo.yaml:14:7 topology.links[2]: missing required key "vni"',
        'topo.yaml:20:13 topology.links[3].mode: unknown macvlan mode "bridged" (did you mean "bridge"?) (known: bridge, vepa, passthru, private, source)',
        'topo.yaml:21:13 topology.links[4].type: unknown link type "vlan" (did you mean "vxlan"?) (known: veth, host, mgmt-net, macvlan, dummy, vxlan, vxlan-stitch)',
      ],
    );
  });

  it('refuses an undefined node, a bad remote, a reused node interface and conflicting port keys', () => {
    assert.deepEqual(
      problems(
        '    - type: dummy\n      endpoint: {node: c, interface: d0}\n' +
          '    - type: vxlan-stitch\n      endpoint: {node: a, interface: eth1}\n      remote: 300.1.1.1\n      vni: 9\n' +
          '    - type: vxlan\n      endpoint: {node: a, interface: eth1}\n      remote: 224.0.0.5\n      vni: 9\n      dst-port: 4789\n      udp-port: 4790\n',
      ),
      [
        'topo.yaml:9:24 topology.links[0].endpoint.node: node "c" is not defined (did you mean "a"?) (nodes: a, b)',
        'topo.yaml:12:15 topology.links[1].remote: remote "300.1.1.1" is not an IPv4 address',
        'topo.yaml:15:38 topology.links[2].endpoint.interface: interface "eth1" of node "a" is already used by topology.links[1].endpoint (line 11)',
        'topo.yaml:16:15 topology.links[2].remote: remote "224.0.0.5" must be a unicast address (the VTEP at the other end)',
        'topo.yaml:19:7 topology.links[2].udp-port: udp-port (4790) is the old name of dst-port (4789); give one of them',
      ],
    );
  });
});

describe('checkRemote', () => {
  it('takes unicast addresses of both families and host names', () => {
    for (const ok of ['192.0.2.1', '2001:db8::2', 'vtep-1.example.net', 'localhost']) assert.equal(checkRemote(ok), undefined, ok);
    for (const bad of ['0.0.0.0', '1.2.3', 'a_b', '2001:db8::g']) assert.ok(checkRemote(bad), bad);
  });
});
