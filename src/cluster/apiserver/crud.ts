import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../store/errors.js';
import type { K8sObject } from '../store/types.js';
import { methodNotAllowed, parseBody, readBody, sendJson, sendJsonText } from './http-util.js';
import { objectJson } from './json-cache.js';
import { applyPatch, patchKind } from './patching.js';
import type { Registry } from './registry.js';
import { apiVersionOf, grOf } from './resources.js';
import type { ResourceRoute } from './router.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { toTable, wantsTable, type IncludeObject } from './table.js';

/** Objects of a list/watch request after label and field selectors. */
export function selectFilter(route: ResourceRoute, q: URLSearchParams): (o: K8sObject) => boolean {
  const labels = q.get('labelSelector') ? parseLabelSelector(q.get('labelSelector')!) : [];
  const fields = q.get('fieldSelector') ? parseFieldSelector(q.get('fieldSelector')!, route.def.kind) : [];
  return (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
}

function respond(res: ServerResponse, req: IncomingMessage, q: URLSearchParams, code: number, route: ResourceRoute, o: K8sObject, rv: string): void {
  if (wantsTable(req.headers.accept)) sendJson(res, code, toTable(route.def.kind, [o], rv, (q.get('includeObject') as IncludeObject) ?? 'Metadata'));
  else sendJson(res, code, o);
}

function toScale(o: K8sObject): K8sObject {
  const spec = (o.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const st = (o.status ?? {}) as { replicas?: number };
  const m = o.metadata;
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: st.replicas ?? 0, selector: Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') },
  };
}

async function handleScale(reg: Registry, req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
  const cur = reg.get(route.def, route.namespace, route.name!);
  if (route.verb === 'get') return sendJson(res, 200, toScale(cur));
  let scale: K8sObject;
  const text = await readBody(req);
  if (route.verb === 'update') scale = parseBody(text, req.headers['content-type']) as K8sObject;
  else if (route.verb === 'patch') scale = applyPatch(patchKind(req.headers['content-type'], true), toScale(cur), text);
  else throw methodNotAllowed(req.method!, req.url!);
  const replicas = (scale?.spec as { replicas?: unknown } | undefined)?.replicas;
  if (!Number.isInteger(replicas) || (replicas as number) < 0) throw new ApiError(422, 'Invalid', `Scale.autoscaling "${route.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
  const next = { ...cur, spec: { ...(cur.spec as object), replicas }, metadata: { ...cur.metadata, resourceVersion: scale.metadata?.resourceVersion ?? '' } };
  sendJson(res, 200, toScale(reg.update(route.def, route.namespace, route.name!, next)));
}

async function handleBinding(reg: Registry, req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
  const b = parseBody(await readBody(req), req.headers['content-type']) as { target?: { name?: string } } | undefined;
  const node = b?.target?.name;
  if (!node) throw badRequest('Binding target.name is required');
  const pod = reg.get(route.def, route.namespace, route.name!);
  const spec = pod.spec as { nodeName?: string };
  if (spec.nodeName) throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${route.name}": pod ${route.name} is already assigned to node "${spec.nodeName}"`);
  spec.nodeName = node;
  reg.update(route.def, route.namespace, route.name!, pod);
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

/** get/list/create/update/patch/delete (+status, scale, binding) for one resource. */
export async function handleCrud(reg: Registry, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, q: URLSearchParams): Promise<void> {
  const { def, namespace: ns, name, subresource: sub } = route;
  const dryRun = q.getAll('dryRun').includes('All');
  const present = (o: K8sObject) => reg.present(def, o, route.version);
  if (sub === 'scale' && def.subresources?.includes('scale')) return handleScale(reg, req, res, route);
  if (sub === 'binding' && route.verb === 'create' && def.subresources?.includes('binding')) return handleBinding(reg, req, res, route);
  if (def.resource === 'pods' && (sub === 'exec' || sub === 'attach' || sub === 'portforward'))
    throw new ApiError(400, 'BadRequest', `Upgrade request required: ${def.resource}/${sub} streams over ${sub === 'portforward' ? 'WebSocket (SPDY/3.1+portforward.k8s.io) or SPDY/3.1' : 'WebSocket (v5.channel.k8s.io or v4.channel.k8s.io)'}`);
  if (sub && (sub !== 'status' || !def.subresources?.includes('status'))) throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${def.resource}/${sub})`);
  switch (route.verb) {
    case 'get': {
      const o = present(reg.get(def, ns, name!));
      return respond(res, req, q, 200, route, o, o.metadata.resourceVersion!);
    }
    case 'list': {
      const filter = selectFilter(route, q);
      // the store's own (frozen) objects: read and serialized, never changed here
      const { items, rv } = reg.store.listShared(grOf(def), def.namespaced ? ns : undefined);
      const sel = items.filter(filter);
      if (wantsTable(req.headers.accept)) return sendJson(res, 200, toTable(def.kind, sel.map((o) => present({ ...o })), String(rv), (q.get('includeObject') as IncludeObject) ?? 'Metadata'));
      const apiVersion = apiVersionOf(def.group, route.version);
      const head = JSON.stringify({ kind: `${def.kind}List`, apiVersion, metadata: { resourceVersion: String(rv) } });
      return sendJsonText(res, 200, `${head.slice(0, -1)},"items":[${sel.map((o) => objectJson(o, def.kind, apiVersion)).join(',')}]}`);
    }
    case 'create': {
      if (name) throw methodNotAllowed('POST', req.url!);
      const body = parseBody(await readBody(req), req.headers['content-type']) as K8sObject;
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request must be an object');
      const o = reg.create(def, ns, body, { dryRun });
      return respond(res, req, q, 201, route, present(o), o.metadata.resourceVersion ?? '');
    }
    case 'update': {
      const body = parseBody(await readBody(req), req.headers['content-type']) as K8sObject;
      const o = reg.update(def, ns, name!, body, sub, { dryRun });
      return respond(res, req, q, 200, route, present(o), o.metadata.resourceVersion ?? '');
    }
    case 'patch': {
      const kind = patchKind(req.headers['content-type'], !def.group || ['apps', 'batch', 'discovery.k8s.io', 'networking.k8s.io', 'coordination.k8s.io'].includes(def.group));
      const text = await readBody(req);
      let cur: K8sObject | undefined;
      try {
        cur = reg.get(def, ns, name!);
      } catch (e) {
        if (!(kind === 'apply' && e instanceof ApiError && e.httpCode === 404)) throw e;
      }
      if (!cur) {
        const fresh = applyPatch(kind, undefined, text);
        fresh.metadata.name ??= name;
        const o = reg.create(def, ns, fresh, { dryRun });
        return respond(res, req, q, 201, route, present(o), o.metadata.resourceVersion ?? '');
      }
      // A patch that changes metadata.resourceVersion makes it a precondition (409 when stale).
      const patched = applyPatch(kind, present(cur), text);
      const o = reg.update(def, ns, name!, patched, sub, { dryRun });
      return respond(res, req, q, 200, route, present(o), o.metadata.resourceVersion ?? '');
    }
    case 'delete': {
      const body = parseBody(await readBody(req), req.headers['content-type']) as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined;
      const o = reg.delete(def, ns, name!, { dryRun, preconditionUid: body?.preconditions?.uid, preconditionRv: body?.preconditions?.resourceVersion });
      return sendJson(res, 200, present(o));
    }
    case 'deletecollection': {
      const filter = selectFilter(route, q);
      const items = reg.store.list(grOf(def), def.namespaced ? ns : undefined).items.filter(filter);
      const gone = items.map((o) => present(reg.delete(def, o.metadata.namespace, o.metadata.name!, { dryRun })));
      return sendJson(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def.group, route.version), metadata: { resourceVersion: String(reg.store.resourceVersion) }, items: gone });
    }
    default:
      throw methodNotAllowed(req.method!, req.url!);
  }
}
