/**
 * The Docker engines of a lab that spans several (`hosts:`): one Docker client per engine, and
 * `EngineRuntime`, the one `Runtime` the deploy, destroy and node commands use, which sends each
 * container call to the engine running that container and each listing to every engine.
 * An engine that cannot be reached during a listing is remembered (`unreachable`) and skipped, so
 * a destroy removes what it can and names the rest; during a deploy any call to it fails the step
 * and the deploy rolls back on the others.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { KindlabError, errorMessage } from '../errors.js';
import { describeConnectError, dockerFor, isUnreachable, type HostRecord } from './engine-connect.js';
import { DockerRuntime, type ContainerAction, type ContainerInfo, type ExecOptions, type ExecResult, type NetworkInfo, type Runtime } from './docker.js';
import { readLabRecord } from './lab-registry.js';
import { StaleEndpointsError } from './stale-endpoints.js';
import type { BuildOptions, BuildResult, ImageRequest, ImageResolution, ResolveOptions } from './images.js';

export { dockerFor, isUnreachable, type HostRecord } from './engine-connect.js';

export interface Engine {
  name: string;
  underlay: string;
  runtime: Runtime;
  /** `engine:` as written (for messages), and a cheap call that fails when the engine cannot be reached. */
  engineText?: string;
  ping?: () => Promise<unknown>;
}

export class EngineRuntime implements Runtime {
  /** Engines that could not be reached during a listing: name → why. */
  readonly unreachable = new Map<string, string>();
  private readonly byName: Map<string, Engine>;
  /** Container name or id → engine name, learnt from the plan and from listings. */
  private readonly where = new Map<string, string>();

  /**
   * @param engines in the `hosts:` order; the first runs the management network's view for `inspectNetwork`
   * @param placement container name → host name (from the plan)
   * @param local the engine of the machine running `lab` (a source of images), when there is one
   */
  constructor(
    readonly engines: Engine[],
    placement: Map<string, string> = new Map(),
    private readonly local?: Runtime,
  ) {
    this.byName = new Map(engines.map((e) => [e.name, e]));
    for (const [c, h] of placement) this.where.set(c, h);
  }

  /**
   * Every engine answers, else a KindlabError naming the first host entry that does not and why (TLS, ssh,
   * refused): checked before a deploy creates anything, so a wrong certificate or a down host leaves nothing behind.
   */
  async checkReachable(): Promise<void> {
    const answers = await Promise.all(this.engines.map((e) => (e.ping ? e.ping().then(() => undefined, (err: unknown) => err) : undefined)));
    for (const [i, err] of answers.entries()) {
      if (err === undefined) continue;
      const e = this.engines[i]!;
      const { message, hint } = describeConnectError({ name: e.name, engineText: e.engineText ?? e.name, underlay: e.underlay }, err);
      throw new KindlabError('RUNTIME_DOCKER', message, { hint, cause: err });
    }
  }

  engine(name: string): Engine {
    const e = this.byName.get(name);
    if (!e) throw new KindlabError('INTERNAL', `no engine for host ${name}`);
    return e;
  }

  /** The engine holding a container: known from the plan or a listing, else the one that has it. */
  async engineOf(container: string): Promise<Engine> {
    const known = this.where.get(container);
    if (known) return this.engine(known);
    for (const e of this.engines) {
      const c = await e.runtime.inspectContainer(container).catch(() => undefined);
      if (c) {
        this.where.set(container, e.name);
        return e;
      }
    }
    return this.engines[0]!;
  }

  /** Every engine's answer, skipping (and remembering) the unreachable ones. */
  private async each<T>(fn: (e: Engine) => Promise<T[]>): Promise<Array<T & { engine?: string }>> {
    const out: Array<T & { engine?: string }> = [];
    for (const e of this.engines) {
      try {
        out.push(...(await fn(e)).map((x) => ({ ...x, engine: e.name })));
      } catch (err) {
        if (!isUnreachable(err)) throw err;
        this.unreachable.set(e.name, errorMessage(err));
      }
    }
    return out;
  }

  private async on<T>(container: string, fn: (r: Runtime) => Promise<T>): Promise<T> {
    const e = await this.engineOf(container);
    try {
      return await fn(e.runtime);
    } catch (err) {
      if (isUnreachable(err)) throw new KindlabError('RUNTIME_DOCKER', `host ${e.name} (engine of ${container}) is unreachable: ${errorMessage(err)}`, { cause: err });
      throw err;
    }
  }

  async createNetwork(opts: Docker.NetworkCreateOptions): Promise<void> {
    for (const e of this.engines) await e.runtime.createNetwork(opts);
  }
  inspectNetwork(name: string): Promise<NetworkInfo | undefined> {
    return this.engines[0]!.runtime.inspectNetwork(name);
  }
  async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    const all = await this.each((e) => e.runtime.listNetworks(labels));
    for (const n of all) this.where.set(n.id, n.engine!);
    return all;
  }
  async removeNetwork(name: string): Promise<void> {
    const known = this.where.get(name);
    for (const e of this.engines) {
      if (known && known !== e.name) continue;
      if (this.unreachable.has(e.name)) continue;
      await e.runtime.removeNetwork(name).catch((err: unknown) => {
        if (err instanceof StaleEndpointsError) err.host = e.name;
        if (!isUnreachable(err)) throw err;
        this.unreachable.set(e.name, errorMessage(err));
      });
    }
  }
  runContainer(opts: Docker.ContainerCreateOptions): Promise<string> {
    return this.on(opts.name ?? '', (r) => r.runContainer(opts));
  }
  async removeContainer(name: string): Promise<void> {
    const known = this.where.get(name);
    if (known) return this.engine(known).runtime.removeContainer(name);
    for (const e of this.engines) if (!this.unreachable.has(e.name)) await e.runtime.removeContainer(name).catch(() => undefined);
  }
  inspectContainer(name: string): Promise<ContainerInfo | undefined> {
    return this.on(name, (r) => r.inspectContainer(name));
  }
  async listContainers(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const all = await this.each((e) => e.runtime.listContainers(labels));
    for (const c of all) {
      this.where.set(c.id, c.engine!);
      this.where.set(c.name, c.engine!);
    }
    return all;
  }
  pid(name: string): Promise<number> {
    return this.on(name, (r) => r.pid(name));
  }
  exec(name: string, argv: string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.on(name, (r) => r.exec(name, argv, opts));
  }
  logs(name: string): Promise<string> {
    return this.on(name, (r) => r.logs(name));
  }
  containerAction(name: string, action: ContainerAction, opts?: { timeoutS?: number }): Promise<void> {
    return this.on(name, (r) => r.containerAction(name, action, opts));
  }
  connectNetwork(network: string, container: string): Promise<void> {
    return this.on(container, (r) => r.connectNetwork(network, container));
  }
  publishedPort(container: string, port: string): Promise<{ hostIp: string; hostPort: number } | undefined> {
    return this.on(container, (r) => r.publishedPort(container, port));
  }
  async ensureImages(refs: string[], opts?: BuildOptions): Promise<void> {
    for (const e of this.engines) await e.runtime.ensureImages(refs, opts);
  }

  /**
   * Settles the images on the first engine running nodes (copying them there from an engine or
   * the local one that has them, else as a single-engine deploy would: pull or substitute), then
   * makes each resolved image present on every engine whose nodes run it: `docker save` from an
   * engine that has it and `load`, else a pull on that engine.
   */
  async resolveImages(requests: ImageRequest[], opts: ResolveOptions & { nodeHost?: (node: string) => string | undefined }): Promise<Map<string, ImageResolution>> {
    const progress = opts.progress ?? (() => undefined);
    const hostOf = (node: string) => opts.nodeHost?.(node) ?? this.engines[0]!.name;
    const first = this.engine(hostOf(requests[0]?.node ?? '') ?? this.engines[0]!.name);
    for (const ref of new Set(requests.map((r) => r.image))) await this.provide(first, ref, progress, false);
    const resolved = await first.runtime.resolveImages(requests, opts);
    const need = new Map<string, Set<string>>();
    for (const r of requests) {
      const img = resolved.get(r.node)?.image ?? r.image;
      const h = hostOf(r.node);
      if (!need.has(h)) need.set(h, new Set());
      need.get(h)!.add(img);
    }
    for (const [h, imgs] of need) for (const img of imgs) await this.provide(this.engine(h), img, progress, true);
    return resolved;
  }

  /** Makes `ref` present on `target`: copied from an engine (or the local one) that has it, else pulled there when `pull`. */
  async provide(target: Engine, ref: string, progress: (m: string) => void, pull: boolean): Promise<void> {
    if (await target.runtime.imageExists(ref)) return;
    const sources: Array<{ name: string; runtime: Runtime }> = [...this.engines.filter((e) => e !== target), ...(this.local ? [{ name: 'local engine', runtime: this.local }] : [])];
    for (const s of sources) {
      if (!(await s.runtime.imageExists(ref).catch(() => false))) continue;
      progress(`${ref}: copying from ${s.name} to host ${target.name} (docker save | load)`);
      const dir = await mkdtemp(join(tmpdir(), 'kindlab-img-'));
      try {
        await s.runtime.saveImages([ref], join(dir, 'image.tar'));
        await target.runtime.loadImages(join(dir, 'image.tar'));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      return;
    }
    if (!pull) return;
    progress(`${ref}: pulling on host ${target.name}`);
    await target.runtime.pullImage(ref, progress);
  }

  pullImage(ref: string, progress?: (line: string) => void): Promise<void> {
    return this.engines[0]!.runtime.pullImage(ref, progress);
  }
  saveImages(refs: string[], file: string): Promise<{ bytes: number }> {
    return this.engines[0]!.runtime.saveImages(refs, file);
  }
  loadImages(file: string): Promise<string[]> {
    return this.engines[0]!.runtime.loadImages(file);
  }
  buildBaseImage(opts?: BuildOptions): Promise<BuildResult> {
    return this.engines[0]!.runtime.buildBaseImage(opts);
  }
  async imageExists(ref: string): Promise<boolean> {
    for (const e of this.engines) if (!(await e.runtime.imageExists(ref))) return false;
    return true;
  }
  imageSize(ref: string): Promise<number | undefined> {
    return this.engines[0]!.runtime.imageSize(ref);
  }
}

/** The runtime of a lab with hosts: one DockerRuntime per engine, routed by the plan's placement. */
export async function engineRuntime(hosts: HostRecord[], placement: Map<string, string>, local?: Runtime): Promise<EngineRuntime> {
  const engines: Engine[] = [];
  for (const h of hosts) {
    const docker = await dockerFor(h);
    engines.push({ name: h.name, underlay: h.underlay, runtime: new DockerRuntime(docker), engineText: h.engineText, ping: () => docker.ping() });
  }
  return new EngineRuntime(engines, placement, local);
}

/**
 * The runtime for commands on an existing lab: its engines when its plan or lab directory
 * (hosts.json, written by the deploy) names several, else the local engine.
 */
export async function runtimeForLab(lab: string, opts: { hosts?: HostRecord[]; labDir?: string; local?: Runtime } = {}): Promise<Runtime> {
  const local = opts.local ?? new DockerRuntime();
  let hosts = opts.hosts;
  const labDir = opts.labDir ?? (await readLabRecord(lab))?.labDir;
  if (!hosts && labDir) hosts = await readFile(join(labDir, 'hosts.json'), 'utf8').then((t) => JSON.parse(t) as HostRecord[], () => undefined);
  return hosts && hosts.length > 0 ? engineRuntime(hosts, new Map(), local) : local;
}
