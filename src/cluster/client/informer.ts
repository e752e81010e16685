import type { KubeClient, ListOptions } from './client.js';
import { KubeApiError } from './errors.js';
import type { ResourceType } from './resources.js';
import type { KubeObject } from './types.js';
import { errorMessage } from '../../errors.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface Change<T extends KubeObject> {
  type: ChangeType;
  object: T;
  /** The cached object before a MODIFIED or DELETED change. */
  old?: T;
}

export interface InformerOptions extends Omit<ListOptions, 'limit'> {
  /** Server-side watch timeout before a resume (seconds). */
  watchTimeoutSeconds?: number;
  /** First retry delay after a failed list/watch; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: (line: Record<string, unknown>) => void;
}

export const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/**
 * A cache of one resource kept current by list + watch (a reflector). Watches resume
 * from the last seen resourceVersion (bookmarks advance it); a 410 Expired answer or
 * ERROR event triggers a relist, diffed against the cache so listeners still see the
 * DELETED and MODIFIED changes they missed. Failures back off and retry forever.
 */
export class Informer<T extends KubeObject> {
  private readonly cache = new Map<string, T>();
  private readonly listeners: Array<(c: Change<T>) => void> = [];
  private rv: string | undefined;
  private abort = new AbortController();
  private running = false;
  private synced!: Promise<void>;
  private markSynced!: () => void;
  /** Number of full lists done (1 after start; more after 410s). */
  lists = 0;

  constructor(private readonly client: KubeClient, readonly resource: ResourceType<T>, private readonly opts: InformerOptions = {}) {
    this.synced = new Promise((r) => (this.markSynced = r));
  }

  onChange(fn: (c: Change<T>) => void): this {
    this.listeners.push(fn);
    return this;
  }

  /** Starts the loop; resolves once the first list is in the cache. */
  start(): Promise<void> {
    if (!this.running) {
      this.running = true;
      this.abort = new AbortController();
      void this.loop();
    }
    return this.synced;
  }

  stop(): void {
    this.running = false;
    this.abort.abort();
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(`${namespace ?? ''}/${name}`);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  get resourceVersion(): string | undefined {
    return this.rv;
  }

  private emit(c: Change<T>): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch (e) {
        this.opts.log?.({ level: 'error', msg: 'informer listener failed', resource: this.resource.plural, error: errorMessage(e) });
      }
    }
  }

  private apply(type: ChangeType, o: T): void {
    const k = keyOf(o);
    const old = this.cache.get(k);
    if (type === 'DELETED') {
      this.cache.delete(k);
      this.emit({ type, object: o, ...(old ? { old } : {}) });
    } else {
      this.cache.set(k, o);
      this.emit({ type: old ? 'MODIFIED' : 'ADDED', object: o, ...(old ? { old } : {}) });
    }
  }

  private async relist(): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const l = await this.client.list(this.resource, { namespace, labelSelector, fieldSelector });
    const seen = new Set<string>();
    for (const o of l.items) {
      seen.add(keyOf(o));
      const old = this.cache.get(keyOf(o));
      if (!old || old.metadata.resourceVersion !== o.metadata.resourceVersion) this.apply('MODIFIED', o);
    }
    for (const [k, o] of [...this.cache]) if (!seen.has(k)) this.apply('DELETED', o);
    this.rv = l.metadata.resourceVersion;
    this.lists++;
  }

  private async loop(): Promise<void> {
    let delay = this.opts.backoffMs ?? 500;
    while (this.running) {
      try {
        if (this.rv === undefined) {
          await this.relist();
          this.markSynced();
        }
        await this.watchOnce();
        delay = this.opts.backoffMs ?? 500;
      } catch (e) {
        if (!this.running) break;
        if (e instanceof KubeApiError && e.gone) {
          this.opts.log?.({ level: 'info', msg: 'watch expired, relisting', resource: this.resource.plural, resourceVersion: this.rv });
          this.rv = undefined;
          continue;
        }
        this.opts.log?.({ level: 'warn', msg: 'list/watch failed, retrying', resource: this.resource.plural, error: errorMessage(e), retryMs: delay });
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.opts.maxBackoffMs ?? 10_000);
      }
    }
  }

  private async watchOnce(): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const events = this.client.watch(this.resource, { namespace, labelSelector, fieldSelector, resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds: this.opts.watchTimeoutSeconds ?? 300, signal: this.abort.signal });
    for await (const ev of events) {
      if (ev.type === 'ERROR') {
        const st = ev.object;
        throw new KubeApiError(st.code ?? 500, st, `watch ${this.resource.plural}`);
      }
      if (ev.type === 'BOOKMARK') {
        this.rv = ev.object.metadata.resourceVersion ?? this.rv;
        continue;
      }
      this.apply(ev.type, ev.object);
      this.rv = ev.object.metadata.resourceVersion ?? this.rv;
    }
  }
}
