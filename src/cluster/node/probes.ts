import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Container, Probe } from '../client/types.js';
import { run } from './sys.js';

/** A probe's named port resolved through the container's ports. */
export function probePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

/** One probe's outcome; `message` says why it failed, worded as the kubelet's Unhealthy events are. */
export interface ProbeResult {
  ok: boolean;
  message: string;
}

const hostPort = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (r: ProbeResult) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${hostPort(host, port)}: i/o timeout` }));
    s.once('connect', () => done({ ok: true, message: '' }));
    s.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, message: `dial tcp ${hostPort(host, port)}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}` }));
  });
}

function httpOk(g: NonNullable<Probe['httpGet']>, host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const secure = (g.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const path = g.path ?? '/';
  const url = `${secure ? 'https' : 'http'}://${hostPort(host, port)}${path}`;
  const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
  return new Promise((resolve) => {
    // the kubelet does not verify the certificate of an HTTPS probe
    const req = (secure ? https : http).get({ host, port, path, headers: { 'User-Agent': 'kube-probe/1.32', ...headers }, timeout: timeoutMs, agent: false, ...(secure ? { rejectUnauthorized: false } : {}) }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, message: `Get "${url}": ${e.code === 'ECONNREFUSED' ? `dial tcp ${hostPort(host, port)}: connect: connection refused` : e.message}` }));
  });
}

/** How an exec probe runs: in the real container (docker exec) with its exit code and output. */
export type ProbeExec = (cmd: string[], timeoutMs: number) => Promise<{ code: number; output: string }>;

/**
 * Runs one probe against the pod: TCP and HTTP from the node to the pod IP (reachable over the
 * bridge), exec inside the container (real image) or in the pod netns from the node image (stand-in).
 */
export async function runProbe(p: Probe, c: Container, podIP: string, netns: string | undefined, timeoutMs = 1000, exec?: ProbeExec): Promise<ProbeResult> {
  if (p.tcpSocket) {
    const port = probePort(p.tcpSocket.port, c);
    return port === undefined ? { ok: false, message: `port "${p.tcpSocket.port}" is not a port of container ${c.name}` } : tcpOpen(p.tcpSocket.host || podIP, port, timeoutMs);
  }
  if (p.httpGet) {
    const port = probePort(p.httpGet.port, c);
    return port === undefined ? { ok: false, message: `port "${p.httpGet.port}" is not a port of container ${c.name}` } : httpOk(p.httpGet, p.httpGet.host || podIP, port, timeoutMs);
  }
  if (p.exec?.command?.length) {
    const r = exec
      ? await exec(p.exec.command, timeoutMs).catch((e: unknown) => ({ code: 1, output: e instanceof Error ? e.message : String(e) }))
      : await run(['timeout', '-s', 'KILL', String(Math.ceil(timeoutMs / 1000)), ...(netns ? ['ip', 'netns', 'exec', netns] : []), ...p.exec.command], { reject: false }).then(
          (x) => ({ code: x.code, output: `${x.stdout ?? ''}${x.stderr ?? ''}` }),
          (e: unknown) => ({ code: 1, output: e instanceof Error ? e.message : String(e) }),
        );
    if (r.code === 0) return { ok: true, message: '' };
    return { ok: false, message: r.code === 137 ? `command ${JSON.stringify(p.exec.command.join(' '))} timed out` : r.output.trim() || `command ${JSON.stringify(p.exec.command.join(' '))} exited with ${r.code}` };
  }
  return { ok: true, message: '' };
}
