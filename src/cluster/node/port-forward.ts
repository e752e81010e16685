/**
 * portforward.k8s.io over a SPDY session, the way kubelet serves it: for every local connection
 * kubectl opens two streams with the same `requestID` and `port` headers, an error stream
 * (streamType=error, which kubectl half-closes at once and reads until our FIN) and a data stream
 * (streamType=data: the bytes of the connection). Once both arrived, the node dials the port on
 * 127.0.0.1 inside the pod's network namespace (`ip netns exec … socat`, as dockershim did with
 * nsenter) and copies bytes both ways; a dial failure is written to the error stream.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { RST, headerValue, type SpdySession, type SpdyStream } from '../spdy/index.js';
import type { Logger } from './sys.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** How long the second stream of a pair may take to arrive (kubelet's stream creation timeout). */
const PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardTarget {
  /** The pod's netns; '' for a host-network pod. */
  netns: string;
  /** `name_namespace`, as kubelet names a pod in its messages. */
  podFullName: string;
  uid: string;
}

export type StreamKind = 'data' | 'error';

/** Checks the headers of a new stream; the pair key is the requestID (derived from the stream id for old clients, as kubelet does). Pure. */
export function classifyStream(headers: Record<string, string[]>, streamId: number): { kind: StreamKind; port: number; requestId: string } | { error: string } {
  const portText = headerValue(headers, 'port');
  if (!portText) return { error: '"port" header is required' };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return { error: `unable to parse "${portText}" as a port in 1..65535` };
  const kind = headerValue(headers, 'streamType');
  if (!kind) return { error: '"streamType" header is required' };
  if (kind !== 'data' && kind !== 'error') return { error: `invalid stream type "${kind}"` };
  const requestId = headerValue(headers, 'requestID') || String(kind === 'error' ? streamId : streamId - 2);
  return { kind, port, requestId };
}

/** The argv that connects stdin/stdout to 127.0.0.1:port in the pod's netns. Pure. */
export function dialArgv(netns: string, port: number): string[] {
  // -t: after one direction ends, how long the other may still carry data (the HTTP response after the request's EOF)
  const socat = ['socat', '-t', '30', 'STDIO', `TCP4:127.0.0.1:${port}`];
  return netns ? ['ip', 'netns', 'exec', netns, ...socat] : socat;
}

/** socat's last error line, reduced to its reason ("Connection refused"). Pure. */
export function dialFailure(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => / E /.test(l));
  const last = lines[lines.length - 1] ?? stderr.trim().split('\n').pop() ?? '';
  const m = last.match(/\):\s*([^:]+)$/) ?? last.match(/ E (.+)$/);
  return (m?.[1] ?? last).trim() || 'the connection helper failed';
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  port: number;
  timer: NodeJS.Timeout;
}

/** Serves the port-forward streams of one SPDY session until it closes. */
export function servePortForward(session: SpdySession, target: PortForwardTarget, log: Logger): void {
  const pairs = new Map<string, Pair>();
  const children = new Set<ChildProcess>();
  session.on('stream', (s) => {
    const c = classifyStream(s.headers, s.id);
    if ('error' in c) {
      log({ level: 'warn', msg: 'port-forward stream refused', pod: target.podFullName, error: c.error });
      return s.reset(RST.protocolError);
    }
    s.reply();
    let p = pairs.get(c.requestId);
    if (!p) {
      const timer = setTimeout(() => {
        pairs.delete(c.requestId);
        const msg = `timed out waiting for the other stream of port-forward request ${c.requestId}`;
        if (p!.error) p!.error.end(msg);
        p!.data?.reset();
      }, PAIR_TIMEOUT_MS);
      p = { port: c.port, timer };
      pairs.set(c.requestId, p);
    }
    if (p[c.kind]) {
      // as kubelet: the complaint goes to the request's error stream, the extra stream is dropped
      p.error?.write(`error processing stream for request ${c.requestId}: ${c.kind} stream already assigned`);
      return s.reset(RST.protocolError);
    }
    p[c.kind] = s;
    // kubectl half-closes the error stream at once and never writes to it
    if (c.kind === 'error') s.resume();
    if (p.data && p.error) {
      clearTimeout(p.timer);
      pairs.delete(c.requestId);
      forward(p.data, p.error, p.port);
    }
  });
  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    for (const c of children) kill(c);
  });

  function forward(data: SpdyStream, error: SpdyStream, port: number): void {
    const [cmd, ...args] = dialArgv(target.netns, port);
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    children.add(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4096)));
    child.stdin!.on('error', () => undefined);
    data.pipe(child.stdin!);
    child.stdout!.pipe(data);
    data.on('close', () => {
      // the client reset the stream (its side is done) or the session ended
      if (child.exitCode === null && child.signalCode === null) kill(child);
    });
    let finished = false;
    const finish = (code: number | null, why?: string) => {
      if (finished) return;
      finished = true;
      children.delete(child);
      // a helper killed here exits by signal (code null); one that failed by itself says why on stderr.
      // Its own exit code counts even when the client's reset raced it (stdout closes before the exit is seen).
      if (why || (code !== null && code !== 0)) {
        const reason = why ?? dialFailure(stderr);
        const msg = `error forwarding port ${port} to pod ${target.podFullName}, uid ${target.uid}: failed to connect to 127.0.0.1:${port} inside the pod's network namespace: ${reason}`;
        log({ level: 'warn', msg: 'port-forward failed', pod: target.podFullName, port, error: reason });
        if (!error.destroyed) error.write(msg);
      }
      if (!error.destroyed) error.end();
      if (!data.destroyed && !data.writableEnded) data.end();
    };
    child.once('error', (e) => finish(null, e.message));
    child.once('close', (code) => finish(code));
  }
}

function kill(c: ChildProcess): void {
  try {
    if (c.pid) process.kill(-c.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}
