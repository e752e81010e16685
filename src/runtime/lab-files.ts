/**
 * The lab directory on the other machines of a lab over several engines (`hosts:`). A node's
 * bind sources are paths of the machine whose engine runs it, so before a node's container is
 * made on an engine, the sources under the lab directory (startup configs, rendered files, the
 * cluster node files, binds the user put there) are copied to the same absolute path on that
 * machine: `tar` here, streamed into the engine's helper container (`kindlab-<lab>-<host>-vtep`,
 * which has the machine's `/` at `/host`) with Docker's archive API. Sources outside the lab
 * directory are not copied (they may be that machine's own, like /lib/modules): one missing
 * there stops the deploy, naming the node and the bind. An engine that sees this deploy's probe
 * file in the lab directory shares this machine's filesystem, and nothing is copied to it.
 * `lab destroy --cleanup` removes the copies with the local lab directory.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { KindlabError } from '../errors.js';
import { helperName, HOST_ROOT, type VtepHelpers } from './cross-links.js';
import type { Engine } from './engines.js';

/** The file whose content tells whether an engine's machine sees this machine's lab directory. */
export const PROBE_FILE = '.kindlab-probe';

/** Marks the lab directory's copy on another machine (destroy --cleanup removes only a marked one). */
export const COPY_MARK = '.kindlab-copy';

export interface BindSources {
  /** Absolute sources under the lab directory: copied to the engine's machine. */
  copy: string[];
  /** Absolute sources elsewhere: must already exist on that machine. */
  outside: string[];
}

/** The source of a Docker bind `src:dst[:opts]`, when it is a path (not a named volume). Pure. */
export function bindSource(bind: string): string | undefined {
  const src = bind.split(':')[0] ?? '';
  return isAbsolute(src) ? resolve(src) : undefined;
}

/** Splits a container's bind sources into those under the lab directory and the rest (deduplicated). Pure. */
export function planBindSources(binds: string[], labDir: string): BindSources {
  const dir = resolve(labDir);
  const copy = new Set<string>();
  const outside = new Set<string>();
  for (const b of binds) {
    const src = bindSource(b);
    if (!src) continue;
    const rel = relative(dir, src);
    if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) copy.add(src);
    else outside.add(src);
  }
  return { copy: [...copy], outside: [...outside] };
}

/** The `tar` argv that packs `src` with its path from `/` (Docker creates the missing parents on extraction). Pure. */
export function tarArgv(src: string): string[] {
  return ['tar', '-C', '/', '-cf', '-', relative('/', src)];
}

/** Shell script (in the helper) printing each of its arguments that does not exist under HOST_ROOT. */
const MISSING_SCRIPT = `for p; do [ -e "${HOST_ROOT}$p" ] || echo "$p"; done`;

export class LabFiles {
  private token?: Promise<string>;
  private readonly shared = new Map<string, Promise<boolean>>();
  private readonly copied = new Map<string, Promise<void>>();
  /** Sources copied, per engine (for tests and messages). */
  readonly done: Array<{ engine: string; source: string }> = [];

  constructor(
    private readonly labDir: string,
    private readonly helpers: VtepHelpers,
  ) {}

  /** Makes the container's bind sources present on the engine's machine (see the module comment). */
  async provide(e: Engine, node: string, binds: string[]): Promise<void> {
    const { copy, outside } = planBindSources(binds, this.labDir);
    if (copy.length === 0 && outside.length === 0) return;
    if (await this.sharesFs(e)) return;
    if (outside.length > 0) {
      const r = await this.helpers.exec(e, ['sh', '-c', MISSING_SCRIPT, 'sh', ...outside]);
      const missing = r.stdout.split('\n').filter(Boolean);
      if (r.exitCode !== 0 || missing.length > 0) {
        const bind = binds.find((b) => bindSource(b) === missing[0]) ?? missing[0] ?? '';
        throw new KindlabError('DEPLOY', `node ${node}: bind ${bind}: ${missing[0] ?? 'a source'} does not exist on host ${e.name}`, {
          hint: `files outside the lab directory (${this.labDir}) are not copied to other machines: put it under the lab directory, create it on host ${e.name}, or place ${node} on this machine's engine`,
          detail: r.stderr.trim() || undefined,
        });
      }
    }
    for (const src of copy) await this.copy(e, src);
    // the mark of a copy (never written here), for destroy --cleanup
    if (copy.length > 0) await this.helpers.run(e, ['touch', `${HOST_ROOT}${join(resolve(this.labDir), COPY_MARK)}`]);
  }

  private async copy(e: Engine, src: string): Promise<void> {
    const key = `${e.name}\0${src}`;
    let p = this.copied.get(key);
    if (!p) {
      p = (async () => {
        if (!e.runtime.putArchive) throw new KindlabError('INTERNAL', `host ${e.name}: its runtime cannot copy files`);
        await this.helpers.exec(e, ['true']); // the helper is running
        const [file, ...args] = tarArgv(src);
        const tar = execa(file!, args, { buffer: false, stdout: 'pipe', stderr: 'pipe' });
        let err = '';
        tar.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-1000)));
        try {
          await e.runtime.putArchive!(helperName(this.helpers.lab, e.name), HOST_ROOT, tar.stdout!);
        } catch (x) {
          tar.kill();
          throw x;
        }
        const r = await tar.catch((x: unknown) => x as { exitCode?: number });
        if (r.exitCode !== 0) throw new KindlabError('DEPLOY', `copying ${src} to host ${e.name} failed: tar exited ${r.exitCode}`, { detail: err.trim() });
        this.done.push({ engine: e.name, source: src });
      })();
      this.copied.set(key, p);
    }
    return p;
  }

  /** Whether the engine's machine sees this deploy's probe file (written once) in the lab directory. */
  private sharesFs(e: Engine): Promise<boolean> {
    let p = this.shared.get(e.name);
    if (!p) {
      p = (async () => {
        this.token ??= (async () => {
          const t = randomBytes(12).toString('hex');
          await writeFile(join(this.labDir, PROBE_FILE), t);
          return t;
        })();
        const t = await this.token;
        const r = await this.helpers.exec(e, ['cat', `${HOST_ROOT}${join(resolve(this.labDir), PROBE_FILE)}`]);
        return r.exitCode === 0 && r.stdout.trim() === t;
      })();
      this.shared.set(e.name, p);
    }
    return p;
  }
}

/** Removes the lab directory's copy on each engine's machine where it is a marked copy (destroy --cleanup). */
export async function removeLabDirCopies(engines: Engine[], labDir: string, helpers: VtepHelpers): Promise<string[]> {
  // a directory marked here is no copy of ours: an engine seeing the mark shares this filesystem
  if (await readFile(join(labDir, COPY_MARK)).then(() => true, () => false)) return [];
  const there = `${HOST_ROOT}${resolve(labDir)}`;
  const removed: string[] = [];
  for (const e of engines) {
    if ((await helpers.exec(e, ['test', '-e', join(there, COPY_MARK)])).exitCode !== 0) continue;
    // the contents first: the directory itself may be a mount point there
    await helpers.exec(e, ['sh', '-c', 'rm -rf -- "$1"/* "$1"/.[!.]* 2>/dev/null; rmdir -- "$1" 2>/dev/null; true', 'sh', there]);
    removed.push(`${e.name}:${resolve(labDir)}`);
  }
  return removed;
}
