import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DummyLinkSpec, HostLinkSpec, MacvlanLinkSpec, VxlanLinkSpec } from '../topology/types.js';
import { topologyDataLink } from './labdir.js';
import { LINK_MARK_PREFIX } from './labels.js';
import { endpointMac } from './mac.js';
import { hostIfaceName, hostIfaces, hostVethArgs, parkedPeerName, parkingNetns, specialLinkTitle, specialMark, vxlanArgs } from './special-links.js';

const pos = { file: 't', line: 1, col: 1 };
const ep = (node: string, iface: string) => ({ node, iface, ipv4: [], ipv6: [] });
const host: HostLinkSpec = { type: 'host', endpoints: [ep('n1', 'eth1')], host: { iface: 'veth-n1', ipv4: ['192.0.2.1/30'], ipv6: [] }, mtu: 9500, pos, vars: { a: 1 } };
const stitch: VxlanLinkSpec = { type: 'vxlan-stitch', endpoints: [ep('n2', 'eth2')], remote: '192.0.2.9', vni: 200, dstPort: 14802, pos };
const longStitch: VxlanLinkSpec = { ...stitch, endpoints: [ep('some_very_long_node_name', 'e1-1')] };
const dummy: DummyLinkSpec = { type: 'dummy', endpoints: [ep('n2', 'dummy0')], mtu: 1400, pos };
const macvlan: MacvlanLinkSpec = { type: 'macvlan', endpoints: [ep('n2', 'eth1')], parent: 'ens3', mode: 'bridge', pos };

test('host-side names are containerlab\'s vx-/ve-<node>_<iface>, hashed to fit 15 characters', () => {
  assert.deepEqual(hostIfaces(stitch), ['vx-n2_eth2', 've-n2_eth2']);
  const [vx, ve] = hostIfaces(longStitch);
  assert.match(vx!, /^vx-[0-9a-f]{10}$/);
  assert.match(ve!, /^ve-[0-9a-f]{10}$/);
  assert.equal(hostIfaceName('vx-', longStitch.endpoints[0]), vx, 'stable');
  assert.deepEqual(hostIfaces(host), ['veth-n1']);
  assert.deepEqual(hostIfaces(dummy), [], 'a dummy creates nothing in the host namespace');
  assert.ok(parkedPeerName(dummy.endpoints[0]).length <= 15);
  assert.equal(parkingNetns('lab1'), 'kindlab-lab1-park', 'swept by destroy as kindlab-<lab>-*');
});

test('every link carries the lab mark naming its node end and far end', () => {
  assert.equal(specialMark('lab1', host), `${LINK_MARK_PREFIX}lab1:n1:eth1--host:veth-n1`);
  assert.equal(specialMark('lab1', macvlan), `${LINK_MARK_PREFIX}lab1:n2:eth1--macvlan:ens3`);
  assert.equal(specialMark('lab1', stitch), `${LINK_MARK_PREFIX}lab1:n2:eth2--vxlan-stitch:192.0.2.9/200`);
  assert.equal(specialLinkTitle(dummy), 'n2:dummy0 <-> dummy');
});

test('a host veth is made in one call: the host end by name, the node end straight into the node', () => {
  assert.deepEqual(hostVethArgs('veth-n1', '02:00:00:00:00:01', host.endpoints[0], '02:00:00:00:00:02', 4242, 1500), [
    'link', 'add', 'name', 'veth-n1', 'mtu', '1500', 'address', '02:00:00:00:00:01',
    'type', 'veth', 'peer', 'name', 'eth1', 'netns', '4242', 'mtu', '1500', 'address', '02:00:00:00:00:02',
  ]);
});

test('vxlan argv: id, remote, dstport, the underlay dev; MTU, MAC, netns and source port only when given', () => {
  assert.deepEqual(vxlanArgs('vx-n2_eth2', stitch, '192.0.2.9', 'eth0', {}), [
    'link', 'add', 'name', 'vx-n2_eth2', 'type', 'vxlan', 'id', '200', 'remote', '192.0.2.9', 'dstport', '14802', 'dev', 'eth0',
  ]);
  const full: VxlanLinkSpec = { ...stitch, type: 'vxlan', mtu: 1400, srcPort: 5000 };
  assert.deepEqual(vxlanArgs('vx0', full, '192.0.2.9', 'br-1', { pid: 7, mac: '02:00:00:00:00:03' }), [
    'link', 'add', 'name', 'vx0', 'netns', '7', 'mtu', '1400', 'address', '02:00:00:00:00:03',
    'type', 'vxlan', 'id', '200', 'remote', '192.0.2.9', 'dstport', '14802', 'dev', 'br-1', 'srcport', '5000', '5001',
  ]);
});

test('topology-data: the host end as containerlab\'s "host" node, a dummy with one end, vars kept', () => {
  assert.deepEqual(topologyDataLink('lab1', host), {
    a: { node: 'n1', interface: 'eth1', mac: endpointMac('lab1', 'n1', 'eth1'), peer: 'z' },
    z: { node: 'host', interface: 'veth-n1', mac: endpointMac('lab1', 'host', 'veth-n1'), peer: 'a' },
    vars: { a: 1 },
  });
  assert.deepEqual(topologyDataLink('lab1', dummy), { a: { node: 'n2', interface: 'dummy0', mac: endpointMac('lab1', 'n2', 'dummy0'), peer: 'dummy' } });
  assert.deepEqual((topologyDataLink('lab1', stitch) as { z: unknown }).z, { node: 'host', interface: 'vx-n2_eth2', remote: '192.0.2.9', vni: 200, 'dst-port': 14802, peer: 'a' });
});
