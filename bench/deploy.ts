/**
 * Deploy / destroy wall time of (a) the Cilium article's router lab and (b) a generated 60-node
 * FRR leaf-spine (4 spines, 16 leaves with eBGP, 40 linux hosts). Prints a table; no assertions.
 * (c) `--only fabric`: the article's 7-node exec-configured FRR fabric (routers.yaml), `lab deploy` against the
 * naive sequential deploy of bench/deploy-naive.ts, alternating in the same run, `--rounds` times (median), and
 * the floor under both: the same containers created and started all at once, nothing else ("+BGP UP" = deploy there).
 * `--only leafspine` runs that floor for the leaf-spine too.
 * Each deploy's per-step wall times (`deploy --timings`) are printed under the table.
 * `--base DIR`: also deploy with another checkout's built dist/ (e.g. `git archive` of the base commit), in the same rounds.
 *   node --import tsx bench/deploy.ts [--workers N] [--only routers|leafspine|fabric] [--rounds N] [--base DIR]
 */
import { establishedIn } from './lib/frr.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/runtime/inspect.js';
import { deploy, destroyLab, DockerRuntime } from '../src/runtime/index.js';
import { loadPlan, type LabPlan } from '../src/topology/index.js';
import { writeLeafSpine } from './deploy-topologies.js';
import { containersOnly, naiveDeploy } from './deploy-naive.js';
import type { StepTiming } from '../src/runtime/index.js';
import { readFile } from 'node:fs/promises';

const { values } = parseArgs({ options: { workers: { type: 'string' }, only: { type: 'string' }, rounds: { type: 'string', default: '1' }, base: { type: 'string' } } });
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
  /** Undefined for a base build older than `deploy --timings`. */
  steps?: StepTiming[];
}

async function established(container: string): Promise<number> {
  const r = await rt.exec(container, ['vtysh', '-c', 'show bgp summary json'], { check: false });
  return r.exitCode === 0 ? establishedIn(r.stdout) : 0;
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

/** A deploy implementation: this checkout's, or another checkout's built dist/ (`--base DIR`), for before/after in one run. */
interface Impl {
  name: string;
  deploy: typeof deploy;
  loadPlan: typeof loadPlan;
  runtime: DockerRuntime;
}

async function run(impl: Impl, labName: string, file: string, watch: (prefix: string) => Array<{ node: string; want: number }>): Promise<Row> {
  await destroyLab(rt, labName, {}).catch(() => undefined);
  const t0 = performance.now();
  const r = await impl.deploy({ plan: await impl.loadPlan(file, { env: process.env }) }, { runtime: impl.runtime, renderer: 'silent', concurrency: workers });
  const tDeploy = (performance.now() - t0) / 1000;
  const byName = new Map(r.plan.nodes.map((n) => [n.name, n.containerName]));
  const [tConv, sessions] = await converge(watch(r.plan.name).map((w) => ({ container: byName.get(w.node)!, want: w.want })), 120000);
  const t1 = performance.now();
  await destroy(r.plan.name);
  const tDestroy = (performance.now() - t1) / 1000;
  return { lab: `${r.plan.name} (${impl.name})`, nodes: r.plan.nodes.length, links: r.plan.links.length, deploy: tDeploy, converge: tConv, destroy: tDestroy, sessions, steps: r.timings };
}

/**
 * A deploy done outside `lab deploy` (bench/deploy-naive.ts) on the same file, measured like `run`: `how` builds the
 * lab and returns its steps; with routers to watch, the time until their sessions are up is added.
 */
async function runOutside(file: string, label: string, how: (plan: LabPlan) => Promise<StepTiming[]>, watch?: Array<{ node: string; want: number }>): Promise<Row> {
  const plan = await loadPlan(file, { env: process.env });
  await destroyLab(rt, plan.name, {}).catch(() => undefined);
  const t0 = performance.now();
  const steps = await how(plan);
  const tDeploy = (performance.now() - t0) / 1000;
  const byName = new Map(plan.nodes.map((x) => [x.name, x.containerName]));
  const [tConv, sessions] = watch ? await converge(watch.map((w) => ({ container: byName.get(w.node)!, want: w.want })), 120000) : [0, 'no BGP (containers only)'];
  const t1 = performance.now();
  await destroy(plan.name);
  return { lab: `${plan.name} (${label})`, nodes: plan.nodes.length, links: plan.links.length, deploy: tDeploy, converge: tConv, destroy: (performance.now() - t1) / 1000, sessions, steps };
}

/** The naive sequential deploy of the same file (bench/deploy-naive.ts). */
const runNaive = (file: string, watch: Array<{ node: string; want: number }>): Promise<Row> =>
  runOutside(file, 'naive', async (plan) => {
    const n = await naiveDeploy(plan, rt);
    return [
      { step: 'Images + lab directory + mgmt network', ms: n.prepare },
      { step: 'Containers (one at a time)', ms: n.containers },
      { step: 'Links (one ip call at a time)', ms: n.links },
      { step: 'Exec lines (after everything)', ms: n.exec },
    ];
  }, watch);

/** The floor under both (bench/deploy-naive.ts containersOnly): every container created and started at once, nothing else. */
const runFloor = (file: string): Promise<Row> =>
  runOutside(file, 'floor', async (plan) => {
    const n = await containersOnly(plan, rt);
    return [
      { step: 'Images + lab directory + mgmt network', ms: n.prepare },
      { step: 'Containers (all at once)', ms: n.containers },
    ];
  });

/** destroyLab, again after a pause when Docker still counts a removed container's endpoint on the network. */
async function destroy(lab: string): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await destroyLab(rt, lab, { cleanup: true });
      return;
    } catch (e) {
      if (!/active endpoints/.test(String(e))) throw e;
      // Docker 20.10 can keep a removed container's endpoint on the network for good: the next round reuses it
      if (i >= 3) return void process.stderr.write(`warning: ${lab}: ${String(e).split('\n')[0]}\n`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const loadavg = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');

const impls: Impl[] = [{ name: 'this checkout', deploy, loadPlan, runtime: rt }];
if (values.base) {
  const r = (await import(join(values.base, 'dist', 'runtime', 'index.js'))) as { deploy: typeof deploy; DockerRuntime: typeof DockerRuntime };
  const t = (await import(join(values.base, 'dist', 'topology', 'index.js'))) as { loadPlan: typeof loadPlan };
  impls.unshift({ name: 'base', deploy: r.deploy, loadPlan: t.loadPlan, runtime: new r.DockerRuntime() });
}
const f2 = (s: number) => (Number.isNaN(s) ? 'timeout' : `${s.toFixed(2)} s`);

/**
 * `rounds` rounds of every contender on the same file, the order rotated each round so a drift in load favours none;
 * prints the per-round table (deploy, deploy + BGP up, load average), the medians, and each contender's median steps.
 */
async function compare(title: string, contenders: Array<{ name: string; run: () => Promise<Row> }>): Promise<void> {
  const byName = new Map(contenders.map((c) => [c.name, [] as Row[]]));
  const loads: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const order = contenders.map((_, k) => contenders[(k + i) % contenders.length]!);
    for (const c of order) byName.get(c.name)!.push(await c.run());
    loads.push(await loadavg());
  }
  const names = contenders.map((c) => c.name);
  const first = byName.get(names[0]!)!;
  const last = byName.get(names.at(-1)!)!;
  process.stdout.write(`${title}: ${first[0]!.nodes} nodes, ${first[0]!.links} links, ${rounds} rounds, order rotated each round; workers ${workers ?? 'default'}, ${(await import('node:os')).cpus().length} CPUs\n`);
  process.stdout.write(
    formatTable([
      ['ROUND', ...names.map((n) => `${n} DEPLOY`), ...names.map((n) => `${n} +BGP UP`), `${names[0]} / ${names.at(-1)}`, 'LOAD AVG AFTER'],
      ...loads.map((l, i) => [String(i + 1), ...names.map((n) => f2(byName.get(n)![i]!.deploy)), ...names.map((n) => f2(byName.get(n)![i]!.deploy + byName.get(n)![i]!.converge)), `${(first[i]!.deploy / last[i]!.deploy).toFixed(2)}×`, l]),
      ['median', ...names.map((n) => f2(median(byName.get(n)!.map((r) => r.deploy)))), ...names.map((n) => f2(median(byName.get(n)!.map((r) => r.deploy + r.converge)))), `${(median(first.map((r) => r.deploy)) / median(last.map((r) => r.deploy))).toFixed(2)}×`, ''],
    ]) + '\n',
  );
  for (const n of names) {
    const rs = byName.get(n)!;
    // a base build older than `deploy --timings` returns no steps
    const steps = [...new Set(rs.flatMap((r) => (r.steps ?? []).map((s) => s.step)))];
    process.stdout.write(`${n}: per step, sessions ${rs.map((r) => r.sessions).join(' / ')}\n`);
    process.stdout.write(formatTable([['  STEP', ...rs.map((_, i) => `R${i + 1}`), 'MEDIAN'], ...steps.map((st) => {
      const ms = rs.map((r) => r.steps?.find((s) => s.step === st)?.ms ?? 0);
      return [`  ${st}`, ...ms.map((m) => f2(m / 1000)), f2(median(ms) / 1000)];
    })]) + '\n');
  }
}

const dir = await mkdtemp(join(tmpdir(), 'kindlab-bench-'));
try {
  if (!values.only || values.only === 'routers' || values.only === 'fabric') {
    // the article's file under a lab name and management subnet of the bench's own, so it never meets (or is
    // refused by) a bgp-cplane-demo lab someone else deployed or left behind
    const article = await readFile(join(import.meta.dirname, '..', 'labs', 'cilium-bgp', 'routers.yaml'), 'utf8');
    await writeFile(join(dir, 'routers.yaml'), article.replace(/^name: bgp-cplane-demo$/m, 'name: bench-fabric\nmgmt: { network: kindlab-bench-fabric, ipv4-subnet: 172.30.8.0/24 }'));
    const file = join(dir, 'routers.yaml');
    const plan = await loadPlan(file);
    const watch = [{ node: 'router0', want: 2 }];
    await compare('7-node exec-configured FRR fabric (labs/cilium-bgp/routers.yaml)', [
      ...(values.only === 'fabric' ? [{ name: 'naive', run: () => runNaive(file, watch) }, { name: 'floor', run: () => runFloor(file) }] : []),
      ...impls.map((impl) => ({ name: impl.name === 'base' ? 'base' : 'lab', run: () => run(impl, plan.name, file, () => watch) })),
    ]);
  }
  if (!values.only || values.only === 'leafspine') {
    const shape = { spines: 4, leaves: 16, hosts: 40 };
    const file = await writeLeafSpine(dir, 'bench-leafspine', shape);
    const watch = [
      ...Array.from({ length: shape.spines }, (_, s) => ({ node: `spine${s + 1}`, want: shape.leaves })),
      ...Array.from({ length: shape.leaves }, (_, l) => ({ node: `leaf${l + 1}`, want: shape.spines })),
    ];
    await compare('60-node leaf-spine (4 FRR spines, 16 FRR leaves, 40 linux hosts)', [
      ...(values.only === 'leafspine' ? [{ name: 'floor', run: () => runFloor(file) }] : []),
      ...impls.map((impl) => ({ name: impl.name === 'base' ? 'base' : 'lab', run: () => run(impl, 'bench-leafspine', file, () => watch) })),
    ]);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
