/**
 * Docker's API over `ssh://[user@]host[:port]`, the way the docker CLI reaches such an engine: the
 * OpenSSH client runs `docker system dial-stdio` on the other machine and its stdin/stdout carry the
 * HTTP connection. Using the user's `ssh` (not an SSH library) keeps what a Docker user relies on:
 * ~/.ssh/config (Host aliases, IdentityFile, ProxyJump), the agent, default keys and known_hosts.
 * One ssh process per HTTP connection; connections are kept alive and reused, at most a few at once
 * (sshd refuses some connections beyond 10 unauthenticated ones: MaxStartups).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { Duplex } from 'node:stream';

export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
}

/** Parallel ssh connections per engine (sshd's MaxStartups starts dropping at 10). */
const MAX_CONNECTIONS = 6;

/** The ssh command line, as the docker CLI builds it: -l/-p only when the URL gives them, so ~/.ssh/config decides otherwise. */
export function sshArgv(t: SshTarget): string[] {
  return [
    '-o', 'ConnectTimeout=15',
    // many connections at once: a password or passphrase prompt for each would hang the deploy
    '-o', 'BatchMode=yes',
    '-T',
    ...(t.user !== undefined ? ['-l', t.user] : []),
    ...(t.port !== undefined ? ['-p', String(t.port)] : []),
    '--', t.host, 'docker', 'system', 'dial-stdio',
  ];
}

/** ssh's own failure (exit 255: connect, auth, host key) or the remote docker's, with what it printed. */
export class SshDialError extends Error {
  readonly code = 'ESSH';
  constructor(message: string) {
    super(message);
    this.name = 'SshDialError';
  }
}

/** The ssh process's stdout/stdin as the socket an http.Agent expects (the few socket methods it calls). */
class SshSocket extends Duplex {
  private stderr = '';
  private gotData = false;
  private over = false;

  constructor(private readonly child: ChildProcess, what: string) {
    super();
    child.stdout!.on('data', (d: Buffer) => {
      this.gotData = true;
      if (!this.push(d)) child.stdout!.pause();
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2000)));
    child.stdin!.on('error', () => undefined);
    child.on('error', (e) => this.destroy(new SshDialError(`${what}: ${e.message}`)));
    // the end of the stream waits for ssh's exit: a clean one after answers is the remote closing the connection,
    // anything else is why the call failed (ssh's last line: refused, host key, permission denied, no docker there).
    // An ssh that stays after its output ended (the master of the user's ControlMaster, serving other sessions)
    // has closed this connection all the same.
    let lingering: NodeJS.Timeout | undefined;
    child.stdout!.on('end', () => {
      if (this.gotData) lingering = setTimeout(() => this.ended(), 1000).unref();
    });
    child.on('close', (code) => {
      clearTimeout(lingering);
      if (this.destroyed) return;
      if (code === 0 && this.gotData) return this.ended();
      const said = this.stderr.trim().split('\n').filter(Boolean).pop() ?? `ssh exited ${code}`;
      this.destroy(new SshDialError(`${what}: ${said}`));
    });
  }

  /** The connection is over: the stream ends, and the socket closes once what was read is consumed (at once when nothing waits to be read: an idle pooled socket), so the http.Agent drops it. */
  private ended(): void {
    if (this.destroyed || this.over) return;
    this.over = true;
    this.push(null);
    if (this.readableLength === 0) setImmediate(() => this.destroy());
    else this.once('end', () => this.destroy());
  }

  override _read(): void {
    this.child.stdout!.resume();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    // a write to an ssh that died fails with EPIPE: the reason is what ssh said, given when it closes
    this.child.stdin!.write(chunk, () => cb());
  }
  override _final(cb: (e?: Error | null) => void): void {
    this.child.stdin!.end(cb);
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    // closing ssh's stdin ends this session only (a ControlMaster's other sessions go on); a failed one is stopped
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (err) this.child.kill();
      else this.child.stdin!.end();
    }
    cb(err);
  }
  // what http.Agent and ClientRequest call on a net.Socket
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(_ms: number, cb?: () => void): this {
    if (cb) this.once('timeout', cb);
    return this;
  }
  /** An idle kept-alive connection must not keep `lab` running. */
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void } | null)?.unref?.();
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void } | null)?.ref?.();
    return this;
  }
}

/** An http.Agent whose connections are `ssh … docker system dial-stdio` processes. */
export function sshAgent(t: SshTarget, what: string): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS, maxFreeSockets: MAX_CONNECTIONS });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => {
    const child = spawn('ssh', sshArgv(t), { stdio: ['pipe', 'pipe', 'pipe'] });
    return new SshSocket(child, what);
  };
  return agent;
}
