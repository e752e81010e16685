/**
 * What Docker containers a pod needs when it runs its real images, kubelet-dockershim style
 * (pure: no Docker calls, unit-tested):
 *   - a sandbox `k8s_POD_<pod>_<ns>_<uid>`: the base image sleeping, no network of Docker's
 *     (`none`), in the node container's PID namespace, so the node daemon sees its process and
 *     bind-mounts its network namespace as the pod's named netns (podnet.ts then puts the pod's
 *     veth and addresses in it, as for any pod), and so it dies with the node container;
 *   - one container `k8s_<container>_<pod>_<ns>_<uid>` per pod container, joined to the
 *     sandbox's network (`container:<sandbox>`), with the pod's command/args/env/workingDir and
 *     its volumes as bind mounts of host paths.
 * Every container carries the lab's labels (so `lab destroy` removes it) and `kindlab.pod-of`
 * naming the node container (so `lab inspect` hides it and a node stop sweeps it).
 */
import path from 'node:path';
import type { Container, Pod, Volume } from '../client/types.js';
import { classifyImage } from './workload-plan.js';

/** Marks a container as belonging to a pod of the node container named by its value (runtime/labels.ts LABEL_POD_OF says the same). */
export const LABEL_POD_OF = 'kindlab.pod-of';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
/** The pod annotation that picks the runtime: `docker` (the real image) or `standin`. */
export const RUNTIME_ANNOTATION = 'kindlab.io/pod-runtime';
/** Environment variable of the sandbox process, how the node daemon finds it in its /proc. */
export const SANDBOX_ENV = 'KINDLAB_SANDBOX';

/** What the node daemon knows of its own container (from the engine) and of the pod. */
export interface RealPodContext {
  /** The node's Docker container (its PID namespace holds the sandboxes). */
  nodeContainer: string;
  /** The image the sandboxes run (the node container's own: always present). */
  sandboxImage: string;
  /** The lab's labels, copied from the node container. */
  labLabels: Record<string, string>;
  /** The pod's directory on the node (volumes live under it). */
  podDir: string;
  /** Host path of a path in the node container (Docker resolves bind sources on the host). */
  hostPathOf: (nodePath: string) => string;
}

export interface CreateBody {
  Image: string;
  Entrypoint?: string[];
  Cmd?: string[];
  Env: string[];
  WorkingDir?: string;
  Hostname?: string;
  Labels: Record<string, string>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce?: boolean;
  HostConfig: { NetworkMode: string; PidMode?: string; Binds: string[]; RestartPolicy: { Name: 'no' }; CapAdd?: string[]; CapDrop?: string[] };
}

export interface ContainerCreate {
  name: string;
  body: CreateBody;
}

const ns = (p: Pod) => p.metadata.namespace ?? 'default';

export const sandboxName = (p: Pod) => `k8s_POD_${p.metadata.name}_${ns(p)}_${p.metadata.uid}`;
export const realContainerName = (p: Pod, c: string) => `k8s_${c}_${p.metadata.name}_${ns(p)}_${p.metadata.uid}`;

function podLabels(p: Pod, ctx: RealPodContext, container: string): Record<string, string> {
  return { ...ctx.labLabels, [LABEL_POD_OF]: ctx.nodeContainer, [LABEL_POD_UID]: p.metadata.uid ?? '', [LABEL_POD_NAME]: p.metadata.name ?? '', [LABEL_POD_NAMESPACE]: ns(p), [LABEL_CONTAINER_NAME]: container };
}

export function sandboxCreate(p: Pod, ctx: RealPodContext): ContainerCreate {
  return {
    name: sandboxName(p),
    body: {
      Image: ctx.sandboxImage,
      Entrypoint: ['sleep'],
      Cmd: ['infinity'],
      Env: [`${SANDBOX_ENV}=${p.metadata.uid}`],
      Hostname: p.metadata.name!,
      Labels: podLabels(p, ctx, 'POD'),
      Tty: false,
      OpenStdin: false,
      HostConfig: { NetworkMode: 'none', PidMode: `container:${ctx.nodeContainer}`, Binds: [], RestartPolicy: { Name: 'no' }, CapDrop: ['ALL'] },
    },
  };
}

/** One volume of the pod as the node prepares it: a directory on the node (or a node path for hostPath). */
export type VolumePlan =
  | { name: string; type: 'emptyDir'; dir: string }
  | { name: string; type: 'hostPath'; dir: string; create: boolean }
  | { name: string; type: 'configMap' | 'secret'; dir: string; object: string; items?: Array<{ key: string; path: string }>; optional: boolean };

export class VolumeError extends Error {}

/** The pod's volumes, in the pod directory on the node. Throws VolumeError for a kind a lab does not support. */
export function planVolumes(p: Pod, podDir: string): VolumePlan[] {
  return (p.spec.volumes ?? []).map((v: Volume): VolumePlan => {
    const dir = path.join(podDir, 'volumes', v.name);
    if (v.emptyDir) return { name: v.name, type: 'emptyDir', dir };
    if (v.hostPath) return { name: v.name, type: 'hostPath', dir: v.hostPath.path, create: v.hostPath.type === 'DirectoryOrCreate' };
    if (v.configMap) return { name: v.name, type: 'configMap', dir, object: v.configMap.name, ...(v.configMap.items ? { items: v.configMap.items } : {}), optional: !!v.configMap.optional };
    if (v.secret) return { name: v.name, type: 'secret', dir, object: v.secret.secretName, ...(v.secret.items ? { items: v.secret.items } : {}), optional: !!v.secret.optional };
    const kind = Object.keys(v).find((k) => k !== 'name') ?? 'none';
    throw new VolumeError(`volume "${v.name}" of pod ${ns(p)}/${p.metadata.name}: ${kind} volumes are not supported (emptyDir, configMap, secret and hostPath are)`);
  });
}

/** The files a configMap/secret volume holds: every key, or the items asked for (a missing item key is an error, as kubelet's). */
export function projectedFiles(v: { name: string; items?: Array<{ key: string; path: string }> }, data: Record<string, string>): Array<{ path: string; content: string }> {
  if (!v.items) return Object.entries(data).map(([k, content]) => ({ path: k, content }));
  return v.items.map((i) => {
    if (!(i.key in data)) throw new VolumeError(`volume "${v.name}": key "${i.key}" does not exist`);
    if (i.path.split('/').includes('..') || path.isAbsolute(i.path)) throw new VolumeError(`volume "${v.name}": item path "${i.path}" must be relative and must not contain ".."`);
    return { path: i.path, content: data[i.key]! };
  });
}

/**
 * Host path of a node path: through the node container's bind mounts (longest destination
 * first), else inside its root filesystem (`rootDir`, Docker's merged overlay directory).
 */
export function hostPathMapper(mounts: Array<{ source: string; destination: string }>, rootDir: string): (nodePath: string) => string {
  const sorted = [...mounts].sort((a, b) => b.destination.length - a.destination.length);
  return (nodePath) => {
    const p = path.posix.normalize(nodePath);
    for (const m of sorted) if (p === m.destination || p.startsWith(`${m.destination.replace(/\/$/, '')}/`)) return path.posix.join(m.source, path.posix.relative(m.destination, p));
    return path.posix.join(rootDir, p);
  };
}

/** Docker's `Env` list from the container's env (valueFrom is not resolved: those variables are left out). */
const envList = (c: Container): string[] => (c.env ?? []).filter((e) => e.value !== undefined).map((e) => `${e.name}=${e.value}`);

/** The Docker container of one pod container, joined to the sandbox's network. */
export function containerCreate(p: Pod, c: Container, image: string, volumes: VolumePlan[], ctx: RealPodContext): ContainerCreate {
  const binds = (c.volumeMounts ?? []).map((m) => {
    const v = volumes.find((x) => x.name === m.name);
    if (!v) throw new VolumeError(`container "${c.name}" mounts volume "${m.name}", which pod ${ns(p)}/${p.metadata.name} does not define`);
    const src = ctx.hostPathOf(m.subPath ? path.posix.join(v.dir, m.subPath) : v.dir);
    const ro = m.readOnly || v.type === 'configMap' || v.type === 'secret';
    return `${src}:${m.mountPath}${ro ? ':ro' : ''}`;
  });
  const caps = (c as { securityContext?: { capabilities?: { add?: string[] } } }).securityContext?.capabilities?.add;
  const stdin = (c as { stdin?: boolean }).stdin === true;
  return {
    name: realContainerName(p, c.name),
    body: {
      Image: image,
      // Kubernetes' command replaces the image's ENTRYPOINT and args its CMD; Docker drops the image's CMD when Entrypoint is set.
      ...(c.command?.length ? { Entrypoint: c.command } : {}),
      ...(c.args?.length ? { Cmd: c.args } : {}),
      Env: envList(c),
      ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
      Labels: podLabels(p, ctx, c.name),
      Tty: (c as { tty?: boolean }).tty === true,
      OpenStdin: stdin,
      ...(stdin ? { StdinOnce: (c as { stdinOnce?: boolean }).stdinOnce === true } : {}),
      // A hostNetwork pod shares the node container's network, as it shares the node's elsewhere.
      HostConfig: { NetworkMode: `container:${p.spec.hostNetwork ? ctx.nodeContainer : sandboxName(p)}`, Binds: binds, RestartPolicy: { Name: 'no' }, ...(caps?.length ? { CapAdd: caps } : {}) },
    },
  };
}

/** Kubernetes' default pull policy: Always for `:latest` or no tag, else IfNotPresent. */
export function pullPolicyOf(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy) return c.imagePullPolicy;
  const image = c.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.split('/').pop() ?? '';
  return !last.includes(':') || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

/** Whether the container's image is worth looking for at all (not a stand-in by choice or by the fast path). */
export function wantsImage(p: Pod, c: Container): boolean {
  const want = p.metadata.annotations?.[RUNTIME_ANNOTATION];
  if (want === 'standin') return false;
  return want === 'docker' || classifyImage(c.image ?? '') === 'other';
}

/** How one container runs: its real image, a pull first, or the stand-in (with why). */
export type RuntimeChoice = { run: 'image' } | { run: 'pull' } | { run: 'standin'; why?: string };

/**
 * The choice for one container. Stand-ins stay the fast path for the article images (nginx and
 * the tool images) unless the pod asks for `kindlab.io/pod-runtime: docker`; any other image runs
 * for real when the engine has it, is pulled unless the policy is Never (Always uses a present
 * image as is: labs run offline), and falls back to the stand-in otherwise.
 */
export function chooseRuntime(p: Pod, c: Container, o: { engine: boolean; present: boolean }): RuntimeChoice {
  if (!wantsImage(p, c)) return { run: 'standin' };
  if (!o.engine) return { run: 'standin', why: 'the node has no access to the Docker engine' };
  if (o.present) return { run: 'image' };
  if (pullPolicyOf(c) === 'Never') return { run: 'standin', why: `image "${c.image}" is not present with pull policy of Never` };
  return { run: 'pull' };
}
