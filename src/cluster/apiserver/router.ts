import { findResource, resourcesIn, type ResourceDef } from './resources.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** A request for a resource, decoded from its path, method and query. */
export interface ResourceRoute {
  type: 'resource';
  def: ResourceDef;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  verb: Verb;
}

export interface DiscoveryRoute {
  type: 'resourceList';
  group: string;
  version: string;
}

export type Route = ResourceRoute | DiscoveryRoute | { type: 'group'; group: string } | { type: 'unknown' };

function verbFor(method: string, hasName: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case 'GET':
      return hasName ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return hasName ? 'update' : undefined;
    case 'PATCH':
      return hasName ? 'patch' : undefined;
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
}

/** Decodes `/api/v1/...` and `/apis/<group>/<version>/...` paths. */
export function parseRoute(method: string, pathname: string, query: URLSearchParams): Route {
  let seg = pathname.split('/').filter(Boolean);
  let group: string;
  let version: string;
  if (seg[0] === 'api' && seg.length >= 2) {
    group = '';
    version = seg[1]!;
    seg = seg.slice(2);
  } else if (seg[0] === 'apis' && seg.length === 2) {
    return { type: 'group', group: seg[1]! };
  } else if (seg[0] === 'apis' && seg.length >= 3) {
    group = seg[1]!;
    version = seg[2]!;
    seg = seg.slice(3);
  } else return { type: 'unknown' };
  if (!seg.length) return { type: 'resourceList', group, version };
  let watch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (seg[0] === 'watch') {
    watch = true;
    seg = seg.slice(1);
  }
  let namespace: string | undefined;
  if (seg[0] === 'namespaces' && seg.length >= 3) {
    const inner = findResource(group, version, seg[2]!);
    if (inner?.namespaced) {
      namespace = seg[1];
      seg = seg.slice(2);
    }
  }
  const def = findResource(group, version, seg[0]!);
  if (!def || seg.length > 3) return { type: 'unknown' };
  if (!resourcesIn(group, version).includes(def)) return { type: 'unknown' };
  const name = seg[1];
  const subresource = seg[2];
  if (name && def.namespaced && namespace === undefined) return { type: 'unknown' };
  const verb = verbFor(method, !!name, watch);
  if (!verb) return { type: 'unknown' };
  return { type: 'resource', def, version, ...(namespace !== undefined ? { namespace } : {}), ...(name ? { name } : {}), ...(subresource ? { subresource } : {}), verb };
}
