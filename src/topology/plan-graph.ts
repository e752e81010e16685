/**
 * The node dependency graph: edges from network-mode container:<node> and wait-for,
 * a cycle check that names the cycle with positions, and creation waves (topological layers).
 */
import { TopologyError, type TopologyIssue } from '../errors.js';
import { formatPath } from './source-map.js';
import { STAGES, stageOf, type NodeSpec, type SourcePos, type Stage } from './types.js';

export interface DepEdge {
  from: string;
  to: string;
  via: 'network-mode' | 'wait-for';
  pos: SourcePos;
}

export function dependencyEdges(nodes: NodeSpec[]): DepEdge[] {
  const edges: DepEdge[] = [];
  for (const n of nodes) {
    const m = n.networkMode;
    const mode = m.type === 'container' && m.node !== undefined ? m.node : undefined;
    if (mode !== undefined) {
      edges.push({ from: n.name, to: mode, via: 'network-mode', pos: n.keyPos?.['network-mode'] ?? n.pos });
    }
    if (n.waitFor.length === 0) continue;
    // The targets this node already has an edge to (node names are unique: a search of every edge so far made many waits quadratic).
    const to = new Set<string>(mode !== undefined ? [mode] : []);
    n.waitFor.forEach((w, i) => {
      if (!to.has(w)) {
        to.add(w);
        edges.push({ from: n.name, to: w, via: 'wait-for', pos: n.keyPos?.[`wait-for[${i}]`] ?? n.pos });
      }
    });
  }
  return edges;
}

/** Throws TOPO_CYCLE naming every cycle found, each edge at its position. */
export function checkCycles(nodes: NodeSpec[], edges: DepEdge[]): void {
  if (edges.length === 0) return; // no dependency, no cycle (and no walk over every node)
  const out = new Map<string, DepEdge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: DepEdge[] = [];
  const issues: TopologyIssue[] = [];
  const reported = new Set<string>();

  const visit = (name: string): void => {
    state.set(name, 'visiting');
    for (const e of out.get(name) ?? []) {
      const s = state.get(e.to);
      if (s === 'visiting') {
        const start = stack.findIndex((x) => x.from === e.to);
        const cycle = [...stack.slice(start < 0 ? stack.length : start), e];
        const key = [...cycle.map((c) => c.from)].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          issues.push(...cycleIssues(cycle));
        }
      } else if (s === undefined) {
        stack.push(e);
        visit(e.to);
        stack.pop();
      }
    }
    state.set(name, 'done');
  };
  for (const n of nodes) if (!state.has(n.name)) visit(n.name);
  if (issues.length > 0) throw new TopologyError('TOPO_CYCLE', issues, { hint: 'remove one of the wait-for or network-mode references in the cycle' });
}

function cycleIssues(cycle: DepEdge[]): TopologyIssue[] {
  const text = [...cycle.map((c) => c.from), cycle[0]!.from].join(' → ');
  return cycle.map((e) => ({
    file: e.pos.file,
    line: e.pos.line,
    col: e.pos.col,
    path: formatPath(['topology', 'nodes', e.from, e.via]),
    message: `dependency cycle ${text}: "${e.from}" ${e.via === 'wait-for' ? 'waits for' : 'shares the network namespace of'} "${e.to}"`,
  }));
}

/** Topological layers: every node's dependencies are in earlier waves; order within a wave follows the file. */
export function creationWaves(nodes: NodeSpec[], edges: DepEdge[]): string[][] {
  // No dependency: one wave of every node, in file order (what the loop below gives, without a Set per node).
  if (edges.length === 0) return nodes.length === 0 ? [] : [nodes.map((n) => n.name)];
  const deps = new Map<string, Set<string>>(nodes.map((n) => [n.name, new Set<string>()]));
  for (const e of edges) deps.get(e.from)?.add(e.to);
  const placed = new Set<string>();
  const waves: string[][] = [];
  while (placed.size < nodes.length) {
    const wave = nodes.filter((n) => !placed.has(n.name) && [...deps.get(n.name)!].every((d) => placed.has(d))).map((n) => n.name);
    if (wave.length === 0) throw new Error('creationWaves: cycle (checkCycles must run first)');
    wave.forEach((w) => placed.add(w));
    waves.push(wave);
  }
  return waves;
}

/** True when some node declares stage wait-for entries or stage exec commands: the deploy then runs containerlab's per-node stages. */
export function usesStages(nodes: NodeSpec[]): boolean {
  return nodes.some((n) => STAGES.some((s) => stageOf(n, s).waitFor.length + stageOf(n, s).onEnter.length + stageOf(n, s).onExit.length > 0));
}

/** A node reaches a stage (`enter`) or finishes it (`done`). */
type StageVertex = `${'enter' | 'done'}\u0000${string}\u0000${Stage}`;
const vtx = (what: 'enter' | 'done', node: string, stage: Stage): StageVertex => `${what}\u0000${node}\u0000${stage}`;

interface StageEdge {
  to: StageVertex;
  /** Set for the edges a user wrote (stage wait-for), used in messages. */
  why?: { text: string; pos: SourcePos; path: string };
}

function stageGraph(nodes: NodeSpec[], edges: DepEdge[]): Map<StageVertex, StageEdge[]> {
  const out = new Map<StageVertex, StageEdge[]>();
  const add = (from: StageVertex, e: StageEdge): void => {
    const list = out.get(from);
    if (list) list.push(e);
    else out.set(from, [e]);
  };
  for (const n of nodes) {
    STAGES.forEach((st, i) => {
      add(vtx('done', n.name, st), { to: vtx('enter', n.name, st) });
      if (i > 0) add(vtx('enter', n.name, st), { to: vtx('done', n.name, STAGES[i - 1]!) });
      stageOf(n, st).waitFor.forEach((w, j) => {
        add(vtx('enter', n.name, st), {
          to: vtx('done', w.node, w.stage),
          why: { text: `${n.name} ${st} waits for ${w.node} ${w.stage}`, pos: w.pos, path: formatPath(['topology', 'nodes', n.name, 'stages', st, 'wait-for', j]) },
        });
      });
    });
  }
  for (const e of edges) add(vtx('enter', e.from, 'create'), { to: vtx('done', e.to, 'create') });
  return out;
}

/**
 * containerlab's stage rules as a graph: a node enters a stage after finishing the previous one and
 * once every stage it waits for is done. Throws TOPO_CYCLE when the waits can never all be met,
 * naming the wait-for entries on the cycle.
 */
export function checkStageCycles(nodes: NodeSpec[], edges: DepEdge[]): void {
  // Without a stage wait-for, a cycle could only run through create-stage dependency edges, which
  // checkCycles has already refused: skip building the graph (a topology of 80,000 nodes has none).
  if (!nodes.some((n) => STAGES.some((st) => stageOf(n, st).waitFor.length > 0))) return;
  const out = stageGraph(nodes, edges);
  const state = new Map<StageVertex, 'visiting' | 'done'>();
  const stack: StageEdge[] = [];
  const issues: TopologyIssue[] = [];
  const visit = (v: StageVertex): void => {
    state.set(v, 'visiting');
    for (const e of out.get(v) ?? []) {
      const s = state.get(e.to);
      if (s === 'visiting' && issues.length === 0) {
        const cycle = [...stack, e].filter((x) => x.why);
        const text = cycle.map((x) => x.why!.text).join(' → ');
        for (const x of cycle) issues.push({ ...x.why!.pos, path: x.why!.path, message: `stage dependency cycle (${text}): these waits can never all be met` });
      } else if (s === undefined) {
        stack.push(e);
        visit(e.to);
        stack.pop();
      }
    }
    state.set(v, 'done');
  };
  for (const v of out.keys()) if (!state.has(v)) visit(v);
  if (issues.length > 0) throw new TopologyError('TOPO_CYCLE', issues, { hint: 'remove one of the stage wait-for entries in the cycle' });
}

/**
 * Which link ends wait for their peer in the create-links stage, as `<link index>:<node>`. A link is
 * made once both ends' nodes have entered create-links; a node's create-links stage normally waits
 * for its links, but not for a peer that can only get there after this node's stage is done (e.g. a
 * peer whose create waits for this node's healthy): that link is made when the peer arrives.
 * Decided link by link so that the waits added never close a cycle (checkStageCycles ran first).
 */
export function linkEndWaits(nodes: NodeSpec[], links: ReadonlyArray<{ endpoints: ReadonlyArray<{ node: string }> }>, edges: DepEdge[]): Set<string> {
  const out = stageGraph(nodes, edges);
  const reaches = (from: StageVertex, to: StageVertex): boolean => {
    const seen = new Set<StageVertex>();
    const todo = [from];
    while (todo.length > 0) {
      const v = todo.pop()!;
      if (v === to) return true;
      if (seen.has(v)) continue;
      seen.add(v);
      for (const e of out.get(v) ?? []) todo.push(e.to);
    }
    return false;
  };
  const waits = new Set<string>();
  links.forEach((l, i) => {
    const ends = [...new Set(l.endpoints.map((ep) => ep.node))];
    for (const a of ends) {
      const peers = ends.filter((b) => b !== a);
      // a waits for b unless b entering create-links depends on a finishing it
      if (peers.every((b) => !reaches(vtx('enter', b, 'create-links'), vtx('done', a, 'create-links')))) {
        waits.add(`${i}:${a}`);
        for (const b of peers) out.set(vtx('done', a, 'create-links'), [...(out.get(vtx('done', a, 'create-links')) ?? []), { to: vtx('enter', b, 'create-links') }]);
      }
    }
  });
  return waits;
}
