/**
 * A planned restart of `lab-agent k8s` (SIGTERM) leaves a small marker file; the next start reads and removes
 * it. While it is younger than the restart time we promised the peers, the new run is an RFC 4724 restarting
 * speaker: it sets the R and F bits (forwarding preserved), keeps the kernel routes of the previous run until
 * the peers' End-of-RIB, and the peers keep our routes until ours. A stale or missing marker means a cold start.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RestartMarker {
  /** ms since the epoch when the previous run stopped. */
  stoppedAt: number;
  /** The longest graceful-restart time (s) we announced to a peer. */
  restartTime: number;
}

/** Pure: is the marker still valid at `now`? */
export function markerValid(m: RestartMarker | undefined, now: number): boolean {
  return !!m && Number.isFinite(m.stoppedAt) && m.restartTime > 0 && now >= m.stoppedAt && now - m.stoppedAt < m.restartTime * 1000;
}

export function writeRestartMarker(path: string, m: RestartMarker): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(m));
}

/** Reads and removes the marker; `undefined` when there is none or it cannot be read. */
export function takeRestartMarker(path: string): RestartMarker | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  rmSync(path, { force: true });
  try {
    const v = JSON.parse(text) as Partial<RestartMarker>;
    return typeof v.stoppedAt === 'number' && typeof v.restartTime === 'number' ? { stoppedAt: v.stoppedAt, restartTime: v.restartTime } : undefined;
  } catch {
    return undefined;
  }
}
