/**
 * Deploy / destroy wall time of (a) the Cilium article's router lab and (b) a generated 60-node
 * FRR leaf-spine (4 spines, 16 leaves with eBGP, 40 linux hosts). Prints a table; no assertions.
 * (c) `--only fabric`: the article's 7-node exec-configured FRR fabric (routers.yaml), `lab deploy` against the
 * naive sequential deploy of bench/deploy-naive.ts, alternating in the same run, `--rounds` times (median).
 * Each deploy's per-step wall times (`deploy --timings`) are printed under the table.
 *   node --import tsx bench/deploy.ts [--workers N] [--only routers|leafspine|fabric] [--rounds N]
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/runtime/inspect.js';
import { deploy, destroyLab, DockerRuntime } from '../src/runtime/index.js';
import { loadPlan } from '../src/topology/index.js';
import { writeLeafSpine } from './deploy-topologies.js';
import { naiveDeploy } from './deploy-naive.js';
import type { StepTiming } from '../src/runtime/index.js';
import { readFile } from 'node:fs/promises';

const { values } = parseArgs({ options: { workers: { type: 'string' }, only: { type: 'string' }, rounds: { type: 'string', default: '1' } } });
/** Unset: the deploy's own default (sized to the machine). */
const workers = values.workers === undefined ? undefined : Number(values.workers);
const rounds = Number(values.rounds);
const rt = new DockerRuntime();

interface Row {
  lab: string;
  nodes: number;
  links: number;
  deploy: number;
  converge: number;
  destroy: number;
  sessions: string;
  steps: StepTiming[];
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
  return { lab: r.plan.name, nodes: r.plan.nodes.length, links: r.plan.links.length, deploy: tDeploy, converge: tConv, destroy: tDestroy, sessions, steps: r.timings };
}

/** The naive sequential deploy of the same file (bench/deploy-naive.ts), measured like `run`. */
async function runNaive(file: string, watch: Array<{ node: string; want: number }>): Promise<Row> {
  const plan = await loadPlan(file, { env: process.env });
  await destroyLab(rt, plan.name, {}).catch(() => undefined);
  const t0 = performance.now();
  const n = await naiveDeploy(plan, rt);
  const tDeploy = (performance.now() - t0) / 1000;
  const byName = new Map(plan.nodes.map((x) => [x.name, x.containerName]));
  const [tConv, sessions] = await converge(watch.map((w) => ({ container: byName.get(w.node)!, want: w.want })), 120000);
  const t1 = performance.now();
  await destroyLab(rt, plan.name, { cleanup: true });
  const steps = [
    { step: 'Images + lab directory + mgmt network', ms: n.prepare },
    { step: 'Containers (one at a time)', ms: n.containers },
    { step: 'Links (one ip call at a time)', ms: n.links },
    { step: 'Exec lines (after everything)', ms: n.exec },
  ];
  return { lab: `${plan.name} (naive)`, nodes: plan.nodes.length, links: plan.links.length, deploy: tDeploy, converge: tConv, destroy: (performance.now() - t1) / 1000, sessions, steps };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const loadavg = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

const rows: Row[] = [];
const dir = await mkdtemp(join(tmpdir(), 'kindlab-bench-'));
try {
  if (!values.only || values.only === 'routers') {
    await cp(join(import.meta.dirname, '..', 'labs', 'cilium-bgp', 'routers.yaml'), join(dir, 'routers.yaml'));
    const plan = await (await import('../src/topology/index.js')).loadPlan(join(dir, 'routers.yaml'));
    rows.push(await run(plan.name, join(dir, 'routers.yaml'), () => [{ node: 'router0', want: 2 }]));
  }
  if (values.only === 'fabric') {
    await cp(join(import.meta.dirname, '..', 'labs', 'cilium-bgp', 'routers.yaml'), join(dir, 'routers.yaml'));
    const file = join(dir, 'routers.yaml');
    const plan = await loadPlan(file);
    const watch = [{ node: 'router0', want: 2 }];
    const fast: Row[] = [];
    const naive: Row[] = [];
    const loads: string[] = [];
    for (let i = 0; i < rounds; i++) {
      // alternate which goes first, so a drift in load does not favour one
      if (i % 2 === 0) {
        naive.push(await runNaive(file, watch));
        fast.push(await run(plan.name, file, () => watch));
      } else {
        fast.push(await run(plan.name, file, () => watch));
        naive.push(await runNaive(file, watch));
      }
      loads.push(await loadavg());
    }
    const f2 = (s: number) => `${s.toFixed(2)} s`;
    process.stdout.write(`7-node exec-configured FRR fabric (labs/cilium-bgp/routers.yaml), ${rounds} rounds alternating\n`);
    process.stdout.write(
      formatTable([
        ['ROUND', 'NAIVE DEPLOY', 'LAB DEPLOY', 'RATIO', 'NAIVE +BGP', 'LAB +BGP', 'LOAD AVG AFTER'],
        ...fast.map((r, i) => [String(i + 1), f2(naive[i]!.deploy), f2(r.deploy), `${(naive[i]!.deploy / r.deploy).toFixed(2)}×`, f2(naive[i]!.deploy + naive[i]!.converge), f2(r.deploy + r.converge), loads[i]!]),
        ['median', f2(median(naive.map((r) => r.deploy))), f2(median(fast.map((r) => r.deploy))), `${(median(naive.map((r) => r.deploy)) / median(fast.map((r) => r.deploy))).toFixed(2)}×`, f2(median(naive.map((r) => r.deploy + r.converge))), f2(median(fast.map((r) => r.deploy + r.converge))), ''],
      ]) + '\n',
    );
    const stepTable = (title: string, rs: Row[]) => {
      const names = [...new Set(rs.flatMap((r) => r.steps.map((s) => s.step)))];
      process.stdout.write(`${title}, per step (median over rounds)\n`);
      process.stdout.write(formatTable([['STEP', ...rs.map((_, i) => `R${i + 1}`), 'MEDIAN'], ...names.map((nm) => {
        const ms = rs.map((r) => r.steps.find((s) => s.step === nm)?.ms ?? 0);
        return [nm, ...ms.map((m) => f2(m / 1000)), f2(median(ms) / 1000)];
      })]) + '\n');
    };
    stepTable('naive', naive);
    stepTable('lab deploy', fast);
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
if (rows.length > 0) {
process.stdout.write(`workers: ${workers ?? 'default'}, ${(await import('node:os')).cpus().length} CPUs, load average ${await loadavg()}\n`);
process.stdout.write(
  formatTable([
    ['LAB', 'NODES', 'LINKS', 'DEPLOY', 'BGP CONVERGE', 'DEPLOY+CONVERGE', 'DESTROY', 'SESSIONS'],
    ...rows.map((r) => [r.lab, String(r.nodes), String(r.links), f(r.deploy), f(r.converge), f(r.deploy + r.converge), f(r.destroy), r.sessions]),
  ]) + '\n',
);
for (const r of rows) {
  process.stdout.write(`${r.lab}, deploy steps:\n${formatTable(r.steps.map((s) => [`  ${s.step}`, `${(s.ms / 1000).toFixed(2)} s`]))}\n`);
}
}
