/**
 * Kubernetes' WebSocket stream subprotocols for exec/attach (v4.channel.k8s.io, v5.channel.k8s.io),
 * as kubectl ≥ 1.30 speaks them: every binary message is one channel byte followed by data.
 * Channels: 0 stdin, 1 stdout, 2 stderr, 3 error (a JSON Status when the command ends), 4 resize
 * (JSON {"Width","Height"}); v5 adds 255 = "close channel <next byte>" (stdin EOF). Pure.
 */

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';
/** What the API server and the node accept, best first. */
export const STREAM_PROTOCOLS = [V5, V4] as const;

export const CH = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

/** The protocol to answer with from the client's offer, or undefined when none of ours is offered. */
export function pickProtocol(offered: Iterable<string>): string | undefined {
  const set = new Set(offered);
  return STREAM_PROTOCOLS.find((p) => set.has(p));
}

export function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

export type Incoming = { kind: 'stdin'; data: Buffer } | { kind: 'resize'; width: number; height: number } | { kind: 'close'; channel: number } | { kind: 'ignored' };

/** Decodes one message from the client. */
export function decode(msg: Buffer): Incoming {
  if (!msg.length) return { kind: 'ignored' };
  const ch = msg[0]!;
  const data = msg.subarray(1);
  if (ch === CH.stdin) return { kind: 'stdin', data };
  if (ch === CH.close && data.length) return { kind: 'close', channel: data[0]! };
  if (ch === CH.resize) {
    try {
      const r = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
      if (typeof r.Width === 'number' && typeof r.Height === 'number') return { kind: 'resize', width: r.Width, height: r.Height };
    } catch {
      /* a malformed resize is dropped, as kubelet does */
    }
  }
  return { kind: 'ignored' };
}

/** The error-channel Status that ends an exec: Success for exit 0, NonZeroExitCode with the code otherwise. */
export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** An error-channel Status for a failure that is not the command's exit (no such container, cannot start). */
export function failureStatus(message: string, code = 500, reason = 'InternalError'): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** A POSIX shell word for `s` (for `script -c`, which takes one command string). */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Query of an exec request: command (repeated), container, stdin/stdout/stderr/tty flags. */
export interface ExecRequest {
  command: string[];
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export function parseExecQuery(q: URLSearchParams): ExecRequest {
  const flag = (k: string) => ['true', '1'].includes(q.get(k) ?? '');
  const container = q.get('container') || undefined;
  return { command: q.getAll('command'), ...(container ? { container } : {}), stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
}

/** pods/log query: container, follow, previous, tailLines, sinceSeconds, sinceTime, timestamps, limitBytes. */
export interface LogRequest {
  container?: string;
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps: boolean;
  limitBytes?: number;
}

export function parseLogQuery(q: URLSearchParams): LogRequest {
  const flag = (k: string) => ['true', '1'].includes(q.get(k) ?? '');
  const num = (k: string) => (q.get(k) !== null && Number.isFinite(Number(q.get(k))) ? Number(q.get(k)) : undefined);
  const r: LogRequest = { follow: flag('follow'), previous: flag('previous'), timestamps: flag('timestamps') };
  const c = q.get('container');
  if (c) r.container = c;
  const t = num('tailLines');
  if (t !== undefined) r.tailLines = t;
  const s = num('sinceSeconds');
  if (s !== undefined) r.sinceSeconds = s;
  if (q.get('sinceTime')) r.sinceTime = q.get('sinceTime')!;
  const l = num('limitBytes');
  if (l !== undefined) r.limitBytes = l;
  return r;
}

/** The last `n` lines of `text` (a trailing newline does not count as a line). */
export function tailLines(text: string, n: number): string {
  if (n < 0) return text;
  if (n === 0) return '';
  const lines = text.split('\n');
  const trailing = lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  return lines.slice(-n).join('\n') + (trailing && lines.length ? '\n' : '');
}
