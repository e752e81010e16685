/**
 * How `lab` connects to a host's Docker engine, with the docker CLI's conventions:
 * - `unix:///path`: the socket;
 * - `tcp://host[:port]`: plain HTTP on 2375, or TLS on 2376 when the host has `tls:` files or, like
 *   `docker -H`, when DOCKER_TLS_VERIFY is set (ca.pem, cert.pem, key.pem from DOCKER_CERT_PATH, else ~/.docker);
 * - `ssh://[user@]host[:port]`: the OpenSSH client runs `docker system dial-stdio` there (ssh-dial.ts);
 * - a `docker context` name: its endpoint and TLS files as `docker context create` stored them.
 * A failure to connect is told with the host entry it concerns (`describeConnectError`).
 */
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { KindlabError, errorMessage } from '../errors.js';
import { parseEngine, type EngineRef, type HostSpec } from '../topology/index.js';
import { sshAgent } from './ssh-dial.js';

/** What the lab directory records of a host (hosts.json), enough for destroy --name to find every engine. */
export type HostRecord = Pick<HostSpec, 'name' | 'engineText' | 'underlay' | 'tls'>;

type TlsFiles = NonNullable<HostSpec['tls']>;
/** An engine address (a context already looked up). */
type Endpoint = Exclude<EngineRef, { type: 'context' }>;

const exists = (p: string) => access(p).then(() => true, () => false);

function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env['DOCKER_CONFIG'] || join(homedir(), '.docker');
}

/** The docker CLI's TLS files for `-H tcp://…` when DOCKER_TLS_VERIFY is set: ca.pem, cert.pem, key.pem in DOCKER_CERT_PATH or ~/.docker (those that exist). */
export async function envTls(env: NodeJS.ProcessEnv = process.env): Promise<TlsFiles | undefined> {
  if (!env['DOCKER_TLS_VERIFY']) return undefined;
  const dir = env['DOCKER_CERT_PATH'] || dockerConfigDir(env);
  const out: TlsFiles = {};
  for (const k of ['ca', 'cert', 'key'] as const) if (await exists(join(dir, `${k}.pem`))) out[k] = join(dir, `${k}.pem`);
  return out;
}

/** A `docker context` name → its endpoint and TLS files (meta and tls under $DOCKER_CONFIG/contexts, keyed by the name's SHA-256). */
export async function contextEndpoint(name: string, env: NodeJS.ProcessEnv = process.env): Promise<{ ref: Endpoint; text: string; tls?: TlsFiles }> {
  if (name === 'default') {
    // the docker CLI's built-in context: DOCKER_HOST, else the local socket
    const text = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
    const ref = parseEngine(text);
    if (typeof ref === 'string' || ref.type === 'context') throw new KindlabError('RUNTIME_DOCKER', `docker context default: DOCKER_HOST ${text} is not an engine address`);
    return { ref, text, ...(ref.type === 'tcp' ? await envTls(env).then((t) => (t ? { tls: t } : {})) : {}) };
  }
  const id = createHash('sha256').update(name).digest('hex');
  const base = join(dockerConfigDir(env), 'contexts');
  const meta = await readFile(join(base, 'meta', id, 'meta.json'), 'utf8').catch((e: unknown) => {
    throw new KindlabError('RUNTIME_DOCKER', `docker context ${name}: not found (${errorMessage(e)})`, { hint: 'list them with: docker context ls (the contexts of $DOCKER_CONFIG, else ~/.docker)' });
  });
  const text = (JSON.parse(meta) as { Endpoints?: { docker?: { Host?: string } } }).Endpoints?.docker?.Host;
  const ref = text ? parseEngine(text) : `docker context ${name} has no docker endpoint`;
  if (typeof ref === 'string' || ref.type === 'context') throw new KindlabError('RUNTIME_DOCKER', `docker context ${name}: ${typeof ref === 'string' ? ref : 'endpoint names another context'}`);
  const tlsDir = join(base, 'tls', id, 'docker');
  const tls: TlsFiles = {};
  for (const k of ['ca', 'cert', 'key'] as const) if (await exists(join(tlsDir, `${k}.pem`))) tls[k] = join(tlsDir, `${k}.pem`);
  return { ref, text: text!, ...(Object.keys(tls).length > 0 ? { tls } : {}) };
}

/** Where a host's engine is and with which TLS files: the context looked up, a tcp:// port defaulted as docker does (2376 with TLS, else 2375). */
export async function resolveEngine(host: HostRecord, env: NodeJS.ProcessEnv = process.env): Promise<{ ref: Endpoint; tls?: TlsFiles; via?: string }> {
  const ref = parseEngine(host.engineText);
  if (typeof ref === 'string') throw new KindlabError('RUNTIME_DOCKER', `host ${host.name}: ${ref}`);
  if (ref.type === 'context') {
    const c = await contextEndpoint(ref.name, env).catch((e: unknown) => {
      throw e instanceof KindlabError ? new KindlabError(e.code, `host ${host.name}: ${e.shortMessage}`, { cause: e, ...(e.hint ? { hint: e.hint } : {}) }) : e;
    });
    return { ...withPort(c.ref, c.tls), via: c.text };
  }
  const tls = ref.type === 'tcp' ? (host.tls ?? (await envTls(env))) : undefined;
  return withPort(ref, tls);
}

function withPort(ref: Endpoint, tls: TlsFiles | undefined): { ref: Endpoint; tls?: TlsFiles } {
  if (ref.type !== 'tcp') return { ref };
  return { ref: { ...ref, port: ref.port ?? (tls ? 2376 : 2375) }, ...(tls ? { tls } : {}) };
}

/** A dockerode client for a host's engine. */
export async function dockerFor(host: HostRecord): Promise<Docker> {
  const { ref, tls, via } = await resolveEngine(host);
  const what = `host ${host.name} (${host.engineText}${via ? ` → ${via}` : ''})`;
  switch (ref.type) {
    case 'unix':
      // host: undefined, else dockerode's defaults from a DOCKER_HOST=tcp://… in the environment win over the socket
      return new Docker({ socketPath: ref.path, host: undefined } as Docker.DockerOptions);
    case 'tcp': {
      const file = async (k: keyof TlsFiles) => {
        const p = tls?.[k];
        if (!p) return undefined;
        return readFile(p).catch((e: unknown) => {
          throw new KindlabError('RUNTIME_DOCKER', `${what}: TLS ${k} file ${p}: ${errorMessage(e)}`);
        });
      };
      const [ca, cert, key] = await Promise.all([file('ca'), file('cert'), file('key')]);
      return new Docker({ host: ref.host, port: ref.port, protocol: tls ? 'https' : 'http', ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
    }
    default:
      // the engine is reached by a placeholder address: every connection is an ssh process
      return new Docker({ protocol: 'http', host: 'docker', port: 80, agent: sshAgent(ref, what) } as Docker.DockerOptions);
  }
}

/** TLS failures that Node reports by code: the certificate chain, the name, or the engine refusing our certificate (EPROTO). */
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|EPROTO$|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(GET|VERIFY)_|ERR_OSSL_)/;
const NET_CODES = ['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'ENETUNREACH', 'EPIPE', 'EACCES', 'ENOTFOUND', 'EAI_AGAIN', 'ESSH'];

function codeOf(e: unknown): string | undefined {
  return (e as { code?: string })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
}

/** Connection failures (engine stopped, socket gone, host down, TLS or ssh refused), as opposed to an engine's answer. */
export function isUnreachable(e: unknown): boolean {
  const code = codeOf(e);
  if (code && (NET_CODES.includes(code) || TLS_CODES.test(code))) return true;
  return /ECONNREFUSED|ENOENT .*sock|EHOSTUNREACH|connect ETIMEDOUT|socket hang up/.test(errorMessage(e));
}

/** Why a host's engine could not be reached, for a message that names the host entry; a hint on what to check. */
export function describeConnectError(host: HostRecord, e: unknown): { message: string; hint: string } {
  const code = codeOf(e) ?? '';
  const scheme = /^([a-z]+):\/\//.exec(host.engineText)?.[1] ?? 'context';
  const head = `host ${host.name} (engine ${host.engineText})`;
  const said = errorMessage(e);
  if (TLS_CODES.test(code)) {
    return {
      message: `${head}: TLS handshake failed: ${said}`,
      hint: 'check the TLS files (tls: ca, cert, key or cert-path; or DOCKER_CERT_PATH): ca must have signed the engine\'s certificate, whose names must include the address in engine:, and the engine must trust the CA of cert',
    };
  }
  if (code === 'ESSH' || scheme === 'ssh') {
    return {
      message: `${head}: ssh failed: ${said}`,
      hint: 'the docker CLI\'s ssh:// rules apply: `ssh [user@]host docker system dial-stdio` must work without a prompt (a key in the agent or ~/.ssh/config, the host in known_hosts, docker installed there)',
    };
  }
  const probe = scheme === 'context' ? `docker --context ${host.engineText} version` : `docker -H ${host.engineText} version`;
  return { message: `${head} is unreachable: ${said}`, hint: `check that the engine answers: ${probe}` };
}
