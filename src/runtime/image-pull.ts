/**
 * Pulling images through the Docker engine, with the user's Docker credentials
 * (~/.docker/config.json `auths`, or its credential helper) and progress lines.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import { execa } from 'execa';
import { KindlabError, errorMessage } from '../errors.js';
import { registryHost, withDefaultTag } from './image-plan.js';

export interface AuthConfig {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** The keys Docker's config uses for a registry host (docker.io has its historical URL). */
function configKeys(host: string): string[] {
  if (host === 'docker.io') return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json');
}

/** Credentials for `host` from the Docker config file, if the user has any. Pure apart from the helper call. */
export async function authFor(host: string, configPath = dockerConfigPath()): Promise<AuthConfig | undefined> {
  let cfg: DockerConfigFile;
  try {
    cfg = JSON.parse(await readFile(configPath, 'utf8')) as DockerConfigFile;
  } catch {
    return undefined;
  }
  const keys = configKeys(host);
  const serveraddress = keys[0]!;
  const helper = keys.map((k) => cfg.credHelpers?.[k]).find((h) => h) ?? cfg.credsStore;
  for (const k of keys) {
    const a = cfg.auths?.[k];
    if (!a) continue;
    if (a.auth) {
      const plain = Buffer.from(a.auth, 'base64').toString('utf8');
      const i = plain.indexOf(':');
      if (i > 0) return { username: plain.slice(0, i), password: plain.slice(i + 1), serveraddress };
    }
    if (a.identitytoken) return { identitytoken: a.identitytoken, serveraddress };
    if (a.username && a.password) return { username: a.username, password: a.password, serveraddress };
  }
  if (helper) {
    for (const k of keys) {
      try {
        const r = await execa(`docker-credential-${helper}`, ['get'], { input: k, timeout: 10_000 });
        const c = JSON.parse(r.stdout) as { Username?: string; Secret?: string };
        if (c.Username === '<token>') return { identitytoken: c.Secret, serveraddress };
        if (c.Username) return { username: c.Username, password: c.Secret, serveraddress };
      } catch {
        // no entry for this key in the helper
      }
    }
  }
  return undefined;
}

/** Errors that mean the registry cannot be reached at all (not "no such image"): later pulls from that host fail the same way. */
export function isUnreachable(message: string): boolean {
  return /dial tcp|no such host|connection refused|network is unreachable|i\/o timeout|TLS handshake timeout|no route to host|Client\.Timeout|server misbehaving|EOF$/i.test(message);
}

interface ProgressEvent {
  id?: string;
  status?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * Pulls `ref`; `progress` gets lines such as `127.0.0.1:5000/x:1: 2/3 layers, 4.1/8.0 MB`.
 * Fails with IMAGE_PULL naming the image and the registry's answer.
 */
export async function pullImage(docker: Dockerode, ref: string, progress: (line: string) => void = () => {}): Promise<void> {
  const full = withDefaultTag(ref);
  const host = registryHost(full);
  const authconfig = await authFor(host);
  const fail = (answer: string, cause?: unknown): KindlabError =>
    new KindlabError('IMAGE_PULL', `pulling image ${full} failed: ${answer}`, {
      cause,
      hint: isUnreachable(answer)
        ? `registry ${host} is not reachable from the Docker engine; load the image with \`lab images load FILE.tar\`, or deploy with --offline to use the local substitutes`
        : /unauthorized|denied|authentication required/i.test(answer)
          ? `log in to ${host} with \`docker login ${host}\` (kindlab uses the credentials in ${dockerConfigPath()})`
          : `check the image name and tag; \`docker pull ${full}\` shows the same answer`,
    });
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(full, authconfig ? { authconfig } : {})) as NodeJS.ReadableStream;
  } catch (e) {
    const m = /\(HTTP code \d+\)[^-]* - (.*)$/s.exec(errorMessage(e));
    throw fail((m?.[1] ?? errorMessage(e)).trim(), e);
  }
  const layers = new Map<string, { current: number; total: number; done: boolean }>();
  let last = 0;
  await new Promise<void>((ok, ko) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: ProgressEvent[]) => {
        const bad = out?.find((o) => o.error || o.errorDetail);
        if (err || bad) ko(fail(err ? errorMessage(err) : (bad?.errorDetail?.message ?? bad?.error ?? 'unknown error')));
        else ok();
      },
      (ev: ProgressEvent) => {
        if (!ev.id || ev.id === full || !ev.status) return;
        const l = layers.get(ev.id) ?? { current: 0, total: 0, done: false };
        if (ev.status === 'Downloading' && ev.progressDetail?.total) {
          l.current = ev.progressDetail.current ?? 0;
          l.total = ev.progressDetail.total;
        }
        if (/Pull complete|Already exists|Download complete/.test(ev.status)) {
          l.done = ev.status !== 'Download complete' || l.done;
          if (l.total) l.current = l.total;
        }
        layers.set(ev.id, l);
        const now = Date.now();
        if (now - last < 500 && !l.done) return;
        last = now;
        const all = [...layers.values()];
        const mb = (n: number): string => (n / 1e6).toFixed(1);
        const cur = all.reduce((s, x) => s + x.current, 0);
        const tot = all.reduce((s, x) => s + x.total, 0);
        progress(`pulling ${full}: ${all.filter((x) => x.done).length}/${all.length} layers${tot ? `, ${mb(cur)}/${mb(tot)} MB` : ''}`);
      },
    );
  });
}
