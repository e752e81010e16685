/**
 * The real kubectl (/usr/bin/kubectl, v1.32) against the embedded API server process on
 * 127.0.0.1 (random port, temp data dir, temp kubeconfig, TLS with the per-lab CA).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiServerProcess, eventually, FIXTURES, KUBECTL, tableRows } from './kubectl-helpers.js';

const CP = 'clab-bgp-cplane-demo-control-plane';
const W = (n = '') => `clab-bgp-cplane-demo-worker${n}`;

describe('kubectl against the embedded API server', () => {
  const dir = ApiServerProcess.tempDir();
  const srv = new ApiServerProcess(dir, ['--bookmark-interval-ms', '300']);
  before(() => srv.start());
  after(async () => {
    await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('kubeconfig uses TLS with the lab CA and a token; no token → 401', async () => {
    const kc = fs.readFileSync(srv.kubeconfig, 'utf8');
    assert.match(kc, /server: https:\/\/127\.0\.0\.1:\d+/);
    assert.match(kc, /certificate-authority-data: /);
    assert.match(kc, /token: [0-9a-f]{48}/);
    const server = kc.match(/server: (\S+)/)![1]!;
    const r = await srv.kubectl(['--server', server, '--token', 'wrong', '--insecure-skip-tls-verify', 'get', 'pods'], undefined);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized|must be logged in/);
  });

  test('kubectl get nodes -o wide: the article cluster, Ready, roles, node IPs, pod CIDRs', async () => {
    const rows = tableRows(await srv.ok('get', 'nodes', '-o', 'wide'));
    assert.deepEqual(rows.map((r) => [r.NAME, r.STATUS, r.ROLES, r['INTERNAL-IP']]), [
      [CP, 'Ready', 'control-plane', '10.0.1.2'],
      [W(), 'Ready', '<none>', '10.0.2.2'],
      [W('2'), 'Ready', '<none>', '10.0.3.2'],
      [W('3'), 'Ready', '<none>', '10.0.4.2'],
    ]);
    assert.ok(rows.every((r) => r.VERSION === 'v1.32.0-kindlab' && /^\d+s$/.test(r.AGE!)));
    const nodes = await srv.json<{ items: Array<{ metadata: { name: string; labels: Record<string, string> }; spec: { podCIDR: string } }> }>('get', 'nodes');
    assert.deepEqual(nodes.items.map((n) => n.spec.podCIDR), ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24', '10.1.3.0/24']);
    assert.deepEqual(nodes.items.map((n) => n.metadata.labels.rack), ['rack0', 'rack0', 'rack1', 'rack1']);
    assert.equal(await srv.ok('get', 'svc', 'kubernetes', '-o', 'template', '--template={{.spec.clusterIP}}'), '10.96.0.1');
  });

  test('kubectl apply -f nettool.yaml: pods scheduled by nodeSelector rack, not on the tainted control plane', async () => {
    assert.match(await srv.ok('apply', '-f', path.join(FIXTURES, 'nettool.yaml')), /pod\/nettool-1 created\npod\/nettool-2 created/);
    const rows = await eventually(async () => {
      const r = tableRows(await srv.ok('get', 'pods', '-o', 'wide'));
      return r.every((x) => x.NODE !== '<none>') && r;
    }, 'pods scheduled');
    assert.deepEqual(Object.keys(rows[0]!).slice(0, 7), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    assert.deepEqual(rows.map((r) => [r.NAME, r.READY, r.STATUS, r.NODE]), [
      ['nettool-1', '0/1', 'Pending', W()],
      ['nettool-2', '0/1', 'Pending', W('2')],
    ]);
    assert.match(await srv.ok('apply', '-f', path.join(FIXTURES, 'nettool.yaml')), /nettool-1 unchanged/);
  });

  test('kubectl apply -f cilium-bgp-peering-policies.yaml (cluster-scoped CRD kind, re-apply, change)', async () => {
    const file = path.join(FIXTURES, 'cilium-bgp-peering-policies.yaml');
    assert.match(await srv.ok('apply', '-f', file), /ciliumbgppeeringpolicy.cilium.io\/rack0 created/);
    assert.match(await srv.ok('apply', '-f', file), /rack1 unchanged/);
    const changed = fs.readFileSync(file, 'utf8').replace('peerASN: 65011', 'peerASN: 65111');
    const r = await srv.kubectl(['apply', '-f', '-'], changed);
    assert.match(r.stdout, /rack1 configured/);
    const p = await srv.json('get', 'ciliumbgppeeringpolicy', 'rack1');
    assert.equal(p.apiVersion, 'cilium.io/v2alpha1');
    assert.equal(p.metadata.namespace, undefined);
    assert.equal(p.spec.virtualRouters[0].neighbors[0].peerASN, 65111);
    assert.deepEqual(p.spec.nodeSelector, { matchLabels: { rack: 'rack1' } });
  });

  test('create deployment, expose, clusterIP, NodePort + eTP Local, externalIPs, endpoint slices from ready pods', async () => {
    assert.match(await srv.ok('create', 'deployment', 'nginx', '--image=nginx'), /deployment.apps\/nginx created/);
    assert.match(await srv.ok('expose', 'deployment', 'nginx', '--port=80'), /service\/nginx exposed/);
    const ip = await srv.ok('get', 'svc', 'nginx', '-o', 'template', '--template={{.spec.clusterIP}}');
    assert.match(ip, /^10\.96\.\d+\.\d+$/);
    assert.notEqual(ip, '10.96.0.1');
    await srv.ok('patch', 'svc', 'nginx', '-p', '{"spec":{"type":"NodePort","externalTrafficPolicy":"Local"}}');
    await srv.ok('patch', 'svc', 'nginx', '-p', '{"spec":{"externalIPs":["192.168.3.180"]}}');
    const svc = await srv.json('get', 'svc', 'nginx');
    assert.equal(svc.spec.type, 'NodePort');
    assert.equal(svc.spec.externalTrafficPolicy, 'Local');
    assert.equal(svc.spec.clusterIP, ip, 'clusterIP kept across patches');
    assert.deepEqual(svc.spec.externalIPs, ['192.168.3.180']);
    assert.ok(svc.spec.ports[0].nodePort >= 30000 && svc.spec.ports[0].nodePort <= 32767);
    assert.equal(svc.spec.ports[0].targetPort, 80);
    await srv.ok('patch', 'svc', 'nginx', '-p', '{"spec":{"externalIPs":["192.168.3.181"]}}');
    assert.deepEqual((await srv.json('get', 'svc', 'nginx')).spec.externalIPs, ['192.168.3.181'], 'externalIPs is a replace list');
    const row = tableRows(await srv.ok('get', 'svc', 'nginx'))[0]!;
    assert.deepEqual([row.TYPE, row['CLUSTER-IP'], row['EXTERNAL-IP'], row['PORT(S)']], ['NodePort', ip, '192.168.3.181', `80:${svc.spec.ports[0].nodePort}/TCP`]);

    const pod = await eventually(async () => {
      const pods = await srv.json('get', 'pods', '-l', 'app=nginx');
      return pods.items.length === 1 && pods.items[0].spec.nodeName && pods.items[0];
    }, 'nginx pod scheduled');
    assert.match(pod.metadata.name, /^nginx-[a-z0-9]{10}-[a-z0-9]{5}$/);
    const slice = async () => (await srv.json('get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx')).items[0];
    assert.deepEqual((await eventually(slice, 'endpointslice')).endpoints, []);
    // The node daemon will report this; here the test plays its part through the status subresource.
    const status = { status: { phase: 'Running', podIP: '10.1.1.5', podIPs: [{ ip: '10.1.1.5' }], conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, image: 'nginx', imageID: '', state: { running: {} } }] } };
    await srv.ok('patch', 'pod', pod.metadata.name, '--subresource=status', '--type=merge', '-p', JSON.stringify(status));
    const s = await eventually(async () => {
      const x = await slice();
      return x.endpoints.length === 1 && x;
    }, 'endpoint for the ready pod');
    assert.deepEqual(s.endpoints[0].addresses, ['10.1.1.5']);
    assert.equal(s.endpoints[0].conditions.ready, true);
    assert.equal(s.endpoints[0].nodeName, pod.spec.nodeName);
    assert.deepEqual(s.ports, [{ name: '', port: 80, protocol: 'TCP' }]);
    const ep = await srv.json('get', 'endpoints', 'nginx');
    assert.deepEqual(ep.subsets[0].addresses.map((a: { ip: string }) => a.ip), ['10.1.1.5']);
    const wide = tableRows(await srv.ok('get', 'pods', '-o', 'wide', '-l', 'app=nginx'))[0]!;
    assert.deepEqual([wide.READY, wide.STATUS, wide.IP, wide.NODE], ['1/1', 'Running', '10.1.1.5', pod.spec.nodeName]);
    await eventually(async () => tableRows(await srv.ok('get', 'deploy', 'nginx'))[0]!.READY === '1/1', 'deployment ready 1/1');
  });

  test('kubectl scale up and down; kubectl delete deployment removes its pods', async () => {
    await srv.ok('scale', 'deployment', 'nginx', '--replicas=3');
    const pods = await eventually(async () => {
      const p = await srv.json('get', 'pods', '-l', 'app=nginx');
      return p.items.length === 3 && p.items.every((x: { spec: { nodeName?: string } }) => x.spec.nodeName) && p.items;
    }, '3 replicas');
    const nodes = new Set(pods.map((p: { spec: { nodeName: string } }) => p.spec.nodeName));
    assert.equal(nodes.size, 3, 'spread over the three workers');
    assert.ok(!nodes.has(CP));
    await srv.ok('scale', 'deployment', 'nginx', '--replicas=1');
    await eventually(async () => (await srv.json('get', 'pods', '-l', 'app=nginx')).items.length === 1, 'scaled down to 1');
    const left = (await srv.json('get', 'pods', '-l', 'app=nginx')).items[0];
    assert.equal(left.status.podIP, '10.1.1.5', 'the ready pod is kept when scaling down');
  });

  test('annotate, remove with "-", label, label selectors, field selectors', async () => {
    await srv.ok('annotate', 'pod', 'nettool-1', 'ovn.kubernetes.io/bgp=true');
    assert.equal((await srv.json('get', 'pod', 'nettool-1')).metadata.annotations['ovn.kubernetes.io/bgp'], 'true');
    await srv.ok('annotate', 'pod', 'nettool-1', 'ovn.kubernetes.io/bgp-');
    assert.equal((await srv.json('get', 'pod', 'nettool-1')).metadata.annotations?.['ovn.kubernetes.io/bgp'], undefined);
    await srv.ok('label', 'pod', 'nettool-2', 'tier=tools');
    await srv.ok('label', 'node', W('3'), 'bgp=enabled');
    const names = async (...a: string[]) => (await srv.json('get', ...a)).items.map((x: { metadata: { name: string } }) => x.metadata.name);
    assert.deepEqual(await names('pods', '-l', 'tier=tools'), ['nettool-2']);
    assert.deepEqual(await names('pods', '-l', 'run in (nettool-1,nettool-2),tier!=tools'), ['nettool-1']);
    assert.deepEqual(await names('pods', '-l', '!tier,run'), ['nettool-1']);
    assert.deepEqual(await names('nodes', '-l', 'rack=rack1,bgp'), [W('3')]);
    assert.deepEqual(await names('pods', '--field-selector', `spec.nodeName=${W('2')}`), ['nettool-2']);
    assert.deepEqual(await names('pods', '--field-selector', 'status.phase=Running'), (await names('pods', '-l', 'app=nginx')));
    const r = await srv.kubectl(['get', 'pods', '--field-selector', 'spec.bogus=1']);
    assert.match(r.stderr, /BadRequest|not a known field selector/);
  });

  test('kubectl get pods -w streams a change', async () => {
    const w = spawn(KUBECTL, ['get', 'pods', '-w', '--output-watch-events'], { env: { KUBECONFIG: srv.kubeconfig } });
    let out = '';
    w.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await eventually(async () => /nettool-1/.test(out), 'initial list');
      await srv.ok('run', 'watched', '--image=busybox', '--restart=Never');
      await eventually(async () => /ADDED\s+watched\s+0\/1\s+Pending/.test(out), 'ADDED watched');
      await srv.ok('delete', 'pod', 'watched');
      await eventually(async () => /DELETED\s+watched/.test(out), 'DELETED watched');
    } finally {
      w.kill();
    }
  });

  test('malformed manifests, unknown kinds and bad patches → Status errors, nothing changed', async () => {
    const rv = async () => (await srv.json('get', 'svc', 'nginx')).metadata.resourceVersion;
    const before = await rv();
    const podsBefore = await srv.ok('get', 'pods', '-o', 'name');
    let r = await srv.kubectl(['apply', '-f', path.join(FIXTURES, 'malformed-pod.yaml')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Pod "Bad_Name" is invalid/);
    assert.match(r.stderr, /spec\.containers: Required value/);
    r = await srv.kubectl(['apply', '-f', path.join(FIXTURES, 'unknown-kind.yaml')]);
    assert.match(r.stderr, /no matches for kind "Widget" in version "example.com\/v1"/);
    r = await srv.kubectl(['apply', '-f', path.join(FIXTURES, 'bad-service.yaml')]);
    assert.match(r.stderr, /spec\.externalTrafficPolicy: Invalid value: "Local"/);
    assert.match(r.stderr, /spec\.externalIPs\[0\]: Invalid value: "not-an-ip"/);
    // a single-stack (IPv4) cluster: a Service that requires dual-stack is refused as kube-apiserver words it
    r = await srv.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dual' }, spec: { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] } }));
    assert.match(r.stderr, /The Service "dual" is invalid: spec\.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services/);
    r = await srv.kubectl(['patch', 'svc', 'nginx', '--type=json', '-p', '[{"op":"remove","path":"/spec/nope"}]']);
    assert.match(r.stderr, /Error from server \(BadRequest\)/);
    r = await srv.kubectl(['patch', 'svc', 'nginx', '-p', '{"spec":{"ports":[{"port":80,"nodePort":80}]}}']);
    assert.match(r.stderr, /nodePort: Invalid value: 80: provided port is not in the valid range/);
    r = await srv.kubectl(['patch', 'svc', 'nginx', '-p', '{"spec":{"clusterIP":"10.96.9.9"}}']);
    assert.match(r.stderr, /field is immutable/);
    r = await srv.kubectl(['patch', 'svc', 'nginx', '--type=merge', '-p', '{"metadata":{"resourceVersion":"1","labels":{"stale":"yes"}}}']);
    assert.match(r.stderr, /Conflict|the object has been modified/);
    r = await srv.kubectl(['get', 'pod', 'no-such-pod']);
    assert.match(r.stderr, /Error from server \(NotFound\): pods "no-such-pod" not found/);
    r = await srv.kubectl(['create', 'namespace', 'Bad_NS']);
    assert.match(r.stderr, /Invalid value: "Bad_NS"/);
    assert.equal(await rv(), before, 'service unchanged');
    assert.equal(await srv.ok('get', 'pods', '-o', 'name'), podsBefore, 'no pods created');
  });

  test('kubectl delete -f removes what apply created', async () => {
    assert.match(await srv.ok('delete', '-f', path.join(FIXTURES, 'nettool.yaml')), /pod "nettool-1" deleted\npod "nettool-2" deleted/);
    assert.match(await srv.ok('delete', '-f', path.join(FIXTURES, 'cilium-bgp-peering-policies.yaml')), /rack0" deleted/);
    const r = await srv.kubectl(['get', 'pod', 'nettool-1']);
    assert.match(r.stderr, /not found/);
    assert.equal((await srv.json('get', 'ciliumbgppeeringpolicies')).items.length, 0);
  });

  test('watch: bookmarks when allowed; an rv from before a restart → 410 Expired; state survives the restart', async () => {
    const raw = await srv.ok('get', '--raw', '/api/v1/namespaces?watch=1&allowWatchBookmarks=true&timeoutSeconds=1');
    const events = raw.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { resourceVersion: string } } });
    assert.deepEqual(events.filter((e) => e.type === 'ADDED').length, 4);
    const bm = events.find((e) => e.type === 'BOOKMARK');
    assert.ok(bm && Number(bm.object.metadata.resourceVersion) > 0, 'bookmark with the current resourceVersion');

    const svcBefore = await srv.json('get', 'svc', 'nginx');
    const rvBefore = Number(svcBefore.metadata.resourceVersion);
    await srv.stop();
    await srv.start();
    const svcAfter = await srv.json('get', 'svc', 'nginx');
    assert.deepEqual(svcAfter.spec, svcBefore.spec);
    assert.equal(svcAfter.metadata.uid, svcBefore.metadata.uid);
    assert.equal(tableRows(await srv.ok('get', 'nodes')).length, 4, 'nodes not registered twice');
    await srv.ok('label', 'svc', 'nginx', 'after=restart');
    assert.ok(Number((await srv.json('get', 'svc', 'nginx')).metadata.resourceVersion) > rvBefore, 'resourceVersion keeps growing');
    const gone = await srv.ok('get', '--raw', `/api/v1/pods?watch=1&resourceVersion=${rvBefore - 1}&timeoutSeconds=1`);
    const ev = JSON.parse(gone.trim().split('\n')[0]!);
    assert.equal(ev.type, 'ERROR');
    assert.equal(ev.object.code, 410);
    assert.equal(ev.object.reason, 'Expired');
  });
});
