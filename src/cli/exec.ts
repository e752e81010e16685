/** `lab exec (-t FILE | --name LAB) NODE -- CMD...` prints the command's output and returns its exit code. */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/docker.js';
import { LABEL_LAB, LABEL_NODE } from '../runtime/labels.js';
import { resolveLab, TARGET_OPTIONS } from './target.js';

const USAGE = 'usage: lab exec (-t FILE | --name LAB) NODE -- CMD [ARG...]';

export async function runExec(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: TARGET_OPTIONS, allowPositionals: true });
  const [node, ...cmd] = positionals;
  if (!node || cmd.length === 0) throw new KindlabError('USAGE', 'give a node and a command', { detail: USAGE });
  if (node.startsWith('pod/')) throw new KindlabError('USAGE', 'pod/NAME targets need the cluster runtime, which this lab has not got yet', { detail: USAGE });
  const target = await resolveLab(values, USAGE);
  const runtime = new DockerRuntime();
  let container = target.plan?.nodes.find((n) => n.name === node)?.containerName;
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
