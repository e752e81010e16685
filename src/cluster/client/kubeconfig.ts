import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// js-yaml, not yaml: a node daemon loads only this parser (yaml's costs ~7 MB more RSS)
import jsYaml from 'js-yaml';
import { KindlabError } from '../../errors.js';

/** What the client needs to reach and authenticate to one API server. */
export interface ClientConfig {
  server: string;
  /** PEM of the CA that signed the server certificate. */
  ca?: string;
  token?: string;
  /** Re-read on every request (service account tokens rotate). */
  tokenFile?: string;
  clientCert?: string;
  clientKey?: string;
  insecureSkipTlsVerify?: boolean;
  /** The context's default namespace. */
  namespace?: string;
}

type Named<T> = Array<{ name: string } & T>;
interface RawKubeconfig {
  clusters?: Named<{ cluster?: Record<string, unknown> }>;
  users?: Named<{ user?: Record<string, unknown> }>;
  contexts?: Named<{ context?: { cluster?: string; user?: string; namespace?: string } }>;
  'current-context'?: string;
}

const bad = (msg: string, hint?: string) => new KindlabError('K8S_API', msg, hint ? { hint } : {});

/** Inline `*-data` (base64) or a file path relative to the kubeconfig's directory. */
function material(obj: Record<string, unknown>, key: string, baseDir: string): string | undefined {
  const data = obj[`${key}-data`];
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64').toString('utf8');
  const file = obj[key];
  if (typeof file === 'string' && file) return fs.readFileSync(path.resolve(baseDir, file), 'utf8');
  return undefined;
}

/**
 * Resolves a kubeconfig document to one ClientConfig: the named context (or the current
 * one), its cluster and its user. Supports token, tokenFile, client certificates, CA data
 * or file, and insecure-skip-tls-verify.
 */
export function parseKubeconfig(text: string, opts: { baseDir?: string; context?: string; source?: string } = {}): ClientConfig {
  const src = opts.source ?? 'kubeconfig';
  const doc = (jsYaml.load(text) ?? {}) as RawKubeconfig;
  const baseDir = opts.baseDir ?? process.cwd();
  const ctxName = opts.context ?? doc['current-context'];
  const ctxEntry = ctxName ? doc.contexts?.find((c) => c.name === ctxName) : doc.contexts?.[0];
  if (!ctxEntry && (ctxName || doc.contexts?.length)) throw bad(`${src}: context "${ctxName}" not found`, `contexts: ${(doc.contexts ?? []).map((c) => c.name).join(', ') || 'none'}`);
  const clusterName = ctxEntry?.context?.cluster;
  const cluster = (clusterName ? doc.clusters?.find((c) => c.name === clusterName) : doc.clusters?.[0])?.cluster;
  if (!cluster || typeof cluster.server !== 'string') throw bad(`${src}: no cluster with a server address${clusterName ? ` named "${clusterName}"` : ''}`);
  const userName = ctxEntry?.context?.user;
  const user = (userName ? doc.users?.find((u) => u.name === userName)?.user : doc.users?.[0]?.user) ?? {};
  const cfg: ClientConfig = { server: cluster.server.replace(/\/+$/, '') };
  const ca = material(cluster, 'certificate-authority', baseDir);
  if (ca) cfg.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) cfg.insecureSkipTlsVerify = true;
  if (typeof user.token === 'string') cfg.token = user.token;
  if (typeof user.tokenFile === 'string') cfg.tokenFile = path.resolve(baseDir, user.tokenFile);
  const cert = material(user, 'client-certificate', baseDir);
  const key = material(user, 'client-key', baseDir);
  if (cert) cfg.clientCert = cert;
  if (key) cfg.clientKey = key;
  if (ctxEntry?.context?.namespace) cfg.namespace = ctxEntry.context.namespace;
  return cfg;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster config of a pod with a service account (a DaemonSet on a real cluster). */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, saDir = SA_DIR): ClientConfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  if (!host || !fs.existsSync(path.join(saDir, 'token'))) return undefined;
  const h = host.includes(':') ? `[${host}]` : host;
  const ns = path.join(saDir, 'namespace');
  return { server: `https://${h}:${port}`, tokenFile: path.join(saDir, 'token'), ca: fs.readFileSync(path.join(saDir, 'ca.crt'), 'utf8'), ...(fs.existsSync(ns) ? { namespace: fs.readFileSync(ns, 'utf8').trim() } : {}) };
}

/**
 * Loads the client config like kubectl: the given file, else the first file of
 * $KUBECONFIG, else ~/.kube/config, else the in-cluster service account.
 */
export function loadKubeconfig(file?: string, opts: { context?: string } = {}): ClientConfig {
  const candidates = file ? [file] : [...(process.env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean), path.join(os.homedir(), '.kube', 'config')];
  for (const f of candidates) {
    if (!fs.existsSync(f)) {
      if (file) throw bad(`kubeconfig ${f} does not exist`, 'pass --kubeconfig FILE (the lab writes one to its lab directory)');
      continue;
    }
    return parseKubeconfig(fs.readFileSync(f, 'utf8'), { baseDir: path.dirname(path.resolve(f)), source: f, ...opts });
  }
  const ic = inClusterConfig();
  if (ic) return ic;
  throw bad('no kubeconfig found', 'pass --kubeconfig FILE or set KUBECONFIG');
}
