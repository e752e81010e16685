/** Positioned problems of the routing intent, collected before one TopologyError is thrown. */
import { TopologyError, type TopologyIssue } from '../errors.js';
import type { PathSeg, SourcePos } from '../topology/index.js';
import { formatPath } from '../topology/index.js';

/** Position of a data path in the topology file, when it has one. */
export type Locate = (path: PathSeg[]) => SourcePos | undefined;

export class IntentIssues {
  readonly list: TopologyIssue[] = [];
  constructor(private readonly locate: Locate, private readonly file: string) {}

  /** Position of a data path, or `fallback` (e.g. the node) when the file does not have it. */
  pos(path: PathSeg[], fallback?: SourcePos): SourcePos {
    for (let n = path.length; n > 0; n--) {
      const p = this.locate(path.slice(0, n));
      if (p) return p;
    }
    return fallback ?? { file: this.file, line: 1, col: 1 };
  }

  add(path: PathSeg[], message: string, fallback?: SourcePos): void {
    const p = this.pos(path, fallback);
    this.list.push({ file: p.file, line: p.line, col: p.col, path: formatPath(path), message });
  }

  throwIfAny(): void {
    if (this.list.length) throw new TopologyError('TOPO_SCHEMA', this.list);
  }
}
