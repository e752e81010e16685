/**
 * Which of a node's `exec:` lines share one `docker exec`, and the script that runs them. Each `docker exec` costs
 * dockerd and runc ≈ 0.1 s on 2 cores; an article lab's node has 3–5 lines that only configure the kernel or a file
 * (`ip addr add`, `ip route add`, `ln -sf`, `sed -i`). A run of two or more such quick lines goes in one exec; any
 * other line (a shell, a daemon's start, `vtysh`) keeps its own, as containerlab runs each line. The batch script runs
 * each line's argv with `exec` in a subshell (no expansion, no builtins: what a `docker exec` of that argv does), in
 * order, stopping at the first failure; markers (ASCII RS + the line's index) split the output back per line, so a
 * failure is reported as that line's own exec would be. Pure.
 */

/** Commands that configure the kernel or a file and return at once: they start no process and need no peer. */
const QUICK = new Set(['ip', 'bridge', 'sysctl', 'iptables', 'ip6tables', 'ethtool', 'tc', 'ln', 'touch', 'mkdir', 'sed', 'cp', 'chmod']);

/** A quick line: one of QUICK, by its base name, and not `ip netns exec …` / `ip vrf exec …` (which runs anything). */
export function isQuickLine(argv: readonly string[]): boolean {
  const cmd = argv[0]?.split('/').pop();
  return cmd !== undefined && QUICK.has(cmd) && !(cmd === 'ip' && argv.includes('exec'));
}

/** How many of the lines, from the first, are quick (they may run before the lab's routers are configured). */
export function quickPrefix(argvs: ReadonlyArray<readonly string[]>): number {
  const i = argvs.findIndex((a) => !isQuickLine(a));
  return i < 0 ? argvs.length : i;
}

/** The lines in order, grouped: a run of ≥ 2 quick lines is one group (one exec), every other line its own. */
export function execGroups(argvs: ReadonlyArray<readonly string[]>): number[][] {
  const out: number[][] = [];
  argvs.forEach((a, i) => {
    const last = out.at(-1);
    if (last && isQuickLine(a) && isQuickLine(argvs[last[0]!]!)) last.push(i);
    else out.push([i]);
  });
  return out;
}

const RS = '\u001e';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The script for `sh -c`: line i prints its marker on both streams, runs, and on failure says so on stderr and exits with its code. */
export function batchScript(lines: ReadonlyArray<readonly string[]>): string {
  return lines
    .map((argv, i) => `printf '\\036%d\\n' ${i}; printf '\\036%d\\n' ${i} >&2; (exec ${argv.map(quote).join(' ')}) || { r=$?; printf '\\036!%d %d\\n' ${i} $r >&2; exit $r; }`)
    .join('\n');
}

export interface BatchOutcome {
  /** Lines that ran (started), in order. */
  ran: number;
  /** The failed line, with its own exit code and output; undefined when all succeeded. */
  failed?: { index: number; exitCode: number; stdout: string; stderr: string };
  /** No marker at all and a failure: the script never ran (no sh in the image), so the lines must run one by one. */
  noShell: boolean;
}

function perLine(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const re = new RegExp(`${RS}(!?)(\\d+)( -?\\d+)?(?:\\n|$)`, 'g');
  let at = 0;
  let cur = -1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (cur >= 0) out.set(cur, (out.get(cur) ?? '') + text.slice(at, m.index));
    if (!m[1]) cur = Number(m[2]);
    at = m.index + m[0].length;
  }
  if (cur >= 0) out.set(cur, (out.get(cur) ?? '') + text.slice(at));
  return out;
}

/** Reads the batch's result: which line failed, with what code and output. */
export function batchOutcome(exitCode: number, stdout: string, stderr: string): BatchOutcome {
  const starts = [...stderr.matchAll(new RegExp(`${RS}(\\d+)(?:\\n|$)`, 'g'))].map((m) => Number(m[1]));
  if (starts.length === 0) return { ran: 0, noShell: exitCode !== 0 };
  const last = starts.at(-1)!;
  if (exitCode === 0) return { ran: starts.length, noShell: false };
  const fail = new RegExp(`${RS}!(\\d+) (-?\\d+)(?:\\n|$)`).exec(stderr);
  const index = fail ? Number(fail[1]) : last;
  return { ran: starts.length, noShell: false, failed: { index, exitCode: fail ? Number(fail[2]) : exitCode, stdout: perLine(stdout).get(index) ?? '', stderr: perLine(stderr).get(index) ?? '' } };
}
