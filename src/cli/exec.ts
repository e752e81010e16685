/**
 * `lab exec (-t FILE | --name LAB) NODE -- CMD...` prints the command's output and returns its exit code.
 * NODE may be `pod/NAME` or `pod/NAMESPACE/NAME` (or `pod/NAME -n NAMESPACE`, as with kubectl): where the
 * pod runs (its node's container and network namespace) comes from cluster/lab (podPlace), and the command
 * runs there with `ip netns exec`. With several clusters in the lab, `--cluster NAME` (kind's cluster name,
 * or kubectl's context `kind-NAME`) or the `NAME/pod/…` form says whose pod it is; without either, the pod
 * is looked up in every cluster and must be in exactly one.
 */
import { KindlabError } from '../errors.js';
import { looksLikePodRef, parsePodRef, podExecPrefix, podPlace, splitClusterRef, type PodRef } from '../cluster/lab/index.js';
import { getPod, labClient } from '../cluster/lab/index.js';
import { DockerRuntime, runtimeForLab, type Runtime } from '../runtime/index.js';
import { LABEL_LAB, LABEL_NODE } from '../runtime/index.js';
import { nodeKindFacts } from '../topology/index.js';
import { labKubeconfig } from './kubeconfig.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab exec (-t FILE | --name LAB) NODE|pod/NAME|pod/NAMESPACE/NAME|CLUSTER/pod/NAME [-n NAMESPACE] [--cluster NAME] -- CMD [ARG...]';

export interface ExecValues extends TargetValues {
  namespace?: string;
  cluster?: string;
}

/** The pod reference of `target` with `-n` applied, and the cluster it names (from `CLUSTER/pod/…` or --cluster). Pure. */
export function podRefOf(target: string, values: { namespace?: string; cluster?: string }): { ref: PodRef; cluster?: string } {
  const split = splitClusterRef(target);
  const ref = parsePodRef(split.ref);
  if (!ref) throw new KindlabError('USAGE', `"${target}" is not pod/NAME, pod/NAMESPACE/NAME or CLUSTER/pod/NAME`, { detail: USAGE });
  if (split.cluster !== undefined && values.cluster !== undefined && split.cluster !== values.cluster) {
    throw new KindlabError('USAGE', `"${target}" names cluster ${split.cluster} but --cluster says ${values.cluster}`, { detail: USAGE });
  }
  const written = /^pods?\/[^/]+\//.test(split.ref);
  if (values.namespace !== undefined && written && ref.namespace !== values.namespace) {
    throw new KindlabError('USAGE', `"${target}" is in namespace ${ref.namespace} but -n says ${values.namespace}`, { detail: USAGE });
  }
  const cluster = split.cluster ?? values.cluster;
  return { ref: values.namespace !== undefined ? { ...ref, namespace: values.namespace } : ref, ...(cluster !== undefined ? { cluster } : {}) };
}

async function placeIn(values: ExecValues, ref: PodRef, cluster: string | undefined) {
  const { file, plan } = await labKubeconfig({ ...values, ...(cluster !== undefined ? { cluster } : {}) });
  const client = labClient(file);
  try {
    return podPlace(ref, await getPod(client, ref.namespace, ref.name), plan);
  } finally {
    client.close();
  }
}

async function podTarget(values: ExecValues, target: string): Promise<{ container: string; argv: string[]; label: string }> {
  const { ref, cluster } = podRefOf(target, values);
  const k = await labKubeconfig({ ...values, ...(cluster !== undefined ? { cluster } : {}) });
  if (cluster !== undefined || k.clusters.length < 2) {
    const place = await placeIn(values, ref, cluster);
    return { container: place.container, argv: podExecPrefix(place), label: target };
  }
  // several clusters, none named: the pod must be in exactly one
  const found = await Promise.all(k.clusters.map(async (c) => ({ c, place: await placeIn(values, ref, c).catch((e: unknown) => (e instanceof KindlabError && e.code === 'NODE_NOT_FOUND' ? undefined : Promise.reject(e))) })));
  const hits = found.filter((f) => f.place);
  if (hits.length === 0) throw new KindlabError('NODE_NOT_FOUND', `pod ${ref.namespace}/${ref.name} is in none of lab ${k.lab}'s clusters (${k.clusters.join(', ')})`, { hint: 'list the pods: KUBECONFIG=$(lab kubeconfig --cluster NAME ...) kubectl get pods -A' });
  if (hits.length > 1) throw new KindlabError('USAGE', `pod ${ref.namespace}/${ref.name} is in clusters ${hits.map((h) => h.c).join(' and ')}: choose one with --cluster NAME or NAME/${split(target)}`, { detail: USAGE });
  const place = hits[0]!.place!;
  return { container: place.container, argv: podExecPrefix(place), label: target };
}

const split = (target: string) => splitClusterRef(target).ref;

/** `positionals`: NODE then the command (the words after `--` included). */
export async function runExec(values: ExecValues, positionals: string[]): Promise<number> {
  const [node, ...cmd] = positionals;
  if (!node || cmd.length === 0) throw new KindlabError('USAGE', 'give a node and a command', { detail: USAGE });
  let runtime: Runtime = new DockerRuntime();
  if (looksLikePodRef(splitClusterRef(node).ref)) {
    const t = await podTarget(values, node);
    const r = await runtime.exec(t.container, [...t.argv, ...cmd], { check: false, target: t.label });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  }
  if (values.namespace !== undefined || values.cluster !== undefined) {
    throw new KindlabError('USAGE', `-n and --cluster are for pod targets (pod/NAME), and "${node}" is a node`, { detail: USAGE });
  }
  const target = await resolveLab(values, USAGE);
  // a lab over several engines (hosts:): the node's container is on its engine
  runtime = await runtimeForLab(target.name, { hosts: target.plan?.hosts, labDir: target.plan?.labDir, local: runtime });
  const planned = target.plan?.nodes.find((n) => n.name === node || n.containerName === node);
  if (planned && nodeKindFacts(planned.kind)?.start === 'host') {
    // never docker-exec into a container that merely shares the host node's name
    throw new KindlabError('USAGE', `node "${node}" is of kind host: it is this machine, not a container`, { hint: `run the command directly: ${cmd.join(' ')}` });
  }
  let container = planned?.containerName;
  if (!container) {
    const found = await runtime.listContainers({ [LABEL_LAB]: target.name, [LABEL_NODE]: node });
    container = found[0]?.name;
  }
  if (!container) {
    const known = target.plan?.nodes.map((n) => n.name) ?? (await runtime.listContainers({ [LABEL_LAB]: target.name })).map((c) => c.labels[LABEL_NODE]);
    throw new KindlabError('NODE_NOT_FOUND', `lab ${target.name} has no node "${node}"`, { hint: `nodes: ${known.join(', ') || '(none running)'}` });
  }
  const r = await runtime.exec(container, cmd, { check: false, target: node });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.exitCode;
}
