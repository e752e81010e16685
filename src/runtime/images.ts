/**
 * Local lab images. The base image is built from Debian packages (no registry needed):
 *   stage 1  kindlab/rootfs:<h1>  debootstrap + `docker import` (scripts/build-rootfs.sh), h1 = hash of
 *            the package list and the build script;
 *   stage 2  kindlab/base:<h2>    Node.js added with a local `docker build` FROM stage 1, h2 = hash of h1,
 *            the Dockerfile and the node binary. Tagged kindlab/base:latest.
 * Both tags are content hashes, so a second build finds them and returns at once.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { access, copyFile, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import { execa } from 'execa';
import { KindlabError, errorMessage, withPrefix } from '../errors.js';
import { BASE_IMAGE, BASE_REPO } from './image-aliases.js';
import { withFileLock } from './file-lock.js';
import { type ImageResolution, type ImageSettings, type ImageSubstitute, type PullPolicy, fallbackImage, firstStep, registryHost, substitutionLine, withDefaultTag } from './image-plan.js';
import { isUnreachable, pullImage } from './image-pull.js';

export { BASE_IMAGE, BASE_REPO, DEFAULT_ALIASES, repositoryOf, resolveImage } from './image-aliases.js';
export { type ImageResolution, type ImageSubstitute, imageSettings, substitutionLine } from './image-plan.js';
export { pullImage } from './image-pull.js';

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
 * Makes sure every image exists locally: our base image is built when missing; any other image is
 * only checked (resolveImages pulls). Missing ones are an error.
 */
export async function ensureImages(docker: Dockerode, refs: string[], opts: BuildOptions = {}): Promise<void> {
  const missing: string[] = [];
  for (const ref of [...new Set(refs)]) {
    if (await imageExists(docker, ref)) continue;
    if (ref === BASE_IMAGE || ref.startsWith(`${BASE_REPO}:`)) await buildBaseImage(docker, opts);
    else missing.push(ref);
  }
  if (missing.length > 0) {
    throw new KindlabError('IMAGE_MISSING', `image not found locally: ${missing.join(', ')}`, {
      hint: 'pull it (lab images pull IMAGE), load it (lab images load FILE.tar), or map it onto a local image with an `images:` alias in the topology',
    });
  }
}

export interface ResolveOptions {
  /** `--offline` / `images: { offline: true }`: never pull, use the article aliases for missing images. */
  settings: ImageSettings;
  progress?: (line: string) => void;
  log?: (line: string) => void;
}

export interface ImageRequest {
  node: string;
  image: string;
  policy?: PullPolicy;
}

/**
 * Settles the image of every node (see image-plan.ts): local, pulled, aliased, or substituted by the
 * fallback. Each distinct (image, policy) is handled once; a registry host that cannot be reached is
 * tried once per call, later images from it fail at once with the same answer.
 */
export async function resolveImages(docker: Dockerode, requests: ImageRequest[], opts: ResolveOptions): Promise<Map<string, ImageResolution>> {
  const progress = opts.progress ?? (() => {});
  const unreachable = new Map<string, string>();
  const done = new Map<string, Promise<ImageResolution>>();
  const settle = async (requested: string, policy: PullPolicy | undefined): Promise<ImageResolution> => {
    const step = firstStep(requested, policy, opts.settings);
    if (step.type === 'base') {
      await ensureImages(docker, [step.image], { log: opts.log });
      return { requested, image: step.image };
    }
    if (step.type === 'alias') {
      await ensureImages(docker, [step.image], { log: opts.log });
      return { requested, image: step.image, substitute: await substitute(docker, requested, step.image, 'images: alias in the topology') };
    }
    const local = await imageExists(docker, requested);
    const fallback = async (reason: string, err?: KindlabError): Promise<ImageResolution> => {
      const alt = fallbackImage(requested);
      if (alt === undefined) {
        if (err) throw err;
        throw new KindlabError('IMAGE_MISSING', `image ${requested} is not present locally and the lab is offline (no pull)`, {
          hint: 'load it (lab images load FILE.tar) or deploy without --offline / images: { offline: true }',
        });
      }
      await ensureImages(docker, [alt], { log: opts.log });
      return { requested, image: alt, substitute: await substitute(docker, requested, alt, reason) };
    };
    if (step.policy === 'Never') {
      if (local) return { requested, image: requested };
      throw new KindlabError('IMAGE_MISSING', `image ${requested} is not present locally and its image-pull-policy is Never`, {
        hint: `pull or load it first (lab images pull ${requested} / lab images load FILE.tar), or set image-pull-policy: IfNotPresent`,
      });
    }
    if (local && (step.policy === 'IfNotPresent' || step.offline)) return { requested, image: requested };
    if (step.offline) return fallback('offline');
    const host = registryHost(withDefaultTag(requested));
    const known = unreachable.get(host);
    try {
      if (known !== undefined) throw new KindlabError('IMAGE_PULL', `pulling image ${withDefaultTag(requested)} failed: ${known}`);
      progress(`pulling ${requested}`);
      await pullImage(docker, requested, progress);
      progress(`pulled ${requested}`);
      return { requested, image: requested, pulled: true };
    } catch (e) {
      const err = e instanceof KindlabError ? e : new KindlabError('IMAGE_PULL', `pulling image ${requested} failed: ${errorMessage(e)}`, { cause: e });
      const answer = err.shortMessage.replace(/^pulling image \S+ failed: /, '');
      if (known === undefined && isUnreachable(answer)) unreachable.set(host, answer);
      if (local) {
        progress(`${requested}: pull failed (${answer}); using the local image`);
        return { requested, image: requested };
      }
      return fallback(`pull failed: ${answer}`, err);
    }
  };
  const out = new Map<string, ImageResolution>();
  const said = new Set<ImageSubstitute>();
  // Hosts are probed one image at a time so an unreachable registry costs one failed pull.
  for (const r of requests) {
    const key = `${r.image}\u0000${r.policy ?? ''}`;
    let p = done.get(key);
    if (!p) {
      p = settle(r.image, r.policy);
      done.set(key, p);
    }
    try {
      out.set(r.node, await p);
    } catch (e) {
      throw withPrefix(r.node, e, 'IMAGE_PULL');
    }
    const res = out.get(r.node)!;
    if (res.substitute && !said.has(res.substitute)) {
      said.add(res.substitute);
      progress(`image ${substitutionLine(res.substitute)} (${res.substitute.reason})`);
    }
  }
  return out;
}

const descriptions = new Map<string, Promise<string>>();

/** `kindlab/base (FRR 8.4.4)`: the repository and, for our base image, the FRR version in it. */
export function describeImage(docker: Dockerode, image: string): Promise<string> {
  let p = descriptions.get(image);
  if (!p) {
    p = describe(docker, image);
    descriptions.set(image, p);
  }
  return p;
}

async function describe(docker: Dockerode, image: string): Promise<string> {
  const name = image.endsWith(':latest') ? image.slice(0, -':latest'.length) : image;
  if (!name.startsWith(`${BASE_REPO}`)) return name;
  const frr = await packageVersion(docker, image, 'frr').catch(() => undefined);
  return frr ? `${name} (FRR ${frr.replace(/-.*$/, '')})` : name;
}

/** Version of a Debian package inside an image (one short-lived container; cached per image id on disk). */
async function packageVersion(docker: Dockerode, image: string, pkg: string): Promise<string | undefined> {
  const id = (await docker.getImage(image).inspect()).Id.replace(/^sha256:/, '').slice(0, 16);
  const cacheFile = join(cacheDir, `pkgver-${id}-${pkg}`);
  const cached = await readFile(cacheFile, 'utf8').catch(() => undefined);
  if (cached !== undefined) return cached.trim() || undefined;
  const c = await docker.createContainer({
    Image: image,
    Entrypoint: ['dpkg-query'],
    Cmd: ['-W', '-f', '${Version}', pkg],
    Tty: true,
    HostConfig: { AutoRemove: false, NetworkMode: 'none' },
    Labels: { 'kindlab.tool': 'describe-image' },
  });
  try {
    await c.start();
    await c.wait();
    const out = (await c.logs({ stdout: true, stderr: false })).toString('utf8').trim();
    const version = /^[0-9][\w.+:~-]*$/.test(out) ? out : '';
    await writeFile(cacheFile, version).catch(() => undefined);
    return version || undefined;
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

async function substitute(docker: Dockerode, requested: string, image: string, reason: string): Promise<ImageSubstitute> {
  return { for: requested, image, description: await describeImage(docker, image), reason };
}

export async function imageSize(docker: Dockerode, ref: string): Promise<number | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Size;
  } catch {
    return undefined;
  }
}


/** Writes `refs` (all present locally) into one tar, as `docker save` does. */
export async function saveImages(docker: Dockerode, refs: string[], file: string): Promise<{ bytes: number }> {
  const missing: string[] = [];
  for (const r of refs) if (!(await imageExists(docker, r))) missing.push(r);
  if (missing.length > 0) throw new KindlabError('IMAGE_MISSING', `cannot save: image not present locally: ${missing.join(', ')}`, { hint: 'pull or build it first' });
  const tmp = `${file}.part-${process.pid}`;
  try {
    const stream = await new Promise<NodeJS.ReadableStream>((ok, ko) => {
      docker.modem.dial(
        { path: '/images/get?', method: 'GET', options: { names: refs }, isStream: true, statusCodes: { 200: true, 500: 'server error' } },
        (err: unknown, s: unknown) => (err ? ko(err) : ok(s as NodeJS.ReadableStream)),
      );
    });
    await pipeline(stream, createWriteStream(tmp));
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new KindlabError('RUNTIME_DOCKER', `saving ${refs.join(', ')} to ${file} failed: ${errorMessage(e)}`, { cause: e });
  }
  return { bytes: (await stat(file)).size };
}

/** Loads the images of a `docker save` tar; returns the tags loaded. */
export async function loadImages(docker: Dockerode, file: string): Promise<string[]> {
  try {
    await access(file);
  } catch {
    throw new KindlabError('USAGE', `cannot load images: no file ${file}`);
  }
  const stream = (await docker.loadImage(file, { quiet: true })) as NodeJS.ReadableStream;
  type Event = { stream?: string; error?: string; errorDetail?: { message?: string } };
  const out = await new Promise<Event[]>((ok, ko) => {
    docker.modem.followProgress(stream, (err: Error | null, o: Event[]) => (err ? ko(err) : ok(o)));
  }).catch((e: unknown) => {
    throw new KindlabError('RUNTIME_DOCKER', `loading images from ${file} failed: ${errorMessage(e)}`, { cause: e });
  });
  const bad = out.find((o) => o.error || o.errorDetail);
  if (bad) throw new KindlabError('RUNTIME_DOCKER', `loading images from ${file} failed: ${bad.errorDetail?.message ?? bad.error}`);
  return out.flatMap((o) => [...(o.stream ?? '').matchAll(/Loaded image(?: ID)?: (\S+)/g)].map((m) => m[1]!));
}
