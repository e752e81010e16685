/** Durations as users write them: `500ms`, `5s`, `1m30s`, `2h`, or a number of seconds. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/gy;

/** Milliseconds, or an error message when `v` is not a duration. */
export function parseDuration(v: string | number): number | string {
  if (typeof v === 'number') return v > 0 && Number.isFinite(v) ? Math.round(v * 1000) : `"${v}" is not a positive number of seconds`;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return parseDuration(Number(s));
  let total = 0;
  let end = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(s); m; m = PART.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = PART.lastIndex;
    while (s[end] === ' ') end++;
    PART.lastIndex = end;
  }
  if (s === '' || end !== s.length || total <= 0) return `"${v}" is not a duration (examples: 500ms, 5s, 1m30s)`;
  return Math.round(total);
}

/** Like parseDuration but throws (for CLI flags, where the caller wraps the message). */
export function durationMs(v: string | number): number {
  const r = parseDuration(v);
  if (typeof r === 'string') throw new Error(r);
  return r;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
