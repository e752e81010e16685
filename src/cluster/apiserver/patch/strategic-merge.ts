import { badRequest } from '../../store/errors.js';

type Json = unknown;
type Obj = Record<string, Json>;

function isObj(v: Json): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Merge keys of the list fields Kubernetes' built-in types declare with
 * `patchStrategy:"merge"`. The key is the field name; `ports` depends on where it sits.
 * Lists not named here are replaced whole (e.g. `externalIPs`, `args`, `tolerations`).
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  conditions: 'type',
  addresses: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  taints: 'key',
  podIPs: 'ip',
  podCIDRs: '',
  finalizers: '',
};

function mergeKeyFor(field: string, path: string[]): string | undefined {
  if (field === 'ports') {
    if (path.includes('containers') || path.includes('initContainers')) return 'containerPort';
    if (path[path.length - 1] === 'spec' && !path.includes('template')) return 'port';
    if (path.includes('spec')) return 'port';
    return undefined;
  }
  return MERGE_KEYS[field];
}

function mergeList(cur: Json[], patch: Json[], key: string, path: string[]): Json[] {
  if (key === '') {
    // primitive list merged as a set (finalizers)
    const out = [...cur];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  const out = structuredClone(cur) as Json[];
  for (const p of patch) {
    if (!isObj(p)) throw badRequest(`strategic merge patch: list item without object value under merge key "${key}"`);
    const directive = p.$patch;
    const idx = out.findIndex((c) => isObj(c) && c[key] === p[key]);
    if (directive === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (p[key] === undefined) throw badRequest(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    if (idx >= 0) out[idx] = mergeObject(out[idx] as Obj, p, path);
    else out.push(mergeObject({}, p, path));
  }
  return out;
}

function orderBy(list: Json[], order: Json[], key: string): Json[] {
  const pos = (v: Json) => order.findIndex((o) => (key ? isObj(o) && isObj(v) && o[key] === v[key] : o === v));
  return [...list].sort((a, b) => {
    const pa = pos(a);
    const pb = pos(b);
    return (pa < 0 ? Infinity : pa) - (pb < 0 ? Infinity : pb);
  });
}

function mergeObject(cur: Obj, patch: Obj, path: string[]): Obj {
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest) as Obj;
  }
  if (patch.$patch === 'delete') return {};
  let out: Obj = structuredClone(cur);
  const retain = patch.$retainKeys;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const f = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = (out[f] as Json[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const here = [...path, k];
    if (Array.isArray(v)) {
      const key = mergeKeyFor(k, path);
      const replaceAll = v.some((x) => isObj(x) && x.$patch === 'replace');
      if (key !== undefined && !replaceAll && Array.isArray(out[k])) out[k] = mergeList(out[k] as Json[], v, key, here);
      else out[k] = stripDirectives(v.filter((x) => !(isObj(x) && x.$patch === 'replace')));
    } else if (isObj(v)) {
      out[k] = mergeObject(isObj(out[k]) ? (out[k] as Obj) : {}, v, here);
    } else out[k] = v;
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith('$setElementOrder/') || !Array.isArray(order)) continue;
    const f = k.slice('$setElementOrder/'.length);
    if (Array.isArray(out[f])) out[f] = orderBy(out[f] as Json[], order, mergeKeyFor(f, path) ?? '');
  }
  if (Array.isArray(retain)) out = Object.fromEntries(Object.entries(out).filter(([k]) => retain.includes(k)));
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const o: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) o[k] = stripDirectives(x);
  return o;
}

/** Strategic merge patch for built-in kinds (the directives kubectl sends are honoured). */
export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) throw badRequest('strategic merge patch must be a JSON object');
  return mergeObject(isObj(target) ? target : {}, patch, []);
}
