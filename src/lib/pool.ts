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
