/**
 * Deploy / destroy wall time of (a) the Cilium article's router lab and (b) a generated 60-node
 * FRR leaf-spine (4 spines, 16 leaves with eBGP, 40 linux hosts). Prints a table; no assertions.
 *   node --import tsx bench/deploy.ts [--workers N]
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/runtime/inspect.js';
import { deploy, destroyLab, DockerRuntime } from '../src/runtime/index.js';
import { loadPlan } from '../src/topology/index.js';
import { writeLeafSpine } from './deploy-topologies.js';

const { values } = parseArgs({ options: { workers: { type: 'string', default: '4' }, only: { type: 'string' } } });
const workers = Number(values.workers);
const rt = new DockerRuntime();

interface Row {
  lab: string;
  nodes: number;
  links: number;
  deploy: number;
  converge: number;
  destroy: number;
  sessions: string;
}

async function established(container: string): Promise<number> {
  const r = await rt.exec(container, ['vtysh', '-c', 'show bgp summary json'], { check: false });
  if (r.exitCode !== 0) return 0;
  try {
    const peers = (JSON.parse(r.stdout) as { ipv4Unicast?: { peers?: Record<string, { state?: string }> } }).ipv4Unicast?.peers ?? {};
    return Object.values(peers).filter((p) => p.state === 'Established').length;
  } catch {
    return 0;
  }
}

/** Waits until every watched router has `want` sessions Established; returns seconds (or NaN on timeout). */
async function converge(watch: Array<{ container: string; want: number }>, timeoutMs: number): Promise<[number, string]> {
  const t0 = performance.now();
  let ok = 0;
  while (performance.now() - t0 < timeoutMs) {
    const counts = await Promise.all(watch.map((w) => established(w.container)));
    ok = counts.filter((c, i) => c >= watch[i]!.want).length;
    if (ok === watch.length) return [(performance.now() - t0) / 1000, `${watch.reduce((s, w) => s + w.want, 0)} up`];
    await new Promise((r) => setTimeout(r, 200));
  }
  return [NaN, `${ok}/${watch.length} routers converged`];
}

async function run(labName: string, file: string, watch: (prefix: string) => Array<{ node: string; want: number }>): Promise<Row> {
  await destroyLab(rt, labName, {}).catch(() => undefined);
  const t0 = performance.now();
  const r = await deploy({ plan: await loadPlan(file, { env: process.env }) }, { runtime: rt, renderer: 'silent', concurrency: workers });
  const tDeploy = (performance.now() - t0) / 1000;
  const byName = new Map(r.plan.nodes.map((n) => [n.name, n.containerName]));
  const [tConv, sessions] = await converge(watch(r.plan.name).map((w) => ({ container: byName.get(w.node)!, want: w.want })), 120000);
  const t1 = performance.now();
  await destroyLab(rt, r.plan.name, { cleanup: true });
  const tDestroy = (performance.now() - t1) / 1000;
  return { lab: r.plan.name, nodes: r.plan.nodes.length, links: r.plan.links.length, deploy: tDeploy, converge: tConv, destroy: tDestroy, sessions };
}

const rows: Row[] = [];
const dir = await mkdtemp(join(tmpdir(), 'kindlab-bench-'));
try {
  if (!values.only || values.only === 'routers') {
    await cp(join(import.meta.dirname, '..', 'labs', 'cilium-bgp', 'routers.yaml'), join(dir, 'routers.yaml'));
    const plan = await (await import('../src/topology/index.js')).loadPlan(join(dir, 'routers.yaml'));
    rows.push(await run(plan.name, join(dir, 'routers.yaml'), () => [{ node: 'router0', want: 2 }]));
  }
  if (!values.only || values.only === 'leafspine') {
    const shape = { spines: 4, leaves: 16, hosts: 40 };
    const file = await writeLeafSpine(dir, 'bench-leafspine', shape);
    const watch = [
      ...Array.from({ length: shape.spines }, (_, s) => ({ node: `spine${s + 1}`, want: shape.leaves })),
      ...Array.from({ length: shape.leaves }, (_, l) => ({ node: `leaf${l + 1}`, want: shape.spines })),
    ];
    rows.push(await run('bench-leafspine', file, () => watch));
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const f = (s: number) => (Number.isNaN(s) ? 'timeout' : `${s.toFixed(2)} s`);
process.stdout.write(`workers: ${workers}, ${(await import('node:os')).cpus().length} CPUs\n`);
process.stdout.write(
  formatTable([
    ['LAB', 'NODES', 'LINKS', 'DEPLOY', 'BGP CONVERGE', 'DEPLOY+CONVERGE', 'DESTROY', 'SESSIONS'],
    ...rows.map((r) => [r.lab, String(r.nodes), String(r.links), f(r.deploy), f(r.converge), f(r.deploy + r.converge), f(r.destroy), r.sessions]),
  ]) + '\n',
);
