import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError, formatIssue } from '../errors.js';
import { parseTopology } from './index.js';
import { noStages, resolveNodeProps } from './inherit.js';
import type { RawTopologySection } from './raw-types.js';

// Four layers that all give exec, cap-add, binds, labels and ports; `at` is worked out on demand (not tracked while merging).
const topo = {
  defaults: { kind: 'linux', exec: ['d0', 'd1'], 'cap-add': ['NET_ADMIN'], binds: ['/a:/x', '/b:/y'], labels: { a: '1', b: '2' }, ports: ['80:80'] },
  kinds: { linux: { image: 'alpine', exec: ['k0'], 'cap-add': ['NET_ADMIN', 'SYS_TIME'], labels: { c: '3' } } },
  groups: { g: { exec: ['g0'], binds: ['/c:/x'], ports: ['81:81', '82:82'], labels: { b: 'g' } } },
  nodes: { n: { group: 'g', exec: ['n0', 'n1'], 'cap-add': ['SYS_TIME', 'SYS_ADMIN'], binds: ['/d:/z'], labels: { a: 'n' } } },
} as unknown as RawTopologySection;

describe('resolveNodeProps: origins on demand', () => {
  const r = resolveNodeProps(topo, 'n');

  it('merges as before: exec appended, cap-add unioned, binds by target, maps key by key, lists replaced', () => {
    assert.deepEqual(r.props.exec, ['d0', 'd1', 'k0', 'g0', 'n0', 'n1']);
    assert.deepEqual(r.props['cap-add'], ['NET_ADMIN', 'SYS_TIME', 'SYS_ADMIN']);
    assert.deepEqual(r.props.binds, ['/c:/x', '/b:/y', '/d:/z']);
    assert.deepEqual(r.props.labels, { a: 'n', b: 'g', c: '3' });
    assert.deepEqual(r.props.ports, ['81:81', '82:82']);
    assert.equal(r.props.image, 'alpine');
  });

  it('a key comes from the last layer that sets it; an unset key points at the node', () => {
    assert.deepEqual(r.at('image'), ['topology', 'kinds', 'linux', 'image']);
    assert.deepEqual(r.at('kind'), ['topology', 'defaults', 'kind']);
    assert.deepEqual(r.at('exec'), ['topology', 'nodes', 'n', 'exec']);
    assert.deepEqual(r.at('ports'), ['topology', 'groups', 'g', 'ports']);
    assert.deepEqual(r.at('dns'), ['topology', 'nodes', 'n', 'dns']);
  });

  it('each item of a merged list points at its own layer and index', () => {
    const exec = [0, 1, 2, 3, 4, 5].map((i) => r.at('exec', i));
    assert.deepEqual(exec, [
      ['topology', 'defaults', 'exec', 0],
      ['topology', 'defaults', 'exec', 1],
      ['topology', 'kinds', 'linux', 'exec', 0],
      ['topology', 'groups', 'g', 'exec', 0],
      ['topology', 'nodes', 'n', 'exec', 0],
      ['topology', 'nodes', 'n', 'exec', 1],
    ]);
    // a repeated cap-add keeps the first layer's item; a bind replaced by target takes the replacing layer's
    assert.deepEqual([0, 1, 2].map((i) => r.at('cap-add', i)), [['topology', 'defaults', 'cap-add', 0], ['topology', 'kinds', 'linux', 'cap-add', 1], ['topology', 'nodes', 'n', 'cap-add', 1]]);
    assert.deepEqual([0, 1, 2].map((i) => r.at('binds', i)), [['topology', 'groups', 'g', 'binds', 0], ['topology', 'defaults', 'binds', 1], ['topology', 'nodes', 'n', 'binds', 0]]);
    assert.deepEqual(r.at('ports', 1), ['topology', 'groups', 'g', 'ports', 1]);
    assert.deepEqual(r.at('ports', 2), ['topology', 'nodes', 'n', 'ports', 2]);
  });

  it('each map entry points at the layer that gave it', () => {
    assert.deepEqual(r.at('labels', 'a'), ['topology', 'nodes', 'n', 'labels', 'a']);
    assert.deepEqual(r.at('labels', 'b'), ['topology', 'groups', 'g', 'labels', 'b']);
    assert.deepEqual(r.at('labels', 'c'), ['topology', 'kinds', 'linux', 'labels', 'c']);
    assert.deepEqual(r.at('labels', 'zz'), ['topology', 'nodes', 'n', 'labels', 'zz']);
  });

  it('stages are merged only when a layer has some; otherwise one shared empty value', () => {
    assert.equal(noStages(r.stages), true);
    assert.deepEqual(r.stages.create, { waitFor: [], exec: [] });
    const s = resolveNodeProps({ ...topo, nodes: { n: { stages: { create: { 'wait-for': [{ node: 'x' }] } } } } } as unknown as RawTopologySection, 'n');
    assert.equal(noStages(s.stages), false);
    assert.deepEqual(s.stages.create.waitFor, [{ node: 'x', path: ['topology', 'nodes', 'n', 'stages', 'create', 'wait-for', 0] }]);
  });
});

describe('checks after normalize report the layer of an inherited value', () => {
  const problems = (text: string): string[] => {
    try {
      parseTopology(text, { file: 'topo.yaml', env: {} });
    } catch (e) {
      if (e instanceof TopologyError) return e.issues.map(formatIssue);
      throw e;
    }
    return assert.fail('expected the topology to be rejected');
  };

  it('a host port clash inherited from a group points at the group entry, a wait-for at the node entry', () => {
    const text = [
      'name: t',
      'topology:',
      '  groups:',
      '    g: {ports: ["8080:80"]}',
      '  nodes:',
      '    a: {kind: linux, image: alpine, ports: ["8080:80"]}',
      '    b: {kind: linux, image: alpine, group: g, wait-for: [a, zz]}',
      '',
    ].join('\n');
    assert.deepEqual(problems(text), [
      'topo.yaml:4:17 topology.groups.g.ports[0]: host port 127.0.0.1:8080/tcp is already published by node "a"',
      'topo.yaml:7:61 topology.nodes.b.wait-for[1]: wait-for: node "zz" is not defined (nodes: a, b)',
    ]);
  });
});
