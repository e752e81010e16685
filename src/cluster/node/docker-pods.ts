/**
 * Real-image pods on this node: the engine connection, the node container's facts the plans
 * need (real-pod-plan.ts), the sandbox whose network namespace becomes the pod's, volumes, and
 * the sweep of containers an earlier run left.
 *
 * Why the Docker socket is bind-mounted into the node container (not a host-side channel): the
 * node daemon must create, watch and exec into containers for as long as the lab runs, while
 * nothing of kindlab runs on the host after `lab deploy` returns; the node container already
 * holds NET_ADMIN/SYS_ADMIN over the lab, so the socket adds no trust a lab did not have.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { KubeClient } from '../client/client.js';
import { resourceType } from '../client/resources.js';
import type { KubeObject, Pod } from '../client/types.js';
import { Engine, ENGINE_SOCKET } from './engine.js';
import { hostPathMapper, LABEL_POD_OF, projectedFiles, SANDBOX_ENV, sandboxCreate, sandboxName, VolumeError, type RealPodContext, type VolumePlan } from './real-pod-plan.js';
import { run } from './sys.js';
import { errorMessage } from '../../errors.js';
import type { Logger } from './sys.js';

/** The environment variable naming the node's own Docker container (set by the k8s-node kind). */
export const NODE_CONTAINER_ENV = 'KINDLAB_NODE_CONTAINER';
const LAB_LABEL_PREFIX = 'kindlab.';
const NODE_ONLY_LABELS = new Set(['kindlab.node', 'kindlab.kind', 'kindlab.k8s.node']);

const CONFIGMAPS = resourceType<KubeObject>('v1', 'ConfigMap', 'configmaps', true);
const SECRETS = resourceType<KubeObject>('v1', 'Secret', 'secrets', true);

/** A ConfigMap's data or a Secret's (decoded, stringData filling in), as volumes and env read them. */
export async function objectData(client: KubeClient, kind: 'configMap' | 'secret', ns: string, name: string): Promise<Record<string, string>> {
  const obj = await client.get(kind === 'configMap' ? CONFIGMAPS : SECRETS, name, ns);
  if (kind === 'configMap') return (obj['data'] as Record<string, string> | undefined) ?? {};
  const data = Object.fromEntries(Object.entries((obj['data'] as Record<string, string> | undefined) ?? {}).map(([k, b64]) => [k, Buffer.from(b64, 'base64').toString('binary')]));
  for (const [k, v] of Object.entries((obj['stringData'] as Record<string, string> | undefined) ?? {})) data[k] ??= v;
  return data;
}

interface SelfInspect {
  Config?: { Image?: string; Labels?: Record<string, string> };
  Mounts?: Array<{ Source: string; Destination: string }>;
  GraphDriver?: { Data?: { MergedDir?: string } };
}

export class DockerPods {
  private constructor(
    readonly engine: Engine,
    readonly nodeContainer: string,
    private readonly image: string,
    private readonly labLabels: Record<string, string>,
    private readonly hostPathOf: (p: string) => string,
    private readonly log: Logger,
  ) {}

  /** The engine as this node sees it, or undefined (then every pod runs stand-ins) with the reason logged. */
  static async connect(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<DockerPods | undefined> {
    const self = env[NODE_CONTAINER_ENV];
    const off = (why: string) => {
      log({ level: 'warn', msg: 'pods run stand-ins only', why });
      return undefined;
    };
    if (!self) return off(`${NODE_CONTAINER_ENV} is not set`);
    if (!fs.existsSync(ENGINE_SOCKET)) return off(`${ENGINE_SOCKET} is not mounted`);
    const engine = new Engine();
    if (!(await engine.ping())) return off('the Docker engine does not answer');
    let info: SelfInspect;
    try {
      info = await engine.inspect<SelfInspect>(self);
    } catch (e) {
      return off(`node container ${self}: ${errorMessage(e)}`);
    }
    const labels = Object.fromEntries(Object.entries(info.Config?.Labels ?? {}).filter(([k]) => k.startsWith(LAB_LABEL_PREFIX) && !NODE_ONLY_LABELS.has(k)));
    const root = info.GraphDriver?.Data?.MergedDir ?? '';
    const mapper = hostPathMapper((info.Mounts ?? []).map((m) => ({ source: m.Source, destination: m.Destination })), root);
    log({ msg: 'real-image pods enabled', nodeContainer: self, sandboxImage: info.Config?.Image });
    return new DockerPods(engine, self, info.Config?.Image ?? 'kindlab/base', labels, mapper, log);
  }

  context(podDir: string): RealPodContext {
    return { nodeContainer: this.nodeContainer, sandboxImage: this.image, labLabels: this.labLabels, podDir, hostPathOf: this.hostPathOf };
  }

  /** Removes every pod container of this node (an earlier daemon's; pods are set up again from the API). */
  async sweep(): Promise<number> {
    const stale = await this.engine.list({ [LABEL_POD_OF]: this.nodeContainer });
    await Promise.all(stale.map((c) => this.engine.remove(c.Id)));
    return stale.length;
  }

  /** Creates the pod's sandbox (a container left under its name goes first); its id. */
  async createSandbox(pod: Pod, ctx: RealPodContext): Promise<string> {
    const sb = sandboxCreate(pod, ctx);
    await this.engine.remove(sb.name);
    return this.engine.create(sb.name, sb.body);
  }

  /**
   * Starts the sandbox and mounts its network namespace as `netns` (as `ip netns add` would have
   * made it), so the pod network is set up in it as for any pod.
   */
  async startSandbox(pod: Pod, id: string, netns: string): Promise<void> {
    await this.engine.start(id);
    const pid = findSandboxPid(pod.metadata.uid!);
    if (!pid) throw new Error(`sandbox ${sandboxName(pod)} started but its process is not in the node's PID namespace`);
    fs.mkdirSync('/run/netns', { recursive: true });
    const file = `/run/netns/${netns}`;
    fs.closeSync(fs.openSync(file, 'a'));
    await run(['mount', '--bind', `/proc/${pid}/ns/net`, file]);
  }

  async removeSandbox(pod: Pod, ctx: RealPodContext): Promise<void> {
    await this.engine.remove(sandboxCreate(pod, ctx).name);
  }

  /** Makes the volume directories and writes configMap/secret files. */
  async prepareVolumes(pod: Pod, volumes: VolumePlan[], client: KubeClient): Promise<void> {
    const ns = pod.metadata.namespace ?? 'default';
    for (const v of volumes) {
      if (v.type === 'hostPath') {
        if (v.create) fs.mkdirSync(v.dir, { recursive: true });
        continue;
      }
      fs.mkdirSync(v.dir, { recursive: true });
      if (v.type === 'emptyDir') continue;
      let data: Record<string, string> = {};
      try {
        data = await objectData(client, v.type, ns, v.object);
      } catch (e) {
        if (!v.optional) throw new VolumeError(`volume "${v.name}": ${v.type} "${v.object}": ${errorMessage(e)}`);
      }
      for (const f of projectedFiles(v, data)) {
        const file = path.join(v.dir, f.path);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, Buffer.from(f.content, v.type === 'secret' ? 'binary' : 'utf8'));
      }
    }
    this.log({ level: 'debug', msg: 'pod volumes ready', pod: `${ns}/${pod.metadata.name}`, volumes: volumes.map((v) => v.name) });
  }
}

/** The pid (in the node's PID namespace) of the sandbox process of pod `uid`, found by its environment. */
export function findSandboxPid(uid: string): number | undefined {
  const marker = Buffer.from(`${SANDBOX_ENV}=${uid}\0`);
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/environ`).includes(marker)) return Number(d);
    } catch {
      /* gone or not ours */
    }
  }
  return undefined;
}
