import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ControllerManager } from '../controllers/manager.js';
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import { bootstrapCluster } from './bootstrap.js';
import { Registry } from './registry.js';
import { startApiServer, type RunningApiServer } from './server.js';

describe('API server over HTTP (in-process, loopback)', () => {
  const store = new ObjectStore({ historySize: 20 });
  const spec = parseKindCluster({ name: 't', nodes: [{ role: 'control-plane' }, { role: 'worker' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  const ctl = new ControllerManager(reg, { resyncMs: 200 });
  let srv: RunningApiServer;
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`${srv.url}${path}`, { method, headers: { authorization: 'Bearer tok', 'content-type': 'application/json', ...headers }, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    return { code: r.status, body: (await r.json()) as Record<string, any> };
  };
  before(async () => {
    bootstrapCluster(reg, spec);
    srv = await startApiServer({ registry: reg, token: 'tok', host: '127.0.0.1', port: 0, watch: { bookmarkIntervalMs: 100 } });
    ctl.start();
  });
  after(async () => {
    ctl.stop();
    await srv.close();
  });

  test('token required; discovery lists the BGP kinds as built-in groups', async () => {
    assert.equal((await fetch(`${srv.url}/api/v1/pods`)).status, 401);
    const groups = (await call('GET', '/apis')).body.groups.map((g: { name: string }) => g.name);
    for (const g of ['apps', 'discovery.k8s.io', 'cilium.io', 'crd.projectcalico.org', 'kubeovn.io', 'networking.k8s.io']) assert.ok(groups.includes(g), g);
    const cilium = (await call('GET', '/apis/cilium.io/v2')).body.resources.map((r: { name: string }) => r.name);
    assert.ok(cilium.includes('ciliumbgpclusterconfigs') && cilium.includes('ciliumbgpadvertisements'));
    const calico = (await call('GET', '/apis/crd.projectcalico.org/v1')).body.resources;
    assert.equal(calico.find((r: { name: string }) => r.name === 'bgppeers').namespaced, false);
  });

  test('create defaults, status subresource, generation, 409 on stale update, 404 for a missing namespace', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    const c = await call('POST', '/api/v1/namespaces/default/pods', pod);
    assert.equal(c.code, 201);
    assert.equal(c.body.status.phase, 'Pending');
    assert.equal(c.body.metadata.generation, 1);
    assert.equal(c.body.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    const st = await call('PATCH', '/api/v1/namespaces/default/pods/p1/status', { status: { phase: 'Running' }, spec: { nodeName: 'ignored' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(st.body.status.phase, 'Running');
    assert.equal(st.body.spec.nodeName === 'ignored', false, 'status writes do not change spec');
    const upd = await call('PATCH', '/api/v1/namespaces/default/pods/p1', { status: { phase: 'Failed' }, metadata: { labels: { a: 'b' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(upd.body.status.phase, 'Running', 'main resource writes keep status');
    const stale = await call('PUT', '/api/v1/namespaces/default/pods/p1', { ...c.body });
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
    const missing = await call('POST', '/api/v1/namespaces/nope/configmaps', { metadata: { name: 'x' } });
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'namespaces "nope" not found');
    const bad = await call('PATCH', '/api/v1/namespaces/default/pods/p1', '{"x":', { 'content-type': 'application/merge-patch+json' });
    assert.equal(bad.code, 400);
    assert.equal((await call('PATCH', '/api/v1/namespaces/default/pods/p1', '{}', { 'content-type': 'text/plain' })).code, 415);
    const plainExec = await call('POST', '/api/v1/namespaces/default/pods/p1/exec');
    assert.equal(plainExec.code, 400);
    assert.match(plainExec.body.message, /Upgrade request required.*v5\.channel\.k8s\.io/);
  });

  test('pods/portforward: the transports and protocol offers it cannot serve are refused with a Status', async () => {
    const upgrade = (path: string, headers: Record<string, string>) =>
      new Promise<{ code: number; body: Record<string, any> }>((resolve, reject) => {
        const u = new URL(srv.url);
        const req = http.request({ host: u.hostname, port: u.port, path, method: 'POST', headers: { authorization: 'Bearer tok', connection: 'Upgrade', ...headers } });
        req.on('upgrade', () => reject(new Error('upgraded')));
        req.on('response', (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, any> }));
        });
        req.on('error', reject);
        req.end();
      });
    const ws = { upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
    const wrongSub = await upgrade('/api/v1/namespaces/default/pods/p1/portforward', { ...ws, 'sec-websocket-protocol': 'v5.channel.k8s.io' });
    assert.equal(wrongSub.code, 400);
    assert.match(wrongSub.body.message, /needs the subprotocol SPDY\/3\.1\+portforward\.k8s\.io; offered: v5\.channel\.k8s\.io/);
    const wrongVersion = await upgrade('/api/v1/namespaces/default/pods/p1/portforward', { upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'portforward.k8s.io.v2' });
    assert.equal(wrongVersion.code, 403);
    assert.match(wrongVersion.body.message, /unable to negotiate protocol/);
    const h2c = await upgrade('/api/v1/namespaces/default/pods/p1/portforward', { upgrade: 'h2c' });
    assert.equal(h2c.code, 400);
    const missing = await upgrade('/api/v1/namespaces/default/pods/nope/portforward', { upgrade: 'SPDY/3.1', 'x-stream-protocol-version': 'portforward.k8s.io' });
    assert.equal(missing.code, 404);
    assert.equal(missing.body.reason, 'NotFound');
  });

  test('server-side apply creates then merges; table output has the kubectl columns', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n';
    assert.equal((await call('PATCH', '/api/v1/namespaces/default/configmaps/cfg?fieldManager=kubectl', yaml, { 'content-type': 'application/apply-patch+yaml' })).code, 201);
    const again = await call('PATCH', '/api/v1/namespaces/default/configmaps/cfg?fieldManager=kubectl', 'data:\n  b: "2"\n', { 'content-type': 'application/apply-patch+yaml' });
    assert.deepEqual(again.body.data, { a: '1', b: '2' });
    const t = await call('GET', '/api/v1/nodes', undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(t.body.kind, 'Table');
    assert.deepEqual(t.body.columnDefinitions.map((c: { name: string }) => c.name).slice(0, 6), ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP']);
    assert.deepEqual(t.body.rows.map((r: { cells: string[] }) => r.cells[0]), ['t-control-plane', 't-worker']);
  });

  test('watch: selector exit → DELETED, bookmarks, 410 Expired once the window has moved on', async () => {
    const ctrl = new AbortController();
    const r = await fetch(`${srv.url}/api/v1/namespaces/default/configmaps?watch=true&labelSelector=team%3Dblue&allowWatchBookmarks=true`, { headers: { authorization: 'Bearer tok' }, signal: ctrl.signal });
    const reader = r.body!.getReader();
    const seen: Array<{ type: string; object: { metadata: { name?: string; resourceVersion: string } } }> = [];
    let buf = '';
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buf += Buffer.from(value!).toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          seen.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
      }
    })();
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'w1', labels: { team: 'blue' } } });
    await call('PATCH', '/api/v1/namespaces/default/configmaps/w1', { metadata: { labels: { team: 'red' } } }, { 'content-type': 'application/merge-patch+json' });
    await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'other' } });
    await new Promise((res) => setTimeout(res, 350));
    ctrl.abort();
    await pump;
    const typed = seen.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type}:${e.object.metadata.name}`);
    assert.deepEqual(typed, ['ADDED:w1', 'DELETED:w1']);
    assert.ok(seen.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) >= store.resourceVersion - 1));
    const old = store.resourceVersion;
    for (let i = 0; i < 25; i++) await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `fill-${i}` } });
    const gone = await (await fetch(`${srv.url}/api/v1/configmaps?watch=1&resourceVersion=${old}&timeoutSeconds=1`, { headers: { authorization: 'Bearer tok' } })).text();
    const ev = JSON.parse(gone.split('\n')[0]!);
    assert.deepEqual([ev.type, ev.object.code, ev.object.reason], ['ERROR', 410, 'Expired']);
  });

  test('deleting a deployment garbage-collects its replicaset and pods; deleting a namespace its contents', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'team' } });
    const dep = { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } };
    assert.equal((await call('POST', '/apis/apps/v1/namespaces/team/deployments', dep)).code, 201);
    const until = async (f: () => Promise<boolean>) => {
      for (let i = 0; i < 100 && !(await f()); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(await f());
    };
    await until(async () => (await call('GET', '/api/v1/namespaces/team/pods')).body.items.length === 2);
    await call('DELETE', '/apis/apps/v1/namespaces/team/deployments/web');
    await until(async () => (await call('GET', '/api/v1/namespaces/team/pods')).body.items.length === 0 && (await call('GET', '/apis/apps/v1/namespaces/team/replicasets')).body.items.length === 0);
    await call('POST', '/api/v1/namespaces/team/configmaps', { metadata: { name: 'c' } });
    await call('DELETE', '/api/v1/namespaces/team');
    assert.equal((await call('GET', '/api/v1/namespaces/team/configmaps/c')).code, 404);
  });
});
