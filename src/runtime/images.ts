/**
 * Local lab images. No registry is reachable, so the base image is built from Debian packages:
 *   stage 1  kindlab/rootfs:<h1>  debootstrap + `docker import` (scripts/build-rootfs.sh), h1 = hash of
 *            the package list and the build script;
 *   stage 2  kindlab/base:<h2>    Node.js added with a local `docker build` FROM stage 1, h2 = hash of h1,
 *            the Dockerfile and the node binary. Tagged kindlab/base:latest.
 * Both tags are content hashes, so a second build finds them and returns at once.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { execa } from 'execa';
import { KindlabError, errorMessage } from '../errors.js';
import { BASE_IMAGE, BASE_REPO } from './image-aliases.js';
import { withFileLock } from './file-lock.js';

export { BASE_IMAGE, BASE_REPO, DEFAULT_ALIASES, repositoryOf, resolveImage } from './image-aliases.js';

const ROOTFS_REPO = 'kindlab/rootfs';
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const imagesDir = join(projectRoot, 'templates', 'images');
const cacheDir = process.env.KINDLAB_CACHE_DIR ?? '/var/cache/kindlab';

export interface BuildResult {
  image: string;
  rootfs: string;
  /** What happened: `cached` when both stages were already present. */
  status: 'cached' | 'built-runtime' | 'built';
  seconds: number;
}

export interface BuildOptions {
  force?: boolean;
  log?: (line: string) => void;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Content hashes of both stages. */
export async function baseImageHashes(): Promise<{ rootfs: string; runtime: string }> {
  const h1 = createHash('sha256');
  for (const f of [join(imagesDir, 'base.packages'), join(projectRoot, 'scripts', 'build-rootfs.sh')]) {
    h1.update(await readFile(f));
  }
  h1.update(process.env.KINDLAB_DEBIAN_SUITE ?? 'bookworm');
  const rootfs = h1.digest('hex').slice(0, 16);
  const h2 = createHash('sha256');
  h2.update(rootfs);
  h2.update(await readFile(join(imagesDir, 'Dockerfile.runtime')));
  h2.update(await sha256File(process.execPath));
  return { rootfs, runtime: h2.digest('hex').slice(0, 16) };
}

export async function imageExists(docker: Dockerode, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return false;
    throw new KindlabError('RUNTIME_DOCKER', `cannot inspect image ${ref}: ${errorMessage(e)}`, { cause: e });
  }
}

async function buildRootfs(docker: Dockerode, tag: string, log: (l: string) => void): Promise<void> {
  const tarball = join(cacheDir, `rootfs-${tag}.tar`);
  log(`building Debian root filesystem (debootstrap) → ${ROOTFS_REPO}:${tag}`);
  try {
    const sub = execa('bash', [join(projectRoot, 'scripts', 'build-rootfs.sh'), join(imagesDir, 'base.packages'), tarball], {
      stdout: 'pipe',
      stderr: 'pipe',
      all: true,
    });
    sub.all?.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line.trim()) log(line.trim());
    });
    await sub;
  } catch (e) {
    const out = (e as { all?: string }).all ?? '';
    throw new KindlabError('IMAGE_BUILD', 'building the base root filesystem failed (scripts/build-rootfs.sh)', {
      cause: e,
      detail: out.split('\n').slice(-30).join('\n'),
      hint: 'check that this machine reaches a Debian mirror (set KINDLAB_DEBIAN_MIRROR) and has free disk space',
    });
  }
  try {
    log(`importing ${tarball}`);
    const stream = await docker.importImage(tarball, { repo: ROOTFS_REPO, tag });
    await followProgress(docker, stream as NodeJS.ReadableStream);
  } finally {
    await rm(tarball, { force: true });
  }
}

async function buildRuntime(docker: Dockerode, rootfsRef: string, tag: string, log: (l: string) => void): Promise<void> {
  const ctx = await mkdtemp(join(tmpdir(), 'kindlab-img-'));
  try {
    await copyFile(join(imagesDir, 'Dockerfile.runtime'), join(ctx, 'Dockerfile'));
    await copyFile(process.execPath, join(ctx, 'node'));
    log(`adding Node.js ${process.version} → ${BASE_REPO}:${tag}`);
    const stream = await docker.buildImage(
      { context: ctx, src: ['Dockerfile', 'node'] },
      { t: `${BASE_REPO}:${tag}`, buildargs: { ROOTFS: rootfsRef }, pull: undefined, rm: true, forcerm: true },
    );
    await followProgress(docker, stream);
  } finally {
    await rm(ctx, { recursive: true, force: true });
  }
}

function followProgress(docker: Dockerode, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((ok, fail) => {
    docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string; errorDetail?: { message?: string } }>) => {
      const bad = out?.find((o) => o.error || o.errorDetail);
      if (err || bad) {
        fail(new KindlabError('IMAGE_BUILD', `docker image build failed: ${err ? errorMessage(err) : bad?.error ?? bad?.errorDetail?.message}`));
      } else ok();
    });
  });
}

/** Builds the base image unless both stages are cached. Serialized across processes by a lock file. */
export async function buildBaseImage(docker: Dockerode, opts: BuildOptions = {}): Promise<BuildResult> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const { rootfs, runtime } = await baseImageHashes();
  const rootfsRef = `${ROOTFS_REPO}:${rootfs}`;
  const runtimeRef = `${BASE_REPO}:${runtime}`;
  const done = async (status: BuildResult['status']): Promise<BuildResult> => {
    await docker.getImage(runtimeRef).tag({ repo: BASE_REPO, tag: 'latest' });
    return { image: runtimeRef, rootfs: rootfsRef, status, seconds: (performance.now() - t0) / 1000 };
  };
  if (!opts.force && (await imageExists(docker, runtimeRef))) return done('cached');
  return withFileLock(join(cacheDir, 'image-build.lock'), async () => {
    // Another process may have finished the build while we waited for the lock.
    if (!opts.force && (await imageExists(docker, runtimeRef))) return done('cached');
    let status: BuildResult['status'] = 'built-runtime';
    if (opts.force || !(await imageExists(docker, rootfsRef))) {
      await buildRootfs(docker, rootfs, log);
      status = 'built';
    }
    await buildRuntime(docker, rootfsRef, runtime, log);
    return done(status);
  });
}

/**
 * Makes sure every image exists locally. The base image is built when missing; any other missing
 * image is an error, since nothing can be pulled here.
 */
export async function ensureImages(docker: Dockerode, refs: string[], opts: BuildOptions = {}): Promise<void> {
  const missing: string[] = [];
  for (const ref of [...new Set(refs)]) {
    if (await imageExists(docker, ref)) continue;
    if (ref === BASE_IMAGE || ref.startsWith(`${BASE_REPO}:`)) await buildBaseImage(docker, opts);
    else missing.push(ref);
  }
  if (missing.length > 0) {
    throw new KindlabError('IMAGE_MISSING', `image not found locally and no registry is reachable: ${missing.join(', ')}`, {
      hint: 'map it onto a local image with an `images:` alias in the topology (e.g. `images: { "repo/name": kindlab/base:latest }`) or build it with docker build',
    });
  }
}

export async function imageSize(docker: Dockerode, ref: string): Promise<number | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Size;
  } catch {
    return undefined;
  }
}

