/**
 * A Service's IP follows its pod: the real API server on loopback, two agents in-process for two nodes
 * (clab-bgp-cplane-demo-control-plane and -worker, Calico dialect), each peering over its own veth with one FRR
 * bgpd (AS 65000) in a netns. An externalTrafficPolicy Local service's /32 is advertised only by the node running
 * its ready pod: deleting the pod on node A withdraws the /32 from A's agent, recreating it on node B advertises it
 * from B's agent, and FRR sees the next hop change from A's address to B's. Needs root (netns).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ApiServerProcess, eventually } from './kubectl-helpers.js';
import { createNetnsPeer, type NetnsPeer } from '../interop/lib/netns.js';
import { startFrr, type Frr } from '../interop/lib/frr.js';
import { K8sAgent } from '../../src/agent/k8s/agent.js';
import { createLogger } from '../../src/bgp/session/log.js';

const NODE_A = 'clab-bgp-cplane-demo-control-plane';
const NODE_B = 'clab-bgp-cplane-demo-worker';

type BgpJson = { routes?: Record<string, Array<{ nexthops?: Array<{ ip: string }> }>> };

describe('lab-agent k8s: a Service IP moves with its pod (Calico eTP Local, two agents)', { timeout: 120_000 }, () => {
  let api: ApiServerProcess;
  let a: NetnsPeer; // FRR's netns, link to agent A
  let b: NetnsPeer; // link to agent B (its netns end is moved into a.ns)
  let frr: Frr | undefined;
  const agents: K8sAgent[] = [];
  let dir: string;
  const logs: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'kl-agent-move-'));
    api = new ApiServerProcess(ApiServerProcess.tempDir());
    await api.start();
    a = await createNetnsPeer('mvA');
    b = await createNetnsPeer('mvB');
    // One ToR with two links: move B's netns end into A's netns (a move drops addresses: set them again).
    await execa('ip', ['-n', b.ns, 'link', 'set', b.nsIf, 'netns', a.ns]);
    await execa('ip', ['-n', a.ns, 'addr', 'add', `${b.peer4}/30`, 'dev', b.nsIf]);
    await execa('ip', ['-n', a.ns, 'link', 'set', b.nsIf, 'up']);
  });
  after(async () => {
    for (const ag of agents) await ag.stop();
    await frr?.cleanup();
    await b?.cleanup();
    await a?.cleanup();
    await api?.stop();
    if (api) rmSync(api.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const nextHops = async (prefix: string): Promise<string[]> => {
    const j = await frr!.json<BgpJson>('show bgp ipv4 json');
    return (j.routes?.[prefix] ?? []).flatMap((p) => (p.nexthops ?? []).map((n) => n.ip)).sort();
  };
  const adjOut = (ag: K8sAgent, peerAddr: string) =>
    [...ag.bgp!.rib.routes({ family: 'ipv4-unicast', table: 'adj-out', peer: ag.bgp!.ribPeerOf(peerAddr)! })].map((r) => r.prefix);
  const runPod = async (name: string, node: string, ip: string) => {
    const r = await api.kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: default, labels: { app: web } }
spec: { nodeName: ${node}, containers: [{ name: web, image: nginx }] }
`);
    assert.equal(r.code, 0, r.stderr);
    const now = new Date().toISOString();
    await api.ok('patch', 'pod', name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } }));
  };

  test('delete the pod on node A, recreate it on node B: the /32 leaves A and FRR reaches it via B', async () => {
    frr = await startFrr(a, [
      'frr defaults datacenter', 'hostname tor0', 'router bgp 65000', ' bgp router-id 10.0.0.1', ' no bgp ebgp-requires-policy',
      ` neighbor ${a.host4} remote-as 64512`, ` neighbor ${a.host4} passive`, ` neighbor ${b.host4} remote-as 64512`, ` neighbor ${b.host4} passive`, '',
    ].join('\n'));
    const kubeIP = (await api.json<{ spec: { clusterIP: string } }>('get', 'service', 'kubernetes')).spec.clusterIP;
    const range = `${kubeIP.split('.').slice(0, 2).join('.')}.0.0/16`;
    const cfg = await api.kubectl(['apply', '-f', '-'], `apiVersion: crd.projectcalico.org/v1
kind: BGPConfiguration
metadata: { name: default }
spec:
  nodeToNodeMeshEnabled: false
  serviceClusterIPs:
  - cidr: ${range}
---
apiVersion: crd.projectcalico.org/v1
kind: BGPPeer
metadata: { name: tor-a }
spec: { node: ${NODE_A}, peerIP: ${a.peer4}, asNumber: 65000 }
---
apiVersion: crd.projectcalico.org/v1
kind: BGPPeer
metadata: { name: tor-b }
spec: { node: ${NODE_B}, peerIP: ${b.peer4}, asNumber: 65000 }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: default }
spec: { type: NodePort, externalTrafficPolicy: Local, selector: { app: web }, ports: [{ port: 80 }] }
`);
    assert.equal(cfg.code, 0, cfg.stderr);
    for (const [node, tag] of [[NODE_A, 'a'], [NODE_B, 'b']] as const) {
      const ag = new K8sAgent({
        node, kubeconfig: api.kubeconfig, dialect: 'calico', dialectArgs: [], admin: path.join(dir, `admin-${tag}.sock`),
        listen: { address: '0.0.0.0', port: 0 }, log: createLogger({ write: (l) => logs.push(l), fields: { node } }), fibNetns: false,
      });
      agents.push(ag);
      await ag.start();
    }
    const [agA, agB] = agents as [K8sAgent, K8sAgent];
    const up = (ag: K8sAgent, addr: string) => ag.bgp?.neighborStatus().find((n) => n.address === addr)?.state === 'Established';
    await eventually(async () => up(agA, a.peer4) && up(agB, b.peer4), 'both sessions Established', 20_000);
    // Both nodes advertise the service range; each from its own address.
    assert.deepEqual(await eventually(async () => { const h = await nextHops(range); return h.length === 2 ? h : undefined; }, 'range from both nodes'), [a.host4, b.host4].sort());

    const ip = (await api.json<{ spec: { clusterIP: string } }>('get', 'service', 'web')).spec.clusterIP;
    const host = `${ip}/32`;
    assert.deepEqual(await nextHops(host), [], 'no ready pod yet: nobody advertises the /32');

    await runPod('web-1', NODE_A, '10.1.0.10');
    assert.deepEqual(await eventually(async () => { const h = await nextHops(host); return h.length ? h : undefined; }, '/32 from node A'), [a.host4]);
    assert.ok(adjOut(agA, a.peer4).includes(host));
    assert.ok(!adjOut(agB, b.peer4).includes(host));
    const flaps = [agA, agB].map((ag) => ag.bgp!.neighborStatus()[0]!.flaps);

    // The pod moves: deleted on A, recreated on B.
    await api.ok('delete', 'pod', 'web-1', '--wait=false');
    await eventually(async () => (await nextHops(host)).length === 0, '/32 withdrawn from node A');
    assert.ok(!adjOut(agA, a.peer4).includes(host), "A's agent no longer advertises the /32");
    await runPod('web-2', NODE_B, '10.1.1.10');
    assert.deepEqual(await eventually(async () => { const h = await nextHops(host); return h.length ? h : undefined; }, '/32 from node B'), [b.host4], 'FRR reaches the service via node B now');
    assert.ok(adjOut(agB, b.peer4).includes(host));
    assert.ok(!adjOut(agA, a.peer4).includes(host));
    assert.deepEqual([agA, agB].map((ag) => ag.bgp!.neighborStatus()[0]!.flaps), flaps, 'no session reset on either node');
    assert.deepEqual(await nextHops(range), [a.host4, b.host4].sort(), 'the range stays on both nodes');
  });
});
