/**
 * `lab graph --serve`: the HTML page of a lab on 127.0.0.1, redrawn (with fresh session state) at
 * most every 10 s. GET and HEAD of `/` (or `/index.html`); anything else is 404. Closing drops
 * keep-alive connections too, so Ctrl-C stops at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphHtml } from './html.js';
import { renderSvg } from './render.js';
import { toMermaid } from './mermaid.js';
import type { GraphModel } from './model.js';
import { errorMessage } from '../errors.js';

/** A TCP port as typed on the command line: decimal digits only (no `1e3`, `0x50`, `80.0`), 0 (any free port) to 65535. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** Produces the page at most once per `ttlMs` (a failed draw is not kept). */
export function cachedPage(model: () => Promise<GraphModel>, ttlMs = 10_000): () => Promise<string> {
  let cache: { at: number; page: Promise<string> } | undefined;
  return () => {
    if (!cache || Date.now() - cache.at > ttlMs) {
      const p = model().then(async (m) => graphHtml(m, await renderSvg(toMermaid(m)), { refreshSeconds: 30 }));
      cache = { at: Date.now(), page: p };
      p.catch(() => (cache = undefined));
    }
    return cache.page;
  };
}

export interface GraphServer {
  url: string;
  port: number;
  /** Requests waiting for a page now (a draw in Chromium cannot be cancelled). */
  pending(): number;
  /** Stops listening and drops open connections (keep-alive ones and those waiting for a draw included). */
  close(): Promise<void>;
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string): void {
  const buf = Buffer.from(body);
  res.writeHead(status, { 'content-type': type, 'content-length': buf.length });
  // HEAD answers with GET's status and headers, and no body.
  res.end(req.method === 'HEAD' ? undefined : buf);
}

/** Serves `page()` on 127.0.0.1:`port` (0: a free port). */
export async function serveGraph(page: () => Promise<string>, port: number): Promise<GraphServer> {
  let waiting = 0;
  const server = createServer((req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || (req.url !== '/' && req.url !== '/index.html')) {
      send(req, res, 404, 'text/plain', 'not found\n');
      return;
    }
    waiting++;
    page()
      .then(
        (html) => send(req, res, 200, 'text/html; charset=utf-8', html),
        (e: unknown) => send(req, res, 500, 'text/plain', `${errorMessage(e)}\n`),
      )
      .finally(() => waiting--);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    pending: () => waiting,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
