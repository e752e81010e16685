import fs from 'node:fs';
import { bridgeCommands, podNetworkCommands, podTeardownCommands, type BridgeSpec, type PodNetSpec } from './podnet-plan.js';
import { run, runAll } from './sys.js';

type AddrInfo = { family: string; local: string; prefixlen: number; scope?: string };

/** Global addresses of both families from `ip -j addr show` output, as `a/len` (link-local ones are the kernel's). */
export function globalAddrs(json: string): string[] {
  const info = (JSON.parse(json || '[]') as Array<{ addr_info?: AddrInfo[] }>)[0]?.addr_info ?? [];
  return info.filter((a) => (a.family === 'inet' || a.family === 'inet6') && (a.scope ?? 'global') === 'global').map((a) => `${a.local}/${a.prefixlen}`);
}

/** Creates or corrects the pod bridge and its gateway addresses (one per pod CIDR). */
export async function ensureBridge(b: BridgeSpec): Promise<void> {
  const link = await run(['ip', '-j', 'addr', 'show', 'dev', b.bridge], { reject: false });
  const exists = link.code === 0;
  await runAll(bridgeCommands(b, { exists, addrs: exists ? globalAddrs(link.stdout) : [] }));
}

export function netnsExists(netns: string): boolean {
  return fs.existsSync(`/var/run/netns/${netns}`) || fs.existsSync(`/run/netns/${netns}`);
}

/** The global addresses on eth0 inside the netns (both families), or undefined when there is no eth0. */
export async function podAddresses(netns: string): Promise<string[] | undefined> {
  const r = await run(['ip', '-n', netns, '-j', 'addr', 'show', 'dev', 'eth0'], { reject: false });
  if (r.code !== 0) return undefined;
  return globalAddrs(r.stdout).map((a) => a.split('/')[0]!);
}

/** Sets up the pod's network; a half-made one (an earlier failure, or other addresses) is removed first. */
export async function setupPodNetwork(p: PodNetSpec): Promise<void> {
  if (netnsExists(p.netns)) {
    const have = await podAddresses(p.netns);
    if (have && have.length === p.ips.length && p.ips.every((ip) => have.includes(ip))) return;
    await teardownPodNetwork(p);
  }
  try {
    await runAll(podNetworkCommands(p));
  } catch (e) {
    await teardownPodNetwork(p);
    throw e;
  }
}

export async function teardownPodNetwork(p: { netns: string; hostVeth: string }): Promise<void> {
  for (const c of podTeardownCommands(p)) await run(c, { reject: false });
}

/** Pod network namespaces on this node (`pod-*`). */
export async function listPodNetns(): Promise<string[]> {
  const r = await run(['ip', 'netns', 'list'], { reject: false });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith('pod-'));
}

/** MTU of the interface holding the default route (what pods should use), else 1500. */
export async function defaultRouteMtu(): Promise<number> {
  const r = await run(['ip', '-j', 'route', 'show', 'default'], { reject: false });
  const dev = (JSON.parse(r.stdout || '[]') as Array<{ dev?: string }>)[0]?.dev;
  if (!dev) return 1500;
  try {
    return Number(fs.readFileSync(`/sys/class/net/${dev}/mtu`, 'utf8').trim()) || 1500;
  } catch {
    return 1500;
  }
}

/** Writes a sysctl through /proc/sys; returns false when read-only (then the caller warns). */
export function setSysctl(key: string, value: string): boolean {
  const file = `/proc/sys/${key.replace(/\./g, '/')}`;
  try {
    if (fs.readFileSync(file, 'utf8').trim() === value) return true;
    fs.writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}
