/**
 * A tiny HTTP-server image built locally from Debian's busybox-static (for the real-image pod test
 * and bench/pod-start.ts): /bin/busybox, /bin/sh, and /www/index.html holding `token`, content no
 * other image has. `docker import` of a tar, so no registry and no Dockerfile build context.
 * Also a two-node cluster lab (control-plane + worker on one bridge) small enough for these tests.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { uniqueSubnet } from './plan-helpers.js';

export const BUSYBOX_STATIC = '/bin/busybox';

/** Builds `tag`: busybox httpd on :8080 serving /www (index.html = `token`). */
export async function buildHttpdImage(tag: string, token: string): Promise<void> {
  if (!existsSync(BUSYBOX_STATIC) || !(await execa('dpkg', ['-L', 'busybox-static'], { reject: false })).stdout.includes('/bin/busybox')) throw new Error('install busybox-static (apt-get install busybox-static)');
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-img-'));
  try {
    const root = join(dir, 'root');
    await mkdir(join(root, 'bin'), { recursive: true });
    await mkdir(join(root, 'www'), { recursive: true });
    await mkdir(join(root, 'tmp'), { recursive: true });
    await copyFile(BUSYBOX_STATIC, join(root, 'bin/busybox'));
    for (const a of ['sh', 'cat', 'ls', 'echo', 'sleep', 'tar', 'wget', 'hostname']) await symlink('busybox', join(root, 'bin', a));
    await writeFile(join(root, 'www/index.html'), `${token}\n`);
    await execa('tar', ['-C', root, '-cf', join(dir, 'root.tar'), '.']);
    await execa('docker', ['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]', join(dir, 'root.tar'), tag]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const NODE_IPS2 = ['10.0.1.2', '10.0.2.2'];

/** A control-plane and one worker (Nodes `<name>-control-plane`, `<name>-worker`) on a bridge, pod CIDRs routed statically. */
export async function writeSmallClusterLab(name: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kindlab-podimg-'));
  const roles = ['control-plane', 'worker'] as const;
  await writeFile(
    join(dir, 'cluster.yaml'),
    `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnetworking:\n  podSubnet: "10.1.0.0/16"\nnodes:\n${roles.map((r, i) => `- role: ${r}\n  kubeadmConfigPatches:\n  - |\n    kind: ${i ? 'JoinConfiguration' : 'InitConfiguration'}\n    nodeRegistration:\n      kubeletExtraArgs:\n        node-ip: ${NODE_IPS2[i]}\n`).join('')}`,
  );
  const nodes: Record<string, unknown> = { sw: { kind: 'bridge', image: 'kindlab/base:latest' } };
  roles.forEach((n, i) => {
    nodes[n] = { kind: 'k8s-node', exec: [`ip addr add ${NODE_IPS2[i]}/16 dev net0`, `ip route replace 10.1.${1 - i}.0/24 via ${NODE_IPS2[1 - i]}`] };
  });
  const topo = { name, mgmt: { network: `kindlab-${name}`, 'ipv4-subnet': uniqueSubnet(name) }, cluster: { config: 'cluster.yaml', name }, topology: { nodes, links: roles.map((n, i) => ({ endpoints: [`sw:p${i}`, `${n}:net0`] })) } };
  const file = join(dir, 'topo.yaml');
  await writeFile(file, stringify(topo));
  return { dir, file };
}
