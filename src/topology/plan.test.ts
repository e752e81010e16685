import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError, formatIssue } from '../errors.js';
import { dependencyEdges, loadPlan, parseTopology, planLab } from './index.js';
import type { LabPlan } from './types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test/fixtures/topology');
const plan = (text: string, labDir?: string): LabPlan => planLab(parseTopology(text, { file: 'topo.yaml', dir: '/labs/demo', env: {} }), labDir ? { labDir } : {});
const nodes = (lines: string): string => `topology:\n  defaults: {kind: linux, image: i}\n  nodes:\n${lines}`;

describe('container names and lab directory', () => {
  it('default prefix clab gives clab-<lab>-<node> (docker exec clab-bgp-cplane-demo-tor0 works)', async () => {
    const p = await loadPlan(join(root, 'labs/cilium-bgp/routers.yaml'), { env: {} });
    assert.equal(p.nodes.find((n) => n.name === 'tor0')!.containerName, 'clab-bgp-cplane-demo-tor0');
    assert.equal(p.labDir, join(root, 'labs/cilium-bgp/lab-bgp-cplane-demo'));
    assert.equal(p.mgmt.network, 'kindlab-bgp-cplane-demo');
  });
  it('prefix "" gives bare names, __lab-name gives <lab>-<node>, others <prefix>-<lab>-<node>', () => {
    assert.equal(plan(`name: l\nprefix: ""\n${nodes('    a: {}\n')}`).nodes[0]!.containerName, 'a');
    assert.equal(plan(`name: l\nprefix: __lab-name\n${nodes('    a: {}\n')}`).nodes[0]!.containerName, 'l-a');
    assert.equal(plan(`name: l\nprefix: kl\n${nodes('    a: {}\n')}`).nodes[0]!.containerName, 'kl-l-a');
  });
  it('ext-container nodes keep their own name; labDir can be overridden', () => {
    const p = plan(`name: l\n${nodes('    kind-worker: {kind: ext-container}\n')}`, '/tmp/x');
    assert.equal(p.nodes[0]!.containerName, 'kind-worker');
    assert.equal(p.labDir, '/tmp/x');
    assert.equal(plan(`name: l\n${nodes('    a: {}\n')}`).labDir, '/labs/demo/lab-l');
  });
});

describe('management addresses', () => {
  it('assigns the lowest free addresses in file order, skipping gateway and static ones', () => {
    const p = plan(`name: l\n${nodes('    a: {}\n    b: {mgmt-ipv4: 172.20.20.3}\n    c: {}\n    d: {network-mode: none}\n    e: {}\n')}`);
    assert.deepEqual(
      p.nodes.map((n) => [n.name, n.mgmtIPv4]),
      [['a', '172.20.20.2'], ['b', '172.20.20.3'], ['c', '172.20.20.4'], ['d', undefined], ['e', '172.20.20.5']],
    );
  });
  it('is deterministic', () => {
    const text = `name: l\n${nodes('    z: {}\n    y: {}\n')}`;
    assert.deepEqual(plan(text).nodes.map((n) => n.mgmtIPv4), plan(text).nodes.map((n) => n.mgmtIPv4));
  });
  it('fails when the subnet is exhausted, at the subnet value', () => {
    assert.throws(
      () => plan(`name: l\nmgmt: {ipv4-subnet: 10.0.0.0/29}\n${nodes('    a: {}\n    b: {}\n    c: {}\n    d: {}\n    e: {}\n    f: {}\n')}`),
      (e: unknown) => e instanceof TopologyError && /^topo\.yaml:2:21 mgmt\.ipv4-subnet: .*no free address left for node "f"/.test(formatIssue(e.issues[0]!)),
    );
  });
  it('with mgmt.ipv4-range, dynamic addresses come from the range; static ones may lie outside it', () => {
    const p = plan(`name: l\nmgmt: {ipv4-subnet: 10.0.0.0/24, ipv4-range: 10.0.0.128/30}\n${nodes('    a: {}\n    b: {mgmt-ipv4: 10.0.0.9}\n    c: {mgmt-ipv4: 10.0.0.129}\n    d: {}\n')}`);
    assert.deepEqual(p.nodes.map((n) => n.mgmtIPv4), ['10.0.0.128', '10.0.0.9', '10.0.0.129', '10.0.0.130']);
    assert.throws(
      () => plan(`name: l\nmgmt: {ipv4-subnet: 10.0.0.0/24, ipv4-range: 10.0.0.252/30}\n${nodes('    a: {}\n    b: {}\n    c: {}\n    d: {}\n')}`),
      (e: unknown) => e instanceof TopologyError && /^topo\.yaml:2:46 mgmt\.ipv4-range: management ipv4-range 10\.0\.0\.252\/30 has no free address left for node "d"/.test(formatIssue(e.issues[0]!)),
    );
  });
});

describe('dependencies', () => {
  it('netnsOwner follows container:<node> chains; dependsOn has network-mode and wait-for targets', async () => {
    const p = await loadPlan(join(fixtures, 'valid-network-mode.yaml'), { env: {} });
    const by = new Map(p.nodes.map((n) => [n.name, n]));
    assert.equal(by.get('side2')!.netnsOwner, 'base');
    assert.equal(by.get('side1')!.netnsOwner, 'base');
    assert.equal(by.get('ext')!.netnsOwner, 'ext');
    assert.deepEqual(by.get('side2')!.dependsOn, ['side1', 'other']);
    assert.deepEqual(by.get('ext')!.dependsOn, []);
    assert.deepEqual(p.waves, [['base', 'other', 'ext', 'hostnet', 'isolated', 'existing'], ['side1'], ['side2']]);
    assert.equal(by.get('base')!.mgmtIPv4, '10.200.0.2');
    assert.equal(by.get('other')!.mgmtIPv4, '10.200.0.3');
    assert.equal(by.get('existing')!.mgmtIPv4, undefined);
  });
  it('rejects a cycle, naming it and each edge at its position', () => {
    const text = `name: l\n${nodes('    a: {wait-for: [c]}\n    b: {network-mode: "container:a"}\n    c: {wait-for: [b]}\n')}`;
    assert.throws(
      () => plan(text),
      (e: unknown) => {
        assert.ok(e instanceof TopologyError);
        assert.equal(e.code, 'TOPO_CYCLE');
        assert.deepEqual(e.issues.map(formatIssue), [
          'topo.yaml:5:20 topology.nodes.a.wait-for: dependency cycle a → c → b → a: "a" waits for "c"',
          'topo.yaml:7:20 topology.nodes.c.wait-for: dependency cycle a → c → b → a: "c" waits for "b"',
          'topo.yaml:6:23 topology.nodes.b.network-mode: dependency cycle a → c → b → a: "b" shares the network namespace of "a"',
        ]);
        return true;
      },
    );
  });
});

describe('dependency edges and waves without a search per wait', () => {
  it('a wait-for repeating the network-mode target or itself gives one edge each; waves follow them', () => {
    const p = plan(`name: d\n${nodes('    a: {}\n    b: {}\n    c: {network-mode: "container:a", wait-for: [a, b, b, a]}\n    d: {}\n')}`);
    assert.deepEqual(dependencyEdges(parseTopology(`name: d\n${nodes('    a: {}\n    b: {}\n    c: {network-mode: "container:a", wait-for: [a, b, b, a]}\n')}`, { env: {} }).nodes).map((e) => `${e.from}>${e.to} ${e.via}`), ['c>a network-mode', 'c>b wait-for']);
    assert.deepEqual(p.waves, [['a', 'b', 'd'], ['c']]);
    assert.deepEqual(p.nodes.find((n) => n.name === 'c')!.dependsOn, ['a', 'b']);
  });

  it('nodes without dependencies make one wave in file order', () => {
    assert.deepEqual(plan(`name: d\n${nodes('    z: {}\n    a: {}\n    m: {}\n')}`).waves, [['z', 'a', 'm']]);
  });
});
