/** cluster.bgp / topology-level bgp: the node agent's dialect and flags, errors with positions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TopologyError } from '../errors.js';
import { parseTopology } from './index.js';

const base = (extra: string, clusterExtra = '') => `name: demo
cluster:
  nodes: [{role: control-plane}, {role: worker}]
${clusterExtra}${extra}`;

function issues(text: string): string[] {
  try {
    parseTopology(text, { file: 'topo.yaml', dir: '/tmp' });
  } catch (e) {
    if (e instanceof TopologyError) return e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`);
    throw e;
  }
  return [];
}

describe('cluster bgp block', () => {
  it('absent: no settings (the agent detects the dialect)', () => {
    assert.equal(parseTopology(base(''), { file: 't.yaml', dir: '/tmp' }).cluster?.bgp, undefined);
  });

  it('inside the cluster section (inline kind config): dialect and flags, the kind config stays clean', () => {
    const t = parseTopology(base('', '  bgp: {dialect: kube-router, flags: [--run-router=true, --cluster-asn, 64512]}\n'), { file: 't.yaml', dir: '/tmp' });
    assert.deepEqual({ ...t.cluster!.bgp!, pos: undefined }, { agent: true, dialect: 'kube-router', flags: ['--run-router=true', '--cluster-asn', '64512'], pos: undefined });
    assert.equal(t.cluster!.bgp!.pos.line, 4);
    assert.equal('bgp' in t.cluster!.raw, false);
  });

  it('topology-level, and agent: false', () => {
    const t = parseTopology(base('bgp: {dialect: cilium, agent: false}\n'), { file: 't.yaml', dir: '/tmp' });
    assert.equal(t.cluster!.bgp!.dialect, 'cilium');
    assert.equal(t.cluster!.bgp!.agent, false);
  });

  it('errors name the key: unknown dialect, both places, no cluster', () => {
    assert.deepEqual(issues(base('', '  bgp: {dialect: bird}\n')), ['4:18 cluster.bgp.dialect: unknown dialect "bird" (known: cilium, calico, kube-router, kube-ovn, metallb)']);
    assert.match(issues(base('bgp: {dialect: cilium}\n', '  bgp: {dialect: cilium}\n')).join('\n'), /given twice/);
    assert.match(issues('name: x\ntopology: {nodes: {a: {kind: linux, image: x}}}\nbgp: {dialect: cilium}\n').join('\n'), /3:1 bgp: .*no cluster section/);
    assert.match(issues(base('bgp: {dialect: cilium, peers: 1}\n')).join('\n'), /bgp/);
  });
});
