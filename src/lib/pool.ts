/**
 * A bounded worker pool: maps `items` through `fn` with at most `limit` in flight, keeping
 * order. Every item runs even when some fail; all failures are reported together (like
 * errors.Join): one failure is rethrown as is, several as an AggregateError.
 */
import { errorMessage } from '../errors.js';
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => errorMessage(e)).join('\n'));
  return out;
}

/** mapPool for side effects only. */
export async function runPool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  await mapPool(items, limit, fn);
}

/** At most `limit` holders at once; waiters go by rank (lower first), then arrival. */
export class Semaphore {
  private free: number;
  private readonly queue: Array<{ rank: number; go: () => void }> = [];
  constructor(limit: number) {
    this.free = Math.max(1, limit);
  }
  async run<T>(fn: () => Promise<T>, rank = 0): Promise<T> {
    if (this.free > 0) this.free--;
    else {
      await new Promise<void>((go) => {
        const at = this.queue.findIndex((w) => w.rank > rank);
        this.queue.splice(at < 0 ? this.queue.length : at, 0, { rank, go });
      });
    }
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next.go();
      else this.free++;
    }
  }
}
