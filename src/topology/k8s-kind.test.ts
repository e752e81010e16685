/** containerlab's k8s-kind nodes: one kind cluster per node, its nodes named as its containers, subnets moved apart. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TopologyError } from '../errors.js';
import { parseTopology, planLab } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'kindlab-k8s-kind-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'k01.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n');
writeFileSync(join(dir, 'k02.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n');
writeFileSync(join(dir, 'pinned.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking: {podSubnet: 10.244.0.0/16}\n');
writeFileSync(join(dir, 'bad.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nbogus: 1\n');

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof TopologyError) return e.issues.map((i) => `${i.file.replace(dir, '.')}:${i.line}: ${i.message}`);
    throw e;
  }
  assert.fail('expected a TopologyError');
}

// containerlab's k8s-kind example: two kind clusters linked to one router, the nodes named as their containers
const TWO = `name: two
topology:
  nodes:
    router: {kind: linux, image: frrouting/frr:v8.2.2}
    k01: {kind: k8s-kind, startup-config: k01.yaml}
    k02: {kind: k8s-kind, startup-config: k02.yaml}
    k01-control-plane: {kind: k8s-node, exec: [ip addr add 10.0.1.2/24 dev net0]}
  links:
  - endpoints: ["router:net0", "k01-control-plane:net0"]
  - endpoints: ["router:net1", "k02-control-plane:net0"]
`;

describe('k8s-kind nodes', () => {
  it('each becomes a cluster whose nodes are named as their containers; the clusters\' default subnets are moved apart', () => {
    const plan = planLab(parseTopology(TWO, { file: 'topo.yaml', dir }));
    assert.deepEqual(plan.nodes.filter((n) => n.k8s).map((n) => [n.name, n.containerName, n.k8s!.cluster, n.k8s!.role]), [
      ['k02-control-plane', 'k02-control-plane', 'k02', 'control-plane'],
      ['k01-control-plane', 'k01-control-plane', 'k01', 'control-plane'],
      ['k01-worker', 'k01-worker', 'k01', 'worker'],
    ]);
    assert.ok(!plan.nodes.some((n) => n.name === 'k01' || n.name === 'k02'), 'the k8s-kind nodes themselves are replaced');
    assert.deepEqual(plan.nodes.find((n) => n.name === 'k01-control-plane')!.exec, ['ip addr add 10.0.1.2/24 dev net0'], 'a k8s-node of that name adds its settings');
    assert.deepEqual(plan.clusters!.map((c) => [c.spec.name, c.spec.podSubnet, c.spec.serviceSubnet, (c.raw.networking as Record<string, unknown> | undefined)?.podSubnet]), [
      ['k01', '10.244.0.0/16', '10.96.0.0/16', undefined],
      ['k02', '10.245.0.0/16', '10.97.0.0/16', '10.245.0.0/16'],
    ]);
    assert.equal(plan.cluster, plan.clusters![0]);
    assert.ok(plan.nodes.every((n) => n.mgmtIPv4), 'every node has a management address');
    assert.equal(new Set(plan.nodes.map((n) => n.mgmtIPv4)).size, plan.nodes.length);
    assert.deepEqual(plan.links.map((l) => l.endpoints.map((e) => e.node)), [['router', 'k01-control-plane'], ['router', 'k02-control-plane']]);
  });

  it('a subnet a config pins stays; the defaulted one moves around it', () => {
    const plan = planLab(parseTopology(TWO.replace('k01.yaml', 'pinned.yaml').replace(/\n {4}k01-control-plane: .*\n/, '\n').replace(/\n {2}- endpoints: \["router:net0".*/, ''), { file: 'topo.yaml', dir }));
    assert.deepEqual(plan.clusters!.map((c) => [c.spec.name, c.spec.podSubnet]), [['k01', '10.244.0.0/16'], ['k02', '10.245.0.0/16']]);
  });

  it('refused at the node: no startup-config, an unreadable or invalid kind config, the same cluster twice', () => {
    const topo = (nodes: string) => `name: bad\ntopology:\n  nodes:\n${nodes}    r: {kind: linux, image: alpine}\n`;
    assert.deepEqual(issuesOf(() => parseTopology(topo('    k01: {kind: k8s-kind}\n'), { file: 'topo.yaml', dir })), ['topo.yaml:4: node "k01" is of kind k8s-kind: name its kind Cluster config in startup-config']);
    assert.match(issuesOf(() => parseTopology(topo('    k01: {kind: k8s-kind, startup-config: nope.yaml}\n'), { file: 'topo.yaml', dir })).join('\n'), /topo\.yaml:4: .*nope\.yaml/);
    assert.match(issuesOf(() => parseTopology(topo('    k01: {kind: k8s-kind, startup-config: bad.yaml}\n'), { file: 'topo.yaml', dir })).join('\n'), /^\.\/bad\.yaml:3: unknown field "bogus"/);
    assert.match(issuesOf(() => parseTopology(topo('    a: {kind: k8s-kind, startup-config: pinned.yaml}\n    b: {kind: k8s-kind, startup-config: pinned.yaml}\n'), { file: 'topo.yaml', dir })).join('\n'), /podSubnet 10\.244\.0\.0\/16 overlaps podSubnet 10\.244\.0\.0\/16 of cluster a/);
  });
  it('each cluster its own bgp: a k8s-kind node\'s block overrides the topology-level one key by key (own ASN and peers)', () => {
    const topo = TWO.replace('name: two\n', 'name: two\nbgp: {dialect: kube-router, flags: [--cluster-asn=65001, --peer-router-ips=10.0.0.1]}\n')
      .replace('k02: {kind: k8s-kind, startup-config: k02.yaml}', 'k02: {kind: k8s-kind, startup-config: k02.yaml, bgp: {flags: [--cluster-asn=65002, --peer-router-ips=10.0.1.1]}}');
    const plan = planLab(parseTopology(topo, { file: 'topo.yaml', dir }));
    assert.deepEqual(plan.clusters!.map((c) => [c.spec.name, c.bgp?.dialect, c.bgp?.flags, c.bgp?.agent]), [
      ['k01', 'kube-router', ['--cluster-asn=65001', '--peer-router-ips=10.0.0.1'], true],
      ['k02', 'kube-router', ['--cluster-asn=65002', '--peer-router-ips=10.0.1.1'], true],
    ]);
    assert.equal(plan.clusters![1]!.bgp!.pos.line, 7, 'the block is positioned at the node');
    // without a topology-level block: only the node's cluster runs with settings
    const alone = planLab(parseTopology(TWO.replace('k02: {kind: k8s-kind, startup-config: k02.yaml}', 'k02: {kind: k8s-kind, startup-config: k02.yaml, bgp: {dialect: calico, agent: false}}'), { file: 'topo.yaml', dir }));
    assert.deepEqual(alone.clusters!.map((c) => c.bgp && [c.bgp.dialect, c.bgp.agent, c.bgp.flags]), [undefined, ['calico', false, []]]);
  });

  it('a k8s-kind node\'s bad bgp: is refused at its line', () => {
    const bad = (block: string) => issuesOf(() => parseTopology(TWO.replace('k02: {kind: k8s-kind, startup-config: k02.yaml}', `k02:\n      kind: k8s-kind\n      startup-config: k02.yaml\n      bgp: ${block}`), { file: 'topo.yaml', dir }));
    assert.deepEqual(bad('{dialect: nope}'), ['topo.yaml:9: unknown dialect "nope" (known: cilium, calico, kube-router, kube-ovn, metallb)']);
    assert.deepEqual(bad('{asn: 65002}'), ['topo.yaml:9: unknown key "asn" (known: agent, dialect, flags)']);
    assert.deepEqual(bad('[--cluster-asn=65002]'), ['topo.yaml:9: expected a map, got a list']);
  });
});
