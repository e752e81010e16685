/**
 * A cross-process lock on a file holding our pid. It appears with the pid already in it (written to a file of our
 * own, then hard-linked to the lock's name, which fails if the lock exists): a lock made by open(O_EXCL) and then
 * written was empty for a moment, and a second `lab deploy` started at the same time read it as stale, removed it
 * and deployed the same lab beside the first (lab-robust.test.ts's defect 4, once in CI: both wrote
 * deploy-state.json.tmp). A lock whose pid is gone is stale and taken over, so a killed build never blocks the next one.
 */
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FileLockOptions {
  /** Called once, with the holder's pid, when the lock is held by another live process and we wait. */
  onWait?: (holderPid: number) => void;
  /** Stops waiting (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Tells apart the link sources of one process's concurrent attempts. */
let seq = 0;

export async function withFileLock<T>(path: string, fn: () => Promise<T>, pollMs = 250, opts: FileLockOptions = {}): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  // our pid, written once: each attempt only links it to the lock's name
  const mine = `${path}.${process.pid}.${++seq}`;
  await writeFile(mine, String(process.pid));
  let told = false;
  try {
    for (;;) {
      opts.signal?.throwIfAborted();
      try {
        await link(mine, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const held = await readFile(path, 'utf8').catch(() => undefined);
        // released meanwhile: try again (removing the path now would remove the next holder's lock)
        if (held === undefined) continue;
        const pid = Number(held.trim());
        if (!pid || !alive(pid)) {
          // stale; still the same file and content just before it goes (another waiter may have taken it over)
          if ((await readFile(path, 'utf8').catch(() => undefined)) === held) await unlink(path).catch(() => {});
          continue;
        }
        if (!told) opts.onWait?.(pid);
        told = true;
        await sleep(pollMs, undefined, { signal: opts.signal });
      }
    }
  } finally {
    await unlink(mine).catch(() => {});
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => {});
  }
}
