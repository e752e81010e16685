import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { writeKubeconfig } from '../apiserver/kubeconfig.js';
import { Registry } from '../apiserver/registry.js';
import { startApiServer, type RunningApiServer } from '../apiserver/server.js';
import { defaultSans, ensurePki } from '../apiserver/tls.js';
import { KubeClient, LEASES, loadKubeconfig, NODES } from '../client/index.js';
import { ControllerManager } from '../controllers/manager.js';
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import { NodeHeartbeat, nodeStatusPatch, statusPostDue } from './node-status.js';

describe('a node registered by the bootstrap is Ready only once its daemon posts status', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-node-status-'));
  const store = new ObjectStore({ historySize: 50 });
  const spec = parseKindCluster({ name: 'c', nodes: [{ role: 'control-plane' }, { role: 'worker' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  const controllers = new ControllerManager(reg, { requireHeartbeats: true, resyncMs: 50 });
  let srv: RunningApiServer;
  let client: KubeClient;
  before(async () => {
    bootstrapCluster(reg, spec, { awaitDaemons: true });
    controllers.start();
    const pki = await ensurePki(path.join(dir, 'pki'), defaultSans([]));
    srv = await startApiServer({ registry: reg, token: 't', host: '127.0.0.1', port: 0, tls: { cert: pki.serverCert, key: pki.serverKey } });
    writeKubeconfig(path.join(dir, 'kubeconfig'), { clusterName: 'c', server: srv.url, caCert: pki.caCert, token: 't' });
    client = new KubeClient(loadKubeconfig(path.join(dir, 'kubeconfig')));
  });
  after(async () => {
    controllers.stop();
    client.close();
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('registered not Ready (reason KindlabBootstrap); Ready after the first heartbeat; overlapping beats are one', async () => {
    const ready = async () => (await client.get(NODES, 'c-worker')).status?.conditions?.find((c) => c.type === 'Ready');
    const before = await ready();
    assert.deepEqual([before?.status, before?.reason], ['Unknown', 'KindlabBootstrap']);
    // the controller passes over it (resync every 50 ms) and leaves it: no Ready from a registration
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await ready())?.status, 'Unknown');

    const hb = new NodeHeartbeat(client, { nodeName: 'c-worker', nodeIPs: ['10.0.0.2'], intervalMs: 3_600_000, log: () => undefined });
    await hb.start();
    const after = await ready();
    assert.deepEqual([after?.status, after?.reason], ['True', 'KubeletReady']);
    const rv = (await client.get(LEASES, 'c-worker', 'kube-node-lease')).metadata.resourceVersion;
    // three beats asked for while one is in flight: one status post and one lease renewal
    const beats = [hb.beat(), hb.beat(), hb.beat()];
    assert.equal(beats[0], beats[1]);
    assert.equal(beats[1], beats[2]);
    await Promise.all(beats);
    const lease = await client.get(LEASES, 'c-worker', 'kube-node-lease');
    assert.equal(Number(lease.metadata.resourceVersion) > Number(rv), true);
    await hb.beat();
    assert.notEqual(hb.beat(), beats[0], 'a beat after the last one finished is a new one');
    await hb.beat();
    // beats after the first renewed the Lease only: the Node (watched by every daemon and agent) is unchanged
    const nodeRv = (await client.get(NODES, 'c-worker')).metadata.resourceVersion;
    await hb.beat();
    assert.equal((await client.get(NODES, 'c-worker')).metadata.resourceVersion, nodeRv);
    // the server's Ready differs from the daemon's (as after the controller marked it Unknown): the next beat posts it
    await client.patchStatus(NODES, 'c-worker', { status: { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }] } });
    await hb.beat();
    assert.equal((await ready())?.status, 'True');
    hb.stop();
    // the node the daemon never ran on stays not Ready
    assert.equal((await client.get(NODES, 'c-control-plane')).status?.conditions?.find((c) => c.type === 'Ready')?.status, 'Unknown');
  });
});

test('statusPostDue: the first beat, a changed Ready or address, a missing condition, every report interval', () => {
  const want = (ready: boolean, ips = ['10.0.0.2']) => nodeStatusPatch({ nodeName: 'w', nodeIPs: ips, now: 'T', ready });
  const node = { metadata: { name: 'w' }, status: want(true).status };
  assert.equal(statusPostDue(node, want(true), undefined, 0), true);
  assert.equal(statusPostDue(node, want(true), 0, 10_000), false);
  assert.equal(statusPostDue(node, want(false), 0, 10_000), true);
  assert.equal(statusPostDue(node, want(true, ['10.0.0.3']), 0, 10_000), true);
  assert.equal(statusPostDue({ metadata: { name: 'w' }, status: { addresses: want(true).status.addresses, conditions: want(true).status.conditions.slice(1) } }, want(true), 0, 10_000), true);
  assert.equal(statusPostDue(node, want(true), 0, 300_000), true);
});
