import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../client/types.js';
import { ipamFileName, nodePodCidrs, pickNodeIPs } from './daemon.js';
import { gatewayOf } from './ipam.js';
import { nodeStatusPatch } from './node-status.js';
import { globalAddrs } from './podnet.js';
import { bridgeCommands, nodeSysctls, podNetworkCommands, type GatewaySpec } from './podnet-plan.js';

const dual: GatewaySpec[] = [
  { gateway: gatewayOf('10.1.1.0/24'), prefix: 24 },
  { gateway: gatewayOf('fd00:10:244:1::/64'), prefix: 64 },
];
const j = (cmds: string[][]) => cmds.map((c) => c.join(' '));

test('a dual-stack bridge gets one gateway per pod CIDR; IPv6 without DAD', () => {
  assert.deepEqual(j(bridgeCommands({ bridge: 'kl0', gateways: dual, mtu: 1500 }, { exists: false, addrs: [] })), [
    'ip link add kl0 mtu 1500 type bridge',
    'ip addr add 10.1.1.1/24 dev kl0',
    'ip addr add fd00:10:244:1::1/64 dev kl0 nodad',
    'ip link set kl0 up',
  ]);
});

test('an existing bridge keeps wanted addresses, drops others of either family, adds the missing IPv6 gateway', () => {
  const cmds = j(bridgeCommands({ bridge: 'kl0', gateways: dual, mtu: 1500 }, { exists: true, addrs: ['10.1.1.1/24', 'fd00:10:244:9::1/64'] }));
  assert.deepEqual(cmds, ['ip addr del fd00:10:244:9::1/64 dev kl0', 'ip addr add fd00:10:244:1::1/64 dev kl0 nodad', 'ip link set kl0 up']);
});

test('single-stack IPv4 bridge and pod are as before (one address, one default route)', () => {
  const g = [dual[0]!];
  assert.deepEqual(j(bridgeCommands({ bridge: 'kl0', gateways: g, mtu: 1450 }, { exists: true, addrs: ['10.1.1.1/24'] })), ['ip link set kl0 up']);
  const cmds = j(podNetworkCommands({ bridge: 'kl0', gateways: g, mtu: 1450, netns: 'pod-default-a', hostVeth: 'veth01234567', ips: ['10.1.1.2'] }));
  assert.ok(cmds.includes('ip -n pod-default-a addr add 10.1.1.2/24 dev eth0'));
  assert.equal(cmds.filter((c) => c.includes('route')).length, 1);
  assert.ok(cmds.includes('ip -n pod-default-a route add default via 10.1.1.1 dev eth0'));
});

test('a dual-stack pod gets both addresses on eth0 and a default route per family', () => {
  const cmds = j(podNetworkCommands({ bridge: 'kl0', gateways: dual, mtu: 1500, netns: 'pod-default-a', hostVeth: 'veth01234567', ips: ['10.1.1.2', 'fd00:10:244:1::2'] }));
  const at = (c: string) => cmds.indexOf(c);
  assert.ok(at('ip -n pod-default-a addr add 10.1.1.2/24 dev eth0') > 0);
  assert.ok(at('ip -n pod-default-a addr add fd00:10:244:1::2/64 dev eth0 nodad') > 0);
  assert.ok(at('ip -n pod-default-a route add default via 10.1.1.1 dev eth0') > at('ip -n pod-default-a link set eth0 up'));
  assert.ok(at('ip -n pod-default-a -6 route add default via fd00:10:244:1::1 dev eth0') > at('ip -n pod-default-a link set eth0 up'));
});

test('addresses and pod CIDRs must pair up', () => {
  assert.throws(() => podNetworkCommands({ bridge: 'kl0', gateways: dual, mtu: 1500, netns: 'pod-x', hostVeth: 'v', ips: ['10.1.1.2'] }), /1 addresses for 2 pod CIDRs/);
});

test('sysctls follow the families: IPv6 forwarding and ip6tables on bridged traffic only with an IPv6 pod CIDR', () => {
  assert.deepEqual(nodeSysctls([dual[0]!]).map(([k]) => k), ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables']);
  assert.deepEqual(nodeSysctls(dual).map(([k]) => k), ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables', 'net.ipv6.conf.all.forwarding', 'net.bridge.bridge-nf-call-ip6tables']);
  assert.deepEqual(nodeSysctls([dual[1]!]).map(([k]) => k), ['net.ipv6.conf.all.forwarding', 'net.bridge.bridge-nf-call-ip6tables']);
});

test('global addresses of both families are read from ip -j; link-local ones are ignored', () => {
  const out = JSON.stringify([{ addr_info: [
    { family: 'inet', local: '10.1.1.1', prefixlen: 24, scope: 'global' },
    { family: 'inet6', local: 'fd00:10:244:1::1', prefixlen: 64, scope: 'global' },
    { family: 'inet6', local: 'fe80::1', prefixlen: 64, scope: 'link' },
  ] }]);
  assert.deepEqual(globalAddrs(out), ['10.1.1.1/24', 'fd00:10:244:1::1/64']);
});

test('node pod CIDRs, IPAM files and node addresses per family', () => {
  const node: Node = { metadata: { name: 'worker' }, spec: { podCIDR: '10.1.1.0/24', podCIDRs: ['10.1.1.0/24', 'fd00:10:244:1::/64'] }, status: { addresses: [{ type: 'InternalIP', address: '10.0.2.2' }, { type: 'InternalIP', address: 'fd00:10:0:2::2' }, { type: 'Hostname', address: 'worker' }] } };
  assert.deepEqual(nodePodCidrs(node), ['10.1.1.0/24', 'fd00:10:244:1::/64']);
  assert.deepEqual(nodePodCidrs({ metadata: { name: 'w' }, spec: { podCIDR: '10.1.1.0/24' } }), ['10.1.1.0/24']);
  assert.deepEqual(['10.1.1.0/24', 'fd00:10:244:1::/64'].map(ipamFileName), ['ipam.json', 'ipam-ipv6.json']);
  assert.deepEqual(pickNodeIPs(node, undefined), ['10.0.2.2', 'fd00:10:0:2::2']);
  assert.deepEqual(pickNodeIPs(node, '10.0.2.2, fd00:10:0:2::2'), ['10.0.2.2', 'fd00:10:0:2::2']);
  const patch = nodeStatusPatch({ nodeName: 'worker', nodeIPs: ['10.0.2.2', 'fd00:10:0:2::2'], now: 'T', ready: true });
  assert.deepEqual(patch.status.addresses, [{ type: 'InternalIP', address: '10.0.2.2' }, { type: 'InternalIP', address: 'fd00:10:0:2::2' }, { type: 'Hostname', address: 'worker' }]);
});
