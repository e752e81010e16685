/**
 * Pod start latency, create → Running (and → Ready), for a stand-in pod and for a pod running its
 * real image already present in the engine (the busybox-static httpd image of the e2e test),
 * 20 pods each, created one after another on the worker of a two-node cluster lab. Prints a table
 * with p50/p90; target p50 ≤ 1 s for the real image. No assertions.
 *   npm run build && flock /tmp/kindlab-docker.lock node --import tsx bench/pod-start.ts [--pods N]
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { NODES, PODS } from '../src/cluster/client/resources.js';
import type { Pod } from '../src/cluster/client/types.js';
import { isNodeReady, labClient } from '../src/cluster/lab/api.js';
import { LAB_BIN } from '../test/e2e/helpers.js';
import { uniqueLabName } from '../test/e2e/plan-helpers.js';
import { buildHttpdImage, writeSmallClusterLab } from '../test/e2e/pod-images.js';

const { values } = parseArgs({ options: { pods: { type: 'string', default: '20' } } });
const N = Number(values.pods);
const name = uniqueLabName('kl-bench-pods');
const token = `bench-${randomBytes(4).toString('hex')}`;
const IMAGE = `kindlab-bench/httpd-static:${token}`;
const worker = `${name}-worker`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function podOf(n: string, kind: 'standin' | 'real'): Pod {
  const c = kind === 'real' ? { name: 'main', image: IMAGE, imagePullPolicy: 'Never' as const, readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } } : { name: 'main', image: 'busybox', command: ['sleep', 'infinity'] };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: n, namespace: 'default' }, spec: { nodeName: worker, terminationGracePeriodSeconds: 1, containers: [c] } };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

const { dir, file } = await writeSmallClusterLab(name);
try {
  await buildHttpdImage(IMAGE, token);
  const up = await execa('node', [LAB_BIN, 'deploy', '-t', file, '--renderer', 'silent'], { reject: false, env: { CI: '1' } });
  if (up.exitCode !== 0) throw new Error(`deploy failed: ${up.stderr}`);
  const client = labClient(join(dir, `lab-${name}`, 'kubeconfig'));
  try {
    for (let t0 = Date.now(); Date.now() - t0 < 60_000; await sleep(200)) {
      const nodes = (await client.list(NODES)).items;
      if (nodes.length === 2 && nodes.every(isNodeReady)) break;
    }
    const rows: string[][] = [];
    for (const kind of ['standin', 'real'] as const) {
      const running: number[] = [];
      const ready: number[] = [];
      for (let i = 0; i < N; i++) {
        const n = `${kind}-${i}`;
        const t0 = performance.now();
        await client.create(PODS, podOf(n, kind));
        let tRunning = NaN;
        while (performance.now() - t0 < 30_000) {
          const p = await client.get(PODS, n, 'default');
          if (Number.isNaN(tRunning) && p.status?.phase === 'Running') tRunning = performance.now() - t0;
          if (p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True') {
            ready.push(performance.now() - t0);
            break;
          }
          await sleep(10);
        }
        running.push(tRunning);
      }
      for (let i = 0; i < N; i++) await client.delete(PODS, `${kind}-${i}`, { namespace: 'default' });
      for (let t0 = Date.now(); Date.now() - t0 < 60_000; await sleep(300)) if ((await client.list(PODS, { namespace: 'default' })).items.length === 0) break;
      const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
      rows.push([kind === 'real' ? 'real image (present)' : 'stand-in (busybox)', String(N), f(pct(running, 50)), f(pct(running, 90)), ready.length ? f(pct(ready, 50)) : '-', ready.length ? f(pct(ready, 90)) : '-']);
    }
    const head = ['pods', 'n', 'Running p50', 'Running p90', 'Ready p50', 'Ready p90'];
    const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('  '));
    console.log('target: real image Running p50 ≤ 1 s');
  } finally {
    client.close();
  }
} finally {
  await execa('node', [LAB_BIN, 'destroy', '--name', name, '--cleanup'], { reject: false });
  await execa('docker', ['rmi', '-f', IMAGE], { reject: false });
  await rm(dir, { recursive: true, force: true });
}
