/**
 * What `lab` asks the embedded cluster from the host, through the lab's kubeconfig and the
 * project's Kubernetes client: is the API up, are the nodes Ready, apply the topology's
 * manifests (server-side apply), where does a pod run.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { findByKind } from '../apiserver/resources.js';
import { KubeApiError } from '../client/index.js';
import { KubeClient } from '../client/index.js';
import { loadKubeconfig } from '../client/index.js';
import { NODES, PODS, resourceType } from '../client/index.js';
import type { KubeObject, Node, Pod } from '../client/index.js';
import { KindlabError, errorMessage, withPrefix } from '../../errors.js';
import type { SourcePos } from '../../topology/index.js';

export function labClient(kubeconfig: string): KubeClient {
  return new KubeClient(loadKubeconfig(kubeconfig), { timeoutMs: 30_000, userAgent: 'kindlab-lab/0.1' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it returns a value; on timeout throws `onTimeout()`. */
export async function poll<T>(probe: () => Promise<T | undefined>, timeoutMs: number, onTimeout: (last: unknown) => Promise<Error> | Error, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw await onTimeout(last);
    await sleep(everyMs);
  }
}

export async function apiReady(client: KubeClient): Promise<boolean> {
  await client.request<unknown>({ method: 'GET', path: '/readyz' }).catch((e: unknown) => {
    // /readyz answers text "ok", which the JSON client cannot parse: any 2xx is fine
    if (e instanceof SyntaxError) return;
    throw e;
  });
  return true;
}

export function isNodeReady(n: Node): boolean {
  return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export async function listNodes(client: KubeClient): Promise<Node[]> {
  return (await client.list(NODES)).items;
}

/** Kubernetes YAML files of a manifests entry: the file, or the directory's *.yaml|*.yml|*.json in name order. */
export async function manifestFiles(path: string): Promise<string[]> {
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new KindlabError('CLUSTER_CONFIG', `manifest ${path} does not exist`);
  if (!st.isDirectory()) return [path];
  return (await readdir(path)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(path, f));
}

export interface ManifestDoc {
  file: string;
  line: number;
  obj: KubeObject;
}

/** Parses a file's YAML documents (`---`-separated; empty ones skipped; `List` kinds flattened). */
export async function readManifest(file: string): Promise<ManifestDoc[]> {
  const text = await readFile(file, 'utf8');
  const lc = new YAML.LineCounter();
  const out: ManifestDoc[] = [];
  for (const doc of YAML.parseAllDocuments(text, { lineCounter: lc })) {
    const line = lc.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
    if (doc.errors.length) throw new KindlabError('CLUSTER_CONFIG', `${file}:${lc.linePos(doc.errors[0]!.pos[0]).line}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
    const obj = doc.toJS() as unknown;
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== 'object' || Array.isArray(obj)) throw new KindlabError('CLUSTER_CONFIG', `${file}:${line}: a manifest document must be a Kubernetes object`);
    const o = obj as KubeObject & { items?: KubeObject[] };
    if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) for (const it of o.items) out.push({ file, line, obj: it });
    else out.push({ file, line, obj: o });
  }
  return out;
}

/** Server-side apply of one object (creates or updates it); returns `kind/name`. */
export async function applyObject(client: KubeClient, d: ManifestDoc): Promise<string> {
  const { obj } = d;
  const where = `${d.file}:${d.line}`;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || !obj.metadata?.name) {
    throw new KindlabError('CLUSTER_CONFIG', `${where}: a manifest object needs apiVersion, kind and metadata.name`);
  }
  const def = findByKind(obj.apiVersion, obj.kind);
  if (!def) throw new KindlabError('CLUSTER_CONFIG', `${where}: the cluster serves no ${obj.kind} in ${obj.apiVersion}`);
  const rt = resourceType(obj.apiVersion, obj.kind, def.resource, def.namespaced);
  const namespace = def.namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
  const body = { ...obj, metadata: { ...obj.metadata, ...(namespace ? { namespace } : {}) } };
  try {
    await client.patch(rt, obj.metadata.name, YAML.stringify(body), { namespace, type: 'apply', fieldManager: 'kindlab', force: true });
  } catch (e) {
    const msg = e instanceof KubeApiError ? (e.status?.message ?? e.shortMessage) : errorMessage(e);
    throw new KindlabError('K8S_API', `${where}: applying ${obj.kind} ${obj.metadata.name} failed: ${msg}`, { cause: e });
  }
  return `${def.singular}/${obj.metadata.name}`;
}

/** Applies the topology's manifests in order; an error names the topology entry and the document. */
export async function applyManifests(client: KubeClient, entries: Array<{ path: string; pos: SourcePos }>, progress: (msg: string) => void): Promise<string[]> {
  const applied: string[] = [];
  for (const entry of entries) {
    try {
      for (const file of await manifestFiles(entry.path)) {
        for (const doc of await readManifest(file)) {
          applied.push(await applyObject(client, doc));
          progress(applied[applied.length - 1]!);
        }
      }
    } catch (e) {
      throw withPrefix(`${entry.pos.file}:${entry.pos.line}:${entry.pos.col} manifests`, e, 'CLUSTER_CONFIG');
    }
  }
  return applied;
}

export async function getPod(client: KubeClient, namespace: string, name: string): Promise<Pod> {
  try {
    return await client.get(PODS, name, namespace);
  } catch (e) {
    if (e instanceof KubeApiError && e.notFound) throw new KindlabError('NODE_NOT_FOUND', `pod ${namespace}/${name} not found`, { hint: 'list the pods: kubectl get pods -A -o wide' });
    throw e;
  }
}
