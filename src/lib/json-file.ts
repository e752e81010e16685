/** State files of a lab (deploy progress, node records, faults, the lab registry), written and read one way. */
import { readFile, rename, writeFile } from 'node:fs/promises';

/** Writes `value` as JSON beside the file, then renames it over: a reader never sees half a file. */
export async function writeJsonAtomic(path: string, value: unknown, opts: { compact?: boolean } = {}): Promise<void> {
  await writeFile(`${path}.tmp`, (opts.compact ? JSON.stringify(value) : JSON.stringify(value, null, 2)) + '\n');
  await rename(`${path}.tmp`, path);
}

/** The parsed file, or undefined when it is missing or not JSON (a state file from an interrupted run). */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
