import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { LabPlan, NodePlan } from '../topology/types.js';
import { ansibleInventory, labState, topologyData } from './labdir.js';
import { endpointMac } from './mac.js';

function node(name: string, kind: string, over: Partial<NodePlan> = {}): NodePlan {
  return {
    name, kind, image: 'frrouting/frr:v8.2.2', exec: [], binds: [], env: {}, labels: { app: 'frr' },
    networkMode: { type: 'bridge' }, ports: [], sysctls: {}, capAdd: [], waitFor: [], extra: {},
    pos: { file: 't', line: 1, col: 1 }, containerName: `clab-demo-${name}`, dependsOn: [], netnsOwner: name, ...over,
  };
}

const plan: LabPlan = {
  name: 'demo', prefix: 'clab', file: '/x/topo.yaml', dir: '/x', labDir: '/x/lab-demo',
  mgmt: { network: 'clab', ipv4Subnet: '172.20.20.0/24', external: false },
  nodes: [node('router0', 'linux'), node('tor0', 'frr'), node('ext', 'ext-container', { containerName: 'someone' })],
  links: [
    { type: 'veth', mtu: 9500, pos: { file: 't', line: 1, col: 1 }, endpoints: [{ node: 'router0', iface: 'net0', ipv4: [], ipv6: [] }, { node: 'tor0', iface: 'net0', ipv4: [], ipv6: [], mac: '02:00:00:00:00:01' }] },
    { type: 'veth', mtu: 9500, pos: { file: 't', line: 1, col: 1 }, endpoints: [{ node: 'tor0', iface: 'net1', ipv4: [], ipv6: [] }, { node: 'ext', iface: 'eth9', ipv4: [], ipv6: [] }] },
  ],
  waves: [['router0', 'tor0', 'ext']], sections: {},
};
const info = new Map([['router0', { image: 'kindlab/base:latest', mgmtIPv4: '172.20.20.2', mgmtIPv4PrefixLength: 24 }]]);

test('topology-data.json has containerlab\'s shape', () => {
  const d = topologyData(plan, info) as any;
  assert.equal(d.name, 'demo');
  assert.equal(d.type, 'clab');
  assert.equal(d.clab.config.prefix, 'clab');
  assert.equal(d.clab.config.mgmt['ipv4-subnet'], '172.20.20.0/24');
  assert.deepEqual(Object.keys(d.nodes), ['router0', 'tor0', 'ext']);
  const r = d.nodes.router0;
  assert.equal(r.index, '0');
  assert.equal(r.longname, 'clab-demo-router0');
  assert.equal(r.fqdn, 'router0.demo.io');
  assert.equal(r['mgmt-ipv4-address'], '172.20.20.2');
  assert.equal(r['mgmt-ipv4-prefix-length'], 24);
  assert.equal(r.labdir, '/x/lab-demo/router0');
  assert.equal(r.labels.app, 'frr');
  assert.deepEqual(d.links[0], {
    a: { node: 'router0', interface: 'net0', mac: endpointMac('demo', 'router0', 'net0'), peer: 'z' },
    z: { node: 'tor0', interface: 'net0', mac: '02:00:00:00:00:01', peer: 'a' },
  });
});

test('the Ansible inventory groups hosts by kind', () => {
  const inv = parse(ansibleInventory(plan, info));
  assert.deepEqual(inv.all.children.linux.hosts, { 'clab-demo-router0': { ansible_host: '172.20.20.2' } });
  assert.deepEqual(Object.keys(inv.all.children.frr.hosts), ['clab-demo-tor0']);
});

test('state.json lists external containers whose netns holds our link ends', () => {
  const s = labState(plan, info, (n) => n.kind !== 'ext-container');
  assert.deepEqual(s.externalNetns, ['someone']);
  assert.equal(s.nodes.find((n) => n.name === 'ext')?.managed, false);
});
