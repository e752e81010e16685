/**
 * Per article lab: deploy; verify (the first `lab verify --wait` run: convergence plus every stage, the run
 * that counts, its checks); re-verify (a second full run on the converged lab: how long checking alone takes;
 * a staged lab replays its stages onto their own end state, so its count can differ); destroy. Wall-clock
 * seconds, printed as a table.
 *   node --import tsx bench/labs.ts [DIR | DIR/TOPO ...]     (default: every lab in test/e2e/labs-list.ts)
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

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const labs = ARTICLE_LABS.filter((l) => only.length === 0 || only.includes(`${l.dir}/${l.topo}`) || only.includes(l.dir));
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
