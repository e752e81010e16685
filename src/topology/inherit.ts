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
 * - `env`, `labels`, `sysctls`, `certificate`: maps merged key by key, the more specific layer wins;
 * - `env-files`: appended like containerlab's merged string lists, duplicates dropped;
 * - `stages`: per stage, wait-for entries and exec commands are APPENDED in layer order
 *   (containerlab's Stages.Merge; a repeated wait-for is dropped); the map form of a stage's exec
 *   (`on-enter: [...]`, `on-exit: [...]`) becomes list entries with that phase;
 * - `healthcheck`, `dns`: the most specific layer's object wins whole (containerlab's getField);
 * - `bgp`: deep-merged (maps recursively, lists and scalars replaced).
 * The kind comes from node, then group, then defaults; the group from node, then defaults.
 * Every resolved value remembers which layer (path in the file) it came from, for messages.
 */
import type { RawNodeProps, RawStage, RawStageExecEntry, RawTopologySection } from './raw-types.js';
import type { PathSeg } from './source-map.js';
import { STAGES, type Stage } from './types.js';

interface Layer {
  path: PathSeg[];
  props: RawNodeProps;
}

type Key = keyof RawNodeProps;
const MAP_KEYS = new Set<Key>(['env', 'labels', 'sysctls', 'certificate']);

/** A stage's merged wait-for and exec entries, each with the path of the layer that gave it. */
export interface ResolvedStage {
  waitFor: Array<{ node: string; stage?: Stage; path: PathSeg[] }>;
  exec: Array<RawStageExecEntry & { path: PathSeg[] }>;
}

export interface ResolvedProps {
  props: RawNodeProps;
  /** Path in the file of the value that provided `key` (with `sub`: a map key or a list index). */
  at(key: Key, sub?: string | number): PathSeg[];
  nodePath: PathSeg[];
  /** The merged `stages`, per stage (empty stages when no layer has any). */
  stages: Record<Stage, ResolvedStage>;
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

/** No layer declares stages: shared and frozen (read only), instead of ten empty lists per node. */
const NO_STAGES: Record<Stage, ResolvedStage> = Object.freeze(
  Object.fromEntries(STAGES.map((st) => [st, Object.freeze({ waitFor: Object.freeze([]), exec: Object.freeze([]) })])),
) as unknown as Record<Stage, ResolvedStage>;

/** True when `stages` is the shared empty value (no layer of the node declares stages). */
export function noStages(stages: Record<Stage, ResolvedStage>): boolean {
  return stages === NO_STAGES;
}

/**
 * The merged properties of a node. Where each value came from (`at`) is worked out only when
 * asked: a path for every key and list item of every node was most of a big topology's load time
 * (garbage collection), and almost always only messages read them.
 */
export function resolveNodeProps(topo: RawTopologySection, name: string): ResolvedProps {
  const layers = nodeLayers(topo, name);
  const nodePath = layers[layers.length - 1]!.path;
  const out: Record<string, unknown> = {};
  let stages: Record<Stage, ResolvedStage> | undefined;

  for (const { path, props } of layers) {
    for (const k of Object.keys(props) as Key[]) {
      const v: unknown = props[k];
      if (v === undefined) continue;
      if (k === 'stages') {
        stages ??= Object.fromEntries(STAGES.map((st) => [st, { waitFor: [], exec: [] } as ResolvedStage])) as Record<Stage, ResolvedStage>;
        mergeStages(stages, v as Partial<Record<Stage, RawStage | null>>, [...path, k]);
        out[k] = v;
      } else if (k === 'exec' || k === 'cap-add' || k === 'env-files') {
        const prev = (out[k] as string[] | undefined) ?? [];
        for (const item of v as string[]) if (k === 'exec' || !prev.includes(item)) prev.push(item);
        out[k] = prev;
      } else if (k === 'binds') {
        mergeBinds(out, undefined, v as string[], path);
      } else if (MAP_KEYS.has(k)) {
        const prev = (out[k] as Record<string, unknown> | undefined) ?? {};
        for (const sk of Object.keys(v as Record<string, unknown>)) prev[sk] = (v as Record<string, unknown>)[sk];
        out[k] = prev;
      } else if (k === 'bgp') {
        out[k] = deepMerge(out[k], v);
      } else {
        out[k] = v;
      }
    }
  }
  let tracked: Origins | undefined;
  return {
    props: out as RawNodeProps,
    nodePath,
    stages: stages ?? NO_STAGES,
    at(key, sub) {
      if (sub === undefined) {
        // The last layer that sets the key gave it (the merged kinds too: their origin is the last contributor).
        for (let i = layers.length - 1; i >= 0; i--) {
          const l = layers[i]!;
          if (Object.prototype.hasOwnProperty.call(l.props, key) && l.props[key] !== undefined) return [...l.path, key];
        }
        return [...nodePath, key];
      }
      tracked ??= trackOrigins(layers);
      if (typeof sub === 'number') return tracked.listOrigin.get(key)?.[sub] ?? [...nodePath, key, sub];
      return tracked.origin.get(`${key}\u0000${sub}`) ?? [...nodePath, key, sub];
    },
  };
}

interface Origins {
  /** "key\0sub" → path of a map entry. */
  origin: Map<string, PathSeg[]>;
  /** key → path of each item of the merged list. */
  listOrigin: Map<string, PathSeg[][]>;
}

/** The merge of resolveNodeProps replayed for the paths of map entries and list items (messages only). */
function trackOrigins(layers: Layer[]): Origins {
  const origin = new Map<string, PathSeg[]>();
  const listOrigin = new Map<string, PathSeg[][]>();
  const lists: Record<string, unknown> = {};
  for (const { path, props } of layers) {
    for (const [k, v] of Object.entries(props) as Array<[Key, unknown]>) {
      if (v === undefined) continue;
      const here = [...path, k];
      if (k === 'exec' || k === 'cap-add' || k === 'env-files') {
        const prev = (lists[k] as string[] | undefined) ?? [];
        const prevAt = listOrigin.get(k) ?? [];
        (v as string[]).forEach((item, i) => {
          if (k !== 'exec' && prev.includes(item)) return;
          prev.push(item);
          prevAt.push([...here, i]);
        });
        lists[k] = prev;
        listOrigin.set(k, prevAt);
      } else if (k === 'binds') {
        mergeBinds(lists, listOrigin, v as string[], path);
      } else if (MAP_KEYS.has(k)) {
        for (const sk of Object.keys(v as Record<string, unknown>)) origin.set(`${k}\u0000${sk}`, [...here, sk]);
      } else if (k !== 'stages' && k !== 'bgp') {
        listOrigin.set(k, Array.isArray(v) ? v.map((_, i) => [...here, i]) : []);
      }
    }
  }
  return { origin, listOrigin };
}

function mergeStages(into: Record<Stage, ResolvedStage>, layer: Partial<Record<Stage, RawStage | null>>, here: PathSeg[]): void {
  for (const st of STAGES) {
    const s = layer[st];
    if (!s) continue;
    const to = into[st];
    (s['wait-for'] ?? []).forEach((w, i) => {
      if (!to.waitFor.some((x) => x.node === w.node && x.stage === w.stage)) to.waitFor.push({ ...w, path: [...here, st, 'wait-for', i] });
    });
    const ex = s.exec;
    if (Array.isArray(ex)) {
      ex.forEach((e, i) => to.exec.push({ ...e, path: [...here, st, 'exec', i] }));
    } else if (ex) {
      for (const phase of ['on-enter', 'on-exit'] as const) {
        (ex[phase] ?? []).forEach((command, i) => to.exec.push({ command, phase, path: [...here, st, 'exec', phase, i] }));
      }
    }
  }
}

function mergeBinds(out: Record<string, unknown>, listOrigin: Map<string, PathSeg[][]> | undefined, binds: string[], layerPath: PathSeg[]): void {
  const prev = (out.binds as string[] | undefined) ?? [];
  const prevAt = listOrigin?.get('binds') ?? [];
  binds.forEach((b, i) => {
    const target = b.split(':')[1];
    const idx = prev.findIndex((p) => p.split(':')[1] === target);
    if (idx >= 0) {
      prev[idx] = b;
      if (listOrigin) prevAt[idx] = [...layerPath, 'binds', i];
    } else {
      prev.push(b);
      if (listOrigin) prevAt.push([...layerPath, 'binds', i]);
    }
  });
  out.binds = prev;
  listOrigin?.set('binds', prevAt);
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
