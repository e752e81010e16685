/**
 * The IPv6 next hop to offer on a session whose transport is IPv4 but which carries IPv6 unicast
 * (MP-BGP, RFC 4760/2545): a global IPv6 address on the interface that holds the session's local
 * IPv4 address, that is, on the link towards the peer. Pure over the interface table.
 */
import os from 'node:os';

export type InterfaceTable = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

const isLinkLocal6 = (a: string) => /^fe[89ab][0-9a-f]:/i.test(a);

/** The name of the interface holding `localAddress` (undefined when none does). */
export function interfaceOf(localAddress: string, table: InterfaceTable = os.networkInterfaces()): string | undefined {
  const a = localAddress.replace(/^::ffff:/, '');
  for (const [name, addrs] of Object.entries(table)) if (addrs?.some((x) => x.address === a)) return name;
  return undefined;
}

/** The global IPv6 address on the interface of `localAddress` (undefined when there is none, or for an IPv6 `localAddress`). */
export function linkGlobal6(localAddress: string, table: InterfaceTable = os.networkInterfaces()): string | undefined {
  if (localAddress.includes(':')) return undefined;
  for (const addrs of Object.values(table)) {
    if (!addrs?.some((a) => a.family === 'IPv4' && a.address === localAddress)) continue;
    return addrs.find((a) => a.family === 'IPv6' && !a.internal && !isLinkLocal6(a.address))?.address;
  }
  return undefined;
}
