import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { alreadyExists, conflict, gone, notFound, tooLarge } from './errors.js';
import { EventHistory } from './history.js';
import { DirPersistence, type LogEntry, type Snapshot } from './persist.js';
import { clone, deepFreeze, objectKey, type K8sObject, type StoreEvent, type WatchEventType } from './types.js';

export interface StoreOptions {
  /** Directory for snapshot + log; omit for a memory-only store (tests). */
  dir?: string;
  /** How many recent events a watch can resume from (older → 410 Gone). */
  historySize?: number;
  compactEvery?: number;
  /** Compact once the log holds this many bytes (or more than the snapshot). */
  compactBytes?: number;
}

/** etcd's default request limit (--max-request-bytes, 1.5 MiB): larger objects are refused. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

export interface ListResult {
  items: K8sObject[];
  rv: number;
}

/** Opened watch: events already due (replayed from history) plus live delivery until `stop`. */
export interface StoreWatch {
  stop(): void;
}

/**
 * In-memory object store keyed by group-resource and `namespace/name`, with one global,
 * monotonically increasing resourceVersion. Every change is written to the log before it becomes
 * visible and fsync'd at the end of the event-loop turn that made it (one fsync for the thousands of
 * writes a controller pass can make: one per write cost 24 of 56 busy seconds creating 2,000 pods), recorded in a bounded history and emitted to watchers.
 * All operations are synchronous, so each one is atomic with respect to the others.
 */
export class ObjectStore {
  private readonly data = new Map<string, Map<string, K8sObject>>();
  private rv: number;
  private readonly history: EventHistory;
  private readonly persist?: DirPersistence;
  private readonly emitter = new EventEmitter();
  private syncing: NodeJS.Immediate | undefined;
  private readonly watchers = new Map<string, Set<(ev: StoreEvent) => void>>();

  constructor(opts: StoreOptions = {}) {
    this.emitter.setMaxListeners(0);
    let snap: Snapshot = { rv: 0, objects: {} };
    if (opts.dir) {
      this.persist = new DirPersistence(opts.dir, opts.compactEvery, opts.compactBytes);
      snap = this.persist.load();
    }
    for (const [gr, objs] of Object.entries(snap.objects)) {
      const m = new Map<string, K8sObject>();
      for (const [k, o] of Object.entries(objs)) m.set(k, deepFreeze(o));
      this.data.set(gr, m);
    }
    this.rv = snap.rv;
    this.history = new EventHistory(opts.historySize ?? 1000, this.rv);
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestResumable(): number {
    return this.history.oldestResumable;
  }

  get(gr: string, namespace: string | undefined, name: string): K8sObject | undefined {
    const o = this.data.get(gr)?.get(objectKey(namespace, name));
    return o ? clone(o) : undefined;
  }

  /** All objects of a group-resource, optionally in one namespace, sorted by namespace/name. */
  list(gr: string, namespace?: string): ListResult {
    const shared = this.listShared(gr, namespace);
    return { items: shared.items.map(clone), rv: shared.rv };
  }

  /**
   * As `list`, but the store's own objects, not copies: frozen (a change throws), for readers that only
   * read (the controllers, which listed every Pod several times per pass: cloning them was most of their time).
   */
  listShared(gr: string, namespace?: string): ListResult {
    const m = this.data.get(gr);
    const items: K8sObject[] = [];
    if (m) {
      const keys = [...m.keys()].sort();
      for (const k of keys) {
        const o = m.get(k)!;
        if (namespace !== undefined && (o.metadata.namespace ?? '') !== namespace) continue;
        items.push(o);
      }
    }
    return { items, rv: this.rv };
  }

  /** Stores a new object; fills uid, creationTimestamp, generation. `resource` names it in errors. */
  create(gr: string, obj: K8sObject): K8sObject {
    const { namespace, name } = obj.metadata;
    const key = objectKey(namespace, name!);
    const bucket = this.bucket(gr);
    if (bucket.has(key)) throw alreadyExists(gr, name!);
    const o = clone(obj);
    o.metadata.uid ??= randomUUID();
    o.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    return this.commit('ADDED', gr, key, o);
  }

  /**
   * Replaces an object. With `expectRv` (the resourceVersion the caller read), a concurrent
   * change makes this fail with 409 Conflict.
   */
  update(gr: string, obj: K8sObject, expectRv?: string): K8sObject {
    const { namespace, name } = obj.metadata;
    const key = objectKey(namespace, name!);
    const cur = this.bucket(gr).get(key);
    if (!cur) throw notFound(gr, name!);
    if (expectRv !== undefined && expectRv !== '' && expectRv !== cur.metadata.resourceVersion) throw conflict(gr, name!);
    const o = clone(obj);
    o.metadata.uid = cur.metadata.uid;
    o.metadata.creationTimestamp = cur.metadata.creationTimestamp;
    return this.commit('MODIFIED', gr, key, o);
  }

  delete(gr: string, namespace: string | undefined, name: string, expectUid?: string): K8sObject {
    const key = objectKey(namespace, name);
    const cur = this.bucket(gr).get(key);
    if (!cur || (expectUid && cur.metadata.uid !== expectUid)) throw notFound(gr, name);
    return this.commit('DELETED', gr, key, clone(cur));
  }

  /**
   * Watch a group-resource for events with rv > `after`. Throws 410 Gone (reason Expired)
   * when the history window no longer reaches back to `after`.
   */
  watch(gr: string, after: number, onEvent: (ev: StoreEvent) => void): StoreWatch {
    if (after > this.rv) after = this.rv;
    const backlog = this.history.since(after);
    if (!backlog) throw gone(`too old resource version: ${after} (${this.history.oldestResumable})`);
    for (const ev of backlog) if (ev.gr === gr) onEvent(ev);
    // watchers by group-resource: a Pod change is not offered to the hundreds of Node, Lease, … watches
    let set = this.watchers.get(gr);
    if (!set) this.watchers.set(gr, (set = new Set()));
    const fn = (ev: StoreEvent) => onEvent(ev);
    set.add(fn);
    return { stop: () => void set.delete(fn) };
  }

  /** Every event of every group-resource (controllers). */
  subscribe(fn: (ev: StoreEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }

  close(): void {
    if (this.syncing) clearImmediate(this.syncing);
    this.syncing = undefined;
    this.persist?.close();
  }

  private bucket(gr: string): Map<string, K8sObject> {
    let m = this.data.get(gr);
    if (!m) this.data.set(gr, (m = new Map()));
    return m;
  }

  private commit(type: WatchEventType, gr: string, key: string, o: K8sObject): K8sObject {
    const prev = type === 'MODIFIED' ? this.bucket(gr).get(key) : undefined;
    const rv = this.rv + 1;
    o.metadata.resourceVersion = String(rv);
    const entry: LogEntry = type === 'DELETED' ? { rv, op: 'del', gr, key } : { rv, op: 'put', gr, key, obj: o };
    const line = JSON.stringify(entry);
    deepFreeze(o);
    if (type !== 'DELETED' && Buffer.byteLength(line) > MAX_OBJECT_BYTES) throw tooLarge(gr, key);
    if (this.persist) {
      this.persist.appendLine(line);
      this.syncing ??= setImmediate(() => {
        this.syncing = undefined;
        this.persist?.sync();
      });
    }
    this.rv = rv;
    if (type === 'DELETED') this.bucket(gr).delete(key);
    else this.bucket(gr).set(key, o);
    const ev: StoreEvent = { type, gr, rv, object: o, ...(prev ? { prev } : {}) };
    this.history.push(ev);
    if (this.persist?.wantsCompaction()) this.persist.compact(this.snapshot());
    this.emitter.emit('event', ev);
    const ws = this.watchers.get(gr);
    if (ws) for (const fn of [...ws]) fn(ev);
    return clone(o);
  }

  private snapshot(): Snapshot {
    const objects: Snapshot['objects'] = {};
    for (const [gr, m] of this.data) objects[gr] = Object.fromEntries(m);
    return { rv: this.rv, objects };
  }
}
