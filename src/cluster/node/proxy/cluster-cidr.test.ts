import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../../client/types.js';
import { clusterCidrFor, coveringCidr } from './cluster-cidr.js';

const node = (name: string, spec: Node['spec']): Node => ({ metadata: { name }, spec });

test('covering prefix of the Nodes pod CIDRs stays inside the kind podSubnet', () => {
  assert.equal(coveringCidr(['10.244.0.0/24']), '10.244.0.0/24');
  assert.equal(coveringCidr(['10.244.0.0/24', '10.244.1.0/24']), '10.244.0.0/23');
  assert.equal(coveringCidr(['10.48.0.0/24', '10.48.1.0/24', '10.48.2.0/24']), '10.48.0.0/22');
  assert.equal(coveringCidr(['10.1.2.0/24', '10.1.0.0/24']), '10.1.0.0/22');
  assert.equal(coveringCidr(['10.244.1.0/24', 'fd00:10:244:1::/64']), '10.244.1.0/24', 'IPv6 entries are left out');
  assert.equal(coveringCidr([]), undefined);
});

test('cluster CIDR: the flag wins, else the Nodes (podCIDRs, else podCIDR), else none', () => {
  const nodes = [node('a', { podCIDR: '10.48.0.0/24' }), node('b', { podCIDRs: ['10.48.1.0/24'] }), node('c', { podCIDR: '10.48.2.0/24' }), node('d', {})];
  assert.equal(clusterCidrFor(undefined, nodes), '10.48.0.0/22');
  assert.equal(clusterCidrFor('10.48.0.0/16', nodes), '10.48.0.0/16');
  assert.equal(clusterCidrFor(undefined, [node('d', {})]), undefined);
});
