import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadPlan, type LabPlan } from '../topology/index.js';
import { linkMark } from './labels.js';
import { addrsOf, restoreLines, staticRoutesOf } from './node-record.js';
import { assessLab, describeRepair, isEmptyRepair, planRepair, type EndObservation, type LabObservation, type NodeFacts } from './node-state.js';
import { specialMark } from './special-links.js';

// two routers with a link, a host sharing r2's namespace with a link to r1
const TOPO = `name: nr
topology:
  nodes:
    r1: { kind: frr, image: kindlab/base, exec: ["ip addr add 10.0.12.1/24 dev eth1"] }
    r2: { kind: linux, image: kindlab/base, exec: ["ip addr add 10.0.12.2/24 dev eth1"] }
    h1: { kind: linux, image: kindlab/base, network-mode: "container:r2", exec: ["ip addr add 10.0.13.2/24 dev eth3"] }
    plain: { kind: linux, image: kindlab/base }
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
    - endpoints: ["r1:eth2", "h1:eth3"]
`;

// one node with a link of each single-endpoint type, another with a plain veth to it
const SPECIAL = `name: sp
topology:
  defaults: { kind: linux, image: kindlab/base }
  nodes:
    n1: {}
    n2: { exec: ["ip addr add 10.9.0.2/24 dev eth9"] }
  links:
    - endpoints: ["n1:eth1", "host:sp-h1"]
    - endpoints: ["n1:eth2", "mgmt-net:sp-m1"]
    - endpoints: ["n1:eth3", "macvlan:eth0"]
    - type: dummy
      endpoint: { node: n1, interface: dummy0 }
    - type: vxlan
      endpoint: { node: n1, interface: vx0 }
      remote: 192.0.2.1
      vni: 10
    - type: vxlan-stitch
      endpoint: { node: n1, interface: eth4 }
      remote: 192.0.2.1
      vni: 11
    - endpoints: ["n1:eth9", "n2:eth9"]
`;

let dir = '';
let plan: LabPlan;
let special: LabPlan;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kindlab-nodestate-'));
  await writeFile(join(dir, 'topo.yaml'), TOPO);
  plan = await loadPlan(join(dir, 'topo.yaml'));
  await writeFile(join(dir, 'special.yaml'), SPECIAL);
  special = await loadPlan(join(dir, 'special.yaml'));
});
after(() => rm(dir, { recursive: true, force: true }));

const facts: NodeFacts = { managed: () => true, hasSetup: (n) => n.exec.length > 0 || n.kind === 'frr' };
const RECORD = { r1: { startedAt: 't0' }, r2: { startedAt: 't0' }, h1: { startedAt: 't0' }, plain: { startedAt: 't0' } };

/** A healthy lab: r2 and h1 in one namespace, every link end marked and peered. */
function healthy(): LabObservation {
  const m1 = linkMark('nr', { node: 'r1', iface: 'eth1' }, { node: 'r2', iface: 'eth1' });
  const m2 = linkMark('nr', { node: 'r1', iface: 'eth2' }, { node: 'h1', iface: 'eth3' });
  return {
    nodes: new Map([
      ['r1', { state: 'running', startedAt: 't0', netns: 'net:[1]' }],
      ['r2', { state: 'running', startedAt: 't0', netns: 'net:[2]' }],
      ['h1', { state: 'running', startedAt: 't0', netns: 'net:[2]' }],
      ['plain', { state: 'running', startedAt: 't0', netns: 'net:[4]' }],
    ]),
    ifaces: new Map([
      ['r1', new Map([['eth1', { ifindex: 11, linkIndex: 21, alias: m1 }], ['eth2', { ifindex: 12, linkIndex: 23, alias: m2 }]])],
      ['r2', new Map([['eth1', { ifindex: 21, linkIndex: 11, alias: m1 }], ['eth3', { ifindex: 23, linkIndex: 12, alias: m2 }]])],
    ]),
  };
}

test('a lab as deployed is healthy and needs no repair', () => {
  const obs = healthy();
  const h = assessLab(plan, obs, RECORD, facts);
  assert.deepEqual(h.map((x) => [x.node, x.status]).sort(), [['h1', 'running'], ['plain', 'running'], ['r1', 'running'], ['r2', 'running']]);
  const r = planRepair(plan, h, obs, RECORD, facts, () => true);
  assert.ok(isEmptyRepair(r));
  assert.deepEqual(describeRepair(r), []);
});

test('docker restart of r2: its links are gone, its sharer holds the old netns, its exec lines did not run', () => {
  const obs = healthy();
  obs.nodes.set('r2', { state: 'running', startedAt: 't1', netns: 'net:[5]' });
  // the old namespace (held by h1) still has the ends: r1's stay peered with it, the new one is empty
  obs.ifaces.set('r2', new Map());
  const h = assessLab(plan, obs, RECORD, facts);
  const by = new Map(h.map((x) => [x.node, x]));
  assert.equal(by.get('r2')!.status, 'degraded');
  assert.match(by.get('r2')!.reasons.join('\n'), /restarted at t1: its exec lines and services have not run since/);
  assert.match(by.get('r2')!.reasons.join('\n'), /link r1:eth1 <-> r2:eth1 is missing: r2:eth1 is absent/);
  assert.equal(by.get('h1')!.status, 'degraded');
  assert.match(by.get('h1')!.reasons.join('\n'), /shares the network namespace of r2 but still holds an old one/);
  assert.match(by.get('h1')!.reasons.join('\n'), /link r1:eth2 <-> h1:eth3 is missing/);
  assert.equal(by.get('r1')!.status, 'degraded', 'r1 lost its peers');
  assert.equal(by.get('plain')!.status, 'running');

  const r = planRepair(plan, h, obs, RECORD, facts, () => true);
  assert.deepEqual(r.start, []);
  assert.deepEqual(r.restart, ['h1']);
  assert.deepEqual(r.links.map((l) => l.endpoints.map((e) => `${e.node}:${e.iface}`).join('-')), ['r1:eth1-r2:eth1', 'r1:eth2-h1:eth3']);
  assert.deepEqual(r.reconfigure.sort(), ['h1', 'r2']);
  // r1 did not restart: its re-created ends get their recorded addresses back, its exec lines do not run again
  assert.deepEqual(r.restoreEnds, [{ node: 'r1', iface: 'eth1' }, { node: 'r1', iface: 'eth2' }]);
  assert.match(describeRepair(r).join('\n'), /restarted h1 to join its owner's network namespace\nre-created 2 links/);
});

test('a stopped router: stopped, its peers degraded; a deploy starts it, re-creates its links and restarts nothing else', () => {
  const obs = healthy();
  obs.nodes.set('r1', { state: 'exited', startedAt: 't0' });
  obs.ifaces.delete('r1');
  obs.ifaces.set('r2', new Map());
  const h = assessLab(plan, obs, RECORD, facts);
  const by = new Map(h.map((x) => [x.node, x]));
  assert.deepEqual([by.get('r1')!.status, by.get('r1')!.reasons], ['stopped', ['container clab-nr-r1 is exited']]);
  assert.match(by.get('r2')!.reasons.join('\n'), /link r1:eth1 <-> r2:eth1 is missing: r1 is exited/);
  const r = planRepair(plan, h, obs, RECORD, facts, () => true);
  assert.deepEqual(r.start, ['r1']);
  assert.deepEqual(r.restart, []);
  assert.equal(r.links.length, 2);
  assert.deepEqual(r.reconfigure, ['r1']);
  assert.deepEqual(r.restoreEnds, [{ node: 'r2', iface: 'eth1' }, { node: 'h1', iface: 'eth3' }]);
  // a node start of another node leaves r1 stopped, and its links with it
  const other = planRepair(plan, h, obs, RECORD, facts, (n) => n === 'plain');
  assert.deepEqual([other.start, other.links, other.skipped], [[], [], ['r1']]);
});

test('a stopped owner: starting it restarts its sharer, whose exec lines run again', () => {
  const obs = healthy();
  obs.nodes.set('r2', { state: 'exited', startedAt: 't0' });
  obs.ifaces.delete('r2');
  const h = assessLab(plan, obs, RECORD, facts);
  assert.match(h.find((x) => x.node === 'h1')!.reasons.join('\n'), /shares the network namespace of r2, which is exited/);
  const r = planRepair(plan, h, obs, RECORD, facts, (n) => n === 'r2');
  assert.deepEqual([r.start, r.restart, r.reconfigure], [['r2'], ['h1'], ['r2', 'h1']]);
  assert.equal(r.links.length, 2);
});

test('ends that exist but are not each other\'s peer, or not the lab\'s, are a broken link', () => {
  const obs = healthy();
  obs.ifaces.get('r2')!.set('eth1', { ifindex: 30, linkIndex: 11, alias: linkMark('nr', { node: 'r1', iface: 'eth1' }, { node: 'r2', iface: 'eth1' }) });
  let h = assessLab(plan, obs, RECORD, facts);
  assert.match(h.find((x) => x.node === 'r1')!.reasons.join('\n'), /r1:eth1 and r2:eth1 are not each other's peer/);
  obs.ifaces.get('r2')!.set('eth1', { ifindex: 21, linkIndex: 11, alias: 'someone' });
  h = assessLab(plan, obs, RECORD, facts);
  assert.match(h.find((x) => x.node === 'r2')!.reasons.join('\n'), /r2:eth1 is not the lab's end \(alias someone\)/);
});

test('a restart of a node without setup or links needs nothing; without a record restarts are not judged', () => {
  const obs = healthy();
  obs.nodes.set('plain', { state: 'running', startedAt: 't9', netns: 'net:[9]' });
  const h = assessLab(plan, obs, RECORD, facts);
  assert.equal(h.find((x) => x.node === 'plain')!.status, 'running');
  obs.nodes.set('r1', { state: 'running', startedAt: 't9', netns: 'net:[1]' });
  assert.equal(assessLab(plan, obs, undefined, facts).find((x) => x.node === 'r1')!.status, 'running');
  assert.equal(assessLab(plan, obs, RECORD, facts).find((x) => x.node === 'r1')!.status, 'degraded');
});

test('an unreadable namespace (not root) claims nothing about links', () => {
  const obs = healthy();
  obs.ifaces.clear();
  assert.ok(assessLab(plan, obs, RECORD, facts).every((h) => h.status === 'running'));
});

test('recorded ends: global addresses and added routes only, given back with replace', () => {
  const addr = '[{"ifname":"eth1","addr_info":[{"family":"inet","local":"10.0.12.1","prefixlen":24,"scope":"global"},{"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"},{"family":"inet6","local":"2001:db8::1","prefixlen":64,"scope":"global"}]}]';
  assert.deepEqual(addrsOf(addr), ['10.0.12.1/24', '2001:db8::1/64']);
  const routes = '[{"dst":"default","gateway":"10.0.12.2","metric":5,"flags":[]},{"dst":"10.8.0.0/16","gateway":"10.0.12.3","flags":[]},{"dst":"10.0.12.0/24","protocol":"kernel","scope":"link","flags":[]},{"dst":"10.7.0.0/16","gateway":"10.0.12.2","protocol":"bgp","flags":[]}]';
  const r = staticRoutesOf(routes, false);
  assert.deepEqual(r, [['0.0.0.0/0', 'via', '10.0.12.2', 'metric', '5'], ['10.8.0.0/16', 'via', '10.0.12.3']]);
  assert.deepEqual(restoreLines('eth1', { addrs: ['10.0.12.1/24'], routes: r }), [
    'addr replace 10.0.12.1/24 dev eth1',
    'link set dev eth1 up',
    'route replace 0.0.0.0/0 via 10.0.12.2 metric 5 dev eth1',
    'route replace 10.8.0.0/16 via 10.0.12.3 dev eth1',
  ]);
});

test('a link between two hosts is whole with a VXLAN end on each side, and degraded when an end is a veth', () => {
  const split: LabPlan = { ...plan, nodes: plan.nodes.map((n) => ({ ...n, host: n.name === 'r2' || n.name === 'h1' ? 'b' : 'a' })) };
  const m1 = linkMark('nr', { node: 'r1', iface: 'eth1' }, { node: 'r2', iface: 'eth1' });
  const obs = healthy();
  // tunnel ends: no peer index on either side
  obs.ifaces.get('r1')!.set('eth1', { ifindex: 11, alias: m1, kind: 'vxlan' });
  obs.ifaces.get('r2')!.set('eth1', { ifindex: 5, alias: m1, kind: 'vxlan' });
  obs.ifaces.get('r1')!.set('eth2', { ...obs.ifaces.get('r1')!.get('eth2')!, kind: 'vxlan' });
  obs.ifaces.get('r2')!.set('eth3', { ...obs.ifaces.get('r2')!.get('eth3')!, kind: 'vxlan' });
  assert.deepEqual(assessLab(split, obs, RECORD, facts).filter((x) => x.status !== 'running'), []);
  obs.ifaces.get('r2')!.set('eth1', { ifindex: 21, linkIndex: 11, alias: m1, kind: 'veth' });
  const r2 = assessLab(split, obs, RECORD, facts).find((x) => x.node === 'r2')!;
  assert.equal(r2.status, 'degraded');
  assert.match(r2.reasons.join('\n'), /r2:eth1 is a veth, not the VXLAN tunnel end of a link between hosts/);
});

/** The special lab as deployed: every node end present, marked, of its kind; the host ends marked. */
function healthySpecial(): LabObservation {
  const sl = special.links.filter((l) => l.type !== 'veth');
  const kinds = ['veth', 'veth', 'macvlan', 'veth', 'vxlan', 'veth'];
  const n1 = new Map<string, EndObservation>(sl.map((l, i) => [l.endpoints[0].iface, { ifindex: 10 + i, alias: specialMark('sp', l as never), kind: kinds[i] }]));
  const vm = linkMark('sp', { node: 'n1', iface: 'eth9' }, { node: 'n2', iface: 'eth9' });
  n1.set('eth9', { ifindex: 30, linkIndex: 40, alias: vm, kind: 'veth' });
  const hostEnd = (i: number) => specialMark('sp', sl[i] as never);
  return {
    nodes: new Map([
      ['n1', { state: 'running', startedAt: 't0', netns: 'net:[1]' }],
      ['n2', { state: 'running', startedAt: 't0', netns: 'net:[2]' }],
    ]),
    ifaces: new Map([['n1', n1], ['n2', new Map([['eth9', { ifindex: 40, linkIndex: 30, alias: vm, kind: 'veth' }]])]]),
    host: new Map([
      ['sp-h1', { alias: hostEnd(0), kind: 'veth' }],
      ['sp-m1', { alias: hostEnd(1), kind: 'veth' }],
      ['vx-n1_eth4', { alias: hostEnd(5), kind: 'vxlan' }],
      ['ve-n1_eth4', { alias: hostEnd(5), kind: 'veth' }],
    ]),
  };
}
const SP_RECORD = { n1: { startedAt: 't0' }, n2: { startedAt: 't0' } };

test('host, mgmt-net, macvlan, dummy, vxlan and vxlan-stitch links as deployed: healthy, nothing to repair', () => {
  const obs = healthySpecial();
  const h = assessLab(special, obs, SP_RECORD, facts);
  assert.deepEqual(h.map((x) => [x.node, x.status, x.reasons]), [['n1', 'running', []], ['n2', 'running', []]]);
  assert.ok(isEmptyRepair(planRepair(special, h, obs, SP_RECORD, facts, () => true)));
});

test('docker restart of a node without exec lines: every link type it had is missing and is planned again', () => {
  const obs = healthySpecial();
  // the new namespace holds only what Docker gives it; the host ends of its veths died with the old one, the stitch's VTEP stays
  obs.nodes.set('n1', { state: 'running', startedAt: 't1', netns: 'net:[3]' });
  obs.ifaces.set('n1', new Map([['eth0', { ifindex: 2, kind: 'veth' }]]));
  for (const h of ['sp-h1', 'sp-m1', 've-n1_eth4']) obs.host!.delete(h);
  const h = assessLab(special, obs, SP_RECORD, facts);
  const n1 = h.find((x) => x.node === 'n1')!;
  assert.equal(n1.status, 'degraded');
  const reasons = n1.reasons.join('\n');
  for (const t of ['n1:eth1 <-> host:sp-h1', 'n1:eth2 <-> mgmt-net:sp-m1', 'n1:eth3 <-> macvlan:eth0', 'n1:dummy0 <-> dummy', 'n1:vx0 <-> vxlan:192.0.2.1/10', 'n1:eth4 <-> vxlan-stitch:192.0.2.1/11']) {
    assert.match(reasons, new RegExp(`link ${t.replace(/[./]/g, '\\$&')} is missing: n1:\\w+ is absent`));
  }
  const r = planRepair(special, h, obs, SP_RECORD, facts, () => true);
  assert.deepEqual(r.special.map((l) => `${l.type}:${l.endpoints[0].iface}`), ['host:eth1', 'mgmt-net:eth2', 'macvlan:eth3', 'dummy:dummy0', 'vxlan:vx0', 'vxlan-stitch:eth4']);
  assert.deepEqual(r.links.map((l) => l.endpoints.map((e) => e.iface).join('-')), ['eth9-eth9']);
  // n1 has no setup: it is not reconfigured, so its re-created ends get their recorded addresses back; n2's veth end too
  assert.deepEqual(r.reconfigure, []);
  assert.deepEqual(r.restoreEnds.map((e) => `${e.node}:${e.iface}`), ['n1:eth9', 'n2:eth9', 'n1:eth1', 'n1:eth2', 'n1:eth3', 'n1:dummy0', 'n1:vx0', 'n1:eth4']);
  assert.match(describeRepair(r).join('\n'), /re-created 6 host\/macvlan\/dummy\/vxlan links \(n1:eth1 <-> host:sp-h1, /);
});

test('a special link whose host end is gone, or whose node end is foreign or of the wrong kind, is broken; an unread host claims nothing of host ends', () => {
  let obs = healthySpecial();
  obs.host!.delete('vx-n1_eth4');
  let h = assessLab(special, obs, SP_RECORD, facts);
  assert.match(h[0]!.reasons.join('\n'), /n1:eth4 <-> vxlan-stitch:192\.0\.2\.1\/11 is missing: the host end vx-n1_eth4 is absent/);
  assert.deepEqual(planRepair(special, h, obs, SP_RECORD, facts, () => true).special.map((l) => l.type), ['vxlan-stitch']);
  delete obs.host;
  assert.deepEqual(assessLab(special, obs, SP_RECORD, facts).map((x) => x.status), ['running', 'running']);

  obs = healthySpecial();
  obs.ifaces.get('n1')!.set('eth3', { ...obs.ifaces.get('n1')!.get('eth3')!, kind: 'veth' });
  obs.ifaces.get('n1')!.set('vx0', { ...obs.ifaces.get('n1')!.get('vx0')!, alias: 'someone-else' });
  h = assessLab(special, obs, SP_RECORD, facts);
  assert.match(h[0]!.reasons.join('\n'), /n1:eth3 is a veth, not a macvlan/);
  assert.match(h[0]!.reasons.join('\n'), /n1:vx0 is not the lab's end \(alias someone-else\)/);
});
