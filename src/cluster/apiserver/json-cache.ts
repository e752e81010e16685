/**
 * JSON of stored objects, made once per object and kept while the object lives (a WeakMap on it). The
 * store never changes a committed object (an update commits a new, frozen one), so its identity keys
 * the cache.
 */
import type { K8sObject } from '../store/types.js';

/**
 * Each watch event's JSON line, made once per stored object, event type and served version however many
 * watchers receive it: with 100 nodes, every Pod change went to ~200 watches (each node's daemon and
 * agent), each cloning and serializing the same object. The store never changes a committed object
 * (updates commit a new one), so its identity keys the cache; the WeakMap lets it go with the object.
 * A Buffer, not a string: a slow watcher's socket queues the chunk by reference, so the watchers that lag
 * behind hold one copy of an event between them, not one each.
 */
const lines = new WeakMap<K8sObject, Map<string, Buffer>>();
export function eventLine(o: K8sObject, key: string, make: () => string): Buffer {
  let m = lines.get(o);
  if (!m) lines.set(o, (m = new Map()));
  let line = m.get(key);
  if (line === undefined) m.set(key, (line = Buffer.from(make())));
  return line;
}

const bodies = new WeakMap<K8sObject, Map<string, string>>();
/**
 * An object's JSON as served in `apiVersion` (kind and apiVersion set, the rest as stored), for LIST
 * bodies: 100 node daemons and agents listing every Pod at start serialized each Pod once per list.
 */
export function objectJson(o: K8sObject, kind: string, apiVersion: string): string {
  let m = bodies.get(o);
  if (!m) bodies.set(o, (m = new Map()));
  let text = m.get(apiVersion);
  if (text === undefined) m.set(apiVersion, (text = JSON.stringify({ ...o, apiVersion, kind })));
  return text;
}
