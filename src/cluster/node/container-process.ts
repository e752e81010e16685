import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Logger } from './sys.js';

export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

/** A container's state as the pod status reports it. */
export interface ContainerRunState {
  state: 'waiting' | 'running' | 'terminated';
  reason?: string;
  message?: string;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
  last?: { exitCode: number; reason: string; startedAt?: string; finishedAt: string };
  pid?: number;
}

export interface ContainerProcessOptions {
  name: string;
  /** Pod netns; '' for a host-network pod. */
  netns: string;
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  logFile: string;
  pidFile: string;
  restartPolicy: RestartPolicy;
  onChange: () => void;
  log: Logger;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const MAX_BACKOFF_MS = 30_000;

/** Kills a process group left by an earlier daemon (its pid file), so a restart does not run it twice. */
export function killStale(pidFile: string): void {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  if (pid > 1) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  fs.rmSync(pidFile, { force: true });
}

/**
 * One container's workload: a child of the daemon in its own process group, entered into
 * the pod netns with `ip netns exec`, output appended to its log file, restarted after an
 * exit per restartPolicy with a doubling back-off (1 s … 30 s; CrashLoopBackOff while waiting).
 */
export class ContainerProcess {
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private backoffMs = 1000;
  st: ContainerRunState = { state: 'waiting', reason: 'ContainerCreating', restartCount: 0 };

  constructor(private readonly o: ContainerProcessOptions) {}

  start(): void {
    killStale(this.o.pidFile);
    this.spawn();
  }

  private spawn(): void {
    if (this.stopping) return;
    const out = fs.openSync(this.o.logFile, 'a');
    // Host-network pods (netns '') run directly in the node's namespace.
    const [cmd, ...argv] = this.o.netns ? ['ip', 'netns', 'exec', this.o.netns, ...this.o.argv] : this.o.argv;
    const env = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: this.o.netns, ...this.o.env };
    const startedAt = now();
    const child = spawn(cmd!, argv, { detached: true, stdio: ['ignore', out, out], env, ...(this.o.cwd && fs.existsSync(this.o.cwd) ? { cwd: this.o.cwd } : {}) });
    fs.closeSync(out);
    this.child = child;
    if (child.pid) fs.writeFileSync(this.o.pidFile, String(child.pid));
    this.st = { state: 'running', startedAt, restartCount: this.st.restartCount, ...(this.st.last ? { last: this.st.last } : {}), ...(child.pid ? { pid: child.pid } : {}) };
    this.o.log({ msg: 'container started', container: this.o.name, netns: this.o.netns, pid: child.pid, argv: this.o.argv });
    child.on('error', (e) => this.o.log({ level: 'error', msg: 'container spawn failed', container: this.o.name, error: e.message }));
    child.on('exit', (code, signal) => this.exited(child, code ?? (signal ? 128 + 9 : 1), startedAt));
    this.o.onChange();
  }

  private exited(child: ChildProcess, exitCode: number, startedAt: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    fs.rmSync(this.o.pidFile, { force: true });
    const finishedAt = now();
    const reason = exitCode === 0 ? 'Completed' : 'Error';
    const ranMs = Date.now() - Date.parse(startedAt);
    this.o.log({ level: this.stopping ? 'info' : 'warn', msg: 'container exited', container: this.o.name, netns: this.o.netns, exitCode });
    const restart = !this.stopping && (this.o.restartPolicy === 'Always' || (this.o.restartPolicy === 'OnFailure' && exitCode !== 0));
    if (!restart) {
      this.st = { state: 'terminated', exitCode, reason, startedAt, finishedAt, restartCount: this.st.restartCount, ...(this.st.last ? { last: this.st.last } : {}) };
      this.o.onChange();
      return;
    }
    if (ranMs > 60_000) this.backoffMs = 1000;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.st = { state: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.o.name}`, restartCount: this.st.restartCount + 1, last: { exitCode, reason, startedAt, finishedAt } };
    this.timer = setTimeout(() => this.spawn(), delay);
    this.o.onChange();
  }

  get running(): boolean {
    return !!this.child;
  }

  /** SIGTERM to the process group, SIGKILL after the grace period. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const child = this.child;
    if (!child?.pid) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    const kill = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        /* gone */
      }
    };
    kill('SIGTERM');
    const t = setTimeout(() => kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(t);
  }
}
