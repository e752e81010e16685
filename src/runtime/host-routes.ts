/** The host's IPv4 routes and addresses (main table), read with `ip -j`, for the mgmt subnet check. */
import { execa } from 'execa';
import type { HostRoute } from './mgmt-conflicts.js';

interface IpRoute {
  dst?: string;
  dev?: string;
}
interface IpAddr {
  ifname?: string;
  addr_info?: Array<{ family?: string; local?: string; prefixlen?: number }>;
}

async function ipJson<T>(args: string[]): Promise<T[]> {
  const r = await execa('ip', ['-j', ...args], { reject: false });
  if (r.exitCode !== 0 || !r.stdout.trim()) return [];
  return JSON.parse(r.stdout) as T[];
}

export async function readHostRoutes(): Promise<HostRoute[]> {
  const [routes, addrs] = await Promise.all([ipJson<IpRoute>(['-4', 'route', 'show']), ipJson<IpAddr>(['-4', 'addr', 'show'])]);
  const out: HostRoute[] = routes.filter((r) => r.dst).map((r) => ({ dst: r.dst!, dev: r.dev, what: 'route' as const }));
  for (const a of addrs) for (const i of a.addr_info ?? []) if (i.family === 'inet' && i.local) out.push({ dst: i.local, dev: a.ifname, what: 'address' });
  return out;
}
