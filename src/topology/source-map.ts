/**
 * Source positions of a parsed topology file: maps a data path such as
 * `['topology', 'links', 2, 'endpoints', 0]` back to the line and column of the key or value
 * in the YAML text, and prints the path as `topology.links[2].endpoints[0]`.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import type { TopologyIssue } from '../errors.js';
import type { SourcePos } from './types.js';

export type PathSeg = string | number;
export type DataPath = readonly PathSeg[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['topology','nodes','r1','env','A.B']` → `topology.nodes.r1.env["A.B"]`. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(document)' : out;
}

/** Parses an ajv instancePath (`/topology/links/2/endpoints/0`) into segments. */
export function parsePointer(pointer: string): PathSeg[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** The YAML Document a source map reads positions from, with its line index. */
export interface ParsedSource {
  doc: Document;
  lineCounter: LineCounter;
}

export class SourceMap {
  /** Key → pair of each map looked into, built on first use: a scan per lookup made locating every node of a big map quadratic. */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  private parsed: ParsedSource | undefined;
  private readonly build: (() => ParsedSource) | undefined;

  /**
   * `source` is the parsed Document, or a function that parses it when a position is first needed:
   * the fast load path (js-yaml, no positions) parses the text again with yaml only when a message
   * must name a line, and positions kept in the spec are resolved when read (lazyPos).
   */
  constructor(
    readonly file: string,
    source: ParsedSource | (() => ParsedSource),
  ) {
    if (typeof source === 'function') this.build = source;
    else this.parsed = source;
  }

  /** True once the Document exists (always for a map built from one). */
  get resolved(): boolean {
    return this.parsed !== undefined;
  }

  get doc(): Document {
    return this.source().doc;
  }

  private source(): ParsedSource {
    this.parsed ??= this.build!();
    return this.parsed;
  }

  /** 1-based line and column of a character offset. */
  posOfOffset(offset: number): { line: number; col: number } {
    const { line, col } = this.source().lineCounter.linePos(offset);
    return { line, col };
  }

  /**
   * Position of the value at `path`, or of its key when `at` is 'key'. When the path does not
   * exist (a missing key), the deepest existing ancestor is used.
   */
  locate(path: DataPath, at: 'key' | 'value' = 'value'): SourcePos {
    return this.parsed ? this.locateNow(path, at) : lazyPos([...path], this.pendingAt[at]);
  }

  /** locate() of a path the caller built for this call and never changes (kept without a copy). */
  locateOwn(path: DataPath, at: 'key' | 'value' = 'value'): SourcePos {
    return this.parsed ? this.locateNow(path, at) : lazyPos(path, this.pendingAt[at]);
  }

  private readonly pendingAt: Record<'key' | 'value', PendingAt> = { key: { map: this, at: 'key' }, value: { map: this, at: 'value' } };

  /** The position now, parsing the Document if needed. */
  locateNow(path: DataPath, at: 'key' | 'value' = 'value'): SourcePos {
    let node: unknown = this.doc.contents;
    let pair: Pair | undefined;
    let complete = true;
    for (const seg of path) {
      const next = this.child(node, seg);
      if (!next) {
        complete = false;
        break;
      }
      node = next.node;
      pair = next.pair;
    }
    const useKey = (at === 'key' || !complete || !hasRange(node)) && pair && hasRange(pair.key);
    const target = useKey ? pair!.key : node;
    const offset = hasRange(target) ? target.range[0] : 0;
    return { file: this.file, ...this.posOfOffset(offset) };
  }

  issue(path: DataPath, message: string, at: 'key' | 'value' = 'value'): TopologyIssue {
    const p = this.locateNow(path, at);
    return { file: p.file, line: p.line, col: p.col, path: formatPath(path), message };
  }

  private child(node: unknown, seg: PathSeg): { node: unknown; pair?: Pair } | undefined {
    const n = isAlias(node) ? node.resolve(this.doc) : node;
    if (isMap(n)) {
      const pair = this.pairsOf(n).get(String(seg));
      return pair ? { node: pair.value, pair } : undefined;
    }
    if (isSeq(n) && typeof seg === 'number') {
      const item = n.items[seg];
      return item === undefined ? undefined : { node: item };
    }
    return undefined;
  }

  private pairsOf(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const it of map.items) {
        const k = isPair(it) ? keyString(it.key) : undefined;
        // The first pair with a key wins, as a scan would find it.
        if (k !== undefined && !index.has(k)) index.set(k, it);
      }
      this.keyIndex.set(map, index);
    }
    return index;
  }
}

/**
 * A position resolved when first read: a spec loaded on the fast path keeps positions for later
 * messages (deploy, apply, routing) without parsing the file for them. `line` and `col` are own
 * enumerable properties, so JSON, spreads and deep equality see the resolved numbers; the getters
 * are shared (no closure per position) and what to resolve sits in a private field, invisible to
 * keys, JSON and deep equality.
 */
/** What a lazy position resolves against: one of each per source map, shared by its positions. */
interface PendingAt {
  map: SourceMap;
  at: 'key' | 'value';
}

/** Returns the object it is given, so `new Pend(p, …)` adds private fields to a plain object. */
class Stampable {
  constructor(o: object) {
    return o;
  }
}

/**
 * A plain `{ file }` object given two private fields (the path, and the shared map and side) and
 * the two accessors: two defineProperty calls with shared descriptors cost half of one
 * defineProperties and a symbol property, which mattered with hundreds of thousands of positions.
 */
class Pend extends Stampable {
  #path: DataPath | undefined;
  #where: PendingAt | SourcePos;
  constructor(o: object, path: DataPath, where: PendingAt) {
    super(o);
    this.#path = path;
    this.#where = where;
  }

  static settle(p: object): SourcePos {
    const self = p as Pend;
    if (self.#path === undefined) return self.#where as SourcePos;
    const { map, at } = self.#where as PendingAt;
    const done = map.locateNow(self.#path, at);
    self.#path = undefined;
    self.#where = done;
    return done;
  }
}

const LINE: PropertyDescriptor = { get(this: object): number { return Pend.settle(this).line; }, enumerable: true, configurable: true };
const COL: PropertyDescriptor = { get(this: object): number { return Pend.settle(this).col; }, enumerable: true, configurable: true };

function lazyPos(path: DataPath, where: PendingAt): SourcePos {
  const p = { file: where.map.file };
  new Pend(p, path, where);
  Object.defineProperty(p, 'line', LINE);
  return Object.defineProperty(p, 'col', COL) as SourcePos;
}

/**
 * `pos` and `endpointPos` of the veth link at `topology.links[i]`, worked out when first read: a
 * big topology has hundreds of thousands of links and their three positions (objects and paths)
 * were a third of what a load kept. Both are own enumerable accessors, so JSON, spreads,
 * structuredClone and deep equality see the positions; a read returns the same objects each time
 * and an assignment replaces them.
 */
class LinkPositions extends Stampable {
  #map: SourceMap;
  #i: number;
  #pos: SourcePos | undefined;
  #ends: [SourcePos, SourcePos] | undefined;
  constructor(o: object, map: SourceMap, i: number) {
    super(o);
    this.#map = map;
    this.#i = i;
  }

  static pos(o: object): SourcePos {
    const self = o as LinkPositions;
    return (self.#pos ??= self.#map.locateOwn(['topology', 'links', self.#i]));
  }

  static setPos(o: object, v: SourcePos): void {
    (o as LinkPositions).#pos = v;
  }

  static ends(o: object): [SourcePos, SourcePos] {
    const self = o as LinkPositions;
    const at = (j: number): SourcePos => self.#map.locateOwn(['topology', 'links', self.#i, 'endpoints', j]);
    return (self.#ends ??= [at(0), at(1)]);
  }

  static setEnds(o: object, v: [SourcePos, SourcePos]): void {
    (o as LinkPositions).#ends = v;
  }
}

const LINK_POS: PropertyDescriptor = {
  get(this: object): SourcePos { return LinkPositions.pos(this); },
  set(this: object, v: SourcePos) { LinkPositions.setPos(this, v); },
  enumerable: true,
  configurable: true,
};
const LINK_ENDS: PropertyDescriptor = {
  get(this: object): [SourcePos, SourcePos] { return LinkPositions.ends(this); },
  set(this: object, v: [SourcePos, SourcePos]) { LinkPositions.setEnds(this, v); },
  enumerable: true,
  configurable: true,
};

/** Prepares `link` (the veth link at topology.links[i]) for linkPosField: call once, before defining either field. */
export function stampLinkPositions(link: object, map: SourceMap, i: number): void {
  new LinkPositions(link, map, i);
}

/** Defines `pos` or `endpointPos` on a link prepared by stampLinkPositions, in key order with its other fields. */
export function linkPosField(link: object, key: 'pos' | 'endpointPos'): void {
  Object.defineProperty(link, key, key === 'pos' ? LINK_POS : LINK_ENDS);
}

function keyString(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function hasRange(n: unknown): n is YamlNode & { range: [number, number, number] } {
  return typeof n === 'object' && n !== null && Array.isArray((n as { range?: unknown }).range);
}

/** Collects issues; positions are resolved through the source map. */
export class IssueList {
  readonly issues: TopologyIssue[] = [];
  constructor(readonly map: SourceMap) {}

  /** Issues that are dangling references (undefined node, group...): TOPO_REF when they are all there is. */
  private refs = 0;

  add(path: DataPath, message: string, at: 'key' | 'value' = 'value', kind: 'ref' | 'invalid' = 'invalid'): void {
    const i = this.map.issue(path, message, at);
    if (this.issues.some((x) => x.path === i.path && x.message === i.message)) return;
    this.issues.push(i);
    if (kind === 'ref') this.refs++;
  }

  addRef(path: DataPath, message: string, at: 'key' | 'value' = 'value'): void {
    this.add(path, message, at, 'ref');
  }

  /** The error code for what was collected. */
  get code(): 'TOPO_REF' | 'TOPO_SCHEMA' {
    return this.refs === this.issues.length ? 'TOPO_REF' : 'TOPO_SCHEMA';
  }

  get size(): number {
    return this.issues.length;
  }
}

/** Issues in file order (line, then column). */
export function sortIssues(issues: TopologyIssue[]): TopologyIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.col - b.col);
}

const SOURCES = new WeakMap<object, SourceMap>();

/** Remembers the source map a TopologySpec or LabPlan was built from (not serialized with it). */
export function attachSource<T extends object>(obj: T, map: SourceMap): T {
  SOURCES.set(obj, map);
  return obj;
}

export function sourceOf(obj: object): SourceMap | undefined {
  return SOURCES.get(obj);
}
