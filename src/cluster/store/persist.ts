import fs from 'node:fs';
import path from 'node:path';
import type { K8sObject } from './types.js';

/** One durable change: `put` stores the object under gr/key, `del` removes it. */
export interface LogEntry {
  rv: number;
  op: 'put' | 'del';
  gr: string;
  key: string;
  obj?: K8sObject;
}

export interface Snapshot {
  rv: number;
  objects: Record<string, Record<string, K8sObject>>;
}

const SNAPSHOT = 'snapshot.json';
const LOG = 'changes.log';

/**
 * Durable state in a directory: `snapshot.json` (whole state at some rv) plus `changes.log`
 * (one JSON line per change after it). Every append is written (write(2)) before the change is
 * visible, so a crash of the process loses nothing; `sync` fsyncs what was appended since the last
 * one (the store calls it once per event-loop turn: group commit, as etcd batches its fsyncs), so a
 * crash of the machine can lose the changes of the last turn. `compact` rewrites the snapshot atomically (tmp + fsync + rename) and
 * truncates the log. A torn last line (crash mid-write) is ignored on load.
 */
export class DirPersistence {
  private fd: number | undefined;
  private entries = 0;
  private logBytes = 0;
  private snapshotBytes = 0;
  private unsynced = false;

  /**
   * Compacts after `compactEvery` entries or once the log outweighs the snapshot (at least
   * `compactBytes`): counting entries alone let a few large objects grow the log without bound.
   */
  constructor(readonly dir: string, private readonly compactEvery = 2000, private readonly compactBytes = 4 * 1024 * 1024) {}

  load(): Snapshot {
    fs.mkdirSync(this.dir, { recursive: true });
    let snap: Snapshot = { rv: 0, objects: {} };
    const snapPath = path.join(this.dir, SNAPSHOT);
    if (fs.existsSync(snapPath)) {
      const text = fs.readFileSync(snapPath, 'utf8');
      this.snapshotBytes = Buffer.byteLength(text);
      snap = JSON.parse(text) as Snapshot;
    }
    const logPath = path.join(this.dir, LOG);
    if (fs.existsSync(logPath)) {
      const text = fs.readFileSync(logPath, 'utf8');
      let valid = 0;
      for (let at = 0; at < text.length; ) {
        const nl = text.indexOf('\n', at);
        if (nl < 0) break; // no newline: torn tail from a crash mid-write
        const line = text.slice(at, nl);
        let e: LogEntry | undefined;
        try {
          e = line.trim() ? (JSON.parse(line) as LogEntry) : undefined;
        } catch {
          break;
        }
        if (e && e.rv > snap.rv) {
          applyEntry(snap, e);
          this.entries++;
        }
        at = valid = nl + 1;
      }
      // Drop the torn tail so later appends are not hidden behind it.
      this.logBytes = Buffer.byteLength(text.slice(0, valid));
      if (valid < text.length) fs.truncateSync(logPath, this.logBytes);
    }
    return snap;
  }

  append(e: LogEntry): void {
    this.appendLine(JSON.stringify(e));
  }

  /** Appends one already serialized entry (the store serializes once to check its size). */
  appendLine(line: string): void {
    if (this.fd === undefined) this.fd = fs.openSync(path.join(this.dir, LOG), 'a');
    const text = line + '\n';
    fs.writeSync(this.fd, text);
    this.unsynced = true;
    this.entries++;
    this.logBytes += Buffer.byteLength(text);
  }

  /** fsyncs the log when anything was appended since the last sync. */
  sync(): void {
    if (this.unsynced && this.fd !== undefined) fs.fsyncSync(this.fd);
    this.unsynced = false;
  }

  /** True when the log has grown enough that the caller should `compact`. */
  wantsCompaction(): boolean {
    return this.entries >= this.compactEvery || this.logBytes >= Math.max(this.compactBytes, this.snapshotBytes);
  }

  compact(snap: Snapshot): void {
    const tmp = path.join(this.dir, `${SNAPSHOT}.tmp`);
    const fd = fs.openSync(tmp, 'w');
    const text = JSON.stringify(snap);
    this.snapshotBytes = Buffer.byteLength(text);
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, path.join(this.dir, SNAPSHOT));
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = fs.openSync(path.join(this.dir, LOG), 'w');
    fs.fsyncSync(this.fd);
    this.unsynced = false;
    this.entries = 0;
    this.logBytes = 0;
  }

  /** Bytes in the change log now (tests and the size check). */
  get logSize(): number {
    return this.logBytes;
  }

  close(): void {
    this.sync();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export function applyEntry(snap: Snapshot, e: LogEntry): void {
  const bucket = (snap.objects[e.gr] ??= {});
  if (e.op === 'put' && e.obj) bucket[e.key] = e.obj;
  else delete bucket[e.key];
  snap.rv = Math.max(snap.rv, e.rv);
}
