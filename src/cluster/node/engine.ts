/**
 * The Docker Engine API as the node daemon needs it, over the engine's unix socket (bind-mounted
 * into k8s node containers by cluster/lab/node-kind.ts): images, containers, attach and exec.
 * A few plain HTTP calls; no client library, so the node daemon loads nothing of the runtime's.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';

export const ENGINE_SOCKET = '/var/run/docker.sock';

export class EngineError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface EngineContainer {
  Id: string;
  Names: string[];
  Labels: Record<string, string>;
  State: string;
}

/** Splits Docker's multiplexed stream (8-byte headers: stream, 0, 0, 0, size) into stdout/stderr. */
export class Demuxer {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly out: (stream: 1 | 2, data: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) return;
      this.out(this.buf[0] === 2 ? 2 : 1, this.buf.subarray(8, 8 + size));
      this.buf = this.buf.subarray(8 + size);
    }
  }
}

export class Engine {
  constructor(private readonly socketPath = ENGINE_SOCKET) {}

  request<T>(method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<{ status: number; body: T }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request({ socketPath: this.socketPath, method, path, headers: { Host: 'docker', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) }, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* a stream of JSON lines (pull) or plain text */
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new EngineError(status, (parsed as { message?: string })?.message ?? text.trim()));
          else resolve({ status, body: parsed as T });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`Docker engine: ${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(data);
    });
  }

  async ping(): Promise<boolean> {
    return this.request('GET', '/_ping', undefined, 2000).then(
      () => true,
      () => false,
    );
  }

  async imagePresent(ref: string): Promise<boolean> {
    return this.request('GET', `/images/${encodeURIComponent(ref)}/json`).then(
      () => true,
      (e) => (e instanceof EngineError && e.status === 404 ? false : Promise.reject(e)),
    );
  }

  /** Pulls an image; the engine streams progress lines, an `error` line means failure. */
  async pull(ref: string, timeoutMs = 300_000): Promise<void> {
    const r = await this.request<string | { error?: string }>('POST', `/images/create?fromImage=${encodeURIComponent(ref)}`, undefined, timeoutMs);
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? '');
    const err = text.split('\n').map((l) => l.match(/"error"\s*:\s*"([^"]*)"/)?.[1]).find(Boolean);
    if (err) throw new EngineError(500, err);
  }

  async inspect<T = Record<string, unknown>>(id: string): Promise<T> {
    return (await this.request<T>('GET', `/containers/${encodeURIComponent(id)}/json`)).body;
  }

  async create(name: string, body: unknown): Promise<string> {
    return (await this.request<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, body)).body.Id;
  }

  async start(id: string): Promise<void> {
    await this.request('POST', `/containers/${encodeURIComponent(id)}/start`);
  }

  async stop(id: string, seconds: number): Promise<void> {
    await this.request('POST', `/containers/${encodeURIComponent(id)}/stop?t=${seconds}`, undefined, (seconds + 30) * 1000).catch((e) => (e instanceof EngineError && (e.status === 304 || e.status === 404) ? undefined : Promise.reject(e)));
  }

  /** Removes a container (running or not); a missing one is fine. */
  async remove(id: string): Promise<void> {
    await this.request('DELETE', `/containers/${encodeURIComponent(id)}?force=1&v=1`).catch((e) => (e instanceof EngineError && e.status === 404 ? undefined : Promise.reject(e)));
  }

  /** Blocks until the container stops; its exit code. */
  async wait(id: string): Promise<number> {
    return (await this.request<{ StatusCode: number }>('POST', `/containers/${encodeURIComponent(id)}/wait`, undefined, 0)).body.StatusCode;
  }

  async list(labels: Record<string, string>): Promise<EngineContainer[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => (v ? `${k}=${v}` : k)) });
    return (await this.request<EngineContainer[]>('GET', `/containers/json?all=1&filters=${encodeURIComponent(filters)}`)).body;
  }

  /** An HTTP upgrade to a raw stream (attach, exec start), as the Docker CLI does. */
  private hijack(path: string, body: unknown): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const data = Buffer.from(JSON.stringify(body ?? {}));
      const req = http.request({ socketPath: this.socketPath, method: 'POST', path, headers: { Host: 'docker', 'Content-Type': 'application/json', 'Content-Length': data.length, Connection: 'Upgrade', Upgrade: 'tcp' } });
      req.on('upgrade', (_res, socket, head) => {
        if (head.length) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(new EngineError(res.statusCode ?? 500, Buffer.concat(chunks).toString().trim())));
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  /** Attaches to stdout/stderr (before start, so nothing is missed); data goes to `out` until the container stops. */
  async attachOutput(id: string, tty: boolean, out: (data: Buffer, stream: 'stdout' | 'stderr') => void): Promise<Duplex> {
    const s = await this.hijack(`/containers/${encodeURIComponent(id)}/attach?stream=1&stdout=1&stderr=1`, undefined);
    const demux = new Demuxer((n, d) => out(d, n === 2 ? 'stderr' : 'stdout'));
    s.on('data', (d: Buffer) => (tty ? out(d, 'stdout') : demux.push(d)));
    s.on('error', () => undefined);
    return s;
  }

  /**
   * Attaches to a running container's own process (kubectl attach): its output as it comes and,
   * with `stdin`, input into its stdin (the container must have been created with OpenStdin).
   */
  async attach(id: string, o: { stdin: boolean; tty: boolean }, out: (data: Buffer, stream: 'stdout' | 'stderr') => void): Promise<Duplex> {
    const s = await this.hijack(`/containers/${encodeURIComponent(id)}/attach?stream=1&stdout=1&stderr=1${o.stdin ? '&stdin=1' : ''}`, undefined);
    const demux = new Demuxer((n, d) => out(d, n === 2 ? 'stderr' : 'stdout'));
    s.on('data', (d: Buffer) => (o.tty ? out(d, 'stdout') : demux.push(d)));
    s.on('error', () => undefined);
    return s;
  }

  async resize(id: string, width: number, height: number): Promise<void> {
    await this.request('POST', `/containers/${encodeURIComponent(id)}/resize?h=${height}&w=${width}`).catch(() => undefined);
  }

  /** Starts a command in a running container: its stdio as streams, the exit code when it ends. */
  async exec(id: string, o: { cmd: string[]; tty: boolean; stdin: boolean; env?: string[] }): Promise<EngineExec> {
    const created = await this.request<{ Id: string }>('POST', `/containers/${encodeURIComponent(id)}/exec`, { AttachStdin: o.stdin, AttachStdout: true, AttachStderr: true, Tty: o.tty, Cmd: o.cmd, ...(o.env ? { Env: o.env } : {}) });
    const execId = created.body.Id;
    const socket = await this.hijack(`/exec/${execId}/start`, { Detach: false, Tty: o.tty });
    return new EngineExec(this, execId, socket, o.tty, o.stdin);
  }

  async execResize(execId: string, width: number, height: number): Promise<void> {
    await this.request('POST', `/exec/${execId}/resize?h=${height}&w=${width}`).catch(() => undefined);
  }

  async execExitCode(execId: string): Promise<number> {
    const r = await this.request<{ ExitCode: number | null; Running: boolean }>('GET', `/exec/${execId}/json`);
    return r.body.ExitCode ?? (r.body.Running ? 137 : 1);
  }
}

/** One exec session: stdout/stderr streams, a stdin writer, the exit code. */
export class EngineExec {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly exited: Promise<number>;

  constructor(private readonly engine: Engine, readonly id: string, private readonly socket: Duplex, tty: boolean, private readonly stdin: boolean) {
    const demux = new Demuxer((s, d) => (s === 2 ? this.stderr : this.stdout).write(d));
    socket.on('data', (d: Buffer) => (tty ? this.stdout.write(d) : demux.push(d)));
    socket.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      socket.once('close', () => {
        this.stdout.end();
        this.stderr.end();
        engine.execExitCode(id).then(resolve, () => resolve(1));
      });
    });
  }

  write(d: Buffer): void {
    this.socket.write(d);
  }

  /** Half-closes stdin; the engine passes the end to the command (nothing to close when stdin is not attached). */
  endInput(): void {
    if (this.stdin) this.socket.end();
  }

  resize(width: number, height: number): void {
    void this.engine.execResize(this.id, width, height);
  }

  kill(): void {
    this.socket.destroy();
  }
}
