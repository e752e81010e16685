/** pod/… and svc/… references in checks: parsing, conversion for a lab with a cluster, errors without one. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TopologyError } from '../errors.js';
import { loadPlan, parseTopology, planLab } from '../topology/index.js';
import { objectAddress, parseObjectRef, type ClusterLookup } from './cluster.js';
import { daemonsIn } from './context.js';
import { loadExpectations } from './expectations.js';

const article = fileURLToPath(new URL('../../labs/cilium-bgp/topo.yaml', import.meta.url));

describe('cluster references', () => {
  test('parseObjectRef: pod/NAME, pod/NS/NAME, svc/NAME, service/NS/NAME; anything else is not one', () => {
    assert.deepEqual(parseObjectRef('pod/nettool-1'), { type: 'pod', namespace: 'default', name: 'nettool-1', ref: 'pod/nettool-1' });
    assert.deepEqual(parseObjectRef('pod/kube-system/x.y'), { type: 'pod', namespace: 'kube-system', name: 'x.y', ref: 'pod/kube-system/x.y' });
    assert.equal(parseObjectRef('svc/web')?.type, 'service');
    assert.equal(parseObjectRef('services/prod/web')?.namespace, 'prod');
    for (const bad of ['pod/', 'pod/A', 'deploy/web', 'pod/a/b/c', 'nettool-1']) assert.equal(parseObjectRef(bad), undefined, bad);
  });

  test('the article lab: pod sources and targets, a node-named hop sequence, the BGP table count', async () => {
    const s = loadExpectations(await loadPlan(article, { env: {} }));
    assert.equal(s.derive, true);
    const trace = s.checks.find((c) => c.kind === 'traceroute');
    assert.deepEqual(trace && { from: trace.from, to: trace.to, hops: trace.hops }, { from: 'pod/nettool-1', to: { type: 'object', ref: 'pod/nettool-2' }, hops: ['worker', 'tor0', 'router0', 'tor1', 'worker2'] });
    const table = s.checks.find((c) => c.kind === 'bgp' && c.routes !== undefined);
    assert.equal(table?.kind === 'bgp' && table.routes, 12);
    assert.equal(s.checks.filter((c) => c.kind === 'route' && /^10\.1\./.test(c.prefix)).length, 8);
  });

  test('the dual-stack article lab: IPv4 and IPv6 checks; ping/traceroute with family 6 aim at the IPv6 address', async () => {
    const dual = fileURLToPath(new URL('../../labs/cilium-bgp-dual/topo.yaml', import.meta.url));
    const plan = await loadPlan(dual, { env: {} });
    assert.equal(plan.cluster?.spec.ipFamily ?? 'dual', 'dual');
    const s = loadExpectations(plan);
    const six = s.checks.filter((c) => (c.kind === 'ping' || c.kind === 'traceroute') && c.family === 6);
    assert.deepEqual(six.map((c) => c.name), ['ping6 nettool-1 → nettool-2 across racks', 'pod/nettool-2 → pod/nettool-1 (IPv6)', 'pod/nettool-1 → pod/nettool-2 (IPv6) via worker, tor0, router0, tor1, worker2']);
    assert.equal(s.checks.filter((c) => c.kind === 'route' && c.prefix.includes(':')).length, 8, 'each node\'s IPv6 pod CIDR on its ToR and on router0');
    const lookup: ClusterLookup = {
      pod: async () => ({ metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] }, status: { podIP: '10.1.1.2', podIPs: [{ ip: '10.1.1.2' }, { ip: 'fd00:10:1:1::2' }] } }),
      service: async () => ({ metadata: { name: 's', namespace: 'default' }, spec: { clusterIP: '10.96.0.10' } }),
      pods: async () => [],
      nodes: async () => [],
      close: () => {},
    };
    const pod = parseObjectRef('pod/p')!;
    assert.equal(await objectAddress(lookup, pod), '10.1.1.2');
    assert.equal(await objectAddress(lookup, pod, 6), 'fd00:10:1:1::2');
    await assert.rejects(objectAddress(lookup, parseObjectRef('svc/s')!, 6), /service default\/s has no IPv6 ClusterIP \(clusterIPs 10\.96\.0\.10\)/);
  });

  test('without a cluster section, and malformed references: errors with their position', () => {
    const text = `name: t
topology:
  nodes: {a: {kind: linux, image: x}}
verify:
- ping: {from: pod/web, to: a}
- ping: {from: a, to: svc/web}
- curl: {from: a, to: pod/a/b/c}
- traceroute: {from: a, to: a, hops: [svc/x]}
`;
    try {
      loadExpectations(planLab(parseTopology(text, { file: 't.yaml', env: {} })));
      assert.fail('expected a TopologyError');
    } catch (e) {
      assert.ok(e instanceof TopologyError, String(e));
      assert.deepEqual(e.issues.map((i) => `${i.line}:${i.col} ${i.path}: ${i.message}`), [
        '5:16 verify[0].ping.from: "pod/web": pod and Service references need the lab\'s cluster, and this topology has no cluster section',
        '6:23 verify[1].ping.to: "svc/web": pod and Service references need the lab\'s cluster, and this topology has no cluster section',
        '7:23 verify[2].curl.to: "pod/a/b/c" is not one of pod/NAME, pod/NAMESPACE/NAME, svc/NAME, svc/NAMESPACE/NAME',
        '8:39 verify[3].traceroute.hops[0]: "svc/x" is not one of pod/NAME, pod/NAMESPACE/NAME',
      ]);
    }
  });

  test('a cluster node\'s agent (lab-agent k8s) counts as a BGP speaker', () => {
    assert.deepEqual(daemonsIn('node /opt/kindlab/dist/agent/cli.js k8s --node n --kubeconfig k --dialect cilium\nsh /var/lib/kindlab/node/agent.sh\n'), ['agent']);
    assert.deepEqual(daemonsIn('node /opt/kindlab/bin/lab-agent.js neighbor --json\n'), []);
  });
});
