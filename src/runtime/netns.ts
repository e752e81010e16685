/**
 * Runs iproute2 on the host or inside a container's network namespace (entered by pid).
 *
 * Why `ip` through execa and not netlink from Node: iproute2 is present on every machine
 * that runs Docker, speaks every link type we need (veth peers in other namespaces,
 * bridges, aliases) and its errors are readable; there is no maintained netlink library
 * for Node. `nsenter -n` switches only the network namespace, so the host's `ip` binary
 * is used even when the container image has none.
 */
import { execa } from 'execa';
import { ExecError } from '../errors.js';

/** pid 0 means the host's own namespace. */
export async function ip(pid: number, args: string[], target = 'host'): Promise<string> {
  const [file, argv] = pid ? ['nsenter', ['-t', String(pid), '-n', 'ip', ...args]] : ['ip', args];
  const r = await execa(file, argv, { reject: false });
  if (r.exitCode !== 0) throw new ExecError(target, `ip ${args.join(' ')}`, r.exitCode ?? -1, r.stdout, r.stderr);
  return r.stdout;
}

/** Several `ip` commands in one process (`ip -batch -`), one per line. */
export async function ipBatch(pid: number, lines: string[], target = 'host'): Promise<void> {
  if (lines.length === 0) return;
  const [file, argv] = pid ? ['nsenter', ['-t', String(pid), '-n', 'ip', '-batch', '-']] : ['ip', ['-batch', '-']];
  const r = await execa(file, argv, { reject: false, input: lines.join('\n') + '\n' });
  if (r.exitCode !== 0) throw new ExecError(target, `ip -batch: ${lines.join('; ')}`, r.exitCode ?? -1, r.stdout, r.stderr);
}

export interface LinkInfo {
  ifname: string;
  ifindex?: number;
  /** A veth's peer ifindex (in the peer's namespace). */
  linkIndex?: number;
  ifalias?: string;
  address?: string;
  mtu?: number;
  kind?: string;
}

/** Interfaces in a namespace, with alias and kind (`ip -j -d link show`). */
export async function listLinks(pid: number, target = 'host'): Promise<LinkInfo[]> {
  return parseLinks(await ip(pid, ['-j', '-d', 'link', 'show'], target));
}

/** `ip -j -d link show` output as LinkInfo. Pure. */
export function parseLinks(out: string): LinkInfo[] {
  const raw = JSON.parse(out || '[]') as Array<{ ifname: string; ifindex?: number; link_index?: number; ifalias?: string; address?: string; mtu?: number; linkinfo?: { info_kind?: string } }>;
  return raw.map((l) => ({ ifname: l.ifname, ifindex: l.ifindex, linkIndex: l.link_index, ifalias: l.ifalias, address: l.address, mtu: l.mtu, kind: l.linkinfo?.info_kind }));
}

/** `ip -n NAME …`: runs iproute2 in a named network namespace (/var/run/netns/NAME). */
export async function ipNamed(netns: string, args: string[]): Promise<string> {
  const r = await execa('ip', ['-n', netns, ...args], { reject: false });
  if (r.exitCode !== 0) throw new ExecError(`netns ${netns}`, `ip -n ${netns} ${args.join(' ')}`, r.exitCode ?? -1, r.stdout, r.stderr);
  return r.stdout;
}
