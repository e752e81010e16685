/**
 * Per article lab: deploy; verify (the first `lab verify --wait` run: convergence plus every stage, the run
 * that counts, its checks); re-verify (a second full run on the converged lab: how long checking alone takes;
 * a staged lab replays its stages onto their own end state, so its count can differ); destroy. Wall-clock
 * seconds, printed as a table.
 *   node --import tsx bench/labs.ts [DIR | DIR/TOPO ...]     (default: every lab in test/e2e/labs-list.ts)
 * `--rounds N` (N > 1): each lab N times, deploy → verify green per round, the median, and the median of each
 * `deploy --timings` step and of the Nodes step's milestones (KINDLAB_STAGE_TRACE: when the last container was
 * created, the last node's links were up, its exec lines done), so the figure comes with its floor.
 *   node --import tsx bench/labs.ts --rounds 5 cilium-bgp/topo.yaml
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { ARTICLE_LABS } from '../test/e2e/labs-list.js';
import { REPO, lab } from '../test/e2e/helpers.js';

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

/** `deploy --timings` lines ("  Step name   1.23 s   45 %") as step → seconds. */
export function timingsOf(stdout: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stdout.matchAll(/^ {2}(\S.*?)\s+([\d.]+) s\s+\d+ %/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** The Nodes step's milestones from KINDLAB_STAGE_TRACE lines: the latest time each milestone was reached by any node. */
export function milestonesOf(stderr: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of stderr.matchAll(/^stage-trace ([\d.]+) \S+ (\S+)$/gm)) out.set(`Nodes: last ${m[2]}`, Math.max(out.get(`Nodes: last ${m[2]}`) ?? 0, Number(m[1])));
  out.delete('Nodes: last start');
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function rounds(n: number, labs: typeof ARTICLE_LABS): Promise<void> {
  for (const l of labs) {
    const file = join(REPO, 'labs', l.dir, l.topo);
    const rows: string[][] = [['round', 'deploy s', 'verify s', 'deploy→green s', 'checks', 'load avg']];
    const totals: number[] = [];
    const steps = new Map<string, number[]>();
    for (let i = 1; i <= n; i++) {
      await lab(['destroy', '-t', file, '--cleanup']);
      const [up, deployMs] = await timed(() => lab(['deploy', '-t', file, '--timings'], { env: { KINDLAB_STAGE_TRACE: '1' } }));
      if (up.exitCode !== 0) {
        rows.push([String(i), 'failed', '', '', up.stderr.split('\n').find((x) => x.startsWith('ERROR')) ?? '', '']);
        continue;
      }
      const [first, verifyMs] = await timed(() => lab(['verify', '-t', file, '--wait', l.wait, '--format', 'json']));
      await lab(['destroy', '-t', file, '--cleanup']);
      for (const [k, v] of [...timingsOf(up.stdout), ...milestonesOf(up.stderr)]) steps.set(k, [...(steps.get(k) ?? []), v]);
      totals.push(deployMs + verifyMs);
      const load = (await execa('cat', ['/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');
      rows.push([String(i), secs(deployMs), secs(verifyMs), secs(deployMs + verifyMs), passed(first.stdout), load]);
    }
    rows.push(['median', '', '', totals.length ? secs(median(totals)) : '-', '', '']);
    console.log(`${l.dir}/${l.topo}, ${n} rounds`);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
    console.log('deploy steps, median s (Nodes milestones: seconds into the Nodes step)');
    for (const [k, v] of steps) console.log(`  ${k.padEnd(28)} ${median(v).toFixed(2)}`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const r = argv.indexOf('--rounds');
  const n = r >= 0 ? Number(argv.splice(r, 2)[1]) : 1;
  const only = argv;
  const labs = ARTICLE_LABS.filter((l) => only.length === 0 || only.includes(`${l.dir}/${l.topo}`) || only.includes(l.dir));
  if (n > 1) return rounds(n, labs);
  const failures: string[] = [];
  const rows: string[][] = [['lab', 'deploy s', 'verify s', 'checks', 're-verify s', 're-checks', 'destroy s']];
  for (const l of labs) {
    const file = join(REPO, 'labs', l.dir, l.topo);
    const [up, deployMs] = await timed(() => lab(['deploy', '-t', file]));
    if (up.exitCode !== 0) {
      const why = up.stderr.split('\n').find((x) => x.startsWith('ERROR')) ?? `exit ${up.exitCode}`;
      rows.push([`${l.dir}/${l.topo}`, 'failed', '', '', '', '', '']);
      failures.push(`${l.dir}/${l.topo}: ${why}`);
      await lab(['destroy', '-t', file, '--cleanup']);
      continue;
    }
    const [first, verifyMs] = await timed(() => lab(['verify', '-t', file, '--wait', l.wait, '--format', 'json']));
    const [again, reverifyMs] = await timed(() => lab(['verify', '-t', file, '--format', 'json']));
    const [, destroyMs] = await timed(() => lab(['destroy', '-t', file, '--cleanup']));
    rows.push([`${l.dir}/${l.topo}`, secs(deployMs), secs(verifyMs), passed(first.stdout), secs(reverifyMs), passed(again.stdout), secs(destroyMs)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  for (const f of failures) console.log(`deploy failed: ${f}`);
  const load = await execa('cat', ['/proc/loadavg'], { reject: false });
  console.log(`\nload average: ${load.stdout.split(' ').slice(0, 3).join(' ')}`);
}

await main();
