/**
 * The node's kubelet-like streaming endpoint (default port 10250, plain HTTP, the lab's bearer
 * token): the API server proxies kubectl's pods/exec, pods/attach and pods/log here.
 *   GET /containerLogs/<ns>/<pod>/<container>?follow&tailLines&previous&sinceSeconds   (text)
 *   WS  /exec/<ns>/<pod>?command=…&container=…&stdin&stdout&stderr&tty                (v5/v4.channel.k8s.io)
 *   WS  /attach/<ns>/<pod>?container=…                                                  (same protocol)
 *   SPDY/3.1 upgrade  /portForward/<ns>/<pod>                                           (portforward.k8s.io)
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { WebSocketServer, WebSocket } from 'ws';
import type { Pod } from '../client/types.js';
import { SpdySession } from '../spdy/index.js';
import type { ContainerProcess } from './container-process.js';
import { PodExec, type ExecHandle } from './exec-in-pod.js';
import type { Engine } from './engine.js';
import { PORT_FORWARD_PROTOCOL, servePortForward } from './port-forward.js';
import { podDirName } from './pod-runtime.js';
import { netnsName } from './podnet-plan.js';
import { CH, decode, exitStatus, failureStatus, frame, parseExecQuery, parseLogQuery, pickProtocol, type LogRequest } from './stream-protocol.js';
import { LogFollower, previousLogFile, renderLog, type LogOptions } from './container-log.js';
import type { Logger } from './sys.js';
import { errorMessage } from '../../errors.js';

export const STREAM_PORT = 10250;

export interface StreamServerOptions {
  host: string;
  port: number;
  token: string | undefined;
  stateDir: string;
  /** The pod bound to this node, from the daemon's informer. */
  findPod: (namespace: string, name: string) => Pod | undefined;
  /** The running process of a pod's container (kubectl attach); absent: attach is refused. */
  attachTo?: (pod: Pod, container: string) => ContainerProcess | undefined;
  /** The Docker container id of a container running its real image; exec goes through the engine then. */
  realContainer?: (namespace: string, name: string, container: string) => string | undefined;
  engine?: Engine;
  log: Logger;
}

class HttpFailure extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
  }
}

function authorized(header: string | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const m = header?.match(/^Bearer\s+(.+)$/i);
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function containerOf(pod: Pod, name: string | undefined): string {
  const names = (pod.spec.containers ?? []).map((c) => c.name);
  const podName = pod.metadata.name!;
  if (!name) {
    if (names.length === 1) return names[0]!;
    if (!names.length) throw new HttpFailure(400, 'BadRequest', `pod ${podName} has no containers`);
    return names[0]!;
  }
  if (!names.includes(name)) throw new HttpFailure(400, 'BadRequest', `container ${name} is not valid for pod ${podName}`);
  return name;
}

function running(pod: Pod, container: string): boolean {
  const st = pod.status?.containerStatuses?.find((c) => c.name === container);
  return !!st?.state?.running;
}

export class StreamServer {
  private server: http.Server | undefined;
  /** Made at the first exec/attach: ws's module graph costs every node daemon ~10 MB of RSS, and most never stream. */
  private wssLazy: WebSocketServer | undefined;
  private get wss(): WebSocketServer {
    if (!this.wssLazy) {
      const { WebSocketServer: Wss } = createRequire(import.meta.url)('ws') as { WebSocketServer: typeof WebSocketServer };
      this.wssLazy = new Wss({ noServer: true, handleProtocols: (offered) => pickProtocol(offered) ?? false });
    }
    return this.wssLazy;
  }
  private readonly live = new Set<ExecHandle>();
  private readonly spdy = new Set<SpdySession>();

  constructor(private readonly o: StreamServerOptions) {}

  private pod(ns: string, name: string): Pod {
    const pod = this.o.findPod(ns, name);
    if (!pod) throw new HttpFailure(404, 'NotFound', `pods "${name}" not found on this node`);
    return pod;
  }

  private logFile(pod: Pod, container: string): string {
    return path.join(this.o.stateDir, 'pods', podDirName(pod), `${container}.log`);
  }

  async start(): Promise<number> {
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://node');
      try {
        if (!authorized(req.headers.authorization, this.o.token)) throw new HttpFailure(401, 'Unauthorized', 'Unauthorized');
        const m = url.pathname.match(/^\/containerLogs\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/);
        if (req.method !== 'GET' || !m) throw new HttpFailure(404, 'NotFound', `no such endpoint on the node: ${req.method} ${url.pathname}`);
        const q = parseLogQuery(url.searchParams);
        const pod = this.pod(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
        this.logs(pod, containerOf(pod, m[3] ? decodeURIComponent(m[3]) : q.container), q, req, res);
      } catch (e) {
        const f = e instanceof HttpFailure ? e : new HttpFailure(500, 'InternalError', errorMessage(e));
        const body = JSON.stringify(failureStatus(f.message, f.code, f.reason));
        res.writeHead(f.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      }
    });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://node');
      const refuse = (code: number, text: string) => {
        socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${text}\n`);
      };
      if (!authorized(req.headers.authorization, this.o.token)) return refuse(401, 'Unauthorized');
      const pf = url.pathname.match(/^\/portForward\/([^/]+)\/([^/]+)$/);
      if (pf) return this.portForward(req, socket as Socket, head, decodeURIComponent(pf[1]!), decodeURIComponent(pf[2]!), refuse);
      const m = url.pathname.match(/^\/(exec|attach)\/([^/]+)\/([^/]+)$/);
      if (!m) return refuse(404, `no such endpoint on the node: ${url.pathname}`);
      this.wss.handleUpgrade(req, socket, head, (ws) => this.session(ws, m[1] as 'exec' | 'attach', decodeURIComponent(m[2]!), decodeURIComponent(m[3]!), url.searchParams));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  private logs(pod: Pod, container: string, q: LogRequest, req: http.IncomingMessage, res: http.ServerResponse): void {
    const current = this.logFile(pod, container);
    const st = pod.status?.containerStatuses?.find((c) => c.name === container);
    // kubelet keeps each run's log: -p reads the run before the current one, which has ended (no follow).
    const file = q.previous ? previousLogFile(current) : current;
    if (q.previous && !fs.existsSync(file)) throw new HttpFailure(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
    if (!fs.existsSync(file)) throw new HttpFailure(400, 'BadRequest', `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${String(st?.state?.waiting?.reason ?? 'ContainerCreating')}`);
    const sinceMs = q.sinceSeconds !== undefined ? Date.now() - q.sinceSeconds * 1000 : q.sinceTime ? Date.parse(q.sinceTime) : undefined;
    const opts: LogOptions = { timestamps: q.timestamps, ...(sinceMs !== undefined && !Number.isNaN(sinceMs) ? { sinceMs } : {}) };
    const text = renderLog(fs.readFileSync(file, 'utf8'), { ...opts, ...(q.tailLines !== undefined ? { tailLines: q.tailLines } : {}), ...(q.limitBytes !== undefined ? { limitBytes: q.limitBytes } : {}) });
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.write(text);
    if (!q.follow || q.previous) return void res.end();
    let pos = fs.statSync(file).size;
    const follower = new LogFollower(opts);
    const poll = setInterval(() => {
      try {
        const size = fs.statSync(file).size;
        if (size < pos) pos = 0;
        if (size > pos) {
          const fd = fs.openSync(file, 'r');
          const buf = Buffer.alloc(size - pos);
          fs.readSync(fd, buf, 0, buf.length, pos);
          fs.closeSync(fd);
          pos = size;
          const out = follower.push(buf.toString('utf8'));
          if (out) res.write(out);
        }
      } catch {
        clearInterval(poll);
        res.end();
      }
    }, 200);
    const stop = () => clearInterval(poll);
    req.on('close', stop);
    res.on('close', stop);
  }

  private session(ws: WebSocket, kind: 'exec' | 'attach', ns: string, name: string, q: URLSearchParams): void {
    const fail = (message: string) => {
      ws.send(frame(CH.error, JSON.stringify(failureStatus(message))));
      ws.close(1000);
    };
    let pod: Pod;
    let container: string;
    try {
      pod = this.pod(ns, name);
      container = containerOf(pod, q.get('container') ?? undefined);
    } catch (e) {
      return fail(errorMessage(e));
    }
    if (!running(pod, container)) return fail(`unable to upgrade connection: container not found ("${container}")`);
    const req = parseExecQuery(q);
    if (kind === 'attach') {
      const realId = this.o.realContainer?.(ns, name, container);
      if (realId && this.o.engine) return this.attachReal(ws, this.o.engine, realId, pod, container, req, fail);
      return this.attach(ws, pod, container, req.tty, fail);
    }
    if (!req.command.length) return fail('you must specify at least one command for the container');
    const realId = this.o.realContainer?.(ns, name, container);
    const engine = this.o.engine;
    if (realId && engine) {
      // Messages that arrive while the engine sets the exec up are kept for it.
      const early: Buffer[] = [];
      const keep = (d: Buffer) => early.push(Buffer.isBuffer(d) ? d : Buffer.from(d as ArrayBuffer));
      ws.on('message', keep);
      engine.exec(realId, { cmd: req.command, tty: req.tty, stdin: req.stdin }).then(
        (proc) => {
          ws.off('message', keep);
          if (ws.readyState !== ws.OPEN) return proc.kill();
          this.wire(ws, proc, req, ns, name, container);
          for (const d of early) ws.emit('message', d);
        },
        (e) => fail(`exec in container "${container}" of pod ${ns}/${name}: ${errorMessage(e)}`),
      );
      return;
    }
    const netns = pod.spec.hostNetwork ? '' : netnsName(ns, name);
    this.wire(ws, new PodExec({ netns, command: req.command, tty: req.tty }), req, ns, name, container);
  }

  private wire(ws: WebSocket, proc: ExecHandle, req: { command: string[]; tty: boolean; stdin: boolean }, ns: string, name: string, container: string): void {
    this.live.add(proc);
    this.o.log({ msg: 'exec', pod: `${ns}/${name}`, container, command: req.command, tty: req.tty });
    const send = (ch: number) => (d: Buffer) => ws.readyState === ws.OPEN && ws.send(frame(ch, d));
    proc.stdout.on('data', send(CH.stdout));
    proc.stderr.on('data', send(req.tty ? CH.stdout : CH.stderr));
    if (!req.stdin) proc.endInput();
    ws.on('message', (data: Buffer) => {
      const m = decode(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (m.kind === 'stdin') proc.write(m.data);
      else if (m.kind === 'close' && m.channel === CH.stdin) proc.endInput();
      else if (m.kind === 'resize') proc.resize(m.width, m.height);
    });
    let done = false;
    ws.on('close', () => {
      if (!done) proc.kill();
    });
    void proc.exited.then((code) => {
      done = true;
      this.live.delete(proc);
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame(CH.error, JSON.stringify(exitStatus(code))));
      ws.close(1000);
    });
  }

  /**
   * kubectl attach: the container's own process. Output flows until it exits (then the exit
   * Status, as for exec) or the client leaves (the container keeps running).
   */
  private attach(ws: WebSocket, pod: Pod, container: string, tty: boolean, fail: (message: string) => void): void {
    const ns = pod.metadata.namespace ?? 'default';
    const proc = this.o.attachTo?.(pod, container);
    const send = (ch: number) => (d: Buffer) => ws.readyState === ws.OPEN && ws.send(frame(ch, d));
    const a = proc?.attach((d, stream) => send(stream === 'stderr' && !tty ? CH.stderr : CH.stdout)(d));
    if (!a) return fail(`unable to upgrade connection: container ${container} of pod ${ns}/${pod.metadata.name} is not running on this node`);
    this.o.log({ msg: 'attach', pod: `${ns}/${pod.metadata.name}`, container, tty });
    ws.on('message', (data: Buffer) => {
      const m = decode(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      if (m.kind === 'stdin') a.write(m.data);
      else if (m.kind === 'close' && m.channel === CH.stdin) a.closeStdin();
      else if (m.kind === 'resize') a.resize(m.width, m.height);
    });
    ws.on('close', () => a.detach());
    void a.exited.then((code) => {
      a.detach();
      if (ws.readyState !== ws.OPEN) return;
      ws.send(frame(CH.error, JSON.stringify(exitStatus(code))));
      ws.close(1000);
    });
  }

  /**
   * kubectl attach to a container running its real image: the engine's attach to the container's
   * own process. The container's stdin closes when the client closes its stdin and the container
   * has stdinOnce (Docker's StdinOnce, set from the pod); the exit code comes from the engine.
   */
  private attachReal(ws: WebSocket, engine: Engine, id: string, pod: Pod, container: string, req: { stdin: boolean; tty: boolean }, fail: (message: string) => void): void {
    const ns = pod.metadata.namespace ?? 'default';
    const spec = pod.spec.containers.find((c) => c.name === container);
    const stdin = req.stdin && !!spec?.stdin;
    const send = (ch: number) => (d: Buffer) => ws.readyState === ws.OPEN && ws.send(frame(ch, d));
    const early: Buffer[] = [];
    const keep = (d: Buffer) => early.push(Buffer.isBuffer(d) ? d : Buffer.from(d as ArrayBuffer));
    ws.on('message', keep);
    engine.attach(id, { stdin, tty: req.tty }, (d, stream) => send(stream === 'stderr' && !req.tty ? CH.stderr : CH.stdout)(d)).then(
      (socket) => {
        ws.off('message', keep);
        if (ws.readyState !== ws.OPEN) return void socket.destroy();
        this.o.log({ msg: 'attach', pod: `${ns}/${pod.metadata.name}`, container, tty: req.tty, real: true });
        const onMessage = (data: Buffer) => {
          const m = decode(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
          if (m.kind === 'stdin' && stdin) socket.write(m.data);
          else if (m.kind === 'close' && m.channel === CH.stdin && stdin && spec?.stdinOnce) socket.end();
          else if (m.kind === 'resize') void engine.resize(id, m.width, m.height);
        };
        ws.on('message', onMessage);
        for (const d of early) onMessage(d);
        ws.on('close', () => socket.destroy());
        // the container's process ends: its exit code closes the session, as for exec
        socket.once('close', () => {
          if (ws.readyState !== ws.OPEN) return;
          void exitCodeOf(engine, id).then((code) => {
              if (ws.readyState !== ws.OPEN) return;
              if (code !== undefined) ws.send(frame(CH.error, JSON.stringify(exitStatus(code))));
              ws.close(1000);
          });
        });
      },
      (e) => fail(`unable to upgrade connection: attach to container "${container}" of pod ${ns}/${pod.metadata.name}: ${errorMessage(e)}`),
    );
  }

  /** A SPDY/3.1 upgrade carrying portforward.k8s.io (what kubelet answers on /portForward). */
  private portForward(req: http.IncomingMessage, socket: Socket, head: Buffer, ns: string, name: string, refuse: (code: number, text: string) => void): void {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'spdy/3.1') return refuse(400, `port-forward needs Upgrade: SPDY/3.1, got "${req.headers.upgrade ?? ''}"`);
    const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (offered.length && !offered.includes(PORT_FORWARD_PROTOCOL)) return refuse(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${PORT_FORWARD_PROTOCOL}]`);
    let pod: Pod;
    try {
      pod = this.pod(ns, name);
    } catch (e) {
      return refuse((e as HttpFailure).code ?? 500, (e as Error).message);
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    socket.setNoDelay(true);
    if (head.length) socket.unshift(head);
    const session = new SpdySession(socket, { log: this.o.log });
    this.spdy.add(session);
    session.on('close', () => this.spdy.delete(session));
    this.o.log({ msg: 'port-forward', pod: `${ns}/${name}` });
    servePortForward(session, { netns: pod.spec.hostNetwork ? '' : netnsName(ns, name), podFullName: `${name}_${ns}`, uid: pod.metadata.uid ?? '' }, this.o.log);
  }

  async stop(): Promise<void> {
    for (const s of this.spdy) s.close();
    for (const p of this.live) p.kill();
    for (const c of this.wssLazy?.clients ?? []) c.terminate();
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

/** The exit code of a container whose attach stream closed; undefined when it still runs (only the stream ended). */
async function exitCodeOf(engine: Engine, id: string): Promise<number | undefined> {
  for (let i = 0; i < 10; i++) {
    const st = await engine.inspect<{ State?: { Running?: boolean; ExitCode?: number } }>(id).then((x) => x.State, () => undefined);
    if (!st) return 0;
    if (!st.Running) return st.ExitCode ?? 0;
    await new Promise((r) => setTimeout(r, 200)); // the engine may close the stream a moment before it records the exit
  }
  return undefined;
}
