/**
 * Long-lived shells in a lab's containers for `lab verify`. One `docker exec -i … sh` per shell
 * runs the checks' commands one after another, read from its stdin; each answer ends with a
 * marker on stdout and on stderr. A check's command then costs a fork in the container, not an
 * exec through the engine (create, start, inspect, and runc setting up a process each time).
 *
 * A container gets up to `perContainer` shells, opened one at a time while commands queue up. A
 * command never waits long for a shell: when every shell is busy, or none came free within
 * `maxQueueMs`, it takes a plain exec, as does a command in a container without a POSIX shell,
 * one that does not fit on one line, or one on a runtime without interactive exec (`run` answers
 * undefined).
 */
import { randomBytes } from 'node:crypto';
import type { ExecStream, ExecStreamHandlers } from '../runtime/index.js';
import { shellQuoteArg } from '../lib/index.js';
import type { ExecOutput } from './context.js';

/** Starts `argv` in `container` with stdin open (Runtime.openExec). */
export type OpenExec = (container: string, argv: string[], on: ExecStreamHandlers) => Promise<ExecStream>;

// The marker M comes first on stdin (never in argv, where a command could read it). A command
// reads /dev/null, not the shell's stdin. `$?` is the command's exit status.
const LOOP = [
  'IFS= read -r M || exit 0',
  'printf "%s ready\\n" "$M"',
  'while IFS= read -r c; do eval "$c" </dev/null; r=$?; printf "\\n%s %s\\n" "$M" "$r"; printf "\\n%s\\n" "$M" >&2; done',
].join('; ');

/** The command line a shell evaluates for argv; undefined when argv cannot travel on one line. */
export function shellLine(argv: readonly string[]): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (argv.length === 0 || argv.some((a) => /[\n\r\x00]/.test(a))) return undefined;
  return argv.map(shellQuoteArg).join(' ');
}

/** Where an answer ends in a stream: the index of `mark` and the index after the line it ends (its own last byte when that is "\n"). */
function findMarker(buf: Buffer, mark: Buffer): { at: number; lineEnd: number } | undefined {
  const at = buf.indexOf(mark);
  if (at < 0) return undefined;
  if (mark[mark.length - 1] === 0x0a) return { at, lineEnd: at + mark.length };
  const nl = buf.indexOf(0x0a, at + mark.length);
  return nl < 0 ? undefined : { at, lineEnd: nl + 1 };
}

interface Job {
  line: string;
  /** Set while it waits in a queue: past it, the job goes to a plain exec. */
  timer?: NodeJS.Timeout;
  /** undefined: no shell here, run it through a plain exec. */
  resolve: (r: ExecOutput | undefined) => void;
}

class Shell {
  private out: Buffer = Buffer.alloc(0);
  private err: Buffer = Buffer.alloc(0);
  private job: Job | undefined;
  private ready: ((ok: boolean) => void) | undefined;
  private stream: ExecStream | undefined;
  dead = false;
  private readonly outMark: Buffer;
  private readonly errMark: Buffer;

  constructor(private readonly marker: string) {
    this.outMark = Buffer.from(`\n${marker} `);
    this.errMark = Buffer.from(`\n${marker}\n`);
  }

  /** Starts the shell; false when it did not come up (no shell in the container, exec refused). */
  async open(open: OpenExec, container: string): Promise<boolean> {
    const up = new Promise<boolean>((r) => (this.ready = r));
    try {
      this.stream = await open(container, ['sh', '-c', LOOP], {
        stdout: (b) => this.onOut(b),
        stderr: (b) => this.onErr(b),
        end: () => this.onEnd(),
      });
    } catch {
      this.dead = true;
      return false;
    }
    this.stream.write(`${this.marker}\n`);
    return up;
  }

  run(job: Job): void {
    this.job = job;
    this.stream!.ref(true);
    this.stream!.write(`${job.line}\n`);
  }

  close(): void {
    this.dead = true;
    this.stream?.end();
    this.stream?.ref(false);
  }

  private onOut(b: Buffer): void {
    this.out = this.out.length ? Buffer.concat([this.out, b]) : b;
    if (this.ready) {
      const line = Buffer.from(`${this.marker} ready\n`);
      if (this.out.length < line.length) return;
      const ok = this.out.subarray(0, line.length).equals(line);
      this.out = this.out.subarray(line.length);
      const r = this.ready;
      this.ready = undefined;
      this.stream!.ref(false);
      if (!ok) this.close();
      r(ok);
      return;
    }
    this.settle();
  }

  private onErr(b: Buffer): void {
    this.err = this.err.length ? Buffer.concat([this.err, b]) : b;
    this.settle();
  }

  /** Both markers seen: the command's answer is complete. */
  private settle(): void {
    if (!this.job) return;
    const o = findMarker(this.out, this.outMark);
    const e = o && findMarker(this.err, this.errMark);
    if (!o || !e) return;
    const exitCode = Number(this.out.subarray(o.at + this.outMark.length, o.lineEnd - 1).toString());
    const r: ExecOutput = { exitCode: Number.isInteger(exitCode) ? exitCode : -1, stdout: this.out.subarray(0, o.at).toString('utf8'), stderr: this.err.subarray(0, e.at).toString('utf8') };
    this.out = this.out.subarray(o.lineEnd);
    this.err = this.err.subarray(e.lineEnd);
    const job = this.job;
    this.job = undefined;
    this.stream!.ref(false);
    this.onIdle?.(this);
    job.resolve(r);
  }

  /** Called when a command's answer is in (the pool hands out the next one). */
  onIdle: ((s: Shell) => void) | undefined;
  /** Called when the shell is gone (the pool forgets it). */
  onGone: ((s: Shell) => void) | undefined;

  private onEnd(): void {
    const wasOpen = !this.dead;
    this.dead = true;
    if (this.ready) {
      const r = this.ready;
      this.ready = undefined;
      r(false);
      return;
    }
    // gone while a command ran (the container stopped, the command killed its shell): what came, and no exit status
    const job = this.job;
    this.job = undefined;
    if (job) job.resolve({ exitCode: -1, stdout: this.out.toString('utf8'), stderr: `${this.err.toString('utf8')}${wasOpen ? '(the exec session ended before the command did)' : ''}` });
    this.onGone?.(this);
  }
}

interface Slot {
  shells: Shell[];
  idle: Shell[];
  opening: number;
  queue: Job[];
  /** No shell could be started here: plain exec from now on. */
  noShell: boolean;
}

export class NodeShells {
  private readonly slots = new Map<string, Slot>();
  private closed = false;

  constructor(
    private readonly open: OpenExec,
    private readonly perContainer = 3,
    /** How long a command may wait for a shell to open or come free before it takes a plain exec. */
    private readonly maxQueueMs = 1000,
  ) {}

  /** Runs argv in the container through one of its shells; undefined when it has to go through a plain exec. */
  async run(container: string, argv: readonly string[]): Promise<ExecOutput | undefined> {
    const line = shellLine(argv);
    if (line === undefined || this.closed) return undefined;
    let slot = this.slots.get(container);
    if (!slot) this.slots.set(container, (slot = { shells: [], idle: [], opening: 0, queue: [], noShell: false }));
    if (slot.noShell) return undefined;
    // Every shell busy and no more to open: a plain exec now. Queueing behind a command that hangs
    // (a traceroute into a black hole) would make this one time out for no fault of its own.
    if (slot.idle.length === 0 && slot.opening === 0 && slot.shells.length >= this.perContainer) return undefined;
    const s = slot;
    return new Promise<ExecOutput | undefined>((resolve) => {
      const job: Job = { line, resolve };
      job.timer = setTimeout(() => {
        const i = s.queue.indexOf(job);
        if (i >= 0) {
          s.queue.splice(i, 1);
          resolve(undefined);
        }
      }, this.maxQueueMs);
      job.timer.unref();
      s.queue.push(job);
      this.pump(container, s);
    });
  }

  /** Closes every shell (each ends when its command does). */
  close(): void {
    this.closed = true;
    for (const s of this.slots.values()) for (const sh of s.shells) sh.close();
  }

  private pump(container: string, slot: Slot): void {
    while (slot.idle.length && slot.queue.length) {
      const job = slot.queue.shift()!;
      clearTimeout(job.timer);
      slot.idle.shift()!.run(job);
    }
    // one shell opening at a time: quick commands drain the queue before a second exec would be up
    if (slot.queue.length && slot.opening === 0 && slot.shells.length < this.perContainer) void this.grow(container, slot);
  }

  private async grow(container: string, slot: Slot): Promise<void> {
    slot.opening++;
    const sh = new Shell(randomBytes(16).toString('hex'));
    const ok = await sh.open(this.open, container);
    slot.opening--;
    if (!ok || this.closed) {
      sh.close();
      // no shell at all here: the queued commands go through plain execs
      if (!ok && slot.shells.length === 0 && slot.opening === 0) {
        slot.noShell = true;
        for (const j of slot.queue.splice(0)) {
          clearTimeout(j.timer);
          j.resolve(undefined);
        }
      }
      return;
    }
    sh.onIdle = (s) => {
      slot.idle.push(s);
      this.pump(container, slot);
    };
    sh.onGone = (s) => {
      slot.shells = slot.shells.filter((x) => x !== s);
      slot.idle = slot.idle.filter((x) => x !== s);
      this.pump(container, slot);
    };
    slot.shells.push(sh);
    slot.idle.push(sh);
    this.pump(container, slot);
  }
}
