/**
 * `lab config show NODE -t FILE`, `lab config diff [NODE] -t FILE` (the rendered configs against the
 * copies the running lab was given, in its lab directory) and `lab generate clos`.
 */
import { labLoadOptions } from './load-options.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { KindlabError } from '../errors.js';
import { configDiff, generateClos, renderedConfig, type ClosOptions } from '../render/index.js';
import { renderedFilePath } from '../runtime/index.js';
import { loadLabPlan } from '../runtime/index.js';

interface ConfigValues {
  topo?: string;
}

export async function runConfig(sub: string | undefined, values: ConfigValues, positionals: string[]): Promise<number> {
  if (sub !== 'show' && sub !== 'diff') throw new KindlabError('USAGE', `config: expected show or diff${sub ? `, got "${sub}"` : ''}`, { hint: 'see: lab config --help' });
  if (!values.topo) throw new KindlabError('USAGE', 'missing -t FILE', { hint: `usage: lab config ${sub} [NODE] -t FILE` });
  const plan = await loadLabPlan(values.topo, labLoadOptions());
  const node = positionals.find((p) => p !== sub);
  if (sub === 'show') {
    if (!node) throw new KindlabError('USAGE', 'config show: name the node', { hint: `nodes: ${plan.nodes.map((n) => n.name).join(', ')}` });
    process.stdout.write(renderedConfig(plan, node));
    return 0;
  }
  // The deployed copies, where the runtime wrote them at deploy.
  const deployed = (n: string, path: string): string | undefined => {
    const node = plan.nodes.find((x) => x.name === n);
    const f = node ? renderedFilePath(plan, node, path) : undefined;
    return f && existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  };
  const diff = configDiff(plan, deployed, node);
  process.stdout.write(diff || `no changes: the rendered configs match what lab ${plan.name} was given\n`);
  return diff ? 1 : 0;
}

interface GenerateValues {
  name?: string;
  spines?: string;
  leaves?: string;
  'nodes-per-leaf'?: string;
  dialect?: string;
  image?: string;
  output?: string;
}

const DIALECTS = ['cilium', 'calico', 'kube-router', 'kube-ovn', 'metallb'] as const;

export async function runGenerate(sub: string | undefined, v: GenerateValues): Promise<number> {
  if (sub !== 'clos') throw new KindlabError('USAGE', `generate: expected clos${sub ? `, got "${sub}"` : ''}`, { hint: 'see: lab generate --help' });
  const dialect = v.dialect ?? 'cilium';
  if (!(DIALECTS as readonly string[]).includes(dialect)) throw new KindlabError('USAGE', `--dialect must be one of ${DIALECTS.join(', ')}, got "${dialect}"`);
  const num = (s: string | undefined, d: number, flag: string): number => {
    if (s === undefined) return d;
    if (!/^\d+$/.test(s)) throw new KindlabError('USAGE', `--${flag} must be a whole number, got "${s}"`);
    return Number(s);
  };
  const o: ClosOptions = {
    name: v.name ?? 'clos',
    spines: num(v.spines, 2, 'spines'),
    leaves: num(v.leaves, 4, 'leaves'),
    nodesPerLeaf: num(v['nodes-per-leaf'], 1, 'nodes-per-leaf'),
    dialect: dialect as ClosOptions['dialect'],
    ...(v.image ? { image: v.image } : {}),
  };
  const text = generateClos(o);
  if (v.output) {
    await writeFile(v.output, text);
    process.stderr.write(`wrote ${v.output}: lab deploy -t ${v.output} && lab verify -t ${v.output} --wait 2m\n`);
  } else process.stdout.write(text);
  return 0;
}
