import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSubnetCandidates, firstFreeSubnet, mgmtSubnetConflicts, overlaps4 } from './mgmt-conflicts.js';

test('overlaps4: containment both ways, adjacency is not overlap, addresses as /32', () => {
  assert.equal(overlaps4('192.0.2.0/24', '192.0.2.0/25'), true);
  assert.equal(overlaps4('192.0.2.128/25', '192.0.2.0/24'), true);
  assert.equal(overlaps4('192.0.2.0/25', '192.0.2.128/25'), false);
  assert.equal(overlaps4('172.20.20.0/24', '172.20.20.1'), true);
  assert.equal(overlaps4('172.20.20.0/24', '172.20.21.1'), false);
  assert.equal(overlaps4('10.0.0.0/8', '10.200.1.0/24'), true);
});

const host = [
  { dst: 'default', dev: 'eth0', what: 'route' as const },
  { dst: '192.0.2.0/24', dev: 'eth0', what: 'route' as const },
  { dst: '192.0.2.2', dev: 'eth0', what: 'address' as const },
  { dst: '127.0.0.1', dev: 'lo', what: 'address' as const },
  { dst: '172.20.21.0/24', dev: 'br-0123456789ab', what: 'route' as const },
];
const nets = [
  { name: 'bridge', subnets: ['172.17.0.0/16'], bridge: 'docker0' },
  { name: 'kindlab-other', subnets: ['172.20.21.0/24'], lab: 'other', bridge: 'br-0123456789ab' },
];

test("the host's LAN is refused, naming its route and address", () => {
  const c = mgmtSubnetConflicts('192.0.2.0/24', 'kindlab-x', nets, host);
  assert.deepEqual(c.map((x) => x.message), ["overlaps the host's route 192.0.2.0/24 on eth0", "overlaps the host's address 192.0.2.2 on eth0"]);
});

test("another lab's network is named once (its bridge route is not reported again)", () => {
  const c = mgmtSubnetConflicts('172.20.21.0/25', 'kindlab-x', nets, host);
  assert.equal(c.length, 1);
  assert.match(c[0]!.message, /Docker network kindlab-other \(172\.20\.21\.0\/24\), the management network of lab other/);
});

test('a free subnet and the lab\'s own network are not conflicts; the default route is ignored', () => {
  assert.deepEqual(mgmtSubnetConflicts('172.20.20.0/24', 'kindlab-x', nets, host), []);
  assert.deepEqual(mgmtSubnetConflicts('172.20.21.0/24', 'kindlab-other', nets, host), []);
  assert.equal(mgmtSubnetConflicts('172.17.5.0/24', 'kindlab-x', nets, host).length, 1);
});

test('a lab on the default subnet moves to the first /24 of 172.20.0.0/16 nothing uses', () => {
  const nets = [
    { name: 'kindlab-a', subnets: ['172.20.20.0/24'], lab: 'a' },
    { name: 'kindlab-b', subnets: ['172.20.21.0/24'], lab: 'b' },
  ];
  assert.equal(firstFreeSubnet('kindlab-c', nets, []), '172.20.22.0/24');
  assert.equal(firstFreeSubnet('kindlab-c', nets, [{ dst: '172.20.22.0/23', what: 'route', dev: 'eth9' }]), '172.20.24.0/24', 'a host route over two candidates');
  assert.equal(firstFreeSubnet('kindlab-a', nets, []), '172.20.20.0/24', 'its own network is no conflict');
  assert.equal(firstFreeSubnet('kindlab-c', [{ name: 'big', subnets: ['172.20.0.0/16'] }], []), undefined);
  assert.equal(defaultSubnetCandidates().length, 236);
});
