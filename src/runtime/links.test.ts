import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VethLinkSpec } from '../topology/types.js';
import { linkMark } from './labels.js';
import { endpointConfigLines, vethAddArgs } from './links.js';
import { endpointMac } from './mac.js';

const link: VethLinkSpec = {
  type: 'veth',
  mtu: 9500,
  pos: { file: 't', line: 1, col: 1 },
  endpoints: [
    { node: 'router0', iface: 'net0', ipv4: [], ipv6: [], mac: 'aa:bb:cc:00:00:01' },
    { node: 'tor0', iface: 'net0', ipv4: ['10.0.0.1/31'], ipv6: ['2001:db8::1/64'] },
  ],
};

test('the pair is created in one call, each end already in its netns, final names, MTU and MACs', () => {
  assert.deepEqual(vethAddArgs('demo', link, 101, 202), [
    'link', 'add', 'name', 'net0', 'netns', '101', 'mtu', '9500', 'address', 'aa:bb:cc:00:00:01',
    'type', 'veth', 'peer', 'name', 'net0', 'netns', '202', 'mtu', '9500', 'address', endpointMac('demo', 'tor0', 'net0'),
  ]);
});

test('an end in the host namespace (pid 0) is created in our own netns', () => {
  assert.equal(vethAddArgs('demo', link, 0, 202)[5], String(process.pid));
});

test('each end gets the ownership mark, its addresses and is brought up, in that order', () => {
  const mark = linkMark('demo', link.endpoints[0], link.endpoints[1]);
  assert.equal(mark, 'kindlab:demo:router0:net0--tor0:net0');
  assert.deepEqual(endpointConfigLines(link.endpoints[1], mark), [
    `link set dev net0 alias ${mark}`,
    'addr replace 10.0.0.1/31 dev net0',
    'addr replace 2001:db8::1/64 dev net0',
    'link set dev net0 up',
  ]);
});

test('generated MACs are stable, locally administered and differ per endpoint', () => {
  const a = endpointMac('demo', 'r', 'eth1');
  assert.equal(a, endpointMac('demo', 'r', 'eth1'));
  assert.notEqual(a, endpointMac('demo', 'r', 'eth2'));
  assert.match(a, /^aa:c1:ab(:[0-9a-f]{2}){3}$/);
  assert.equal(parseInt(a.slice(0, 2), 16) & 2, 2);
});
