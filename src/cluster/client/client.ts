import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import { KubeApiError } from './errors.js';
import type { ClientConfig } from './kubeconfig.js';
import { LineSplitter } from './lines.js';
import { apiVersionOf, resourcePath, type ResourceType } from './resources.js';
import type { KubeList, KubeObject, Status, WatchEvent } from './types.js';
import { errorMessage } from '../../errors.js';

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';
const PATCH_CONTENT_TYPE: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size; `list` follows `continue` tokens until the end. */
  limit?: number;
}

export interface WatchOptions extends Omit<ListOptions, 'limit'> {
  /** Resume after this version; omit to get the current objects as ADDED first. */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
}

export interface ClientOptions {
  userAgent?: string;
  /** Timeout of non-watch requests. */
  timeoutMs?: number;
}

interface RequestSpec {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * A small typed Kubernetes REST client: get/list/create/update/patch/delete, the status
 * subresource and streaming watches, over HTTPS with the kubeconfig's CA and bearer token
 * (or client certificate). Errors are KubeApiError carrying the server's Status.
 */
export class KubeClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(readonly config: ClientConfig, private readonly opts: ClientOptions = {}) {
    this.url = new URL(config.server);
    const tls = this.url.protocol === 'https:';
    this.agent = tls
      ? new https.Agent({ keepAlive: true, ...(config.ca ? { ca: config.ca } : {}), ...(config.clientCert ? { cert: config.clientCert, key: config.clientKey } : {}), rejectUnauthorized: !config.insecureSkipTlsVerify })
      : new http.Agent({ keepAlive: true });
  }

  close(): void {
    this.agent.destroy();
  }

  private token(): string | undefined {
    if (this.config.tokenFile) return fs.readFileSync(this.config.tokenFile, 'utf8').trim();
    return this.config.token;
  }

  private open(spec: RequestSpec): Promise<http.IncomingMessage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
    const q = qs.toString();
    const body = spec.body === undefined ? undefined : Buffer.from(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
    const token = this.token();
    const headers: http.OutgoingHttpHeaders = {
      accept: 'application/json',
      'user-agent': this.opts.userAgent ?? 'kindlab-client/0.1',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': spec.contentType ?? 'application/json', 'content-length': body.length } : {}),
    };
    const mod = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = mod.request({ protocol: this.url.protocol, hostname: this.url.hostname.replace(/^\[|\]$/g, ''), port: this.url.port, path: `${this.url.pathname.replace(/\/$/, '')}${spec.path}${q ? `?${q}` : ''}`, method: spec.method, headers, agent: this.agent, ...(spec.signal ? { signal: spec.signal } : {}) }, resolve);
      if (spec.timeoutMs) req.setTimeout(spec.timeoutMs, () => req.destroy(new Error(`timed out after ${spec.timeoutMs} ms`)));
      req.on('error', (e) => reject(spec.signal?.aborted ? e : new KubeApiError(0, undefined, `${spec.method} ${spec.path}`, errorMessage(e))));
      req.end(body);
    });
  }

  private static async readBody(res: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private static failure(res: http.IncomingMessage, text: string, what: string): KubeApiError {
    let status: Status | undefined;
    try {
      const j = JSON.parse(text) as Status;
      if (j && j.kind === 'Status') status = j;
    } catch {
      /* not JSON: keep the text */
    }
    return new KubeApiError(res.statusCode ?? 0, status, what, text);
  }

  /** One JSON request; non-2xx answers throw KubeApiError. */
  async request<T>(spec: RequestSpec): Promise<T> {
    const res = await this.open({ timeoutMs: this.opts.timeoutMs ?? 30_000, ...spec });
    const text = await KubeClient.readBody(res);
    if ((res.statusCode ?? 0) >= 300) throw KubeClient.failure(res, text, `${spec.method} ${spec.path}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  get<T extends KubeObject>(rt: ResourceType<T>, name: string, namespace?: string): Promise<T> {
    return this.request<T>({ method: 'GET', path: resourcePath(rt, { namespace, name }) });
  }

  /** All objects (following `continue`), with the list's resourceVersion. */
  async list<T extends KubeObject>(rt: ResourceType<T>, o: ListOptions = {}): Promise<KubeList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let last: KubeList<T>;
    do {
      last = await this.request<KubeList<T>>({ method: 'GET', path: resourcePath(rt, { namespace: o.namespace }), query: { labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, limit: o.limit, continue: cont } });
      items.push(...(last.items ?? []));
      cont = last.metadata?.continue || undefined;
    } while (cont);
    return { ...last, items };
  }

  create<T extends KubeObject>(rt: ResourceType<T>, obj: T, w: WriteOptions = {}): Promise<T> {
    const body = { apiVersion: apiVersionOf(rt), kind: rt.kind, ...obj };
    return this.request<T>({ method: 'POST', path: resourcePath(rt, { namespace: obj.metadata.namespace }), body, query: writeQuery(w) });
  }

  /** PUT of the whole object; the server answers 409 when metadata.resourceVersion is stale. */
  update<T extends KubeObject>(rt: ResourceType<T>, obj: T, w: WriteOptions = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: resourcePath(rt, { namespace: obj.metadata.namespace, name: obj.metadata.name }), body: { apiVersion: apiVersionOf(rt), kind: rt.kind, ...obj }, query: writeQuery(w) });
  }

  updateStatus<T extends KubeObject>(rt: ResourceType<T>, obj: T, w: WriteOptions = {}): Promise<T> {
    return this.request<T>({ method: 'PUT', path: resourcePath(rt, { namespace: obj.metadata.namespace, name: obj.metadata.name, subresource: 'status' }), body: { apiVersion: apiVersionOf(rt), kind: rt.kind, ...obj }, query: writeQuery(w) });
  }

  patch<T extends KubeObject>(rt: ResourceType<T>, name: string, patch: unknown, o: WriteOptions & { namespace?: string; type?: PatchType; subresource?: 'status'; force?: boolean } = {}): Promise<T> {
    const type = o.type ?? 'merge';
    return this.request<T>({ method: 'PATCH', path: resourcePath(rt, { namespace: o.namespace, name, subresource: o.subresource }), body: patch, contentType: PATCH_CONTENT_TYPE[type], query: { ...writeQuery(o), ...(o.force ? { force: true } : {}) } });
  }

  patchStatus<T extends KubeObject>(rt: ResourceType<T>, name: string, patch: unknown, o: WriteOptions & { namespace?: string; type?: PatchType } = {}): Promise<T> {
    return this.patch(rt, name, patch, { ...o, subresource: 'status' });
  }

  delete<T extends KubeObject>(rt: ResourceType<T>, name: string, o: { namespace?: string; gracePeriodSeconds?: number; uid?: string; propagationPolicy?: string } = {}): Promise<KubeObject | Status> {
    const body = { kind: 'DeleteOptions', apiVersion: 'v1', ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}), ...(o.uid ? { preconditions: { uid: o.uid } } : {}), ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}) };
    return this.request({ method: 'DELETE', path: resourcePath(rt, { namespace: o.namespace, name }), body });
  }

  /**
   * Streams watch events until the server ends the watch, the signal aborts, or the
   * connection fails (then it throws). ERROR events (410 Expired) are yielded for the
   * caller to relist; a 410 answer to the request itself throws KubeApiError (gone).
   */
  async *watch<T extends KubeObject>(rt: ResourceType<T>, o: WatchOptions = {}): AsyncGenerator<WatchEvent<T>> {
    const path = resourcePath(rt, { namespace: o.namespace });
    const res = await this.open({
      method: 'GET',
      path,
      signal: o.signal,
      query: { watch: true, resourceVersion: o.resourceVersion, allowWatchBookmarks: o.allowWatchBookmarks, timeoutSeconds: o.timeoutSeconds, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector },
    });
    if ((res.statusCode ?? 0) >= 300) throw KubeClient.failure(res, await KubeClient.readBody(res), `watch ${path}`);
    const lines = new LineSplitter();
    try {
      for await (const chunk of res) for (const l of lines.push(chunk as Buffer)) yield JSON.parse(l) as WatchEvent<T>;
      for (const l of lines.end()) yield JSON.parse(l) as WatchEvent<T>;
    } finally {
      res.destroy();
    }
  }
}

function writeQuery(w: WriteOptions): Record<string, string | undefined> {
  return { fieldManager: w.fieldManager, dryRun: w.dryRun ? 'All' : undefined };
}
