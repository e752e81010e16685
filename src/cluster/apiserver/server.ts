import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from '../store/errors.js';
import { handleCrud } from './crud.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.js';
import { methodNotAllowed, notFoundPath, sendError, sendJson } from './http-util.js';
import { openapiV2, openapiV3Doc, openapiV3Index } from './openapi.js';
import type { Registry } from './registry.js';
import { handlePodLog, handleStreamUpgrade } from './pod-streams.js';
import { parseRoute } from './router.js';
import { handleWatch, type WatchSettings } from './watch.js';
import { errorMessage } from '../../errors.js';

export interface ApiServerOptions {
  registry: Registry;
  /** Bearer token required on every API request; omit to allow anonymous access (tests only). */
  token?: string;
  tls?: { cert: string; key: string };
  watch?: Partial<WatchSettings>;
  log?: (line: Record<string, unknown>) => void;
}

const PUBLIC = new Set(['/healthz', '/livez', '/readyz', '/version']);

function authorized(header: string | undefined, token: string): boolean {
  const m = header?.match(/^Bearer\s+(.+)$/i);
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request handler: health, discovery, OpenAPI, then resources. */
export function createApiHandler(opts: ApiServerOptions): http.RequestListener {
  const watch: WatchSettings = { bookmarkIntervalMs: 15_000, maxTimeoutMs: 30 * 60_000, ...opts.watch };
  const reg = opts.registry;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const run = async () => {
      if (opts.token && !PUBLIC.has(p) && !authorized(req.headers.authorization, opts.token)) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
      if (p === '/healthz' || p === '/livez' || p === '/readyz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end('ok');
      }
      if (req.method === 'GET') {
        if (p === '/version') return sendJson(res, 200, SERVER_VERSION);
        if (p === '/api') return sendJson(res, 200, apiVersions(req.headers.host ?? 'localhost'));
        if (p === '/apis') return sendJson(res, 200, apiGroupList());
        if (p === '/openapi/v3') return sendJson(res, 200, openapiV3Index());
        if (p === '/openapi/v2') {
          const doc = openapiV2(req.headers.accept);
          res.writeHead(200, { 'Content-Type': doc.contentType, 'Content-Length': doc.body.length });
          return void res.end(doc.body);
        }
        const m = p.match(/^\/openapi\/v3\/(api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/);
        if (m) {
          const doc = m[2] ? openapiV3Doc('', m[2]) : openapiV3Doc(m[3]!, m[4]!);
          if (doc) return sendJson(res, 200, doc);
          throw notFoundPath(p);
        }
      }
      const route = parseRoute(req.method ?? 'GET', p, url.searchParams);
      if (route.type === 'resourceList' && req.method === 'GET') {
        const list = apiResourceList(route.group, route.version);
        if (list) return sendJson(res, 200, list);
      }
      if (route.type === 'group' && req.method === 'GET') {
        const g = apiGroup(route.group);
        if (g) return sendJson(res, 200, g);
      }
      if (route.type === 'resource') {
        if (route.subresource === 'log' && route.def.resource === 'pods') return await handlePodLog(reg, opts.token, req, res, route, url.searchParams);
        if (route.verb === 'watch') return handleWatch(reg, watch, req, res, route, url.searchParams);
        return await handleCrud(reg, req, res, route, url.searchParams);
      }
      if (route.type !== 'unknown' && req.method !== 'GET') throw methodNotAllowed(req.method ?? '', p);
      throw notFoundPath(p);
    };
    const started = Date.now();
    run()
      .catch((e) => sendError(res, e))
      .finally(() => opts.log?.({ msg: 'request', method: req.method, path: req.url, code: res.statusCode, ms: Date.now() - started }));
  };
}

/** Upgrade requests: pods/exec, attach, portforward (pod-streams.ts); anything else is refused. */
export function createUpgradeHandler(opts: ApiServerOptions): (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const started = Date.now();
    const refuse = (code: number, body: Record<string, unknown>) => {
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    socket.on('error', () => undefined);
    if (opts.token && !authorized(req.headers.authorization, opts.token)) return refuse(401, new ApiError(401, 'Unauthorized', 'Unauthorized').toStatus());
    const route = parseRoute('GET', p, url.searchParams);
    if (route.type !== 'resource' || route.def.resource !== 'pods' || !route.name || !['exec', 'attach', 'portforward'].includes(route.subresource ?? ''))
      return refuse(400, new ApiError(400, 'BadRequest', `the kindlab API server upgrades only pods/exec, pods/attach and pods/portforward (${req.method} ${p})`).toStatus());
    handleStreamUpgrade(opts.registry, opts.token, req, socket, head, route, url.searchParams)
      .catch((e) => refuse(500, new ApiError(500, 'InternalError', errorMessage(e)).toStatus()))
      .finally(() => opts.log?.({ msg: 'upgrade', method: req.method, path: req.url, subresource: route.subresource, ms: Date.now() - started }));
  };
}

export interface RunningApiServer {
  server: http.Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on host:port (port 0 = any free port) with TLS when `tls` is given. */
export async function startApiServer(opts: ApiServerOptions & { host: string; port: number }): Promise<RunningApiServer> {
  const handler = createApiHandler(opts);
  const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.on('upgrade', createUpgradeHandler(opts));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  return {
    server,
    port,
    url: `${opts.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
