import { createHash } from 'node:crypto';

/** Network namespace of a pod: `pod-<namespace>-<name>` (what `lab exec pod/NAME` enters). */
export function netnsName(namespace: string, name: string): string {
  return `pod-${namespace}-${name}`;
}

/** Host end of a pod's veth: `veth` + 8 hex digits of a hash of namespace/name (15-char limit). */
export function hostVethName(namespace: string, name: string): string {
  return `veth${createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 8)}`;
}

/** One pod CIDR on the bridge: its gateway (first address) and prefix length. IPv4 or IPv6. */
export interface GatewaySpec {
  gateway: string;
  prefix: number;
}

export interface BridgeSpec {
  bridge: string;
  /** One per pod CIDR of the node, primary family first (a dual-stack node has two). */
  gateways: GatewaySpec[];
  mtu: number;
}

export interface PodNetSpec extends BridgeSpec {
  netns: string;
  hostVeth: string;
  /** The pod's addresses, `ips[i]` inside `gateways[i]`'s CIDR. */
  ips: string[];
}

const isV6 = (ip: string) => ip.includes(':');

/** `ip addr add` arguments of one address; IPv6 ones skip duplicate address detection (the pod CIDR is ours alone), so they work at once. */
const addrArgs = (cidr: string, dev: string) => ['addr', 'add', cidr, 'dev', dev, ...(isV6(cidr) ? ['nodad'] : [])];

/** The sysctls a node needs for pod CIDRs of these families: forwarding, and bridged traffic through ip(6)tables. Pure. */
export function nodeSysctls(gateways: GatewaySpec[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (gateways.some((g) => !isV6(g.gateway))) out.push(['net.ipv4.ip_forward', '1'], ['net.bridge.bridge-nf-call-iptables', '1']);
  if (gateways.some((g) => isV6(g.gateway))) out.push(['net.ipv6.conf.all.forwarding', '1'], ['net.bridge.bridge-nf-call-ip6tables', '1']);
  return out;
}

/**
 * `ip` commands that create the bridge with one gateway address per pod CIDR, given what
 * exists (`addrs`: its global addresses of both families, `a/len`). Pure.
 */
export function bridgeCommands(b: BridgeSpec, have: { exists: boolean; addrs: string[] }): string[][] {
  const cmds: string[][] = [];
  if (!have.exists) cmds.push(['ip', 'link', 'add', b.bridge, 'mtu', String(b.mtu), 'type', 'bridge']);
  const want = b.gateways.map((g) => `${g.gateway}/${g.prefix}`);
  for (const a of have.addrs) if (!want.includes(a)) cmds.push(['ip', 'addr', 'del', a, 'dev', b.bridge]);
  for (const w of want) if (!have.addrs.includes(w)) cmds.push(['ip', ...addrArgs(w, b.bridge)]);
  cmds.push(['ip', 'link', 'set', b.bridge, 'up']);
  return cmds;
}

/**
 * Bridge CNI for one pod: netns, veth pair (host end on the bridge with hairpin on so a
 * pod reaches itself through a Service; pod end renamed eth0), one address per pod CIDR,
 * lo, a default route per family via that family's gateway. Pure.
 */
export function podNetworkCommands(p: PodNetSpec, o: { netnsExists?: boolean } = {}): string[][] {
  if (p.ips.length !== p.gateways.length) throw new Error(`pod ${p.netns}: ${p.ips.length} addresses for ${p.gateways.length} pod CIDRs`);
  const inNs = (...args: string[]) => ['ip', '-n', p.netns, ...args];
  return [
    // A real-image pod's netns is its sandbox's, mounted under the same name beforehand (docker-pods.ts).
    ...(o.netnsExists ? [] : [['ip', 'netns', 'add', p.netns]]),
    ['ip', 'link', 'add', p.hostVeth, 'mtu', String(p.mtu), 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', String(p.mtu), 'netns', p.netns],
    ['ip', 'link', 'set', p.hostVeth, 'master', p.bridge],
    ['ip', 'link', 'set', p.hostVeth, 'type', 'bridge_slave', 'hairpin', 'on'],
    ['ip', 'link', 'set', p.hostVeth, 'up'],
    inNs('link', 'set', 'lo', 'up'),
    ...p.ips.map((ip, i) => inNs(...addrArgs(`${ip}/${p.gateways[i]!.prefix}`, 'eth0'))),
    inNs('link', 'set', 'eth0', 'up'),
    ...p.gateways.map((g) => (isV6(g.gateway) ? inNs('-6', 'route', 'add', 'default', 'via', g.gateway, 'dev', 'eth0') : inNs('route', 'add', 'default', 'via', g.gateway, 'dev', 'eth0'))),
  ];
}

/** Removal, each step allowed to fail (already gone): the netns takes eth0 and so the pair with it. */
export function podTeardownCommands(p: { netns: string; hostVeth: string }): string[][] {
  return [
    ['ip', 'link', 'del', p.hostVeth],
    ['ip', 'netns', 'del', p.netns],
  ];
}
