/**
 * What the host remembers about each lab apart from Docker: a per-lab lock (deploy and destroy
 * of one lab never run at once) and a record of the lab's topology file and directory, so
 * `lab destroy --name X --cleanup` finds the directory when no container is left, and a deploy
 * from another file with the same lab name is noticed. Both live under `$KINDLAB_HOME`
 * (default `~/.kindlab`): `locks/<lab>.lock`, `labs/<lab>.json`.
 */
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { writeJsonAtomic } from '../lib/index.js';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from './file-lock.js';

export interface LabRecord {
  lab: string;
  /** Absolute path of the topology file that owns the lab. */
  file: string;
  labDir: string;
}

export function kindlabHome(): string {
  return process.env['KINDLAB_HOME'] || join(homedir(), '.kindlab');
}

/** A lab name as a file name (names are DNS-like already; anything else is escaped). */
function fileName(lab: string): string {
  return encodeURIComponent(lab).replace(/^\./, '%2E');
}

export function labLockPath(lab: string): string {
  return join(kindlabHome(), 'locks', `${fileName(lab)}.lock`);
}

export interface LabLockOptions {
  /** Told (once) that another process holds the lab and we wait for it. */
  onWait?: (message: string) => void;
  signal?: AbortSignal;
}

/** Runs fn holding the lab's lock; a second deploy/destroy of the same lab waits for the first. */
export async function withLabLock<T>(lab: string, fn: () => Promise<T>, opts: LabLockOptions = {}): Promise<T> {
  return withFileLock(labLockPath(lab), fn, 250, {
    signal: opts.signal,
    onWait: (pid) => opts.onWait?.(`lab ${lab} is being deployed or destroyed by another command (pid ${pid}); waiting for it to finish`),
  });
}

function recordPath(lab: string): string {
  return join(kindlabHome(), 'labs', `${fileName(lab)}.json`);
}

export async function recordLab(rec: LabRecord): Promise<void> {
  const p = recordPath(rec.lab);
  await mkdir(join(kindlabHome(), 'labs'), { recursive: true });
  await writeJsonAtomic(p, rec);
}

export async function readLabRecord(lab: string): Promise<LabRecord | undefined> {
  try {
    const r = JSON.parse(await readFile(recordPath(lab), 'utf8')) as Partial<LabRecord>;
    return typeof r.file === 'string' && typeof r.labDir === 'string' ? { lab, file: r.file, labDir: r.labDir } : undefined;
  } catch {
    return undefined;
  }
}

export async function forgetLab(lab: string): Promise<void> {
  await unlink(recordPath(lab)).catch(() => undefined);
}

/** Every lab this machine has a record of (`lab destroy --all` looks at the engines their hosts.json name). */
export async function listLabRecords(): Promise<LabRecord[]> {
  const files = await readdir(join(kindlabHome(), 'labs')).catch(() => [] as string[]);
  const out: LabRecord[] = [];
  for (const f of files.filter((x) => x.endsWith('.json')).sort()) {
    const r = await readLabRecord(decodeURIComponent(f.slice(0, -'.json'.length)));
    if (r) out.push(r);
  }
  return out;
}
