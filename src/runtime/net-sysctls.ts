/**
 * containerlab's nodes are privileged, so their `exec:` lines may write `net.*` sysctls
 * (`sysctl net.ipv6.conf.all.forwarding=1` in Cilium's own dual-stack lab). Ours are not: Docker
 * mounts /proc/sys read-only. Rather than unmasking all of /proc/sys (systempaths=unconfined, which
 * would also open host-wide sysctls such as vm.*), we bind /proc/sys/net onto itself inside the
 * container and make only that mount writable. Entries under /proc/sys/net belong to the network
 * namespace of the process that opens them, so the node can change its own netns and nothing else.
 */
import { errorMessage } from '../errors.js';
import type { NodePlan } from '../topology/index.js';
import type { Runtime } from './docker.js';

const NET = '/proc/sys/net';

/**
 * The shell form of the three steps below: done when the listing shows /proc/sys/net read-write (the pattern of
 * netSysctlsWritable), else bind it onto itself and remount the bind read-write. A missing grep or mount exits 127.
 */
export const UNLOCK_SCRIPT = [
  'command -v grep >/dev/null && command -v mount >/dev/null || exit 127',
  `if mount | grep -qE ' on ${NET} type proc \\(rw[,)]'; then exit 0; fi`,
  `mount --bind ${NET} ${NET} && mount -o remount,rw,bind ${NET}`,
].join('\n');

/** Only a node with a network namespace of its own gets writable net sysctls (a sharer writes its owner's). */
export function wantsNetSysctls(node: NodePlan): boolean {
  return node.networkMode.type === 'bridge' || node.networkMode.type === 'none';
}

/** `mount`'s listing (util-linux and busybox print the same shape) already shows /proc/sys/net writable. */
export function netSysctlsWritable(mountListing: string): boolean {
  return mountListing.split('\n').some((l) => / on \/proc\/sys\/net type proc \(rw[,)]/.test(l));
}

/**
 * Makes /proc/sys/net writable in the node's container; idempotent (a redeploy or a repair may run it
 * again). Returns a warning instead of failing when the image has no `mount` (distroless images):
 * the node then runs, with read-only sysctls as under plain Docker.
 */
export async function unlockNetSysctls(runtime: Runtime, node: NodePlan): Promise<string | undefined> {
  const run = (argv: string[]) => runtime.exec(node.containerName, argv, { check: false, user: '0', target: node.name });
  try {
    // one exec where the image has a shell (each exec costs Docker ~0.1 s, on every node of the lab); the three
    // separate ones below only when it has none, or lacks a tool the script needs (126/127)
    const one = await run(['sh', '-c', UNLOCK_SCRIPT]);
    if (one.exitCode === 0) return undefined;
    if (one.exitCode !== 126 && one.exitCode !== 127 && one.exitCode !== -1) return `${node.name}: net.* sysctls stay read-only (${firstLine(one.stderr || one.stdout)})`;
  } catch {
    // no shell at all: the exec itself failed
  }
  try {
    const listing = await run(['mount']);
    if (listing.exitCode !== 0) return `${node.name}: net.* sysctls stay read-only (no usable \`mount\` in the image: ${firstLine(listing.stderr || listing.stdout)})`;
    if (netSysctlsWritable(listing.stdout)) return undefined;
    for (const argv of [['mount', '--bind', NET, NET], ['mount', '-o', 'remount,rw,bind', NET]]) {
      const r = await run(argv);
      if (r.exitCode !== 0) return `${node.name}: net.* sysctls stay read-only (${argv.join(' ')}: ${firstLine(r.stderr || r.stdout)})`;
    }
    return undefined;
  } catch (e) {
    return `${node.name}: net.* sysctls stay read-only (${firstLine(errorMessage(e))})`;
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}
