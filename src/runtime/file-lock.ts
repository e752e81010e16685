/**
 * A cross-process lock on a file: created with O_EXCL, holding our pid. A lock whose pid is gone is stale
 * and taken over, so a killed build never blocks the next one.
 */
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
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

export async function withFileLock<T>(path: string, fn: () => Promise<T>, pollMs = 250, opts: FileLockOptions = {}): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  let told = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(String(process.pid));
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (!pid || !alive(pid)) {
        await unlink(path).catch(() => {});
        continue;
      }
      if (!told) opts.onWait?.(pid);
      told = true;
      await sleep(pollMs, undefined, { signal: opts.signal });
    }
  }
  try {
    return await fn();
  } finally {
    await unlink(path).catch(() => {});
  }
}
