import http from 'node:http';
import net from 'node:net';
import type { Container, Probe } from '../client/types.js';
import { run } from './sys.js';

/** A probe's named port resolved through the container's ports. */
export function probePort(port: number | string, c: Container): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function httpOk(host: string, port: number, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * Runs one readiness probe against the pod: TCP and HTTP from the node to the pod IP
 * (reachable over the bridge), exec inside the container (real image) or the pod netns (stand-in).
 */
export async function runProbe(p: Probe, c: Container, podIP: string, netns: string | undefined, timeoutMs = 1000, exec?: (cmd: string[]) => Promise<number>): Promise<boolean> {
  if (p.tcpSocket) {
    const port = probePort(p.tcpSocket.port, c);
    return port !== undefined && tcpOpen(podIP, port, timeoutMs);
  }
  if (p.httpGet) {
    const port = probePort(p.httpGet.port, c);
    return port !== undefined && httpOk(podIP, port, p.httpGet.path ?? '/', timeoutMs);
  }
  if (p.exec?.command?.length) {
    // A real-image container runs the command in itself (docker exec); a stand-in's runs from the node image in the pod netns.
    if (exec) return (await exec(p.exec.command).catch(() => 1)) === 0;
    const argv = netns ? ['ip', 'netns', 'exec', netns, ...p.exec.command] : p.exec.command;
    return (await run(argv, { reject: false }).catch(() => ({ code: 1 }))).code === 0;
  }
  return true;
}
