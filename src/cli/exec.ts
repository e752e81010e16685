/**
 * `lab exec (-t FILE | --name LAB) NODE -- CMD...` prints the command's output and returns its exit code.
 * NODE may be `pod/NAME` or `pod/NAMESPACE/NAME`: the pod's node and network namespace come from the
 * cluster API (spec.nodeName is the node's container; the node daemon names the netns
 * `pod-<namespace>-<name>`), and the command runs there with `ip netns exec`.
 */
import { KindlabError } from '../errors.js';
import { getPod, labClient, parsePodTarget } from '../runtime/index.js';
import { DockerRuntime } from '../runtime/index.js';
import { LABEL_LAB, LABEL_NODE } from '../runtime/index.js';
import { labKubeconfig } from './kubeconfig.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab exec (-t FILE | --name LAB) NODE|pod/NAME|pod/NAMESPACE/NAME -- CMD [ARG...]';

/** The node daemon's netns name for a pod (src/cluster/node/podnet-plan.ts netnsName), unless annotated otherwise. */
export const POD_NETNS_ANNOTATION = 'kindlab.io/netns';
export function podNetns(namespace: string, name: string, annotations: Record<string, string> = {}): string {
  return annotations[POD_NETNS_ANNOTATION] ?? `pod-${namespace}-${name}`;
}

async function podTarget(values: { topo?: string; name?: string }, target: string): Promise<{ container: string; argv: string[]; label: string }> {
  const ref = parsePodTarget(target);
  if (!ref) throw new KindlabError('USAGE', `"${target}" is not pod/NAME or pod/NAMESPACE/NAME`, { detail: USAGE });
  const { file } = await labKubeconfig(values);
  const client = labClient(file);
  try {
    const pod = await getPod(client, ref.namespace, ref.name);
    const node = pod.spec.nodeName;
    if (!node) throw new KindlabError('RUNTIME_CONTAINER', `pod ${ref.namespace}/${ref.name} is not scheduled to a node yet (phase ${pod.status?.phase ?? 'unknown'})`);
    if (pod.spec.hostNetwork) return { container: node, argv: [], label: target };
    return { container: node, argv: ['ip', 'netns', 'exec', podNetns(ref.namespace, ref.name, pod.metadata.annotations)], label: target };
  } finally {
    client.close();
  }
}

/** `positionals`: NODE then the command (the words after `--` included). */
export async function runExec(values: TargetValues, positionals: string[]): Promise<number> {
  const [node, ...cmd] = positionals;
  if (!node || cmd.length === 0) throw new KindlabError('USAGE', 'give a node and a command', { detail: USAGE });
  const runtime = new DockerRuntime();
  if (/^pods?\//.test(node)) {
    const t = await podTarget(values, node);
    const r = await runtime.exec(t.container, [...t.argv, ...cmd], { check: false, target: t.label });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
  }
  const target = await resolveLab(values, USAGE);
  let container = target.plan?.nodes.find((n) => n.name === node || n.containerName === node)?.containerName;
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
