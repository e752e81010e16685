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
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import { KubeClient } from './client.js';
import { KubeApiError } from './errors.js';
import { Informer, type Change } from './informer.js';
import { loadKubeconfig } from './kubeconfig.js';
import { LineSplitter } from './lines.js';
import { PODS } from './resources.js';
import type { Pod } from './types.js';

const pod = (name: string, nodeName?: string): Pod => ({ metadata: { name, namespace: 'default' }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] } });
const until = async (what: string, fn: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('KubeClient against the real API server over HTTPS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kl-client-'));
  const store = new ObjectStore({ historySize: 5 });
  const spec = parseKindCluster({ name: 'c', nodes: [{ role: 'control-plane' }, { role: 'worker' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  let srv: RunningApiServer;
  let client: KubeClient;
  before(async () => {
    bootstrapCluster(reg, spec);
    const pki = await ensurePki(path.join(dir, 'pki'), defaultSans([]));
    srv = await startApiServer({ registry: reg, token: 'secret-token', host: '127.0.0.1', port: 0, tls: { cert: pki.serverCert, key: pki.serverKey }, watch: { bookmarkIntervalMs: 100 } });
    writeKubeconfig(path.join(dir, 'kubeconfig'), { clusterName: 'c', server: srv.url, caCert: pki.caCert, token: 'secret-token' });
    client = new KubeClient(loadKubeconfig(path.join(dir, 'kubeconfig')));
  });
  after(async () => {
    client.close();
    await srv.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('CRUD, field selectors, status subresource, Status errors', async () => {
    const created = await client.create(PODS, pod('a', 'c-worker'));
    assert.equal(created.kind, 'Pod');
    assert.ok(created.metadata.uid);
    await client.create(PODS, pod('b', 'c-control-plane'));
    const onWorker = await client.list(PODS, { namespace: 'default', fieldSelector: 'spec.nodeName=c-worker' });
    assert.deepEqual(onWorker.items.map((p) => p.metadata.name), ['a']);
    const st = await client.patchStatus(PODS, 'a', { status: { phase: 'Running', podIP: '10.244.1.5' } }, { namespace: 'default' });
    assert.equal(st.status?.podIP, '10.244.1.5');
    const stale = { ...created, metadata: { ...created.metadata, labels: { x: 'y' } } };
    await assert.rejects(client.update(PODS, stale), (e: unknown) => e instanceof KubeApiError && e.conflict && /modified/.test(e.message));
    await assert.rejects(client.get(PODS, 'nope', 'default'), (e: unknown) => e instanceof KubeApiError && e.notFound && e.reason === 'NotFound' && /pods "nope" not found/.test(e.message));
    await client.delete(PODS, 'b', { namespace: 'default' });
    await assert.rejects(client.get(PODS, 'b', 'default'), (e: unknown) => e instanceof KubeApiError && e.notFound);
  });

  test('a wrong token is refused with 401', async () => {
    const bad = new KubeClient({ ...client.config, token: 'wrong' });
    await assert.rejects(bad.list(PODS), (e: unknown) => e instanceof KubeApiError && e.statusCode === 401);
    bad.close();
  });

  test('informer: list then watch; a 410 after the history window relists and reports missed deletions', async () => {
    const inf = new Informer(client, PODS, { namespace: 'default', fieldSelector: 'spec.nodeName=c-worker', backoffMs: 20 });
    const seen: Array<Change<Pod>> = [];
    inf.onChange((c) => seen.push(c));
    await inf.start();
    assert.deepEqual(inf.list().map((p) => p.metadata.name), ['a']);
    await client.create(PODS, pod('w1', 'c-worker'));
    await client.create(PODS, pod('elsewhere', 'c-control-plane'));
    await until('w1 added', () => !!inf.get('default', 'w1'));
    assert.equal(inf.get('default', 'elsewhere'), undefined, 'field selector applies to the watch');
    inf.stop();
    // While it is stopped, more changes than the history (5) holds.
    await client.delete(PODS, 'w1', { namespace: 'default' });
    for (let i = 0; i < 8; i++) await client.create(PODS, pod(`x${i}`, 'c-control-plane'));
    await client.create(PODS, pod('w2', 'c-worker'));
    const listsBefore = inf.lists;
    await inf.start();
    await until('w2 after relist', () => !!inf.get('default', 'w2'));
    assert.equal(inf.lists, listsBefore + 1, 'relisted after 410');
    assert.ok(seen.some((c) => c.type === 'DELETED' && c.object.metadata.name === 'w1'), 'missed delete reported');
    // Keeps watching after the relist.
    await client.patch(PODS, 'w2', { metadata: { labels: { v: '2' } } }, { namespace: 'default' });
    await until('w2 modified', () => inf.get('default', 'w2')?.metadata.labels?.v === '2');
    inf.stop();
  });

  test('watch from an expired resourceVersion yields a 410 ERROR event', async () => {
    const events = [];
    for await (const ev of client.watch(PODS, { resourceVersion: '1', timeoutSeconds: 1 })) events.push(ev);
    assert.equal(events[0]?.type, 'ERROR');
    assert.equal((events[0]?.object as { code?: number }).code, 410);
  });
});

test('LineSplitter: lines cut anywhere, multi-byte characters across chunks', () => {
  const s = new LineSplitter();
  const text = Buffer.from('{"a":"é"}\n{"b":2}\n{"c"');
  const out = [...s.push(text.subarray(0, 7)), ...s.push(text.subarray(7, 12)), ...s.push(text.subarray(12)), ...s.push(Buffer.from(':3}')), ...s.end()];
  assert.deepEqual(out, ['{"a":"é"}', '{"b":2}', '{"c":3}']);
});
