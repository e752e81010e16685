import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedSubnets, isOnLink, selectOnLink } from './on-link.js';

// Trimmed `ip -j addr show` of a node: lo (host scope), eth0 up with a /24 and IPv6, eth1 down, a point-to-point address.
const IP_ADDR = JSON.stringify([
  { ifname: 'lo', flags: ['LOOPBACK', 'UP'], addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host' }] },
  { ifname: 'eth0', flags: ['BROADCAST', 'UP', 'LOWER_UP'], addr_info: [
    { family: 'inet', local: '10.0.1.2', prefixlen: 24, scope: 'global' },
    { family: 'inet6', local: 'fd00:1::2', prefixlen: 64, scope: 'global' },
  ] },
  { ifname: 'eth1', flags: ['BROADCAST'], addr_info: [{ family: 'inet', local: '10.9.0.2', prefixlen: 24, scope: 'global' }] },
  { ifname: 'ptp0', flags: ['POINTOPOINT', 'UP'], addr_info: [{ family: 'inet', local: '192.0.2.1', address: '192.0.2.9', prefixlen: 32, scope: 'global' }] },
]);

test('connected subnets: up interfaces, no host scope; a point-to-point address makes its peer on-link', () => {
  const s = connectedSubnets(IP_ADDR);
  assert.deepEqual(s.map((x) => `${x.dev} ${x.address}/${x.prefixLen}`), ['eth0 10.0.1.2/24', 'eth0 fd00:1::2/64', 'ptp0 192.0.2.9/32']);
  assert.equal(isOnLink('10.0.1.1', s), true);
  assert.equal(isOnLink('10.0.1.254', s), true);
  assert.equal(isOnLink('10.0.2.2', s), false, 'a node on another subnet');
  assert.equal(isOnLink('10.9.0.1', s), false, 'subnet of an interface that is down');
  assert.equal(isOnLink('127.0.0.2', s), false);
  assert.equal(isOnLink('192.0.2.9', s), true);
  assert.equal(isOnLink('192.0.2.8', s), false);
  assert.equal(isOnLink('fd00:1::ffff', s), true);
  assert.equal(isOnLink('fd00:2::1', s), false);
  assert.equal(isOnLink('not-an-ip', s), false);
});

test('selection: on-link routes installed, ECMP keeps only on-link members, off-link routes skipped (left to the peer router)', () => {
  const s = connectedSubnets(IP_ADDR);
  const wanted = new Map([
    ['10.77.0.0/24', ['10.0.1.1']],
    ['10.1.2.0/24', ['10.0.2.2']],
    ['10.1.3.0/24', ['10.0.1.3', '10.0.3.2']],
    ['fd00:77::/64', ['fd00:1::1']],
  ]);
  const r = selectOnLink(wanted, s);
  assert.deepEqual([...r.install], [['10.77.0.0/24', ['10.0.1.1']], ['10.1.3.0/24', ['10.0.1.3']], ['fd00:77::/64', ['fd00:1::1']]]);
  assert.deepEqual(r.skipped, [{ prefix: '10.1.2.0/24', nextHops: ['10.0.2.2'] }]);
  assert.deepEqual(selectOnLink(wanted, []).install.size, 0, 'no connected subnet: nothing is installed');
});
