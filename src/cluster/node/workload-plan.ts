import path from 'node:path';
import type { Container, Pod, Probe } from '../client/types.js';

/** What runs for one container, decided from its image and command. */
export type WorkloadPlan =
  | { kind: 'nginx'; argv: string[]; config: string; dir: string; ports: number[]; env: Record<string, string>; readiness: Probe }
  | { kind: 'process'; argv: string[]; env: Record<string, string>; cwd?: string; readiness?: Probe }
  | { kind: 'unavailable'; reason: string; message: string };

/** Repository name without registry, path, tag or digest: `docker.io/cr7258/nettool:v1` → `nettool`. */
export function imageBase(image: string): string {
  const noDigest = image.split('@')[0]!;
  const last = noDigest.split('/').pop()!;
  return last.replace(/:[^:]*$/, '').toLowerCase();
}

export type ImageClass = 'nginx' | 'tools' | 'other';

export function classifyImage(image: string): ImageClass {
  const base = imageBase(image);
  const full = image.toLowerCase();
  if (base.startsWith('nginx')) return 'nginx';
  if (full.includes('netshoot') || full.includes('nettool') || base.startsWith('busybox')) return 'tools';
  return 'other';
}

/** `ipv6`: also listen on [::] (the nginx image does so when the kernel has IPv6, so a pod's IPv6 address answers too). */
export function renderNginxConf(dir: string, ports: number[], ipv6 = false): string {
  const listens = ports.flatMap((p) => [`${p}`, ...(ipv6 ? [`[::]:${p}`] : [])].map((a) => `    listen ${a}${p === ports[0] ? ' default_server' : ''};`)).join('\n');
  return `# written by the kindlab node daemon
daemon off;
user www-data;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
${listens}
    root /usr/share/nginx/html;
    index index.html;
  }
}
`;
}

export interface PlanContext {
  /** Per-pod directory on the node (configs, logs, pid files). */
  podDir: string;
  /** Absolute path of an executable in the node image, or undefined. */
  resolveBinary: (name: string) => string | undefined;
  /** The pod has an IPv6 address (a dual-stack or IPv6 node): servers listen on IPv6 too. */
  ipv6?: boolean;
}

const envOf = (c: Container): Record<string, string> => Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));

/**
 * Stand-ins for container images, run from the node image: nginx images get a per-pod
 * nginx on their container ports; tool images (netshoot, nettool, busybox) a long-running
 * shell (or their command when it exists); other images their command/args when the
 * binary exists in the node image, else ErrImageNeverPull (nothing can be pulled). Pure.
 */
export function planWorkload(pod: Pod, c: Container, ctx: PlanContext): WorkloadPlan {
  const image = c.image ?? '';
  const cls = classifyImage(image);
  const env = envOf(c);
  if (cls === 'nginx') {
    const ports = (c.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort);
    const list = ports.length ? [...new Set(ports)] : [80];
    const dir = path.join(ctx.podDir, c.name, 'nginx');
    return { kind: 'nginx', dir, ports: list, config: renderNginxConf(dir, list, ctx.ipv6), argv: ['nginx', '-c', path.join(dir, 'nginx.conf'), '-p', dir, '-e', path.join(dir, 'error.log')], env, readiness: c.readinessProbe ?? { tcpSocket: { port: list[0]! }, periodSeconds: 1 } };
  }
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const bin = argv.length && c.command?.length ? ctx.resolveBinary(argv[0]!) : undefined;
  const proc = (a: string[]): WorkloadPlan => ({ kind: 'process', argv: a, env, ...(c.workingDir ? { cwd: c.workingDir } : {}), ...(c.readinessProbe ? { readiness: c.readinessProbe } : {}) });
  if (bin) return proc([bin, ...argv.slice(1)]);
  if (cls === 'tools') {
    // Tool images have no entrypoint: args alone are the command (`kubectl run --image=busybox -- sh -c …`),
    // and with stdin open and nothing to run they start their shell (`kubectl run -it --image=busybox`).
    const fromArgs = !c.command?.length && c.args?.length ? ctx.resolveBinary(c.args[0]!) : undefined;
    if (fromArgs) return proc([fromArgs, ...c.args!.slice(1)]);
    if (c.stdin && !argv.length) return proc([ctx.resolveBinary('sh') ?? '/bin/sh']);
    return proc([ctx.resolveBinary('sleep') ?? '/bin/sleep', 'infinity']);
  }
  const ns = pod.metadata.namespace ?? 'default';
  const why = c.command?.length ? `the command "${argv[0]}" does not exist in the node image` : 'the image has no stand-in and the container sets no command';
  return { kind: 'unavailable', reason: 'ErrImageNeverPull', message: `Container image "${image}" is not present with pull policy of Never (kindlab runs pods from the node image: ${why}; pod ${ns}/${pod.metadata.name})` };
}
