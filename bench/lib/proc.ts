/** Per-process figures from /proc: peak RSS (VmHWM) and CPU seconds (utime + stime). Linux only. */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

export interface ProcUsage {
  /** Peak resident set size, MB (VmHWM). */
  peakRssMB: number;
  /** Current resident set size, MB (VmRSS). */
  rssMB: number;
  /** User + system CPU seconds since the process started. */
  cpuS: number;
}

export function procUsage(pid: number): ProcUsage {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // Fields after the command name (which may contain spaces) start at ")": utime and stime are fields 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(f[11]) + Number(f[12])) / TICKS;
  return { peakRssMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024, cpuS };
}

/** The command name of a process (to check that `ip netns exec` exec'd the daemon in place). */
export function procName(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
}
