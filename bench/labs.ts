/**
 * Per article lab: deploy; verify (the first `lab verify --wait` run: convergence plus every stage, the run
 * that counts, its checks); re-verify (a second full run on the converged lab: how long checking alone takes;
 * a staged lab replays its stages onto their own end state, so its count can differ); destroy. Wall-clock
 * seconds, printed as a table.
 *   node --import tsx bench/labs.ts [DIR | DIR/TOPO ...]     (default: every lab in test/e2e/labs-list.ts)
 *
 * Side by side with another checkout (its dist/ built, node_modules present):
 *   node --import tsx bench/labs.ts --compare /tmp/base [--rounds N] [--timings] [DIR ...]
 * Each round runs every lab in both trees, base first in even rounds and head first in odd ones, so a drift
 * in the machine's load falls on both; each tree runs its own bin/lab.js on its own labs/ files. The summary
 * is the median per lab and tree with head/base ratios. --head-first starts round 1 with head (to continue an
 * alternation over separate invocations, e.g. one round per hold of the Docker lock). --timings passes `--timings` to each deploy and
 * prints every run's step table, to find which step got slower (a base without --timings prints it only if
 * patched to do so when KINDLAB_BENCH_TIMINGS is set).
 *
 * `--green N` (no --compare): each lab N times in this tree, deploy → verify green per round, the median, and
 * the median of each `deploy --timings` step and of the Nodes step's milestones (KINDLAB_STAGE_TRACE: when the
 * last container was created, the last node's links were up, its exec lines done), so the figure comes with its floor.
 *   node --import tsx bench/labs.ts --green 5 cilium-bgp/topo.yaml
 * `--green N --compare DIR [--head-first]`: the same for DIR (another checkout, built) and this tree, alternating per round.
 */
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ARTICLE_LABS, type ArticleLab } from '../test/e2e/labs-list.js';
import { REPO } from '../test/e2e/helpers.js';
import { milestonesOf, timingsOf, verifyMilestonesOf } from './lib/trace-parse.js';

const secs = (ms: number) => (ms / 1000).toFixed(1);

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const v = await fn();
  return [v, Date.now() - t];
}

/** "passed/total" from a `lab verify --format json` report. */
function passed(stdout: string): string {
  try {
    const r = JSON.parse(stdout) as { checks: Array<{ passed: boolean }> };
    return `${r.checks.filter((c) => c.passed).length}/${r.checks.length}`;
  } catch {
    return '?';
  }
}

/** `node TREE/bin/lab.js ARGS` in TREE (never throws). */
async function labIn(tree: string, args: string[], env: Record<string, string> = {}) {
  const r = await execa('node', [join(tree, 'bin', 'lab.js'), ...args], { reject: false, cwd: tree, env: { CI: '1', ...env } });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface Run {
  deployMs?: number;
  verifyMs?: number;
  checks?: string;
  reverifyMs?: number;
  rechecks?: string;
  destroyMs?: number;
  failed?: string;
  timings?: string;
}

/** Whether TREE's `lab deploy` has --timings (older checkouts lack it and would refuse the option). */
function hasTimings(tree: string): boolean {
  try {
    return readFileSync(join(tree, 'dist', 'cli', 'deploy.js'), 'utf8').includes('formatTimings');
  } catch {
    return false;
  }
}

async function runLab(tree: string, l: ArticleLab, timings: boolean): Promise<Run> {
  const file = join(tree, 'labs', l.dir, l.topo);
  // an older tree without --timings may print the same table when KINDLAB_BENCH_TIMINGS is set (a patch made for the comparison)
  const flag = timings && hasTimings(tree) ? ['--timings'] : [];
  const [up, deployMs] = await timed(() => labIn(tree, ['deploy', '-t', file, ...flag], timings ? { KINDLAB_BENCH_TIMINGS: '1' } : {}));
  if (up.exitCode !== 0) {
    await labIn(tree, ['destroy', '-t', file, '--cleanup']);
    return { failed: up.stderr.split('\n').find((x) => x.startsWith('ERROR')) ?? `exit ${up.exitCode}` };
  }
  const [first, verifyMs] = await timed(() => labIn(tree, ['verify', '-t', file, '--wait', l.wait, '--format', 'json']));
  const [again, reverifyMs] = await timed(() => labIn(tree, ['verify', '-t', file, '--format', 'json']));
  const [, destroyMs] = await timed(() => labIn(tree, ['destroy', '-t', file, '--cleanup']));
  const steps = timings ? up.stdout.split('\n').filter((x) => /^ {2}\S.* s +\d+ %/.test(x)).join('\n') : undefined;
  return { deployMs, verifyMs, checks: passed(first.stdout), reverifyMs, rechecks: passed(again.stdout), destroyMs, timings: steps };
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const name = (l: ArticleLab) => `${l.dir}/${l.topo}`;

async function single(labs: ArticleLab[], timings: boolean): Promise<void> {
  const rows: string[][] = [['lab', 'deploy s', 'verify s', 'checks', 're-verify s', 're-checks', 'destroy s']];
  const failures: string[] = [];
  for (const l of labs) {
    const r = await runLab(REPO, l, timings);
    if (r.failed) {
      rows.push([name(l), 'failed', '', '', '', '', '']);
      failures.push(`${name(l)}: ${r.failed}`);
      continue;
    }
    rows.push([name(l), secs(r.deployMs!), secs(r.verifyMs!), r.checks!, secs(r.reverifyMs!), r.rechecks!, secs(r.destroyMs!)]);
    if (r.timings) console.log(`${name(l)} deploy steps:\n${r.timings}`);
  }
  printTable(rows);
  for (const f of failures) console.log(`deploy failed: ${f}`);
}

async function compare(base: string, labs: ArticleLab[], rounds: number, timings: boolean, headFirst: boolean): Promise<void> {
  const trees = { base, head: REPO } as const;
  const runs = new Map<string, Run[]>(); // `${tree} ${lab}`
  const every: string[][] = [['round', 'tree', 'lab', 'deploy s', 'verify s', 'checks', 're-verify s', 're-checks', 'destroy s']];
  for (let round = 0; round < rounds; round++) {
    for (const l of labs) {
      const order: Array<keyof typeof trees> = (round % 2 === 0) !== headFirst ? ['base', 'head'] : ['head', 'base'];
      for (const t of order) {
        const r = await runLab(trees[t], l, timings);
        const key = `${t} ${name(l)}`;
        runs.set(key, [...(runs.get(key) ?? []), r]);
        const row = r.failed
          ? [String(round + 1), t, name(l), 'failed', '', '', '', '', '']
          : [String(round + 1), t, name(l), secs(r.deployMs!), secs(r.verifyMs!), r.checks!, secs(r.reverifyMs!), r.rechecks!, secs(r.destroyMs!)];
        every.push(row);
        console.error(row.join('  ') + (r.failed ? `  (${r.failed})` : ''));
        if (r.timings) console.error(`${t} ${name(l)} deploy steps:\n${r.timings}`);
      }
    }
  }
  console.log(`base: ${base}\nhead: ${REPO}\n\nevery run:`);
  printTable(every);
  const summary: string[][] = [['lab', 'deploy base', 'deploy head', 'ratio', 'verify base', 'verify head', 'ratio']];
  for (const l of labs) {
    const m = (t: string, f: (r: Run) => number | undefined) =>
      median((runs.get(`${t} ${name(l)}`) ?? []).map(f).filter((x): x is number => x !== undefined));
    const cell = (v: number | undefined) => (v === undefined ? 'failed' : secs(v));
    const ratio = (b: number | undefined, h: number | undefined) => (b && h ? (h / b).toFixed(2) : '-');
    const [db, dh, vb, vh] = [m('base', (r) => r.deployMs), m('head', (r) => r.deployMs), m('base', (r) => r.verifyMs), m('head', (r) => r.verifyMs)];
    summary.push([name(l), cell(db), cell(dh), ratio(db, dh), cell(vb), cell(vh), ratio(vb, vh)]);
  }
  console.log(`\nmedians of ${rounds} round(s), seconds:`);
  printTable(summary);
}

/**
 * Each lab N times: deploy → verify green, with the per-step medians that explain the figure. With `base`
 * (`--green N --compare DIR`), each round runs both trees, base first in odd rounds (head first with --head-first),
 * each its own bin/lab.js on its own labs/ files, and the medians are printed per tree.
 */
async function green(n: number, labs: ArticleLab[], base?: string, headFirst = false): Promise<void> {
  const trees: Array<[string, string]> = base ? [['base', base], ['head', REPO]] : [['head', REPO]];
  for (const l of labs) {
    const rows: string[][] = [['round', 'tree', 'deploy s', 'verify s', 'deploy→green s', 'checks', 'load avg']];
    const totals = new Map<string, number[]>();
    const steps = new Map<string, Map<string, number[]>>(trees.map(([t]) => [t, new Map()]));
    for (let i = 1; i <= n; i++) {
      const order = (i % 2 === 1) !== headFirst ? trees : [...trees].reverse();
      for (const [t, tree] of order) {
        const file = join(tree, 'labs', l.dir, l.topo);
        await labIn(tree, ['destroy', '-t', file, '--cleanup']);
        const [up, deployMs] = await timed(() => labIn(tree, ['deploy', '-t', file, '--timings'], { KINDLAB_STAGE_TRACE: '1' }));
        if (up.exitCode !== 0) {
          rows.push([String(i), t, 'failed', '', '', up.stderr.split('\n').find((x) => x.startsWith('ERROR')) ?? '', '']);
          await labIn(tree, ['destroy', '-t', file, '--cleanup']);
          continue;
        }
        const [first, verifyMs] = await timed(() => labIn(tree, ['verify', '-t', file, '--wait', l.wait, '--format', 'json'], { KINDLAB_VERIFY_TRACE: '1' }));
        await labIn(tree, ['destroy', '-t', file, '--cleanup']);
        for (const [k, v] of [...timingsOf(up.stdout), ...milestonesOf(up.stderr), ['verify --wait', verifyMs / 1000] as const, ...verifyMilestonesOf(first.stderr)]) steps.get(t)!.set(k, [...(steps.get(t)!.get(k) ?? []), v]);
        totals.set(t, [...(totals.get(t) ?? []), deployMs + verifyMs]);
        const load = (await execa('cat', ['/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');
        rows.push([String(i), t, secs(deployMs), secs(verifyMs), secs(deployMs + verifyMs), passed(first.stdout), load]);
        console.error(rows.at(-1)!.join('  '));
      }
    }
    for (const [t] of trees) {
      const m = median(totals.get(t) ?? []);
      rows.push(['median', t, '', '', m === undefined ? '-' : secs(m), '', '']);
    }
    console.log(`${name(l)}, ${n} rounds${base ? `; base ${base}` : ''}`);
    printTable(rows);
    console.log('deploy steps and verify, median s (Nodes milestones: seconds into the Nodes step; verify milestones: seconds since its process started)');
    const keys = [...new Set(trees.flatMap(([t]) => [...steps.get(t)!.keys()]))];
    printTable([['  step', ...trees.map(([t]) => t)], ...keys.map((k) => [`  ${k}`, ...trees.map(([t]) => median(steps.get(t)!.get(k) ?? [])?.toFixed(2) ?? '-')])]);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { compare: { type: 'string' }, rounds: { type: 'string', default: '2' }, timings: { type: 'boolean', default: false }, 'head-first': { type: 'boolean', default: false }, green: { type: 'string' } },
  });
  const labs = ARTICLE_LABS.filter((l) => positionals.length === 0 || positionals.includes(name(l)) || positionals.includes(l.dir));
  if (values.green) await green(Math.max(1, Number(values.green)), labs, values.compare ? resolve(values.compare) : undefined, values['head-first']);
  else if (values.compare) await compare(resolve(values.compare), labs, Math.max(1, Number(values.rounds)), values.timings, values['head-first']);
  else await single(labs, values.timings);
  const load = await execa('cat', ['/proc/loadavg'], { reject: false });
  console.log(`\nload average: ${load.stdout.split(' ').slice(0, 3).join(' ')}`);
}

await main();
