/**
 * Issue 16, "the API server stays responsive with 100 nodes and 2,000 pods": the API server process alone
 * (no Docker), as the lab runs it (dist/cluster/apiserver/main.js, --require-heartbeats), with N simulated
 * nodes: each node's real heartbeat code (NodeHeartbeat: its status once, its Lease every 10 s) and, per node,
 * the watches a node runs (the daemon's and the agent's: pods of every namespace ×2, nodes ×2, drained, not parsed).
 * Then a Deployment of P pods that stay Pending (a nodeSelector no node has), and with them all in the store:
 *   time until the ReplicaSet created them all; the server's CPU share while only heartbeats arrive (idle);
 *   a raw LIST of every pod (the client, JSON); `kubectl get pods -A` (server-side Table);
 *   PATCH → MODIFIED on a watch of the namespace, 100 in a row; the server's CPU seconds and peak RSS.
 * `--lab DIR` runs another built checkout alongside this one (rounds alternate), `--cpu-prof DIR` writes the
 * server's CPU profiles there.
 *   npx tsc -p tsconfig.json && node --import tsx bench/apiserver-scale.ts [--nodes 100] [--pods 2000] [--rounds 1] [--lab /tmp/base]
 * No assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeClient, loadKubeconfig, PODS, resourceType, type KubeObject, type Pod } from '../src/cluster/client/index.js';
import { NodeHeartbeat } from '../src/cluster/node/node-status.js';
import { watchPatchLatency } from './lib/watch-latency.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100' },
    pods: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '1' },
    lab: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'idle-s': { type: 'string', default: '10' },
  },
});
const N = Number(values.nodes);
const P = Number(values.pods);
const THIS = resolve(import.meta.dirname, '..');
const DEPLOYMENTS = resourceType<KubeObject & { spec: Record<string, unknown> }>('apps/v1', 'Deployment', 'deployments', true);
const REPLICASETS = resourceType<KubeObject & { status?: { replicas?: number } }>('apps/v1', 'ReplicaSet', 'replicasets', true);
const nodeName = (i: number) => (i === 0 ? 'kl-control-plane' : `kl-worker${i}`);

const freePort = () => new Promise<number>((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => r(p)); }); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;
const fmt = (x: number, d = 0) => (Number.isNaN(x) ? '–' : x.toFixed(d));

/** utime+stime of a process in seconds, and its peak RSS (MB). */
async function procStat(pid: number): Promise<{ cpu: number; hwmMB: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 100;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { cpu: (Number(f[11]) + Number(f[12])) / tick, hwmMB: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024 };
}

interface Result { created: number; idleCpuPct: number; listMs: number[]; getPodsMs: number[]; watchMs: number[]; watchMissed: number; cpu: number; hwmMB: number; watchBytes: number }

async function round(tree: string, label: string): Promise<Result> {
  const dir = await mkdtemp(join(os.tmpdir(), 'kl-apiscale-'));
  const lines = ['kind: Cluster', 'apiVersion: kind.x-k8s.io/v1alpha4', 'name: kl', 'nodes:'];
  for (let i = 0; i < N; i++) lines.push(`- role: ${i === 0 ? 'control-plane' : 'worker'}`);
  await writeFile(join(dir, 'cluster.yaml'), lines.join('\n') + '\n');
  const port = await freePort();
  const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(values['cpu-prof']), '--cpu-prof-name', `${label}-${Date.now()}.cpuprofile`] : [];
  const srv: ChildProcess = spawn('node', [...prof, join(tree, 'dist/cluster/apiserver/main.js'), '--data', join(dir, 'data'), '--listen', `127.0.0.1:${port}`, '--cluster-config', join(dir, 'cluster.yaml'), '--cluster-name', 'kl', '--insecure-http', '--require-heartbeats'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let srvLog = '';
  srv.stderr!.on('data', (b: Buffer) => { srvLog = (srvLog + b.toString()).slice(-4000); });
  const server = `http://127.0.0.1:${port}`;
  let token = '';
  for (let k = 0; k < 200 && !token; k++) { await sleep(100); token = (await readFile(join(dir, 'data', 'token'), 'utf8').catch(() => '')).trim(); }
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: kl\n  cluster:\n    server: ${server}\nusers:\n- name: kl\n  user:\n    token: ${token}\ncontexts:\n- name: kl\n  context:\n    cluster: kl\n    user: kl\ncurrent-context: kl\n`);
  const client = new KubeClient(loadKubeconfig(kubeconfig), { timeoutMs: 60_000 });
  for (let k = 0; k < 100; k++) { if (await client.list(PODS, { limit: 1 }).then(() => true, () => false)) break; await sleep(100); }

  // the nodes: heartbeats and their watches
  const beats: NodeHeartbeat[] = [];
  const watches: http.ClientRequest[] = [];
  let watchBytes = 0;
  const watch = (path: string) => {
    const req = http.get(`${server}${path}`, { headers: { authorization: `Bearer ${token}` } }, (res) => res.on('data', (b: Buffer) => { watchBytes += b.length; }));
    req.on('error', () => undefined);
    watches.push(req);
  };
  for (let i = 0; i < N; i++) {
    const hb = new NodeHeartbeat(client, { nodeName: nodeName(i), nodeIPs: [`10.9.${i >> 8}.${i & 255}`], intervalMs: 10_000, log: () => undefined });
    beats.push(hb);
    await sleep(10_000 / N); // spread the heartbeats as daemons starting one after another do
    void hb.start();
    for (const p of ['/api/v1/pods?watch=true', '/api/v1/pods?watch=true', '/api/v1/nodes?watch=true', '/api/v1/nodes?watch=true']) watch(p);
  }
  await sleep(2000);

  const res: Result = { created: NaN, idleCpuPct: NaN, listMs: [], getPodsMs: [], watchMs: [], watchMissed: 0, cpu: NaN, hwmMB: NaN, watchBytes: 0 };
  const ns = 'bench';
  await client.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } }).catch(() => undefined);
  const t0 = performance.now();
  await client.create(DEPLOYMENTS, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'scale', namespace: ns },
    spec: { replicas: P, selector: { matchLabels: { app: 'scale' } }, template: { metadata: { labels: { app: 'scale' } }, spec: { nodeSelector: { 'bench/none': 'x' }, containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } },
  });
  while (performance.now() - t0 < 300_000) {
    const rs = await client.list(REPLICASETS, { namespace: ns }).catch(() => undefined);
    if ((rs?.items[0]?.status?.replicas ?? 0) >= P) { res.created = (performance.now() - t0) / 1000; break; }
    await sleep(500);
  }
  console.log(`  ${label}: ${P} pods created in ${fmt(res.created, 1)} s; load ${os.loadavg()[0]!.toFixed(1)}`);
  await sleep(3000);
  // idle: only heartbeats (Leases) arrive
  const idleS = Number(values['idle-s']);
  const c0 = await procStat(srv.pid!);
  await sleep(idleS * 1000);
  res.idleCpuPct = (100 * ((await procStat(srv.pid!)).cpu - c0.cpu)) / idleS;

  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    const l = await client.list(PODS).catch(() => undefined);
    if (l) res.listMs.push(performance.now() - t);
    // kubectl's request (it sends no token over plain http): GET with the server-side Table in Accept
    const t2 = performance.now();
    const ok = await new Promise<boolean>((r) => {
      http.get(`${server}/api/v1/pods?limit=500`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json' } }, (res) => {
        res.resume();
        res.on('end', () => r(res.statusCode === 200));
      }).on('error', () => r(false));
    });
    if (ok) res.getPodsMs.push(performance.now() - t2);
  }
  const w = await watchPatchLatency(client, ns, { label: `${label}-m`, settleMs: 300, stride: 17 });
  res.watchMs = w.ms;
  res.watchMissed = w.missed;
  const st = await procStat(srv.pid!);
  res.cpu = st.cpu;
  res.hwmMB = st.hwmMB;
  res.watchBytes = watchBytes;
  for (const b of beats) b.stop();
  for (const w of watches) w.destroy();
  client.close();
  srv.kill('SIGTERM');
  await new Promise((r) => srv.once('exit', r));
  if (!Number.isFinite(res.created)) console.log(srvLog);
  await rm(dir, { recursive: true, force: true });
  return res;
}

async function main(): Promise<void> {
  const trees: Array<[string, string]> = values.lab ? [['before', resolve(values.lab)], ['now', THIS]] : [['now', THIS]];
  const all = new Map<string, Result[]>(trees.map(([l]) => [l, []]));
  const load0 = os.loadavg()[0]!.toFixed(1);
  console.log(`bench/apiserver-scale: ${N} nodes (heartbeats, 4 watches each), ${P} Pending pods; ${trees.map(([l, d]) => `${l} = ${d}`).join(', ')}`);
  for (let r = 0; r < Number(values.rounds); r++) {
    const order = r % 2 ? [...trees].reverse() : trees;
    for (const [label, dir] of order) all.get(label)!.push(await round(dir, label));
  }
  const cols = trees.map(([l]) => l);
  const m = (l: string, f: (x: Result) => number) => median(all.get(l)!.map(f));
  const row = (name: string, f: (x: Result) => number, d = 0) => console.log(`| ${name} | ${cols.map((l) => fmt(m(l, f), d)).join(' | ')} |`);
  console.log(`\n| ${N} nodes, ${P} pods (medians of ${values.rounds}) | ${cols.join(' | ')} |\n|:--|${cols.map(() => '--:').join('|')}|`);
  row(`all ${P} pods created (s)`, (x) => x.created, 1);
  row('server CPU while only heartbeats arrive (%)', (x) => x.idleCpuPct, 0);
  row('LIST every pod, median (ms)', (x) => median(x.listMs));
  row('LIST every pod, max (ms)', (x) => Math.max(...x.listMs));
  row('kubectl get pods -A request (Table, limit 500), median (ms)', (x) => median(x.getPodsMs));
  row('PATCH → watch MODIFIED, p50 (ms)', (x) => pct(x.watchMs, 50), 1);
  row('PATCH → watch MODIFIED, p99 (ms)', (x) => pct(x.watchMs, 99), 1);
  row('watch events missed (10 s)', (x) => x.watchMissed);
  row('server CPU, whole run (s)', (x) => x.cpu, 1);
  row('server peak RSS (MB)', (x) => x.hwmMB);
  row('bytes sent to the node watches (MB)', (x) => x.watchBytes / 2 ** 20, 1);
  console.log(`load average ${load0} → ${os.loadavg()[0]!.toFixed(1)}`);
}

await main();
