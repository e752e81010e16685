/**
 * pods/exec, pods/attach (WebSocket, v5/v4.channel.k8s.io) and pods/log, proxied to the node
 * daemon's stream endpoint (cluster/node/stream-server.ts) on the pod's node, the way the
 * kube-apiserver proxies to kubelet. SPDY-only clients and port-forward get a clear Status.
 */
import dns from 'node:dns/promises';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { ApiError, badRequest } from '../store/errors.js';
import type { K8sObject } from '../store/types.js';
import { CH, frame, failureStatus, pickProtocol } from '../node/stream-protocol.js';
import { STREAM_PORT } from '../node/stream-server.js';
import type { Registry } from './registry.js';
import { findResource } from './resources.js';
import type { ResourceRoute } from './router.js';
import { errorMessage } from '../../errors.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface NodeTarget {
  host: string;
  port: number;
  token: string | undefined;
}

/** Where the pod's node daemon listens: the node's name (the container's name on the lab network), else its InternalIP. */
export async function nodeTargetFor(reg: Registry, namespace: string, name: string, token: string | undefined): Promise<{ pod: K8sObject; target: NodeTarget }> {
  const pod = reg.get(PODS, namespace, name);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  let host: string | undefined;
  try {
    host = (await dns.lookup(nodeName, { family: 4 })).address;
  } catch {
    const node = reg.get(NODES, undefined, nodeName);
    const st = node.status as { addresses?: Array<{ type: string; address: string }> } | undefined;
    host = st?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node.metadata.annotations?.['kindlab.io/node-ip'];
  }
  if (!host) throw new ApiError(500, 'InternalError', `no address for node ${nodeName} of pod ${namespace}/${name}`);
  return { pod, target: { host, port: STREAM_PORT, token } };
}

function writeStatus(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify(failureStatus(message, code, reason));
  socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => pickProtocol(offered) ?? false });

/** An Upgrade request for a pod stream subresource: answered here (WebSocket relay or a Status). */
export async function handleStreamUpgrade(reg: Registry, token: string | undefined, req: http.IncomingMessage, socket: Duplex, head: Buffer, route: ResourceRoute, query: URLSearchParams): Promise<void> {
  const sub = route.subresource!;
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (sub === 'portforward') return handlePortForward(reg, token, req, socket, head, route, offered);
  if (upgrade !== 'websocket')
    return writeStatus(socket, 400, 'BadRequest', `the kindlab API server streams pods/${sub} over WebSocket only (${offered.join(', ') || 'v5.channel.k8s.io'}); this client asked for "${req.headers.upgrade}" (SPDY). Use kubectl ≥ 1.30 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS unset or true`);
  const protocol = pickProtocol(offered);
  if (!protocol) return writeStatus(socket, 400, 'BadRequest', `pods/${sub} needs the WebSocket subprotocol v5.channel.k8s.io or v4.channel.k8s.io; offered: ${offered.join(', ') || 'none'}`);
  let target: NodeTarget;
  try {
    ({ target } = await nodeTargetFor(reg, route.namespace ?? 'default', route.name!, token));
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', errorMessage(e));
    return writeStatus(socket, err.httpCode, err.reason, err.message);
  }
  wss.handleUpgrade(req, socket, head, (client) => relay(client, protocol, target, `/${sub}/${encodeURIComponent(route.namespace ?? 'default')}/${encodeURIComponent(route.name!)}?${query.toString()}`));
}

function relay(client: WebSocket, protocol: string, t: NodeTarget, pathAndQuery: string): void {
  const node = new WebSocket(`ws://${t.host}:${t.port}${pathAndQuery}`, [protocol], { headers: t.token ? { Authorization: `Bearer ${t.token}` } : {}, handshakeTimeout: 10_000 });
  const pending: Buffer[] = [];
  client.on('message', (d: Buffer) => (node.readyState === WebSocket.OPEN ? node.send(d) : pending.push(d)));
  node.on('open', () => {
    for (const d of pending.splice(0)) node.send(d);
  });
  node.on('message', (d: Buffer) => client.readyState === WebSocket.OPEN && client.send(d));
  node.on('error', (e) => {
    if (client.readyState === WebSocket.OPEN) {
      client.send(frame(CH.error, JSON.stringify(failureStatus(`error dialing the node's stream endpoint ${t.host}:${t.port}: ${e.message}`))));
      client.close(1000);
    }
  });
  node.on('close', () => client.readyState === WebSocket.OPEN && client.close(1000));
  client.on('close', () => node.readyState === WebSocket.OPEN || node.readyState === WebSocket.CONNECTING ? node.terminate() : undefined);
  client.on('error', () => node.terminate());
}

const PORT_FORWARD = 'portforward.k8s.io';
const TUNNEL = `SPDY/3.1+${PORT_FORWARD}`;
/** `/` is not a token character (RFC 6455 §4.1), so ws refuses TUNNEL in the request; it is offered to ws under this alias and answered by its real name. */
const TUNNEL_ALIAS = 'kindlab-spdy-portforward-tunnel';
const tunnelWss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has(TUNNEL_ALIAS) ? TUNNEL : false) });

/** pods/portforward: upgrade to the node first (so its refusal reaches the client as a Status), then to the client, then relay. */
async function handlePortForward(reg: Registry, token: string | undefined, req: http.IncomingMessage, socket: Duplex, head: Buffer, route: ResourceRoute, offered: string[]): Promise<void> {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  const tunneled = upgrade === 'websocket';
  if (tunneled && !offered.includes(TUNNEL)) return writeStatus(socket, 400, 'BadRequest', `pods/portforward over WebSocket needs the subprotocol ${TUNNEL}; offered: ${offered.join(', ') || 'none'}`);
  if (!tunneled && upgrade !== 'spdy/3.1') return writeStatus(socket, 400, 'BadRequest', `pods/portforward upgrades to WebSocket (${TUNNEL}) or SPDY/3.1, not "${req.headers.upgrade ?? ''}"`);
  if (!tunneled) {
    const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim()).filter(Boolean);
    if (versions.length && !versions.includes(PORT_FORWARD)) return writeStatus(socket, 403, 'Forbidden', `unable to upgrade: unable to negotiate protocol: client supports [${versions.join(' ')}], server supports [${PORT_FORWARD}]`);
  }
  const ns = route.namespace ?? 'default';
  let target: NodeTarget;
  try {
    ({ target } = await nodeTargetFor(reg, ns, route.name!, token));
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', (e as Error).message);
    return writeStatus(socket, err.httpCode, err.reason, err.message);
  }
  let node: { sock: Socket; head: Buffer };
  try {
    node = await upgradeToNode(target, `/portForward/${encodeURIComponent(ns)}/${encodeURIComponent(route.name!)}`);
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', (e as Error).message);
    return writeStatus(socket, err.httpCode, err.reason, err.message);
  }
  const { sock } = node;
  sock.setNoDelay(true);
  sock.on('error', () => socket.destroy());
  socket.on('error', () => sock.destroy());
  // also when the WebSocket handshake fails after the node said yes
  socket.on('close', () => sock.destroy());
  if (!tunneled) {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD}\r\n\r\n`);
    if (node.head.length) socket.write(node.head);
    if (head.length) sock.write(head);
    socket.pipe(sock);
    sock.pipe(socket);
    sock.on('close', () => socket.destroy());
    return;
  }
  req.headers['sec-websocket-protocol'] = TUNNEL_ALIAS;
  tunnelWss.handleUpgrade(req, socket, head, (ws) => {
    if (node.head.length) ws.send(node.head);
    sock.on('data', (d: Buffer) => ws.readyState === WebSocket.OPEN && ws.send(d));
    ws.on('message', (d: Buffer, isBinary: boolean) => {
      if (!isBinary) return ws.close(1003, 'SPDY frames travel in binary messages');
      if (!sock.write(d)) {
        ws.pause();
        sock.once('drain', () => ws.resume());
      }
    });
    sock.on('close', () => ws.readyState === WebSocket.OPEN && ws.close(1000));
    ws.on('close', () => sock.destroy());
    ws.on('error', () => sock.destroy());
  });
}

/** An HTTP Upgrade to SPDY/3.1 on the node's stream endpoint; a refusal becomes an ApiError with the node's answer. */
function upgradeToNode(t: NodeTarget, path: string): Promise<{ sock: Socket; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: t.host,
      port: t.port,
      method: 'POST',
      path,
      timeout: 10_000,
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': PORT_FORWARD, ...(t.token ? { Authorization: `Bearer ${t.token}` } : {}) },
    });
    req.on('upgrade', (_res, sock: Socket, head: Buffer) => {
      req.setTimeout(0);
      sock.setTimeout(0);
      resolve({ sock, head });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        const code = res.statusCode && res.statusCode >= 400 ? res.statusCode : 500;
        reject(new ApiError(code, code === 404 ? 'NotFound' : code === 403 ? 'Forbidden' : code === 400 ? 'BadRequest' : 'InternalError', `the node's stream endpoint refused port-forward: ${body.trim() || http.STATUS_CODES[code]}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(new ApiError(500, 'InternalError', `error dialing backend: ${t.host}:${t.port}: ${e.message}`)));
    req.end();
  });
}

/** GET pods/log: proxied to the node's /containerLogs (streams with follow=true). */
export async function handlePodLog(reg: Registry, token: string | undefined, req: http.IncomingMessage, res: http.ServerResponse, route: ResourceRoute, query: URLSearchParams): Promise<void> {
  if (route.verb !== 'get') throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${req.method} pods/log)`);
  const ns = route.namespace ?? 'default';
  const { pod, target } = await nodeTargetFor(reg, ns, route.name!, token);
  const containers = ((pod.spec as { containers?: Array<{ name: string }> }).containers ?? []).map((c) => c.name);
  if (!query.get('container') && containers.length > 1)
    throw badRequest(`a container name must be specified for pod ${route.name}, choose one of: [${containers.join(' ')}]`);
  await new Promise<void>((resolve, reject) => {
    const up = http.get({ host: target.host, port: target.port, path: `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(route.name!)}?${query.toString()}`, headers: target.token ? { Authorization: `Bearer ${target.token}` } : {}, timeout: 10_000 }, (r) => {
      up.setTimeout(0);
      res.writeHead(r.statusCode ?? 500, { 'Content-Type': r.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private' });
      r.pipe(res);
      r.on('end', resolve);
      r.on('error', resolve);
    });
    up.on('timeout', () => up.destroy(new Error('timed out')));
    up.on('error', (e) => (res.headersSent ? resolve() : reject(new ApiError(500, 'InternalError', `Get "https://${target.host}:${target.port}/containerLogs/${ns}/${route.name}": ${e.message}`))));
    req.on('close', () => up.destroy());
    res.on('close', () => up.destroy());
  });
}
