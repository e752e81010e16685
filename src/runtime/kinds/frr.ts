/**
 * `frr`: an FRR router. Its /etc/frr is a directory of the lab (`<labDir>/<node>/frr`), so
 * the running config survives `write memory` and can be read after a destroy:
 * - frr.conf: the node's startup-config, or one already rendered there, or a minimal one;
 * - daemons: zebra + the daemons listed in `extra.daemons` (default bgpd, bfdd, vrrpd, ospfd, ospf6d);
 * - vtysh.conf: integrated config.
 * After the links are up, watchfrr and the daemons start with `frrinit.sh start`; then `exec:` runs.
 */
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodePlan } from '../../topology/index.js';
import type { NodeKind } from './types.js';

export { DEFAULT_FRR_DAEMONS, FRR_DAEMONS, renderDaemons } from '../../render/index.js';
import { DEFAULT_FRR_DAEMONS, renderDaemons } from '../../render/index.js';

export function frrDaemonsOf(node: NodePlan): string[] {
  const d = node.extra['daemons'];
  return Array.isArray(d) && d.every((x) => typeof x === 'string') ? (d as string[]) : DEFAULT_FRR_DAEMONS;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(() => true, () => false);
}

export const frrKind: NodeKind = {
  name: 'frr',
  containerOptions(node, opts, ctx) {
    const nodeDir = ctx.nodeDir(node);
    const binds = [...(opts.HostConfig?.Binds ?? []), `${join(nodeDir, 'frr')}:/etc/frr`];
    return { ...opts, HostConfig: { ...opts.HostConfig, Binds: binds } };
  },
  async writeFiles(node, ctx) {
    const dir = join(ctx.nodeDir(node), 'frr');
    await mkdir(dir, { recursive: true });
    const conf = join(dir, 'frr.conf');
    if (node.startupConfig) await copyFile(node.startupConfig, conf);
    else if (!(await exists(conf))) {
      await writeFile(conf, `frr defaults datacenter\nhostname ${node.name}\nservice integrated-vtysh-config\n!\n`);
    }
    await writeFile(join(dir, 'daemons'), renderDaemons(frrDaemonsOf(node)));
    await writeFile(join(dir, 'vtysh.conf'), 'service integrated-vtysh-config\n');
  },
  async postDeploy(node, ctx) {
    await ctx.runtime.exec(node.containerName, ['sh', '-c', 'chown -R frr:frr /etc/frr 2>/dev/null; /usr/lib/frr/frrinit.sh start'], {
      target: node.name,
    });
  },
};
