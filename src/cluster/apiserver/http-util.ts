import type { IncomingMessage, ServerResponse } from 'node:http';
import YAML from 'yaml';
import { ApiError, badRequest } from '../store/errors.js';
import { decodeK8sProtobuf } from './protobuf.js';
import { errorMessage } from '../../errors.js';

/** kube-apiserver's default --max-request-bytes-ish body cap (3 MiB, as its MaxRequestBodyBytes). */
export const MAX_BODY = 3 * 1024 * 1024;

/** The request body as text; protobuf bodies are decoded and re-encoded as JSON text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY}`);
    chunks.push(c as Buffer);
  }
  const buf = Buffer.concat(chunks);
  if (/protobuf/.test(req.headers['content-type'] ?? '')) {
    req.headers['content-type'] = 'application/json';
    return buf.length ? JSON.stringify(decodeK8sProtobuf(buf)) : '';
  }
  return buf.toString('utf8');
}

/** Parses a request body as JSON (or YAML when the content type says so); 400 when malformed. */
export function parseBody(text: string, contentType: string | undefined): unknown {
  if (!text.trim()) return undefined;
  if (contentType && /cbor/.test(contentType))
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  try {
    if (contentType && /yaml/.test(contentType)) return YAML.parse(text);
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf: ${errorMessage(e)}`);
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  sendJsonText(res, code, JSON.stringify(body));
}

/** A body already serialized as JSON. */
export function sendJsonText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${errorMessage(e)}`);
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, err.httpCode, err.toStatus());
}

export function notFoundPath(path: string): ApiError {
  return new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`, { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] });
}

export function methodNotAllowed(method: string, path: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method} ${path})`);
}
