/**
 * Which cluster objects a lab's `stages:` change, read from their steps, so that `lab verify`
 * can put those objects back as they were before the first stage ran and replay the story
 * from its start (stages-reset.ts). Pure: manifest text comes in through `read`.
 *
 * A step names its objects in one of two ways:
 * - by identity (`ref`): every object of an `apply:` manifest or a `kubectl apply|create|replace|delete -f`
 *   file, and what `kubectl create deployment|namespace|…`, `run` and `expose` make;
 * - by a kubectl query (`query`): `label`, `annotate`, `patch`, `taint`, `set`, `scale`, … on TYPE NAME,
 *   TYPE/NAME or -l SELECTOR, resolved with `kubectl get` before the stages run.
 * Read-only lines (exec, get, logs, …) and lines kindlab cannot follow (kustomize, URLs) name nothing.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Stage } from './stages.js';

/** An object's identity; a stub of it (apiVersion, kind, metadata) is what kubectl finds it by. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** As written; undefined: the kubeconfig's namespace for a namespaced kind (default), none for a cluster-scoped one. */
  namespace?: string;
}

/**
 * What a step may change on an existing object: `true` for a whole map, or only the keys a
 * `label`/`annotate` line names; `body` is everything outside metadata and status (spec, data, …).
 */
export interface RestoreScope {
  labels: true | string[];
  annotations: true | string[];
  body: boolean;
}

export type StageTarget =
  | { via: 'ref'; ref: ObjectRef; scope: RestoreScope; step: string }
  | { via: 'query'; /** `kubectl get` arguments (without get, -o, --ignore-not-found). */ args: string[]; scope: RestoreScope; step: string };

export const FULL_SCOPE: RestoreScope = { labels: true, annotations: true, body: true };

/** Reads a manifest file's text (absolute path). */
export type ReadText = (file: string) => string;

/** Every target of every stage step, in step order. Files that cannot be read or parsed name nothing (the step itself reports them). */
export function stageTargets(stages: readonly Stage[], baseDir: string, read: ReadText): StageTarget[] {
  const out: StageTarget[] = [];
  for (const stage of stages)
    for (const step of stage.steps) {
      if (step.kind === 'apply') out.push(...fileTargets(step.file, undefined, step.text, read));
      else out.push(...kubectlTargets(step.args, baseDir, step.text, read));
    }
  return out;
}

/** The objects of a manifest file or of a directory's .yaml/.yml/.json files (kubectl's -f). */
export function manifestRefs(file: string, namespace: string | undefined, read: ReadText): ObjectRef[] {
  let files: string[];
  try {
    files = statSync(file).isDirectory()
      ? readdirSync(file).filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f))).sort().map((f) => join(file, f))
      : [file];
  } catch {
    return [];
  }
  const refs: ObjectRef[] = [];
  for (const f of files) {
    let docs: unknown[];
    try {
      docs = parseAllDocuments(read(f)).flatMap((d) => ('errors' in d && d.errors.length === 0 ? [d.toJS() as unknown] : []));
    } catch {
      continue;
    }
    for (const d of docs) refs.push(...refsOf(d, namespace));
  }
  return refs;
}

function refsOf(doc: unknown, namespace: string | undefined): ObjectRef[] {
  if (!doc || typeof doc !== 'object') return [];
  const o = doc as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; items?: unknown };
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) return o.items.flatMap((i) => refsOf(i, namespace));
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') return [];
  const ns = typeof o.metadata.namespace === 'string' ? o.metadata.namespace : namespace;
  return [{ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(ns !== undefined ? { namespace: ns } : {}) }];
}

function fileTargets(file: string, namespace: string | undefined, step: string, read: ReadText): StageTarget[] {
  return manifestRefs(file, namespace, read).map((ref) => ({ via: 'ref', ref, scope: FULL_SCOPE, step }));
}

/** kubectl flags that take a value (as `--flag value`; `--flag=value` needs no table). */
const VALUE_FLAGS = new Set([
  '-n', '--namespace', '-l', '--selector', '-f', '--filename', '-p', '--patch', '--type', '-o', '--output', '--field-selector',
  '--resource-version', '--patch-file', '--field-manager', '--subresource', '-c', '--container', '--timeout', '--grace-period',
  '--cascade', '--template', '-k', '--kustomize', '--name', '--port', '--target-port', '--protocol', '--session-affinity',
  '--image', '--replicas', '--overrides', '--labels', '--external-ip', '--load-balancer-ip', '--env', '--restart', '--from-literal',
  '--from-file', '--from-env-file', '--cluster-ip', '--node-port', '--tcp', '--udp', '--current-replicas', '--container-port',
  '--dry-run', '--server', '-s', '--user', '--cluster', '--request-timeout', '--as', '--as-group', '--token', '--kubeconfig', '--context',
]);
/** Shorthand flags whose value may be glued on (`-nprod`, `-n=prod`). */
const SHORT_VALUE = new Set(['-n', '-l', '-f', '-p', '-o', '-c', '-k', '-s']);

interface ParsedLine {
  verb: string;
  positionals: string[];
  flags: Map<string, string[]>;
}

/** Splits kubectl arguments into verb, positionals and flags (`--` ends the flags: what follows is a command). */
export function parseKubectlArgs(args: readonly string[]): ParsedLine {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const set = (k: string, v: string) => flags.set(k, [...(flags.get(k) ?? []), v]);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) set(a.slice(0, eq), a.slice(eq + 1));
      else if (VALUE_FLAGS.has(a) && a !== '--dry-run' && i + 1 < args.length) set(a, args[++i]!);
      else set(a, a === '--dry-run' ? 'unchanged' : 'true');
    } else if (a.startsWith('-') && a.length > 1) {
      const short = a.slice(0, 2);
      if (SHORT_VALUE.has(short)) {
        if (a.length > 2) set(short, a.slice(a[2] === '=' ? 3 : 2));
        else if (i + 1 < args.length) set(short, args[++i]!);
      } else for (const ch of a.slice(1)) set(`-${ch}`, 'true');
    } else positionals.push(a);
  }
  const [verb = '', ...rest] = positionals;
  return { verb, positionals: rest, flags };
}

const first = (p: ParsedLine, ...names: string[]) => names.map((n) => p.flags.get(n)?.at(-1)).find((v) => v !== undefined);

/** `kubectl create SUBCOMMAND NAME` → the kind it makes. */
const CREATE_KINDS: Record<string, [string, string]> = {
  deployment: ['apps/v1', 'Deployment'], deploy: ['apps/v1', 'Deployment'],
  namespace: ['v1', 'Namespace'], ns: ['v1', 'Namespace'],
  configmap: ['v1', 'ConfigMap'], cm: ['v1', 'ConfigMap'],
  secret: ['v1', 'Secret'],
  service: ['v1', 'Service'], svc: ['v1', 'Service'],
  serviceaccount: ['v1', 'ServiceAccount'], sa: ['v1', 'ServiceAccount'],
  job: ['batch/v1', 'Job'], cronjob: ['batch/v1', 'CronJob'], cj: ['batch/v1', 'CronJob'],
  ingress: ['networking.k8s.io/v1', 'Ingress'], ing: ['networking.k8s.io/v1', 'Ingress'],
  role: ['rbac.authorization.k8s.io/v1', 'Role'], rolebinding: ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  clusterrole: ['rbac.authorization.k8s.io/v1', 'ClusterRole'], clusterrolebinding: ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  poddisruptionbudget: ['policy/v1', 'PodDisruptionBudget'], pdb: ['policy/v1', 'PodDisruptionBudget'],
  priorityclass: ['scheduling.k8s.io/v1', 'PriorityClass'], pc: ['scheduling.k8s.io/v1', 'PriorityClass'],
  quota: ['v1', 'ResourceQuota'], resourcequota: ['v1', 'ResourceQuota'],
};
/** Subcommands whose NAME follows a second word (`create secret generic NAME`, `create service nodeport NAME`). */
const TWO_WORD = new Set(['secret', 'service', 'svc']);

/** Verbs that change nothing in the cluster (or nothing kindlab can put back). */
const READ_ONLY = new Set(['get', 'describe', 'logs', 'log', 'exec', 'attach', 'port-forward', 'cp', 'top', 'explain', 'api-resources', 'api-versions', 'version', 'cluster-info', 'wait', 'auth', 'diff', 'events', 'proxy', 'config', 'plugin', 'completion', 'debug', 'kustomize', 'certificate', 'alpha']);

export function kubectlTargets(args: readonly string[], baseDir: string, step: string, read: ReadText): StageTarget[] {
  const p = parseKubectlArgs(args);
  if (READ_ONLY.has(p.verb)) return [];
  const dryRun = first(p, '--dry-run');
  if (dryRun !== undefined && dryRun !== 'none' && dryRun !== 'false') return [];
  const ns = first(p, '-n', '--namespace');
  const files = [...(p.flags.get('-f') ?? []), ...(p.flags.get('--filename') ?? [])].filter((f) => f !== '-' && !/^[a-z]+:\/\//i.test(f));
  if (files.length > 0) return files.flatMap((f) => fileTargets(isAbsolute(f) ? f : resolve(baseDir, f), ns, step, read));
  const nsRef = ns !== undefined ? { namespace: ns } : {};
  const ref = (apiVersion: string, kind: string, name: string | undefined): StageTarget[] =>
    name ? [{ via: 'ref', ref: { apiVersion, kind, name, ...nsRef }, scope: FULL_SCOPE, step }] : [];
  switch (p.verb) {
    case 'create': {
      const [sub = '', a, b] = p.positionals;
      const kind = CREATE_KINDS[sub];
      return kind ? ref(kind[0], kind[1], TWO_WORD.has(sub) ? b : a) : [];
    }
    case 'run':
      return ref('v1', 'Pod', p.positionals[0]);
    case 'expose': {
      const [type, name] = p.positionals[0]?.includes('/') ? p.positionals[0].split('/') : p.positionals;
      return type ? ref('v1', 'Service', first(p, '--name') ?? name) : [];
    }
    case 'label':
      return query(p, step, isKeyValue, { labels: keysOf(p.positionals), annotations: [], body: false });
    case 'annotate':
      return query(p, step, isKeyValue, { labels: [], annotations: keysOf(p.positionals), body: false });
    case 'taint':
      return query(p, step, (a) => isKeyValue(a) || a.includes(':'), { labels: [], annotations: [], body: true });
    case 'cordon': case 'uncordon': case 'drain':
      return query({ ...p, positionals: ['nodes', ...p.positionals] }, step, () => false, { labels: [], annotations: [], body: true });
    case 'set': case 'rollout':
      return query({ ...p, positionals: p.positionals.slice(1) }, step, isKeyValue, FULL_SCOPE);
    case 'patch': case 'scale': case 'edit': case 'replace': case 'delete': case 'autoscale':
      return query(p, step, isKeyValue, FULL_SCOPE);
    default:
      return [];
  }
}

/** `key=value` or `key-` (a label/annotation set or removed), as opposed to a TYPE or NAME. */
function isKeyValue(a: string): boolean {
  return a.includes('=') || a.endsWith('-');
}

function keysOf(positionals: string[]): string[] {
  return positionals.filter(isKeyValue).map((a) => (a.includes('=') ? a.slice(0, a.indexOf('=')) : a.slice(0, -1)));
}

/** The resource positionals (TYPE NAME…, TYPE/NAME…) and the namespace/selector flags as `kubectl get` arguments. */
function query(p: ParsedLine, step: string, notResource: (a: string) => boolean, scope: RestoreScope): StageTarget[] {
  const end = p.positionals.findIndex((a, i) => i > 0 && notResource(a));
  const resources = end < 0 ? p.positionals : p.positionals.slice(0, end);
  if (resources.length === 0) return [];
  const selector = first(p, '-l', '--selector');
  const fieldSelector = first(p, '--field-selector');
  const ns = first(p, '-n', '--namespace');
  const all = p.flags.has('-A') || p.flags.has('--all-namespaces');
  // TYPE alone names every object of the type only with --all or a selector; otherwise nothing.
  if (resources.length === 1 && !resources[0]!.includes('/') && !selector && !fieldSelector && !p.flags.has('--all')) return [];
  const args = [...resources, ...(ns !== undefined ? ['-n', ns] : []), ...(all ? ['-A'] : []), ...(selector !== undefined ? ['-l', selector] : []), ...(fieldSelector !== undefined ? ['--field-selector', fieldSelector] : [])];
  return [{ via: 'query', args, scope, step }];
}

/** Two scopes together. */
export function unionScope(a: RestoreScope, b: RestoreScope): RestoreScope {
  const keys = (x: true | string[], y: true | string[]): true | string[] => (x === true || y === true ? true : [...new Set([...x, ...y])].sort());
  return { labels: keys(a.labels, b.labels), annotations: keys(a.annotations, b.annotations), body: a.body || b.body };
}
