/**
 * A container's environment as the kubelet makes it (pure; the ConfigMaps and Secrets are fetched
 * by the caller): `envFrom` first (each key, with its prefix; keys that are not valid variable
 * names are skipped and reported), then `env` in order, later names replacing earlier ones. An
 * `env` value's `$(VAR)` names a variable defined before it (`$$(VAR)` is a literal `$(VAR)`;
 * unknown names stay as written), and so do command and args. `valueFrom` reads a ConfigMap or
 * Secret key (a missing object or key fails the container with CreateContainerConfigError unless
 * `optional`), a pod field (`fieldRef`) or the container's resources (`resourceFieldRef`, the
 * node's capacity standing in for an unset limit).
 */
import type { Container, Pod } from '../client/types.js';

export interface EnvSources {
  pod: Pod;
  nodeName: string;
  podIPs: string[];
  hostIPs: string[];
  /** ConfigMap and Secret data by name (Secrets decoded); absent: not found. */
  configMaps: ReadonlyMap<string, Record<string, string>>;
  secrets: ReadonlyMap<string, Record<string, string>>;
  /** The node's allocatable CPU (cores) and memory (bytes): what an unset limit reads as. */
  node: { cpu: number; memory: number };
}

/** Why a container cannot be created (its status: waiting, CreateContainerConfigError). */
export class EnvError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

/** The ConfigMaps and Secrets a container's env and envFrom read. */
export function envObjects(c: Container): { configMaps: string[]; secrets: string[] } {
  const cm = new Set<string>();
  const sec = new Set<string>();
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef) cm.add(f.configMapRef.name);
    if (f.secretRef) sec.add(f.secretRef.name);
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) cm.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef) sec.add(e.valueFrom.secretKeyRef.name);
  }
  return { configMaps: [...cm], secrets: [...sec] };
}

const SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** A Kubernetes quantity (`500m`, `2Gi`, `1e3`, `128M`) as a number; undefined when malformed. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$/.exec(q.trim());
  if (!m) return undefined;
  if (m[2] !== undefined && m[3] !== undefined) return undefined;
  return Number(m[1]) * (m[2] !== undefined ? 10 ** Number(m[2]) : 1) * SUFFIX[m[3] ?? '']!;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** `$(VAR)` from `vars`; `$$` makes the next `$(` literal; unknown names stay as written (the kubelet's expansion). */
export function expandVars(s: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$' || i + 1 >= s.length) {
      out += s[i];
      continue;
    }
    const n = s[i + 1];
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '(') {
      const end = s.indexOf(')', i + 2);
      if (end < 0) {
        out += s.slice(i);
        break;
      }
      const name = s.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name)! : `$(${name})`;
      i = end;
    } else out += '$';
  }
  return out;
}

function fieldValue(path: string, src: EnvSources): string {
  const md = src.pod.metadata;
  const map = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (map) return (map[1] === 'labels' ? md.labels : md.annotations)?.[map[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? 'default';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'spec.nodeName':
      return src.pod.spec.nodeName ?? src.nodeName;
    case 'spec.serviceAccountName':
      return String(src.pod.spec['serviceAccountName'] ?? 'default');
    case 'status.podIP':
      return src.podIPs[0] ?? '';
    case 'status.podIPs':
      return src.podIPs.join(',');
    case 'status.hostIP':
      return src.hostIPs[0] ?? '';
    case 'status.hostIPs':
      return src.hostIPs.join(',');
  }
  throw new EnvError(`unsupported fieldRef fieldPath "${path}"`);
}

function resourceValue(ref: { resource: string; containerName?: string; divisor?: string | number }, c: Container, src: EnvSources): string {
  const target = ref.containerName ? src.pod.spec.containers.find((x) => x.name === ref.containerName) : c;
  if (!target) throw new EnvError(`resourceFieldRef: container "${ref.containerName}" is not in pod ${src.pod.metadata.name}`);
  const m = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(ref.resource);
  if (!m) throw new EnvError(`resourceFieldRef: unsupported resource "${ref.resource}"`);
  const [, kind, res] = m as unknown as [string, 'limits' | 'requests', 'cpu' | 'memory' | 'ephemeral-storage'];
  const set = target.resources?.[kind]?.[res];
  // an unset limit is the node's allocatable (the kubelet's default); an unset request reads as the limit's, else 0
  const unset = kind === 'limits' ? (res === 'cpu' ? src.node.cpu : res === 'memory' ? src.node.memory : 0) : (() => {
    const lim = target.resources?.limits?.[res];
    return lim !== undefined ? (parseQuantity(lim) ?? 0) : 0;
  })();
  const value = set !== undefined ? parseQuantity(set) : unset;
  if (value === undefined) throw new EnvError(`resourceFieldRef: ${kind}.${res} "${set}" is not a quantity`);
  const divisor = parseQuantity(ref.divisor ?? 1);
  if (!divisor) throw new EnvError(`resourceFieldRef: divisor "${ref.divisor}" is not a positive quantity`);
  // CPU is rounded up to whole divisors, as the kubelet does (500m with divisor 1 → 1)
  return String(Math.ceil(value / divisor - 1e-9));
}

export interface ResolvedEnv {
  /** Every variable, in the order the container sees them. */
  env: Array<{ name: string; value: string }>;
  /** envFrom keys skipped because they are not variable names (the kubelet's InvalidEnvironmentVariableNames event). */
  skipped: string[];
}

/** The container's variables. Throws EnvError for a missing non-optional ConfigMap/Secret or key. */
export function resolveEnv(c: Container, src: EnvSources): ResolvedEnv {
  const ns = src.pod.metadata.namespace ?? 'default';
  const vars = new Map<string, string>();
  const skipped: string[] = [];
  for (const f of c.envFrom ?? []) {
    const ref = f.configMapRef ?? f.secretRef;
    if (!ref) continue;
    const kind = f.configMapRef ? 'configmap' : 'secret';
    const data = (f.configMapRef ? src.configMaps : src.secrets).get(ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw new EnvError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) {
      const name = `${f.prefix ?? ''}${k}`;
      if (!ENV_NAME.test(name)) skipped.push(name);
      else vars.set(name, v);
    }
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      vars.set(e.name, expandVars(e.value ?? '', vars));
      continue;
    }
    const key = from.configMapKeyRef ?? from.secretKeyRef;
    if (key) {
      const isCm = !!from.configMapKeyRef;
      const data = (isCm ? src.configMaps : src.secrets).get(key.name);
      if (!data) {
        if (key.optional) continue;
        throw new EnvError(`${isCm ? 'configmap' : 'secret'} "${key.name}" not found`);
      }
      if (!(key.key in data)) {
        if (key.optional) continue;
        throw new EnvError(`couldn't find key ${key.key} in ${isCm ? 'ConfigMap' : 'Secret'} ${ns}/${key.name}`);
      }
      vars.set(e.name, data[key.key]!);
    } else if (from.fieldRef) vars.set(e.name, fieldValue(from.fieldRef.fieldPath, src));
    else if (from.resourceFieldRef) vars.set(e.name, resourceValue(from.resourceFieldRef, c, src));
  }
  return { env: [...vars].map(([name, value]) => ({ name, value })), skipped };
}

/**
 * The container as it runs: its env as plain values (resolveEnv) and `$(VAR)` expanded in its
 * command and args, so the stand-in and Docker plans read it as they read a literal env.
 */
export function resolvedContainer(c: Container, src: EnvSources): { container: Container; skipped: string[] } {
  const { env, skipped } = resolveEnv(c, src);
  const vars = new Map(env.map((e) => [e.name, e.value]));
  const x = (a: string[] | undefined) => a?.map((s) => expandVars(s, vars));
  const { envFrom: _drop, ...rest } = c;
  return { container: { ...rest, env, ...(c.command ? { command: x(c.command)! } : {}), ...(c.args ? { args: x(c.args)! } : {}) }, skipped };
}
