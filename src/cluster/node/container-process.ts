import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { execArgv, resizePty } from './exec-in-pod.js';
import { LogWriter, rotateLog } from './container-log.js';
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
  /** The container's stdin stays open for attach (spec stdin); tty runs it on a pseudo-terminal. */
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
}

/** One `kubectl attach` to a running container. */
export interface Attachment {
  /** Into the container's stdin (dropped when it has none). */
  write(d: Buffer): void;
  /** The client closed stdin: with stdinOnce the container's stdin closes too. */
  closeStdin(): void;
  resize(width: number, height: number): void;
  /** Stop receiving output; the container keeps running. */
  detach(): void;
  /** Resolves with the exit code when the container's process ends. */
  exited: Promise<number>;
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
  private readonly listeners = new Set<(d: Buffer, stream: 'stdout' | 'stderr') => void>();
  private exitWaiters: Array<(code: number) => void> = [];
  private stdinClosed = false;

  constructor(private readonly o: ContainerProcessOptions) {}

  start(): void {
    killStale(this.o.pidFile);
    this.spawn();
  }

  private spawn(): void {
    if (this.stopping) return;
    // Each run gets its own log (the one before is kept for `kubectl logs -p`), written line by line with times.
    rotateLog(this.o.logFile);
    const out = new LogWriter(this.o.logFile);
    // Host-network pods (netns '') run directly in the node's namespace.
    // A stdin container is run through pipes the daemon holds (and `script` for a tty), so attach can reach it.
    const [cmd, ...argv] = this.o.stdin ? execArgv({ netns: this.o.netns, command: this.o.argv, tty: !!this.o.tty }) : this.o.netns ? ['ip', 'netns', 'exec', this.o.netns, ...this.o.argv] : this.o.argv;
    const env = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: this.o.netns, ...(this.o.tty ? { TERM: 'xterm' } : {}), ...this.o.env };
    const startedAt = now();
    // Output always flows through the daemon: the log lines get their times, and attach sees it as it comes.
    const child = spawn(cmd!, argv, { detached: true, stdio: [this.o.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env, ...(this.o.cwd && fs.existsSync(this.o.cwd) ? { cwd: this.o.cwd } : {}) });
    const pump = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
      out.write(stream, d);
      for (const l of this.listeners) l(d, stream);
    };
    child.stdout?.on('data', pump('stdout'));
    child.stderr?.on('data', pump('stderr'));
    child.stdin?.on('error', () => undefined);
    this.stdinClosed = false;
    child.once('close', () => out.close());
    this.child = child;
    if (child.pid) fs.writeFileSync(this.o.pidFile, String(child.pid));
    this.st = { state: 'running', startedAt, restartCount: this.st.restartCount, ...(this.st.last ? { last: this.st.last } : {}), ...(child.pid ? { pid: child.pid } : {}) };
    this.o.log({ msg: 'container started', container: this.o.name, netns: this.o.netns, pid: child.pid, argv: this.o.argv });
    child.on('error', (e) => this.o.log({ level: 'error', msg: 'container spawn failed', container: this.o.name, error: e.message }));
    child.on('exit', (code, signal) => this.exited(child, code ?? (signal ? 128 + (os.constants.signals[signal] ?? 9) : 1), startedAt));
    this.o.onChange();
  }

  private exited(child: ChildProcess, exitCode: number, startedAt: string): void {
    if (this.child !== child) return;
    for (const w of this.exitWaiters.splice(0)) w(exitCode);
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

  /**
   * Attaches to the running process: output as it is written (for a container without stdin,
   * the log file followed from its current end), input into its stdin. Undefined when not running.
   */
  attach(onOutput: (d: Buffer, stream: 'stdout' | 'stderr') => void): Attachment | undefined {
    const child = this.child;
    if (!child) return undefined;
    const exited = new Promise<number>((r) => this.exitWaiters.push(r));
    this.listeners.add(onOutput);
    return {
      write: (d) => {
        if (!this.stdinClosed && child === this.child) child.stdin?.write(d);
      },
      closeStdin: () => {
        if (!this.o.stdinOnce || child !== this.child) return;
        this.stdinClosed = true;
        child.stdin?.end();
      },
      resize: (w, h) => {
        if (this.o.tty && child.pid) resizePty(child.pid, w, h);
      },
      detach: () => {
        this.listeners.delete(onOutput);
        if (this.o.stdinOnce && child === this.child && !this.stdinClosed) {
          this.stdinClosed = true;
          child.stdin?.end();
        }
      },
      exited,
    };
  }

  /** Kills the running process (a failed liveness or startup probe); restartPolicy decides what follows. */
  kill(graceMs: number): void {
    const child = this.child;
    if (!child?.pid) return;
    const sig = (s: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, s);
      } catch {
        /* gone */
      }
    };
    sig('SIGTERM');
    const t = setTimeout(() => sig('SIGKILL'), graceMs);
    child.once('exit', () => clearTimeout(t));
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

