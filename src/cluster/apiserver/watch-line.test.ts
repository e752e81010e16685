import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { parseKindCluster } from '../kind-config.js';
import { ObjectStore } from '../store/store.js';
import { bootstrapCluster } from './bootstrap.js';
import { Registry } from './registry.js';
import { startApiServer } from './server.js';
import { eventLine } from './watch.js';

test('eventLine: one serialization per object and key, shared; another object or key makes its own', () => {
  const a = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a' } };
  let made = 0;
  const make = () => `${JSON.stringify({ n: ++made })}\n`;
  const l1 = eventLine(a, 'ADDED pods', make);
  assert.equal(eventLine(a, 'ADDED pods', make), l1);
  assert.equal(made, 1);
  eventLine(a, 'MODIFIED pods', make);
  eventLine({ ...a }, 'ADDED pods', make);
  assert.equal(made, 3);
});

/** Reads a watch's lines until `n` events came. */
function watchLines(url: string, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { authorization: 'Bearer tok' } }, (res) => {
      let buf = '';
      res.on('data', (b: Buffer) => {
        buf += b.toString();
        const lines = buf.split('\n').filter(Boolean);
        if (lines.length >= n) {
          req.destroy();
          resolve(lines.slice(0, n));
        }
      });
    });
    req.on('error', reject);
  });
}

test('watchers of the same kind and version get the same bytes; each still gets its own version and its own selector view', async () => {
  const store = new ObjectStore({ historySize: 50 });
  const spec = parseKindCluster({ name: 't', nodes: [{ role: 'control-plane' }] });
  const reg = new Registry(store, { podSubnet: spec.podSubnet, serviceSubnet: spec.serviceSubnet, nodeCidrMask: 24, nodeOrder: spec.nodes.map((n) => n.name) });
  bootstrapCluster(reg, spec);
  const srv = await startApiServer({ registry: reg, token: 'tok', host: '127.0.0.1', port: 0, watch: { bookmarkIntervalMs: 60_000 } });
  try {
    const rv = store.resourceVersion;
    const all = [watchLines(`${srv.url}/api/v1/pods?watch=true&resourceVersion=${rv}`, 3), watchLines(`${srv.url}/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`, 3)];
    const labelled = watchLines(`${srv.url}/api/v1/pods?watch=true&resourceVersion=${rv}&labelSelector=app%3Dx`, 2);
    await new Promise((r) => setTimeout(r, 100));
    const post = (name: string, labels: Record<string, string>) => fetch(`${srv.url}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { authorization: 'Bearer tok', 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }) });
    await post('p1', { app: 'x' });
    await post('p2', {});
    await fetch(`${srv.url}/api/v1/namespaces/default/pods/p1`, { method: 'PATCH', headers: { authorization: 'Bearer tok', 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ metadata: { labels: { app: 'y' } } }) });
    const [a, b] = await Promise.all(all);
    assert.deepEqual(a, b);
    assert.deepEqual(a!.map((l) => [JSON.parse(l).type, JSON.parse(l).object.metadata.name, JSON.parse(l).object.kind, JSON.parse(l).object.apiVersion]), [['ADDED', 'p1', 'Pod', 'v1'], ['ADDED', 'p2', 'Pod', 'v1'], ['MODIFIED', 'p1', 'Pod', 'v1']]);
    // the selector's watch: p1 left the selection, so it sees a DELETED of the same object
    assert.deepEqual((await labelled).map((l) => [JSON.parse(l).type, JSON.parse(l).object.metadata.labels.app]), [['ADDED', 'x'], ['DELETED', 'y']]);
  } finally {
    await srv.close();
  }
});
