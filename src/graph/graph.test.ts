/** Graph model and Mermaid output from real topology files (pure: no Docker, no browser). */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parseTopology, planLab } from '../topology/index.js';
import { LabContext } from '../verify/context.js';
import { applyPodCidrs, applySessions } from './live.js';
import { toMermaid, nodeId } from './mermaid.js';
import { applyHosts, buildModel, foldSharers } from './model.js';

const routers = () => planLab(parseTopology(readFileSync(new URL('../../labs/cilium-bgp/routers.yaml', import.meta.url), 'utf8'), { file: 'routers.yaml', env: {} }));

const K8S = `
name: k8s
cluster: { name: demo, nodes: [ { role: control-plane }, { role: worker } ] }
topology:
  groups:
    tors: {}
  nodes:
    spine1: { kind: linux, image: frrouting/frr:v8.2.2 }
    leaf1: { kind: linux, image: frrouting/frr:v8.2.2 }
    rack-a: { kind: linux, image: x, group: tors }
    server0: { kind: linux, image: nicolaka/netshoot:latest, network-mode: "container:demo-control-plane" }
    br0: { kind: bridge }
    end: { kind: linux, image: alpine }
  links:
    - endpoints: ["spine1:eth1", "leaf1:eth1"]
    - endpoints: ["leaf1:eth2", "server0:net0"]
    - endpoints: ["leaf1:eth3", "end:eth1"]
`;

describe('graph model', () => {
  test('roles: the article routers', () => {
    const m = buildModel(routers());
    assert.deepEqual(Object.fromEntries(m.nodes.map((n) => [n.name, n.role])), { router0: 'router', tor0: 'tor', tor1: 'tor', server0: 'host', server1: 'host', server2: 'host', server3: 'host' });
    assert.equal(m.direction, 'TB');
    assert.deepEqual(m.edges[1], { a: { node: 'router0', iface: 'net1' }, z: { node: 'tor1', iface: 'net0' } });
  });

  test('roles: Kubernetes node by shared netns with a cluster node, ToR by group, bridge', () => {
    const m = buildModel(planLab(parseTopology(K8S, { env: {} })));
    assert.deepEqual(Object.fromEntries(m.nodes.map((n) => [n.name, n.role])), { 'control-plane': 'k8s', worker: 'k8s', spine1: 'router', leaf1: 'tor', 'rack-a': 'tor', server0: 'k8s', br0: 'bridge', end: 'host' });
    assert.deepEqual(m.nodes.find((n) => n.name === 'server0')!.notes, ['netns of control-plane']);
  });
});

describe('mermaid', () => {
  test('subgraphs by role in order, interface names on edges, safe ids', () => {
    const text = toMermaid(buildModel(planLab(parseTopology(K8S, { env: {} }))));
    const subgraphs = [...text.matchAll(/subgraph (\w+)\["([^"]+)"\]/g)].map((m) => m[2]);
    assert.deepEqual(subgraphs, ['Routers', 'ToRs', 'Kubernetes nodes', 'Hosts', 'Bridges']);
    assert.match(text, /n_spine1 -- "eth1 — eth1" --- n_leaf1/);
    assert.match(text, /n_leaf1 -- "eth3 — eth1" --- n_end\n/, '`end` is a Mermaid keyword: ids are prefixed');
    assert.equal(nodeId('rack-a'), 'n_rack_2d_a');
    assert.match(text, /n_rack_2d_a\(\["<b>rack-a<\/b>"\]\):::tor/);
  });

  test('session state becomes link colours (green Established, red down)', async () => {
    const plan = routers();
    const m = buildModel(plan);
    const ctx = new LabContext(plan, async () => ({ exitCode: 1, stdout: '', stderr: 'not running' }));
    await applySessions(m, ctx, [
      { node: 'router0', session: { peer: 'net0', state: 'Established', established: true } },
      { node: 'router0', session: { peer: 'net1', state: 'Idle', established: false } },
      { node: 'tor1', session: { peer: 'net0', state: 'Established', established: true } },
    ]);
    assert.deepEqual(m.edges.slice(0, 2).map((e) => e.state), ['established', 'down']);
    const text = toMermaid(m);
    assert.match(text, /linkStyle 0 stroke:#1a7f37/);
    assert.match(text, /linkStyle 1 stroke:#cf222e/);
    assert.ok(!/linkStyle 2 /.test(text));
  });

  test('a session with a Kubernetes node colours the link of the node sharing its netns (no extra BGP edge)', async () => {
    const plan = planLab(parseTopology(K8S, { env: {} }));
    const m = buildModel(plan);
    const ctx = new LabContext(plan, async () => ({ exitCode: 1, stdout: '', stderr: 'not running' }));
    const edges = m.edges.length;
    await applySessions(m, ctx, [{ node: 'leaf1', session: { peer: 'eth2', state: 'Established', established: true } }]);
    assert.equal(m.edges.length, edges);
    assert.equal(m.edges.find((e) => e.a.node === 'leaf1' && e.z.node === 'server0')?.state, 'established');
  });

  test('pod CIDRs on the nodes that share a Kubernetes node netns', () => {
    const plan = planLab(parseTopology(K8S, { env: {} }));
    const m = buildModel(plan);
    applyPodCidrs(m, plan, new Map([['demo-control-plane', ['10.1.0.0/24']]]));
    assert.deepEqual(m.nodes.find((n) => n.name === 'server0')!.notes, ['netns of control-plane', 'pods 10.1.0.0/24']);
    assert.deepEqual(m.nodes.find((n) => n.name === 'control-plane')!.notes, ['pods 10.1.0.0/24']);
    assert.deepEqual(m.nodes.find((n) => n.name === 'worker')!.notes, []);
  });

  test('netns sharers fold into their owner: one box naming them, their links and pod CIDRs on it; sessions found first', async () => {
    const plan = planLab(parseTopology(K8S, { env: {} }));
    const m = buildModel(plan);
    const ctx = new LabContext(plan, async () => ({ exitCode: 1, stdout: '', stderr: 'not running' }));
    await applySessions(m, ctx, [{ node: 'leaf1', session: { peer: 'eth2', state: 'Established', established: true } }]);
    applyPodCidrs(m, plan, new Map([['demo-control-plane', ['10.1.0.0/24']]]));
    const f = foldSharers(m, plan);
    assert.deepEqual(f.nodes.map((n) => n.name).sort(), ['br0', 'control-plane', 'end', 'leaf1', 'rack-a', 'spine1', 'worker']);
    assert.deepEqual(f.nodes.find((n) => n.name === 'control-plane')!.notes, ['pods 10.1.0.0/24', 'with server0 (same netns)']);
    const e = f.edges.find((x) => x.a.node === 'leaf1' && x.a.iface === 'eth2')!;
    assert.deepEqual(e.z, { node: 'control-plane', iface: 'server0/net0', folded: 'server0' });
    assert.equal(e.state, 'established', 'the session found on the unfolded graph stays on the link');
    const text = toMermaid(f);
    assert.ok(!text.includes(nodeId('server0')), 'no box of its own');
    assert.match(text, new RegExp(`${nodeId('leaf1')} -- "eth2 — server0/net0" --- ${nodeId('control-plane')}`));
    // the overlay still names the link by its own ends
    const seen: string[] = [];
    toMermaid(f, { edge: (a, z) => void seen.push(`${a.node}:${a.iface}-${z.node}:${z.iface}`) as undefined });
    assert.ok(seen.includes('leaf1:eth2-server0:net0'), seen.join(' '));
    // the input is untouched, and a lab without sharers is the same model
    assert.ok(m.nodes.some((n) => n.name === 'server0'));
    const r = buildModel(routers());
    assert.equal(foldSharers(r, routers()), r, 'routers.yaml: its servers share the netns of kind nodes outside the lab');
  });

  test('wide labs go left to right', () => {
    const hosts = Array.from({ length: 12 }, (_, i) => `    h${i}: { kind: linux, image: x }`).join('\n');
    const m = buildModel(planLab(parseTopology(`name: wide\ntopology:\n  nodes:\n${hosts}\n`, { env: {} })));
    assert.equal(m.direction, 'LR');
    assert.match(toMermaid(m), /^flowchart LR$/m);
  });
});

describe('graph of a lab with two clusters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindlab-graph-clusters-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'k.yaml'), 'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n');
  const plan = planLab(parseTopology('name: two\ntopology:\n  nodes:\n    r: {kind: linux, image: frrouting/frr:v8.2.2}\n    k01: {kind: k8s-kind, startup-config: k.yaml}\n    k02: {kind: k8s-kind, startup-config: k.yaml}\n  links:\n  - endpoints: ["r:net0", "k02-worker:net0"]\n', { file: join(dir, 'topo.yaml'), dir }));

  test('each cluster\'s Kubernetes nodes are grouped in a box of their own inside the Kubernetes nodes', () => {
    const m = buildModel(plan);
    assert.deepEqual(m.nodes.filter((n) => n.role === 'k8s').map((n) => [n.name, n.cluster]).sort(), [
      ['k01-control-plane', 'k01'], ['k01-worker', 'k01'], ['k02-control-plane', 'k02'], ['k02-worker', 'k02'],
    ]);
    const lines = toMermaid(m).split('\n').map((l) => l.trim());
    const k8s = lines.indexOf('subgraph k8ss["Kubernetes nodes"]');
    const box = (c: string) => lines.indexOf(`subgraph cluster_${c}["cluster ${c}"]`);
    assert.ok(k8s >= 0 && box('k01') > k8s && box('k02') > k8s, lines.join('\n'));
    assert.ok(lines[box('k01') + 1]!.startsWith(`${nodeId('k01-control-plane')}[`) && lines[box('k01') + 2]!.startsWith(`${nodeId('k01-worker')}[`) && lines[box('k01') + 3] === 'end');
    assert.ok(lines[box('k02') + 1]!.startsWith(`${nodeId('k02-control-plane')}[`) && lines[box('k02') + 3] === 'end');
  });

  test('one cluster: no cluster boxes', () => {
    const one = planLab(parseTopology(K8S, { file: 'k8s.yaml', env: {} }));
    assert.ok(buildModel(one).nodes.every((n) => n.cluster === undefined));
    assert.ok(!toMermaid(buildModel(one)).includes('subgraph cluster_'));
  });
});

describe('graph of a lab over several engines', () => {
  const SPLIT = `
name: split
hosts:
  a: { engine: "unix:///run/a.sock", underlay: 10.250.0.1 }
  b: { engine: "unix:///run/b.sock", underlay: 10.250.0.2 }
topology:
  defaults: { kind: linux, image: alpine }
  nodes:
    r1: { host: a }
    r2: { host: b }
    s1: { host: b, network-mode: "container:r2" }
  links:
    - endpoints: ["r1:eth1", "r2:eth1"]
`;
  const plan = () => planLab(parseTopology(SPLIT, { file: 'split.yaml', env: {} }));

  test('each node names its host and underlay address, from the placement', () => {
    const p = plan();
    const m = buildModel(p);
    applyHosts(m, p, new Map());
    assert.deepEqual(Object.fromEntries(m.nodes.map((n) => [n.name, [n.host, n.notes[0]]])), { r1: ['a', 'host a 10.250.0.1'], r2: ['b', 'host b 10.250.0.2'], s1: ['b', 'host b 10.250.0.2'] });
    assert.match(toMermaid(foldSharers(m, p)), /<small>host b 10\.250\.0\.2<\/small>/);
  });

  test('where a container runs wins over the placement', () => {
    const p = plan();
    const m = buildModel(p);
    applyHosts(m, p, new Map([['r1', 'b']]));
    assert.equal(m.nodes.find((n) => n.name === 'r1')!.notes[0], 'host b 10.250.0.2');
  });

  test('a lab on one engine gets no host notes', () => {
    const p = routers();
    const m = buildModel(p);
    applyHosts(m, p, new Map([['router0', 'x']]));
    assert.ok(m.nodes.every((n) => n.host === undefined && !n.notes.some((x) => x.startsWith('host '))));
  });
});
