/**
 * Container logs as the kubelet keeps them: one file per run of a container in the CRI log
 * format (`<RFC3339Nano> <stdout|stderr> <F|P> <text>`, P for a piece of a longer line), the
 * current run in `<c>.log` and the one before in `<c>.previous.log` (what `kubectl logs -p`
 * shows). Every line carries its time, so --since/--since-time/--timestamps work per line.
 * `LogWriter` writes; `renderLog` and `LogFollower` (pure over the text) read.
 */
import fs from 'node:fs';

export type LogStream = 'stdout' | 'stderr';

/** The log of the run before the current one (`<c>.log` → `<c>.previous.log`). */
export const previousLogFile = (current: string): string => current.replace(/(\.log)?$/, '.previous.log');

/** A new run of the container: its current log becomes the previous one. */
export function rotateLog(current: string): void {
  if (fs.existsSync(current)) fs.renameSync(current, previousLogFile(current));
}

/** RFC 3339 with nanoseconds, as the CRI log format and `kubectl logs --timestamps` print it. */
export function nanoTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** Writes one run's output in the CRI format; a line is written once its newline arrives (or at close). */
export class LogWriter {
  private readonly fd: number;
  private readonly partial: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private closed = false;

  constructor(file: string, private readonly clock: () => Date = () => new Date()) {
    this.fd = fs.openSync(file, 'a');
  }

  write(stream: LogStream, data: Buffer): void {
    if (this.closed) return;
    let buf = this.partial[stream].length ? Buffer.concat([this.partial[stream], data]) : data;
    const ts = nanoTime(this.clock());
    const out: string[] = [];
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      out.push(`${ts} ${stream} F ${buf.subarray(0, nl).toString('utf8').replace(/\r$/, '')}\n`);
      buf = buf.subarray(nl + 1);
    }
    // a very long line without its end yet is written in pieces, as the CRI runtimes do (16 KiB)
    if (buf.length > 16 * 1024) {
      out.push(`${ts} ${stream} P ${buf.toString('utf8')}\n`);
      buf = Buffer.alloc(0);
    }
    this.partial[stream] = Buffer.from(buf);
    if (out.length) fs.writeSync(this.fd, out.join(''));
  }

  close(): void {
    if (this.closed) return;
    const ts = nanoTime(this.clock());
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s].length) fs.writeSync(this.fd, `${ts} ${s} P ${this.partial[s].toString('utf8')}\n`);
    this.closed = true;
    fs.closeSync(this.fd);
  }
}

export interface LogRecord {
  time: string;
  stream: LogStream;
  /** The line's text; `full` false: the line goes on in the next record. */
  text: string;
  full: boolean;
}

const LINE = /^(\S+) (stdout|stderr) ([FP]) (.*)$/;

/** The records of CRI log text; lines that are not in the format (an older daemon's plain log) count as stdout at time 0. */
export function parseLog(text: string): LogRecord[] {
  const out: LogRecord[] = [];
  for (const l of text.split('\n')) {
    if (!l) continue;
    const m = LINE.exec(l);
    out.push(m ? { time: m[1]!, stream: m[2] as LogStream, full: m[3] === 'F', text: m[4]! } : { time: '0001-01-01T00:00:00Z', stream: 'stdout', full: true, text: l });
  }
  return out;
}

export interface LogOptions {
  timestamps?: boolean;
  /** Only lines written at or after this time (ms since the epoch): --since / --since-time. */
  sinceMs?: number;
  /** The last N lines: --tail. */
  tailLines?: number;
  limitBytes?: number;
}

/** One whole line (its pieces joined), when it was written, and whether its end was seen. */
interface Line {
  time: string;
  text: string;
  ended: boolean;
}

function lines(records: LogRecord[]): Line[] {
  const out: Line[] = [];
  let open: Line | undefined;
  for (const r of records) {
    if (open) open.text += r.text;
    else open = { time: r.time, text: r.text, ended: false };
    if (r.full) {
      open.ended = true;
      out.push(open);
      open = undefined;
    }
  }
  if (open) out.push(open);
  return out;
}

const show = (l: Line, o: LogOptions) => `${o.timestamps ? `${l.time} ` : ''}${l.text}${l.ended ? '\n' : ''}`;

/** What `kubectl logs` prints for a log file's text. Pure. */
export function renderLog(text: string, o: LogOptions = {}): string {
  let ls = lines(parseLog(text));
  if (o.sinceMs !== undefined) ls = ls.filter((l) => Date.parse(l.time) >= o.sinceMs!);
  if (o.tailLines !== undefined && o.tailLines >= 0) ls = o.tailLines === 0 ? [] : ls.slice(-o.tailLines);
  const out = ls.map((l) => show(l, o)).join('');
  return o.limitBytes !== undefined ? Buffer.from(out).subarray(0, o.limitBytes).toString('utf8') : out;
}

/** Renders what is appended to a log file, a chunk at a time (logs -f): only whole records are rendered. */
export class LogFollower {
  private rest = '';
  constructor(private readonly o: LogOptions) {}
  push(chunk: string): string {
    const text = this.rest + chunk;
    const end = text.lastIndexOf('\n');
    this.rest = end < 0 ? text : text.slice(end + 1);
    if (end < 0) return '';
    return parseLog(text.slice(0, end + 1))
      .filter((r) => this.o.sinceMs === undefined || Date.parse(r.time) >= this.o.sinceMs)
      .map((r) => `${this.o.timestamps ? `${r.time} ` : ''}${r.text}${r.full ? '\n' : ''}`)
      .join('');
  }
}
