import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../store/errors.js';
import type { K8sObject, StoreEvent } from '../store/types.js';
import { selectFilter } from './crud.js';
import type { Registry } from './registry.js';
import { apiVersionOf, grOf } from './resources.js';
import type { ResourceRoute } from './router.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';
import { eventLine } from './json-cache.js';

export interface WatchSettings {
  /** How often BOOKMARK events are sent to watchers that allow them. */
  bookmarkIntervalMs: number;
  /** Longest a watch stays open when the client sets no timeoutSeconds. */
  maxTimeoutMs: number;
}

export { eventLine } from './json-cache.js';
const type0 = (group: string, resource: string, version: string | undefined) => `${group}/${resource}/${version ?? ''}`;

/**
 * A watch as a chunked stream of JSON events, one per line. Without resourceVersion (or
 * with "0") it first sends the current objects as ADDED; with an rv it resumes after it,
 * or sends one ERROR event (410 Expired) when that rv left the history window. Selector
 * exits become DELETED, entries become ADDED, like the real watch cache.
 */
export function handleWatch(reg: Registry, settings: WatchSettings, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams): void {
  const { def } = route;
  const filter0 = selectFilter(route, q);
  const ns = def.namespaced ? route.namespace : undefined;
  const inScope = (o: K8sObject) => (ns === undefined || o.metadata.namespace === ns) && (!route.name || o.metadata.name === route.name);
  const filter = (o: K8sObject | undefined) => !!o && inScope(o) && filter0(o);
  const table = wantsTable(req.headers.accept);
  const include = (q.get('includeObject') as IncludeObject) ?? 'Metadata';
  const rvParam = q.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const timeoutMs = q.get('timeoutSeconds') ? Math.min(Number(q.get('timeoutSeconds')) * 1000, settings.maxTimeoutMs) : settings.maxTimeoutMs;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let first = true;
  const send = (type: string, object: unknown) => {
    res.write(JSON.stringify({ type, object }) + '\n');
  };
  const lineKey = `${type0(def.group, def.resource, route.version)}`;
  const sendObj = (type: string, o: K8sObject) => {
    if (table) {
      const out = reg.present(def, structuredClone(o), route.version);
      send(type, toTable(def.kind, [out], out.metadata.resourceVersion ?? '', include, !first));
    } else res.write(eventLine(o, `${type} ${lineKey}`, () => JSON.stringify({ type, object: reg.present(def, { ...o }, route.version) }) + '\n'));
    first = false;
  };
  const bookmark = (annotations?: Record<string, string>) =>
    send('BOOKMARK', { kind: table ? 'Table' : def.kind, apiVersion: table ? 'meta.k8s.io/v1' : apiVersionOf(def.group, route.version), metadata: { resourceVersion: String(reg.store.resourceVersion), ...(annotations ? { annotations } : {}) } });

  let after: number;
  if (rvParam === '' || rvParam === '0') {
    const { items, rv } = reg.store.list(grOf(def), ns);
    for (const o of items) if (filter(o)) sendObj('ADDED', o);
    after = rv;
    if (q.get('sendInitialEvents') === 'true' && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  } else after = Number(rvParam);

  const onEvent = (ev: StoreEvent) => {
    const now = filter(ev.object);
    const before = ev.type === 'MODIFIED' ? filter(ev.prev) : now;
    if (ev.type === 'MODIFIED' && now && !before) sendObj('ADDED', ev.object);
    else if (ev.type === 'MODIFIED' && !now && before) sendObj('DELETED', ev.object);
    else if (now) sendObj(ev.type, ev.object);
  };
  let stop = () => {};
  try {
    stop = reg.store.watch(grOf(def), after, onEvent).stop;
  } catch (e) {
    if (e instanceof ApiError) send('ERROR', e.toStatus());
    res.end();
    return;
  }
  const timers: NodeJS.Timeout[] = [];
  if (bookmarks) timers.push(setInterval(() => bookmark(), settings.bookmarkIntervalMs));
  const close = () => {
    stop();
    for (const t of timers) clearInterval(t);
  };
  timers.push(
    setTimeout(() => {
      close();
      res.end();
    }, timeoutMs),
  );
  res.on('close', close);
  req.on('close', close);
}
