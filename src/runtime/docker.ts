/**
 * The one `Runtime` interface the rest of kindlab uses to talk to the container engine,
 * implemented on dockerode. Narrow on purpose: containers, networks, exec, pid, list by label.
 */
import Docker from 'dockerode';
import { Writable } from 'node:stream';
import { ExecError, KindlabError, errorMessage } from '../errors.js';
import { buildBaseImage, ensureImages, imageExists, imageSize, loadImages, pullImage, resolveImages, saveImages, type BuildOptions, type BuildResult, type ImageRequest, type ImageResolution, type ResolveOptions } from './images.js';
import { StaleEndpointsError, isActiveEndpoints, staleEndpointsOf } from './stale-endpoints.js';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  /** running, exited, created, ... */
  state: string;
  labels: Record<string, string>;
  /** Management IPv4 on the given network (or the first one found), without prefix length. */
  mgmtIPv4?: string;
  mgmtIPv4PrefixLength?: number;
  networkMode: string;
  /** Docker's health status (starting, healthy, unhealthy) when the container has a healthcheck. */
  health?: string;
  /** Output of the last health probe, for messages. */
  healthOutput?: string;
  /** When the container last started (Docker's State.StartedAt); set by inspectContainer only. */
  startedAt?: string;
  /** Its init process while it runs (0 otherwise); set by inspectContainer only. */
  pid?: number;
  /** A lab over several engines (hosts:): the host whose engine runs it; set by EngineRuntime's listings (additive). */
  engine?: string;
}

export interface NetworkInfo {
  id: string;
  name: string;
  labels: Record<string, string>;
  subnets: string[];
  internal: boolean;
  /** The Linux bridge device of a bridge-driver network. */
  bridge: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  /** Throw ExecError on a non-zero exit (default true). `target` names the node in the error. */
  check?: boolean;
  target?: string;
  env?: string[];
  user?: string;
  workdir?: string;
}

/** What an interactive exec (`openExec`) reports: its output as it comes, and its end. */
export interface ExecStreamHandlers {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
  /** The process ended or the connection closed. */
  end(): void;
}

/** A running interactive exec: its stdin, and whether its connection keeps the event loop alive. */
export interface ExecStream {
  write(data: string): void;
  /** Closes stdin: the process reads end of file. */
  end(): void;
  ref(on: boolean): void;
}

/** The container lifecycle calls `lab fault node` makes. */
export type ContainerAction = 'stop' | 'start' | 'restart' | 'pause' | 'unpause';

export interface Runtime {
  createNetwork(opts: Docker.NetworkCreateOptions): Promise<void>;
  inspectNetwork(name: string): Promise<NetworkInfo | undefined>;
  listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]>;
  removeNetwork(name: string): Promise<void>;
  /** Creates and starts a container; returns its id. */
  runContainer(opts: Docker.ContainerCreateOptions): Promise<string>;
  /** Extracts a tar stream into a container at `path` (`docker cp -`); engines of a lab over several hosts. */
  putArchive?(container: string, path: string, tar: NodeJS.ReadableStream): Promise<void>;
  removeContainer(name: string): Promise<void>;
  inspectContainer(name: string): Promise<ContainerInfo | undefined>;
  listContainers(labels: Record<string, string>): Promise<ContainerInfo[]>;
  /** PID of the container's init process (its network namespace is /proc/<pid>/ns/net). */
  pid(name: string): Promise<number>;
  exec(name: string, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Runs argv in the container with its output streamed as it comes (raw bytes: a pcap), not collected;
   * resolves with its exit code when it ends. The engines of a lab over several hosts (additive).
   */
  execStream?(name: string, argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, opts?: Pick<ExecOptions, 'target'>): Promise<number>;
  /** `docker exec -i`: a process with its stdin open, output streamed (long-lived shells of `lab verify`). Optional. */
  openExec?(name: string, argv: string[], on: ExecStreamHandlers): Promise<ExecStream>;
  /** The container's output so far (`docker logs`), stdout and stderr interleaved as Docker stored them. */
  logs(name: string): Promise<string>;
  /** docker stop|start|restart|pause|unpause; a container already in the asked state is no error. */
  containerAction(name: string, action: ContainerAction, opts?: { timeoutS?: number }): Promise<void>;
  /** Attaches a running container to a network; nothing to do when it is attached already. */
  connectNetwork(network: string, container: string): Promise<void>;
  /** The host address Docker published for a container port (e.g. `6443/tcp`), once it has one. */
  publishedPort(container: string, port: string): Promise<{ hostIp: string; hostPort: number } | undefined>;
  /** Pulls (or, for the base image, builds) every image not present locally. */
  ensureImages(refs: string[], opts?: BuildOptions): Promise<void>;
  /** Settles each node's image by its pull policy: local, pulled, or a recorded local substitute. */
  resolveImages(requests: ImageRequest[], opts: ResolveOptions): Promise<Map<string, ImageResolution>>;
  /** Pulls one image (progress lines to `progress`), with the user's Docker credentials. */
  pullImage(ref: string, progress?: (line: string) => void): Promise<void>;
  /** Writes local images into one tar (`docker save`). */
  saveImages(refs: string[], file: string): Promise<{ bytes: number }>;
  /** Loads the images of such a tar; returns the tags loaded. */
  loadImages(file: string): Promise<string[]>;
  /** Builds the local base image (cached unless `force`). */
  buildBaseImage(opts?: BuildOptions): Promise<BuildResult>;
  imageExists(ref: string): Promise<boolean>;
  /** Size in bytes; undefined when the image is absent. */
  imageSize(ref: string): Promise<number | undefined>;
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { statusCode?: number }).statusCode === 404;
}

function dockerError(what: string, e: unknown): KindlabError {
  const msg = (e as { json?: { message?: string } })?.json?.message ?? errorMessage(e);
  return new KindlabError('RUNTIME_DOCKER', `${what}: ${msg}`, { cause: e });
}

function labelFilter(labels: Record<string, string>): string {
  return JSON.stringify({ label: Object.entries(labels).map(([k, v]) => (v === '' ? k : `${k}=${v}`)) });
}

export class DockerRuntime implements Runtime {
  private readonly docker: Docker;
  constructor(docker: Docker = new Docker()) {
    this.docker = docker;
  }

  async connectNetwork(network: string, container: string): Promise<void> {
    try {
      const info = await this.docker.getContainer(container).inspect();
      if (info.NetworkSettings.Networks?.[network]) return;
      await this.docker.getNetwork(network).connect({ Container: container });
    } catch (e) {
      throw dockerError(`connect ${container} to ${network}`, e);
    }
  }

  async publishedPort(container: string, port: string): Promise<{ hostIp: string; hostPort: number } | undefined> {
    try {
      const b = (await this.docker.getContainer(container).inspect()).NetworkSettings.Ports?.[port]?.find((p) => p.HostPort);
      return b ? { hostIp: b.HostIp || '127.0.0.1', hostPort: Number(b.HostPort) } : undefined;
    } catch (e) {
      throw dockerError(`inspect ${container}`, e);
    }
  }

  ensureImages(refs: string[], opts: BuildOptions = {}): Promise<void> {
    return ensureImages(this.docker, refs, opts);
  }

  resolveImages(requests: ImageRequest[], opts: ResolveOptions): Promise<Map<string, ImageResolution>> {
    return resolveImages(this.docker, requests, opts);
  }

  pullImage(ref: string, progress?: (line: string) => void): Promise<void> {
    return pullImage(this.docker, ref, progress);
  }

  saveImages(refs: string[], file: string): Promise<{ bytes: number }> {
    return saveImages(this.docker, refs, file);
  }

  loadImages(file: string): Promise<string[]> {
    return loadImages(this.docker, file);
  }

  buildBaseImage(opts: BuildOptions = {}): Promise<BuildResult> {
    return buildBaseImage(this.docker, opts);
  }

  imageExists(ref: string): Promise<boolean> {
    return imageExists(this.docker, ref);
  }

  imageSize(ref: string): Promise<number | undefined> {
    return imageSize(this.docker, ref);
  }

  async createNetwork(opts: Docker.NetworkCreateOptions): Promise<void> {
    try {
      await this.docker.createNetwork(opts);
    } catch (e) {
      throw dockerError(`create network ${opts.Name}`, e);
    }
  }

  async inspectNetwork(name: string): Promise<NetworkInfo | undefined> {
    try {
      const n = await this.docker.getNetwork(name).inspect();
      return toNetworkInfo(n);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw dockerError(`inspect network ${name}`, e);
    }
  }

  async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    const list = await this.docker.listNetworks({ filters: labelFilter(labels) });
    return list.map(toNetworkInfo);
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.docker.getNetwork(name).remove();
    } catch (e) {
      if (isNotFound(e)) return;
      if (!isActiveEndpoints(e)) throw dockerError(`remove network ${name}`, e);
      await this.removeStaleNetwork(name, e);
    }
  }

  /** "has active endpoints" with no container left (stale-endpoints.ts): force-disconnect what Docker lists, then try once more. */
  private async removeStaleNetwork(name: string, first: unknown): Promise<void> {
    const net = this.docker.getNetwork(name);
    const endpoints = staleEndpointsOf((await net.inspect().catch(() => ({}))) as { Containers?: Record<string, { Name?: string }> });
    const disconnected: string[] = [];
    for (const ep of endpoints) {
      // a gone container's endpoint is known by name only (ep-…); a live one by id
      for (const ref of [ep.id, ep.name]) {
        if (await net.disconnect({ Container: ref, Force: true }).then(() => true, () => false)) {
          disconnected.push(ep.name);
          break;
        }
      }
    }
    try {
      await net.remove();
    } catch (e) {
      if (isNotFound(e)) return;
      throw new StaleEndpointsError(name, endpoints, disconnected, isActiveEndpoints(e) ? e : first);
    }
  }

  async runContainer(opts: Docker.ContainerCreateOptions): Promise<string> {
    let c: Docker.Container;
    try {
      c = await this.docker.createContainer(opts);
    } catch (e) {
      throw dockerError(`create container ${opts.name}`, e);
    }
    try {
      await c.start();
    } catch (e) {
      throw dockerError(`start container ${opts.name}`, e);
    }
    return c.id;
  }

  async putArchive(container: string, path: string, tar: NodeJS.ReadableStream): Promise<void> {
    try {
      const res = await this.docker.getContainer(container).putArchive(tar, { path });
      // dockerode answers with the response stream: drain it so the request completes
      if (res && typeof (res as NodeJS.ReadableStream).resume === 'function') (res as NodeJS.ReadableStream).resume();
    } catch (e) {
      throw dockerError(`copy into ${container}:${path}`, e);
    }
  }

  async removeContainer(name: string): Promise<void> {
    try {
      await this.docker.getContainer(name).remove({ force: true, v: true });
    } catch (e) {
      if (!isNotFound(e) && !errorMessage(e).includes('is already in progress')) {
        throw dockerError(`remove container ${name}`, e);
      }
    }
  }

  async inspectContainer(name: string): Promise<ContainerInfo | undefined> {
    try {
      const i = await this.docker.getContainer(name).inspect();
      const nets = Object.values(i.NetworkSettings?.Networks ?? {});
      const net = nets.find((n) => n.IPAddress);
      return {
        id: i.Id,
        name: i.Name.replace(/^\//, ''),
        image: i.Config.Image,
        state: i.State.Status,
        labels: i.Config.Labels ?? {},
        mgmtIPv4: net?.IPAddress || undefined,
        mgmtIPv4PrefixLength: net?.IPPrefixLen || undefined,
        networkMode: i.HostConfig.NetworkMode ?? '',
        ...(i.State.Health ? { health: i.State.Health.Status, healthOutput: i.State.Health.Log?.at(-1)?.Output?.trim() } : {}),
        startedAt: i.State.StartedAt,
        pid: i.State.Pid,
      };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw dockerError(`inspect container ${name}`, e);
    }
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const list = await this.docker.listContainers({ all: true, filters: labelFilter(labels) });
    return list.map((c) => {
      const net = Object.values(c.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress);
      return {
        id: c.Id,
        name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
        image: c.Image,
        state: c.State,
        labels: c.Labels ?? {},
        mgmtIPv4: net?.IPAddress || undefined,
        mgmtIPv4PrefixLength: net?.IPPrefixLen || undefined,
        networkMode: c.HostConfig?.NetworkMode ?? '',
      };
    });
  }

  async pid(name: string): Promise<number> {
    const i = await this.docker.getContainer(name).inspect().catch((e: unknown) => {
      throw dockerError(`inspect container ${name}`, e);
    });
    if (!i.State.Running || !i.State.Pid) {
      throw new KindlabError('RUNTIME_CONTAINER', `container ${name} is not running (state ${i.State.Status})`, {
        hint: `see its logs: docker logs ${name}`,
      });
    }
    return i.State.Pid;
  }

  async logs(name: string): Promise<string> {
    try {
      const c = this.docker.getContainer(name);
      const tty = (await c.inspect()).Config.Tty;
      const buf = (await c.logs({ stdout: true, stderr: true, follow: false, timestamps: true })) as unknown as Buffer;
      return tty ? buf.toString('utf8') : demuxLogs(buf);
    } catch (e) {
      throw dockerError(`logs of ${name}`, e);
    }
  }

  async containerAction(name: string, action: ContainerAction, opts: { timeoutS?: number } = {}): Promise<void> {
    const c = this.docker.getContainer(name);
    try {
      if (action === 'stop') await c.stop(opts.timeoutS !== undefined ? { t: opts.timeoutS } : {});
      else if (action === 'start') await c.start();
      else if (action === 'restart') await c.restart(opts.timeoutS !== undefined ? { t: opts.timeoutS } : {});
      else if (action === 'pause') await c.pause();
      else await c.unpause();
    } catch (e) {
      // 304: already started/stopped; 409 "is not paused" / "is already paused".
      const code = (e as { statusCode?: number }).statusCode;
      if (code === 304 || (code === 409 && /is not paused|is already paused/.test(errorMessage(e)))) return;
      throw dockerError(`${action} container ${name}`, e);
    }
  }

  openExec(name: string, argv: string[], on: ExecStreamHandlers): Promise<ExecStream> {
    return openDockerExec(this.docker, name, argv, on);
  }

  async exec(name: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = argv.join(' ');
    let result: ExecResult;
    try {
      const ex = await this.docker.getContainer(name).exec({
        Cmd: argv,
        AttachStdout: true,
        AttachStderr: true,
        Env: opts.env,
        User: opts.user,
        WorkingDir: opts.workdir,
      });
      const stream = await ex.start({ hijack: true, stdin: false });
      const out = collect();
      const err = collect();
      this.docker.modem.demuxStream(stream, out.sink, err.sink);
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
      const info = await ex.inspect();
      result = { exitCode: info.ExitCode ?? -1, stdout: out.text(), stderr: err.text() };
    } catch (e) {
      throw new ExecError(opts.target ?? name, command, -1, '', errorMessage(e), { cause: e });
    }
    if (opts.check !== false && result.exitCode !== 0) {
      throw new ExecError(opts.target ?? name, command, result.exitCode, result.stdout, result.stderr);
    }
    return result;
  }

  async execStream(name: string, argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }, opts: Pick<ExecOptions, 'target'> = {}): Promise<number> {
    try {
      let ex: Docker.Exec | undefined;
      await new Promise<void>((resolve, reject) => {
        attachExec(this.docker, name, argv, false, { stdout: (b) => void io.stdout.write(b), stderr: (b) => void io.stderr.write(b), end: resolve, error: reject }).then((a) => (ex = a.exec), reject);
      });
      return (await ex!.inspect()).ExitCode ?? -1;
    } catch (e) {
      throw new ExecError(opts.target ?? name, argv.join(' '), -1, '', errorMessage(e), { cause: e });
    }
  }
}

export async function openDockerExec(docker: Docker, name: string, argv: string[], on: ExecStreamHandlers): Promise<ExecStream> {
  try {
    return (await attachExec(docker, name, argv, true, on)).stream;
  } catch (e) {
    throw new ExecError(name, argv.join(' '), -1, '', errorMessage(e), { cause: e });
  }
}

/**
 * Starts argv in the container with its stdout and stderr demultiplexed to `on` as they come (stdin open when
 * asked). `end` is called once, when the stream ends or closes; a stream error goes to `error` (else ends it).
 * One owner of the attach for `execStream` (capture) and `openDockerExec` (verify's shells).
 */
async function attachExec(docker: Docker, name: string, argv: string[], stdin: boolean, on: ExecStreamHandlers & { error?: (e: Error) => void }): Promise<{ exec: Docker.Exec; stream: ExecStream }> {
  const exec = await docker.getContainer(name).exec({ Cmd: argv, AttachStdin: stdin, AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin })) as NodeJS.ReadWriteStream & { ref?: () => void; unref?: () => void };
  const sink = (fn: (b: Buffer) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        fn(chunk);
        cb();
      },
    });
  docker.modem.demuxStream(stream, sink(on.stdout), sink(on.stderr));
  let ended = false;
  const done = () => {
    if (!ended) (ended = true), on.end();
  };
  stream.on('end', done);
  stream.on('close', done);
  stream.on('error', (e: Error) => {
    if (ended) return;
    if (on.error) (ended = true), on.error(e);
    else done();
  });
  return {
    exec,
    stream: {
      write: (data) => void (ended || stream.write(data)),
      end: () => void (ended || stream.end()),
      ref: (v) => (v ? stream.ref?.() : stream.unref?.()),
    },
  };
}

/** Docker's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, big-endian length) as text. */
export function demuxLogs(buf: Buffer): string {
  const parts: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, Math.min(buf.length, i + 8 + len)));
    i += 8 + len;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** A sink that stores writes synchronously, so everything is there when the exec stream ends. */
function collect(): { sink: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

function toNetworkInfo(n: Docker.NetworkInspectInfo): NetworkInfo {
  return {
    id: n.Id,
    name: n.Name,
    labels: n.Labels ?? {},
    subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s),
    internal: !!n.Internal,
    bridge: n.Options?.['com.docker.network.bridge.name'] ?? (n.Name === 'bridge' ? 'docker0' : `br-${n.Id.slice(0, 12)}`),
  };
}
