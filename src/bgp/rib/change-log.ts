import { growTo } from './grow.js';

/**
 * A family's change log (rows whose best path changed, in order) as an Int32Array that grows by 1.5× and is
 * compacted from the front once every follower has read a prefix of it. During a full-table receive it holds up
 * to one entry per prefix: 4 bytes each instead of a JS array's 8-byte slots (and its doubling copies in the
 * V8 heap), which is most of the agent's peak RSS above its RIB columns.
 */
/** More entries than a log holds between two flushes of a full table's worth of rows (virtual space only). */
const MAX_ROWS = 2 ** 26;

export class ChangeLog {
  private a = new Int32Array(256);
  length = 0;

  push(row: number): void {
    if (this.length === this.a.length) this.a = growTo(this.a, this.a.length + (this.a.length >> 1), Int32Array, MAX_ROWS);
    this.a[this.length++] = row;
  }

  at(i: number): number {
    return this.a[i]!;
  }

  /** Forgets the first n entries. Shrinks the buffer when what is left uses under a quarter of it. */
  dropFront(n: number): void {
    if (n <= 0) return;
    this.a.copyWithin(0, n, this.length);
    this.length -= n;
    if (this.length * 4 < this.a.length && this.a.length > 256) this.a = growTo(this.a, Math.max(256, this.length * 2), Int32Array, MAX_ROWS);
  }
}
