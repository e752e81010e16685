import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { shellQuote } from './stream-protocol.js';

export interface ExecSpec {
  /** Pod netns; '' for a host-network pod. */
  netns: string;
  command: string[];
  tty: boolean;
  env?: Record<string, string>;
}

/** The argv that runs `command` in the pod: `ip netns exec`, and `script` for a pseudo-terminal. Pure. */
export function execArgv(s: ExecSpec): string[] {
  const inner = s.tty ? ['script', '-qfec', s.command.map(shellQuote).join(' '), '/dev/null'] : s.command;
  return s.netns ? ['ip', 'netns', 'exec', s.netns, ...inner] : inner;
}

/** A command running in a pod: a stand-in's (PodExec) or a real-image container's (engine exec). */
export interface ExecHandle {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<number>;
  write(d: Buffer): void;
  endInput(): void;
  resize(width: number, height: number): void;
  kill(): void;
}

/** A command running in a pod (its netns on this node), stdio as pipes. */
export class PodExec implements ExecHandle {
  readonly child: ChildProcess;
  readonly exited: Promise<number>;

  constructor(private readonly s: ExecSpec) {
    const [cmd, ...args] = execArgv(s);
    const env = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOSTNAME: s.netns, HOME: '/root', ...(s.tty ? { TERM: 'xterm' } : {}), ...s.env };
    this.child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], env, cwd: '/', detached: true });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (e) => {
        this.child.stderr?.emit('data', Buffer.from(`${e.message}\n`));
        resolve(126);
      });
      this.child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + 9 : 1)));
    });
    this.child.stdin?.on('error', () => undefined);
  }

  get stdout(): Readable {
    return this.child.stdout!;
  }

  get stderr(): Readable {
    return this.child.stderr!;
  }

  write(d: Buffer): void {
    this.child.stdin?.write(d);
  }

  endInput(): void {
    this.child.stdin?.end();
  }

  /** Sets the terminal size (the kernel then sends SIGWINCH to the foreground job); retried until the pty exists. */
  resize(width: number, height: number): void {
    if (!this.s.tty || this.child.exitCode !== null || !this.child.pid) return;
    resizePty(this.child.pid, width, height);
  }

  kill(): void {
    if (this.child.exitCode !== null) return;
    try {
      if (this.child.pid) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** The pseudo-terminal `script` made under process `root` (the stdin of some descendant), once it exists. */
function ptyPath(root: number): string | undefined {
  const pids: number[] = [root];
  // ip netns exec execs in place, script forks the command: search a few levels down.
  for (let i = 0; i < pids.length && i < 16; i++) {
    const pid = pids[i]!;
    try {
      const fd0 = fs.readlinkSync(`/proc/${pid}/fd/0`);
      if (fd0.startsWith('/dev/pts/')) return fd0;
    } catch {
      /* gone */
    }
    try {
      for (const t of fs.readdirSync(`/proc/${pid}/task`)) pids.push(...fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* gone */
    }
  }
  return undefined;
}

/** Sets the size of the pty under process `root` (stty), retried while `script` is still making it. */
export function resizePty(root: number, width: number, height: number, tries = 20): void {
  const pty = ptyPath(root);
  if (!pty) {
    if (tries > 0) setTimeout(() => resizePty(root, width, height, tries - 1), 50);
    return;
  }
  const p = spawn('stty', ['-F', pty, 'rows', String(height), 'cols', String(width)], { stdio: 'ignore' });
  p.on('error', () => undefined);
}
