import type { StoreEvent } from './types.js';

/**
 * Bounded window of recent store events, for watches that resume from a resourceVersion.
 * `oldestResumable` is the smallest resourceVersion a watch may start after: events with
 * rv > oldestResumable are all still in the window.
 */
export class EventHistory {
  private readonly buf: StoreEvent[] = [];
  private start = 0;
  private floor: number;

  constructor(private readonly capacity: number, initialRv: number) {
    this.floor = initialRv;
  }

  push(ev: StoreEvent): void {
    if (this.buf.length - this.start >= this.capacity) {
      const dropped = this.buf[this.start]!;
      this.floor = dropped.rv;
      this.start++;
      if (this.start > 4096) {
        this.buf.splice(0, this.start);
        this.start = 0;
      }
    }
    this.buf.push(ev);
  }

  /** The lowest resourceVersion from which a watch can resume without missing events. */
  get oldestResumable(): number {
    return this.floor;
  }

  /** Events with rv > after, or `undefined` when the window no longer reaches back that far. */
  since(after: number): StoreEvent[] | undefined {
    if (after < this.floor) return undefined;
    const out: StoreEvent[] = [];
    for (let i = this.start; i < this.buf.length; i++) {
      const ev = this.buf[i]!;
      if (ev.rv > after) out.push(ev);
    }
    return out;
  }
}
