/** Durations as users write them: `500ms`, `5s`, `1m30s`, `2h`, or a number of seconds. */
import { parseDurationMs } from '../lib/index.js';
import { KindlabError } from '../errors.js';

/** Milliseconds, or an error message when `v` is not a duration. Spaces around units are allowed (`1m 30s`). */
export function parseDuration(v: string | number): number | string {
  if (typeof v === 'number') return v > 0 && Number.isFinite(v) ? Math.round(v * 1000) : `"${v}" is not a positive number of seconds`;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return parseDuration(Number(v.trim()));
  const ms = parseDurationMs(v.trim().replace(/\s*(ms|h|m|s)\s*/g, '$1'));
  if (ms === undefined || ms <= 0) return `"${v}" is not a duration (examples: 500ms, 5s, 1m30s)`;
  return Math.round(ms);
}

/** Like parseDuration but throws (for CLI flags, where the caller wraps the message). */
export function durationMs(v: string | number): number {
  const r = parseDuration(v);
  if (typeof r === 'string') throw new KindlabError('USAGE', r);
  return r;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
