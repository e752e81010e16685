/**
 * `lab exec (-t FILE | --name LAB) NODE -- CMD...` prints the command's output and returns its exit code.
 * NODE may be `pod/NAME` or `pod/NAMESPACE/NAME`: where the pod runs (its node's container and
 * network namespace) comes from cluster/lab (podPlace), and the command runs there with `ip netns exec`.
 */
import { KindlabError } from '../errors.js';
import { looksLikePodRef, parsePodRef, podExecPrefix, podPlace } from '../cluster/lab/index.js';
import { getPod, labClient } from '../cluster/lab/index.js';
import { DockerRuntime, runtimeForLab, type Runtime } from '../runtime/index.js';
import { LABEL_LAB, LABEL_NODE } from '../runtime/index.js';
import { nodeKindFacts } from '../topology/index.js';
import { labKubeconfig } from './kubeconfig.js';
import { resolveLab, type TargetValues } from './target.js';

const USAGE = 'usage: lab exec (-t FILE | --name LAB) NODE|pod/NAME|pod/NAMESPACE/NAME -- CMD [ARG...]';

async function podTarget(values: { topo?: string; name?: string }, target: string): Promise<{ container: string; argv: string[]; label: string }> {
  const ref = parsePodRef(target);
  if (!ref) throw new KindlabError('USAGE', `"${target}" is not pod/NAME or pod/NAMESPACE/NAME`, { detail: USAGE });
  const { file, plan } = await labKubeconfig(values);
  const client = labClient(file);
  try {
    const place = podPlace(ref, await getPod(client, ref.namespace, ref.name), plan);
    return { container: place.container, argv: podExecPrefix(place), label: target };
  } finally {
    client.close();
  }
}

/** `positionals`: NODE then the command (the words after `--` included). */
export async function runExec(values: TargetValues, positionals: string[]): Promise<number> {
  const [node, ...cmd] = positionals;
  if (!node || cmd.length === 0) throw new KindlabError('USAGE', 'give a node and a command', { detail: USAGE });
  let runtime: Runtime = new DockerRuntime();
  if (looksLikePodRef(node)) {
    const t = await podTarget(values, node);
    const r = await runtime.exec(t.container, [...t.argv, ...cmd], { check: false, target: t.label });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    return r.exitCode;
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
