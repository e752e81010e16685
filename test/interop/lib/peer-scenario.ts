/**
 * What the daemon interop tests (bird, gobgp, frr) share: our agent peers with one daemon in a netns over
 * IPv4 and IPv6, originates 10.100.0.0/24 and 2001:db8:100::/64, and learns the daemon's 10.200.x routes.
 */
import type { RibJson } from '../../../src/agent/admin-server.js';
import type { AgentProcess } from './agent.js';
import { waitFor, type NetnsPeer } from './netns.js';

export const AGENT_AS = 65000;

/** Per family: the prefix our agent originates and the one the daemon originates. */
export const ROUTES = [
  ['ipv4', '10.100.0.0/24', '10.200.0.0/24'],
  ['ipv6', '2001:db8:100::/64', '2001:db8:200::/64'],
] as const;

/**
 * The agent's config: one neighbor per family (peer4/peer6 in the netns, AS `peerAs` on `port`), 2 s connect retry,
 * 9 s hold, graceful restart; originates ROUTES' own prefixes with community 65000:100 and large community 65000:1:2.
 * `password` sets TCP MD5 on the IPv4 neighbor only.
 */
export function agentPeerConfig(p: NetnsPeer, peerAs: number, port: number, opts: { password?: string; logLevel?: string } = {}): Record<string, unknown> {
  const common = { asn: peerAs, connectRetryTime: 2, idleHoldTime: 1, holdTime: 9, gracefulRestart: { enabled: true, restartTime: 30 } };
  return {
    asn: AGENT_AS,
    routerId: '10.255.0.1',
    listen: { address: '::', port },
    ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
    neighbors: [
      { address: p.peer4, localAddress: p.host4, families: ['ipv4-unicast'], ...(opts.password ? { password: opts.password } : {}), ...common },
      { address: p.peer6, localAddress: p.host6, families: ['ipv6-unicast'], ...common },
    ],
    originate: [
      { prefix: '10.100.0.0/24', communities: ['65000:100'], largeCommunities: ['65000:1:2'] },
      { prefix: '2001:db8:100::/64', communities: ['65000:100'], largeCommunities: ['65000:1:2'] },
    ],
  };
}

/** Waits (40 s) until the agent has both neighbors Established and `peerSideUp()` says the daemon does too. */
export function bothEstablished(agent: AgentProcess, peerSideUp: () => Promise<boolean>): Promise<boolean> {
  return waitFor('both sessions Established', async () => {
    const ns = await agent.neighbors();
    return ns.length === 2 && ns.every((n) => n.state === 'Established') && (await peerSideUp());
  }, 40_000);
}

/** The IPv4 routes the agent learned from the daemon (10.200.x). */
export async function daemonRoutes4(agent: AgentProcess): Promise<NonNullable<RibJson['routes']>> {
  return (await agent.rib('ipv4')).routes?.filter((r) => r.prefix.startsWith('10.200.')) ?? [];
}
