/**
 * How the speaker names a neighbor: its address when it is reached on the BGP port (179), "address:port"
 * ("[v6]:port") otherwise. Two neighbors at one address on different ports are two sessions (Calico's
 * peerIP "ip:port", Cilium's peerPort, MetalLB's port); every existing name for a port-179 peer stays the address.
 */
import net from 'node:net';
import { plainAddress } from './session/transport.js';

export const BGP_PORT = 179;

export function neighborKey(address: string, port?: number): string {
  const a = plainAddress(address);
  if (port === undefined || port === BGP_PORT) return a;
  return a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`;
}

/** The key for a name given by a user or another module: a plain address, "a.b.c.d:port" or "[v6]:port". */
export function normalizeNeighborKey(s: string): string {
  if (net.isIP(s) !== 0) return neighborKey(s);
  const v6 = /^\[([^\]]+)\]:(\d+)$/.exec(s);
  if (v6) return neighborKey(v6[1]!, Number(v6[2]));
  const i = s.lastIndexOf(':');
  if (i > 0 && /^\d+$/.test(s.slice(i + 1))) return neighborKey(s.slice(0, i), Number(s.slice(i + 1)));
  return s;
}
