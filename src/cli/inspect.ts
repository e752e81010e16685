/** `lab inspect (-t FILE | --name LAB) [--format table|json]` */
import { parseArgs } from 'node:util';
import { KindlabError } from '../errors.js';
import { DockerRuntime } from '../runtime/index.js';
import { formatTable, inspectLab } from '../runtime/index.js';
import { resolveLab, TARGET_OPTIONS } from './target.js';

const USAGE = 'usage: lab inspect (-t FILE | --name LAB) [--format table|json]';

export async function runInspect(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...TARGET_OPTIONS, format: { type: 'string', short: 'f', default: 'table' } } });
  if (values.format !== 'table' && values.format !== 'json') throw new KindlabError('USAGE', `unknown format "${values.format}"`, { detail: USAGE });
  const target = await resolveLab(values, USAGE);
  const r = await inspectLab(new DockerRuntime(), target.name);
  if (values.format === 'json') {
    process.stdout.write(JSON.stringify({ lab: r.lab, nodes: r.nodes }, null, 2) + '\n');
    return 0;
  }
  if (r.nodes.length === 0) {
    process.stdout.write(`lab ${r.lab}: no containers\n`);
    return 0;
  }
  const rows = [['NAME', 'CONTAINER', 'KIND', 'IMAGE', 'STATE', 'MGMT IPV4'], ...r.nodes.map((n) => [n.name, n.container, n.kind, n.image, n.state, n.mgmtIPv4 || '-'])];
  process.stdout.write(formatTable(rows) + '\n');
  return 0;
}
