/**
 * Node property inheritance, resolved once: defaults < kinds[kind] < groups[group] < node.
 *
 * Merge rules (containerlab's behaviour where it has one):
 * - scalars and most lists (ports, wait-for, cmd given as a list): the most specific layer wins,
 *   a node-level list replaces the inherited one;
 * - `exec`: lists are APPENDED in the order defaults, kind, group, node — containerlab's
 *   GetNodeExec concatenates them the same way, so shared setup lines in `kinds:` run first;
 * - `cap-add`: union, in layer order;
 * - `binds`: merged by container path; a more specific layer replaces the bind for the same path;
 * - `env`, `labels`, `sysctls`: maps merged key by key, the more specific layer wins;
 * - `bgp`: deep-merged (maps recursively, lists and scalars replaced).
 * The kind comes from node, then group, then defaults; the group from node, then defaults.
 * Every resolved value remembers which layer (path in the file) it came from, for messages.
 */
import type { RawNodeProps, RawTopologySection } from './raw-types.js';
import type { PathSeg } from './source-map.js';

interface Layer {
  path: PathSeg[];
  props: RawNodeProps;
}

type Key = keyof RawNodeProps;
const MAP_KEYS = new Set<Key>(['env', 'labels', 'sysctls']);

export interface ResolvedProps {
  props: RawNodeProps;
  /** Path in the file of the value that provided `key` (with `sub`: a map key or a list index). */
  at(key: Key, sub?: string | number): PathSeg[];
  nodePath: PathSeg[];
}

export function nodeLayers(topo: RawTopologySection, name: string): Layer[] {
  const nodePath: PathSeg[] = ['topology', 'nodes', name];
  const node = topo.nodes?.[name] ?? {};
  const defaults = topo.defaults ?? {};
  const groupName = node.group ?? defaults.group;
  const group = groupName === undefined ? undefined : topo.groups?.[groupName];
  const kind = node.kind ?? group?.kind ?? defaults.kind;
  const layers: Layer[] = [{ path: ['topology', 'defaults'], props: defaults }];
  const kindProps = kind === undefined ? undefined : topo.kinds?.[kind];
  if (kindProps) layers.push({ path: ['topology', 'kinds', kind!], props: kindProps });
  if (group) layers.push({ path: ['topology', 'groups', groupName!], props: group });
  layers.push({ path: nodePath, props: node });
  return layers;
}

export function resolveNodeProps(topo: RawTopologySection, name: string): ResolvedProps {
  const layers = nodeLayers(topo, name);
  const nodePath = layers[layers.length - 1]!.path;
  const out: Record<string, unknown> = {};
  const origin = new Map<string, PathSeg[]>(); // "key" or "key\0sub" → path
  const listOrigin = new Map<string, PathSeg[][]>();

  for (const { path, props } of layers) {
    for (const [k, v] of Object.entries(props) as Array<[Key, unknown]>) {
      if (v === undefined) continue;
      const here = [...path, k];
      if (k === 'exec' || k === 'cap-add') {
        const prev = (out[k] as string[] | undefined) ?? [];
        const prevAt = listOrigin.get(k) ?? [];
        (v as string[]).forEach((item, i) => {
          if (k === 'cap-add' && prev.includes(item)) return;
          prev.push(item);
          prevAt.push([...here, i]);
        });
        out[k] = prev;
        listOrigin.set(k, prevAt);
      } else if (k === 'binds') {
        mergeBinds(out, listOrigin, v as string[], here);
      } else if (MAP_KEYS.has(k)) {
        const prev = (out[k] as Record<string, unknown> | undefined) ?? {};
        for (const [sk, sv] of Object.entries(v as Record<string, unknown>)) {
          prev[sk] = sv;
          origin.set(`${k}\u0000${sk}`, [...here, sk]);
        }
        out[k] = prev;
      } else if (k === 'bgp') {
        out[k] = deepMerge(out[k], v);
      } else {
        out[k] = v;
        listOrigin.set(k, Array.isArray(v) ? v.map((_, i) => [...here, i]) : []);
      }
      origin.set(k, here);
    }
  }
  return {
    props: out as RawNodeProps,
    nodePath,
    at(key, sub) {
      if (typeof sub === 'number') return listOrigin.get(key)?.[sub] ?? [...nodePath, key, sub];
      if (sub !== undefined) return origin.get(`${key}\u0000${sub}`) ?? [...nodePath, key, sub];
      return origin.get(key) ?? [...nodePath, key];
    },
  };
}

function mergeBinds(out: Record<string, unknown>, listOrigin: Map<string, PathSeg[][]>, binds: string[], here: PathSeg[]): void {
  const prev = (out.binds as string[] | undefined) ?? [];
  const prevAt = listOrigin.get('binds') ?? [];
  binds.forEach((b, i) => {
    const target = b.split(':')[1];
    const idx = prev.findIndex((p) => p.split(':')[1] === target);
    if (idx >= 0) {
      prev[idx] = b;
      prevAt[idx] = [...here, i];
    } else {
      prev.push(b);
      prevAt.push([...here, i]);
    }
  });
  out.binds = prev;
  listOrigin.set('binds', prevAt);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in base ? deepMerge(base[k], v) : structuredClone(v);
  return out;
}
