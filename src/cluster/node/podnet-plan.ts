import { createHash } from 'node:crypto';

/** Network namespace of a pod: `pod-<namespace>-<name>` (what `lab exec pod/NAME` enters). */
export function netnsName(namespace: string, name: string): string {
  return `pod-${namespace}-${name}`;
}

/** Host end of a pod's veth: `veth` + 8 hex digits of a hash of namespace/name (15-char limit). */
export function hostVethName(namespace: string, name: string): string {
  return `veth${createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 8)}`;
}

export interface BridgeSpec {
  bridge: string;
  /** Gateway address of the pod CIDR (first address). */
  gateway: string;
  prefix: number;
  mtu: number;
}

export interface PodNetSpec extends BridgeSpec {
  netns: string;
  hostVeth: string;
  ip: string;
}

/** `ip` commands that create the bridge with the gateway address, given what exists. Pure. */
export function bridgeCommands(b: BridgeSpec, have: { exists: boolean; addrs: string[] }): string[][] {
  const cmds: string[][] = [];
  if (!have.exists) cmds.push(['ip', 'link', 'add', b.bridge, 'mtu', String(b.mtu), 'type', 'bridge']);
  const want = `${b.gateway}/${b.prefix}`;
  for (const a of have.addrs) if (a !== want) cmds.push(['ip', 'addr', 'del', a, 'dev', b.bridge]);
  if (!have.addrs.includes(want)) cmds.push(['ip', 'addr', 'add', want, 'dev', b.bridge]);
  cmds.push(['ip', 'link', 'set', b.bridge, 'up']);
  return cmds;
}

/**
 * Bridge CNI for one pod: netns, veth pair (host end on the bridge with hairpin on so a
 * pod reaches itself through a Service; pod end renamed eth0), address, lo, default
 * route via the gateway. Pure.
 */
export function podNetworkCommands(p: PodNetSpec): string[][] {
  const inNs = (...args: string[]) => ['ip', '-n', p.netns, ...args];
  return [
    ['ip', 'netns', 'add', p.netns],
    ['ip', 'link', 'add', p.hostVeth, 'mtu', String(p.mtu), 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', String(p.mtu), 'netns', p.netns],
    ['ip', 'link', 'set', p.hostVeth, 'master', p.bridge],
    ['ip', 'link', 'set', p.hostVeth, 'type', 'bridge_slave', 'hairpin', 'on'],
    ['ip', 'link', 'set', p.hostVeth, 'up'],
    inNs('link', 'set', 'lo', 'up'),
    inNs('addr', 'add', `${p.ip}/${p.prefix}`, 'dev', 'eth0'),
    inNs('link', 'set', 'eth0', 'up'),
    inNs('route', 'add', 'default', 'via', p.gateway, 'dev', 'eth0'),
  ];
}

/** Removal, each step allowed to fail (already gone): the netns takes eth0 and so the pair with it. */
export function podTeardownCommands(p: { netns: string; hostVeth: string }): string[][] {
  return [
    ['ip', 'link', 'del', p.hostVeth],
    ['ip', 'netns', 'del', p.netns],
  ];
}
