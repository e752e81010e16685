/** The dual-stack article lab's policies (labs/cilium-bgp-dual) on a dual-stack node: an IPv4 and an IPv6 session, both pod CIDRs advertised. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import YAML from 'yaml';
import type { KubeObject } from '../../cluster/client/types.js';
import { cilium } from './cilium.js';
import { viewFromObjects } from './view.js';

const policies = YAML.parseAllDocuments(readFileSync(new URL('../../../labs/cilium-bgp-dual/cilium-bgp-peering-policies.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as KubeObject);
const node = (name: string, rack: string, v4: string, v6: string, i: number): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { rack } }, spec: { podCIDR: `10.1.${i}.0/24`, podCIDRs: [`10.1.${i}.0/24`, `fd00:10:1:${i}::/64`] }, status: { addresses: [{ type: 'InternalIP', address: v4 }, { type: 'InternalIP', address: v6 }] } }) as KubeObject;

test('dual-stack node: IPv4 and IPv6 neighbour of its rack policy; both pod CIDRs advertised', () => {
  const v = viewFromObjects([...policies, node('worker', 'rack0', '10.0.2.2', 'fd00:10:0:2::2', 1), node('worker2', 'rack1', '10.0.3.2', 'fd00:10:0:3::2', 2)]);
  const w = cilium.compute(v, 'worker', cilium.parseFlags([]));
  assert.deepEqual(w.problems, []);
  assert.equal(w.localAsn, 65010);
  assert.deepEqual(w.peers.map((p) => [p.address, p.asn, [...p.families].sort()]), [
    ['10.0.0.1', 65010, ['ipv4-unicast', 'ipv6-unicast']],
    ['fd00:10::1', 65010, ['ipv4-unicast', 'ipv6-unicast']],
  ]);
  assert.deepEqual(w.advertise.map((a) => a.prefix).sort(), ['10.1.1.0/24', 'fd00:10:1:1::/64']);
  const w2 = cilium.compute(v, 'worker2', cilium.parseFlags([]));
  assert.deepEqual(w2.peers.map((p) => p.address), ['10.0.0.2', 'fd00:10::2']);
  assert.deepEqual(w2.advertise.map((a) => a.prefix).sort(), ['10.1.2.0/24', 'fd00:10:1:2::/64']);
});
